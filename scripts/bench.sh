#!/usr/bin/env bash
# Performance of sstpgo on the demo topology (scripts/topology.sh), in one run:
# iperf3 goodput LAN host -> corporate host through the tunnel (after a first
# second left out for slow start), a raw TLS
# stream over the same router -> server link for comparison (scripts/tlsbench),
# their ratio, sstpgo's peak and steady RSS, CPU time per MB moved, and the
# time from start to "tunnel up" counted in round trips over a link with added
# delay (tlsbench delay-proxy: this kernel has no netem). mipsle and arm7
# builds run the same goodput test under qemu-user when it is installed.
# Prints a Markdown table (the README's Performance section).
#
# Root only; run through `make bench` (which builds bin/ first). Bounded to
# about three minutes; idempotent; removes the topology on exit.
# Knobs: BENCH_SECONDS (5), BENCH_ROUNDS (3), BENCH_DELAY_MS (50), BENCH_ARCHES ("mipsle arm"), BENCH_WAN (100mbit),
# BENCH_PREFIX (sgbench), SSTPGO / SSTPTEST_SERVER (binaries, default bin/).
set -euo pipefail
cd "$(dirname "$0")/.."
P=${BENCH_PREFIX:-sgbench}
SECS=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
DELAY_MS=${BENCH_DELAY_MS:-50}
ARCHES=${BENCH_ARCHES-mipsle arm}
WAN=${BENCH_WAN:-100mbit}
SSTPGO=${SSTPGO:-$(pwd)/bin/sstpgo}
SERVER=${SSTPTEST_SERVER:-$(pwd)/bin/sstptest-server}
WORK=$(mktemp -d)
PIDS=""
export CGO_ENABLED=0

[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces, TUN)" >&2; exit 2; }
for c in ip iptables iperf3 awk tc; do
	command -v $c >/dev/null || { echo "bench: needs $c" >&2; exit 2; }
done
[ -x "$SSTPGO" ] && [ -x "$SERVER" ] || { echo "bench: build first (make bench)" >&2; exit 2; }

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	./scripts/topology.sh down "$P" || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { n=$1; shift; ip netns exec "$P-$n" "$@"; }
# bg NS CMD...: start CMD in namespace NS in the background; LAST is its pid
# (ip netns exec execs the command, so the pid is the command's own).
bg() { local ns=$1; shift; ip netns exec "$P-$ns" "$@" & PIDS="$PIDS $!"; LAST=$!; }
log() { echo "bench: $*" >&2; }

# qemu_for ARCH: the qemu-user binary for an arch, "" for the native one.
qemu_for() {
	case $1 in
	native) echo "" ;;
	mipsle) command -v qemu-mipsel-static || true ;;
	arm) command -v qemu-arm-static || true ;;
	esac
}

build() {
	go build -trimpath -o "$WORK/tlsbench-native" ./scripts/tlsbench
	for a in $ARCHES; do
		case $a in
		mipsle) env="GOARCH=mipsle GOMIPS=softfloat" ;;
		arm) env="GOARCH=arm GOARM=7" ;;
		*) log "unknown arch $a"; exit 2 ;;
		esac
		# shellcheck disable=SC2046 # the router build's flags, as shipped
		env GOOS=linux $env go build $(./scripts/goflags.sh) -ldflags '-s -w' -o "$WORK/sstpgo-$a" .
		env GOOS=linux $env go build -trimpath -o "$WORK/tlsbench-$a" ./scripts/tlsbench
	done
	# Written past the page cache (O_DIRECT), so that sstpgo runs from clean,
	# reclaimable pages as it does on an installed router: freshly written
	# ext4 pages stay tied to the journal for a while, and the kernel would
	# not page out sstpgo's start-up code (memtrim.go) from them.
	dd if="$SSTPGO" of="$WORK/sstpgo-native" bs=1M oflag=direct status=none
	chmod +x "$WORK/sstpgo-native"
}

# delay_proxy: (re)start the delay proxy; DPROXY is its pid.
delay_proxy() {
	bg srv "$WORK/tlsbench-native" delay-proxy -listen 198.51.100.1:8443 \
		-upstream 198.51.100.1:443 -delay "${DELAY_MS}ms"
	DPROXY=$LAST
}

setup() {
	./scripts/topology.sh up "$P"
	# The same relay without delay: what a start costs apart from round trips.
	bg srv "$WORK/tlsbench-native" delay-proxy -listen 198.51.100.1:8444 -upstream 198.51.100.1:443 -delay 0s
	bg srv "$SERVER" --listen 198.51.100.1:443 --personality rras --user alice:correct-horse \
		--cert-out "$WORK" --hostname vpn.example.test --server-ip 10.0.0.1 --pool 10.0.0.0/24 \
		--tun tun-srv --log-level warn
	bg srv "$WORK/tlsbench-native" server -listen 198.51.100.1:4433
	delay_proxy
	bg corp iperf3 -s -B 172.16.50.2 >"$WORK/iperf3-server.log" 2>&1
	umask 077; printf 'correct-horse\n' >"$WORK/password"; umask 022
	i=0; while [ ! -s "$WORK/ca.pem" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
}

# start ARCH PORT [RECONNECT]: run sstpgo in the router; sets CLIENT (pid) and CLOG.
# --page-out-after 1s instead of 10 minutes, so that the steady RSS measured
# after a few seconds is the one a long-lived tunnel has.
start() {
	CLOG=$WORK/client-$1-$2.log
	# shellcheck disable=SC2046
	bg rtr $(qemu_for "$1") "$WORK/sstpgo-$1" connect --server "198.51.100.1:$2" \
		--sni vpn.example.test --ca-cert "$WORK/ca.pem" --user alice --password-file "$WORK/password" \
		--route 172.16.50.0/24 --reconnect="${3:-false}" --page-out-after 1s >"$CLOG" 2>&1
	CLIENT=$LAST
}

# wait_up: poll for "tunnel up" every 10 ms, up to 60 s.
wait_up() {
	i=0
	until grep -q 'tunnel up' "$CLOG" 2>/dev/null; do
		sleep 0.01; i=$((i+1))
		if [ $i -gt 6000 ] || ! kill -0 "$CLIENT" 2>/dev/null; then
			cat "$CLOG" >&2; log "tunnel did not come up"; exit 1
		fi
	done
}

stop() { kill "$CLIENT" 2>/dev/null || true; wait "$CLIENT" 2>/dev/null || true; }

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
kib() { awk -v k="$2" '$1==k":" {print $2}' "/proc/$1/status"; }

# goodput_once ARCH: one tunnel transfer then one raw TLS transfer; appends
# "tunnel raw ratio cpu rawcpu" to $WORK/rounds and sets G_HWM/G_RSS/G_ANON/G_CIPHER.
goodput_once() {
	start "$1" 443
	wait_up
	sleep 0.3
	local t0 t1 raw tun cpu
	t0=$(cpu_ticks "$CLIENT")
	tun=$(nsx lan iperf3 -c 172.16.50.2 -O 1 -t "$SECS" -f m | awk '/receiver/ {print $(NF-2)}')
	t1=$(cpu_ticks "$CLIENT")
	sleep 1
	G_HWM=$(kib "$CLIENT" VmHWM); G_RSS=$(kib "$CLIENT" VmRSS); G_ANON=$(kib "$CLIENT" RssAnon)
	# CPU ms per MB of goodput: utime+stime ticks over the transfer.
	cpu=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v mbit="$tun" -v s="$SECS" \
		'BEGIN {mb = mbit*s/8; if (mb > 0) printf "%.2f", d/hz*1000/mb; else print "n/a"}')
	stop
	# shellcheck disable=SC2046
	raw=$(nsx rtr $(qemu_for "$1") "$WORK/tlsbench-$1" client -connect 198.51.100.1:4433 -duration "${SECS}s")
	G_CIPHER=$(echo "$raw" | awk '{print $4}')
	echo "$raw" | awk -v t="$tun" -v c="$cpu" '{
		r = $3*8; rc = ($1 > 0) ? sprintf("%.2f", $5*1000/($1/1e6)) : "n/a"
		printf "%s %.0f %.3f %s %s\n", t, r, (r > 0) ? t/r : 0, c, rc
	}' >>"$WORK/rounds"
}

# goodput ARCH: BENCH_ROUNDS alternating tunnel / raw TLS pairs, so drift in
# the machine's speed hits both sides of each ratio; fills G_* with the
# medians (G_RATIO is the median of the per-round ratios).
goodput() {
	: >"$WORK/rounds"
	for _ in $(seq "$ROUNDS"); do goodput_once "$1"; done
	log "$1 rounds (tunnel raw ratio cpu rawcpu): $(tr '\n' ';' <"$WORK/rounds")"
	med() { awk -v k="$1" '{print $k}' "$WORK/rounds" | sort -g | awk '{v[NR] = $1} END {print v[int((NR+1)/2)]}'; }
	G_TUN=$(med 1); G_RAW=$(med 2); G_RATIO=$(med 3); G_CPU=$(med 4); G_RAWCPU=$(med 5)
}

# wan RATE|off: shape the router's uplink (egress, the direction measured).
wan() {
	if [ "$1" = off ]; then
		nsx rtr tc qdisc del dev rwan0 root 2>/dev/null || true
	else
		nsx rtr tc qdisc replace dev rwan0 root tbf rate "$1" burst 64kb latency 50ms
	fi
}

# uptime_ms PORT: five starts through the delay proxy on PORT (8443 delayed,
# 8444 not); prints "min median" in ms.
# The minimum is the protocol's own cost; load on the machine only adds.
uptime_ms() {
	local runs=""
	for _ in 1 2 3 4 5; do
		start native "$1"
		t0=$(date +%s%N)
		wait_up
		t1=$(date +%s%N)
		stop
		runs="$runs $(((t1 - t0) / 1000000))"
	done
	echo $runs | tr ' ' '\n' | sort -n | awk 'NR == 1 {m = $1} NR == 3 {print m, $1}'
}

# reconnect_ms: one sstpgo through the delay proxy; the proxy is killed and
# restarted five times, and each reconnect is timed from its attempt's first
# log line ("DNS ok", after the backoff wait) to "tunnel up", from sstpgo's own
# millisecond timestamps. Prints "min median" in ms.
reconnect_ms() {
	start native 8443 true
	wait_up
	for i in 1 2 3 4 5; do
		kill "$DPROXY"; wait "$DPROXY" 2>/dev/null || true
		delay_proxy
		local n=0
		until [ "$(grep -c 'tunnel up' "$CLOG")" -gt "$i" ]; do
			sleep 0.05; n=$((n+1))
			[ $n -lt 600 ] || { cat "$CLOG" >&2; log "no reconnect"; exit 1; }
		done
	done
	stop
	grep -q 'session resumed' "$CLOG" || log "reconnects did not resume the TLS session"
	awk '
		function ms(line,   t) { match(line, /T[0-9:.]+Z/); t = substr(line, RSTART+1, RLENGTH-2); split(t, p, ":"); return (p[1]*3600 + p[2]*60 + p[3]) * 1000 }
		/msg="DNS ok"/ { start = ms($0) }
		/msg="tunnel up"/ { if (seen++) print ms($0) - start }
	' "$CLOG" | sort -n | awk '{v[NR] = $1} END {print v[1], v[int((NR+1)/2)]}'
}

row() { # label link tun raw cpu rawcpu hwm rss anon (and G_CIPHER, G_RATIO)
	awk -v l="$1" -v k="$2" -v t="$3" -v r="$4" -v c="$5" -v rc="$6" -v h="$7" -v s="$8" -v a="$9" -v cs="${G_CIPHER#TLS_}" -v q="$G_RATIO" 'BEGIN {
		ratio = (q > 0) ? sprintf("%.2f", q) : "n/a"
		cr = (c > 0 && rc > 0) ? sprintf("%.2f", rc/c) : "n/a"
		mem = (h != "") ? sprintf("%.1f / %.1f MiB (%.1f anon)", h/1024, s/1024, a/1024) : "–"
		printf "| %s | %s | %s | %s | %s | **%s** | %s | %s | **%s** | %s |\n", l, k, cs, t, r, ratio, c, rc, cr, mem
	}'
}

log "building tlsbench and the cross binaries"
build
log "topology $P, server, raw TLS sink, delay proxy, iperf3"
setup
echo "| build | link | cipher | tunnel Mbit/s (iperf3) | raw TLS Mbit/s | goodput ratio | tunnel CPU ms/MB | raw TLS CPU ms/MB | CPU ratio | sstpgo RSS peak / steady (heap+stacks) |" >"$WORK/table"
echo "|---|---|---|---|---|---|---|---|---|---|" >>"$WORK/table"
NATIVE="$(go env GOARCH) native"
log "native goodput (${SECS}s iperf3, ${SECS}s raw TLS)"
goodput native
row "$NATIVE" "veth" "$G_TUN" "$G_RAW" "$G_CPU" "$G_RAWCPU" "$G_HWM" "$G_RSS" "$G_ANON" >>"$WORK/table"
log "native goodput, uplink shaped to $WAN"
wan "$WAN"
goodput native
wan off
row "$NATIVE" "$WAN uplink" "$G_TUN" "$G_RAW" "$G_CPU" "$G_RAWCPU" "$G_HWM" "$G_RSS" "$G_ANON" >>"$WORK/table"
for a in $ARCHES; do
	if [ -z "$(qemu_for "$a")" ]; then log "no qemu-user for $a: skipped"; continue; fi
	log "$a under qemu-user"
	goodput "$a"
	row "$a (qemu-user)" "veth" "$G_TUN" "$G_RAW" "$G_CPU" "$G_RAWCPU" "" "" "" >>"$WORK/table"
done
log "time to tunnel up with ${DELAY_MS} ms one-way delay"
UP=$(uptime_ms 8443)
UP0=$(uptime_ms 8444)
log "time to tunnel up again after the connection drops"
reconnect_ms >"$WORK/reconnect" # not in a subshell: it restarts the proxy, whose pid cleanup needs
RE=$(cat "$WORK/reconnect")
RTT=$((2 * DELAY_MS))

echo
cat "$WORK/table"
echo
echo "$UP $UP0" | awk -v r="$RTT" '{printf "Time from start to tunnel up: %.1f round trips (%d ms at RTT %d ms; best of 5, median %.1f RTT). Without the delay a start takes %d ms (process start, TUN device, key exchange and certificate check), so the protocol itself needs %.1f round trips.\n", $1/r, $1, r, $2/r, $3, ($1-$3)/r}'
echo "$RE" | awk -v r="$RTT" '{printf "Reconnect (TLS session resumed, old address asked for): %.1f round trips (%d ms; best of 5, median %.1f RTT).\n", $1/r, $1, $2/r}'
echo "Linux $(uname -r), $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), every host in a namespace on this one machine; medians of ${ROUNDS} alternating ${SECS}s tunnel / raw TLS transfers; $(go version | awk '{print $3}')."
