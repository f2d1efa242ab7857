# sstpgo — see README.md. Every target works from a plain `sudo make ...`:
# the scripts find Go where sudo's secure_path hides it (scripts/env.sh).
#   make build      bin/sstpgo and bin/sstptest-server (scripts/build.sh)
#   make demo       the end-to-end demo in network namespaces (root; scripts/demo.sh)
#   make test       every test (scripts/test.sh; the end-to-end part as root)
#   make install    PREFIX=/usr/local DESTDIR= (scripts/install.sh)
# sudo's secure_path drops /usr/local/go/bin; the recipes below call go directly.
export PATH := $(PATH):/usr/local/go/bin:/usr/lib/go/bin
VERSION ?= $(shell ./scripts/version.sh)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOFLAGS_REL := $(shell ./scripts/goflags.sh)
PREFIX ?= /usr/local
DESTDIR ?=
export CGO_ENABLED := 0
export VERSION COMMIT PREFIX DESTDIR

.PHONY: all build demo test test-unit test-e2e cross bench install clean
all: build

build:
	./scripts/build.sh

demo:
	./scripts/demo.sh

test:
	./scripts/test.sh

test-unit:
	go test ./...

test-e2e: build
	go test -tags e2e -count=1 ./e2e/

bench: build
	./scripts/bench.sh

install:
	./scripts/install.sh

# Cross builds for the router targets (see openwrt/packages.mk for packages).
cross:
	GOOS=linux GOARCH=mips GOMIPS=softfloat go build $(GOFLAGS_REL) -ldflags "$(LDFLAGS)" -o bin/sstpgo-mips .
	GOOS=linux GOARCH=mipsle GOMIPS=softfloat go build $(GOFLAGS_REL) -ldflags "$(LDFLAGS)" -o bin/sstpgo-mipsle .
	GOOS=linux GOARCH=arm GOARM=7 go build $(GOFLAGS_REL) -ldflags "$(LDFLAGS)" -o bin/sstpgo-arm .
	GOOS=linux GOARCH=arm64 go build $(GOFLAGS_REL) -ldflags "$(LDFLAGS)" -o bin/sstpgo-arm64 .
	GOOS=linux GOARCH=amd64 go build $(GOFLAGS_REL) -ldflags "$(LDFLAGS)" -o bin/sstpgo-amd64 .

clean:
	rm -rf bin dist

-include openwrt/packages.mk
