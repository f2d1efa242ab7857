#!/bin/sh
# `make install`: builds bin/sstpgo and installs it for systemd.
#   $PREFIX/sbin/sstpgo                              (PREFIX=/usr/local)
#   $PREFIX/lib/systemd/system/sstpgo@.service       (UNITDIR to change it)
#   /etc/sstpgo/ (0700) with sstpgo.toml.example     (existing configs are kept)
# all under DESTDIR when it is set (packaging). SSTPGO_BIN installs that
# binary instead of building one.
set -eu
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
SBINDIR=${SBINDIR:-$PREFIX/sbin}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
CONFDIR=${CONFDIR:-/etc/sstpgo}
bin=${SSTPGO_BIN:-}
if [ -z "$bin" ]; then
	scripts/build.sh
	bin=bin/sstpgo
fi
if [ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ]; then
	echo "install: needs root to write $SBINDIR and $CONFDIR: sudo make install (or DESTDIR=dir)" >&2
	exit 2
fi
install -d "$DESTDIR$SBINDIR" "$DESTDIR$UNITDIR"
install -m 0755 "$bin" "$DESTDIR$SBINDIR/sstpgo"
sed "s|@SBINDIR@|$SBINDIR|g" linux/sstpgo@.service >"$DESTDIR$UNITDIR/sstpgo@.service"
chmod 0644 "$DESTDIR$UNITDIR/sstpgo@.service"
install -d -m 0700 "$DESTDIR$CONFDIR"
install -m 0600 sstpgo.toml "$DESTDIR$CONFDIR/sstpgo.toml.example"
echo "installed $DESTDIR$SBINDIR/sstpgo, $DESTDIR$UNITDIR/sstpgo@.service, $DESTDIR$CONFDIR/"
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
	echo "next: write $CONFDIR/NAME.toml (see sstpgo.toml.example), then: systemctl enable --now sstpgo@NAME"
fi
