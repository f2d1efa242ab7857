package main

// Just enough JSON for show-cert and the rpcd plugin: objects of strings,
// booleans and string arrays out, one flat object of scalars in. The
// reflection-based encoding/json costs ~100 KB of the router binary.

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// jsonObj writes one JSON object, fields in the order they are added.
type jsonObj struct{ b []byte }

func (o *jsonObj) key(k string) {
	if len(o.b) == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.b = appendJSONQuoted(o.b, k)
	o.b = append(o.b, ':')
}

// str adds k: v, or nothing when v is empty.
func (o *jsonObj) str(k, v string) {
	if v != "" {
		o.key(k)
		o.b = appendJSONQuoted(o.b, v)
	}
}

func (o *jsonObj) boolean(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

// strs adds k: [v...], or nothing when vs is empty.
func (o *jsonObj) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	o.key(k)
	for i, v := range vs {
		o.b = append(o.b, "[,"[min(i, 1)])
		o.b = appendJSONQuoted(o.b, v)
	}
	o.b = append(o.b, ']')
}

// obj adds k: the object v (nothing when v is empty); objs an array of them.
func (o *jsonObj) obj(k string, v *jsonObj) {
	if len(v.b) > 0 {
		o.key(k)
		o.b = append(o.b, v.bytes()...)
	}
}

func (o *jsonObj) objs(k string, vs []*jsonObj) {
	if len(vs) == 0 {
		return
	}
	o.key(k)
	for i, v := range vs {
		o.b = append(o.b, "[,"[min(i, 1)])
		o.b = append(o.b, v.bytes()...)
	}
	o.b = append(o.b, ']')
}

func (o *jsonObj) bytes() []byte {
	if len(o.b) == 0 {
		return []byte("{}")
	}
	return append(o.b[:len(o.b):len(o.b)], '}')
}

// appendJSONQuoted quotes s as RFC 8259 says; invalid UTF-8 becomes U+FFFD.
func appendJSONQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

var errJSON = errors.New("want one JSON object of strings, numbers, booleans or null")

// parseFlatJSON reads one JSON object whose values are scalars: strings
// (decoded), numbers and booleans (as written), null (skipped).
func parseFlatJSON(b []byte) (map[string]string, error) {
	p := jsonParser{b: b}
	out := map[string]string{}
	p.space()
	if !p.eat('{') {
		return nil, errJSON
	}
	p.space()
	if p.eat('}') {
		return out, p.end()
	}
	for {
		p.space()
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.eat(':') {
			return nil, errJSON
		}
		p.space()
		v, null, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if !null {
			out[k] = v
		}
		p.space()
		if p.eat('}') {
			return out, p.end()
		}
		if !p.eat(',') {
			return nil, errJSON
		}
	}
}

type jsonParser struct {
	b []byte
	i int
}

func (p *jsonParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonParser) end() error {
	p.space()
	if p.i != len(p.b) {
		return errJSON
	}
	return nil
}

func (p *jsonParser) scalar() (v string, null bool, err error) {
	if p.i >= len(p.b) {
		return "", false, errJSON
	}
	if p.b[p.i] == '"' {
		v, err = p.str()
		return v, false, err
	}
	start := p.i
	for p.i < len(p.b) && (p.b[p.i] >= 'a' && p.b[p.i] <= 'z' || p.b[p.i] >= '0' && p.b[p.i] <= '9' ||
		p.b[p.i] == '-' || p.b[p.i] == '+' || p.b[p.i] == '.' || p.b[p.i] == 'E') {
		p.i++
	}
	w := string(p.b[start:p.i])
	switch w {
	case "null":
		return "", true, nil
	case "true", "false":
		return w, false, nil
	}
	if _, err := strconv.ParseFloat(w, 64); err != nil || w == "" {
		return "", false, errJSON
	}
	return w, false, nil
}

// str reads a JSON string, escapes decoded.
func (p *jsonParser) str() (string, error) {
	if !p.eat('"') {
		return "", errJSON
	}
	var out []byte
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch {
		case c == '"':
			return string(out), nil
		case c < 0x20:
			return "", errJSON
		case c != '\\':
			out = append(out, c)
			continue
		}
		if p.i >= len(p.b) {
			return "", errJSON
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", errJSON
			}
			if r >= 0xd800 && r < 0xdc00 && p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
				p.i += 2
				lo, ok := p.hex4()
				if !ok {
					return "", errJSON
				}
				r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errJSON
		}
	}
	return "", errJSON
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}
