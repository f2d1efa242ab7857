package sstptest

import (
	"net/netip"
	"sync/atomic"

	"github.com/sstpgo/sstpgo/dhcp"
)

// DHCPResponder answers DHCPINFORMs that clients send through the tunnel
// with Ack's options, as RRAS does by relaying them to the corporate DHCP
// server and SoftEther's SecureNAT does itself (PROTOCOL.md, field facts).
type DHCPResponder struct {
	Ack     dhcp.Ack // routes (sent as options 121 and 249), domain, search list, DNS
	informs atomic.Int64
}

// Informs is the number of DHCPINFORMs answered.
func (r *DHCPResponder) Informs() int { return int(r.informs.Load()) }

// answerDHCP answers ip if it is a DHCPINFORM to the DHCP server port and
// the server has a responder; it reports whether it took the packet.
func (s *Session) answerDHCP(ip []byte) bool {
	r := s.cfg.DHCP
	if r == nil {
		return false
	}
	src, dst, payload, ok := dhcp.ParseUDP(ip)
	if !ok || dst.Port() != dhcp.ServerPort || src.Port() != dhcp.ClientPort {
		return false
	}
	in, err := dhcp.ParseInform(payload)
	if err != nil {
		s.log.Info("dhcp: not an INFORM", "err", err.Error())
		return true
	}
	r.informs.Add(1)
	// RFC 2131 4.3.5: the ACK goes to ciaddr, unicast.
	to := in.CIAddr
	if !to.IsValid() || to.IsUnspecified() {
		to = src.Addr()
	}
	reply := dhcp.AppendUDP(nil, netip.AddrPortFrom(s.cfg.ServerIP, dhcp.ServerPort),
		netip.AddrPortFrom(to, dhcp.ClientPort), dhcp.AppendAck(nil, in, s.cfg.ServerIP, r.Ack))
	s.log.Info("dhcp: INFORM answered", "client", to.String(), "xid", in.XID)
	s.WriteIP(reply)
	return true
}
