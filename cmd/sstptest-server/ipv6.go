package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net/netip"
	"os/exec"
	"time"

	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// IPv6 through the tunnel, as a PPP access server does it: IPV6CP gives only
// link-local interface identifiers (RFC 5072), so each session gets a /64 of
// --pool6 announced in router advertisements (RFC 4861 4.2, 4.6.2), from which
// the client forms its address by SLAAC (RFC 4862); packets to that /64 go to
// the session. Session n gets the ((n-1) mod count)th /64 of the pool.

// raInterval is how often each IPv6 session gets an unsolicited advertisement
// (RFC 4861 6.2.1 allows down to 3 s); router solicitations are answered at once.
const raInterval = 3 * time.Second

// routerLL is the source of the advertisements: a router's link-local address.
var routerLL = netip.MustParseAddr("fe80::1")

var allNodes = netip.MustParseAddr("ff02::1")

type ipv6Router struct {
	pool  netip.Prefix
	count uint64 // /64s in the pool
	log   *slog.Logger
}

func newIPv6Router(pool string, log *slog.Logger) (*ipv6Router, error) {
	p, err := netip.ParsePrefix(pool)
	if err != nil || !p.Addr().Is6() || p.Bits() > 64 || p.Bits() < 32 {
		return nil, fmt.Errorf("--pool6 %q: want an IPv6 prefix from /32 to /64", pool)
	}
	return &ipv6Router{pool: p.Masked(), count: 1 << (64 - p.Bits()), log: log}, nil
}

// enableIPv6 routes --pool6 into the TUN device; call it before sessions start.
func (t *tunnel) enableIPv6(pool string) error {
	r, err := newIPv6Router(pool, t.log)
	if err != nil {
		return err
	}
	args := []string{"-6", "route", "add", r.pool.String(), "dev", t.name}
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("ip %v: %v: %s", args, err, out)
	}
	t.v6 = r
	return nil
}

// lookup is the session that owns dst: by its IPv4 address, or its /64.
func (t *tunnel) lookup(srv *sstptest.Server, dst netip.Addr) *sstptest.Session {
	if s := srv.Lookup(dst); s != nil || t.v6 == nil {
		return s
	}
	return t.v6.lookup(srv, dst)
}

// prefixOf is the /64 of session id.
func (r *ipv6Router) prefixOf(id int) netip.Prefix {
	a := r.pool.Addr().As16()
	hi := binary.BigEndian.Uint64(a[:8]) + (uint64(id-1) % r.count)
	binary.BigEndian.PutUint64(a[:8], hi)
	return netip.PrefixFrom(netip.AddrFrom16(a), 64)
}

// lookup returns the live IPv6 session whose /64 holds dst (the newest one).
func (r *ipv6Router) lookup(srv *sstptest.Server, dst netip.Addr) *sstptest.Session {
	if !r.pool.Contains(dst) {
		return nil
	}
	var best sstptest.SessionInfo
	for _, si := range srv.Sessions() {
		if si.IPv6Up && !si.Done && si.ID > best.ID && r.prefixOf(si.ID).Contains(dst) {
			best = si
		}
	}
	if best.ID == 0 {
		return nil
	}
	return srv.Lookup(best.ClientIP)
}

// advertise sends each IPv6 session an advertisement every raInterval.
func (r *ipv6Router) advertise(ctx context.Context, srv *sstptest.Server) {
	last := map[int]time.Time{}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			for _, si := range srv.Sessions() {
				if !si.IPv6Up || si.Done || now.Sub(last[si.ID]) < raInterval {
					continue
				}
				if s := srv.Lookup(si.ClientIP); s != nil {
					last[si.ID] = now
					r.sendRA(s, allNodes)
				}
			}
		}
	}
}

func (r *ipv6Router) sendRA(s *sstptest.Session, dst netip.Addr) {
	if err := s.WriteIP(appendRA(nil, routerLL, dst, r.prefixOf(s.ID()))); err != nil {
		r.log.Debug("router advertisement", "session", s.ID(), "err", err.Error())
	}
}

// handle answers a Router Solicitation (RFC 4861 6.2.6) and reports whether
// pkt was one; everything else goes on to the kernel.
func (r *ipv6Router) handle(s *sstptest.Session, pkt []byte) bool {
	if len(pkt) < 41 || pkt[0]>>4 != 6 || pkt[6] != protoICMPv6 || pkt[40] != icmpRouterSolicitation {
		return false
	}
	dst := allNodes
	if src := netip.AddrFrom16([16]byte(pkt[8:24])); src.IsLinkLocalUnicast() {
		dst = src
	}
	r.sendRA(s, dst)
	return true
}

const (
	protoICMPv6               = 58
	icmpRouterSolicitation    = 133
	icmpRouterAdvertisement   = 134
	ndOptPrefixInformation    = 3
	prefixFlagsOnLinkAutonomy = 0xc0 // L and A (RFC 4861 4.6.2)
)

// appendRA appends an IPv6 packet holding a Router Advertisement with one
// Prefix Information option for prefix: on-link, autonomous, not a default
// router (lifetime 0: routes come from the client's configuration).
func appendRA(b []byte, src, dst netip.Addr, prefix netip.Prefix) []byte {
	const payload = 16 + 32 // RA header, prefix option
	start := len(b)
	b = append(b, 0x60, 0, 0, 0, 0, payload, protoICMPv6, 255) // RFC 4861 6.1.2: hop limit 255
	b = append(b, src.AsSlice()...)
	b = append(b, dst.AsSlice()...)
	icmp := len(b)
	b = append(b, icmpRouterAdvertisement, 0, 0, 0, // type, code, checksum
		64, 0, 0, 0, // cur hop limit, flags, router lifetime 0
		0, 0, 0, 0, 0, 0, 0, 0) // reachable time, retrans timer: unspecified
	b = append(b, ndOptPrefixInformation, 4, byte(prefix.Bits()), prefixFlagsOnLinkAutonomy)
	b = binary.BigEndian.AppendUint32(b, 3600) // valid lifetime
	b = binary.BigEndian.AppendUint32(b, 1800) // preferred lifetime
	b = append(b, 0, 0, 0, 0)
	b = append(b, prefix.Masked().Addr().AsSlice()...)
	binary.BigEndian.PutUint16(b[icmp+2:], icmpv6Checksum(b[start+8:start+24], b[start+24:start+40], b[icmp:]))
	return b
}

// icmpv6Checksum is the Internet checksum over the IPv6 pseudo-header
// (RFC 8200 8.1) and the ICMPv6 message.
func icmpv6Checksum(src, dst, msg []byte) uint16 {
	var sum uint32
	add := func(p []byte) {
		for i := 0; i+1 < len(p); i += 2 {
			sum += uint32(p[i])<<8 | uint32(p[i+1])
		}
		if len(p)%2 == 1 {
			sum += uint32(p[len(p)-1]) << 8
		}
	}
	add(src)
	add(dst)
	var pseudo [8]byte
	binary.BigEndian.PutUint32(pseudo[:4], uint32(len(msg)))
	pseudo[7] = protoICMPv6
	add(pseudo[:])
	add(msg)
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
