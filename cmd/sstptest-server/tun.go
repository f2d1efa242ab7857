package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os/exec"
	"strconv"

	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// tunnel joins the kernel (a TUN device holding the server's address) and the sessions.
type tunnel struct {
	dev  io.ReadWriteCloser
	name string
	log  *slog.Logger
	v6   *ipv6Router // ipv6.go; nil without --pool6
}

// openTunnel creates the TUN device, gives it serverIP/pool-bits and brings it up.
func openTunnel(name string, serverIP netip.Addr, pool netip.Prefix, log *slog.Logger) (*tunnel, error) {
	dev, err := createTUN(name)
	if err != nil {
		return nil, fmt.Errorf("--tun %s: %w", name, err)
	}
	t := &tunnel{dev: dev, name: name, log: log}
	addr := serverIP.String() + "/" + strconv.Itoa(pool.Bits())
	for _, args := range [][]string{
		{"addr", "add", addr, "dev", name},
		{"link", "set", name, "mtu", "1400", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			dev.Close()
			return nil, fmt.Errorf("ip %v: %v: %s", args, err, out)
		}
	}
	log.Info("tun up", "dev", name, "addr", addr)
	return t, nil
}

func (t *tunnel) Close() error { return t.dev.Close() }

// fromClient writes a client's packet to the kernel (Options.HandleIP).
func (t *tunnel) fromClient(s *sstptest.Session, pkt []byte) {
	if t.v6 != nil && t.v6.handle(s, pkt) {
		return
	}
	if _, err := t.dev.Write(pkt); err != nil {
		t.log.Debug("tun write", "session", s.ID(), "err", err.Error())
	}
}

// toClients reads packets from the kernel and sends each to the session that owns its
// destination address.
func (t *tunnel) toClients(srv *sstptest.Server) {
	buf := make([]byte, 4096)
	for {
		n, err := t.dev.Read(buf)
		if err != nil {
			return
		}
		dst, ok := destination(buf[:n])
		if !ok {
			continue
		}
		if s := t.lookup(srv, dst); s != nil {
			if err := s.WriteIP(buf[:n]); err != nil {
				t.log.Debug("to client", "session", s.ID(), "err", err.Error())
			}
		}
	}
}

// destination is the IPv4 or IPv6 destination address of pkt.
func destination(pkt []byte) (netip.Addr, bool) {
	switch {
	case len(pkt) >= 20 && pkt[0]>>4 == 4:
		return netip.AddrFrom4([4]byte(pkt[16:20])), true
	case len(pkt) >= 40 && pkt[0]>>4 == 6:
		return netip.AddrFrom16([16]byte(pkt[24:40])), true
	}
	return netip.Addr{}, false
}
