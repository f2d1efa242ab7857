package flattoml

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type kind uint8

const (
	kindString kind = iota + 1
	kindInt
	kindBool
	kindArray
)

// value is one parsed TOML value of the subset.
type value struct {
	kind kind
	str  string
	n    int64
	b    bool
	list []value
}

type parser struct {
	name string
	s    string
	pos  int
	line int
}

func (p *parser) errorAt(line int, msg string) error {
	return &Error{File: p.name, Line: line, Msg: msg}
}

func (p *parser) errorf(msg string) error { return p.errorAt(p.line, msg) }

// badUTF8 names the line of the first invalid byte (TOML files are UTF-8).
func (p *parser) badUTF8() error {
	for i := 0; i < len(p.s); {
		r, n := utf8.DecodeRuneInString(p.s[i:])
		if r == utf8.RuneError && n == 1 {
			return p.errorAt(1+strings.Count(p.s[:i], "\n"), "invalid UTF-8")
		}
		i += n
	}
	return p.errorf("invalid UTF-8")
}

// peek is the next byte, 0 at the end.
func (p *parser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *parser) rune() rune {
	r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
	return r
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func isBare(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

func (p *parser) bareKey() string {
	start := p.pos
	for p.pos < len(p.s) && isBare(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// isControl: TOML allows no control character but tab in comments and strings.
func isControl(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }

// endLine consumes an optional comment and the newline (LF or CRLF) or the end.
func (p *parser) endLine() error {
	if p.peek() == '#' {
		for p.pos < len(p.s) && p.s[p.pos] != '\n' && p.s[p.pos] != '\r' {
			if isControl(p.s[p.pos]) {
				return p.errorf("control character in comment")
			}
			p.pos++
		}
	}
	switch {
	case p.pos == len(p.s):
		return nil
	case p.s[p.pos] == '\n':
		p.pos++
	case strings.HasPrefix(p.s[p.pos:], "\r\n"):
		p.pos += 2
	default:
		return p.errorf("bare carriage return")
	}
	p.line++
	return nil
}

// skipBlank skips spaces, comments and newlines inside an array.
func (p *parser) skipBlank() error {
	for {
		p.skipSpace()
		switch p.peek() {
		case '#', '\n', '\r':
			if err := p.endLine(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// value reads the value after '='.
func (p *parser) value() (value, error) {
	switch c := p.peek(); {
	case strings.HasPrefix(p.s[p.pos:], `"""`) || strings.HasPrefix(p.s[p.pos:], `'''`):
		return value{}, p.errorf("multi-line strings are not supported")
	case c == '"':
		return p.basicString()
	case c == '\'':
		return p.literalString()
	case c == '[':
		return p.array()
	case c == '{':
		return value{}, p.errorf("inline tables are not supported")
	case c == 0 && p.pos == len(p.s), c == '\n', c == '\r', c == '#':
		return value{}, p.errorf("missing value")
	}
	return p.scalar()
}

// token is the run of characters up to a delimiter.
func (p *parser) token() string {
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(" \t\r\n#,]", rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// scalar reads true, false or a decimal integer; it names the
// unsupported types it recognises.
func (p *parser) scalar() (value, error) {
	t := p.token()
	switch t {
	case "true", "false":
		return value{kind: kindBool, b: t == "true"}, nil
	}
	body := strings.TrimLeft(t, "+-")
	switch {
	case body == "inf" || body == "nan":
		return value{}, p.errorf("floats are not supported")
	case strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0o") || strings.HasPrefix(body, "0b"):
		return value{}, p.errorf("only decimal integers are supported")
	case body == "" || body[0] < '0' || body[0] > '9':
		return value{}, p.errorf("bad value " + strconv.Quote(t))
	case strings.ContainsAny(body, "-:"):
		return value{}, p.errorf("dates and times are not supported")
	case strings.ContainsAny(body, ".eE"):
		return value{}, p.errorf("floats are not supported")
	}
	return p.integer(t)
}

// integer checks TOML's rules: '_' only between digits, no leading zero.
func (p *parser) integer(t string) (value, error) {
	digits := strings.TrimPrefix(strings.TrimPrefix(t, "+"), "-")
	if len(digits) < len(t)-1 || !validDigits(digits) {
		return value{}, p.errorf("bad integer " + strconv.Quote(t))
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64)
	if err != nil {
		return value{}, p.errorf("integer out of range")
	}
	return value{kind: kindInt, n: n}, nil
}

func validDigits(d string) bool {
	if d == "" || len(d) > 1 && d[0] == '0' {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c == '_' {
			if i == 0 || i == len(d)-1 || d[i-1] == '_' {
				return false
			}
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// array reads [ "a", 'b', ] over one or more lines.
func (p *parser) array() (value, error) {
	p.pos++ // '['
	v := value{kind: kindArray}
	for {
		if err := p.skipBlank(); err != nil {
			return value{}, err
		}
		switch p.peek() {
		case ']':
			p.pos++
			return v, nil
		case '[':
			return value{}, p.errorf("nested arrays are not supported")
		}
		if p.pos == len(p.s) {
			return value{}, p.errorf("unterminated array")
		}
		e, err := p.value()
		if err != nil {
			return value{}, err
		}
		v.list = append(v.list, e)
		if err := p.skipBlank(); err != nil {
			return value{}, err
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
		default:
			return value{}, p.errorf("want , or ] in array")
		}
	}
}
