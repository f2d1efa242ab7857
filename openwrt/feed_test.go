package openwrt_test

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/scripts/pkg/pkgfmt"
)

// The SDK is not available in CI: check the feed Makefiles for what the SDK
// needs and for agreement with the packages scripts/pkg builds.
func TestFeedMakefiles(t *testing.T) {
	mk, err := os.ReadFile("feed/sstpgo/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(mk)
	for _, want := range []string{
		"include $(TOPDIR)/rules.mk",
		"include $(INCLUDE_DIR)/package.mk",
		"golang/golang-package.mk",
		"GO_PKG:=github.com/sstpgo/sstpgo",
		"GO_PKG_LDFLAGS_X:=main.version=$(PKG_VERSION)",
		"GO_PKG_TAGS:=urfave_cli_no_docs",
		"DEPENDS:=$(GO_ARCH_DEPENDS) +" + strings.Join(pkgfmt.Depends, " +"),
		"CONFLICTS:=sstp-client",
		"$(INSTALL_BIN) $(GO_PKG_BUILD_BIN_DIR)/sstpgo $(1)/usr/sbin/",
		"openwrt/files/lib/netifd/proto/sstp.sh $(1)/lib/netifd/proto/",
		"openwrt/files/lib/netifd/sstpgo-up $(1)/lib/netifd/",
		"openwrt/files/lib/netifd/sstpgo-down $(1)/lib/netifd/",
		"openwrt/files/lib/netifd/sstpgo-split-dns $(1)/lib/netifd/",
		"$(eval $(call GoBinPackage,sstpgo))",
		"$(eval $(call BuildPackage,sstpgo))",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("feed Makefile lacks %q", want)
		}
	}
	conf := regexp.MustCompile(`(?s)define Package/sstpgo/conffiles\n(.*?)\nendef`).FindStringSubmatch(s)
	if conf == nil || !slices.Equal(strings.Split(conf[1], "\n"), pkgfmt.ConfFiles) {
		t.Errorf("feed conffiles %q, want %q", conf, pkgfmt.ConfFiles)
	}
	// a tarball with a hash, a maintainer with an address, a license file
	if !regexp.MustCompile(`(?m)^PKG_SOURCE:=\S+\.tar\.(gz|xz|zst)$`).MatchString(s) || strings.Contains(s, "PKG_HASH:="+strings.Repeat("0", 64)) ||
		!regexp.MustCompile(`(?m)^PKG_SOURCE_URL:=https://`).MatchString(s) ||
		!regexp.MustCompile(`(?m)^PKG_HASH:=[0-9a-f]{64}$`).MatchString(s) || strings.Contains(s, "PKG_MIRROR_HASH") {
		t.Error("feed Makefile needs PKG_SOURCE (a tarball), PKG_SOURCE_URL and PKG_HASH (64 hex digits)")
	}
	if !regexp.MustCompile(`(?m)^PKG_MAINTAINER:=.+<[^@> ]+@[^> ]+>$`).MatchString(s) {
		t.Error("PKG_MAINTAINER has no e-mail address")
	}
	if _, err := os.Stat("../LICENSE"); err != nil || !strings.Contains(s, "PKG_LICENSE_FILES:=LICENSE") {
		t.Errorf("LICENSE: %v", err)
	}
	// the release build flags, as make ipk uses them
	if !strings.Contains(s, "$(call GoPackage/Build/Compile,`$(PKG_BUILD_DIR)/scripts/goflags.sh`)") {
		t.Error("feed build does not use scripts/goflags.sh")
	}
	checkFeedMatchesIPK(t, s)

	// recipe lines must start with a tab
	for i, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "        $(INSTALL") {
			t.Errorf("line %d: recipe indented with spaces", i+1)
		}
	}

	pm, err := os.ReadFile("packages.mk")
	if err != nil {
		t.Fatal(err)
	}
	ver := regexp.MustCompile(`(?m)^PKG_VERSION:=(.*)$`).FindStringSubmatch(s)
	if ver == nil || !bytes.Contains(pm, []byte("PKG_VERSION ?= "+ver[1]+"\n")) {
		t.Errorf("feed PKG_VERSION %q differs from packages.mk", ver)
	}

	luci, err := os.ReadFile("feed/luci-proto-sstpgo/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"include $(TOPDIR)/rules.mk", "luci.mk", "LUCI_DEPENDS:=+sstpgo",
		"LUCI_PKGARCH:=all", "# call BuildPackage - OpenWrt buildroot signature"} {
		if !strings.Contains(string(luci), want) {
			t.Errorf("LuCI feed Makefile lacks %q", want)
		}
	}
	// copied into a feed, a symlink to the rest of the repository dangles
	err = filepath.WalkDir("feed", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			t.Errorf("%s is a symlink", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// luci.mk installs htdocs/ and root/ from the package directory
	for _, p := range []string{luciView, luciACL, luciRPCD, luciPOT} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("LuCI feed package: %v", err)
		}
	}
}

// checkFeedMatchesIPK: the SDK package has the files, modes, scripts and
// description of the one scripts/pkg builds.
func checkFeedMatchesIPK(t *testing.T, mk string) {
	t.Helper()
	install := regexp.MustCompile(`(?s)define Package/sstpgo/install\n(.*?)\nendef`).FindStringSubmatch(mk)
	if install == nil {
		t.Fatal("no Package/sstpgo/install")
	}
	modes := map[string]fs.FileMode{"INSTALL_BIN": 0o755, "INSTALL_DATA": 0o644, "INSTALL_CONF": 0o600}
	got := map[string]fs.FileMode{}
	for _, m := range regexp.MustCompile(`\$\((INSTALL_\w+)\) (\S+) \$\(1\)/(\S*)`).FindAllStringSubmatch(install[1], -1) {
		if m[1] == "INSTALL_DIR" {
			continue
		}
		got[strings.TrimSuffix(m[3], "/")+"/"+filepath.Base(m[2])] = modes[m[1]]
	}
	_, es, err := pkgfmt.Sstpgo(".", []byte("x"), "1-r1", "x86_64", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]fs.FileMode{}
	for _, e := range es {
		want[e.Path] = e.Mode.Perm()
	}
	if !maps.Equal(got, want) {
		t.Errorf("feed installs %v, make ipk ships %v", got, want)
	}
	unescape := func(s string) string { return strings.ReplaceAll(s, "$$", "$") }
	for name, want := range map[string]string{"postinst": pkgfmt.PostInst, "prerm": pkgfmt.PreRm} {
		m := regexp.MustCompile(`(?s)define Package/sstpgo/` + name + `\n(.*?)\nendef`).FindStringSubmatch(mk)
		if m == nil || unescape(m[1])+"\n" != want {
			t.Errorf("feed %s differs from make ipk's:\n%v\nwant\n%s", name, m, want)
		}
	}
	d := regexp.MustCompile(`(?s)define Package/sstpgo/description\n(.*?)\nendef`).FindStringSubmatch(mk)
	if d == nil || strings.Join(strings.Fields(d[1]), " ") != strings.Join(strings.Fields(pkgfmt.Description), " ") {
		t.Errorf("feed description differs from make ipk's: %v", d)
	}
}
