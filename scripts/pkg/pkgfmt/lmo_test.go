package pkgfmt

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"testing"
)

// Values computed with luci-base's lmo.c (sfh_hash(s, len, len)).
func TestSFHHash(t *testing.T) {
	for s, want := range lmoGoldenHashes {
		if got := sfhHash([]byte(s)); got != want {
			t.Errorf("sfhHash(%q) = %08x, want %08x", s, got, want)
		}
	}
}

// TestLMOMatchesPo2lmo: a copy of the German catalog (testdata/de.po)
// compiles to the same bytes as luci-base's po2lmo makes of it (SHA-256 of
// its output recorded below).
func TestLMOMatchesPo2lmo(t *testing.T) {
	po, err := os.ReadFile("testdata/de.po")
	if err != nil {
		t.Fatal(err)
	}
	b, err := LMO(po)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != po2lmoDE {
		t.Errorf("sstpgo.de.lmo: %d bytes, sha256 %s; po2lmo made %s", len(b), got, po2lmoDE)
	}
	// the trailer points at the index, 16 bytes an entry
	if off := binary.BigEndian.Uint32(b[len(b)-4:]); (len(b)-4-int(off))%16 != 0 {
		t.Errorf("index offset %d in %d bytes", off, len(b))
	}
}

func TestLMOForms(t *testing.T) {
	po := []byte(`msgid ""
msgstr ""
"Plural-Forms: nplurals=2; plural=n != 1;\n"

# a comment
msgid "Same"
msgstr "Same"

msgid "Untranslated"
msgstr ""

msgctxt "ctx"
msgid "A \"quoted\" \\ word"
msgstr "Ein \"zitiertes\" \\ Wort"

msgid "one file"
msgid_plural "%d files"
msgstr[0] "eine Datei"
msgstr[1] "%d Dateien"
`)
	b, err := LMO(po)
	if err != nil {
		t.Fatal(err)
	}
	off := binary.BigEndian.Uint32(b[len(b)-4:])
	idx := b[off : len(b)-4]
	keys := map[uint32]string{}
	for ; len(idx) >= 16; idx = idx[16:] {
		k, o, n := binary.BigEndian.Uint32(idx), binary.BigEndian.Uint32(idx[8:]), binary.BigEndian.Uint32(idx[12:])
		keys[k] = string(b[o : o+n])
	}
	want := map[uint32]string{
		0: "nplurals=2; plural=n != 1;",
		sfhHash([]byte("ctx\x01A \"quoted\" \\ word")): "Ein \"zitiertes\" \\ Wort",
		sfhHash([]byte("one file\x020")):               "eine Datei",
		sfhHash([]byte("one file\x021")):               "%d Dateien",
	}
	if len(keys) != len(want) {
		t.Errorf("entries %v", keys)
	}
	for k, v := range want {
		if keys[k] != v {
			t.Errorf("key %08x = %q, want %q", k, keys[k], v)
		}
	}
	// po2lmo's output for the same .po
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != "ac92b88d36fb46ae44cf156c9238d9248f42a6b654ecdc3222b3960ec8d3480a" {
		t.Errorf("differs from po2lmo's output: %x", b)
	}
	if b, _ := LMO([]byte("msgid \"x\"\nmsgstr \"\"\n")); b != nil {
		t.Errorf("nothing translated gives %q, want no catalog", b)
	}
}

var lmoGoldenHashes = map[string]uint32{
	"a": 0x115ea782, "ab": 0x516b8b44, "abc": 0xd2be198a, "abcd": 0xdad8b8db, "SSTP": 0x3b48cbfc,
	"Password": 0x8f9289a4, "Show certificate…": 0x8a385aa6, "Ünïcödé ÿ": 0xa045f9f6,
	"Trust this certificate": 0xa7714759, "0123456789abcdefXYZ": 0x07e1e465,
}

// po2lmoDE is the SHA-256 of luci-base's po2lmo output for testdata/de.po.
const po2lmoDE = "6c8a3efcea22eb7c20a54813913ad6c4bb931d654588a659cecabfe85a9bb94b"
