# The demo's LAN steps (docs/LAN.md), sourced by scripts/demo.sh after it has
# set P, BIN and WORK: routes the server pushes by DHCP (nobody configures
# 172.16.60.0/24), split DNS for the LAN through a dnsmasq on the router,
# and a file copied from an SMB share by its corporate name. Steps whose
# programs are missing (dnsmasq, smbd, smbclient) say so and are skipped.
# shellcheck shell=sh

# The server answers DHCPINFORM as RRAS relaying to the corporate DHCP does.
LAN_SERVER_ARGS="--dns 172.16.50.2 --dhcp-route 172.16.60.0/24 --dhcp-domain corp.example --dhcp-search corp.example --dhcp-dns 172.16.50.2"
LAN_CLIENT_ARGS="--up-script $(pwd)/examples/dnsmasq-split-dns.sh --down-script $(pwd)/examples/dnsmasq-split-dns.sh"
LAN_CLIENT_ENV="SSTPGO_DNSMASQ_SERVERS=$WORK/dnsmasq-servers.conf SSTPGO_DNSMASQ_PIDFILE=$WORK/dnsmasq-rtr.pid"
LAN_SHARE='' LAN_PIDS=''

lan_have() { command -v "$1" >/dev/null 2>&1; }

# step_lan_setup runs after the topology is up, before the server starts.
step_lan_setup() {
	say "corporate side: a network only DHCP tells about, DNS for corp.example, an SMB share"
	ip -netns "$P-corp" addr add 172.16.60.2/32 dev lo
	ip -netns "$P-srv" route add 172.16.60.0/24 via 172.16.50.2
	if lan_have dnsmasq; then
		# in the foreground, as the demo's own jobs: stopped and reaped by lan_cleanup
		dns() { ns=$1 addr=$2; shift 2
			ip netns exec "$P-$ns" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
				--listen-address "$addr" --user=root --pid-file="$WORK/dnsmasq-$ns.pid" "$@" 2>>"$WORK/dnsmasq.log" &
			LAN_PIDS="$LAN_PIDS $!"; }
		dns corp 172.16.50.2 --local=/corp.example/ --host-record=files.corp.example,172.16.50.2
		dns srv 198.51.100.1 --host-record=www.example.net,198.51.100.80 # the uplink's ("ISP") DNS
		: >"$WORK/dnsmasq-servers.conf"
		# what an admin runs on a Linux router: uplink DNS for everything, and the
		# servers-file examples/dnsmasq-split-dns.sh keeps for the pushed domains
		dns rtr 192.168.77.1 --server=198.51.100.1 --servers-file="$WORK/dnsmasq-servers.conf"
		mkdir -p "/etc/netns/$P-lan"
		echo "nameserver 192.168.77.1" >"/etc/netns/$P-lan/resolv.conf"
		echo "  corporate DNS 172.16.50.2 (corp.example), uplink DNS 198.51.100.1, router dnsmasq 192.168.77.1 for the LAN"
	else
		echo "  (dnsmasq not installed: apt-get install dnsmasq-base; no split DNS in this demo)"
	fi
	if lan_have smbd; then
		LAN_SHARE=$(mktemp -d "${TMPDIR:-/tmp}/sstpgo-share.XXXXXX")
		chmod 755 "$LAN_SHARE"
		mkdir -p "$WORK/smb/private" "$WORK/smb/lock" "$WORK/smb/state" "$WORK/smb/cache" "$WORK/smb/pid" "$WORK/smb/ncalrpc"
		head -c 10485760 /dev/urandom >"$LAN_SHARE/quarterly-report.bin"
		cat >"$WORK/smb/smb.conf" <<-CONF
		[global]
		server role = standalone server
		map to guest = Bad User
		interfaces = 172.16.50.2
		bind interfaces only = yes
		smb ports = 445
		disable netbios = yes
		load printers = no
		printcap name = /dev/null
		private dir = $WORK/smb/private
		lock directory = $WORK/smb/lock
		state directory = $WORK/smb/state
		cache directory = $WORK/smb/cache
		pid directory = $WORK/smb/pid
		ncalrpc dir = $WORK/smb/ncalrpc
		log file = $WORK/smb/log
		[share]
		path = $LAN_SHARE
		guest ok = yes
		read only = yes
		CONF
		ip netns exec "$P-corp" smbd --foreground -s "$WORK/smb/smb.conf" >"$WORK/smbd.log" 2>&1 &
		LAN_PIDS="$LAN_PIDS $!"
		echo "  SMB share //files.corp.example/share on the corporate host (10 MB quarterly-report.bin)"
	else
		echo "  (samba not installed: apt-get install samba smbclient; no file share in this demo)"
	fi
}

# step_lan runs once the tunnel is up.
step_lan() {
	say "routes the server pushed by DHCP (DHCPINFORM through the tunnel, as Windows does)"
	i=0; until grep -q 'pushed by the server\|no DHCP answer' "$WORK/client.log" || [ $i -gt 50 ]; do sleep 0.2; i=$((i+1)); done
	grep 'pushed by the server\|no DHCP answer' "$WORK/client.log" | sed 's/^/  sstpgo | /'
	ip -netns "$P-rtr" route show dev sstp0 | sed 's/^/  route: /'
	echo "  the LAN host reaches 172.16.60.2, on a network nobody configured:"
	ip netns exec "$P-lan" ping -c 2 -i 0.3 172.16.60.2 | sed 's/^/  /'

	if lan_have dnsmasq; then
		say "split DNS on the LAN: corp.example through the tunnel, the rest through the uplink"
		i=0; until [ -s "$WORK/dnsmasq-servers.conf" ] || [ $i -gt 50 ]; do sleep 0.2; i=$((i+1)); done
		sed 's/^/  router dnsmasq servers-file: /' "$WORK/dnsmasq-servers.conf"
		for name in files.corp.example www.example.net; do
			printf '  LAN host: %-20s -> %s\n' "$name" "$(ip netns exec "$P-lan" getent ahostsv4 "$name" | awk 'NR==1 {print $1}')"
		done
	fi

	if lan_have smbd && lan_have smbclient && lan_have dnsmasq; then
		say "LAN host copies a file from the corporate SMB share by its name"
		i=0; until ip netns exec "$P-corp" sh -c 'exec 3<>/dev/tcp/172.16.50.2/445' 2>/dev/null || [ $i -gt 50 ]; do sleep 0.2; i=$((i+1)); done
		ip netns exec "$P-lan" smbclient //files.corp.example/share -N -s /dev/null \
			-c "get quarterly-report.bin $WORK/copied.bin" 2>&1 | sed 's/^/  smbclient | /'
		echo "  sha256 on the share:   $(sha256sum <"$LAN_SHARE/quarterly-report.bin" | cut -c1-16)…"
		echo "  sha256 of the copy:    $(sha256sum <"$WORK/copied.bin" | cut -c1-16)…"
	fi
	echo "  (the TCP MSS of every connection through the tunnel is clamped to its MTU: see TestLANMSSClampPMTUBlackhole)"
}

# lan_cleanup stops the servers step_lan_setup started (SIGTERM: samba and
# dnsmasq end their own children) and removes what it put outside the
# namespaces and WORK.
lan_cleanup() {
	for pid in $LAN_PIDS; do stop "$pid"; done
	rm -rf "/etc/netns/$P-lan"
	[ -n "$LAN_SHARE" ] && rm -rf "$LAN_SHARE"
	return 0
}
