#!/bin/sh
# netifd protocol handler "sstp" for sstpgo, a drop-in replacement for the
# sstp-client handler: it accepts all of sstp-client's UCI options plus
# sstpgo's own (certificate checks, EAP-TLS client certificates, auth
# methods, routes, proxy, dead-peer detection).
#
# netifd runs it as "sstp.sh sstp setup|teardown <iface> '<json>'" from
# /lib/netifd/proto under busybox ash. The daemon reports addresses, DNS and
# routes through /lib/netifd/sstpgo-up after each (re)connect and the loss
# of a session through /lib/netifd/sstpgo-down (netifd applies defaultroute,
# peerdns, metric and the firewall zone itself).
#
# What netifd does once sstpgo exits: it runs teardown with ERROR set to the
# exit code and then setup again at once, unless the handler blocked the
# restart. Every exit code has its answer here (proto_sstp_teardown); a
# restart waits 5 s, 10 s, 20 s ... up to 5 min after failures in a row:
#   ERROR  sstpgo                                error code           restart
#   unset  still running (ifdown, uplink down)   -                    netifd's call, no wait
#   0      killed by a signal                    -                    after the wait
#   1      internal error (TUN device, ...)      INTERNAL_ERROR 1     after the wait
#   2      options rejected (a Go panic too)     INVALID_OPTIONS      blocked
#   3      authentication rejected               AUTH_FAILED          blocked; authfail 0: after the wait
#   4      server certificate rejected           CERT_FAILED <sha256> blocked
#   5      unreachable (not when reconnecting)   CONNECT_FAILED       after the wait
#   other  exec failure (126, 127), ...          INTERNAL_ERROR <n>   after the wait
# Setup itself raises MISSING_PEER_ADDRESS (no server), INVALID_IFNAME
# (sstp-<iface> over 15 bytes) and INVALID_OPTIONS (blocked), and
# PEER_RESOLVE_FAIL <host> (retried after 5 s). lasterror keeps the last
# error shown while netifd retries.

[ -x /usr/sbin/sstpgo ] || exit 0

[ -n "$INCLUDE_ONLY" ] || {
	. /lib/functions.sh
	. ../netifd-proto.sh
	init_proto "$@"
}

SSTPGO_BIN=/usr/sbin/sstpgo
SSTPGO_UP=/lib/netifd/sstpgo-up
SSTPGO_DOWN=/lib/netifd/sstpgo-down
SSTPGO_RUNDIR=/var/etc
SSTPGO_STATEDIR=/var/run

proto_sstp_init_config() {
	# options of the sstp-client handler
	proto_config_add_string server
	proto_config_add_int port
	proto_config_add_string username
	proto_config_add_string password
	proto_config_add_string log_level
	proto_config_add_int mtu
	proto_config_add_boolean ipv6
	proto_config_add_boolean defaultroute
	proto_config_add_boolean peerdns
	proto_config_add_int metric
	proto_config_add_string sstp_options
	proto_config_add_string pppd_options
	# sstpgo's own
	proto_config_add_string ca_cert
	proto_config_add_string pin_sha256
	proto_config_add_boolean insecure
	proto_config_add_boolean require_pfs
	proto_config_add_string sni
	proto_config_add_string auth
	proto_config_add_array routes
	proto_config_add_string proxy
	proto_config_add_string proxy_password
	proto_config_add_string client_cert
	proto_config_add_string client_key
	proto_config_add_string eap_ca
	proto_config_add_string eap_server_name
	proto_config_add_int echo_interval
	proto_config_add_int echo_timeout
	proto_config_add_string tunlink
	# ppp.sh's: 1 (here the default) blocks restarts after an
	# authentication failure, 0 retries with the backoff
	proto_config_add_boolean authfail
	# LAN features (docs/LAN.md)
	proto_config_add_boolean pushed_routes
	proto_config_add_boolean mss_clamp
	proto_config_add_string zone
	available=1
	no_device=1
	lasterror=1
}

sstp_log() {
	logger -t "sstp-$config" -p daemon.notice "$*"
}

# sstp_file CONFIG NAME: where the handler keeps file NAME of CONFIG
# (password, PEM text given in UCI) while it is up.
sstp_file() {
	echo "$SSTPGO_RUNDIR/sstpgo-$1.$2"
}

# the files sstp_file may create, all removed at teardown
SSTP_FILES="pass proxy.pass ca.pem cert.pem key.pem eapca.pem"

# sstp_state CONFIG NAME: a state file of CONFIG that outlives one setup:
# json (sstpgo's --status-file), retry (failures in a row), hosts (the
# addresses pinned with a host dependency; sstpgo-up adds to it).
sstp_state() {
	echo "$SSTPGO_STATEDIR/sstpgo-$1.$2"
}

# sstp_block CONFIG CODE MESSAGE: a setup error no retry can fix.
sstp_block() {
	sstp_log "$3"
	proto_notify_error "$1" "$2"
	proto_block_restart "$1"
	proto_setup_failed "$1"
}

# sstp_backoff CONFIG: wait before starting sstpgo again after failures in
# a row (netifd itself restarts at once): 5 s, doubling, at most 5 min.
sstp_backoff() {
	local n s=5 i=1
	read -r n 2>/dev/null < "$(sstp_state "$1" retry)"
	case "$n" in
	""|*[!0-9]*|0) return 0 ;;
	esac
	while [ "$i" -lt "$n" ] && [ "$s" -lt 300 ]; do
		s=$((s * 2))
		i=$((i + 1))
	done
	[ "$s" -le 300 ] || s=300
	sstp_log "$n failures in a row: starting sstpgo in ${s}s"
	sleep "$s"
}

# sstp_failed CONFIG: count one more failure for sstp_backoff.
sstp_failed() {
	local f n
	f="$(sstp_state "$1" retry)"
	read -r n 2>/dev/null < "$f"
	case "$n" in
	""|*[!0-9]*) n=0 ;;
	esac
	mkdir -p "$SSTPGO_STATEDIR"
	echo $((n + 1)) > "$f"
}

# sstp_rejected_cert CONFIG: the SHA-256 of the certificate sstpgo rejected,
# from its status file (hex and colons only).
sstp_rejected_cert() {
	sed -n 's/.*"rejected_certificate_sha256":"\([0-9A-Fa-f:]*\)".*/\1/p' "$(sstp_state "$1" json)" 2>/dev/null
}

# sstp_remove_files CONFIG: remove the files sstp_file may have written.
sstp_remove_files() {
	local f
	for f in $SSTP_FILES; do
		rm -f "$(sstp_file "$1" "$f")"
	done
}

# sstp_write_secret FILE VALUE: write VALUE to FILE readable by root only.
# The password never goes on a command line (ps, netifd's log): printf is a
# busybox ash builtin, so no process ever has it in its argv.
sstp_write_secret() {
	mkdir -p "$SSTPGO_RUNDIR"
	rm -f "$1"
	(umask 077 && printf '%s' "$2" > "$1")
}

# sstp_pem VALUE FILE: print the path of a PEM file for VALUE, which is a
# path or PEM text; PEM text is written to FILE (0600) first. Only the
# path is printed, so no key or certificate ever reaches a command line.
sstp_pem() {
	case "$1" in
	*-----BEGIN\ *)
		sstp_write_secret "$2" "$1"
		echo "$2" ;;
	*) echo "$1" ;;
	esac
}

# sstp_resolve HOST: print the addresses of HOST, one a line (a literal
# address as it is); fails when there is none.
sstp_resolve() {
	case "$1" in
	*:*|*[!0-9.]*) ;;
	*) echo "$1"; return 0 ;;
	esac
	case "$1" in
	*:*) echo "$1"; return 0 ;;
	esac
	command -v resolveip > /dev/null || return 2
	resolveip -t 5 "$1" 2>/dev/null | grep .
}

# sstp_log_level LEVEL: sstp-client used numbers 0-4; sstpgo takes names.
sstp_log_level() {
	case "$1" in
	0) echo error ;;
	1) echo warn ;;
	2) echo info ;;
	[3-9]) echo debug ;;
	debug|info|warn|error) echo "$1" ;;
	*) sstp_log "unknown log_level '$1', using info"; echo info ;;
	esac
}

# sstp_map_sstp_options OPTS: translate sstpc command line options where
# sstpgo has an equivalent; the rest are logged and dropped.
sstp_map_sstp_options() {
	set -- $1
	while [ $# -gt 0 ]; do
		case "$1" in
		--cert-warn)
			sstp_log "sstp_options --cert-warn: certificate NOT verified (insecure)"
			append args "--insecure-skip-verify" ;;
		--ca-cert)
			[ -n "$2" ] && { append args "--ca-cert $2"; shift; } ;;
		--proxy)
			[ -n "$2" ] && { append args "--proxy $2"; shift; } ;;
		--log-level)
			[ -n "$2" ] && { append args "--log-level $(sstp_log_level "$2")"; shift; } ;;
		--ca-path|--uuid|--ipparam|--log-filename|--priority|--user|--password)
			sstp_log "sstp_options $1 is not supported by sstpgo, ignored"
			[ -n "$2" ] && shift ;;
		*)
			sstp_log "sstp_options $1 is not supported by sstpgo, ignored" ;;
		esac
		shift
	done
}

# sstp_map_pppd_options OPTS: the pppd options that have a meaning for
# sstpgo's own PPP stack; netifd-level ones and the rest are logged.
sstp_map_pppd_options() {
	local refuse="" require=""
	set -- $1
	while [ $# -gt 0 ]; do
		case "$1" in
		mtu|mru)
			[ -n "$2" ] && { pppd_mtu="$2"; shift; } ;;
		lcp-echo-interval)
			[ -n "$2" ] && { pppd_echo_interval="$2"; shift; } ;;
		lcp-echo-failure)
			[ -n "$2" ] && { pppd_echo_failure="$2"; shift; } ;;
		debug) pppd_debug=1 ;;
		+ipv6) pppd_ipv6=1 ;;
		noipv6|-ipv6) pppd_ipv6=0 ;;
		refuse-pap) refuse="$refuse pap" ;;
		refuse-chap) refuse="$refuse chap" ;;
		refuse-mschap-v2) refuse="$refuse mschapv2" ;;
		refuse-eap) refuse="$refuse eap" ;;
		require-pap) require="$require pap" ;;
		require-chap) require="$require chap" ;;
		require-mschap-v2) require="$require mschapv2" ;;
		require-eap) require="$require eap" ;;
		defaultroute|nodefaultroute|usepeerdns|replacedefaultroute)
			sstp_log "pppd_options $1: use the interface options defaultroute/peerdns instead, ignored" ;;
		*)
			sstp_log "pppd_options $1 has no sstpgo equivalent, ignored" ;;
		esac
		shift
	done
	pppd_auth=""
	local m
	if [ -n "$require" ]; then
		for m in $require; do pppd_auth="${pppd_auth:+$pppd_auth,}$m"; done
	elif [ -n "$refuse" ]; then
		for m in mschapv2 eap chap pap; do
			list_contains refuse "$m" || pppd_auth="${pppd_auth:+$pppd_auth,}$m"
		done
	fi
}

proto_sstp_setup() {
	local config="$1"
	# option values are data: no word of them may turn into file names
	set -f
	local server port username password log_level mtu ipv6 peerdns defaultroute
	local sstp_options pppd_options ca_cert pin_sha256 insecure sni auth proxy
	local echo_interval echo_timeout tunlink routes proxy_password
	local client_cert client_key eap_ca eap_server_name require_pfs
	json_get_vars server port username password log_level mtu ipv6 peerdns defaultroute
	json_get_vars sstp_options pppd_options ca_cert pin_sha256 insecure sni auth proxy
	json_get_vars echo_interval echo_timeout tunlink proxy_password
	json_get_vars client_cert client_key eap_ca eap_server_name require_pfs
	json_get_values routes routes

	# args collects words mapped from sstp_options/pppd_options (which were
	# split on spaces already); values from UCI go into "$@" one by one.
	local args="" pppd_mtu="" pppd_echo_interval="" pppd_echo_failure=""
	local pppd_debug="" pppd_ipv6="" pppd_auth=""

	if [ -z "$server" ]; then
		sstp_block "$config" MISSING_PEER_ADDRESS "no server configured"
		return 1
	fi
	# the kernel takes 15 bytes; sstpgo would exit 1 and netifd restart it
	# at once, forever
	local ifname="sstp-$config"
	if [ "${#ifname}" -gt 15 ]; then
		sstp_block "$config" INVALID_IFNAME "interface name $ifname is longer than 15 bytes: give the interface a name of at most 10 characters"
		return 1
	fi
	# EAP-TLS needs the certificate and its key; the EAP server checks
	# mean nothing without them. sstpgo would refuse too (exit 2), but
	# only after the server route and a restart.
	case "${client_cert:+c}${client_key:+k}${eap_ca:+e}${eap_server_name:+e}" in
	""|ck*) ;;
	*)
		sstp_block "$config" INVALID_OPTIONS "client_cert and client_key go together; eap_ca and eap_server_name need both"
		return 1 ;;
	esac

	sstp_backoff "$config"

	# a server given as host:port or [v6]:port keeps its own port
	case "$server" in
	\[*\]:*) port="${server##*:}"; server="${server%:*}" ;;
	*:*:*) server="[$server]" ;;
	*:*) port="${server##*:}"; server="${server%:*}" ;;
	esac
	local host="${server#[}"
	host="${host%]}"

	[ -n "$sstp_options" ] && sstp_map_sstp_options "$sstp_options"
	[ -n "$pppd_options" ] && sstp_map_pppd_options "$pppd_options"

	set -- connect --server "$server:${port:-443}" --ifname "$ifname" \
		--netifd --up-script "$SSTPGO_UP" --down-script "$SSTPGO_DOWN" \
		--status-file "$(sstp_state "$config" json)" --reconnect=true
	[ -n "$username" ] && set -- "$@" --user "$username"

	# the password never goes on a command line (ps, netifd's log); with a
	# client certificate it is optional, and sstpgo refuses an empty file
	if [ -n "$password" ] || [ -z "$client_cert" ]; then
		local pwfile
		pwfile="$(sstp_file "$config" pass)"
		sstp_write_secret "$pwfile" "$password"
		set -- "$@" --password-file "$pwfile"
	fi

	[ -n "$ca_cert" ] && set -- "$@" --ca-cert "$(sstp_pem "$ca_cert" "$(sstp_file "$config" ca.pem)")"
	[ -n "$pin_sha256" ] && set -- "$@" --pin-sha256 "$(echo "$pin_sha256" | tr -d ':')"
	if [ "$insecure" = 1 ]; then
		sstp_log "insecure=1: the server certificate is NOT verified; anyone on the path can read the password"
		set -- "$@" --insecure-skip-verify
	fi
	if [ "$require_pfs" = 1 ]; then
		set -- "$@" --require-forward-secrecy
	fi
	[ -n "$sni" ] && set -- "$@" --sni "$sni"

	# EAP-TLS (checked above: both or neither)
	if [ -n "$client_cert" ]; then
		set -- "$@" --client-cert "$(sstp_pem "$client_cert" "$(sstp_file "$config" cert.pem)")" \
			--client-key "$(sstp_pem "$client_key" "$(sstp_file "$config" key.pem)")"
		[ -n "$eap_ca" ] && set -- "$@" --eap-ca "$(sstp_pem "$eap_ca" "$(sstp_file "$config" eapca.pem)")"
		[ -n "$eap_server_name" ] && set -- "$@" --eap-server-name "$eap_server_name"
	fi

	[ -n "$auth" ] || auth="$pppd_auth"
	[ -n "$auth" ] && set -- "$@" --auth "$auth"

	[ -n "$mtu" ] || mtu="$pppd_mtu"
	[ -n "$mtu" ] && set -- "$@" --mtu "$mtu"
	[ -n "$ipv6" ] || ipv6="$pppd_ipv6"
	[ "$ipv6" = 1 ] && set -- "$@" --ipv6

	if [ -n "$log_level" ]; then
		set -- "$@" --log-level "$(sstp_log_level "$log_level")"
	elif [ -n "$pppd_debug" ]; then
		set -- "$@" --log-level debug
	fi

	local r
	for r in $routes; do
		set -- "$@" --route "$r"
	done
	[ -n "$proxy" ] && set -- "$@" --proxy "$proxy"
	if [ -n "$proxy_password" ]; then
		local ppfile
		ppfile="$(sstp_file "$config" proxy.pass)"
		sstp_write_secret "$ppfile" "$proxy_password"
		set -- "$@" --proxy-password-file "$ppfile"
	fi

	if [ -z "$echo_interval" ] && [ -n "$pppd_echo_interval" ]; then
		echo_interval="$pppd_echo_interval"
		[ -n "$pppd_echo_failure" ] && [ -z "$echo_timeout" ] &&
			echo_timeout=$((pppd_echo_interval * pppd_echo_failure))
	fi
	[ -n "$echo_interval" ] && set -- "$@" --echo-interval "${echo_interval}s"
	[ -n "$echo_timeout" ] && set -- "$@" --echo-timeout "${echo_timeout}s"

	# $args: words from sstp_options, split on purpose
	set -- "$@" $args
	# netifd runs a command of at most 63 words (the binary too) and drops a
	# longer one without a word
	if [ $# -gt 62 ]; then
		sstp_block "$config" INVALID_OPTIONS "$(($# + 1)) words for sstpgo, netifd starts at most 63: fewer routes"
		sstp_remove_files "$config"
		return 1
	fi

	# pin the route to the server on the uplink so the tunnel's own packets
	# never enter the tunnel; netifd follows the uplink up and down. sstpgo
	# gets the name and resolves it again on every reconnect (a DDNS server
	# that moved comes back); sstpgo-up pins an address it was not pinned at.
	local addrs ip hosts
	hosts="$(sstp_state "$config" hosts)"
	mkdir -p "$SSTPGO_STATEDIR"
	rm -f "$hosts" "$(sstp_state "$config" json)"
	addrs="$(sstp_resolve "$host")"
	case $? in
	0) ;;
	2) sstp_log "resolveip is not installed: sstpgo resolves $host itself" ;;
	*)
		sstp_log "could not resolve '$host', retrying in 5s"
		proto_notify_error "$config" PEER_RESOLVE_FAIL "$host"
		sleep 5
		proto_setup_failed "$config"
		sstp_remove_files "$config"
		return 1 ;;
	esac
	for ip in $addrs; do
		proto_add_host_dependency "$config" "$ip" "$tunlink"
		echo "$ip" >> "$hosts"
	done

	# what the up and down scripts need to talk to netifd
	proto_export "INTERFACE=$config"
	proto_export "PEERDNS=${peerdns:-1}"
	proto_export "DEFAULTROUTE=${defaultroute:-1}"
	proto_export "TUNLINK=$tunlink"

	# LAN features (docs/LAN.md): routes and DNS domains pushed by the
	# server, MSS clamping (both on unless 0), and the firewall zone: the
	# zone option, else the zone the firewall lists the interface in, else
	# wan (masquerading and mtu_fix, as LAN clients behind the tunnel need)
	local pushed_routes mss_clamp zone
	json_get_vars pushed_routes mss_clamp zone
	[ "$pushed_routes" = 0 ] && set -- "$@" --no-pushed-routes
	[ "$mss_clamp" = 0 ] && set -- "$@" --no-mss-clamp
	[ -n "$zone" ] || fw4 -q network "$config" >/dev/null 2>&1 ||
		fw3 -q network "$config" >/dev/null 2>&1 || zone=wan
	[ -n "$zone" ] && proto_export "ZONE=$zone"

	proto_run_command "$config" "$SSTPGO_BIN" "$@"
}

proto_sstp_teardown() {
	local config="$1"
	local authfail sha

	# ERROR is sstpgo's exit code (see the table at the top); unset when
	# netifd stops a running sstpgo itself
	case "$ERROR" in
	"")
		rm -f "$(sstp_state "$config" retry)" ;;
	0)
		sstp_log "sstpgo was killed"
		sstp_failed "$config" ;;
	2)
		sstp_log "options rejected by sstpgo, not retrying (see the log above)"
		proto_notify_error "$config" INVALID_OPTIONS
		proto_block_restart "$config" ;;
	3)
		proto_notify_error "$config" AUTH_FAILED
		json_get_var authfail authfail
		if [ "${authfail:-1}" = 0 ]; then
			sstp_log "authentication failed, retrying (authfail 0)"
			sstp_failed "$config"
		else
			sstp_log "authentication failed, not retrying (check username/password or client_cert/client_key)"
			proto_block_restart "$config"
		fi ;;
	4)
		sha="$(sstp_rejected_cert "$config")"
		if [ -n "$sha" ]; then
			sstp_log "server certificate rejected, not retrying: it has SHA-256 $sha; if you trust it, pin it: uci set network.$config.pin_sha256=$(echo "$sha" | tr -d ':'); uci commit network; ifup $config"
			proto_notify_error "$config" CERT_FAILED "$sha"
		else
			sstp_log "server certificate rejected, not retrying (check ca_cert/pin_sha256, eap_ca/eap_server_name)"
			proto_notify_error "$config" CERT_FAILED
		fi
		proto_block_restart "$config" ;;
	5)
		sstp_log "server unreachable, retrying"
		proto_notify_error "$config" CONNECT_FAILED
		sstp_failed "$config" ;;
	*)
		sstp_log "sstpgo failed (exit $ERROR), retrying"
		proto_notify_error "$config" INTERNAL_ERROR "$ERROR"
		sstp_failed "$config" ;;
	esac
	# a blocked interface starts again only by hand: at once
	case "$ERROR" in
	2|4) rm -f "$(sstp_state "$config" retry)" ;;
	3) [ "${authfail:-1}" = 0 ] || rm -f "$(sstp_state "$config" retry)" ;;
	esac

	sstp_remove_files "$config"
	# no more forwarding of the pushed domains (sstpgo-split-dns)
	INTERFACE="$config" DNSSEARCH= /lib/netifd/sstpgo-split-dns
	proto_kill_command "$config"
}

[ -n "$INCLUDE_ONLY" ] || {
	add_protocol sstp
}
