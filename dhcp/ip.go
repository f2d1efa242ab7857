package dhcp

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Broadcast is the limited broadcast address a DHCPINFORM goes to (RFC 2131
// section 4.4.3: the client "may broadcast" it; Windows' RAS client sends it
// to 255.255.255.255 port 67 from its tunnel address, port 68, and RRAS's
// DHCP relay agent or SoftEther's SecureNAT answers).
var Broadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// AppendUDP appends an IPv4 packet holding one UDP datagram (RFC 768, RFC
// 791) to b, both checksums filled in. src and dst must be IPv4.
func AppendUDP(b []byte, src, dst netip.AddrPort, payload []byte) []byte {
	start := len(b)
	total := 20 + 8 + len(payload)
	b = append(b, 0x45, 0, byte(total>>8), byte(total), 0, 0, 0, 0, 64, 17, 0, 0)
	s, d := src.Addr().As4(), dst.Addr().As4()
	b = append(b, s[:]...)
	b = append(b, d[:]...)
	binary.BigEndian.PutUint16(b[start+10:], ^sum(0, b[start:start+20]))
	u := len(b)
	ul := 8 + len(payload)
	b = append(b, byte(src.Port()>>8), byte(src.Port()), byte(dst.Port()>>8), byte(dst.Port()),
		byte(ul>>8), byte(ul), 0, 0)
	b = append(b, payload...)
	// The pseudo header (RFC 768): source, destination, zero, protocol, UDP length.
	ps := sum(0, b[start+12:start+20])
	ps = sum(ps, []byte{0, 17, byte(ul >> 8), byte(ul)})
	c := ^sum(ps, b[u:])
	if c == 0 {
		c = 0xffff // RFC 768: a computed zero is sent as all ones
	}
	binary.BigEndian.PutUint16(b[u+6:], c)
	return b
}

// sum adds b to the one's complement sum s (RFC 1071), folded to 16 bits.
func sum(s uint16, b []byte) uint16 {
	acc := uint32(s)
	for ; len(b) >= 2; b = b[2:] {
		acc += uint32(b[0])<<8 | uint32(b[1])
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	for acc > 0xffff {
		acc = acc>>16 + acc&0xffff
	}
	return uint16(acc)
}

// ParseUDP returns the addresses and payload of an unfragmented IPv4 UDP
// packet; payload aliases pkt. ok is false for anything else. Cheap enough
// to run on every packet: the protocol byte is looked at first.
func ParseUDP(pkt []byte) (src, dst netip.AddrPort, payload []byte, ok bool) {
	if len(pkt) < 28 || pkt[9] != 17 || pkt[0]>>4 != 4 {
		return
	}
	ihl := int(pkt[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(pkt[2:]))
	if ihl < 20 || total > len(pkt) || total < ihl+8 {
		return
	}
	if binary.BigEndian.Uint16(pkt[6:])&0x3fff != 0 {
		return // a fragment
	}
	u := pkt[ihl:total]
	ul := int(binary.BigEndian.Uint16(u[4:]))
	if ul < 8 || ul > len(u) {
		return
	}
	src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(pkt[12:16])), binary.BigEndian.Uint16(u[0:]))
	dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(pkt[16:20])), binary.BigEndian.Uint16(u[2:]))
	return src, dst, u[8:ul], true
}

// IsReply reports whether pkt is a UDP datagram from the DHCP server port
// to the client port: what the data path hands to the DHCP client instead of
// the TUN device while it waits for an answer.
func IsReply(pkt []byte) bool {
	src, dst, _, ok := ParseUDP(pkt)
	return ok && src.Port() == ServerPort && dst.Port() == ClientPort
}

// AppendInformPacket appends the whole IPv4 packet of a DHCPINFORM from
// ciaddr:68 to 255.255.255.255:67, ready to send through the tunnel.
func AppendInformPacket(b []byte, xid uint32, ciaddr netip.Addr, secs uint16) []byte {
	return AppendUDP(b, netip.AddrPortFrom(ciaddr, ClientPort), netip.AddrPortFrom(Broadcast, ServerPort),
		AppendInform(nil, xid, ciaddr, secs))
}

// ParseReply parses an IP packet from the tunnel as the DHCPACK for xid.
// Server is the IP source when the ACK has no option 54.
func ParseReply(pkt []byte, xid uint32) (Ack, error) {
	src, dst, payload, ok := ParseUDP(pkt)
	if !ok || src.Port() != ServerPort || dst.Port() != ClientPort {
		return Ack{}, fmt.Errorf("%w: not a UDP datagram from port 67 to 68", ErrNotReply)
	}
	a, err := ParseAck(payload, xid)
	if err == nil && !a.Server.IsValid() {
		a.Server = src.Addr()
	}
	return a, err
}

// Inform is what a server needs from a DHCPINFORM.
type Inform struct {
	XID    uint32
	Secs   uint16
	CIAddr netip.Addr
	CHAddr [16]byte
}

// ParseInform parses a DHCPINFORM message (the UDP payload), for servers.
func ParseInform(m []byte) (Inform, error) {
	o, err := parseMessage(m, 1)
	if err != nil {
		return Inform{}, err
	}
	if t := o[OptMessageType]; len(t) != 1 || t[0] != TypeInform {
		return Inform{}, fmt.Errorf("%w: type %v", ErrNotInform, t)
	}
	return Inform{
		XID:    binary.BigEndian.Uint32(m[4:]),
		Secs:   binary.BigEndian.Uint16(m[8:]),
		CIAddr: netip.AddrFrom4([4]byte(m[12:16])),
		CHAddr: [16]byte(m[28:44]),
	}, nil
}

// AppendAck appends the DHCPACK answering in (RFC 2131 section 4.3.5: no
// yiaddr, no lease time) with a's options, for servers. Routes go out as
// both 121 and 249, as Windows DHCP servers configured for both send them.
// Options longer than 255 bytes are split (RFC 3396).
func AppendAck(b []byte, in Inform, server netip.Addr, a Ack) []byte {
	start := len(b)
	b = append(b, make([]byte, fixedLen)...)
	m := b[start:]
	m[0], m[1], m[2] = 2, 1, 6
	binary.BigEndian.PutUint32(m[4:], in.XID)
	if in.CIAddr.Is4() {
		ca := in.CIAddr.As4()
		copy(m[12:16], ca[:])
	}
	copy(m[28:44], in.CHAddr[:])
	b = append(b, magicCookie[:]...)
	b = append(b, OptMessageType, 1, TypeAck)
	if server.Is4() {
		sv := server.As4()
		b = appendOpt(b, OptServerID, sv[:])
	}
	if len(a.Routes) > 0 {
		r := AppendClasslessRoutes(nil, a.Routes)
		b = appendOpt(b, OptClasslessRoute, r)
		b = appendOpt(b, OptMSClassless, r)
	}
	if a.Domain != "" {
		b = appendOpt(b, OptDomainName, []byte(a.Domain))
	}
	if len(a.Search) > 0 {
		b = appendOpt(b, OptDomainSearch, AppendDomainSearch(nil, a.Search))
	}
	if len(a.DNS) > 0 {
		var v []byte
		for _, d := range a.DNS {
			x := d.As4()
			v = append(v, x[:]...)
		}
		b = appendOpt(b, OptDNS, v)
	}
	return append(b, optEnd)
}

func appendOpt(b []byte, code byte, v []byte) []byte {
	for {
		n := min(len(v), 255)
		b = append(b, code, byte(n))
		b = append(b, v[:n]...)
		v = v[n:]
		if len(v) == 0 {
			return b
		}
	}
}
