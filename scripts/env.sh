# Sourced by the scripts a user runs (build.sh, demo.sh, test.sh, install.sh):
# finds the Go toolchain and checks what each needs before anything is built.
# POSIX sh: demo.sh runs under dash.

# sudo's secure_path drops /usr/local/go/bin (where go.dev's tarball goes),
# and the invoking user's own Go is in their home: look there too.
sstpgo_find_go() {
	dirs="/usr/local/go/bin /usr/lib/go/bin /usr/local/sbin /usr/sbin /sbin"
	if [ -n "${SUDO_USER:-}" ] && command -v getent >/dev/null 2>&1; then
		h=$(getent passwd "$SUDO_USER" | cut -d: -f6)
		[ -n "$h" ] && dirs="$dirs $h/go/bin $h/sdk/go/bin $h/.local/go/bin"
	fi
	for d in $dirs; do
		case ":$PATH:" in *":$d:"*) ;; *) [ -d "$d" ] && PATH=$PATH:$d ;; esac
	done
	export PATH
}

die() { printf '%s\n' "$*" >&2; exit 2; }

# need_go: Go at least as new as go.mod's go line (or a go that fetches it).
need_go() {
	sstpgo_find_go
	want=$(sed -n 's/^go \([0-9.]*\).*/\1/p' go.mod)
	command -v go >/dev/null 2>&1 ||
		die "Go not found (looked in \$PATH, /usr/local/go/bin, /usr/lib/go/bin): go.mod needs Go >= $want; install it from https://go.dev/dl/ into /usr/local/go"
	have=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null | sed 's/^go//')
	if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" != "$want" ]; then
		case ${GOTOOLCHAIN:-$(go env GOTOOLCHAIN)} in
		local*) die "Go $have found at $(command -v go), go.mod needs Go >= $want (GOTOOLCHAIN=local forbids fetching it)" ;;
		*) echo "note: Go $have found, go.mod needs $want: go fetches it from the module proxy" ;;
		esac
	fi
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1: needs root ($2): sudo $0"
}

# need_cmds CMD:PACKAGE ...: install the Debian packages of missing commands
# (as root with apt-get), else say which to install.
need_cmds() {
	missing= pkgs=
	for cp in "$@"; do
		c=${cp%%:*} p=${cp#*:}
		command -v "$c" >/dev/null 2>&1 && continue
		missing="$missing $c"
		case " $pkgs " in *" $p "*) ;; *) pkgs="$pkgs $p" ;; esac
	done
	[ -z "$pkgs" ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing Debian packages:$pkgs (for$missing)"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null ||
			die "apt-get install$pkgs failed"
		return 0
	fi
	if command -v apt-get >/dev/null 2>&1; then
		die "missing$missing: sudo apt-get install$pkgs (or run this as root: it installs them)"
	fi
	die "missing$missing (Debian packages:$pkgs)"
}

# What the demo and the end-to-end tests run in their namespaces.
DEMO_CMDS="ip:iproute2 iptables:iptables ping:iputils-ping iperf3:iperf3 sysctl:procps"
