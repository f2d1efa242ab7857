package sstptest

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// pppPhase is the link phase (RFC 1661 3.2).
type pppPhase uint8

const (
	phaseDead pppPhase = iota
	phaseEstablish
	phaseAuthenticate
	phaseNetwork
	phaseTerminate
)

// cp is the server's side of one option negotiation (LCP, IPCP or IPV6CP). It keeps the
// RFC 1661 automaton to the two facts that matter here, "our request was acked" and "we acked
// theirs", plus the restart timer; renegotiation after Opened starts over.
type cp struct {
	proto     uint16
	name      string
	id        uint8
	opts      []byte // our current Configure-Request options
	sent      bool
	ackRcvd   bool
	ackSent   bool
	opened    bool
	rejected  bool // the peer Protocol-Rejected it
	retries   int
	restartAt time.Time
}

// pppServer is the server side of the PPP link inside one session.
type pppServer struct {
	s     *Session
	cfg   *config
	phase pppPhase
	lcp   cp
	ipcp  cp
	ipv6  cp

	firstFrame   bool // SoftEther: our LCP request waits for the client's first frame
	magic        uint32
	mru          uint16 // 0 = not in our request
	authMethod   ppp.AuthMethod
	tried        []ppp.AuthMethod
	auth         authServer
	lcpNaks      int
	echoID       uint8
	failErr      error // why the server is terminating the link
	peerTerm     bool  // the client sent LCP Terminate-Request
	peerIP       netip.Addr
	ourAddr      netip.Addr // IP-Address in our IPCP request
	ourIfID      [8]byte
	peerIfID     [8]byte
	wantIPCPAddr bool
	wantIPv6IfID bool
	ipv6After    time.Time // FaultLateIPv6: IPV6CP packets before this are dropped
}

func (p *pppServer) init(s *Session) {
	p.s, p.cfg = s, s.cfg
	p.lcp = cp{proto: lcpProto, name: "LCP"}
	p.ipcp = cp{proto: ipcpProto, name: "IPCP"}
	p.ipv6 = cp{proto: ipv6cpProto, name: "IPV6CP"}
	p.ourIfID = [8]byte{0x02, 0, 0, 0, 0, 0, 0, 0x01}
	p.wantIPCPAddr, p.wantIPv6IfID = true, true
	if p.soft() {
		p.ourAddr = netip.AddrFrom4([4]byte{1, 0, 0, 1}) // SoftEther's dummy address
	} else {
		p.ourAddr = p.cfg.ServerIP
		p.mru = 1500
		p.magic = randMagic()
	}
	if len(p.cfg.Auth) > 0 {
		p.authMethod = p.cfg.Auth[0]
		p.tried = append(p.tried, p.authMethod)
	}
}

func (p *pppServer) soft() bool { return p.cfg.Personality == SoftEther }

func randMagic() uint32 {
	var b [4]byte
	for {
		rand.Read(b[:])
		if m := binary.BigEndian.Uint32(b[:]); m != 0 {
			return m
		}
	}
}

// lowerUp starts LCP once CALL_CONNECT_ACK is sent: RRAS and Generic speak first, SoftEther
// waits for the client's first PPP frame (PROTOCOL.md 4).
func (p *pppServer) lowerUp(now time.Time) {
	p.phase = phaseEstablish
	if !p.soft() {
		p.sendConfReq(now, &p.lcp)
	}
}

// input handles one PPP frame from an SSTP data packet.
func (p *pppServer) input(now time.Time, frame []byte) {
	if p.soft() && (len(frame) < 4 || frame[0] != 0xff || frame[1] != 0x03 || frame[2]&1 == 1) {
		// SoftEther wants FF 03 and a 2-byte protocol field.
		p.s.log.Warn("softether drops frame without FF 03 and 2-byte protocol", "frame", fmt.Sprintf("% x", head(frame)))
		return
	}
	proto, payload, err := ppp.ParseFrame(frame)
	if err != nil {
		p.s.log.Warn("bad PPP frame", "err", err.Error())
		return
	}
	if p.phase == phaseEstablish && !p.firstFrame {
		p.firstFrame = true
		if !p.lcp.sent {
			p.sendConfReq(now, &p.lcp)
		}
	}
	p.dispatch(now, proto, payload)
}

func head(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

func (p *pppServer) dispatch(now time.Time, proto uint16, payload []byte) {
	switch {
	case proto == lcpProto:
		p.lcpInput(now, payload)
	case p.phase == phaseTerminate:
		// RFC 1661 3.2: only LCP in the Terminate phase.
	case proto == papProto || proto == chapProto || proto == eapProto:
		if p.phase == phaseAuthenticate && !p.s.holdAuth(now, proto, payload) {
			p.auth.input(now, p, proto, payload)
		}
	case proto == ipcpProto:
		p.ncpInput(now, &p.ipcp, payload)
	case proto == ipv6cpProto && p.cfg.IPv6 && !p.soft():
		p.ncpInput(now, &p.ipv6, payload)
	case proto == ipv4Proto:
		p.ipInput(p.ipcp.opened, payload)
	case proto == ipv6Proto:
		p.ipInput(p.ipv6.opened, payload)
	default:
		// RFC 1661 5.7: unknown protocols (CCP, IPV6CP when disabled) get Protocol-Reject.
		p.protocolReject(proto, payload)
	}
}

func (p *pppServer) ipInput(open bool, pkt []byte) {
	if !open || !p.s.dataAllowed() || p.s.answerDHCP(pkt) {
		return
	}
	if h := p.cfg.HandleIP; h != nil {
		h(p.s, pkt)
		return
	}
	if reply := echoReply(pkt, p.cfg.ServerIP); reply != nil {
		p.s.WriteIP(reply)
	}
}

// protocolReject sends LCP Protocol-Reject (RFC 1661 5.7), only when LCP is Opened.
func (p *pppServer) protocolReject(proto uint16, payload []byte) {
	if !p.lcp.opened {
		return
	}
	p.s.log.Info("protocol reject", "proto", fmt.Sprintf("0x%04x", proto))
	data := binary.BigEndian.AppendUint16(nil, proto)
	data = append(data, truncate(payload, 1400)...)
	p.echoID++
	p.send(lcpProto, codeProtoRej, p.echoID, data)
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// send writes one PPP control packet in an SSTP data packet.
func (p *pppServer) send(proto uint16, code, id uint8, data []byte) {
	b := appendDataHeader(make([]byte, 0, 8+4+len(data)), proto)
	b = ppp.AppendPacket(b, code, id, data)
	if len(b) > sstpMaxPacket {
		return
	}
	sstp.PutDataHeader(b, len(b))
	if err := p.s.write(b); err != nil {
		p.s.writeFailed(err)
	}
}

// sendConfReq sends our Configure-Request with a fresh Identifier (RFC 1661 5.1).
func (p *pppServer) sendConfReq(now time.Time, c *cp) {
	p.buildOpts(c)
	c.id++
	c.sent, c.ackRcvd = true, false
	c.restartAt = now.Add(p.cfg.restart)
	p.send(c.proto, codeConfReq, c.id, c.opts)
}

func (p *pppServer) buildOpts(c *cp) {
	b := c.opts[:0]
	switch c.proto {
	case lcpProto:
		if p.mru != 0 {
			b = ppp.AppendOption(b, lcpMRU, binary.BigEndian.AppendUint16(nil, p.mru))
		}
		b = ppp.AppendOption(b, lcpAuth, authOption(p.authMethod))
		if p.magic != 0 {
			b = ppp.AppendOption(b, lcpMagic, binary.BigEndian.AppendUint32(nil, p.magic))
		}
	case ipcpProto:
		if p.wantIPCPAddr {
			b = ppp.AppendOption(b, ipcpAddress, p.ourAddr.AsSlice())
		}
	case ipv6cpProto:
		if p.wantIPv6IfID {
			b = ppp.AppendOption(b, ipv6cpIfaceID, p.ourIfID[:])
		}
	}
	c.opts = b
}

// authOption is the Auth-Protocol option value (RFC 1661 6.2, RFC 1994 3, RFC 2759 2,
// RFC 3748 7.2).
func authOption(m ppp.AuthMethod) []byte {
	switch m {
	case ppp.AuthPAP:
		return []byte{0xc0, 0x23}
	case ppp.AuthCHAP:
		return []byte{0xc2, 0x23, chapAlgMD5}
	case ppp.AuthEAP:
		return []byte{0xc2, 0x27}
	}
	return []byte{0xc2, 0x23, chapAlgMSCHAPv2}
}

// parseAuthOption is the inverse of authOption; AuthNone for anything else.
func parseAuthOption(v []byte) ppp.AuthMethod {
	switch {
	case len(v) == 2 && v[0] == 0xc0 && v[1] == 0x23:
		return ppp.AuthPAP
	case len(v) == 2 && v[0] == 0xc2 && v[1] == 0x27:
		return ppp.AuthEAP
	case len(v) == 3 && v[0] == 0xc2 && v[1] == 0x23 && v[2] == chapAlgMD5:
		return ppp.AuthCHAP
	case len(v) == 3 && v[0] == 0xc2 && v[1] == 0x23 && v[2] == chapAlgMSCHAPv2:
		return ppp.AuthMSCHAPv2
	}
	return ppp.AuthNone
}

// cpInput runs the Configure/Terminate part of the automaton for c (RFC 1661 4, 5.1-5.6).
func (p *pppServer) cpInput(now time.Time, c *cp, pk ppp.Packet) {
	switch pk.Code {
	case codeConfReq:
		p.rcvConfReq(now, c, pk)
	case codeConfAck:
		if c.sent && !c.ackRcvd && pk.ID == c.id && string(pk.Data) == string(c.opts) {
			c.ackRcvd, c.restartAt, c.retries = true, time.Time{}, 0
			p.checkOpen(now, c)
		}
	case codeConfNak, codeConfRej:
		if c.sent && !c.ackRcvd && pk.ID == c.id && p.adjust(now, c, pk.Code, pk.Data) {
			c.retries = 0
			p.sendConfReq(now, c)
		}
	case codeTermReq:
		p.send(c.proto, codeTermAck, pk.ID, nil)
		p.rcvTermReq(now, c)
	case codeTermAck:
		if c.proto == lcpProto && p.phase == phaseTerminate {
			p.s.disconnect(now)
		}
	case codeCodeRej:
		p.s.log.Warn("code reject", "proto", c.name, "data", fmt.Sprintf("% x", head(pk.Data)))
	default:
		// RFC 1661 5.6: unknown code.
		p.send(c.proto, codeCodeRej, pk.ID, truncate(pk.Data, 1400))
	}
}

func (p *pppServer) rcvConfReq(now time.Time, c *cp, pk ppp.Packet) {
	code, reply := p.checkRequest(now, c, pk.Data)
	if code == 0 || p.s.ended {
		return
	}
	if c.opened {
		// RFC 1661 4.3, Opened + RCR: This-Layer-Down, send our request again.
		p.s.log.Info("renegotiation", "proto", c.name)
		c.opened = false
		p.sendConfReq(now, c)
	}
	p.send(c.proto, code, pk.ID, reply)
	c.ackSent = code == codeConfAck
	if !c.sent {
		p.sendConfReq(now, c)
	}
	p.checkOpen(now, c)
}

func (p *pppServer) rcvTermReq(now time.Time, c *cp) {
	c.opened, c.ackRcvd, c.ackSent = false, false, false
	if c.proto != lcpProto {
		return
	}
	// The client leaves (RFC 1661 5.5); it should send CALL_DISCONNECT next.
	p.peerTerm = true
	p.phase = phaseTerminate
	p.s.closeAt = now.Add(p.cfg.grace)
	p.s.log.Info("client sent LCP Terminate-Request")
}

func (p *pppServer) checkRequest(now time.Time, c *cp, data []byte) (uint8, []byte) {
	opts, err := ppp.ParseOptions(data)
	if err != nil {
		p.s.log.Warn("bad options", "proto", c.name, "err", err.Error())
		return 0, nil
	}
	var r reply
	switch c.proto {
	case lcpProto:
		p.checkLCP(&r, opts)
	case ipcpProto:
		if !p.checkIPCP(now, &r, opts) {
			return 0, nil
		}
	case ipv6cpProto:
		p.checkIPV6CP(&r, opts)
	}
	return r.result(data)
}

// reply collects the answer to a Configure-Request: Reject wins over Nak wins over Ack
// (RFC 1661 5.2-5.4).
type reply struct{ nak, rej []byte }

func (r *reply) reject(o ppp.Option)         { r.rej = ppp.AppendOption(r.rej, o.Type, o.Value) }
func (r *reply) nakWith(typ uint8, v []byte) { r.nak = ppp.AppendOption(r.nak, typ, v) }
func (r *reply) result(req []byte) (uint8, []byte) {
	switch {
	case r.rej != nil:
		return codeConfRej, r.rej
	case r.nak != nil:
		return codeConfNak, r.nak
	}
	return codeConfAck, append([]byte(nil), req...)
}

func (p *pppServer) checkOpen(now time.Time, c *cp) {
	if c.opened || !c.ackRcvd || !c.ackSent {
		return
	}
	c.opened = true
	p.s.log.Info("opened", "proto", c.name)
	switch c.proto {
	case lcpProto:
		p.lcpUp(now)
	case ipcpProto:
		p.ipcpUp(now)
	case ipv6cpProto:
		p.ipv6Up()
	}
}

// timeout retransmits unanswered requests (RFC 1661 4.6, restart timer, Max-Configure).
func (p *pppServer) timeout(now time.Time) {
	for _, c := range []*cp{&p.lcp, &p.ipcp, &p.ipv6} {
		if !due(c.restartAt, now) || p.s.ended {
			continue
		}
		c.retries++
		if c.retries >= p.cfg.maxConfigure {
			c.restartAt = time.Time{}
			p.terminate(now, fmt.Errorf("%w: %s: no Configure-Ack after %d requests", ErrNegotiation, c.name, c.retries))
			continue
		}
		p.sendConfReq(now, c)
	}
	if due(p.auth.resendAt, now) && !p.s.ended {
		p.auth.timeout(now, p)
	}
}

func (p *pppServer) deadline() time.Time {
	var d time.Time
	for _, t := range []time.Time{p.lcp.restartAt, p.ipcp.restartAt, p.ipv6.restartAt, p.auth.resendAt} {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	return d
}

// terminate closes the link from the server side: LCP Terminate-Request, then (after the
// Terminate-Ack or the grace period) CALL_DISCONNECT (PROTOCOL.md 4, SoftEther's sequence).
func (p *pppServer) terminate(now time.Time, err error) {
	if p.phase == phaseTerminate {
		return
	}
	p.failErr = err
	p.phase = phaseTerminate
	for _, c := range []*cp{&p.lcp, &p.ipcp, &p.ipv6} {
		c.restartAt = time.Time{}
	}
	p.auth.resendAt = time.Time{}
	p.s.log.Info("terminate", "reason", err.Error())
	p.lcp.id++
	p.send(lcpProto, codeTermReq, p.lcp.id, nil)
	p.s.closeAt = now.Add(p.cfg.grace)
}

// sendEcho sends an LCP Echo-Request (RFC 1661 5.8); SoftEther's carries magic 0.
func (p *pppServer) sendEcho() {
	if !p.lcp.opened || p.phase == phaseTerminate {
		return
	}
	p.echoID++
	p.send(lcpProto, codeEchoReq, p.echoID, binary.BigEndian.AppendUint32(nil, p.magic))
}
