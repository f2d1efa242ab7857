package sstptest

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

// ncpInput handles IPCP and IPV6CP (RFC 1332, RFC 5072): only in the Network phase (RFC 1661
// 3.5: NCP packets before it are silently discarded), codes 1-7 only.
func (p *pppServer) ncpInput(now time.Time, c *cp, b []byte) {
	if p.phase != phaseNetwork {
		p.s.log.Debug("NCP packet before the network phase dropped", "proto", c.name)
		return
	}
	if c == &p.ipv6 && now.Before(p.ipv6After) {
		p.s.log.Debug("IPV6CP packet dropped (late-ipv6)")
		return
	}
	pk, err := ppp.ParsePacket(b)
	if err != nil {
		p.s.log.Warn("bad NCP packet", "proto", c.name, "err", err.Error())
		return
	}
	if pk.Code > codeCodeRej {
		p.send(c.proto, codeCodeRej, pk.ID, truncate(b, 1400))
		return
	}
	p.cpInput(now, c, pk)
}

// startNetwork enters the Network phase after authentication: IPCP (and IPV6CP) requests.
func (p *pppServer) startNetwork(now time.Time) {
	p.phase = phaseNetwork
	p.sendConfReq(now, &p.ipcp)
	switch {
	case !p.cfg.IPv6 || p.soft():
	case p.cfg.Fault == FaultLateIPv6:
		// Our request goes with our answer to the client's next one (rcvConfReq).
		p.ipv6After = now.Add(p.cfg.restart)
	default:
		p.sendConfReq(now, &p.ipv6)
	}
}

// checkIPCP judges the client's IPCP options: IP-Address (RFC 1332 3.3) and DNS (RFC 1877);
// false drops the request (no address could be assigned). The first request's address, if
// free in the pool, is the one assigned (a reconnecting client asks for its old one).
func (p *pppServer) checkIPCP(now time.Time, r *reply, opts []ppp.Option) bool {
	if !p.peerIP.IsValid() {
		a, err := p.s.srv.allocIP(p.s, requestedAddr(opts))
		if err != nil {
			p.terminate(now, err)
			return false
		}
		p.peerIP = a
	}
	sawAddr := false
	for _, o := range opts {
		switch o.Type {
		case ipcpAddress:
			sawAddr = true
			p.wantAddr(r, o, p.peerIP)
		case ipcpDNS1:
			p.wantDNS(r, o, 0)
		case ipcpDNS2:
			if p.soft() {
				r.reject(o) // SoftEther refuses the Secondary-DNS option
			} else {
				p.wantDNS(r, o, 1)
			}
		default:
			// IP-Compression-Protocol (VJ), NBNS and anything unknown.
			r.reject(o)
		}
	}
	if !sawAddr && r.rej == nil {
		// RFC 1332 3.3: a Nak may include an option the peer left out, to ask for it.
		r.nakWith(ipcpAddress, p.peerIP.AsSlice())
	}
	return true
}

// requestedAddr is the IP-Address option's value, the zero Addr if none.
func requestedAddr(opts []ppp.Option) netip.Addr {
	for _, o := range opts {
		if o.Type == ipcpAddress && len(o.Value) == 4 {
			return netip.AddrFrom4([4]byte(o.Value))
		}
	}
	return netip.Addr{}
}

// wantAddr Acks the option if it holds want, Naks it with want otherwise.
func (p *pppServer) wantAddr(r *reply, o ppp.Option, want netip.Addr) {
	if len(o.Value) != 4 {
		r.reject(o)
		return
	}
	if a, _ := netip.AddrFromSlice(o.Value); a != want {
		r.nakWith(o.Type, want.AsSlice())
	}
}

func (p *pppServer) wantDNS(r *reply, o ppp.Option, i int) {
	if p.nakDNS(r, o) {
		return
	}
	if i >= len(p.cfg.DNS) || !p.cfg.DNS[i].Is4() {
		r.reject(o)
		return
	}
	p.wantAddr(r, o, p.cfg.DNS[i])
}

// checkIPV6CP judges the client's Interface-Identifier (RFC 5072 4.1): zero or equal to ours
// gets a Nak with a fresh one.
func (p *pppServer) checkIPV6CP(r *reply, opts []ppp.Option) {
	for _, o := range opts {
		if o.Type != ipv6cpIfaceID || len(o.Value) != 8 {
			r.reject(o)
			continue
		}
		id := [8]byte(o.Value)
		if id == ([8]byte{}) || id == p.ourIfID {
			fresh := p.randomIfID()
			r.nakWith(ipv6cpIfaceID, fresh[:])
			continue
		}
		p.peerIfID = id
	}
}

func (p *pppServer) adjustIPCPAddr(rej bool, v []byte) {
	if rej {
		p.wantIPCPAddr = false
		return
	}
	if a, ok := netip.AddrFromSlice(v); ok && a.Is4() && !a.IsUnspecified() {
		p.ourAddr = a
	}
}

func (p *pppServer) adjustIfID(rej bool, v []byte) {
	if rej {
		p.wantIPv6IfID = false
		return
	}
	if len(v) == 8 {
		if id := [8]byte(v); id != ([8]byte{}) {
			p.ourIfID = id
		}
	}
}

func (p *pppServer) ipcpUp(now time.Time) {
	s := p.s
	s.updateDataPath()
	s.srv.update(s, func(i *SessionInfo) { i.Up = true })
	s.log.Info("ip assigned", "client_ip", p.peerIP.String(), "server_ip", p.cfg.ServerIP.String())
	if p.cfg.lcpEchoInterval > 0 && s.lcpEchoAt.IsZero() {
		s.lcpEchoAt = now.Add(p.cfg.lcpEchoInterval)
	}
	s.networkUp(now)
}

func (p *pppServer) ipv6Up() {
	s := p.s
	s.updateDataPath()
	s.srv.update(s, func(i *SessionInfo) { i.IPv6Up = true })
	s.log.Info("ipv6 up", "client_ifid", fmt.Sprintf("% x", p.peerIfID[:]), "server_ifid", fmt.Sprintf("% x", p.ourIfID[:]))
}
