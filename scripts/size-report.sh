#!/usr/bin/env bash
# Builds sstpgo and its packages for every OpenWrt architecture and prints
# arch, stripped binary size, .ipk size and .apk size. Exits 1 when
# mipsel_24kc (the smallest routers) exceeds 7.5 MiB of binary or 2.6 MiB of
# package. Run from anywhere: ./scripts/size-report.sh (or make size-report).
set -euo pipefail

cd "$(dirname "$0")/.."
ARCHS="${ARCHS:-}"
PKG_VERSION="${PKG_VERSION:-0.1.0}"
PKG_RELEASE="${PKG_RELEASE:-1}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1704067200}"
MAX_BIN=$((75 * 1024 * 1024 / 10))  # 7.5 MiB
MAX_PKG=$((26 * 1024 * 1024 / 10))  # 2.6 MiB
LIMITED_ARCH=mipsel_24kc

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mib() { awk -v n="$1" 'BEGIN { printf "%.2f MiB", n / 1048576 }'; }

go build -o "$work/pkg" ./scripts/pkg
[ -n "$ARCHS" ] || ARCHS="$("$work/pkg" -archs)"
fail=0
built=""
printf '%-26s %14s %14s %14s\n' arch binary ipk apk
for arch in $ARCHS; do
	env=$("$work/pkg" -goenv -arch "$arch")
	key=$(echo "$env" | tr ' =' '_-')
	mkdir -p "$work/$arch" "$work/go/$key"
	case " $built " in
	*" $key "*) ;;
	*)
		# architectures with the same Go target share one build
		env $env go build $(./scripts/goflags.sh) \
			-ldflags "-s -w -X main.version=$PKG_VERSION" -o "$work/go/$key/sstpgo" .
		built="$built $key" ;;
	esac
	cp "$work/go/$key/sstpgo" "$work/$arch/sstpgo"
	for fmt in ipk apk; do
		"$work/pkg" -format "$fmt" -arch "$arch" -bin "$work/$arch/sstpgo" \
			-version "$PKG_VERSION" -release "$PKG_RELEASE" -out "$work/dist" -openwrt openwrt >/dev/null
	done
	bin=$(stat -c %s "$work/$arch/sstpgo")
	ipk=$(stat -c %s "$work/dist/ipk/$arch/sstpgo_${PKG_VERSION}-r${PKG_RELEASE}_${arch}.ipk")
	apk=$(stat -c %s "$work/dist/apk/$arch/sstpgo-${PKG_VERSION}-r${PKG_RELEASE}.apk")
	printf '%-26s %14s %14s %14s\n' "$arch" "$(mib "$bin")" "$(mib "$ipk")" "$(mib "$apk")"
	if [ "$arch" = "$LIMITED_ARCH" ]; then
		if [ "$bin" -gt "$MAX_BIN" ]; then
			echo "FAIL: $arch binary is $bin bytes, limit $MAX_BIN (7.5 MiB)" >&2
			fail=1
		fi
		for p in "$ipk" "$apk"; do
			if [ "$p" -gt "$MAX_PKG" ]; then
				echo "FAIL: $arch package is $p bytes, limit $MAX_PKG (2.6 MiB)" >&2
				fail=1
			fi
		done
	fi
done
exit "$fail"
