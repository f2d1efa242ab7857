#!/bin/sh
# Builds (or removes) the demo topology in network namespaces:
#
#   LAN host ──── router (sstpgo) ──── "internet" ──── SSTP server ──── corporate host
#   PREFIX-lan     PREFIX-rtr                          PREFIX-srv        PREFIX-corp
#   192.168.77.2   192.168.77.1 | 198.51.100.2    198.51.100.1 | 172.16.50.1   172.16.50.2
#                  tunnel: sstp0 (10.0.0.x) ══════════ tun-srv 10.0.0.1
#
# The router masquerades LAN traffic into the tunnel (as a branch-office
# router in front of RRAS usually does), so the corporate host sees it arrive
# from the router's tunnel address.
#
# usage: topology.sh up|down PREFIX
set -eu
cmd=${1:?usage: topology.sh up|down PREFIX}
P=${2:?usage: topology.sh up|down PREFIX}

nsx() { n=$1; shift; ip netns exec "$P-$n" "$@"; }

down() {
	for n in lan rtr srv corp; do
		if ip netns list | grep -q "^$P-$n\b"; then
			for pid in $(ip netns pids "$P-$n" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
			ip netns del "$P-$n" 2>/dev/null || true
		fi
	done
}

veth() { # ns1 if1 addr1 ns2 if2 addr2
	ip link add "$2" netns "$P-$1" type veth peer name "$5" netns "$P-$4"
	nsx "$1" ip addr add "$3" dev "$2"
	nsx "$1" ip link set "$2" up
	nsx "$4" ip addr add "$6" dev "$5"
	nsx "$4" ip link set "$5" up
}

case $cmd in
up)
	down
	for n in lan rtr srv corp; do
		ip netns add "$P-$n"
		nsx "$n" ip link set lo up
	done
	veth lan lan0 192.168.77.2/24 rtr rlan0 192.168.77.1/24
	veth rtr rwan0 198.51.100.2/24 srv swan0 198.51.100.1/24
	veth srv scorp0 172.16.50.1/24 corp corp0 172.16.50.2/24
	nsx lan ip route add default via 192.168.77.1
	nsx rtr ip route add default via 198.51.100.1
	nsx corp ip route add default via 172.16.50.1
	nsx rtr sysctl -qw net.ipv4.ip_forward=1
	nsx srv sysctl -qw net.ipv4.ip_forward=1
	# The "internet" does not route the corporate network: only the tunnel does.
	nsx srv iptables -A FORWARD -i swan0 -o scorp0 -j DROP
	nsx rtr iptables -t nat -A POSTROUTING -o sstp0 -j MASQUERADE
	;;
down)
	down
	;;
*)
	echo "usage: topology.sh up|down PREFIX" >&2
	exit 2
	;;
esac
