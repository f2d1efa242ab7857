# Test stand-in for OpenWrt's /lib/netifd/netifd-proto.sh, written from the
# netifd API facts in shared/PROTOCOL.md section 5. Every call is recorded in
# $SSTP_TESTROOT/calls.log as one line: NAME<TAB>ARG<TAB>ARG...
# json_load reads $SSTP_TESTROOT/config.vars (cfg_<key>='value' lines the
# test derives from the same JSON it passes on the command line, booleans as
# 1/0 and arrays space-separated like jshn).

_rec() {
	{
		printf '%s' "$1"
		shift
		for _a in "$@"; do printf '\t%s' "$_a"; done
		printf '\n'
	} >> "$SSTP_TESTROOT/calls.log"
}

json_load() { [ -f "$SSTP_TESTROOT/config.vars" ] && . "$SSTP_TESTROOT/config.vars"; return 0; }
json_get_var() { eval "$1=\"\${cfg_$2}\""; }
json_get_vars() { for _k in "$@"; do json_get_var "$_k" "$_k"; done; }
json_get_values() { json_get_var "$1" "$2"; }

proto_config_add_string() { _rec proto_config_add_string "$@"; }
proto_config_add_int() { _rec proto_config_add_int "$@"; }
proto_config_add_boolean() { _rec proto_config_add_boolean "$@"; }
proto_config_add_array() { _rec proto_config_add_array "$@"; }

proto_run_command() {
	_rec proto_run_command "$@"
	shift
	: > "$SSTP_TESTROOT/run_command"
	for _a in "$@"; do printf '%s\n' "$_a" >> "$SSTP_TESTROOT/run_command"; done
}
proto_export() {
	_rec proto_export "$@"
	printf '%s\n' "$1" >> "$SSTP_TESTROOT/export"
}
proto_kill_command() { _rec proto_kill_command "$@"; }
proto_notify_error() { _rec proto_notify_error "$@"; }
proto_block_restart() { _rec proto_block_restart "$@"; }
proto_setup_failed() { _rec proto_setup_failed "$@"; }
proto_set_available() { _rec proto_set_available "$@"; }
# the real one runs in a subshell so the caller's json state survives
proto_add_host_dependency() { _rec proto_add_host_dependency "$@"; }

_NOTIFY=""
proto_init_update() { _rec proto_init_update "$@"; _NOTIFY="ifname=$1 link-up=$2"; }
proto_add_ipv4_address() { _rec proto_add_ipv4_address "$@"; _NOTIFY="$_NOTIFY ipaddr=$1/$2 ptp=$4"; }
proto_add_ipv6_address() { _rec proto_add_ipv6_address "$@"; _NOTIFY="$_NOTIFY ip6addr=$1/$2"; }
proto_add_ipv4_route() { _rec proto_add_ipv4_route "$@"; _NOTIFY="$_NOTIFY route=$1/$2@$3"; }
proto_add_ipv6_route() { _rec proto_add_ipv6_route "$@"; _NOTIFY="$_NOTIFY route6=$1/$2"; }
proto_add_dns_server() { _rec proto_add_dns_server "$@"; _NOTIFY="$_NOTIFY dns=$1"; }
proto_add_data() { _rec proto_add_data "$@"; }
proto_close_data() { _rec proto_close_data "$@"; }
proto_add_dns_search() { _rec proto_add_dns_search "$@"; _NOTIFY="$_NOTIFY dns_search=$1"; }
json_add_string() { _rec json_add_string "$@"; }
proto_send_update() {
	_rec proto_send_update "$@"
	ubus call "network.interface.$1" notify_proto "$_NOTIFY"
}

add_protocol() { :; }

init_proto() {
	proto="$1"; cmd="$2"; interface="$3"; data="$4"; ifname="$5"
	case "$cmd" in
	dump)
		add_protocol() {
			_rec add_protocol "$1"
			no_device=0; available=0; lasterror=0
			"proto_$1_init_config"
			_rec init_config_flags "no_device=$no_device" "available=$available" "lasterror=$lasterror"
		} ;;
	setup)
		add_protocol() {
			[ "$proto" = "$1" ] || return 0
			json_load "$data"
			"proto_$1_setup" "$interface" "$ifname"
		} ;;
	teardown)
		add_protocol() {
			[ "$proto" = "$1" ] || return 0
			json_load "$data"
			"proto_$1_teardown" "$interface" "$ifname"
		} ;;
	esac
}
