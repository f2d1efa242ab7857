#!/bin/sh
# Split DNS for the LAN behind a Linux router running sstpgo and dnsmasq:
# names under the corporate domains go to the tunnel's DNS servers, all
# others to the uplink's as before. Use it as both hooks:
#
#   sstpgo connect ... --up-script /etc/sstpgo/dnsmasq-split-dns.sh \
#                      --down-script /etc/sstpgo/dnsmasq-split-dns.sh
#
# and give dnsmasq the file it writes (dnsmasq rereads a servers-file on
# SIGHUP; conf-file and conf-dir only at start):
#
#   # /etc/dnsmasq.d/sstpgo.conf
#   servers-file=/run/sstpgo/dnsmasq-servers.conf
#
# The domains are those the server pushes by DHCP (DNSSEARCH: option 119,
# else 15), or SPLIT_DOMAINS when set (space-separated, for servers that
# push none); the servers are the tunnel's (DNS1, DNS2). When the tunnel
# goes down, or nothing was pushed, the file is emptied: dnsmasq then
# answers those names from the uplink's DNS again.
#
# SSTPGO_DNSMASQ_SERVERS and SSTPGO_DNSMASQ_PIDFILE override the paths
# (defaults below, Debian's dnsmasq pid file).
servers=${SSTPGO_DNSMASQ_SERVERS:-/run/sstpgo/dnsmasq-servers.conf}
pidfile=${SSTPGO_DNSMASQ_PIDFILE:-/run/dnsmasq/dnsmasq.pid}
domains=${SPLIT_DOMAINS:-$DNSSEARCH}

mkdir -p "$(dirname "$servers")"
tmp="$servers.$$"
: >"$tmp"
if [ -n "$DNS1" ] && [ -n "$domains" ]; then
	for d in $domains; do
		for s in $DNS1 $DNS2; do
			echo "server=/$d/$s" >>"$tmp"
		done
	done
fi
if cmp -s "$tmp" "$servers"; then
	rm -f "$tmp"
	exit 0
fi
mv -f "$tmp" "$servers"
[ -s "$pidfile" ] && kill -HUP "$(cat "$pidfile")"
exit 0
