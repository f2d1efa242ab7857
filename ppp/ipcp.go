package ppp

import "net/netip"

// IPCP configuration option types (RFC 1332 section 3, RFC 1877 section 1).
const (
	ipcpOptCompression  = 2
	ipcpOptAddress      = 3
	ipcpOptPrimaryDNS   = 129
	ipcpOptSecondaryDNS = 131
)

// ipcpHandler asks the server for our address and DNS servers by sending
// 0.0.0.0 (or Config.IPv4Hint for the address) and taking the values it Naks
// with (RFC 1332 section 3.3, RFC 1877).
type ipcpHandler struct {
	c *Client

	askAddr, askDNS1, askDNS2 bool
	local, dns1, dns2         [4]byte
	peer                      [4]byte // the server's own address, zero if not sent
	rb                        replyBuilder
}

func newIPCPHandler(c *Client) *ipcpHandler {
	h := &ipcpHandler{c: c, askAddr: true, askDNS1: !c.cfg.NoDNS, askDNS2: !c.cfg.NoDNS}
	if a := c.cfg.IPv4Hint; a.Is4() && !a.IsUnspecified() {
		h.local = a.As4()
	}
	if hint := c.cfg.DNSHint; !c.cfg.NoDNS && len(hint) > 0 && validHint(hint[0]) {
		h.dns1 = hint[0].As4()
		switch {
		case len(hint) == 1:
			h.askDNS2 = false
		case validHint(hint[1]):
			h.dns2 = hint[1].As4()
		}
	}
	return h
}

// validHint: an IPv4 address worth asking for again.
func validHint(a netip.Addr) bool { return a.Is4() && !a.IsUnspecified() }

func (h *ipcpHandler) AppendRequest(b []byte) []byte {
	if h.askAddr {
		b = AppendOption(b, ipcpOptAddress, h.local[:])
	}
	if h.askDNS1 {
		b = AppendOption(b, ipcpOptPrimaryDNS, h.dns1[:])
	}
	if h.askDNS2 {
		b = AppendOption(b, ipcpOptSecondaryDNS, h.dns2[:])
	}
	return b
}

func (h *ipcpHandler) ReceiveAck(opts []byte) {}

// ReceiveNak takes the values the server assigns.
func (h *ipcpHandler) ReceiveNak(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		if len(o.Value) != 4 {
			continue
		}
		switch {
		case o.Type == ipcpOptAddress && h.askAddr:
			copy(h.local[:], o.Value)
		case o.Type == ipcpOptPrimaryDNS && h.askDNS1:
			copy(h.dns1[:], o.Value)
		case o.Type == ipcpOptSecondaryDNS && h.askDNS2:
			copy(h.dns2[:], o.Value)
		}
	}
}

// ReceiveReject stops asking for what the server will not give (SoftEther
// rejects Secondary-DNS).
func (h *ipcpHandler) ReceiveReject(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		switch o.Type {
		case ipcpOptAddress:
			h.askAddr, h.local = false, [4]byte{}
		case ipcpOptPrimaryDNS:
			h.askDNS1, h.dns1 = false, [4]byte{}
		case ipcpOptSecondaryDNS:
			h.askDNS2, h.dns2 = false, [4]byte{}
		}
	}
}

// ReceiveNakAsReject: the server Nak'ed Max-Failure requests in a row. DNS
// is optional: stop asking, say so. Our address is not: end the link with
// an error that names it and what the server keeps suggesting.
func (h *ipcpHandler) ReceiveNakAsReject(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		switch {
		case o.Type == ipcpOptAddress && h.askAddr:
			h.c.fatal(&negotiationError{proto: "IPCP", why: "server keeps Nak'ing our IP-Address (it suggests " +
				optionAddr(o.Value) + ")"})
		case o.Type == ipcpOptPrimaryDNS && h.askDNS1:
			h.askDNS1, h.dns1 = false, [4]byte{}
			h.c.dropOption("IPCP", "Primary-DNS", optionAddr(o.Value))
		case o.Type == ipcpOptSecondaryDNS && h.askDNS2:
			h.askDNS2, h.dns2 = false, [4]byte{}
			h.c.dropOption("IPCP", "Secondary-DNS", optionAddr(o.Value))
		}
	}
}

// optionAddr shows an IPv4 address option value.
func optionAddr(v []byte) string {
	if a, ok := netip.AddrFromSlice(v); ok && len(v) == 4 {
		return a.String()
	}
	return "a malformed value"
}

// ReceiveRequest acks the server's own IP-Address and rejects the rest:
// VJ compression is pointless inside TLS, and we have no addresses or DNS
// servers to hand out.
func (h *ipcpHandler) ReceiveRequest(opts []byte, rejectNaks bool, reply []byte) (uint8, []byte) {
	h.rb.reset(rejectNaks)
	var peer [4]byte
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		// A zero address asks us to assign one, which we cannot (RFC 1332
		// section 3.3).
		if o.Type == ipcpOptAddress && len(o.Value) == 4 && [4]byte(o.Value) != [4]byte{} {
			peer = [4]byte(o.Value)
			continue
		}
		h.rb.reject(o)
	}
	code, reply := h.rb.result(reply)
	if code == CodeConfigureAck {
		h.peer = peer
	}
	return code, reply
}

// Up is tlu: report the addresses, or fail if we got none.
func (h *ipcpHandler) Up() {
	c := h.c
	if c.linkDown() {
		return
	}
	if h.local == [4]byte{} {
		c.fatal(ErrNoAddress)
		return
	}
	v4 := IPv4Config{Local: netip.AddrFrom4(h.local)}
	if h.peer != [4]byte{} {
		v4.Peer = netip.AddrFrom4(h.peer)
	}
	for _, d := range [][4]byte{h.dns1, h.dns2} {
		if d != [4]byte{} {
			v4.DNS = append(v4.DNS, netip.AddrFrom4(d))
		}
	}
	c.log.Debug("ppp ipcp up", "local", v4.Local, "peer", v4.Peer)
	c.emit(Event{Kind: EventIPv4Up, IPv4: v4})
}

func (h *ipcpHandler) Down()    {}
func (h *ipcpHandler) Started() {}

// Finished: IPCP stopped while the link is up (timeout, or the server
// terminated it). Without IPv4 the tunnel is useless.
func (h *ipcpHandler) Finished(err error) {
	if h.c.linkDown() {
		return
	}
	if err == nil {
		err = &terminatedError{reason: "IPCP closed"}
	}
	h.c.fatal(err)
}
