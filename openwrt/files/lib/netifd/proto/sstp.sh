#!/bin/sh
# netifd protocol handler "sstp" for sstpgo, a drop-in replacement for the
# sstp-client handler: it accepts all of sstp-client's UCI options plus
# sstpgo's own (certificate checks, EAP-TLS client certificates, auth
# methods, routes, proxy, dead-peer detection).
#
# netifd runs it as "sstp.sh sstp setup|teardown <iface> '<json>'" from
# /lib/netifd/proto under busybox ash. The daemon reports addresses, DNS and
# routes back through /lib/netifd/sstpgo-up (netifd applies defaultroute,
# peerdns, metric and the firewall zone itself).
#
# SSTP_TESTROOT is empty on a router; the test suite sets it to a fake root
# holding stand-ins for /lib/functions.sh and netifd-proto.sh.

R="${SSTP_TESTROOT:-}"

[ -n "$INCLUDE_ONLY" ] || {
	. "$R/lib/functions.sh"
	. ../netifd-proto.sh
	init_proto "$@"
}

SSTPGO_BIN="$R/usr/sbin/sstpgo"
SSTPGO_UP="$R/lib/netifd/sstpgo-up"
SSTPGO_RUNDIR="$R/var/etc"

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
	# LAN features (docs/LAN.md)
	proto_config_add_boolean pushed_routes
	proto_config_add_boolean mss_clamp
	proto_config_add_string zone
	available=1
	no_device=1
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

# sstp_resolve HOST: print one IPv4 (or IPv6) address of HOST.
sstp_resolve() {
	case "$1" in
	*:*|*[!0-9.]*) ;;
	*) echo "$1"; return 0 ;;
	esac
	case "$1" in
	*:*) echo "$1"; return 0 ;;
	esac
	local ip
	ip="$(resolveip -4 -t 5 "$1" 2>/dev/null | head -n 1)"
	[ -n "$ip" ] || ip="$(resolveip -6 -t 5 "$1" 2>/dev/null | head -n 1)"
	[ -n "$ip" ] || return 1
	echo "$ip"
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
		sstp_log "no server configured"
		proto_notify_error "$config" MISSING_SERVER
		proto_block_restart "$config"
		proto_setup_failed "$config"
		return 1
	fi
	# EAP-TLS needs the certificate and its key; the EAP server checks
	# mean nothing without them. sstpgo would refuse too (exit 2), but
	# only after the server route and a restart.
	case "${client_cert:+c}${client_key:+k}${eap_ca:+e}${eap_server_name:+e}" in
	""|ck*) ;;
	*)
		sstp_log "client_cert and client_key go together; eap_ca and eap_server_name need both"
		proto_notify_error "$config" INVALID_CONFIG
		proto_block_restart "$config"
		proto_setup_failed "$config"
		return 1 ;;
	esac
	# a server given as host:port or [v6]:port keeps its own port
	case "$server" in
	\[*\]:*) port="${server##*:}"; server="${server%:*}" ;;
	*:*:*) server="[$server]" ;;
	*:*) port="${server##*:}"; server="${server%:*}" ;;
	esac
	local host="${server#[}"
	host="${host%]}"

	local serverip
	serverip="$(sstp_resolve "$host")" || {
		sstp_log "could not resolve '$host', retrying later"
		proto_notify_error "$config" RESOLVE_FAILED
		sleep 5
		proto_setup_failed "$config"
		return 1
	}
	# pin the route to the server on the uplink so the tunnel's own packets
	# never enter the tunnel; netifd follows the uplink up and down.
	proto_add_host_dependency "$config" "$serverip" "$tunlink"

	[ -n "$sstp_options" ] && sstp_map_sstp_options "$sstp_options"
	[ -n "$pppd_options" ] && sstp_map_pppd_options "$pppd_options"

	# connect to the address the host route was pinned for (a name could
	# resolve elsewhere later and loop into the tunnel); the name stays the
	# TLS server name and HTTP Host, so the certificate is checked against it.
	[ "$serverip" = "$host" ] || sni="${sni:-$host}"
	case "$serverip" in
	*:*) server="[$serverip]" ;;
	*) server="$serverip" ;;
	esac
	set -- connect --server "$server:${port:-443}" --ifname "sstp-$config" \
		--netifd --up-script "$SSTPGO_UP" --reconnect=true
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

	# what the up script needs to talk to netifd
	proto_export "INTERFACE=$config"
	proto_export "PEERDNS=${peerdns:-1}"
	proto_export "DEFAULTROUTE=${defaultroute:-1}"
	[ -n "$R" ] && proto_export "SSTP_TESTROOT=$R"

	# $args: words from sstp_options, split on purpose
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

	proto_run_command "$config" "$SSTPGO_BIN" "$@" $args
}

proto_sstp_teardown() {
	local config="$1"

	# netifd sets ERROR to the daemon's exit code (docs/ARCHITECTURE.md):
	# a retry cannot fix these, so stop netifd's immediate restart loop.
	case "$ERROR" in
	2)
		sstp_log "configuration rejected by sstpgo, not retrying"
		proto_notify_error "$config" INVALID_CONFIG
		proto_block_restart "$config" ;;
	3)
		sstp_log "authentication failed, not retrying (check username/password or client_cert/client_key)"
		proto_notify_error "$config" AUTH_FAILED
		proto_block_restart "$config" ;;
	4)
		sstp_log "server certificate rejected, not retrying (check ca_cert/pin_sha256, eap_ca/eap_server_name)"
		proto_notify_error "$config" CERT_FAILED
		proto_block_restart "$config" ;;
	esac

	local f
	for f in $SSTP_FILES; do
		rm -f "$(sstp_file "$config" "$f")"
	done
	# no more forwarding of the pushed domains (sstpgo-split-dns)
	INTERFACE="$config" DNSSEARCH= "${R:-}/lib/netifd/sstpgo-split-dns"
	proto_kill_command "$config"
}

[ -n "$INCLUDE_ONLY" ] || {
	add_protocol sstp
}
