# shellcheck shell=sh
# Sourced by the scripts a user runs (build.sh, demo.sh, test.sh, install.sh):
# finds the Go toolchain and checks what each needs before anything is built.
# POSIX sh: demo.sh runs under dash, test.sh under bash -euo pipefail, so
# every command substitution that may fail ends in "|| :".

# sbin directories, for ip and iptables when not run by root.
for d in /usr/local/sbin /usr/sbin /sbin; do
	case ":$PATH:" in *":$d:"*) ;; *) [ -d "$d" ] && PATH=$PATH:$d ;; esac
done
export PATH

die() { printf '%s\n' "$*" >&2; exit 2; }

# version_ge A B: A >= B, as Go versions (1.26.8 >= 1.26).
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$2" ]; }

# need_go puts on the PATH a Go at least as new as go.mod's go line: the
# first found on $PATH, in /usr/local/go/bin (go.dev's tarball; sudo's
# secure_path drops it), /usr/lib/go/bin, or the sudo user's ~/go/bin or
# ~/sdk/go/bin. Debian's own golang-go may be older: a Go from 1.21 on
# fetches the right toolchain by itself, an older one cannot.
need_go() {
	want=$(sed -n 's/^go \([0-9.]*\).*/\1/p' go.mod)
	cands="$(command -v go 2>/dev/null || :) /usr/local/go/bin/go /usr/lib/go/bin/go"
	if [ -n "${SUDO_USER:-}" ] && command -v getent >/dev/null 2>&1; then
		h=$(getent passwd "$SUDO_USER" | cut -d: -f6 || :)
		[ -n "$h" ] && cands="$cands $h/go/bin/go $h/sdk/go/bin/go"
	fi
	best='' bestv=''
	for g in $cands; do
		[ -x "$g" ] || continue
		v=$(GOTOOLCHAIN=local "$g" env GOVERSION 2>/dev/null | sed 's/^go//' || :)
		[ -n "$v" ] || continue
		[ -z "$best" ] && best=$g bestv=$v
		if version_ge "$v" "$want"; then best=$g bestv=$v; break; fi
	done
	[ -n "$best" ] ||
		die "Go not found (looked on \$PATH, in /usr/local/go/bin and /usr/lib/go/bin): go.mod needs Go >= $want; install it from https://go.dev/dl/ into /usr/local/go"
	PATH=$(dirname "$best"):$PATH
	export PATH
	version_ge "$bestv" "$want" && return 0
	if ! version_ge "$bestv" 1.21; then
		die "Go $bestv at $best is older than go.mod's $want and too old to fetch it: install Go >= $want from https://go.dev/dl/ into /usr/local/go"
	fi
	case ${GOTOOLCHAIN:-$("$best" env GOTOOLCHAIN)} in
	local*) die "Go $bestv at $best is older than go.mod's $want, and GOTOOLCHAIN=local forbids fetching it" ;;
	*) echo "note: Go $bestv at $best; go.mod needs $want, which go fetches from the module proxy" ;;
	esac
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1: needs root ($2): sudo $0"
}

# need_cmds CMD:PACKAGE ...: install the Debian packages of missing commands
# (as root with apt-get), else say which to install.
need_cmds() {
	missing='' pkgs=''
	for cp in "$@"; do
		c=${cp%%:*} p=${cp#*:}
		command -v "$c" >/dev/null 2>&1 && continue
		missing="$missing $c"
		case " $pkgs " in *" $p "*) ;; *) pkgs="$pkgs $p" ;; esac
	done
	[ -z "$pkgs" ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing Debian packages:$pkgs (for$missing)"
		export DEBIAN_FRONTEND=noninteractive
		# shellcheck disable=SC2086 # one word per package
		if ! apt-get update -qq || ! apt-get install -y -qq --no-install-recommends $pkgs >/dev/null; then
			die "apt-get install$pkgs failed"
		fi
		return 0
	fi
	if command -v apt-get >/dev/null 2>&1; then
		die "missing$missing: sudo apt-get install$pkgs (or run this as root: it installs them)"
	fi
	die "missing$missing (Debian packages:$pkgs)"
}

# What the demo and the end-to-end tests run in their namespaces.
# shellcheck disable=SC2034 # used by the scripts that source this file
DEMO_CMDS="ip:iproute2 iptables:iptables ping:iputils-ping iperf3:iperf3 sysctl:procps dnsmasq:dnsmasq-base smbd:samba smbclient:smbclient curl:curl busybox:busybox" # the last five: LAN features (docs/LAN.md)
# Go fetches the modules (and a newer toolchain) over HTTPS.
# shellcheck disable=SC2034
GO_CMDS="update-ca-certificates:ca-certificates"
