package sstptest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// rawClient is a hand-scripted SSTP client for testing the server before (and independently
// of) the real client: every step is explicit in the test.
type rawClient struct {
	t    *testing.T
	conn *tls.Conn
	br   *bufio.Reader
	buf  []byte
	id   uint8
}

func dialRaw(t *testing.T, srv *Server) *rawClient {
	t.Helper()
	conf := &tls.Config{RootCAs: srv.CertPool(), ServerName: "localhost", MinVersion: tls.VersionTLS12}
	conn, err := tls.Dial("tcp", srv.Addr(), conf)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawClient{t: t, conn: conn, br: bufio.NewReader(conn), buf: make([]byte, sstp.MaxPacketLen)}
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *rawClient) sendHTTP() {
	c.write(sstp.AppendRequest(nil, "localhost", sstp.NewCorrelationID(nil)))
}

func (c *rawClient) readHTTP() error {
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	return sstp.ReadResponse(c.br)
}

// readPacket reads one SSTP packet within d.
func (c *rawClient) readPacket(d time.Duration) ([]byte, error) {
	c.conn.SetReadDeadline(time.Now().Add(d))
	return sstp.ReadPacket(c.br, c.buf)
}

func (c *rawClient) mustControl() sstp.Control {
	c.t.Helper()
	pkt, err := c.readPacket(5 * time.Second)
	if err != nil {
		c.t.Fatalf("read control: %v", err)
	}
	ctl, err := sstp.ParseControl(pkt)
	if err != nil {
		c.t.Fatalf("parse control % x: %v", pkt, err)
	}
	return ctl
}

func (c *rawClient) sendControl(t sstp.MessageType, attrs ...sstp.Attribute) {
	c.write(sstp.AppendControl(nil, t, attrs...))
}

func (c *rawClient) sendConnectRequest() {
	c.sendControl(sstp.MsgCallConnectRequest, sstp.Attribute{ID: sstp.AttrEncapsulatedProtocolID, Value: []byte{0, 1}})
}

// connect runs HTTP and the Connect Request and returns the server's binding request.
func (c *rawClient) connect() sstp.CryptoBindingRequest {
	c.t.Helper()
	c.sendHTTP()
	if err := c.readHTTP(); err != nil {
		c.t.Fatalf("HTTP: %v", err)
	}
	c.sendConnectRequest()
	ack := c.mustControl()
	if ack.Type != sstp.MsgCallConnectAck || len(ack.Attrs) != 1 || ack.Attrs[0].ID != sstp.AttrCryptoBindingReq {
		c.t.Fatalf("want CALL_CONNECT_ACK with CRYPTO_BINDING_REQ, got %+v", ack)
	}
	req, err := sstp.ParseCryptoBindingRequest(ack.Attrs[0].Value)
	if err != nil {
		c.t.Fatal(err)
	}
	return req
}

func (c *rawClient) sendPPP(proto uint16, code, id uint8, data []byte) {
	b := make([]byte, 4, 64)
	b = ppp.AppendFrame(b, proto)
	b = ppp.AppendPacket(b, code, id, data)
	sstp.PutDataHeader(b, len(b))
	c.write(b)
}

func (c *rawClient) sendIP(pkt []byte) {
	b := make([]byte, 4, 64)
	b = ppp.AppendFrame(b, ppp.ProtoIPv4)
	b = append(b, pkt...)
	sstp.PutDataHeader(b, len(b))
	c.write(b)
}

// readFrame returns the next PPP frame, skipping SSTP control packets and LCP echoes.
func (c *rawClient) readFrame() (uint16, []byte) {
	c.t.Helper()
	for {
		pkt, err := c.readPacket(5 * time.Second)
		if err != nil {
			c.t.Fatalf("read PPP: %v", err)
		}
		if pkt[1]&1 == 1 {
			continue
		}
		proto, payload, err := ppp.ParseFrame(pkt[4:])
		if err != nil {
			c.t.Fatalf("frame % x: %v", pkt, err)
		}
		if proto == ppp.ProtoLCP && len(payload) > 0 && payload[0] == ppp.CodeEchoRequest {
			continue
		}
		return proto, append([]byte(nil), payload...)
	}
}

// readPPP returns the next control packet of the PPP protocol proto.
func (c *rawClient) readPPP(proto uint16) ppp.Packet {
	c.t.Helper()
	p, payload := c.readFrame()
	if p != proto {
		c.t.Fatalf("got protocol 0x%04x, want 0x%04x", p, proto)
	}
	pk, err := ppp.ParsePacket(payload)
	if err != nil {
		c.t.Fatal(err)
	}
	return pk
}

func (c *rawClient) nextID() uint8 { c.id++; return c.id }

// lcp completes LCP: Ack the server's request, get our (MRU-only) request acked. The server's
// first request is returned.
func (c *rawClient) lcp() ppp.Packet {
	c.t.Helper()
	srvReq := c.readPPP(ppp.ProtoLCP)
	if srvReq.Code != ppp.CodeConfigureRequest {
		c.t.Fatalf("want server Configure-Request, got code %d", srvReq.Code)
	}
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureAck, srvReq.ID, srvReq.Data)
	id := c.nextID()
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureRequest, id, ppp.AppendOption(nil, 1, []byte{0x05, 0x78}))
	if ack := c.readPPP(ppp.ProtoLCP); ack.Code != ppp.CodeConfigureAck || ack.ID != id {
		c.t.Fatalf("want Configure-Ack %d, got %+v", id, ack)
	}
	return srvReq
}

// pap authenticates with PAP and returns the server's answer code.
func (c *rawClient) pap(user, pass string) uint8 {
	c.t.Helper()
	d := append([]byte{byte(len(user))}, user...)
	d = append(append(d, byte(len(pass))), pass...)
	c.sendPPP(ppp.ProtoPAP, 1, c.nextID(), d)
	return c.readPPP(ppp.ProtoPAP).Code
}

// mschapv2 answers the server's MS-CHAPv2 challenge and returns the HLAK the client derives
// and the server's answer.
func (c *rawClient) mschapv2(user, pass string) ([32]byte, ppp.Packet) {
	c.t.Helper()
	ch := c.readPPP(ppp.ProtoCHAP)
	if ch.Code != 1 || len(ch.Data) < 17 || ch.Data[0] != 16 {
		c.t.Fatalf("want MS-CHAPv2 Challenge, got %+v", ch)
	}
	authCh := [16]byte(ch.Data[1:17])
	peerCh := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	nt := ppp.GenerateNTResponse(authCh, peerCh, ppp.MSCHAPv2Username(user), pass)
	v := append([]byte{49}, peerCh[:]...)
	v = append(v, make([]byte, 8)...)
	v = append(v, nt[:]...)
	v = append(v, 0)
	v = append(v, user...)
	c.sendPPP(ppp.ProtoCHAP, 2, ch.ID, v)
	res := c.readPPP(ppp.ProtoCHAP)
	if res.Code == 3 {
		want := ppp.GenerateAuthenticatorResponse(pass, nt, peerCh, authCh, ppp.MSCHAPv2Username(user))
		if !bytes.HasPrefix(res.Data, []byte(want+" M=")) {
			c.t.Fatalf("Success %q, want prefix %q", res.Data, want)
		}
	}
	return ppp.MSCHAPv2HLAK(pass, nt, false), res
}

// callConnected sends CALL_CONNECTED for the binding request with hlak.
func (c *rawClient) callConnected(srv *Server, req sstp.CryptoBindingRequest, hlak [32]byte) {
	h, err := sstp.ChooseHash(req.HashBitmask)
	if err != nil {
		c.t.Fatal(err)
	}
	c.write(sstp.AppendCallConnected(nil, h, req.Nonce, sstp.CertHash(h, srv.Certificate().Raw), hlak[:]))
}

// ipcp asks for an address and DNS and returns what the server assigned.
func (c *rawClient) ipcp() (netip.Addr, netip.Addr) {
	c.t.Helper()
	srvReq := c.readPPP(ppp.ProtoIPCP)
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureAck, srvReq.ID, srvReq.Data)
	opts := ppp.AppendOption(nil, 3, []byte{0, 0, 0, 0})
	opts = ppp.AppendOption(opts, 129, []byte{0, 0, 0, 0})
	id := c.nextID()
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureRequest, id, opts)
	nak := c.readPPP(ppp.ProtoIPCP)
	if nak.Code != ppp.CodeConfigureNak || nak.ID != id {
		c.t.Fatalf("want IPCP Nak, got %+v", nak)
	}
	o, err := ppp.ParseOptions(nak.Data)
	if err != nil || len(o) != 2 {
		c.t.Fatalf("Nak options %x: %v", nak.Data, err)
	}
	id = c.nextID()
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureRequest, id, nak.Data)
	if ack := c.readPPP(ppp.ProtoIPCP); ack.Code != ppp.CodeConfigureAck || ack.ID != id {
		c.t.Fatalf("want IPCP Ack, got %+v", ack)
	}
	ip, _ := netip.AddrFromSlice(o[0].Value)
	dns, _ := netip.AddrFromSlice(o[1].Value)
	return ip, dns
}

// up brings a Generic/PAP session to the network phase with a correct binding.
func (c *rawClient) up(srv *Server) netip.Addr {
	c.t.Helper()
	req := c.connect()
	c.lcp()
	if code := c.pap("user", "pass"); code != 2 {
		c.t.Fatalf("PAP answer %d", code)
	}
	c.callConnected(srv, req, [32]byte{})
	ip, _ := c.ipcp()
	waitFor(c.t, srv, func(s []SessionInfo) bool {
		for i := len(s) - 1; i >= 0; i-- {
			if s[i].ClientIP == ip {
				return s[i].Up // the latest session given ip
			}
		}
		return false
	})
	return ip
}

func waitFor(t *testing.T, srv *Server, pred func([]SessionInfo) bool) []SessionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitFor(ctx, pred); err != nil {
		t.Fatalf("WaitFor: %v; sessions %+v", err, srv.Sessions())
	}
	return srv.Sessions()
}

func waitDone(t *testing.T, srv *Server) SessionInfo {
	t.Helper()
	s := waitFor(t, srv, func(s []SessionInfo) bool { return len(s) > 0 && s[len(s)-1].Done })
	return s[len(s)-1]
}

// icmpEcho builds an IPv4 ICMP echo request from src to dst.
func icmpEcho(src, dst netip.Addr) []byte {
	p := make([]byte, 28+4)
	p[0], p[8], p[9] = 0x45, 64, 1
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	copy(p[12:16], src.AsSlice())
	copy(p[16:20], dst.AsSlice())
	binary.BigEndian.PutUint16(p[10:], checksum(p[:20]))
	p[20] = 8
	binary.BigEndian.PutUint16(p[24:], 0x1234) // identifier
	binary.BigEndian.PutUint16(p[26:], 1)      // sequence
	copy(p[28:], "ping")
	binary.BigEndian.PutUint16(p[22:], checksum(p[20:]))
	return p
}
