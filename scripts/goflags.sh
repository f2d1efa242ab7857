#!/bin/sh
# Prints the `go build` flags of the router binary (everything except
# -ldflags), the one place they are defined: Makefile, openwrt/packages.mk,
# scripts/size-report.sh and scripts/bench.sh all use it.
#
# Flash is the scarce resource on a router, so inlining is off everywhere
# except in the packages a tunnelled packet passes through (runtime, I/O,
# TLS record layer and ciphers, our sstp/ppp/ifup data path), where calls
# per packet matter. On mipsle this saves ~590 KB (8.26 MB -> 7.67 MB) and
# brings the binary under its 7.5 MiB budget; handshake- and CLI-only code
# (x509, urfave/cli, fmt, reflect) runs once per connect.
#
# urfave_cli_no_docs and urfave_cli_no_template leave out of our copy of
# urfave/cli (third_party/urfave-cli-v2) the man/markdown/fish generators and
# the text/template help renderer (help is written in plain Go instead, with
# the same output): text/template's reflection alone cost 1.18 MB on mipsle.
hot="runtime internal/runtime/... sync sync/atomic internal/sync internal/poll syscall
io bufio bytes crypto/tls crypto/cipher crypto/aes crypto/internal/fips140/aes/...
crypto/internal/fips140/subtle crypto/internal/fips140deps/...
vendor/golang.org/x/crypto/chacha20 vendor/golang.org/x/crypto/chacha20poly1305
vendor/golang.org/x/crypto/internal/poly1305 math/bits encoding/binary
github.com/sstpgo/sstpgo/sstp github.com/sstpgo/sstpgo/ppp github.com/sstpgo/sstpgo/ifup
github.com/songgao/water"
flags="-trimpath -tags urfave_cli_no_docs,urfave_cli_no_template -gcflags=all=-l"
for p in $hot; do flags="$flags -gcflags=$p="; done
echo "$flags"
