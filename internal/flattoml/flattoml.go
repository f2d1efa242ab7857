// Package flattoml reads a flat TOML file (https://toml.io/en/v1.0.0) into
// fields named by a table, strictly and without reflection. It replaces
// github.com/BurntSushi/toml in the router binary (about 262 KB of mipsle).
//
// The subset: `key = value` lines with bare keys; basic "strings" (escapes
// \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX), 'literal strings', decimal
// integers (sign, '_' between digits, no leading zeros), true and false,
// arrays of strings (over several lines, trailing comma allowed), # comments
// and blank lines. Anything else is an error naming the file and line: tables,
// dotted or quoted keys, floats, dates, inline tables, multi-line strings,
// duplicate or unknown keys, and values of the wrong type.
package flattoml

import (
	"encoding"
	"strconv"
	"unicode/utf8"
)

// Field binds a key to its destination: *string, *bool, **bool (set when
// present), *int, *[]string, or an encoding.TextUnmarshaler fed a string.
type Field struct {
	Key string
	Ptr any
}

// Error is a problem at a line of the file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg }

// Decode parses data, the contents of the file called name, into fields.
// On error some fields may already be set.
func Decode(name string, data []byte, fields []Field) error {
	p := &parser{name: name, s: string(data), line: 1}
	if !utf8.Valid(data) {
		return p.badUTF8()
	}
	seen := make(map[string]bool)
	for p.pos < len(p.s) {
		if err := p.statement(fields, seen); err != nil {
			return err
		}
	}
	return nil
}

// statement reads one line: blank, a comment, or key = value.
func (p *parser) statement(fields []Field, seen map[string]bool) error {
	p.skipSpace()
	c := p.peek()
	switch {
	case c == '\n' || c == '\r' || c == '#' || p.pos == len(p.s):
		return p.endLine()
	case c == '[':
		return p.errorf("tables are not supported")
	case c == '"' || c == '\'':
		return p.errorf("quoted keys are not supported")
	case !isBare(c):
		return p.errorf("unexpected " + strconv.QuoteRune(p.rune()))
	}
	key, line := p.bareKey(), p.line
	p.skipSpace()
	switch p.peek() {
	case '.':
		return p.errorf("dotted keys are not supported")
	case '=':
		p.pos++
	default:
		return p.errorf("want = after " + key)
	}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return err
	}
	p.skipSpace()
	if c := p.peek(); c != '\n' && c != '\r' && c != '#' && p.pos < len(p.s) {
		return p.errorf("unexpected text after the value of " + key)
	}
	if err := p.endLine(); err != nil {
		return err
	}
	return p.set(fields, seen, key, line, v)
}

// set stores v in the field named key, checking its type.
func (p *parser) set(fields []Field, seen map[string]bool, key string, line int, v value) error {
	if seen[key] {
		return p.errorAt(line, "duplicate key "+strconv.Quote(key))
	}
	seen[key] = true
	for _, f := range fields {
		if f.Key == key {
			if msg := assign(f.Ptr, v); msg != "" {
				return p.errorAt(line, key+": "+msg)
			}
			return nil
		}
	}
	return p.errorAt(line, "unknown key "+strconv.Quote(key))
}

// assign returns what is wrong, or "".
func assign(ptr any, v value) string {
	switch d := ptr.(type) {
	case *string:
		if v.kind != kindString {
			return "want a string"
		}
		*d = v.str
	case *bool:
		if v.kind != kindBool {
			return "want true or false"
		}
		*d = v.b
	case **bool:
		if v.kind != kindBool {
			return "want true or false"
		}
		b := v.b
		*d = &b
	case *int:
		if v.kind != kindInt {
			return "want an integer"
		}
		if int64(int(v.n)) != v.n {
			return "integer out of range"
		}
		*d = int(v.n)
	case *[]string:
		return assignList(d, v)
	case encoding.TextUnmarshaler:
		if v.kind != kindString {
			return "want a string"
		}
		if err := d.UnmarshalText([]byte(v.str)); err != nil {
			return err.Error()
		}
	default:
		return "unsupported field type"
	}
	return ""
}

func assignList(d *[]string, v value) string {
	if v.kind != kindArray {
		return "want an array of strings"
	}
	l := make([]string, 0, len(v.list))
	for _, e := range v.list {
		if e.kind != kindString {
			return "want an array of strings"
		}
		l = append(l, e.str)
	}
	*d = l
	return ""
}
