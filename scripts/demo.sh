#!/bin/sh
# The end-to-end demo: a LAN host reaches a corporate host through a router
# running sstpgo, over an "internet" link, via the in-repo SSTP server (RRAS
# personality: MS-CHAPv2 and a verified crypto binding). Everything runs in
# network namespaces on this machine and is removed at the end.
# Needs root; run through `make demo` (which builds bin/ first).
set -eu
cd "$(dirname "$0")/.."
P=${DEMO_PREFIX:-sgdemo}
BIN=$(pwd)/bin
WORK=$(mktemp -d)
SERVER_PID= CLIENT_PID=

[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces, TUN)" >&2; exit 2; }
for c in ip iptables ping; do
	command -v $c >/dev/null || { echo "demo: needs $c (apt-get install iproute2 iptables iputils-ping)" >&2; exit 2; }
done

cleanup() {
	[ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null && sleep 1
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	./scripts/topology.sh down "$P"
	lan_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
. scripts/demo-lan.sh # the LAN part: pushed routes, split DNS, SMB (docs/LAN.md)

say "topology: LAN host -> router (sstpgo) -> internet -> SSTP server -> corporate host"
./scripts/topology.sh up "$P"
lan_setup

say "SSTP server (RRAS personality) on 198.51.100.1:443"
ip netns exec "$P-srv" "$BIN/sstptest-server" --listen 198.51.100.1:443 --personality rras \
	--user alice:correct-horse --cert-out "$WORK" --hostname vpn.example.test \
	--server-ip 10.0.0.1 --pool 10.0.0.0/24 --dns 10.0.0.53 --tun tun-srv $LAN_SERVER_ARGS >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
i=0; while [ ! -s "$WORK/ca.pem" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done

say "router: sstpgo connect (the password comes from a 0600 file, never argv)"
umask 077; printf 'correct-horse\n' >"$WORK/password"; umask 022
ip netns exec "$P-rtr" env $LAN_CLIENT_ENV "$BIN/sstpgo" connect --server 198.51.100.1 --sni vpn.example.test \
	--ca-cert "$WORK/ca.pem" --user alice --password-file "$WORK/password" \
	--route 172.16.50.0/24 --status-file "$WORK/status.json" $LAN_CLIENT_ARGS >"$WORK/client.log" 2>&1 &
CLIENT_PID=$!
i=0; until grep -q 'tunnel up' "$WORK/client.log" 2>/dev/null; do
	sleep 0.2; i=$((i+1))
	if [ $i -gt 100 ] || ! kill -0 $CLIENT_PID 2>/dev/null; then
		cat "$WORK/client.log" "$WORK/server.log"; echo "demo: tunnel did not come up" >&2; exit 1
	fi
done
sed 's/^/  sstpgo | /' "$WORK/client.log"

say "LAN host pings the corporate host through the tunnel"
ip netns exec "$P-lan" ping -c 4 -i 0.3 172.16.50.2

lan_show

say "LAN host sends data to the corporate host"
if command -v iperf3 >/dev/null; then
	ip netns exec "$P-corp" iperf3 -s -1 >"$WORK/iperf-server.log" 2>&1 &
	sleep 0.5
	ip netns exec "$P-lan" iperf3 -c 172.16.50.2 -t 3 -f m | tail -4
	sleep 0.3
	grep -m1 'Accepted connection' "$WORK/iperf-server.log" | sed 's/^/  corporate host: /' || true
else
	echo "(iperf3 not installed: apt-get install iperf3)"
fi

say "status file"
cat "$WORK/status.json"

say "stopping sstpgo (SIGTERM: Call Disconnect, routes and device removed)"
kill "$CLIENT_PID"; wait "$CLIENT_PID" || true; CLIENT_PID=
tail -3 "$WORK/client.log" | sed 's/^/  sstpgo | /'
if ip netns exec "$P-rtr" ip link show sstp0 >/dev/null 2>&1; then echo "sstp0 still there!" >&2; exit 1; fi
echo "  sstp0 removed; routes via sstp0: $(ip netns exec "$P-rtr" ip route show dev sstp0 2>/dev/null | wc -l)"
say "demo finished"
