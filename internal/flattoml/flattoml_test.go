package flattoml

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// text is a TextUnmarshaler that refuses "bad".
type text struct{ s string }

func (t *text) UnmarshalText(b []byte) error {
	if string(b) == "bad" {
		return errors.New("bad text")
	}
	t.s = string(b)
	return nil
}

// conf has a field of every supported kind; the toml tags let BurntSushi
// decode the same file for the differential tests.
type conf struct {
	S  string   `toml:"s"`
	T  string   `toml:"t"`
	B  bool     `toml:"b"`
	OB *bool    `toml:"ob"`
	I  int      `toml:"i"`
	L  []string `toml:"l"`
	X  text     `toml:"x"`
}

func (c *conf) fields() []Field {
	return []Field{{"s", &c.S}, {"t", &c.T}, {"b", &c.B}, {"ob", &c.OB}, {"i", &c.I}, {"l", &c.L}, {"x", &c.X}}
}

func decode(s string) (conf, error) {
	var c conf
	err := Decode("c.toml", []byte(s), c.fields())
	return c, err
}

func ptr(b bool) *bool { return &b }

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want conf
	}{
		{name: "empty file", in: ""},
		{name: "comments and blank lines", in: "# hello\n\n   # indented\n\t\n"},
		{name: "basic string", in: `s = "vpn.example.com"`, want: conf{S: "vpn.example.com"}},
		{name: "escapes", in: `s = "a\"b\\c\nd\te\u00e9\U0001F600\b\f\r"`, want: conf{S: "a\"b\\c\nd\te\u00e9\U0001F600\b\f\r"}},
		{name: "domain user", in: `s = "DOMAIN\\alice"`, want: conf{S: `DOMAIN\alice`}},
		{name: "literal string", in: `s = 'C:\dir\x "q"'`, want: conf{S: `C:\dir\x "q"`}},
		{name: "empty strings", in: "s = \"\"\nt = ''", want: conf{}},
		{name: "tab and unicode inside", in: "s = \"a\tb ü\"", want: conf{S: "a\tb ü"}},
		{name: "comment after value", in: "s = \"x\" # the # is a comment\n", want: conf{S: "x"}},
		{name: "hash inside string", in: `s = "a#b"`, want: conf{S: "a#b"}},
		{name: "booleans", in: "b = true\nob = false", want: conf{B: true, OB: ptr(false)}},
		{name: "integers", in: "i = 1_400", want: conf{I: 1400}},
		{name: "negative", in: "i = -5", want: conf{I: -5}},
		{name: "plus", in: "i = +7", want: conf{I: 7}},
		{name: "zero", in: "i = 0", want: conf{I: 0}},
		{name: "minus zero", in: "i = -0", want: conf{I: 0}},
		{name: "array", in: `l = ["10.1.0.0/16", '192.168.0.0/24']`, want: conf{L: []string{"10.1.0.0/16", "192.168.0.0/24"}}},
		{name: "empty array", in: "l = []", want: conf{L: []string{}}},
		{name: "array over lines", in: "l = [\n  \"a\", # first\n  # between\n  \"b\",\n]\ns = \"after\"\n", want: conf{L: []string{"a", "b"}, S: "after"}},
		{name: "CRLF", in: "s = \"x\"\r\ni = 3\r\n", want: conf{S: "x", I: 3}},
		{name: "spaces around", in: "  s\t=\t\"x\"  \n", want: conf{S: "x"}},
		{name: "no newline at end", in: "i = 3", want: conf{I: 3}},
		{name: "text unmarshaler", in: `x = "10s"`, want: conf{X: text{"10s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			checkSameAsBurntSushi(t, tt.in, got)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "table", in: "s = \"a\"\n\n[server]\n", want: "c.toml:3: tables are not supported"},
		{name: "array of tables", in: "[[x]]", want: "c.toml:1: tables are not supported"},
		{name: "dotted key", in: "s.t = 1", want: "c.toml:1: dotted keys are not supported"},
		{name: "quoted key", in: `"s" = "x"`, want: "c.toml:1: quoted keys are not supported"},
		{name: "float", in: "i = 1.5", want: "c.toml:1: floats are not supported"},
		{name: "exponent", in: "i = 1e3", want: "c.toml:1: floats are not supported"},
		{name: "inf", in: "i = -inf", want: "c.toml:1: floats are not supported"},
		{name: "date", in: "i = 1979-05-27", want: "c.toml:1: dates and times are not supported"},
		{name: "date time", in: "i = 1979-05-27T07:32:00Z", want: "c.toml:1: dates and times are not supported"},
		{name: "time", in: "i = 07:32:00", want: "c.toml:1: dates and times are not supported"},
		{name: "hex", in: "i = 0x10", want: "c.toml:1: only decimal integers are supported"},
		{name: "inline table", in: "s = {a = 1}", want: "c.toml:1: inline tables are not supported"},
		{name: "multi-line string", in: "s = \"\"\"\nx\"\"\"", want: "c.toml:1: multi-line strings are not supported"},
		{name: "multi-line literal", in: "s = '''x'''", want: "c.toml:1: multi-line strings are not supported"},
		{name: "leading zero", in: "i = 0700", want: `c.toml:1: bad integer "0700"`},
		{name: "double underscore", in: "i = 1__0", want: `c.toml:1: bad integer "1__0"`},
		{name: "trailing underscore", in: "i = 10_", want: `c.toml:1: bad integer "10_"`},
		{name: "double sign", in: "i = +-1", want: `c.toml:1: bad integer "+-1"`},
		{name: "out of range", in: "i = 9223372036854775808", want: "c.toml:1: integer out of range"},
		{name: "duplicate", in: "s = \"a\"\ns = \"b\"", want: `c.toml:2: duplicate key "s"`},
		{name: "unknown", in: "s = \"a\"\n\nsevrer = \"b\"\n", want: `c.toml:3: unknown key "sevrer"`},
		{name: "want integer", in: "s = \"a\"\ni = \"big\"\n", want: "c.toml:2: i: want an integer"},
		{name: "want string", in: "s = 1", want: "c.toml:1: s: want a string"},
		{name: "want bool", in: `b = "yes"`, want: "c.toml:1: b: want true or false"},
		{name: "want optional bool", in: "ob = 1", want: "c.toml:1: ob: want true or false"},
		{name: "want array", in: `l = "a"`, want: "c.toml:1: l: want an array of strings"},
		{name: "array of ints", in: "l = [1, 2]", want: "c.toml:1: l: want an array of strings"},
		{name: "text wants string", in: "x = 1", want: "c.toml:1: x: want a string"},
		{name: "text unmarshal error", in: `x = "bad"`, want: "c.toml:1: x: bad text"},
		{name: "missing value", in: "s = \n", want: "c.toml:1: missing value"},
		{name: "missing value at end", in: "s =", want: "c.toml:1: missing value"},
		{name: "missing equals", in: "s \"x\"", want: "c.toml:1: want = after s"},
		{name: "text after value", in: `s = "a" "b"`, want: "c.toml:1: unexpected text after the value of s"},
		{name: "bad word", in: "b = yes", want: `c.toml:1: bad value "yes"`},
		{name: "capital True", in: "b = True", want: `c.toml:1: bad value "True"`},
		{name: "unterminated string", in: "s = \"abc\n", want: "c.toml:1: unterminated string"},
		{name: "unterminated at end", in: `s = "abc`, want: "c.toml:1: unterminated string"},
		{name: "unterminated literal", in: "s = 'abc", want: "c.toml:1: unterminated string"},
		{name: "bad escape", in: `s = "\x41"`, want: "c.toml:1: bad escape sequence in string"},
		{name: "surrogate escape", in: `s = "\ud800"`, want: "c.toml:1: bad unicode escape"},
		{name: "short unicode escape", in: `s = "\u00"`, want: "c.toml:1: bad unicode escape"},
		{name: "control char in string", in: "s = \"a\x01\"", want: "c.toml:1: control character in string"},
		{name: "DEL in literal", in: "s = 'a\x7f'", want: "c.toml:1: control character in string"},
		{name: "control char in comment", in: "# a\x00b\n", want: "c.toml:1: control character in comment"},
		{name: "bare CR", in: "s = \"a\"\rt = \"b\"", want: "c.toml:1: bare carriage return"},
		{name: "invalid UTF-8", in: "s = \"a\"\nt = \"\xff\"", want: "c.toml:2: invalid UTF-8"},
		{name: "nested array", in: "l = [[\"a\"]]", want: "c.toml:1: nested arrays are not supported"},
		{name: "unterminated array", in: "l = [\"a\",\n", want: "c.toml:2: unterminated array"},
		{name: "missing comma", in: "l = [\"a\" \"b\"]", want: "c.toml:1: want , or ] in array"},
		{name: "empty element", in: "l = [,]", want: `c.toml:1: bad value ""`},
		{name: "stray character", in: "= 1", want: `c.toml:1: unexpected '='`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "c.toml" {
				t.Errorf("not an *Error: %#v", err)
			}
		})
	}
}

// checkSameAsBurntSushi: what this parser accepts, BurntSushi/toml decodes
// to the same values with no key left over.
func checkSameAsBurntSushi(t *testing.T, in string, got conf) {
	t.Helper()
	var want conf
	md, err := toml.Decode(in, &want)
	if err != nil {
		t.Fatalf("accepted %q, BurntSushi says %v", in, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Fatalf("accepted %q, BurntSushi leaves %v undecoded", in, und)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: got %+v, BurntSushi %+v", in, got, want)
	}
}

// FuzzDecode: no panic on any input, and every accepted input means the
// same to BurntSushi/toml.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"s = \"a\"\ni = 1\n", "l = [\n'a', # c\n\"b\",\n]\n", "b = true\nob = false\n", `s = "\u00e9\"\\"`,
		"x = \"10s\"", "i = -1_000", "[t]\n", "s.t = 1", "i = 1e5", "s = '''x'''", "l = [1]", "i = 007",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := decode(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Line > strings.Count(in, "\n")+1 {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		checkSameAsBurntSushi(t, in, got)
	})
}

// FuzzRoundTrip: any values written in the subset are accepted, by this
// parser and by BurntSushi, with the same result.
func FuzzRoundTrip(f *testing.F) {
	f.Add("vpn.example.com", "DOMAIN\\alice", int64(1400), true, "10.0.0.0/8", "it's \"q\"", false)
	f.Add("", "\x00\x7f\t\n", int64(-1), false, "", "é\U0001F600", true)
	f.Fuzz(func(t *testing.T, s, s2 string, i int64, b bool, l1, l2 string, multiline bool) {
		if !utf8Valid(s, s2, l1, l2) || int64(int(i)) != i {
			t.Skip()
		}
		sep := ", "
		if multiline {
			sep = ",\n  # comment\n  "
		}
		in := "s = " + quote(s) + "\nt = " + literal(s2) + "\nb = " + strconv.FormatBool(b) +
			"\nob = " + strconv.FormatBool(!b) + "\ni = " + strconv.FormatInt(i, 10) +
			"\nl = [" + quote(l1) + sep + literal(l2) + sep + "]\n"
		got, err := decode(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		want := conf{S: s, T: s2, B: b, OB: ptr(!b), I: int(i), L: []string{l1, l2}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %+v, want %+v", in, got, want)
		}
		checkSameAsBurntSushi(t, in, got)
	})
}

func utf8Valid(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 && r != '\t' || r == 0x7f:
			b.WriteString(`\u00`)
			b.WriteString(strconv.FormatInt(int64(r)>>4, 16))
			b.WriteString(strconv.FormatInt(int64(r)&15, 16))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// literal writes s as a literal string when it can be one, else quoted.
func literal(s string) string {
	if literalOK(s) {
		return "'" + s + "'"
	}
	return quote(s)
}

func literalOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || isControl(s[i]) {
			return false
		}
	}
	return true
}
