package pkgfmt

import (
	"bytes"
	"encoding/hex"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// Golden encodings written from apk-tools doc/apk-v3.5 ("WIRE FORMAT",
// "BLOCKS") and src/adb.h, as little-endian hex.
func TestADBValues(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *adbWriter) uint32
		tag   uint32
		bytes string // the ADB payload after the 8-byte adb_hdr
	}{
		{"small int is inline", func(w *adbWriter) uint32 { return w.Int(0o755) }, 0x100001ed, ""},
		{"int 2^28 goes to an aligned INT_32", func(w *adbWriter) uint32 { w.b = append(w.b, 0xff); return w.Int(1 << 28) }, 0x2000000c, "ff000000" + "00000010"},
		{"int 2^32 is an INT_64", func(w *adbWriter) uint32 { return w.Int(1 << 32) }, 0x30000008, "0000000001000000"},
		{"empty blob is NULL", func(w *adbWriter) uint32 { return w.Blob(nil) }, 0, ""},
		{"blob8: 1-byte length", func(w *adbWriter) uint32 { return w.Str("root") }, 0x80000008, "04726f6f74"},
		{"blob16: 2-byte aligned length", func(w *adbWriter) uint32 { w.b = append(w.b, 1); return w.Blob(make([]byte, 256)) }, 0x9000000a, "0100" + "0001" + strings.Repeat("00", 256)},
		{"object drops trailing NULLs, slot 0 counts slots", func(w *adbWriter) uint32 { return w.Object(0x10000001, 0, 0x10000003, 0, 0) }, 0xe0000008, "04000000" + "01000010" + "00000000" + "03000010"},
		{"all-NULL object is NULL", func(w *adbWriter) uint32 { return w.Object(0, 0) }, 0, ""},
		{"array skips NULL items", func(w *adbWriter) uint32 { return w.Array([]uint32{0x10000001, 0, 0x10000002}) }, 0xd0000008, "03000000" + "01000010" + "02000010"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newADBWriter()
			if got := tc.write(w); got != tc.tag {
				t.Errorf("tag %08x, want %08x", got, tc.tag)
			}
			if got := hex.EncodeToString(w.b[8:]); got != tc.bytes {
				t.Errorf("payload\n got %s\nwant %s", got, tc.bytes)
			}
		})
	}
}

func TestAppendBlock(t *testing.T) {
	tests := []struct {
		name string
		typ  uint32
		data string
		want string
	}{
		// header word: type in bits 31-30, size including the 4-byte header
		{"ADB block padded to 8", adbBlockADB, "0000000011223344", "0c000000" + "0000000011223344" + "00000000"},
		{"DATA block, exact multiple of 8", adbBlockData, "01000000", "08000080" + "01000000"},
		{"SIG type bits", adbBlockSig, "aa", "05000040" + "aa" + "000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := hex.DecodeString(tc.data)
			if got := hex.EncodeToString(appendBlock(nil, tc.typ, d)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAPKFileHeader(t *testing.T) {
	m := Meta{Name: "x", Version: "1-r0", Arch: "noarch", MTime: time.Unix(0, 0)}
	b, err := APKUncompressed(m, []Entry{{Path: "etc/x", Mode: 0o644, Data: []byte("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	// "ADB." magic, "pckg" schema, then the ADB block's header word (type 0)
	if !bytes.HasPrefix(b, []byte("ADB.pckg")) || b[11]>>6 != adbBlockADB {
		t.Errorf("header %x", b[:12])
	}
	// the adb_hdr: compat version 0, version 0
	if b[12] != 0 || b[13] != 0 {
		t.Errorf("adb_hdr %x", b[12:20])
	}
	// a DATA block: path 2 ("etc"), file 1, "hi", padded; then the one of
	// lib/apk/packages/x.list
	if !strings.Contains(hex.EncodeToString(b), "0e000080"+"02000000"+"01000000"+"6869"+"0000") {
		t.Errorf("no DATA block for etc/x in %x", b)
	}
	if !bytes.HasSuffix(b, []byte("/etc/x\n\x00\x00\x00\x00\x00")) {
		t.Errorf("last DATA block is not x.list: %q", b[len(b)-40:])
	}
}

func TestNormalize(t *testing.T) {
	es, err := normalize([]Entry{{Path: "/usr/sbin/x", Mode: 0o755}, {Path: "etc/y", Mode: 0o600}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Path+":"+e.Mode.String())
	}
	want := "etc:drwxr-xr-x etc/y:-rw------- usr:drwxr-xr-x usr/sbin:drwxr-xr-x usr/sbin/x:-rwxr-xr-x"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s", strings.Join(got, " "))
	}
	for _, bad := range []string{"", "/", "a/../b", "../x", "a//b"} {
		if _, err := normalize([]Entry{{Path: bad, Mode: fs.ModeDir}}); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
}

func TestValidVersion(t *testing.T) {
	tests := []struct {
		v  string
		ok bool
	}{
		{"0.1.0-r1", true}, {"1.2.3a-r0", true}, {"1.2_rc1-r2", true}, {"2024.01.01-r1", true},
		{"1.2.3", false}, {"v1.2-r1", false}, {"1.2-dirty-r1", false}, {"1..2-r1", false},
		{"1.2_foo-r1", false}, {"abc123-r1", false}, {"-r1", false},
	}
	for _, tc := range tests {
		if got := ValidVersion(tc.v); got != tc.ok {
			t.Errorf("ValidVersion(%q) = %v", tc.v, got)
		}
	}
}

// TestADBDedup: apk mkpkg (adb_w_data) writes identical values once when an
// earlier copy is suitably aligned.
func TestADBDedup(t *testing.T) {
	w := newADBWriter()
	a, b := w.Str("root"), w.Str("root")
	if a != b {
		t.Errorf("\"root\" written twice: %08x %08x", a, b)
	}
	acl1 := w.Object(w.Int(0o644), w.Str("root"), w.Str("root"))
	acl2 := w.Object(w.Int(0o644), w.Str("root"), w.Str("root"))
	if acl1 != acl2 {
		t.Errorf("identical objects written twice: %08x %08x", acl1, acl2)
	}
	if acl3 := w.Object(w.Int(0o755), w.Str("root"), w.Str("root")); acl3 == acl1 {
		t.Error("different objects share an offset")
	}
	if strings.Count(string(w.b), "root") != 1 {
		t.Errorf("payload holds \"root\" %d times", strings.Count(string(w.b), "root"))
	}
	// the same 4 bytes as a blob8 at an odd offset cannot serve as an int32
	w = newADBWriter()
	w.b = append(w.b, 0)
	w.Blob([]byte{0, 0, 0x10}) // bytes 03 00 00 10 at offset 9
	if v := w.Int(0x10000003); v&adbValueMask%4 != 0 {
		t.Errorf("int32 reused at misaligned offset %d", v&adbValueMask)
	}
}
