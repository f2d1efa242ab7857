package sstptest

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

// lcpInput handles an LCP packet (RFC 1661 5).
func (p *pppServer) lcpInput(now time.Time, b []byte) {
	pk, err := ppp.ParsePacket(b)
	if err != nil {
		p.s.log.Warn("bad LCP packet", "err", err.Error())
		return
	}
	switch pk.Code {
	case codeEchoReq:
		// RFC 1661 5.8: answered in the Opened state only, with our magic number.
		if p.lcp.opened && p.cfg.Fault != FaultDropEchoes && len(pk.Data) >= 4 {
			data := binary.BigEndian.AppendUint32(nil, p.magic)
			p.send(lcpProto, codeEchoRep, pk.ID, append(data, pk.Data[4:]...))
		}
	case codeEchoRep, codeDiscard:
	case codeProtoRej:
		p.rcvProtoRej(now, pk.Data)
	default:
		if p.phase == phaseTerminate && pk.Code != codeTermReq && pk.Code != codeTermAck {
			return
		}
		p.cpInput(now, &p.lcp, pk)
	}
}

// rcvProtoRej handles the client's Protocol-Reject (RFC 1661 5.7): IPV6CP may be refused,
// IPCP may not.
func (p *pppServer) rcvProtoRej(now time.Time, data []byte) {
	if len(data) < 2 {
		return
	}
	switch proto := binary.BigEndian.Uint16(data); proto {
	case ipv6cpProto:
		p.ipv6.rejected, p.ipv6.restartAt = true, time.Time{}
		p.s.log.Info("client rejected IPV6CP")
	case ipcpProto:
		p.terminate(now, fmt.Errorf("%w: client Protocol-Rejected IPCP", ErrNegotiation))
	default:
		p.s.log.Info("client protocol reject", "proto", fmt.Sprintf("0x%04x", proto))
	}
}

// checkLCP judges the client's LCP options (RFC 1661 6) with the personality's taste.
func (p *pppServer) checkLCP(r *reply, opts []ppp.Option) {
	if p.cfg.Fault == FaultLCPNeverConverges {
		// Nak every request, each time with a different MRU, so it never converges.
		p.lcpNaks++
		r.nakWith(lcpMRU, binary.BigEndian.AppendUint16(nil, uint16(1000+p.lcpNaks%100)))
		return
	}
	for _, o := range opts {
		p.checkLCPOption(r, o)
	}
}

func (p *pppServer) checkLCPOption(r *reply, o ppp.Option) {
	switch o.Type {
	case lcpMRU:
		switch {
		case len(o.Value) != 2:
			r.reject(o)
		case binary.BigEndian.Uint16(o.Value) < 128:
			r.nakWith(lcpMRU, []byte{0x05, 0x78}) // 1400
		}
	case lcpMagic:
		switch {
		case p.soft() || len(o.Value) != 4:
			r.reject(o) // SoftEther rejects the client's Magic-Number
		case binary.BigEndian.Uint32(o.Value) == p.magic:
			// RFC 1661 6.4: same magic as ours looks like a loop; suggest another.
			r.nakWith(lcpMagic, binary.BigEndian.AppendUint32(nil, randMagic()))
		}
	case lcpPFC, lcpACFC:
		if p.soft() || len(o.Value) != 0 {
			r.reject(o)
		}
	default:
		// Auth-Protocol (the server does not authenticate itself), Quality-Protocol, unknown.
		r.reject(o)
	}
}

// adjust applies the client's Configure-Nak or -Reject to our options (RFC 1661 5.3, 5.4);
// false when there is nothing left to propose.
func (p *pppServer) adjust(now time.Time, c *cp, code uint8, data []byte) bool {
	opts, err := ppp.ParseOptions(data)
	if err != nil {
		return false
	}
	for _, o := range opts {
		if !p.adjustOption(now, c, code == codeConfRej, o) {
			return false
		}
	}
	return true
}

func (p *pppServer) adjustOption(now time.Time, c *cp, rej bool, o ppp.Option) bool {
	switch {
	case c.proto == lcpProto && o.Type == lcpAuth:
		return p.nextAuth(now, rej, parseAuthOption(o.Value))
	case c.proto == lcpProto && o.Type == lcpMRU:
		if rej || len(o.Value) != 2 {
			p.mru = 0
		} else if v := binary.BigEndian.Uint16(o.Value); v >= 128 {
			p.mru = v
		}
	case c.proto == lcpProto && o.Type == lcpMagic:
		p.magic = 0
		if !rej {
			p.magic = randMagic()
		}
	case c.proto == ipcpProto && o.Type == ipcpAddress:
		p.adjustIPCPAddr(rej, o.Value)
	case c.proto == ipv6cpProto && o.Type == ipv6cpIfaceID:
		p.adjustIfID(rej, o.Value)
	}
	return true
}

// nextAuth picks the method to propose after the client refused ours: the one it suggested
// if we have it. Otherwise RRAS gives up (a Nak toward PAP or CHAP ends the call), SoftEther
// walks its list once (PAP, then MS-CHAPv2) and Generic tries the next untried method.
func (p *pppServer) nextAuth(now time.Time, rej bool, want ppp.AuthMethod) bool {
	next := ppp.AuthNone
	switch {
	case rej:
	case want != ppp.AuthNone && p.cfg.allowed(want) && !p.triedAuth(want):
		next = want
	case p.cfg.Personality == RRAS, p.soft() && len(p.tried) >= 2:
	default:
		for _, m := range p.cfg.Auth {
			if !p.triedAuth(m) {
				next = m
				break
			}
		}
	}
	if next == ppp.AuthNone {
		p.terminate(now, fmt.Errorf("%w: client refused %v (wants %v)", ErrNoAuthMethod, p.tried, want))
		return false
	}
	p.s.log.Info("auth method refused", "was", p.authMethod.String(), "client_wants", want.String(), "now", next.String())
	p.authMethod = next
	p.tried = append(p.tried, next)
	return true
}

func (p *pppServer) triedAuth(m ppp.AuthMethod) bool {
	for _, t := range p.tried {
		if t == m {
			return true
		}
	}
	return false
}

// lcpUp enters the Authenticate phase (RFC 1661 3.5) with the agreed method.
func (p *pppServer) lcpUp(now time.Time) {
	if p.phase != phaseEstablish {
		return // renegotiation: keep the current phase
	}
	p.phase = phaseAuthenticate
	p.s.log.Info("auth start", "method", p.authMethod.String())
	p.auth.start(now, p, p.authMethod)
}

// randomIfID returns an interface identifier that is neither zero nor ours (RFC 5072 4.1).
func (p *pppServer) randomIfID() [8]byte {
	var id [8]byte
	for {
		rand.Read(id[:])
		id[0] &^= 0x02 // locally administered (universal/local bit 0 in the IID form)
		if id != ([8]byte{}) && id != p.ourIfID {
			return id
		}
	}
}
