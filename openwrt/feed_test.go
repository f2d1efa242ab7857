package openwrt_test

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

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
		"DEPENDS:=$(GO_ARCH_DEPENDS) +kmod-tun +ca-bundle",
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
	// luci.mk installs htdocs/ from the package directory
	view, err := os.ReadFile("feed/luci-proto-sstpgo/htdocs/luci-static/resources/protocol/sstp.js")
	if err != nil {
		t.Fatalf("LuCI feed package has no view: %v", err)
	}
	if src, _ := os.ReadFile(luciView); !bytes.Equal(view, src) {
		t.Error("LuCI feed view differs from the shipped one")
	}
}
