#!/usr/bin/env bash
# Soak test on the demo topology (scripts/topology.sh): continuous traffic
# through the tunnel for DURATION seconds while the SSTP server is restarted
# and the router's uplink flaps, alternately, every SOAK_EVENT_EVERY seconds.
# Every 30 s it prints: reconnects, tunnel state, UDP datagrams sent / lost
# (a sequence-numbered stream LAN -> corporate host), sstpgo RSS and goroutines.
# It fails (exit 1) if RSS or goroutines end up above the first minute's
# baseline by more than a margin, or if the tunnel is not up at the end.
#
# On demand, not in CI (root; takes DURATION): DURATION=600 ./scripts/soak.sh
# Knobs: DURATION (600), SOAK_EVENT_EVERY (60), SOAK_PPS (500),
# SOAK_RSS_MARGIN_KB (4096), SOAK_GOROUTINE_MARGIN (8), SOAK_PREFIX (sgsoak),
# SSTPGO / SSTPTEST_SERVER (binaries, default bin/).
set -euo pipefail
cd "$(dirname "$0")/.."
P=${SOAK_PREFIX:-sgsoak}
DURATION=${DURATION:-600}
EVERY=${SOAK_EVENT_EVERY:-60}
PPS=${SOAK_PPS:-500}
RSS_MARGIN=${SOAK_RSS_MARGIN_KB:-4096}
G_MARGIN=${SOAK_GOROUTINE_MARGIN:-8}
SSTPGO=${SSTPGO:-$(pwd)/bin/sstpgo}
SERVER=${SSTPTEST_SERVER:-$(pwd)/bin/sstptest-server}
WORK=$(mktemp -d)
PIDS=""

[ "$(id -u)" = 0 ] || { echo "soak: needs root (network namespaces, TUN)" >&2; exit 2; }
[ -x "$SSTPGO" ] && [ -x "$SERVER" ] || { echo "soak: build first (make build)" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "soak: needs iperf3" >&2; exit 2; }

cleanup() {
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	./scripts/topology.sh down "$P" || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bg NS CMD...: start CMD in namespace NS; LAST is its pid (ip netns exec execs it).
bg() { local ns=$1; shift; ip netns exec "$P-$ns" "$@" & LAST=$!; }
log() { printf '%s soak: %s\n' "$(date +%H:%M:%S)" "$*"; }

start_server() {
	bg srv "$SERVER" --listen 198.51.100.1:443 --personality rras --user alice:correct-horse \
		--cert-out "$WORK" --hostname vpn.example.test \
		--server-ip 10.0.0.1 --pool 10.0.0.0/24 --tun tun-srv --log-level warn >>"$WORK/server.log" 2>&1
	SERVER_PID=$LAST
}

go build -o "$WORK/tlsbench" ./scripts/tlsbench
./scripts/topology.sh up "$P"
start_server
umask 077; printf 'correct-horse\n' >"$WORK/password"; umask 022
# --cert-out keeps the server's CA and key across its restarts, so the
# client verifies the certificate as in production.
i=0; while [ ! -s "$WORK/ca.pem" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
bg rtr "$SSTPGO" connect --server 198.51.100.1 --sni vpn.example.test --ca-cert "$WORK/ca.pem" --user alice \
	--password-file "$WORK/password" --route 172.16.50.0/24 --status-file "$WORK/status.json" \
	--echo-interval 5s --echo-timeout 10s >"$WORK/client.log" 2>&1
CLIENT=$LAST; PIDS="$PIDS $CLIENT"
i=0; until grep -q 'tunnel up' "$WORK/client.log"; do
	sleep 0.2; i=$((i+1))
	[ $i -lt 150 ] && kill -0 "$CLIENT" 2>/dev/null || { cat "$WORK/client.log"; log "tunnel did not come up"; exit 1; }
done
bg corp "$WORK/tlsbench" udp-recv -listen 172.16.50.2:9000 -stats "$WORK/recv"; PIDS="$PIDS $LAST"
bg corp iperf3 -s -B 172.16.50.2 >/dev/null 2>&1; PIDS="$PIDS $LAST"
bg lan "$WORK/tlsbench" udp-send -to 172.16.50.2:9000 -pps "$PPS" -size 1000 -stats "$WORK/sent"; PIDS="$PIDS $LAST"

field() { sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p" "$WORK/status.json" 2>/dev/null; }
state() { sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' "$WORK/status.json" 2>/dev/null; }
kib() { awk -v k="$1" '$1==k":" {print $2}' "/proc/$CLIENT/status" 2>/dev/null; }

report() {
	local sent recv rss g
	sent=$(awk '{print $2}' "$WORK/sent" 2>/dev/null || echo 0)
	recv=$(awk '{print $2}' "$WORK/recv" 2>/dev/null || echo 0)
	rss=$(kib VmRSS); g=$(field goroutines)
	printf '%6ss  state %-12s reconnects %-3s udp sent %-7s lost %-6s rss %5s KiB  goroutines %s\n' \
		"$1" "$(state)" "$(field reconnects)" "$sent" "$((sent - recv))" "$rss" "$g"
	R_RSS=$rss; R_G=$g; R_SENT=$sent; R_LOST=$((sent - recv))
	[ "$1" = end ] || echo "$1 $rss $g" >>"$WORK/samples"
}

event() { # n: alternate server restarts and uplink flaps
	if [ $(($1 % 2)) -eq 1 ]; then
		log "event: SSTP server restart"
		kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
		sleep 1
		start_server
	else
		log "event: uplink flap (rwan0 down 3 s)"
		ip netns exec "$P-rtr" ip link set rwan0 down
		sleep 3
		ip netns exec "$P-rtr" ip link set rwan0 up
		ip netns exec "$P-rtr" ip route replace default via 198.51.100.1
	fi
}

log "running ${DURATION}s: UDP ${PPS} pps LAN -> corp, iperf3 bursts, an event every ${EVERY}s"
start=$(date +%s); next_report=30; next_event=$EVERY; n=0; fail=0
BASE_RSS=""; BASE_G=""
while :; do
	t=$(($(date +%s) - start))
	[ "$t" -ge "$DURATION" ] && break
	if ! kill -0 "$CLIENT" 2>/dev/null; then log "sstpgo exited"; tail -20 "$WORK/client.log"; exit 1; fi
	if [ "$t" -ge "$next_event" ]; then n=$((n+1)); event $n; next_event=$((next_event + EVERY)); fi
	if [ "$t" -ge "$next_report" ]; then
		report "$t"
		if [ "$t" -ge 60 ] && [ -z "$BASE_RSS" ] && [ "$(state)" = up ]; then
			BASE_RSS=$R_RSS; BASE_G=$R_G
			log "baseline: rss $BASE_RSS KiB, goroutines $BASE_G"
		fi
		next_report=$((next_report + 30))
	fi
	# a 3 s TCP burst every 20 s keeps the data path under load
	if [ $((t % 20)) -eq 10 ]; then
		ip netns exec "$P-lan" iperf3 -c 172.16.50.2 -t 3 >/dev/null 2>&1 || true
	fi
	sleep 1
done

# let a last reconnect settle, then judge
i=0; while [ "$(state)" != up ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done
sleep 31 # the status file is rewritten every 30 s while up
report end
[ "$(state)" = up ] || { log "FAIL: tunnel not up at the end"; fail=1; }
if [ -n "$BASE_RSS" ]; then
	[ "$R_RSS" -le $((BASE_RSS + RSS_MARGIN)) ] || { log "FAIL: RSS $R_RSS KiB > baseline $BASE_RSS + $RSS_MARGIN"; fail=1; }
	[ "$R_G" -le $((BASE_G + G_MARGIN)) ] || { log "FAIL: goroutines $R_G > baseline $BASE_G + $G_MARGIN"; fail=1; }
else
	log "no baseline (DURATION under a minute?): growth not judged"
fi
log "sstpgo peak RSS $(kib VmHWM) KiB; reconnects $(field reconnects); log lines $(wc -l <"$WORK/client.log")"
log "UDP: $R_SENT datagrams of 1000 bytes sent, $R_LOST lost ($((R_LOST * 1000 / 1024)) KiB), outages included"
# RSS and goroutines over the samples after the first minute: range, and the
# least-squares RSS trend (a leak shows as a steady slope, a plateau as ~0)
trend=$(awk '$1 >= 60 { n++; x += $1; y += $2; xx += $1*$1; xy += $1*$2
		if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2
		if (gmin == "" || $3 < gmin) gmin = $3; if ($3 > gmax) gmax = $3 }
	END { if (n > 2 && n*xx != x*x) { slope = (n*xy - x*y) / (n*xx - x*x) * 3600
		printf "RSS %d-%d KiB over %d samples, trend %+.0f KiB/hour; goroutines %d-%d", min, max, n, slope, gmin, gmax } }' "$WORK/samples")
[ -n "$trend" ] && log "$trend"
[ $fail -eq 0 ] && log "PASS" || log "FAIL"
exit $fail
