package pkgfmt

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Package names and metadata of what sstpgo ships for OpenWrt.
const (
	License    = "MIT"
	URL        = "https://github.com/sstpgo/sstpgo"
	Maintainer = "sstpgo developers <sstpgo@users.noreply.github.com>"
	LuciName   = "luci-proto-sstpgo"
)

// ConfFiles of the sstpgo package: kept on upgrade when the user changed
// them. The netifd handler is code, not configuration: an upgrade must
// replace it. /etc/sstpgo/ as a whole (configurations, uploaded
// certificates) survives sysupgrade through /lib/upgrade/keep.d/sstpgo.
var ConfFiles = []string{"/etc/sstpgo/sstpgo.toml.example"}

// Description of the sstpgo package, as in the feed Makefile.
const Description = `SSTP (Microsoft Secure Socket Tunneling Protocol) VPN client in one static
Go binary with its own userspace PPP stack over a TUN device (no pppd, no
kernel PPP). Drop-in replacement for sstp-client: proto 'sstp' in
/etc/config/network, verified server certificates (CA or SHA-256 pin),
password kept off the command line, reconnects by itself.`

// Depends of the sstpgo package (besides libc): the TUN driver, the CA
// bundle for certificate checks, and resolveip, which the netifd handler
// runs to resolve the server's name.
var Depends = []string{"kmod-tun", "ca-bundle", "resolveip"}

// PostInst and PreRm are the sstpgo package's own scripts (the feed
// Makefile's Package/sstpgo/postinst and prerm).
const PostInst = `#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -n "${IPKG_INSTROOT}" ] && exit 0
# netifd loads protocol handlers when it starts: it does not yet know "sstp"
# if this is a first install. Not done here, as it drops every connection.
echo "sstpgo: run '/etc/init.d/network restart' (or reboot) to load the sstp protocol handler"
exit 0
`

const PreRm = `#!/bin/sh
[ -n "${IPKG_INSTROOT}" ] && exit 0
[ "$1" = "upgrade" ] && exit 0
# bring sstp interfaces down so no daemon outlives its package
for iface in $(ubus list 'network.interface.*' 2>/dev/null); do
	iface="${iface#network.interface.}"
	status="$(ubus call "network.interface.$iface" status 2>/dev/null)"
	case "$status" in
	*'"proto": "sstp"'*) ifdown "$iface" ;;
	esac
done
exit 0
`

const luciPostInst = `#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -n "${IPKG_INSTROOT}" ] && exit 0
rm -f /tmp/luci-indexcache /tmp/luci-indexcache.*
rm -rf /tmp/luci-modulecache/
# rpcd reads its exec plugins and ACLs when it starts
/etc/init.d/rpcd reload 2>/dev/null || killall -HUP rpcd 2>/dev/null
exit 0
`

// Sstpgo returns the sstpgo package for arch: the binary plus the netifd
// handler, its up script and the example configuration from openwrtDir
// (the repository's openwrt/ directory). For apk, pass "noarch"-free arch
// names: OpenWrt uses the same names for both formats.
func Sstpgo(openwrtDir string, bin []byte, version, arch string, mtime time.Time) (Meta, []Entry, error) {
	m := Meta{
		Name: "sstpgo", Version: version, Arch: arch,
		Depends:    append([]string{"libc"}, Depends...),
		Conflicts:  []string{"sstp-client"},
		Source:     "feeds/packages/net/sstpgo",
		SourceName: "sstpgo",
		License:    License, Section: "net", URL: URL, Maintainer: Maintainer,
		Description: Description,
		Conffiles:   ConfFiles,
		PostInst:    PostInst,
		PreRm:       PreRm,
		MTime:       mtime,
	}
	es := []Entry{{Path: "usr/sbin/sstpgo", Mode: 0o755, Data: bin}}
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{"lib/netifd/proto/sstp.sh", 0o755},
		{"lib/netifd/sstpgo-up", 0o755},
		{"lib/netifd/sstpgo-down", 0o755},
		{"lib/netifd/sstpgo-split-dns", 0o755},
		{"etc/sstpgo/sstpgo.toml.example", 0o644},
		{"lib/upgrade/keep.d/sstpgo", 0o644},
	} {
		b, err := os.ReadFile(filepath.Join(openwrtDir, "files", f.path))
		if err != nil {
			return Meta{}, nil, err
		}
		es = append(es, Entry{Path: f.path, Mode: f.mode, Data: b})
	}
	return m, es, nil
}

// LuciDir is the LuCI package's directory in the repository's openwrt/
// directory, laid out as luci.mk reads it: htdocs/ goes to /www, root/ to /.
const LuciDir = "feed/luci-proto-sstpgo"

// Luci returns the luci-proto-sstpgo package; arch is "all" for ipk and
// "noarch" for apk. Files under root/ keep their execute bit (the rpcd
// plugin); everything else is 0644.
func Luci(openwrtDir, version, arch string, mtime time.Time) (Meta, []Entry, error) {
	var es []Entry
	for _, part := range []struct{ dir, prefix string }{{"htdocs", "www/"}, {"root", ""}} {
		base := filepath.Join(openwrtDir, LuciDir, part.dir)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if !d.Type().IsRegular() {
				return fmt.Errorf("%s: not a regular file", p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(base, p)
			mode := os.FileMode(0o644)
			if fi, err := d.Info(); err == nil && fi.Mode()&0o100 != 0 {
				mode = 0o755
			}
			es = append(es, Entry{Path: part.prefix + filepath.ToSlash(rel), Mode: mode, Data: b})
			return nil
		})
		if err != nil {
			return Meta{}, nil, err
		}
	}
	m := Meta{
		Name: LuciName, Version: version, Arch: arch,
		Depends:    []string{"luci-base", "sstpgo"},
		Conflicts:  []string{"luci-proto-sstp"},
		Source:     "feeds/luci/protocols/luci-proto-sstpgo",
		SourceName: LuciName,
		License:    License, Section: "luci", URL: URL, Maintainer: Maintainer,
		Description: "Support for SSTP (sstpgo) in LuCI",
		PostInst:    luciPostInst,
		MTime:       mtime,
	}
	return m, es, nil
}

// luciLangs are the names luci.mk gives the languages (LUCI_LANG.xx), for
// the ones translated; its aliases (LUCI_LC_ALIAS) name the packages.
var (
	luciLangs   = map[string]string{"de": "Deutsch (German)"}
	luciAliases = map[string]string{"bn_BD": "bn", "nb_NO": "no", "pt_BR": "pt-br", "zh_Hans": "zh-cn", "zh_Hant": "zh-tw"}
)

// LuciI18n returns one luci-i18n-sstpgo-LANG package per po/LANG/ of the
// LuCI package, as luci.mk's LuciTranslation builds them: the catalogs
// compiled with LMO into /usr/lib/lua/luci/i18n/NAME.LANG.lmo and a
// uci-defaults script that offers the language in LuCI.
func LuciI18n(openwrtDir, version, arch string, mtime time.Time) ([]Meta, [][]Entry, error) {
	poDir := filepath.Join(openwrtDir, LuciDir, "po")
	dirs, err := os.ReadDir(poDir)
	if err != nil {
		return nil, nil, err
	}
	var metas []Meta
	var all [][]Entry
	for _, d := range dirs {
		lang := d.Name()
		if !d.IsDir() || lang == "templates" {
			continue
		}
		code := lang
		if a, ok := luciAliases[lang]; ok {
			code = a
		}
		name := luciLangs[lang]
		if name == "" {
			name = lang
		}
		pkg := "luci-i18n-sstpgo-" + code
		es := []Entry{{Path: "etc/uci-defaults/" + pkg, Mode: 0o644,
			Data: []byte("uci set luci.languages." + strings.ReplaceAll(code, "-", "_") + "='" + name + "'; uci commit luci\n")}}
		pos, _ := filepath.Glob(filepath.Join(poDir, lang, "*.po"))
		for _, p := range pos {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, nil, err
			}
			lmo, err := LMO(b)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", p, err)
			}
			if lmo != nil {
				base := strings.TrimSuffix(filepath.Base(p), ".po")
				es = append(es, Entry{Path: "usr/lib/lua/luci/i18n/" + base + "." + code + ".lmo", Mode: 0o644, Data: lmo})
			}
		}
		metas = append(metas, Meta{
			Name: pkg, Version: version, Arch: arch,
			Depends:    []string{LuciName},
			Source:     "feeds/luci/protocols/luci-proto-sstpgo",
			SourceName: LuciName,
			License:    License, Section: "luci", URL: URL, Maintainer: Maintainer,
			Description: "Translation for " + LuciName + " - " + name,
			MTime:       mtime,
		})
		all = append(all, es)
	}
	return metas, all, nil
}

// goEnv maps every OpenWrt package architecture that Go can target to the
// Go environment lang/golang/golang-values.mk (OpenWrt packages feed) sets
// for it: arm takes GOARM from the FPU in the CPU type (none: 5, vfp/vfpv2:
// 6, else 7), mips/mips64 GOMIPS from CONFIG_HAS_FPU, 386 softfloat on the
// geode/legacy targets, arm64 GOARM64 from the core, amd64 v1. Not here:
// arm_fa526 (ARMv4, below Go's ARMv5) and powerpc (Go has no 32-bit
// PowerPC, and its ppc64 needs POWER8).
var goEnv = map[string][]string{
	"aarch64_cortex-a53":        {"GOARCH=arm64", "GOARM64=v8.0"},
	"aarch64_cortex-a72":        {"GOARCH=arm64", "GOARM64=v8.0"},
	"aarch64_cortex-a76":        {"GOARCH=arm64", "GOARM64=v8.2"},
	"aarch64_generic":           {"GOARCH=arm64", "GOARM64=v8.0"},
	"arm_arm1176jzf-s_vfp":      {"GOARCH=arm", "GOARM=6"},
	"arm_arm926ej-s":            {"GOARCH=arm", "GOARM=5"},
	"arm_cortex-a15_neon-vfpv4": {"GOARCH=arm", "GOARM=7"},
	"arm_cortex-a5_vfpv4":       {"GOARCH=arm", "GOARM=7"},
	"arm_cortex-a7":             {"GOARCH=arm", "GOARM=5"},
	"arm_cortex-a7_neon-vfpv4":  {"GOARCH=arm", "GOARM=7"},
	"arm_cortex-a7_vfpv4":       {"GOARCH=arm", "GOARM=7"},
	"arm_cortex-a8_vfpv3":       {"GOARCH=arm", "GOARM=7"},
	"arm_cortex-a9":             {"GOARCH=arm", "GOARM=5"},
	"arm_cortex-a9_neon":        {"GOARCH=arm", "GOARM=7"},
	"arm_cortex-a9_vfpv3-d16":   {"GOARCH=arm", "GOARM=7"},
	"arm_xscale":                {"GOARCH=arm", "GOARM=5"},
	"i386_pentium-mmx":          {"GOARCH=386", "GO386=softfloat"},
	"i386_pentium4":             {"GOARCH=386", "GO386=sse2"},
	"loongarch64_generic":       {"GOARCH=loong64"},
	"mips64_mips64r2":           {"GOARCH=mips64", "GOMIPS64=softfloat"},
	"mips64_octeonplus":         {"GOARCH=mips64", "GOMIPS64=softfloat"},
	"mips64el_mips64r2":         {"GOARCH=mips64le", "GOMIPS64=softfloat"},
	"mips_24kc":                 {"GOARCH=mips", "GOMIPS=softfloat"},
	"mips_4kec":                 {"GOARCH=mips", "GOMIPS=softfloat"},
	"mips_mips32":               {"GOARCH=mips", "GOMIPS=softfloat"},
	"mipsel_24kc":               {"GOARCH=mipsle", "GOMIPS=softfloat"},
	"mipsel_24kc_24kf":          {"GOARCH=mipsle", "GOMIPS=hardfloat"},
	"mipsel_74kc":               {"GOARCH=mipsle", "GOMIPS=softfloat"},
	"mipsel_mips32":             {"GOARCH=mipsle", "GOMIPS=softfloat"},
	"riscv64_generic":           {"GOARCH=riscv64"},
	"riscv64_riscv64":           {"GOARCH=riscv64"},
	"x86_64":                    {"GOARCH=amd64", "GOAMD64=v1"},
}

// Archs are the architectures sstpgo is packaged for: all of goEnv, sorted.
var Archs = func() []string {
	var a []string
	for k := range goEnv {
		a = append(a, k)
	}
	sort.Strings(a)
	return a
}()

// GoEnv returns the environment that builds sstpgo for an OpenWrt arch.
func GoEnv(arch string) ([]string, bool) {
	e, ok := goEnv[arch]
	if !ok {
		return nil, false
	}
	return append([]string{"CGO_ENABLED=0", "GOOS=linux"}, e...), true
}
