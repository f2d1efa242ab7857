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
# every OpenWrt architecture Go can target (scripts/pkg/pkgfmt/openwrt.go)
ARCHS ?= $(shell go run ./scripts/pkg -archs)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1704067200)
export SOURCE_DATE_EPOCH


PKG_GOFLAGS := $(shell ./scripts/goflags.sh)
PKG_LDFLAGS := -s -w -X main.version=$(PKG_VERSION) -X main.commit=$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

.PHONY: ipk apk size-report openwrt-test openwrt-bins feed-source

# the source tarball of the feed Makefile, and its PKG_HASH
feed-source:
	./scripts/feed-source.sh $(PKG_VERSION)

# $(PKG_BUILD_DIR)/<arch>/sstpgo for each arch; architectures with the same
# Go target (all aarch64 cores at v8.0, ...) share one build
openwrt-bins:
	@set -e; go build -o $(PKG_BUILD_DIR)/pkg ./scripts/pkg; built=; \
	for a in $(ARCHS); do \
		env="$$($(PKG_BUILD_DIR)/pkg -goenv -arch $$a)"; \
		key="$$(echo "$$env" | tr ' =' '_-')"; \
		mkdir -p $(PKG_BUILD_DIR)/$$a $(PKG_BUILD_DIR)/go/$$key; \
		case " $$built " in *" $$key "*) ;; *) \
			echo "go build $$a ($$env)"; \
			env $$env go build $(PKG_GOFLAGS) -ldflags "$(PKG_LDFLAGS)" -o $(PKG_BUILD_DIR)/go/$$key/sstpgo . ; \
			built="$$built $$key" ;; \
		esac; \
		cp $(PKG_BUILD_DIR)/go/$$key/sstpgo $(PKG_BUILD_DIR)/$$a/sstpgo; \
	done

# packages, then the size table (fails when mipsel_24kc is over budget)
ipk apk: openwrt-bins
	@set -e; for a in $(ARCHS); do \
		$(PKG_BUILD_DIR)/pkg -format $@ -arch $$a -bin $(PKG_BUILD_DIR)/$$a/sstpgo \
			-version $(PKG_VERSION) -release $(PKG_RELEASE) -out $(DIST) -openwrt openwrt; \
	done
	@$(PKG_BUILD_DIR)/pkg -report "$(ARCHS)" -format $@ -out $(DIST) -bins $(PKG_BUILD_DIR) \
		-version $(PKG_VERSION) -release $(PKG_RELEASE)

size-report:
	PKG_VERSION=$(PKG_VERSION) PKG_RELEASE=$(PKG_RELEASE) ARCHS="$(ARCHS)" ./scripts/size-report.sh

openwrt-test:
	go test -count=1 ./openwrt/ ./scripts/pkg/...
