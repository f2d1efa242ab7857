package pkgfmt

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// IPK builds an .ipk as OpenWrt's ipkg-build does: a gzip'd tar holding
// ./debian-binary ("2.0\n"), ./data.tar.gz and ./control.tar.gz.
func IPK(m Meta, entries []Entry) ([]byte, error) {
	entries, err := normalize(entries)
	if err != nil {
		return nil, err
	}
	if m.Name == "" || m.Version == "" || m.Arch == "" {
		return nil, errors.New("pkgfmt: Name, Version and Arch are required")
	}
	data, err := tarGz(entries, m.MTime, true)
	if err != nil {
		return nil, err
	}
	control, err := tarGz(controlEntries(m, installedSize(entries)), m.MTime, true)
	if err != nil {
		return nil, err
	}
	return tarGz([]Entry{
		{Path: "debian-binary", Mode: 0o644, Data: []byte("2.0\n")},
		{Path: "data.tar.gz", Mode: 0o644, Data: data},
		{Path: "control.tar.gz", Mode: 0o644, Data: control},
	}, m.MTime, false)
}

// ControlText is the opkg control file of m.
func ControlText(m Meta, installed int64) string {
	var b strings.Builder
	field := func(k, v string) {
		if v != "" {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	field("Package", m.Name)
	field("Version", m.Version)
	field("Depends", strings.Join(m.Depends, ", "))
	field("Conflicts", strings.Join(m.Conflicts, ", "))
	field("Provides", strings.Join(m.Provides, ", "))
	field("Source", m.Source)
	field("SourceName", m.SourceName)
	field("License", m.License)
	field("Section", m.Section)
	field("SourceDateEpoch", strconv.FormatInt(m.MTime.Unix(), 10))
	field("URL", m.URL)
	field("Maintainer", m.Maintainer)
	field("Architecture", m.Arch)
	field("Installed-Size", strconv.FormatInt(installed, 10))
	// continuation lines of a multi-line description start with a space
	field("Description", strings.ReplaceAll(strings.TrimSpace(m.Description), "\n", "\n "))
	return b.String()
}

// controlEntries are the control archive's members as OpenWrt's
// package-pack.mk writes them: postinst and prerm are its fixed wrappers,
// which run default_postinst/default_prerm from /lib/functions.sh; those
// run the package's own scripts, shipped as postinst-pkg and prerm-pkg.
func controlEntries(m Meta, installed int64) []Entry {
	es := []Entry{{Path: "control", Mode: 0o644, Data: []byte(ControlText(m, installed))}}
	if len(m.Conffiles) > 0 {
		es = append(es, Entry{Path: "conffiles", Mode: 0o644, Data: []byte(strings.Join(m.Conffiles, "\n") + "\n")})
	}
	es = append(es, Entry{Path: "postinst", Mode: 0o755, Data: []byte(ipkPostInst)},
		Entry{Path: "prerm", Mode: 0o755, Data: []byte(ipkPreRm)})
	if m.PostInst != "" {
		es = append(es, Entry{Path: "postinst-pkg", Mode: 0o755, Data: []byte(m.PostInst)})
	}
	if m.PreRm != "" {
		es = append(es, Entry{Path: "prerm-pkg", Mode: 0o755, Data: []byte(m.PreRm)})
	}
	return es
}

// The wrappers package-pack.mk puts in every .ipk.
const (
	ipkPostInst = `#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_postinst $0 $@
`
	ipkPreRm = `#!/bin/sh
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_prerm $0 $@
`
)

// tarGz writes entries in order as a GNU tar with "./" names, root:root,
// mtime t, and a "./" entry first when root is set; compressed with gzip
// (no name, no timestamp in the gzip header).
func tarGz(entries []Entry, t time.Time, root bool) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if root {
		if err := tw.WriteHeader(tarHeader(Entry{Path: ".", Mode: fs.ModeDir | 0o755}, t)); err != nil {
			return nil, err
		}
	}
	for _, e := range entries {
		if err := tw.WriteHeader(tarHeader(e, t)); err != nil {
			return nil, err
		}
		if !e.IsDir() {
			if _, err := tw.Write(e.Data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return gzipBest(buf.Bytes())
}

func tarHeader(e Entry, t time.Time) *tar.Header {
	h := &tar.Header{
		Name:    "./" + e.Path,
		Mode:    int64(e.Mode.Perm()),
		Uname:   "root",
		Gname:   "root",
		ModTime: t.UTC().Truncate(time.Second),
		Format:  tar.FormatGNU,
	}
	if e.Path == "." {
		h.Name = "./"
	}
	if e.IsDir() {
		h.Typeflag = tar.TypeDir
		if e.Path != "." {
			h.Name += "/"
		}
	} else {
		h.Typeflag = tar.TypeReg
		h.Size = int64(len(e.Data))
	}
	return h
}
