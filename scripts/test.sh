#!/usr/bin/env bash
# The test command (README: sudo scripts/test.sh, or sudo make test): static
# checks, unit tests, fuzz smoke runs, big-endian MIPS and ARM under
# qemu-user, and, as root, the end-to-end tests in network namespaces. It
# first checks Go and installs the Debian packages the tests need (as root;
# otherwise it says which). Set FUZZTIME (default 3s) for longer fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3s}
step() { printf '\n== %s\n' "$*"; }

step "prerequisites"
. scripts/env.sh
need_go
# gcc: the race detector needs cgo. systemd-analyze (package systemd) is
# used where present to check the unit file; the test says when it skips.
cmds="$GO_CMDS gcc:gcc qemu-mips-static:qemu-user-static qemu-arm-static:qemu-user-static busybox:busybox node:nodejs"
if [ "$(id -u)" = 0 ]; then
  cmds="$cmds $DEMO_CMDS tinyproxy:tinyproxy"
fi
# shellcheck disable=SC2086
need_cmds $cmds
go version

step "gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt needed:"; echo "$bad"; exit 1; fi

step "go vet"
go vet ./...
go vet -tags e2e ./...

step "unit tests"
go test -count=1 ./...

step "race detector on the engine"
CGO_ENABLED=1 go test -race -count=1 ./sstp/... ./ppp/

step "fuzz smoke ($FUZZTIME per target)"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "-- $pkg $f"
    if ! go test -run '^$' -fuzz "^${f}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 1s "$pkg" >/tmp/fuzz.$$ 2>&1; then
      # Go's fuzz coordinator can give up on a busy worker at the very end
      # ("context deadline exceeded") without any failing input: retry once.
      if grep -q 'context deadline exceeded' /tmp/fuzz.$$ && ! grep -q 'Failing input written' /tmp/fuzz.$$; then
        echo "   (coordinator timeout without a finding; retrying)"
        go test -run '^$' -fuzz "^${f}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 1s "$pkg" >/tmp/fuzz.$$ 2>&1 || { cat /tmp/fuzz.$$; exit 1; }
      else
        cat /tmp/fuzz.$$; exit 1
      fi
    fi
  done
done
rm -f /tmp/fuzz.$$

step "big-endian MIPS and ARM under qemu-user"
cross_pkgs="./ppp/ ./sstp/ ./sstp/sstptest/"
GOARCH=mips GOMIPS=softfloat go test -count=1 -exec qemu-mips-static $cross_pkgs
GOARCH=arm GOARM=7 go test -count=1 -exec qemu-arm-static $cross_pkgs

step "router binary and package sizes (fails over the mipsel_24kc budget)"
./scripts/size-report.sh

if [ "$(id -u)" = 0 ]; then
  step "end-to-end tests (root, network namespaces)"
  scripts/build.sh
  go test -tags e2e -count=1 -timeout 20m ./ifup/ ./e2e/ ./openwrt/...
else
  step "end-to-end tests SKIPPED: not root (CI runs them as root)"
fi
echo
echo "all tests passed"
