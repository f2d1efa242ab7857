package pkgfmt

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// Schema ids and field numbers of apk-tools' package schema (src/apk_adb.h).
const (
	adbFormatMagic   = 0x2e424441 // "ADB."
	adbSchemaPackage = 0x676b6370 // "pckg"

	piName, piVersion, piHashes, piDescription, piArch, piLicense = 1, 2, 3, 4, 5, 6
	piOrigin, piMaintainer, piURL, piBuildTime, piInstalledSize   = 7, 8, 9, 11, 12
	piDepends, piProvides, piMax                                  = 15, 16, 21

	pkgInfo, pkgPaths, pkgScripts = 1, 2, 3

	scriptPostInstall, scriptPreDeinstall, scriptPostUpgrade = 3, 4, 7

	depMatchConflict = 7 | 16 // APK_DEPMASK_ANY | APK_VERSION_CONFLICT: "!name"

	uniqueIDLen = 20 // apk mkpkg: SHA-256 of the ADB block cut to SHA-1 size
)

// APK builds an unsigned apk v3 package (apk-tools doc/apk-v3.5): "ADBd"
// then, raw-deflated, the file header "ADB." + schema "pckg", one ADB block
// holding the package object, and one DATA block per non-empty file
// (path index, file index, contents). Install with --allow-untrusted.
func APK(m Meta, entries []Entry) ([]byte, error) {
	raw, err := APKUncompressed(m, entries)
	if err != nil {
		return nil, err
	}
	z, err := deflateBest(raw)
	if err != nil {
		return nil, err
	}
	return append([]byte("ADBd"), z...), nil
}

// apkDir is one element of the package's "paths" array.
type apkDir struct {
	name  string // "" for the root
	mode  uint64
	files []Entry
}

// APKUncompressed is APK without compression: the file starts "ADB.pckg".
func APKUncompressed(m Meta, entries []Entry) ([]byte, error) {
	if m.Name == "" || m.Version == "" || m.Arch == "" {
		return nil, errors.New("pkgfmt: Name, Version and Arch are required")
	}
	entries, err := normalize(apkDBFiles(m, entries))
	if err != nil {
		return nil, err
	}
	dirs := apkDirs(entries)
	w := newADBWriter()
	pkg := make([]uint32, pkgScripts)
	var uidOff int
	pkg[pkgInfo-1], uidOff = apkInfo(w, m, installedSize(entries))
	pkg[pkgPaths-1] = apkPaths(w, dirs, m)
	pkg[pkgScripts-1] = apkScripts(w, m)
	adb := w.Root(w.Object(pkg...))
	// the unique id is the start of the SHA-256 of the ADB block as written
	// with the id zeroed (apk mkpkg)
	sum := sha256.Sum256(adb)
	copy(adb[uidOff:uidOff+uniqueIDLen], sum[:])
	if len(adb) > 0x3fffffff-4 {
		return nil, errors.New("pkgfmt: ADB block too large")
	}

	out := binary.LittleEndian.AppendUint32(nil, adbFormatMagic)
	out = binary.LittleEndian.AppendUint32(out, adbSchemaPackage)
	out = appendBlock(out, adbBlockADB, adb)
	for i, d := range dirs {
		for j, f := range d.files {
			if len(f.Data) == 0 {
				continue
			}
			var hdr [8]byte
			binary.LittleEndian.PutUint32(hdr[0:], uint32(i+1))
			binary.LittleEndian.PutUint32(hdr[4:], uint32(j+1))
			out = appendBlock(out, adbBlockData, hdr[:], f.Data)
		}
	}
	return out, nil
}

// apkDirs groups the files by directory; the root comes first and every
// list is sorted by name, the order apk's arrays are kept in.
func apkDirs(entries []Entry) []apkDir {
	idx := map[string]int{"": 0}
	dirs := []apkDir{{name: "", mode: 0o755}}
	for _, e := range entries {
		if e.IsDir() {
			idx[e.Path] = len(dirs)
			dirs = append(dirs, apkDir{name: e.Path, mode: uint64(e.Mode.Perm())})
		}
	}
	for _, e := range entries {
		if !e.IsDir() {
			d := path.Dir(e.Path)
			if d == "." {
				d = ""
			}
			dirs[idx[d]].files = append(dirs[idx[d]].files, e)
		}
	}
	sort.SliceStable(dirs, func(i, j int) bool { return dirs[i].name < dirs[j].name })
	for _, d := range dirs {
		sort.Slice(d.files, func(i, j int) bool { return d.files[i].Path < d.files[j].Path })
	}
	return dirs
}

// apkInfo writes the pkginfo object; it returns its value and the offset of
// the unique id bytes to fill in later.
func apkInfo(w *adbWriter, m Meta, installed int64) (uint32, int) {
	f := make([]uint32, piMax-1)
	f[piName-1] = w.Str(m.Name)
	f[piVersion-1] = w.Str(m.Version)
	f[piHashes-1] = w.Blob(make([]byte, uniqueIDLen))
	uidOff := int(f[piHashes-1]&adbValueMask) + 1
	f[piDescription-1] = w.Str(strings.Join(strings.Fields(m.Description), " "))
	f[piArch-1] = w.Str(m.Arch)
	f[piLicense-1] = w.Str(m.License)
	f[piOrigin-1] = w.Str(m.Source)
	f[piMaintainer-1] = w.Str(m.Maintainer)
	f[piURL-1] = w.Str(m.URL)
	f[piInstalledSize-1] = w.Int(uint64(max(installed, 1)))
	f[piDepends-1] = apkDeps(w, m.Depends, m.Conflicts)
	f[piProvides-1] = apkDeps(w, m.Provides, nil)
	return w.Object(f...), uidOff
}

// apkDBFiles adds what package-pack.mk puts in every OpenWrt .apk under
// /lib/apk/packages: NAME.list (every file, sorted, as find prints them
// before the list itself and the conffiles lists exist), NAME.conffiles
// and, for the conffiles that are files, NAME.conffiles_static ("path
// sha256").
func apkDBFiles(m Meta, entries []Entry) []Entry {
	dir := "lib/apk/packages/" + m.Name
	var list []string
	for _, e := range entries {
		if !e.IsDir() {
			list = append(list, "/"+strings.Trim(e.Path, "/"))
		}
	}
	sort.Strings(list)
	out := append(entries[:len(entries):len(entries)], Entry{Path: dir + ".list", Mode: 0o644, Data: []byte(strings.Join(list, "\n") + "\n")})
	if len(m.Conffiles) == 0 {
		return out
	}
	out = append(out, Entry{Path: dir + ".conffiles", Mode: 0o644, Data: []byte(strings.Join(m.Conffiles, "\n") + "\n")})
	var static strings.Builder
	for _, c := range m.Conffiles {
		for _, e := range entries {
			if !e.IsDir() && "/"+strings.Trim(e.Path, "/") == c {
				static.WriteString(fmt.Sprintf("%s %x\n", c, sha256.Sum256(e.Data)))
			}
		}
	}
	if static.Len() > 0 {
		out = append(out, Entry{Path: dir + ".conffiles_static", Mode: 0o644, Data: []byte(static.String())})
	}
	return out
}

// apkDeps writes a dependency array sorted by name: {name} for a plain
// dependency, {name, NULL, match} for a conflict "!name".
func apkDeps(w *adbWriter, deps, conflicts []string) uint32 {
	type dep struct {
		name     string
		conflict bool
	}
	var all []dep
	for _, d := range deps {
		all = append(all, dep{d, false})
	}
	for _, d := range conflicts {
		all = append(all, dep{d, true})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	items := make([]uint32, 0, len(all))
	for _, d := range all {
		if d.conflict {
			items = append(items, w.Object(w.Str(d.name), adbNull, w.Int(depMatchConflict)))
		} else {
			items = append(items, w.Object(w.Str(d.name)))
		}
	}
	return w.Array(items)
}

// apkACL writes {mode, user, group}.
func apkACL(w *adbWriter, mode uint64) uint32 {
	return w.Object(w.Int(mode), w.Str("root"), w.Str("root"))
}

func apkPaths(w *adbWriter, dirs []apkDir, m Meta) uint32 {
	items := make([]uint32, 0, len(dirs))
	for _, d := range dirs {
		files := make([]uint32, 0, len(d.files))
		for _, f := range d.files {
			sum := sha256.Sum256(f.Data)
			files = append(files, w.Object(
				w.Str(path.Base(f.Path)),
				apkACL(w, uint64(f.Mode.Perm())),
				w.Int(uint64(len(f.Data))),
				w.Int(uint64(m.MTime.Unix())),
				w.Blob(sum[:]),
			))
		}
		// the root directory object has no name; keep it anyway (apk
		// mkpkg's compatible layout lists every directory)
		var name uint32 = adbNull
		if d.name != "" {
			name = w.Str(d.name)
		}
		items = append(items, w.Object(name, apkACL(w, d.mode), w.Array(files)))
	}
	return w.Array(items)
}

// apkScripts are the scripts package-pack.mk gives every .apk: its
// wrappers running default_postinst/default_prerm with the package's own
// scripts appended (their #! lines dropped); post-upgrade is post-install
// with PKG_UPGRADE=1.
func apkScripts(w *adbWriter, m Meta) uint32 {
	postInst := "#!/bin/sh\n" +
		`[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0` + "\n" +
		"[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n" +
		". ${IPKG_INSTROOT}/lib/functions.sh\n" +
		`export root="${IPKG_INSTROOT}"` + "\n" +
		`export pkgname="` + m.Name + `"` + "\n" +
		"add_group_and_user\ndefault_postinst\n" + dropShebang(m.PostInst)
	preRm := "#!/bin/sh\n" +
		"[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n" +
		". ${IPKG_INSTROOT}/lib/functions.sh\n" +
		`export root="${IPKG_INSTROOT}"` + "\n" +
		`export pkgname="` + m.Name + `"` + "\n" +
		"default_prerm\n" + dropShebang(m.PreRm)
	s := make([]uint32, scriptPostUpgrade)
	s[scriptPostInstall-1] = w.Str(postInst)
	s[scriptPostUpgrade-1] = w.Str("#!/bin/sh\nexport PKG_UPGRADE=1\n" + dropShebang(postInst))
	s[scriptPreDeinstall-1] = w.Str(preRm)
	return w.Object(s...)
}

// dropShebang removes #! lines, as package-pack.mk's sed '/^\s*#!/d' does.
func dropShebang(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(strings.TrimLeft(l, " \t"), "#!") {
			b.WriteString(l)
		}
	}
	return b.String()
}
