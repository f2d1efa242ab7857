package ppp

import "encoding/binary"

// LCP configuration option types (RFC 1661 section 6, RFC 1570).
const (
	lcpOptMRU          = 1
	lcpOptAuthProtocol = 3
	lcpOptMagicNumber  = 5
	lcpOptPFC          = 7
	lcpOptACFC         = 8
)

// MRU bounds: below minMRU IP barely works; above maxMRU a frame no longer
// fits in one SSTP packet (4095 bytes minus SSTP and PPP headers).
const (
	minMRU     = 128
	maxMRU     = 4095 - 4 - FrameHeaderLen
	defaultMRU = 1500 // RFC 1661 section 6.1
)

// lcpHandler is the LCP part of the client: MRU and Magic-Number for us,
// the server's Auth-Protocol choice, Echo and Protocol-Reject handling.
type lcpHandler struct {
	c *Client

	askMRU, askMagic bool
	mru              uint16 // MRU we ask for
	magic            uint32 // our Magic-Number, 0 when not negotiated
	ourMRU           uint16 // MRU the server accepted from us

	peerMRU        uint16 // MRU the server told us; 0 = not given
	authMethod     AuthMethod
	suggested      [AuthEAP + 1]bool // methods we already Nak'ed toward
	offered        []string          // what the server proposed, in order, at most maxOffered
	peerTerminated bool

	rb replyBuilder
}

func newLCPHandler(c *Client) *lcpHandler {
	return &lcpHandler{c: c, askMRU: true, askMagic: true, mru: c.cfg.MRU}
}

// linkMRU is the packet size both sides accept.
func (h *lcpHandler) linkMRU() int {
	n := int(h.ourMRU)
	if n == 0 {
		n = int(h.mru)
		if !h.askMRU {
			n = defaultMRU
		}
	}
	if h.peerMRU != 0 && int(h.peerMRU) < n {
		n = int(h.peerMRU)
	}
	return n
}

// AppendRequest asks for our MRU and a Magic-Number; never PFC or ACFC.
func (h *lcpHandler) AppendRequest(b []byte) []byte {
	if h.askMRU {
		b = appendOption16(b, lcpOptMRU, h.mru)
	}
	if h.askMagic {
		if h.magic == 0 {
			h.magic = h.newMagic()
		}
		b = appendOption32(b, lcpOptMagicNumber, h.magic)
	}
	return b
}

func (h *lcpHandler) newMagic() uint32 {
	var b [4]byte
	h.c.randomNonZero(b[:])
	return binary.BigEndian.Uint32(b[:])
}

func (h *lcpHandler) ReceiveAck(opts []byte) {
	h.ourMRU = defaultMRU
	if h.askMRU {
		h.ourMRU = h.mru
	}
	if !h.askMagic {
		h.magic = 0
	}
}

// ReceiveNak takes the server's MRU if we can live with it, and picks a new
// Magic-Number (RFC 1661 section 6.4).
func (h *lcpHandler) ReceiveNak(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		switch {
		case o.Type == lcpOptMRU && len(o.Value) == 2 && h.askMRU:
			if v := be16(o.Value); v >= minMRU && v <= maxMRU {
				h.mru = v
			} else {
				h.askMRU = false
			}
		case o.Type == lcpOptMagicNumber && h.askMagic:
			h.magic = h.newMagic()
		}
	}
}

// ReceiveReject stops asking for rejected options (SoftEther rejects
// Magic-Number).
func (h *lcpHandler) ReceiveReject(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		switch o.Type {
		case lcpOptMRU:
			h.askMRU = false
		case lcpOptMagicNumber:
			h.askMagic, h.magic = false, 0
		}
	}
}

// ReceiveNakAsReject: the server Nak'ed Max-Failure requests in a row;
// MRU and Magic-Number are optional, so stop asking for them.
func (h *lcpHandler) ReceiveNakAsReject(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		switch {
		case o.Type == lcpOptMRU && h.askMRU:
			h.askMRU = false
			h.c.dropOption("LCP", "MRU", "")
		case o.Type == lcpOptMagicNumber && h.askMagic:
			h.askMagic, h.magic = false, 0
			h.c.dropOption("LCP", "Magic-Number", "")
		}
	}
}

// ReceiveRequest judges the server's options: MRU and Magic-Number are
// checked, Auth-Protocol is steered toward the strongest allowed method, and
// PFC, ACFC and anything unknown are rejected.
func (h *lcpHandler) ReceiveRequest(opts []byte, rejectNaks bool, reply []byte) (uint8, []byte) {
	h.rb.reset(rejectNaks)
	peerMRU := uint16(0)
	auth, suggest, noAuth := AuthNone, AuthNone, false
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		switch {
		case o.Type == lcpOptMRU && len(o.Value) == 2:
			peerMRU = h.judgeMRU(o)
		case o.Type == lcpOptMagicNumber && len(o.Value) == 4:
			h.judgeMagic(o)
		case o.Type == lcpOptAuthProtocol && len(o.Value) >= 2:
			auth, suggest, noAuth = h.judgeAuth(o)
		default:
			h.rb.reject(o)
		}
	}
	code, reply := h.rb.result(reply)
	switch code {
	case CodeConfigureAck:
		h.peerMRU, h.authMethod = peerMRU, auth
	case CodeConfigureNak:
		if suggest != AuthNone {
			h.suggested[suggest] = true
		}
	}
	if noAuth {
		h.c.fatal(&noAuthError{offered: h.offered, allowed: h.c.allowed})
	}
	return code, reply
}

func (h *lcpHandler) judgeMRU(o Option) uint16 {
	v := be16(o.Value)
	if v < minMRU {
		h.rb.nak(o, appendOption16(nil, lcpOptMRU, minMRU))
	}
	return v
}

// judgeMagic Naks a zero Magic-Number or our own (a looped-back link,
// RFC 1661 section 6.4) with a fresh random value.
func (h *lcpHandler) judgeMagic(o Option) {
	v := be32(o.Value)
	if v == 0 || (h.askMagic && v == h.magic) {
		s := h.newMagic()
		if s == h.magic {
			s ^= 0x80000000
		}
		h.rb.nak(o, appendOption32(nil, lcpOptMagicNumber, s))
	}
}

// judgeAuth decides on the server's Auth-Protocol (RFC 1661 section 6.2): Nak
// toward the strongest allowed method we have not suggested yet; Ack an
// allowed proposal once every stronger allowed method was suggested (and
// refused); Reject an unallowed one when nothing is left, ending the link.
// It returns the proposal, the method a Nak suggests, and whether we gave up.
func (h *lcpHandler) judgeAuth(o Option) (proposed, suggest AuthMethod, noAuth bool) {
	p := parseAuthProtocol(o.Value)
	h.recordOffer(o.Value)
	allowed := p != AuthNone && containsMethod(h.c.allowed, p)
	best := AuthNone
	for _, m := range h.c.allowed {
		if !h.suggested[m] && m != p {
			best = m
			break
		}
	}
	if allowed && (best == AuthNone || best.strength() < p.strength()) {
		return p, AuthNone, false
	}
	if best != AuthNone {
		if h.rb.nak(o, appendAuthOption(best)) {
			return p, best, false
		}
		return p, AuthNone, true
	}
	h.rb.reject(o)
	return p, AuthNone, true
}

// maxOffered bounds the record of the server's Auth-Protocol proposals,
// kept for the error message: a hostile server may propose a new one in
// every request.
const maxOffered = 8

func (h *lcpHandler) recordOffer(v []byte) {
	if len(h.offered) >= maxOffered {
		return
	}
	if name := describeAuthProtocol(v); !containsString(h.offered, name) {
		h.offered = append(h.offered, name)
	}
}

func appendAuthOption(m AuthMethod) []byte {
	b := appendAuthProtocol([]byte{lcpOptAuthProtocol, 0}, m)
	b[1] = byte(len(b))
	return b
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (h *lcpHandler) Up() { h.c.lcpUp() }

// Down is tld: the link went out of Opened without our Close.
func (h *lcpHandler) Down() {
	if !h.c.linkDown() {
		h.c.fatal(&negotiationError{proto: "LCP", why: "server restarted negotiation"})
	}
}

func (h *lcpHandler) Started() {}

// Finished is tlf. Unless we are closing, LCP stopping is always an error
// (a catastrophic Code-Reject finishes with err == nil).
func (h *lcpHandler) Finished(err error) {
	if err == nil && !h.c.closing {
		err = &negotiationError{proto: "LCP", why: "stopped by the server"}
	}
	if err != nil {
		h.c.fatal(err)
	}
}

// ReceiveTerminate: the server ends the link (RFC 1661 section 5.5); its
// Data is often a reason text worth showing.
func (h *lcpHandler) ReceiveTerminate(reason []byte) {
	if h.c.linkDown() {
		return
	}
	h.peerTerminated = true
	h.c.fatal(&terminatedError{reason: printableText(reason)})
}

// ReceiveCode handles the LCP-only codes 8-11; they are valid only in the
// Opened state and otherwise silently discarded (RFC 1661 sections 5.7-5.9).
func (h *lcpHandler) ReceiveCode(p Packet) bool {
	if p.Code == CodeIdentification || p.Code == CodeTimeRemaining {
		// Windows RRAS sends Identification ("MSRASV5.20") right after
		// LCP opens; like pppd, take it silently instead of Code-Rejecting.
		return true
	}
	if p.Code < CodeProtocolReject || p.Code > CodeDiscardRequest {
		return false
	}
	if h.c.lcp.State() != StateOpened {
		return true
	}
	switch p.Code {
	case CodeProtocolReject:
		if len(p.Data) >= 2 {
			h.c.protocolRejected(be16(p.Data))
		}
	case CodeEchoRequest:
		h.echoReply(p)
	}
	return true
}

// echoReply answers an Echo-Request with our Magic-Number (0 when none was
// negotiated) and the same data (RFC 1661 section 5.8).
func (h *lcpHandler) echoReply(p Packet) {
	if len(p.Data) < 4 {
		return
	}
	c := h.c
	b := binary.BigEndian.AppendUint32(c.scratch[:0], h.magic)
	c.scratch = append(b, p.Data[4:]...)
	c.sendPacket(ProtoLCP, CodeEchoReply, p.ID, c.scratch)
}

// protocolRejected handles the server's Protocol-Reject: without IPV6CP we
// carry on with IPv4; without IPCP there is nothing to carry.
func (c *Client) protocolRejected(proto uint16) {
	switch proto {
	case ProtoIPV6CP:
		// "MUST stop sending packets of the indicated protocol at the
		// earliest opportunity" (RFC 1661 section 5.7): no Terminate-Request.
		c.log.Info("ppp: server rejected IPV6CP, continuing without IPv6")
		c.ipv6cp.Down(c.now)
		c.ipv6cp.Close(c.now)
	case ProtoIPCP:
		c.fatal(&negotiationError{proto: "IPCP", why: "server Protocol-Rejected IPCP"})
	case ProtoLCP:
		c.fatal(&negotiationError{proto: "LCP", why: "server Protocol-Rejected LCP"})
	}
}
