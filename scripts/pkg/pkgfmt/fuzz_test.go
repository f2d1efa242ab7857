package pkgfmt

import (
	"encoding/binary"
	"strings"
	"testing"
)

// FuzzValidVersion: never panics, and what it accepts has the -rN release
// apk and opkg both need and contains no byte outside the version alphabet.
func FuzzValidVersion(f *testing.F) {
	for _, s := range []string{"0.1.0-r1", "1.2_rc1-r2", "1.2.3a-r0", "-r", "1-r", "_-r1", "1.2-r1-r2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !ValidVersion(v) {
			return
		}
		i := strings.LastIndex(v, "-r")
		if i < 1 || !digits(v[i+2:]) {
			t.Errorf("accepted %q without a -rN release", v)
		}
		for _, c := range v {
			if !strings.ContainsRune("0123456789.abcdefghijklmnopqrstuvwxyz_-", c) {
				t.Errorf("accepted %q with %q", v, c)
			}
		}
	})
}

// FuzzLMO: no .po text makes the catalog compiler panic, and what it writes
// ends in an index offset that lies inside the output.
func FuzzLMO(f *testing.F) {
	f.Add([]byte("msgid \"a\"\nmsgstr \"b\"\n"))
	f.Add([]byte("msgctxt \"c\"\nmsgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\nmsgstr[9] \"\\\"\"\n"))
	f.Fuzz(func(t *testing.T, po []byte) {
		b, err := LMO(po)
		if err != nil || b == nil {
			return
		}
		if len(b) < 4 || int(binary.BigEndian.Uint32(b[len(b)-4:])) > len(b)-4 {
			t.Fatalf("bad catalog %x", b)
		}
	})
}
