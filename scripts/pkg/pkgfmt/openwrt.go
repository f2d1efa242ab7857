package pkgfmt

import (
	"os"
	"path/filepath"
	"time"
)

// Package names and metadata of what sstpgo ships for OpenWrt.
const (
	License    = "MIT"
	URL        = "https://github.com/sstpgo/sstpgo"
	Maintainer = "sstpgo developers"
	LuciName   = "luci-proto-sstpgo"
)

// ConfFiles of the sstpgo package: kept on upgrade when the user changed them.
var ConfFiles = []string{"/etc/sstpgo/sstpgo.toml.example", "/lib/netifd/proto/sstp.sh"}

const postInst = `#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -n "${IPKG_INSTROOT}" ] && exit 0
# netifd loads protocol handlers when it starts: it does not yet know "sstp"
# if this is a first install. Not done here, as it drops every connection.
echo "sstpgo: run '/etc/init.d/network restart' (or reboot) to load the sstp protocol handler"
exit 0
`

const preRm = `#!/bin/sh
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
killall -HUP rpcd 2>/dev/null
exit 0
`

// Sstpgo returns the sstpgo package for arch: the binary plus the netifd
// handler, its up script and the example configuration from openwrtDir
// (the repository's openwrt/ directory). For apk, pass "noarch"-free arch
// names: OpenWrt uses the same names for both formats.
func Sstpgo(openwrtDir string, bin []byte, version, arch string, mtime time.Time) (Meta, []Entry, error) {
	m := Meta{
		Name: "sstpgo", Version: version, Arch: arch,
		Depends:    []string{"libc", "kmod-tun", "ca-bundle"},
		Conflicts:  []string{"sstp-client"},
		Source:     "feeds/packages/net/sstpgo",
		SourceName: "sstpgo",
		License:    License, Section: "net", URL: URL, Maintainer: Maintainer,
		Description: "SSTP VPN client with its own PPP stack (no pppd, no kernel PPP)\n" +
			"Drop-in replacement for sstp-client: proto 'sstp' in /etc/config/network,\n" +
			"verified server certificates, password kept off the command line,\n" +
			"reconnects by itself.",
		Conffiles: ConfFiles,
		PostInst:  postInst,
		PreRm:     preRm,
		MTime:     mtime,
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
	} {
		b, err := os.ReadFile(filepath.Join(openwrtDir, "files", f.path))
		if err != nil {
			return Meta{}, nil, err
		}
		es = append(es, Entry{Path: f.path, Mode: f.mode, Data: b})
	}
	return m, es, nil
}

// Luci returns the luci-proto-sstpgo package; arch is "all" for ipk and
// "noarch" for apk.
func Luci(openwrtDir, version, arch string, mtime time.Time) (Meta, []Entry, error) {
	const view = "luci-static/resources/protocol/sstp.js"
	b, err := os.ReadFile(filepath.Join(openwrtDir, "luci", "htdocs", view))
	if err != nil {
		return Meta{}, nil, err
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
	return m, []Entry{{Path: "www/" + view, Mode: 0o644, Data: b}}, nil
}

// goEnv maps OpenWrt architectures to Go targets (shared/PROTOCOL.md
// section 5); always with CGO_ENABLED=0.
var goEnv = map[string][]string{
	"mips_24kc":                {"GOARCH=mips", "GOMIPS=softfloat"},
	"mipsel_24kc":              {"GOARCH=mipsle", "GOMIPS=softfloat"},
	"arm_cortex-a7_neon-vfpv4": {"GOARCH=arm", "GOARM=7"},
	"arm_cortex-a9":            {"GOARCH=arm", "GOARM=7"},
	"aarch64_cortex-a53":       {"GOARCH=arm64"},
	"aarch64_generic":          {"GOARCH=arm64"},
	"x86_64":                   {"GOARCH=amd64"},
}

// Archs are the architectures sstpgo is packaged for by default.
var Archs = []string{"mips_24kc", "mipsel_24kc", "arm_cortex-a7_neon-vfpv4", "aarch64_cortex-a53", "x86_64"}

// GoEnv returns the environment that builds sstpgo for an OpenWrt arch.
func GoEnv(arch string) ([]string, bool) {
	e, ok := goEnv[arch]
	if !ok {
		return nil, false
	}
	return append([]string{"CGO_ENABLED=0", "GOOS=linux"}, e...), true
}
