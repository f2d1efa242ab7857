# OpenWrt packages without the SDK; included by the top-level Makefile.
#   make ipk | apk          packages for every ARCHS into $(DIST)/{ipk,apk}/<arch>/
#   make size-report        size table, fails when mipsel_24kc is too big
#   make openwrt-test       handler, LuCI and package tests (busybox, node, qemu-user-static)
# PKG_VERSION must be a plain version (digits and dots): opkg and apk both
# reject git-describe strings. SOURCE_DATE_EPOCH fixes every mtime.

PKG_VERSION ?= 0.1.0
PKG_RELEASE ?= 1
DIST ?= dist
PKG_BUILD_DIR ?= build/openwrt
ARCHS ?= mips_24kc mipsel_24kc arm_cortex-a7_neon-vfpv4 aarch64_cortex-a53 x86_64
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1704067200)
export SOURCE_DATE_EPOCH


PKG_GOFLAGS := $(shell ./scripts/goflags.sh)
PKG_LDFLAGS := -s -w -X main.version=$(PKG_VERSION) -X main.commit=$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

.PHONY: ipk apk size-report openwrt-test openwrt-bins

# $(PKG_BUILD_DIR)/<arch>/sstpgo for each arch
openwrt-bins:
	@set -e; for a in $(ARCHS); do \
		env="$$(go run ./scripts/pkg -goenv -arch $$a)"; \
		mkdir -p $(PKG_BUILD_DIR)/$$a; \
		echo "go build $$a ($$env)"; \
		env $$env go build $(PKG_GOFLAGS) -ldflags "$(PKG_LDFLAGS)" -o $(PKG_BUILD_DIR)/$$a/sstpgo . ; \
	done

ipk apk: openwrt-bins
	@set -e; for a in $(ARCHS); do \
		go run ./scripts/pkg -format $@ -arch $$a -bin $(PKG_BUILD_DIR)/$$a/sstpgo \
			-version $(PKG_VERSION) -release $(PKG_RELEASE) -out $(DIST) -openwrt openwrt; \
	done

size-report:
	PKG_VERSION=$(PKG_VERSION) PKG_RELEASE=$(PKG_RELEASE) ARCHS="$(ARCHS)" ./scripts/size-report.sh

openwrt-test:
	go test -count=1 ./openwrt/ ./scripts/pkg/...
