#!/bin/sh
# Builds bin/sstpgo (the release flags of scripts/goflags.sh, version from
# scripts/version.sh) and bin/sstptest-server. `make build` runs it.
set -eu
cd "$(dirname "$0")/.."
. scripts/env.sh
need_go
export CGO_ENABLED=0
VERSION=${VERSION:-$(scripts/version.sh)}
COMMIT=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
# shellcheck disable=SC2046
go build $(scripts/goflags.sh) -ldflags "-s -w -X main.version=$VERSION -X main.commit=$COMMIT" -o bin/sstpgo .
go build -trimpath -o bin/sstptest-server ./cmd/sstptest-server
# Under sudo, leave bin/ to the user who owns the checkout.
if [ "$(id -u)" = 0 ] && [ -n "${SUDO_UID:-}" ]; then chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" bin; fi
echo "built bin/sstpgo $VERSION"
