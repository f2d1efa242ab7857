package sstptest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

func newTestServer(t *testing.T, o Options) *Server {
	t.Helper()
	srv := NewServer(o)
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPAndConnectAck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pers    Personality
		bitmask uint8
	}{
		{"rras", RRAS, 0x03},
		{"softether", SoftEther, 0x02},
		{"generic", Generic, 0x03},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Personality: tc.pers})
			c := dialRaw(t, srv)
			c.sendHTTP()
			c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			var hdr []byte
			for {
				line, err := c.br.ReadSlice('\n')
				if err != nil {
					t.Fatal(err)
				}
				hdr = append(hdr, line...)
				if string(line) == "\r\n" {
					break
				}
			}
			for _, want := range []string{"HTTP/1.1 200 ", "Content-Length: 18446744073709551615\r\n", "Server: Microsoft-HTTPAPI/2.0\r\n"} {
				if !bytes.Contains(hdr, []byte(want)) {
					t.Errorf("response %q lacks %q", hdr, want)
				}
			}
			c.sendConnectRequest()
			ack := c.mustControl()
			if ack.Type != sstp.MsgCallConnectAck {
				t.Fatalf("got %s", ack.Type)
			}
			req, err := sstp.ParseCryptoBindingRequest(ack.Attrs[0].Value)
			if err != nil || req.HashBitmask != tc.bitmask || req.Nonce == ([32]byte{}) {
				t.Errorf("binding request %+v, %v; want bitmask %#x and a nonce", req, err, tc.bitmask)
			}
		})
	}
}

func TestHTTPRejects(t *testing.T) {
	for _, tc := range []struct {
		name, req string
		code      int
	}{
		{"wrong method", "POST " + sstp.Path + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 400},
		{"wrong path", "SSTP_DUPLEX_POST /vpn/ HTTP/1.1\r\nHost: localhost\r\n\r\n", 404},
		{"no host", "SSTP_DUPLEX_POST " + sstp.Path + " HTTP/1.1\r\n\r\n", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{})
			c := dialRaw(t, srv)
			c.write([]byte(tc.req))
			var he *sstp.HTTPError
			if err := c.readHTTP(); !errors.As(err, &he) || he.Code != tc.code {
				t.Fatalf("got %v, want HTTP %d", err, tc.code)
			}
			if s := waitDone(t, srv); !errors.Is(s.Err, ErrHTTP) {
				t.Errorf("Err = %v, want ErrHTTP", s.Err)
			}
		})
	}
}

func TestConnectNakForWrongProtocol(t *testing.T) {
	srv := newTestServer(t, Options{})
	c := dialRaw(t, srv)
	c.sendHTTP()
	if err := c.readHTTP(); err != nil {
		t.Fatal(err)
	}
	c.sendControl(sstp.MsgCallConnectRequest, sstp.Attribute{ID: sstp.AttrEncapsulatedProtocolID, Value: []byte{0, 2}})
	nak := c.mustControl()
	if nak.Type != sstp.MsgCallConnectNak || len(nak.Attrs) != 1 {
		t.Fatalf("got %+v", nak)
	}
	si, err := sstp.ParseStatusInfo(nak.Attrs[0].Value)
	if err != nil || si.AttrID != sstp.AttrEncapsulatedProtocolID || si.Status != sstp.StatusValueNotSupported {
		t.Fatalf("status info %+v %v", si, err)
	}
	// A corrected request is then accepted.
	c.sendConnectRequest()
	if ack := c.mustControl(); ack.Type != sstp.MsgCallConnectAck {
		t.Fatalf("got %s", ack.Type)
	}
}

func TestSoftEtherSession(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{Personality: SoftEther, Users: map[string]string{"alice": "secret"}})
	c := dialRaw(t, srv)
	req := c.connect()
	// SoftEther waits for the client to speak PPP first.
	if pkt, err := c.readPacket(300 * time.Millisecond); err == nil && pkt[1]&1 == 0 {
		t.Fatalf("server sent a PPP frame before the client: % x", pkt)
	}
	id := c.nextID()
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureRequest, id,
		ppp.AppendOption(ppp.AppendOption(nil, 1, []byte{0x05, 0x78}), 5, []byte{1, 2, 3, 4}))
	var srvReq, rej ppp.Packet
	for range 2 {
		pk := c.readPPP(ppp.ProtoLCP)
		switch pk.Code {
		case ppp.CodeConfigureRequest:
			srvReq = pk
		case ppp.CodeConfigureReject:
			rej = pk
		default:
			t.Fatalf("unexpected LCP code %d", pk.Code)
		}
	}
	if want := []byte{3, 4, 0xc0, 0x23}; !bytes.Equal(srvReq.Data, want) {
		t.Errorf("SoftEther LCP request % x, want only Auth-Protocol PAP % x", srvReq.Data, want)
	}
	if want := []byte{5, 6, 1, 2, 3, 4}; rej.ID != id || !bytes.Equal(rej.Data, want) {
		t.Errorf("reject %+v, want Magic-Number rejected", rej)
	}
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureAck, srvReq.ID, srvReq.Data)
	id = c.nextID()
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureRequest, id, ppp.AppendOption(nil, 1, []byte{0x05, 0x78}))
	if ack := c.readPPP(ppp.ProtoLCP); ack.Code != ppp.CodeConfigureAck {
		t.Fatalf("MRU not acked: %+v", ack)
	}
	if code := c.pap(`HUB\alice`, "secret"); code != 2 {
		t.Fatalf("PAP answer %d, want Ack", code)
	}
	c.callConnected(srv, req, [32]byte{})
	ipcpReq := c.readPPP(ppp.ProtoIPCP)
	if want := []byte{3, 6, 1, 0, 0, 1}; !bytes.Equal(ipcpReq.Data, want) {
		t.Errorf("IPCP request % x, want dummy 1.0.0.1", ipcpReq.Data)
	}
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureAck, ipcpReq.ID, ipcpReq.Data)
	id = c.nextID()
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureRequest, id,
		ppp.AppendOption(ppp.AppendOption(ppp.AppendOption(nil, 3, make([]byte, 4)), 129, make([]byte, 4)), 131, make([]byte, 4)))
	if rej := c.readPPP(ppp.ProtoIPCP); rej.Code != ppp.CodeConfigureReject || !bytes.Equal(rej.Data, []byte{131, 6, 0, 0, 0, 0}) {
		t.Fatalf("want Secondary-DNS rejected, got %+v", rej)
	}
	// IPV6CP is Protocol-Rejected.
	c.sendPPP(ppp.ProtoIPV6CP, ppp.CodeConfigureRequest, 1, ppp.AppendOption(nil, 1, []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	if pr := c.readPPP(ppp.ProtoLCP); pr.Code != ppp.CodeProtocolReject || !bytes.HasPrefix(pr.Data, []byte{0x80, 0x57}) {
		t.Fatalf("want Protocol-Reject of IPV6CP, got %+v", pr)
	}
	ip, dns := c.ipcp2()
	if ip != netip.MustParseAddr("10.0.0.2") || dns != netip.MustParseAddr("10.0.0.53") {
		t.Errorf("assigned %v dns %v", ip, dns)
	}
	s := waitFor(t, srv, func(s []SessionInfo) bool { return s[0].Up })[0]
	if s.User != `HUB\alice` || s.Auth != ppp.AuthPAP || s.ClientIP != ip || !s.CallConnected || s.BindingErr != nil {
		t.Errorf("session %+v", s)
	}
	c.sendIP(icmpEcho(ip, netip.MustParseAddr("10.0.0.1")))
	if proto, pkt := c.readFrame(); proto != ppp.ProtoIPv4 || len(pkt) < 28 || pkt[20] != 0 || checksum(pkt[:20]) != 0 || checksum(pkt[20:]) != 0 {
		t.Fatalf("want a valid ICMP echo reply, got 0x%04x % x", proto, pkt)
	}
	c.sendControl(sstp.MsgCallDisconnect)
	if ack := c.mustControl(); ack.Type != sstp.MsgCallDisconnectAck {
		t.Fatalf("got %s", ack.Type)
	}
	if s := waitDone(t, srv); s.Err != nil || !s.ClientDisconnect {
		t.Errorf("end %+v", s)
	}
}

// ipcp2 finishes IPCP after the server's request was acked (IP-Address and primary DNS).
func (c *rawClient) ipcp2() (netip.Addr, netip.Addr) {
	c.t.Helper()
	id := c.nextID()
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureRequest, id, ppp.AppendOption(ppp.AppendOption(nil, 3, make([]byte, 4)), 129, make([]byte, 4)))
	nak := c.readPPP(ppp.ProtoIPCP)
	if nak.Code != ppp.CodeConfigureNak {
		c.t.Fatalf("want Nak, got %+v", nak)
	}
	id = c.nextID()
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureRequest, id, nak.Data)
	if ack := c.readPPP(ppp.ProtoIPCP); ack.Code != ppp.CodeConfigureAck {
		c.t.Fatalf("want Ack, got %+v", ack)
	}
	o, _ := ppp.ParseOptions(nak.Data)
	ip, _ := netip.AddrFromSlice(o[0].Value)
	dns, _ := netip.AddrFromSlice(o[1].Value)
	return ip, dns
}

func TestSoftEtherWrongPassword(t *testing.T) {
	srv := newTestServer(t, Options{Personality: SoftEther})
	c := dialRaw(t, srv)
	c.connect()
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureRequest, c.nextID(), nil)
	srvReq := c.readPPP(ppp.ProtoLCP)
	c.readPPP(ppp.ProtoLCP) // Ack of ours
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureAck, srvReq.ID, srvReq.Data)
	if code := c.pap("user", "wrong"); code != 3 {
		t.Fatalf("PAP answer %d, want Nak", code)
	}
	term := c.readPPP(ppp.ProtoLCP)
	if term.Code != ppp.CodeTerminateRequest {
		t.Fatalf("want LCP Terminate-Request, got %+v", term)
	}
	c.sendPPP(ppp.ProtoLCP, ppp.CodeTerminateAck, term.ID, nil)
	if d := c.mustControl(); d.Type != sstp.MsgCallDisconnect {
		t.Fatalf("want CALL_DISCONNECT, got %s", d.Type)
	}
	c.sendControl(sstp.MsgCallDisconnectAck)
	if _, err := c.readPacket(5 * time.Second); !errors.Is(err, io.EOF) {
		t.Errorf("want the server to close, got %v", err)
	}
	if s := waitDone(t, srv); !errors.Is(s.Err, ErrAuthFailed) || s.AuthAttempts != 1 {
		t.Errorf("end %+v", s)
	}
}

func TestSoftEtherAuthFallback(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{Personality: SoftEther})
	c := dialRaw(t, srv)
	c.connect()
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureRequest, c.nextID(), nil)
	srvReq := c.readPPP(ppp.ProtoLCP)
	c.readPPP(ppp.ProtoLCP)
	// Nak PAP asking for EAP, which SoftEther lacks: it proposes MS-CHAPv2.
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureNak, srvReq.ID, []byte{3, 4, 0xc2, 0x27})
	next := c.readPPP(ppp.ProtoLCP)
	if want := []byte{3, 5, 0xc2, 0x23, 0x81}; next.Code != ppp.CodeConfigureRequest || !bytes.Equal(next.Data, want) {
		t.Fatalf("want MS-CHAPv2 proposed, got %+v", next)
	}
	// Refused again: SoftEther gives up.
	c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureNak, next.ID, []byte{3, 4, 0xc2, 0x27})
	if term := c.readPPP(ppp.ProtoLCP); term.Code != ppp.CodeTerminateRequest {
		t.Fatalf("want Terminate-Request, got %+v", term)
	}
	if s := waitDone(t, srv); !errors.Is(s.Err, ErrNoAuthMethod) {
		t.Errorf("Err %v", s.Err)
	}
}

func TestRRASBinding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		hlak    func(good [32]byte) [32]byte
		skip    bool // never send CALL_CONNECTED
		wantErr error
	}{
		{"correct", func(g [32]byte) [32]byte { return g }, false, nil},
		{"swapped halves", func(g [32]byte) [32]byte { return [32]byte(append(g[16:], g[:16]...)) }, false, sstp.ErrBindingMAC},
		{"zero hlak", func([32]byte) [32]byte { return [32]byte{} }, false, sstp.ErrBindingMAC},
		{"missing", nil, true, ErrNoCallConnected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Personality: RRAS, ConnectedTimeout: 200 * time.Millisecond})
			c := dialRaw(t, srv)
			req := c.connect()
			srvReq := c.lcp()
			if !bytes.Contains(srvReq.Data, []byte{3, 5, 0xc2, 0x23, 0x81}) || !bytes.Contains(srvReq.Data, []byte{1, 4}) {
				t.Errorf("RRAS LCP request % x lacks MRU or MS-CHAPv2", srvReq.Data)
			}
			hlak, res := c.mschapv2(`DOMAIN\user`, "pass")
			if res.Code != 3 {
				t.Fatalf("MS-CHAPv2 answer %+v", res)
			}
			if !tc.skip {
				c.callConnected(srv, req, tc.hlak(hlak))
			}
			if tc.wantErr == nil {
				c.ipcp()
				s := waitFor(t, srv, func(s []SessionInfo) bool { return s[0].Up })[0]
				if s.BindingErr != nil || s.HashProtocol != sstp.HashSHA256 || s.Auth != ppp.AuthMSCHAPv2 {
					t.Errorf("session %+v", s)
				}
				return
			}
			for {
				pkt, err := c.readPacket(5 * time.Second)
				if err != nil {
					t.Fatalf("want CALL_ABORT, got %v", err)
				}
				if ctl, err := sstp.ParseControl(pkt); err == nil && ctl.Type == sstp.MsgCallAbort {
					break
				}
			}
			s := waitDone(t, srv)
			if !errors.Is(s.BindingErr, tc.wantErr) || s.Err == nil {
				t.Errorf("BindingErr %v Err %v, want %v", s.BindingErr, s.Err, tc.wantErr)
			}
		})
	}
}

func TestRRASAuthNak(t *testing.T) {
	for _, tc := range []struct {
		name     string
		nak      []byte // the Auth-Protocol the client asks for
		wantNext []byte // the server's next Auth-Protocol option, nil: it terminates
	}{
		{"toward pap", []byte{3, 4, 0xc0, 0x23}, nil},
		{"toward chap-md5", []byte{3, 5, 0xc2, 0x23, 0x05}, nil},
		{"toward eap", []byte{3, 4, 0xc2, 0x27}, []byte{3, 4, 0xc2, 0x27}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, Options{Personality: RRAS})
			c := dialRaw(t, srv)
			c.connect()
			srvReq := c.readPPP(ppp.ProtoLCP)
			c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureNak, srvReq.ID, tc.nak)
			next := c.readPPP(ppp.ProtoLCP)
			if tc.wantNext != nil {
				if next.Code != ppp.CodeConfigureRequest || !bytes.Contains(next.Data, tc.wantNext) {
					t.Fatalf("want % x proposed, got %+v", tc.wantNext, next)
				}
				return
			}
			if next.Code != ppp.CodeTerminateRequest {
				t.Fatalf("want Terminate-Request, got %+v", next)
			}
			if s := waitDone(t, srv); !errors.Is(s.Err, ErrNoAuthMethod) {
				t.Errorf("Err %v", s.Err)
			}
		})
	}
}

func TestMSCHAPv2WrongPassword(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{Personality: RRAS})
	c := dialRaw(t, srv)
	c.connect()
	c.lcp()
	_, res := c.mschapv2("user", "nope")
	if res.Code != 4 || !bytes.HasPrefix(res.Data, []byte("E=691 R=0 C=")) || !bytes.Contains(res.Data, []byte(" V=3 M=")) {
		t.Fatalf("want MS-CHAPv2 Failure E=691, got %d %q", res.Code, res.Data)
	}
	if term := c.readPPP(ppp.ProtoLCP); term.Code != ppp.CodeTerminateRequest {
		t.Fatalf("want Terminate-Request, got %+v", term)
	}
	if s := waitDone(t, srv); !errors.Is(s.Err, ErrAuthFailed) {
		t.Errorf("Err %v", s.Err)
	}
}

func TestGenericSessionAndClose(t *testing.T) {
	srv := newTestServer(t, Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthPAP}})
	c := dialRaw(t, srv)
	ip := c.up(srv)
	if ip != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("ip %v", ip)
	}
	if s := srv.Lookup(ip); s == nil || s.ClientIP() != ip {
		t.Fatalf("Lookup(%v) = %v", ip, s)
	}
	// WriteIP reaches the client as an IPv4 frame.
	pkt := icmpEcho(netip.MustParseAddr("192.0.2.1"), ip)
	if err := srv.Lookup(ip).WriteIP(pkt); err != nil {
		t.Fatal(err)
	}
	if proto, got := c.readFrame(); proto != ppp.ProtoIPv4 || !bytes.Equal(got, pkt) {
		t.Fatalf("got 0x%04x % x", proto, got)
	}
	srv.CloseClientConnections()
	if _, err := c.readPacket(5 * time.Second); err == nil {
		t.Fatal("connection still open after CloseClientConnections")
	}
	if s := waitDone(t, srv); !errors.Is(s.Err, ErrKilled) {
		t.Errorf("Err %v", s.Err)
	}
	if srv.Lookup(ip) != nil {
		t.Error("address not released")
	}
}

// With the binding enforced, IP flows only after a verified CALL_CONNECTED (MS-SSTP 3.3.5).
func TestRRASDropsDataBeforeCallConnected(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{Personality: RRAS})
	c := dialRaw(t, srv)
	req := c.connect()
	c.lcp()
	hlak, res := c.mschapv2("user", "pass")
	if res.Code != 3 {
		t.Fatalf("auth %+v", res)
	}
	ip, _ := c.ipcp()
	ping := icmpEcho(ip, netip.MustParseAddr("10.0.0.1"))
	c.sendIP(ping)
	if pkt, err := c.readPacket(300 * time.Millisecond); err == nil {
		t.Fatalf("answer before CALL_CONNECTED: % x", pkt)
	}
	waitFor(t, srv, func(s []SessionInfo) bool { return s[0].Up })
	if s := srv.Lookup(ip); s == nil || s.WriteIP(ping) != ErrNotUp {
		t.Error("WriteIP before CALL_CONNECTED did not fail with ErrNotUp")
	}
	c.callConnected(srv, req, hlak)
	c.sendIP(ping)
	if proto, pkt := c.readFrame(); proto != ppp.ProtoIPv4 || pkt[20] != 0 {
		t.Fatalf("want echo reply, got 0x%04x % x", proto, pkt)
	}
}

// SoftEther takes the HTTP request, Call Connect Request and first LCP request in one write
// (PROTOCOL.md 4).
func TestSoftEtherPipelinedStart(t *testing.T) {
	srv := newTestServer(t, Options{Personality: SoftEther})
	c := dialRaw(t, srv)
	b := sstp.AppendRequest(nil, "localhost", sstp.NewCorrelationID(nil))
	b = sstp.AppendControl(b, sstp.MsgCallConnectRequest, sstp.Attribute{ID: sstp.AttrEncapsulatedProtocolID, Value: []byte{0, 1}})
	lcp := ppp.AppendPacket(ppp.AppendFrame(make([]byte, 4), ppp.ProtoLCP), ppp.CodeConfigureRequest, 1, nil)
	sstp.PutDataHeader(lcp, len(lcp))
	c.write(append(b, lcp...))
	if err := c.readHTTP(); err != nil {
		t.Fatal(err)
	}
	if ack := c.mustControl(); ack.Type != sstp.MsgCallConnectAck {
		t.Fatalf("got %s", ack.Type)
	}
	got := map[uint8]bool{}
	for range 2 {
		got[c.readPPP(ppp.ProtoLCP).Code] = true
	}
	if !got[ppp.CodeConfigureRequest] || !got[ppp.CodeConfigureAck] {
		t.Errorf("LCP answers %v, want the server's request and an Ack", got)
	}
}

func TestCertificate(t *testing.T) {
	srv := newTestServer(t, Options{Hostnames: []string{"vpn.example.test", "192.0.2.7"}})
	cert := srv.Certificate()
	for _, name := range []string{"localhost", "vpn.example.test", "127.0.0.1", "::1", "192.0.2.7"} {
		if err := cert.VerifyHostname(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: srv.CertPool(), DNSName: "vpn.example.test"}); err != nil {
		t.Errorf("not self-verifying: %v", err)
	}
	if p, _ := pem.Decode(srv.CertPEM()); p == nil || !bytes.Equal(p.Bytes, cert.Raw) {
		t.Error("CertPEM does not hold the certificate")
	}
	// TLS 1.1 is refused and the failed handshake is recorded.
	_, err := tls.Dial("tcp", srv.Addr(), &tls.Config{RootCAs: srv.CertPool(), ServerName: "localhost", MaxVersion: tls.VersionTLS11})
	if err == nil {
		t.Fatal("TLS 1.1 accepted")
	}
	if s := waitDone(t, srv); s.Err == nil {
		t.Error("handshake failure not recorded")
	}
}

func TestOwnTLSConfig(t *testing.T) {
	other := NewUnstartedServer(Options{})
	defer other.Close()
	conf := &tls.Config{Certificates: other.tlsConf.Certificates}
	srv := newTestServer(t, Options{TLSConfig: conf})
	if !srv.Certificate().Equal(other.Certificate()) || srv.tlsConf.MinVersion != tls.VersionTLS12 {
		t.Error("TLSConfig certificate or minimum version not used")
	}
	dialRaw(t, srv).connect()
}

// QueueIP gathers packets that Flush sends in order in one write; WriteIP
// flushes what was queued before it.
func TestQueueIPFlush(t *testing.T) {
	srv := newTestServer(t, Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthPAP}})
	c := dialRaw(t, srv)
	ip := c.up(srv)
	s := srv.Lookup(ip)
	var want [][]byte
	for i := range 5 {
		pkt := icmpEcho(netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}), ip)
		want = append(want, pkt)
		if err := s.QueueIP(pkt); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, 1400)
	big[0] = 0x45
	for range 20 { // more than one record's worth: QueueIP writes as it goes
		want = append(want, big)
		if err := s.QueueIP(big); err != nil {
			t.Fatal(err)
		}
	}
	last := icmpEcho(netip.MustParseAddr("192.0.2.99"), ip)
	want = append(want, last)
	if err := s.WriteIP(last); err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if proto, got := c.readFrame(); proto != ppp.ProtoIPv4 || !bytes.Equal(got, w) {
			t.Fatalf("packet %d: got 0x%04x % x", i, proto, got[:min(len(got), 24)])
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatalf("empty Flush: %v", err)
	}
}
