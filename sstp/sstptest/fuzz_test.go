package sstptest

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// discardConn is a net.Conn that swallows writes, for driving a Session without a network.
type discardConn struct{ net.Conn }

func (discardConn) Write(b []byte) (int, error)      { return len(b), nil }
func (discardConn) Close() error                     { return nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }
func (discardConn) SetReadDeadline(time.Time) error  { return nil }
func (discardConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (discardConn) Read([]byte) (int, error)         { select {} }
func (discardConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (discardConn) SetDeadline(time.Time) error      { return nil }

// frame wraps a PPP packet in an SSTP data packet.
func frame(proto uint16, code, id uint8, data []byte) []byte {
	b := ppp.AppendPacket(ppp.AppendFrame(make([]byte, 4), proto), code, id, data)
	sstp.PutDataHeader(b, len(b))
	return b
}

// FuzzSessionInput feeds a hostile client's SSTP byte stream (after HTTP) to the session's
// packet handler for every personality: whatever it sends, the server must not panic.
func FuzzSessionInput(f *testing.F) {
	ccr := sstp.AppendControl(nil, sstp.MsgCallConnectRequest, sstp.Attribute{ID: sstp.AttrEncapsulatedProtocolID, Value: []byte{0, 1}})
	lcpReq := frame(ppp.ProtoLCP, 1, 1, []byte{1, 4, 5, 0x78, 5, 6, 1, 2, 3, 4})
	lcpAck := frame(ppp.ProtoLCP, 2, 1, []byte{3, 4, 0xc0, 0x23})
	pap := frame(ppp.ProtoPAP, 1, 1, []byte{4, 'u', 's', 'e', 'r', 4, 'p', 'a', 's', 's'})
	chap := frame(ppp.ProtoCHAP, 2, 1, append([]byte{49}, make([]byte, 49+4)...))
	eap := frame(ppp.ProtoEAP, 2, 1, []byte{26, 2, 2, 0, 54, 49})
	ipcp := frame(ppp.ProtoIPCP, 1, 2, []byte{3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0, 131, 6, 0, 0, 0, 0})
	ipv6 := frame(ppp.ProtoIPV6CP, 1, 2, []byte{1, 10, 0, 0, 0, 0, 0, 0, 0, 0})
	join := func(p ...[]byte) []byte {
		var b []byte
		for _, x := range p {
			b = append(b, x...)
		}
		return b
	}
	f.Add(join(ccr, lcpReq, lcpAck, pap, ipcp, ipv6))
	f.Add(join(ccr, lcpReq, lcpAck, chap))
	f.Add(join(ccr, lcpReq, lcpAck, eap))
	f.Add(join(ccr, sstp.AppendControl(nil, sstp.MsgCallConnected), sstp.AppendControl(nil, sstp.MsgEchoRequest)))
	f.Add([]byte{0x10, 0, 0, 8, 0xff, 0x03, 0xc0, 0x21})
	servers := map[Personality]*Server{}
	for _, p := range []Personality{RRAS, SoftEther, Generic} {
		o := Options{Personality: p, IPv6: true, Auth: defaultAuth(Generic)}
		if p == SoftEther {
			o.Auth = nil
		}
		servers[p] = NewUnstartedServer(o)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		for _, srv := range servers {
			runStream(srv, stream)
		}
	})
}

// runStream splits stream into SSTP packets by their Length fields and handles each, firing
// the timers now and then.
func runStream(srv *Server, stream []byte) {
	s := newSession(srv, 1, discardConn{})
	s.conn = discardConn{}
	defer srv.releaseIP(s)
	now := time.Unix(1e9, 0)
	for len(stream) >= 4 && !s.ended {
		n := int(binary.BigEndian.Uint16(stream[2:]) & 0x0fff)
		if n < 4 || n > len(stream) {
			return
		}
		s.handlePacket(now, stream[:n])
		stream = stream[n:]
		now = now.Add(time.Second)
		if d, ok := s.deadline(); ok && stream != nil && len(stream)%3 == 0 {
			s.timeout(d)
		}
	}
}

// FuzzEchoReply: any packet, no panic; a reply always has valid IPv4 and ICMP checksums.
func FuzzEchoReply(f *testing.F) {
	self := netip.MustParseAddr("10.0.0.1")
	f.Add(icmpEcho(netip.MustParseAddr("10.0.0.2"), self))
	f.Add(icmpEcho(netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.9")))
	f.Add([]byte{0x46, 0, 0, 20})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		r := echoReply(pkt, self)
		if r == nil {
			return
		}
		ihl := int(r[0]&0x0f) * 4
		if checksum(r[:ihl]) != 0 || checksum(r[ihl:]) != 0 || r[ihl] != 0 {
			t.Fatalf("bad reply % x", r)
		}
	})
}
