package ppp

// IPV6CP option types (RFC 5072 section 4).
const (
	ipv6cpOptInterfaceID = 1
	ipv6cpOptCompression = 2
)

// ipv6cpHandler negotiates link-local interface identifiers (RFC 5072
// section 4.1). Its failure never ends the link: IPv4 carries on.
type ipv6cpHandler struct {
	c     *Client
	askID bool
	local [8]byte
	peer  [8]byte
	rb    replyBuilder
}

func newIPV6CPHandler(c *Client) *ipv6cpHandler {
	return &ipv6cpHandler{c: c, askID: true}
}

func (h *ipv6cpHandler) AppendRequest(b []byte) []byte {
	if !h.askID {
		return b
	}
	if h.local == [8]byte{} {
		h.c.randomNonZero(h.local[:])
	}
	return AppendOption(b, ipv6cpOptInterfaceID, h.local[:])
}

func (h *ipv6cpHandler) ReceiveAck(opts []byte) {}

// ReceiveNak takes the server's suggestion unless it is zero or the
// server's own identifier, in which case we pick a new random one.
func (h *ipv6cpHandler) ReceiveNak(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		if o.Type != ipv6cpOptInterfaceID || len(o.Value) != 8 || !h.askID {
			continue
		}
		if v := [8]byte(o.Value); v != [8]byte{} && v != h.peer {
			h.local = v
		} else {
			h.newLocal()
		}
	}
}

func (h *ipv6cpHandler) newLocal() {
	h.local = h.c.randomID(h.local, h.peer)
}

func (h *ipv6cpHandler) ReceiveReject(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		if o.Type == ipv6cpOptInterfaceID {
			h.askID = false
		}
	}
}

// ReceiveNakAsReject: the server Nak'ed Max-Failure requests in a row;
// stop asking for an Interface-Identifier (RFC 5072 section 4.1 allows a
// request without one).
func (h *ipv6cpHandler) ReceiveNakAsReject(opts []byte) {
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		if o.Type == ipv6cpOptInterfaceID && h.askID {
			h.askID = false
			h.c.dropOption("IPV6CP", "Interface-Identifier", "")
		}
	}
}

// ReceiveRequest: a zero or colliding identifier gets a Nak with a fresh
// suggestion; both zero is rejected (RFC 5072 section 4.1).
func (h *ipv6cpHandler) ReceiveRequest(opts []byte, rejectNaks bool, reply []byte) (uint8, []byte) {
	h.rb.reset(rejectNaks)
	var peer [8]byte
	for len(opts) > 0 {
		o, rest, _ := ParseOption(opts)
		opts = rest
		if o.Type != ipv6cpOptInterfaceID || len(o.Value) != 8 {
			h.rb.reject(o)
			continue
		}
		peer = [8]byte(o.Value)
		switch {
		case peer == [8]byte{} && h.local == [8]byte{}:
			h.rb.reject(o)
		case peer == [8]byte{} || peer == h.local:
			h.rb.nak(o, AppendOption(nil, ipv6cpOptInterfaceID, h.suggestPeer()))
		}
	}
	code, reply := h.rb.result(reply)
	if code == CodeConfigureAck {
		h.peer = peer
	}
	return code, reply
}

// suggestPeer returns a random identifier different from ours.
func (h *ipv6cpHandler) suggestPeer() []byte {
	s := h.c.randomID(h.local, h.local)
	return s[:]
}

func (h *ipv6cpHandler) Up() {
	if h.c.linkDown() {
		return
	}
	h.c.emit(Event{Kind: EventIPv6Up, IPv6: IPv6Config{LocalID: h.local, PeerID: h.peer}})
}

func (h *ipv6cpHandler) Down()    {}
func (h *ipv6cpHandler) Started() {}

func (h *ipv6cpHandler) Finished(err error) {
	if !h.c.linkDown() {
		h.c.log.Info("ppp: IPV6CP stopped, continuing without IPv6", "err", err)
	}
}

// randomID returns a random non-zero identifier different from a and b.
// A broken random source cannot make it loop: after a few tries it counts.
func (c *Client) randomID(a, b [8]byte) [8]byte {
	var id [8]byte
	for range 4 {
		c.randomNonZero(id[:])
		if id != a && id != b {
			return id
		}
	}
	for id == a || id == b || id == [8]byte{} {
		id[7]++
	}
	return id
}
