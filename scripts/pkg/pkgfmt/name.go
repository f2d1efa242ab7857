package pkgfmt

import "strings"

// FileName is the conventional file name of m's package: opkg's
// name_version_arch.ipk, apk's name-version.apk.
func FileName(format string, m Meta) string {
	if format == "apk" {
		return m.Name + "-" + m.Version + ".apk"
	}
	return m.Name + "_" + m.Version + "_" + m.Arch + ".ipk"
}

// ValidVersion accepts the subset of apk versions sstpgo uses, which opkg
// accepts too: digits separated by dots, an optional lower-case letter, an
// optional _alpha/_beta/_pre/_rc/_p suffix with a number, then -rN.
func ValidVersion(v string) bool {
	base, rel, ok := strings.Cut(v, "-r")
	if !ok || !digits(rel) {
		return false
	}
	if b, suf, ok := strings.Cut(base, "_"); ok {
		base = b
		matched := false
		for _, p := range []string{"alpha", "beta", "pre", "rc", "p"} {
			if n, ok := strings.CutPrefix(suf, p); ok && (n == "" || digits(n)) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	if n := len(base); n > 1 && base[n-1] >= 'a' && base[n-1] <= 'z' {
		base = base[:n-1]
	}
	for _, part := range strings.Split(base, ".") {
		if !digits(part) {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
