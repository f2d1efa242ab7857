#!/bin/sh
# The end-to-end demo (README: sudo scripts/demo.sh, or sudo make demo): a LAN
# host reaches a corporate host through a router running sstpgo, over an
# "internet" link, via the in-repo SSTP server (RRAS personality: MS-CHAPv2
# and a verified crypto binding). Everything runs in network namespaces on
# this machine and is removed at the end, also after Ctrl-C or a failure
# (e2e/demo_test.go interrupts it at every step and checks).
#
# It checks root, Go and the commands it needs first (installing their Debian
# packages), then builds bin/ and runs the steps listed in STEPS below, each
# a function step_NAME. To extend the demo, write a step_ function and add its
# name to STEPS. DEMO_PREFIX names the namespaces (default sgdemo);
# DEMO_NO_BUILD=1 uses bin/ as it is.
set -eu
cd "$(dirname "$0")/.."
P=${DEMO_PREFIX:-sgdemo}
STEPS=${DEMO_STEPS:-"topology lan_setup server client ping lan iperf tunnel stop"}
BIN=$(pwd)/bin
WORK='' SERVER_PID='' CLIENT_PID=''

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi

# cleanup runs on every exit: it must get through every line whatever fails,
# so no set -e here.
cleanup() {
	set +e
	trap '' INT TERM
	stop "$CLIENT_PID" # first: it says goodbye to the server and removes its routes
	stop "$SERVER_PID"
	command -v lan_cleanup >/dev/null && lan_cleanup # stops samba and dnsmasq so they reap their own
	./scripts/topology.sh down "$P" # kills whatever still runs in the namespaces
	wait 2>/dev/null                # and reaps it
	[ -n "$WORK" ] && rm -rf "$WORK"
	return 0
}

# stop PID: SIGTERM, up to 3 s to exit, then SIGKILL.
stop() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
trap cleanup EXIT
trap 'echo "demo: interrupted, cleaning up" >&2; exit 130' INT
trap 'exit 143' TERM HUP

. scripts/env.sh
need_root demo "network namespaces, TUN"
need_go
# shellcheck disable=SC2086
need_cmds $DEMO_CMDS $GO_CMDS
[ -c /dev/net/tun ] || die "demo: /dev/net/tun missing: modprobe tun"
[ -n "${DEMO_NO_BUILD:-}" ] || scripts/build.sh # the e2e test runs it on the bin/ already built
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sstpgo-demo.XXXXXX")
. scripts/demo-lan.sh # steps lan_setup and lan: pushed routes, split DNS, SMB (docs/LAN.md)

step_topology() {
	say "topology: LAN host -> router (sstpgo) -> internet -> SSTP server -> corporate host"
	./scripts/topology.sh up "$P"
}

step_server() {
	say "SSTP server (RRAS personality) on 198.51.100.1:443"
	ip netns exec "$P-srv" "$BIN/sstptest-server" --listen 198.51.100.1:443 --personality rras \
		--user alice:correct-horse --cert-out "$WORK" --hostname vpn.example.test \
		--server-ip 10.0.0.1 --pool 10.0.0.0/24 --dns 10.0.0.53 --tun tun-srv $LAN_SERVER_ARGS >"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	i=0; while [ ! -s "$WORK/ca.pem" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
}

step_client() {
	say "router: sstpgo connect (the password comes from a 0600 file, never argv)"
	(umask 077; printf 'correct-horse\n' >"$WORK/password")
	ip netns exec "$P-rtr" env $LAN_CLIENT_ENV "$BIN/sstpgo" connect --server 198.51.100.1 --sni vpn.example.test \
		--ca-cert "$WORK/ca.pem" --user alice --password-file "$WORK/password" \
		--routes 172.16.50.0/24 --status-file "$WORK/status.json" $LAN_CLIENT_ARGS >"$WORK/client.log" 2>&1 &
	CLIENT_PID=$!
	i=0; until grep -q 'tunnel up' "$WORK/client.log" 2>/dev/null; do
		sleep 0.2; i=$((i+1))
		if [ $i -gt 100 ] || ! kill -0 "$CLIENT_PID" 2>/dev/null; then
			cat "$WORK/client.log" "$WORK/server.log"; echo "demo: tunnel did not come up" >&2; exit 1
		fi
	done
	sed 's/^/  sstpgo | /' "$WORK/client.log"
}

step_ping() {
	say "LAN host pings the corporate host through the tunnel"
	ip netns exec "$P-lan" ping -c 4 -i 0.3 172.16.50.2
}

step_iperf() {
	say "LAN host sends data to the corporate host"
	ip netns exec "$P-corp" iperf3 -s -1 >"$WORK/iperf-server.log" 2>&1 &
	sleep 0.5
	ip netns exec "$P-lan" iperf3 -c 172.16.50.2 -t 3 -f m | tail -4
	sleep 0.3
	grep -m1 'Accepted connection' "$WORK/iperf-server.log" | sed 's/^/  corporate host: /' || true
}

step_tunnel() {
	say "the tunnel device on the router: address, routes, live counters"
	ip -netns "$P-rtr" -brief address show dev sstp0 | sed 's/^/  /'
	ip -netns "$P-rtr" route show dev sstp0 | sed 's/^/  route: /'
	# SIGUSR1: sstpgo logs its status and rewrites the status file at once.
	kill -USR1 "$CLIENT_PID"
	sleep 0.3
	echo "  status file ($WORK/status.json):"
	sed 's/^/    /' "$WORK/status.json"
	echo
	ip -netns "$P-rtr" -statistics link show dev sstp0 | sed 's/^/  /'
}

step_stop() {
	say "stopping sstpgo (SIGTERM: Call Disconnect, routes and device removed)"
	kill "$CLIENT_PID"; wait "$CLIENT_PID" || true; CLIENT_PID=
	tail -3 "$WORK/client.log" | sed 's/^/  sstpgo | /'
	if ip netns exec "$P-rtr" ip link show sstp0 >/dev/null 2>&1; then echo "sstp0 still there!" >&2; exit 1; fi
	echo "  sstp0 removed; routes via sstp0: $(ip netns exec "$P-rtr" ip route show dev sstp0 2>/dev/null | wc -l)"
}

for s in $STEPS; do
	"step_$s"
done
say "demo finished"
