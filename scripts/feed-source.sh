#!/bin/sh
# Writes the source tarball the OpenWrt feed Makefile downloads,
# dist/sstpgo-VERSION.tar.gz (git archive of tag vVERSION, or of HEAD when
# the tag does not exist yet, compressed reproducibly with gzip -9n), and
# sets PKG_HASH in openwrt/feed/sstpgo/Makefile to its SHA-256.
# Upload the tarball as the release asset PKG_SOURCE_URL names.
#   ./scripts/feed-source.sh [VERSION]
set -eu
cd "$(dirname "$0")/.."
mk=openwrt/feed/sstpgo/Makefile
v="${1:-$(sed -n 's/^PKG_VERSION:=//p' "$mk")}"
rev="v$v"
git rev-parse -q --verify "$rev^{commit}" >/dev/null || rev=HEAD
mkdir -p dist
out="dist/sstpgo-$v.tar.gz"
git archive --format=tar --prefix="sstpgo-$v/" "$rev" | gzip -9n > "$out"
sum=$(sha256sum "$out" | cut -d' ' -f1)
sed -i "s/^PKG_HASH:=.*/PKG_HASH:=$sum/" "$mk"
echo "$out ($rev) $sum"
