package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os/exec"
	"slices"
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
// destination address. After each blocking read it drains what else is queued on the
// device and sends each session's share as one TLS record (Session.QueueIP), as
// sstpgo does in the other direction, so a bulk transfer's ACKs do not cost the
// client one TLS record each.
func (t *tunnel) toClients(srv *sstptest.Server) {
	buf := make([]byte, 4096)
	try := tryReader(t.dev)
	var touched []*sstptest.Session
	for {
		n, err := t.dev.Read(buf)
		for i := 0; err == nil && n > 0; i++ {
			if s := t.route(srv, buf[:n]); s != nil && !slices.Contains(touched, s) {
				touched = append(touched, s)
			}
			if try == nil || i == 64 {
				break
			}
			n, err = try(buf)
		}
		for i, s := range touched {
			if err := s.Flush(); err != nil {
				t.log.Debug("to client", "session", s.ID(), "err", err.Error())
			}
			touched[i] = nil
		}
		touched = touched[:0]
		if err != nil {
			return
		}
	}
}

// route queues pkt for the session that owns its destination; that session or nil.
func (t *tunnel) route(srv *sstptest.Server, pkt []byte) *sstptest.Session {
	dst, ok := destination(pkt)
	if !ok {
		return nil
	}
	s := t.lookup(srv, dst)
	if s == nil {
		return nil
	}
	if err := s.QueueIP(pkt); err != nil {
		t.log.Debug("to client", "session", s.ID(), "err", err.Error())
		return nil
	}
	return s
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
