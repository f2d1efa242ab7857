package flattoml

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// basicString reads "..." with TOML's escapes (toml.io v1.0.0, String).
func (p *parser) basicString() (value, error) {
	p.pos++ // '"'
	var b strings.Builder
	start, escaped := p.pos, false
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			str := p.s[start:p.pos]
			if escaped {
				b.WriteString(str)
				str = b.String()
			}
			p.pos++
			return value{kind: kindString, str: str}, nil
		case c == '\\':
			b.WriteString(p.s[start:p.pos])
			if err := p.escape(&b); err != nil {
				return value{}, err
			}
			start, escaped = p.pos, true
			continue
		case c == '\n' || c == '\r':
			return value{}, p.errorf("unterminated string")
		case isControl(c):
			return value{}, p.errorf("control character in string")
		}
		p.pos++
	}
	return value{}, p.errorf("unterminated string")
}

// escape decodes one escape sequence at p.pos ('\\') into b.
func (p *parser) escape(b *strings.Builder) error {
	if p.pos+1 >= len(p.s) {
		return p.errorf("unterminated string")
	}
	c := p.s[p.pos+1]
	p.pos += 2
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case '"', '\\':
		b.WriteByte(c)
	case 'u':
		return p.unicodeEscape(b, 4)
	case 'U':
		return p.unicodeEscape(b, 8)
	default:
		return p.errorf("bad escape sequence in string")
	}
	return nil
}

// unicodeEscape reads n hex digits naming a Unicode scalar value.
func (p *parser) unicodeEscape(b *strings.Builder, n int) error {
	if p.pos+n > len(p.s) {
		return p.errorf("bad unicode escape")
	}
	h := p.s[p.pos : p.pos+n]
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return p.errorf("bad unicode escape")
	}
	p.pos += n
	b.WriteRune(rune(v))
	return nil
}

// literalString reads '...': no escapes, no control characters but tab.
func (p *parser) literalString() (value, error) {
	p.pos++ // '\''
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '\'':
			p.pos++
			return value{kind: kindString, str: p.s[start : p.pos-1]}, nil
		case c == '\n' || c == '\r':
			return value{}, p.errorf("unterminated string")
		case isControl(c):
			return value{}, p.errorf("control character in string")
		}
		p.pos++
	}
	return value{}, p.errorf("unterminated string")
}
