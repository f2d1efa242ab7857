// Package pkgfmt writes OpenWrt packages without the OpenWrt SDK: .ipk
// (opkg, OpenWrt 24.10 and earlier) and unsigned apk v3 .apk (OpenWrt 25.12).
// Output is reproducible: fixed owner root:root, fixed mtimes, sorted
// entries, no timestamps in gzip headers.
package pkgfmt

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Entry is one file or directory of a package's data.
type Entry struct {
	Path string      // relative to /, no leading slash: "usr/sbin/sstpgo"
	Mode fs.FileMode // permission bits; fs.ModeDir for directories
	Data []byte      // file contents
}

// IsDir reports whether e is a directory.
func (e Entry) IsDir() bool { return e.Mode&fs.ModeDir != 0 }

// Meta describes a package; it maps onto ipk control fields and apk v3
// package info.
type Meta struct {
	Name, Version, Arch     string // Version as "1.2.3-r1" (valid for both opkg and apk)
	Depends, Conflicts      []string
	Provides                []string
	Source, SourceName      string
	License, Section, URL   string
	Maintainer, Description string
	Conffiles               []string // absolute paths
	PostInst, PreRm         string   // shell scripts, "" for none
	MTime                   time.Time
}

// ErrBadEntry reports an entry path that cannot go into a package.
var ErrBadEntry = errors.New("pkgfmt: bad entry path")

// normalize validates entries, adds missing parent directories (0755) and
// sorts by path, so archives are reproducible.
func normalize(entries []Entry) ([]Entry, error) {
	byPath := map[string]Entry{}
	for _, e := range entries {
		p := strings.Trim(e.Path, "/")
		if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == ".." {
			return nil, ErrBadEntry
		}
		e.Path = p
		byPath[p] = e
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if _, ok := byPath[d]; !ok {
				byPath[d] = Entry{Path: d, Mode: fs.ModeDir | 0o755}
			}
		}
	}
	out := make([]Entry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// installedSize is the sum of the file sizes, as opkg and apk count it.
func installedSize(entries []Entry) int64 {
	var n int64
	for _, e := range entries {
		if !e.IsDir() {
			n += int64(len(e.Data))
		}
	}
	return n
}
