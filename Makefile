# sstpgo — see README.md. `make demo` runs the end-to-end demo (root), `make test` runs every test.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOFLAGS_REL := $(shell ./scripts/goflags.sh)
export CGO_ENABLED := 0

.PHONY: all build demo test test-unit test-e2e cross bench clean
all: build

build:
	go build $(GOFLAGS_REL) -ldflags "$(LDFLAGS)" -o bin/sstpgo .
	go build -trimpath -o bin/sstptest-server ./cmd/sstptest-server

demo: build
	./scripts/demo.sh

test:
	./scripts/test.sh

test-unit:
	go test ./...

test-e2e: build
	go test -tags e2e -count=1 ./e2e/

bench: build
	./scripts/bench.sh

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
