#!/bin/sh
# Checks the LuCI view in headless Chromium against a real LuCI: the view
# (openwrt/feed/luci-proto-sstpgo), LuCI's luci-base and bootstrap theme from
# a LuCI checkout, and a stub ubus (openwrt/testdata/browser). LuCI's code is
# copied into a temporary directory, never into this repository.
#   ./scripts/luci-browser.sh LUCI_CHECKOUT [OUTDIR]
# Prints what each step saw (route validation, the certificate dialog and
# its "Trust" button, the interface errors, a save) and writes screenshots
# to OUTDIR (default: a temporary directory). Needs node and chromium.
set -eu
luci="$1"
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${2:-$(mktemp -d)}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
www="$work/www"
mkdir -p "$www" "$out"
cp -r "$luci/modules/luci-base/htdocs/." "$www/"
cp -r "$luci/themes/luci-theme-bootstrap/htdocs/." "$www/"
b="$repo/openwrt/testdata/browser"
cp -r "$repo/openwrt/feed/luci-proto-sstpgo/htdocs/." "$www/"
mkdir -p "$www/luci-static/resources/view"
cp "$b/sstptest.js" "$www/luci-static/resources/view/"
cp "$b/index.html" "$b/actions.js" "$b/step.js" "$www/"
# LuCI before 2025 loads promis.min.js first
[ -f "$www/luci-static/resources/promis.min.js" ] &&
	sed -i 's|<script src="/luci-static/resources/cbi.js">|<script src="/luci-static/resources/promis.min.js"></script>\n&|' "$www/index.html"
port=$((20000 + $$ % 10000))
node "$b/ubus-stub.js" "$port" "$www" >"$work/server.log" 2>&1 &
pid=$!
sleep 1
chrome() { timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=40000 "$@" 2>/dev/null; }
for step in routes cert errors pem save; do
	url="http://127.0.0.1:$port/?step=$step&trust=1"
	echo "== $step"
	chrome --dump-dom "$url" | sed -n '/id="result"/,/<\/pre>/p' | sed 's/<[^>]*>//g; s/&gt;/>/g; s/&lt;/</g; s/&amp;/\&/g'
done
chrome --run-all-compositor-stages-before-draw --window-size=1280,1500 --screenshot="$out/general.png" "http://127.0.0.1:$port/?step=routes" >/dev/null
chrome --run-all-compositor-stages-before-draw --window-size=1280,900 --screenshot="$out/certificate.png" "http://127.0.0.1:$port/?step=cert" >/dev/null
chrome --run-all-compositor-stages-before-draw --window-size=1280,1900 --screenshot="$out/advanced.png" "http://127.0.0.1:$port/?step=advanced" >/dev/null
echo "ubus calls:"; curl -s "http://127.0.0.1:$port/log" | tr '[' '\n' | grep -v '^$' | grep -v '"uci","changes"\|^"404"' | tail -12
echo "screenshots in $out"
