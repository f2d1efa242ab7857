package openwrt_test

import (
	"archive/tar"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/scripts/pkg/pkgfmt"
)

// tarMember is one member of a tar archive as read back.
type tarMember struct {
	hdr  *tar.Header
	data []byte
}

func readTarGz(t *testing.T, b []byte) []tarMember {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	tr := tar.NewReader(zr)
	var ms []tarMember
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return ms
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		d, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, tarMember{h, d})
	}
}

func member(ms []tarMember, name string) *tarMember {
	for i := range ms {
		if ms[i].hdr.Name == name {
			return &ms[i]
		}
	}
	return nil
}

// controlFields parses an opkg control file ("Key: value", continuation
// lines start with a space).
func controlFields(s string) map[string]string {
	f := map[string]string{}
	var last string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.HasPrefix(l, " ") {
			f[last] += "\n" + l[1:]
			continue
		}
		k, v, _ := strings.Cut(l, ": ")
		f[k], last = v, k
	}
	return f
}

var stubBinary = []byte("\x7fELF stand-in for sstpgo")

var testMTime = time.Unix(1700000000, 0)

func buildPackages(t *testing.T, format, arch string, bin []byte) (sstpgo, luci []byte) {
	t.Helper()
	m, es, err := pkgfmt.Sstpgo(".", bin, "1.2.3-r4", arch, testMTime)
	if err != nil {
		t.Fatal(err)
	}
	luciArch := map[string]string{"ipk": "all", "apk": "noarch"}[format]
	lm, les, err := pkgfmt.Luci(".", "1.2.3-r4", luciArch, testMTime)
	if err != nil {
		t.Fatal(err)
	}
	build := pkgfmt.IPK
	if format == "apk" {
		build = pkgfmt.APK
	}
	if sstpgo, err = build(m, es); err != nil {
		t.Fatal(err)
	}
	if luci, err = build(lm, les); err != nil {
		t.Fatal(err)
	}
	return sstpgo, luci
}

// wantFile is a file a package must ship, with its mode and source.
type wantFile struct {
	path string
	mode int64
	src  string // file in the repository with the same contents, "" for the binary
}

var sstpgoFiles = []wantFile{
	{"etc/sstpgo/sstpgo.toml.example", 0o644, "files/etc/sstpgo/sstpgo.toml.example"},
	{"lib/netifd/proto/sstp.sh", 0o755, "files/lib/netifd/proto/sstp.sh"},
	{"lib/netifd/sstpgo-down", 0o755, "files/lib/netifd/sstpgo-down"},
	{"lib/netifd/sstpgo-split-dns", 0o755, "files/lib/netifd/sstpgo-split-dns"},
	{"lib/netifd/sstpgo-up", 0o755, "files/lib/netifd/sstpgo-up"},
	{"lib/upgrade/keep.d/sstpgo", 0o644, "files/lib/upgrade/keep.d/sstpgo"},
	{"usr/sbin/sstpgo", 0o755, ""},
}

var luciFiles = []wantFile{
	{"usr/libexec/rpcd/luci.sstpgo", 0o755, luciRPCD},
	{"usr/share/rpcd/acl.d/luci-proto-sstpgo.json", 0o644, luciACL},
	{"www/luci-static/resources/protocol/sstp.js", 0o644, luciView},
}

func checkFile(t *testing.T, w wantFile, mode int64, data, bin []byte) {
	t.Helper()
	if mode != w.mode {
		t.Errorf("%s: mode %o, want %o", w.path, mode, w.mode)
	}
	want := bin
	if w.src != "" {
		var err error
		if want, err = os.ReadFile(w.src); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(data, want) {
		t.Errorf("%s: contents differ from %s", w.path, w.src)
	}
}

// checkNoSecrets: nothing under /var, no password or key files.
func checkNoSecrets(t *testing.T, paths []string) {
	t.Helper()
	for _, p := range paths {
		if strings.HasPrefix(p, "var/") || strings.HasSuffix(p, ".pass") || strings.Contains(p, "password") ||
			strings.HasSuffix(p, ".key") {
			t.Errorf("package ships %s", p)
		}
	}
}

// checkScript syntax-checks a maintainer script with busybox ash -n.
func checkScript(t *testing.T, name string, s []byte) {
	t.Helper()
	if !bytes.HasPrefix(s, []byte("#!/bin/sh\n")) {
		t.Errorf("%s does not start with #!/bin/sh", name)
	}
	if _, err := exec.LookPath("busybox"); err != nil {
		return
	}
	cmd := exec.Command("busybox", "ash", "-n")
	cmd.Stdin = bytes.NewReader(s)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: %v\n%s", name, err, out)
	}
}

// openIPK checks the outer layout and returns control fields, control
// members and data members.
func openIPK(t *testing.T, b []byte) (map[string]string, []tarMember, []tarMember) {
	t.Helper()
	outer := readTarGz(t, b)
	var names []string
	for _, m := range outer {
		names = append(names, m.hdr.Name)
		if m.hdr.Uid != 0 || m.hdr.Gid != 0 || m.hdr.Uname != "root" || m.hdr.Gname != "root" {
			t.Errorf("%s owned by %d:%d %s:%s", m.hdr.Name, m.hdr.Uid, m.hdr.Gid, m.hdr.Uname, m.hdr.Gname)
		}
	}
	if !slices.Equal(names, []string{"./debian-binary", "./data.tar.gz", "./control.tar.gz"}) {
		t.Fatalf("ipk members %q", names)
	}
	if string(outer[0].data) != "2.0\n" {
		t.Errorf("debian-binary %q", outer[0].data)
	}
	data := readTarGz(t, outer[1].data)
	control := readTarGz(t, outer[2].data)
	for _, ms := range [][]tarMember{data, control} {
		for _, m := range ms {
			if m.hdr.Uid != 0 || m.hdr.Gid != 0 || m.hdr.Uname != "root" || m.hdr.Gname != "root" {
				t.Errorf("%s owned by %d:%d", m.hdr.Name, m.hdr.Uid, m.hdr.Gid)
			}
			if !m.hdr.ModTime.Equal(testMTime) {
				t.Errorf("%s mtime %v", m.hdr.Name, m.hdr.ModTime)
			}
		}
	}
	c := member(control, "./control")
	if c == nil {
		t.Fatal("no ./control")
	}
	return controlFields(string(c.data)), control, data
}

func TestIPK(t *testing.T) {
	pkg, luci := buildPackages(t, "ipk", "mipsel_24kc", stubBinary)
	again, _ := buildPackages(t, "ipk", "mipsel_24kc", stubBinary)
	if !bytes.Equal(pkg, again) {
		t.Error("two builds differ: not reproducible")
	}

	f, control, data := openIPK(t, pkg)
	want := map[string]string{
		"Package": "sstpgo", "Version": "1.2.3-r4", "Architecture": "mipsel_24kc",
		"Depends": "libc, kmod-tun, ca-bundle, resolveip", "Conflicts": "sstp-client", "Section": "net",
		"License": "MIT", "Source": "feeds/packages/net/sstpgo", "SourceName": "sstpgo",
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("control %s = %q, want %q", k, f[k], v)
		}
	}
	var size int
	var paths []string
	for _, m := range data {
		paths = append(paths, strings.TrimPrefix(strings.TrimSuffix(m.hdr.Name, "/"), "./"))
		size += len(m.data)
	}
	if f["Installed-Size"] != fmt.Sprint(size) {
		t.Errorf("Installed-Size %s, files add up to %d", f["Installed-Size"], size)
	}
	if f["Description"] == "" {
		t.Error("no Description")
	}
	for _, w := range sstpgoFiles {
		m := member(data, "./"+w.path)
		if m == nil {
			t.Errorf("missing %s", w.path)
			continue
		}
		checkFile(t, w, m.hdr.Mode, m.data, stubBinary)
	}
	checkNoSecrets(t, paths)
	// the handler is code: an upgrade replaces it
	cf := member(control, "./conffiles")
	if cf == nil || string(cf.data) != "/etc/sstpgo/sstpgo.toml.example\n" {
		t.Errorf("conffiles %q", cf.data)
	}
	if kd := member(data, "./lib/upgrade/keep.d/sstpgo"); kd == nil || string(kd.data) != "/etc/sstpgo/\n" {
		t.Error("/etc/sstpgo/ is not kept across sysupgrade")
	}
	// package-pack.mk's wrappers, then the package's own scripts
	for s, want := range map[string]string{"./postinst": "default_postinst $0 $@", "./prerm": "default_prerm $0 $@",
		"./postinst-pkg": "network restart", "./prerm-pkg": "ifdown"} {
		m := member(control, s)
		if m == nil || m.hdr.Mode != 0o755 {
			t.Errorf("%s missing or not 0755", s)
			continue
		}
		if !strings.Contains(string(m.data), want) {
			t.Errorf("%s lacks %q:\n%s", s, want, m.data)
		}
		checkScript(t, s, m.data)
	}

	if !strings.Contains(f["Maintainer"], "@") {
		t.Errorf("Maintainer %q has no address", f["Maintainer"])
	}
	lf, lcontrol, ldata := openIPK(t, luci)
	if lf["Package"] != "luci-proto-sstpgo" || lf["Architecture"] != "all" || lf["Depends"] != "luci-base, sstpgo" {
		t.Errorf("luci control %v", lf)
	}
	for _, w := range luciFiles {
		m := member(ldata, "./"+w.path)
		if m == nil {
			t.Fatalf("luci package lacks %s", w.path)
		}
		checkFile(t, w, m.hdr.Mode, m.data, nil)
	}
	if m := member(lcontrol, "./postinst"); m != nil {
		checkScript(t, "luci postinst", m.data)
	}
}

// ---- apk v3, read back from the format description (apk-tools doc/apk-v3.5
// and src/apk_adb.h), independently of the writer.

type adb struct {
	t *testing.T
	b []byte // the ADB block payload; value offsets count from its start
}

func (a adb) u32(off uint32) uint32 {
	if int(off)+4 > len(a.b) {
		a.t.Fatalf("offset %d out of the ADB block (%d bytes)", off, len(a.b))
	}
	return binary.LittleEndian.Uint32(a.b[off:])
}

// slots returns an object's or array's slots; slots[0] is the count.
func (a adb) slots(v uint32) []uint32 {
	if v == 0 {
		return []uint32{1}
	}
	if typ := v & 0xf0000000; typ != 0xd0000000 && typ != 0xe0000000 {
		a.t.Fatalf("value %08x is not an object or array", v)
	}
	off := v & 0x0fffffff
	if off%4 != 0 {
		a.t.Errorf("object at %d not 4-aligned", off)
	}
	n := a.u32(off)
	if n == 0 {
		a.t.Fatalf("object at %d has no count slot", off)
	}
	s := make([]uint32, n)
	for i := range s {
		s[i] = a.u32(off + uint32(4*i))
	}
	return s
}

func (a adb) field(v uint32, i int) uint32 {
	s := a.slots(v)
	if i >= len(s) {
		return 0
	}
	return s[i]
}

func (a adb) blob(v uint32) []byte {
	off := v & 0x0fffffff
	var n, hdr uint32
	switch v & 0xf0000000 {
	case 0:
		if v != 0 {
			a.t.Fatalf("special value %08x where a blob was expected", v)
		}
		return nil
	case 0x80000000:
		if int(off) >= len(a.b) {
			a.t.Fatalf("blob8 at %d out of range", off)
		}
		n, hdr = uint32(a.b[off]), 1
	case 0x90000000:
		if off%2 != 0 || int(off)+2 > len(a.b) {
			a.t.Fatalf("blob16 at %d misaligned or out of range", off)
		}
		n, hdr = uint32(binary.LittleEndian.Uint16(a.b[off:])), 2
	case 0xa0000000:
		if off%4 != 0 {
			a.t.Fatalf("blob32 at %d misaligned", off)
		}
		n, hdr = a.u32(off), 4
	default:
		a.t.Fatalf("value %08x is not a blob", v)
	}
	if int(off+hdr+n) > len(a.b) {
		a.t.Fatalf("blob at %d runs past the block", off)
	}
	return a.b[off+hdr : off+hdr+n]
}

func (a adb) str(v uint32) string { return string(a.blob(v)) }

func (a adb) int(v uint32) uint64 {
	switch v & 0xf0000000 {
	case 0x10000000:
		return uint64(v & 0x0fffffff)
	case 0x20000000:
		return uint64(a.u32(v & 0x0fffffff))
	case 0x30000000:
		off := v & 0x0fffffff
		return uint64(a.u32(off)) | uint64(a.u32(off+4))<<32
	case 0:
		return 0
	}
	a.t.Fatalf("value %08x is not an int", v)
	return 0
}

type apkBlock struct {
	typ     uint32
	payload []byte
}

// openAPK undoes the "ADBd" deflate layer, checks the file header and the
// block framing (4-byte header: type<<30 | size incl. header; zero padding
// to 8 bytes) and returns the blocks.
func openAPK(t *testing.T, b []byte) []apkBlock {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("ADBd")) {
		t.Fatalf("apk starts %q, want ADBd (deflate)", b[:min(4, len(b))])
	}
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(b[4:])))
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	// struct adb_file_header { magic "ADB."; schema "pckg" } little-endian
	if !bytes.HasPrefix(raw, []byte("ADB.pckg")) {
		t.Fatalf("file header %q", raw[:min(8, len(raw))])
	}
	var blocks []apkBlock
	for p := raw[8:]; len(p) > 0; {
		if len(p) < 4 {
			t.Fatalf("%d trailing bytes", len(p))
		}
		w := binary.LittleEndian.Uint32(p)
		typ, size := w>>30, int(w&0x3fffffff)
		if size < 4 || size > len(p) {
			t.Fatalf("block size %d with %d bytes left", size, len(p))
		}
		padded := (size + 7) &^ 7
		if padded > len(p) {
			t.Fatalf("block padding runs past the end")
		}
		if !bytes.Equal(p[size:padded], make([]byte, padded-size)) {
			t.Errorf("non-zero block padding")
		}
		blocks = append(blocks, apkBlock{typ, p[4:size]})
		p = p[padded:]
	}
	if len(blocks) == 0 || blocks[0].typ != 0 {
		t.Fatal("first block is not an ADB block")
	}
	for _, bl := range blocks[1:] {
		if bl.typ != 2 {
			t.Errorf("block type %d after the ADB block, want DATA (2); no signature expected", bl.typ)
		}
	}
	return blocks
}

type apkFile struct {
	path   string
	mode   uint64
	size   uint64
	hash   []byte
	pi, fi int
}

// walkAPK reads the package object: info fields, dependencies, paths.
func walkAPK(t *testing.T, blocks []apkBlock) (a adb, info map[string]string, deps []string, files []apkFile, scripts map[int]string) {
	t.Helper()
	a = adb{t, blocks[0].payload}
	// struct adb_hdr { u8 compat_ver; u8 ver; u16 reserved; u32 root }
	if len(a.b) < 8 || a.b[0] != 0 {
		t.Fatalf("adb_hdr %x", a.b[:min(8, len(a.b))])
	}
	root := a.u32(4)
	pi := a.field(root, 1)
	info = map[string]string{
		"name": a.str(a.field(pi, 1)), "version": a.str(a.field(pi, 2)),
		"description": a.str(a.field(pi, 4)), "arch": a.str(a.field(pi, 5)),
		"license": a.str(a.field(pi, 6)), "origin": a.str(a.field(pi, 7)),
		"url":            a.str(a.field(pi, 9)),
		"build-time":     fmt.Sprint(a.int(a.field(pi, 11))),
		"installed-size": fmt.Sprint(a.int(a.field(pi, 12))),
	}
	// unique id: SHA-256 of the ADB block with the id zeroed, cut to 20 bytes
	uidv := a.field(pi, 3)
	uid := a.blob(uidv)
	if len(uid) != 20 {
		t.Fatalf("unique id %d bytes", len(uid))
	}
	zeroed := bytes.Clone(a.b)
	off := uidv&0x0fffffff + 1
	copy(zeroed[off:off+20], make([]byte, 20))
	if sum := sha256.Sum256(zeroed); !bytes.Equal(uid, sum[:20]) {
		t.Error("unique id is not the SHA-256 of the ADB block")
	}
	for _, d := range a.slots(a.field(pi, 15))[1:] {
		name, ver, match := a.str(a.field(d, 1)), a.field(d, 2), a.int(a.field(d, 3))
		switch {
		case ver == 0 && match == 0:
			deps = append(deps, name)
		case ver == 0 && match == 7|16: // APK_DEPMASK_ANY | APK_VERSION_CONFLICT
			deps = append(deps, "!"+name)
		default:
			t.Errorf("dependency %s: version %08x match %d", name, ver, match)
		}
	}
	var last string
	for i, d := range a.slots(a.field(root, 2))[1:] {
		dname := a.str(a.field(d, 1))
		if i > 0 && dname <= last {
			t.Errorf("paths not sorted: %q after %q", dname, last)
		}
		if i == 0 && dname != "" {
			t.Errorf("first path %q, want the root", dname)
		}
		last = dname
		checkACL(t, a, a.field(d, 2), 0o755)
		var lastf string
		for j, fv := range a.slots(a.field(d, 3))[1:] {
			fname := a.str(a.field(fv, 1))
			if j > 0 && fname <= lastf {
				t.Errorf("files of %q not sorted", dname)
			}
			lastf = fname
			p := fname
			if dname != "" {
				p = dname + "/" + fname
			}
			acl := a.field(fv, 2)
			checkACL(t, a, acl, a.int(a.field(acl, 1)))
			if mt := a.int(a.field(fv, 4)); mt != uint64(testMTime.Unix()) {
				t.Errorf("%s mtime %d", p, mt)
			}
			if a.field(fv, 6) != 0 {
				t.Errorf("%s has a target", p)
			}
			files = append(files, apkFile{p, a.int(a.field(acl, 1)), a.int(a.field(fv, 3)), a.blob(a.field(fv, 5)), i + 1, j + 1})
		}
	}
	scripts = map[int]string{}
	for i, v := range a.slots(a.field(root, 3))[1:] {
		if v != 0 {
			scripts[i+1] = a.str(v)
		}
	}
	return a, info, deps, files, scripts
}

func checkACL(t *testing.T, a adb, acl uint32, mode uint64) {
	t.Helper()
	if a.int(a.field(acl, 1)) != mode || a.str(a.field(acl, 2)) != "root" || a.str(a.field(acl, 3)) != "root" {
		t.Errorf("acl %o %s:%s", a.int(a.field(acl, 1)), a.str(a.field(acl, 2)), a.str(a.field(acl, 3)))
	}
}

// apkContents checks DATA blocks against the file list (one per non-empty
// file, in path/file order, hash and size matching) and returns contents.
func apkContents(t *testing.T, blocks []apkBlock, files []apkFile) map[string][]byte {
	t.Helper()
	data := blocks[1:]
	out := map[string][]byte{}
	for _, f := range files {
		if f.size == 0 {
			out[f.path] = nil
			continue
		}
		if len(data) == 0 {
			t.Fatalf("no DATA block for %s", f.path)
		}
		p := data[0].payload
		data = data[1:]
		if len(p) < 8 || binary.LittleEndian.Uint32(p) != uint32(f.pi) || binary.LittleEndian.Uint32(p[4:]) != uint32(f.fi) {
			t.Fatalf("DATA block for %s has header %x, want path %d file %d", f.path, p[:min(8, len(p))], f.pi, f.fi)
		}
		content := p[8:]
		if uint64(len(content)) != f.size {
			t.Errorf("%s: %d bytes of data, size says %d", f.path, len(content), f.size)
		}
		if sum := sha256.Sum256(content); !bytes.Equal(sum[:], f.hash) {
			t.Errorf("%s: hash mismatch", f.path)
		}
		out[f.path] = content
	}
	if len(data) != 0 {
		t.Errorf("%d DATA blocks left over", len(data))
	}
	return out
}

func TestAPK(t *testing.T) {
	pkg, luci := buildPackages(t, "apk", "aarch64_cortex-a53", stubBinary)
	again, _ := buildPackages(t, "apk", "aarch64_cortex-a53", stubBinary)
	if !bytes.Equal(pkg, again) {
		t.Error("two builds differ: not reproducible")
	}
	blocks := openAPK(t, pkg)
	_, info, deps, files, scripts := walkAPK(t, blocks)
	// as package-pack.mk's apk mkpkg --info: origin is $(SOURCE), the whole
	// description on one line, no build-time
	want := map[string]string{"name": "sstpgo", "version": "1.2.3-r4", "arch": "aarch64_cortex-a53",
		"license": "MIT", "origin": "feeds/packages/net/sstpgo", "build-time": "0",
		"description": strings.Join(strings.Fields(pkgfmt.Description), " ")}
	for k, v := range want {
		if info[k] != v {
			t.Errorf("info %s = %q, want %q", k, info[k], v)
		}
	}
	if !slices.Equal(deps, []string{"ca-bundle", "kmod-tun", "libc", "resolveip", "!sstp-client"}) {
		t.Errorf("depends %q", deps)
	}
	contents := apkContents(t, blocks, files)
	var size uint64
	var paths []string
	modes := map[string]uint64{}
	for _, f := range files {
		size += f.size
		paths = append(paths, f.path)
		modes[f.path] = f.mode
	}
	if info["installed-size"] != fmt.Sprint(size) {
		t.Errorf("installed-size %s, files add up to %d", info["installed-size"], size)
	}
	if len(files) != len(sstpgoFiles)+3 {
		t.Errorf("files %q", paths)
	}
	checkAPKDB(t, "sstpgo", contents, []string{"/etc/sstpgo/sstpgo.toml.example"})
	for _, w := range sstpgoFiles {
		c, ok := contents[w.path]
		if !ok {
			t.Errorf("missing %s", w.path)
			continue
		}
		checkFile(t, w, int64(modes[w.path]), c, stubBinary)
	}
	checkNoSecrets(t, paths)
	// scripts: 3 post-install, 4 pre-deinstall, 7 post-upgrade (apk_adb.h),
	// package-pack.mk's wrappers with the package's scripts appended
	for i, want := range map[int][]string{3: {"default_postinst", "network restart"}, 4: {"default_prerm", "ifdown"},
		7: {"PKG_UPGRADE=1", "default_postinst", "network restart"}} {
		if scripts[i] == "" {
			t.Errorf("script %d missing", i)
			continue
		}
		for _, w := range want {
			if !strings.Contains(scripts[i], w) {
				t.Errorf("script %d lacks %q:\n%s", i, w, scripts[i])
			}
		}
		if strings.Count(scripts[i], "#!") != 1 {
			t.Errorf("script %d has %d #! lines", i, strings.Count(scripts[i], "#!"))
		}
		checkScript(t, fmt.Sprint("script ", i), []byte(scripts[i]))
	}

	lblocks := openAPK(t, luci)
	_, linfo, ldeps, lfiles, _ := walkAPK(t, lblocks)
	if linfo["name"] != "luci-proto-sstpgo" || linfo["arch"] != "noarch" ||
		!slices.Equal(ldeps, []string{"luci-base", "!luci-proto-sstp", "sstpgo"}) {
		t.Errorf("luci package %v %q", linfo, ldeps)
	}
	lc := apkContents(t, lblocks, lfiles)
	checkAPKDB(t, "luci-proto-sstpgo", lc, nil)
	if len(lfiles) != len(luciFiles)+1 {
		t.Errorf("luci package files %v", lfiles)
	}
	for _, w := range luciFiles {
		for _, f := range lfiles {
			if f.path == w.path {
				checkFile(t, w, int64(f.mode), lc[w.path], nil)
			}
		}
	}
}

// checkAPKDB checks /lib/apk/packages/NAME.{list,conffiles,conffiles_static}
// as package-pack.mk writes them.
func checkAPKDB(t *testing.T, name string, contents map[string][]byte, conffiles []string) {
	t.Helper()
	dir := "lib/apk/packages/" + name
	var all []string
	for p := range contents {
		if p != dir+".list" && p != dir+".conffiles" && p != dir+".conffiles_static" {
			all = append(all, "/"+p)
		}
	}
	slices.Sort(all)
	if got := string(contents[dir+".list"]); got != strings.Join(all, "\n")+"\n" {
		t.Errorf("%s.list:\n%s\nwant\n%s", name, got, strings.Join(all, "\n"))
	}
	if len(conffiles) == 0 {
		if _, ok := contents[dir+".conffiles"]; ok {
			t.Errorf("%s has conffiles", name)
		}
		return
	}
	if got := string(contents[dir+".conffiles"]); got != strings.Join(conffiles, "\n")+"\n" {
		t.Errorf("%s.conffiles %q", name, got)
	}
	var static string
	for _, c := range conffiles {
		static += fmt.Sprintf("%s %x\n", c, sha256.Sum256(contents[strings.TrimPrefix(c, "/")]))
	}
	if got := string(contents[dir+".conffiles_static"]); got != static {
		t.Errorf("%s.conffiles_static %q, want %q", name, got, static)
	}
}

// TestCompression: packages are compressed at least as well as gzip -9
// would compress the same bytes.
func TestCompression(t *testing.T) {
	gz, err := exec.LookPath("gzip")
	if err != nil {
		t.Skip("gzip not installed")
	}
	bin, err := os.ReadFile(os.Args[0]) // the test binary: a real Go executable
	if err != nil {
		t.Fatal(err)
	}
	gzip9 := func(b []byte) int {
		cmd := exec.Command(gz, "-9", "-n", "-c")
		cmd.Stdin = bytes.NewReader(b)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return len(out)
	}
	ipk, _ := buildPackages(t, "ipk", "x86_64", bin)
	outer := readTarGz(t, ipk)
	dataGz := member(outer, "./data.tar.gz").data
	zr, _ := gzip.NewReader(bytes.NewReader(dataGz))
	dataTar, _ := io.ReadAll(zr)
	if n, g := len(dataGz), gzip9(dataTar); n > g {
		t.Errorf("ipk data.tar.gz %d bytes, gzip -9 makes %d", n, g)
	}
	apk, _ := buildPackages(t, "apk", "x86_64", bin)
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(apk[4:])))
	if err != nil {
		t.Fatal(err)
	}
	// gzip adds 18 bytes of framing to the deflate stream
	if n, g := len(apk)-4, gzip9(raw)-18; n > g {
		t.Errorf("apk deflate stream %d bytes, gzip -9 makes %d", n, g)
	}
	t.Logf("binary %d bytes: ipk data %d, apk %d", len(bin), len(dataGz), len(apk))
}

// TestPackageArchs: every architecture gets the Go settings OpenWrt's
// golang-values.mk derives for it (GOARM from the FPU named in the CPU type:
// none 5, vfp/vfpv2 6, else 7; GOMIPS hardfloat only with an FPU).
func TestPackageArchs(t *testing.T) {
	want := []string{"aarch64_cortex-a53", "aarch64_cortex-a72", "aarch64_generic", "arm_cortex-a9",
		"arm_cortex-a9_vfpv3-d16", "arm_cortex-a15_neon-vfpv4", "arm_arm1176jzf-s_vfp", "arm_cortex-a7",
		"arm_cortex-a7_neon-vfpv4", "mips_24kc", "mipsel_24kc", "mips_mips32", "mipsel_mips32",
		"mips64_octeonplus", "mips64el_mips64r2", "i386_pentium4", "i386_pentium-mmx", "x86_64",
		"loongarch64_generic", "riscv64_riscv64"}
	for _, a := range want {
		if !slices.Contains(pkgfmt.Archs, a) {
			t.Errorf("no package for %s", a)
		}
	}
	for _, arch := range pkgfmt.Archs {
		env, _ := pkgfmt.GoEnv(arch)
		e := map[string]string{}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			e[k] = v
		}
		if e["CGO_ENABLED"] != "0" || e["GOOS"] != "linux" {
			t.Errorf("%s: %v", arch, env)
		}
		family, cpu, _ := strings.Cut(arch, "_")
		switch family {
		case "arm":
			fpu := ""
			if _, f, ok := strings.Cut(cpu, "_"); ok {
				fpu = f
			}
			goarm := "7"
			switch fpu {
			case "":
				goarm = "5"
			case "vfp", "vfpv2":
				goarm = "6"
			}
			if e["GOARCH"] != "arm" || e["GOARM"] != goarm {
				t.Errorf("%s: GOARCH=%s GOARM=%s, want arm %s", arch, e["GOARCH"], e["GOARM"], goarm)
			}
		case "mips", "mipsel":
			fl := "softfloat"
			if arch == "mipsel_24kc_24kf" {
				fl = "hardfloat"
			}
			if e["GOARCH"] != map[string]string{"mips": "mips", "mipsel": "mipsle"}[family] || e["GOMIPS"] != fl {
				t.Errorf("%s: %v", arch, env)
			}
		case "mips64", "mips64el":
			if e["GOARCH"] != map[string]string{"mips64": "mips64", "mips64el": "mips64le"}[family] || e["GOMIPS64"] == "" {
				t.Errorf("%s: %v", arch, env)
			}
		case "i386":
			g := "sse2"
			if arch == "i386_pentium-mmx" {
				g = "softfloat"
			}
			if e["GOARCH"] != "386" || e["GO386"] != g {
				t.Errorf("%s: %v", arch, env)
			}
		case "aarch64":
			if e["GOARCH"] != "arm64" || e["GOARM64"] == "" {
				t.Errorf("%s: %v", arch, env)
			}
		}
		// every architecture packages
		m, es, err := pkgfmt.Sstpgo(".", stubBinary, "1.2.3-r4", arch, testMTime)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pkgfmt.IPK(m, es); err != nil {
			t.Errorf("%s: %v", arch, err)
		}
	}
}

// TestLuciI18n: each po/LANG becomes a luci-i18n-sstpgo-LANG package as
// luci.mk builds it: the compiled catalog and the uci-defaults script.
func TestLuciI18n(t *testing.T) {
	ms, ess, err := pkgfmt.LuciI18n(".", "1.2.3-r4", "all", testMTime)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Name != "luci-i18n-sstpgo-de" || !slices.Equal(ms[0].Depends, []string{"luci-proto-sstpgo"}) {
		t.Fatalf("i18n packages %+v", ms)
	}
	po, err := os.ReadFile(luciPkg + "/po/de/sstpgo.po")
	if err != nil {
		t.Fatal(err)
	}
	lmo, _ := pkgfmt.LMO(po)
	files := map[string][]byte{}
	for _, e := range ess[0] {
		files[e.Path] = e.Data
	}
	if len(lmo) == 0 || !bytes.Equal(files["usr/lib/lua/luci/i18n/sstpgo.de.lmo"], lmo) {
		t.Errorf("catalog missing or different: files %d", len(files))
	}
	if string(files["etc/uci-defaults/luci-i18n-sstpgo-de"]) != "uci set luci.languages.de='Deutsch (German)'; uci commit luci\n" {
		t.Errorf("uci-defaults %q", files["etc/uci-defaults/luci-i18n-sstpgo-de"])
	}
	for _, build := range []func(pkgfmt.Meta, []pkgfmt.Entry) ([]byte, error){pkgfmt.IPK, pkgfmt.APK} {
		if _, err := build(ms[0], ess[0]); err != nil {
			t.Error(err)
		}
	}
}
