package sstptest

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

func TestLookupUser(t *testing.T) {
	users := map[string]string{"user": "pass", `CORP\bob`: "exact"}
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"user", "pass", true},
		{"user@HUB", "pass", true},
		{`HUB\user`, "pass", true},
		{`CORP\bob`, "exact", true},
		{"bob", "", false},
		{"", "", false},
		{`\`, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := lookupUser(users, tc.name); got != tc.want || ok != tc.ok {
				t.Errorf("lookupUser(%q) = %q, %v", tc.name, got, ok)
			}
		})
	}
}

// The server's HLAK must equal the client's (MS-SSTP 3.2.5.2): built from the RFC 3079
// primitives in the server's order, it matches ppp.MSCHAPv2HLAK on the client side.
func TestServerHLAKMatchesClient(t *testing.T) {
	nt := [24]byte{0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E, 0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54, 0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF}
	if got, want := serverHLAK("clientPass", nt), ppp.MSCHAPv2HLAK("clientPass", nt, false); got != want {
		t.Fatalf("server HLAK % x\nclient HLAK % x", got, want)
	}
}

func TestCHAPMD5(t *testing.T) {
	for _, tc := range []struct {
		name, pass string
		code       uint8
	}{{"right", "pass", 3}, {"wrong", "nope", 4}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthCHAP}})
			c := dialRaw(t, srv)
			c.connect()
			if req := c.lcp(); !bytes.Contains(req.Data, []byte{3, 5, 0xc2, 0x23, 0x05}) {
				t.Fatalf("LCP request % x lacks CHAP-MD5", req.Data)
			}
			ch := c.readPPP(ppp.ProtoCHAP)
			if ch.Code != 1 || len(ch.Data) < 1+int(ch.Data[0]) {
				t.Fatalf("challenge %+v", ch)
			}
			resp := ppp.CHAPMD5Response(ch.ID, tc.pass, ch.Data[1:1+ch.Data[0]])
			c.sendPPP(ppp.ProtoCHAP, 2, ch.ID, append(append([]byte{16}, resp[:]...), "user"...))
			if res := c.readPPP(ppp.ProtoCHAP); res.Code != tc.code {
				t.Fatalf("answer %d, want %d", res.Code, tc.code)
			}
			s := waitFor(t, srv, func(s []SessionInfo) bool { return s[0].Authenticated || s[0].Done })[0]
			if s.Authenticated != (tc.code == 3) || s.User != "user" || s.AuthAttempts != 1 {
				t.Errorf("session %+v", s)
			}
		})
	}
}

// eapMSCHAPv2 runs the client side of EAP-MSCHAPv2 (RFC 3748, draft-kamath 2) by hand and
// returns the client HLAK and the final EAP code.
func (c *rawClient) eapMSCHAPv2(user, pass string) ([32]byte, uint8) {
	c.t.Helper()
	id := c.readPPP(ppp.ProtoEAP)
	if id.Code != 1 || !bytes.Equal(id.Data, []byte{1}) {
		c.t.Fatalf("want EAP Request/Identity, got %+v", id)
	}
	c.sendPPP(ppp.ProtoEAP, 2, id.ID, append([]byte{1}, user...))
	ch := c.readPPP(ppp.ProtoEAP)
	d := ch.Data
	if ch.Code != 1 || len(d) < 22 || d[0] != 26 || d[1] != 1 || d[5] != 16 || int(d[3])<<8|int(d[4]) != len(d)-1 {
		c.t.Fatalf("want EAP-MSCHAPv2 Challenge, got % x", d)
	}
	msID, authCh := d[2], [16]byte(d[6:22])
	peerCh := [16]byte{9, 8, 7, 6, 5, 4, 3, 2, 1}
	nt := ppp.GenerateNTResponse(authCh, peerCh, ppp.MSCHAPv2Username(user), pass)
	v := []byte{26, 2, msID, 0, 0, 49}
	v = append(append(v, peerCh[:]...), make([]byte, 8)...)
	v = append(append(append(v, nt[:]...), 0), user...)
	v[3], v[4] = byte((len(v)-1)>>8), byte(len(v)-1)
	c.sendPPP(ppp.ProtoEAP, 2, ch.ID, v)
	res := c.readPPP(ppp.ProtoEAP)
	if res.Code != 1 || len(res.Data) < 5 || res.Data[0] != 26 {
		c.t.Fatalf("want EAP-MSCHAPv2 Success/Failure request, got %+v", res)
	}
	op := res.Data[1]
	if op == 3 {
		want := ppp.GenerateAuthenticatorResponse(pass, nt, peerCh, authCh, ppp.MSCHAPv2Username(user))
		if !bytes.HasPrefix(res.Data[5:], []byte(want)) {
			c.t.Fatalf("Success-Request %q lacks %q", res.Data[5:], want)
		}
	}
	c.sendPPP(ppp.ProtoEAP, 2, res.ID, []byte{26, op})
	final := c.readPPP(ppp.ProtoEAP)
	return ppp.MSCHAPv2HLAK(pass, nt, false), final.Code
}

func TestEAPMSCHAPv2(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, pass string
		code       uint8
	}{{"right", "pass", 3}, {"wrong", "nope", 4}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, Options{Personality: RRAS, Auth: []ppp.AuthMethod{ppp.AuthEAP, ppp.AuthMSCHAPv2}})
			c := dialRaw(t, srv)
			req := c.connect()
			if lcp := c.lcp(); !bytes.Contains(lcp.Data, []byte{3, 4, 0xc2, 0x27}) {
				t.Fatalf("LCP request % x lacks EAP", lcp.Data)
			}
			hlak, code := c.eapMSCHAPv2("user@HUB", tc.pass)
			if code != tc.code {
				t.Fatalf("EAP ended with code %d, want %d", code, tc.code)
			}
			if code == 4 {
				if s := waitDone(t, srv); !errors.Is(s.Err, ErrAuthFailed) {
					t.Errorf("Err %v", s.Err)
				}
				return
			}
			c.callConnected(srv, req, hlak)
			c.ipcp()
			s := waitFor(t, srv, func(s []SessionInfo) bool { return s[0].Up })[0]
			if s.Auth != ppp.AuthEAP || s.BindingErr != nil || s.User != "user@HUB" {
				t.Errorf("session %+v", s)
			}
		})
	}
}

func TestIPV6CP(t *testing.T) {
	srv := newTestServer(t, Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthPAP}, IPv6: true})
	c := dialRaw(t, srv)
	req := c.connect()
	c.lcp()
	if code := c.pap("user", "pass"); code != 2 {
		t.Fatalf("PAP %d", code)
	}
	c.callConnected(srv, req, [32]byte{})
	var srvReq ppp.Packet
	for srvReq.Code == 0 {
		proto, payload := c.readFrame()
		if proto == ppp.ProtoIPV6CP {
			srvReq, _ = ppp.ParsePacket(payload)
		}
	}
	if want := []byte{1, 10, 2, 0, 0, 0, 0, 0, 0, 1}; !bytes.Equal(srvReq.Data, want) {
		t.Errorf("server IPV6CP request % x", srvReq.Data)
	}
	c.sendPPP(ppp.ProtoIPV6CP, ppp.CodeConfigureAck, srvReq.ID, srvReq.Data)
	for _, bad := range [][]byte{make([]byte, 8), {2, 0, 0, 0, 0, 0, 0, 1}} {
		id := c.nextID()
		c.sendPPP(ppp.ProtoIPV6CP, ppp.CodeConfigureRequest, id, ppp.AppendOption(nil, 1, bad))
		nak := readProto(c, ppp.ProtoIPV6CP)
		if nak.Code != ppp.CodeConfigureNak || len(nak.Data) != 10 || bytes.Equal(nak.Data[2:], bad) || bytes.Equal(nak.Data[2:], make([]byte, 8)) {
			t.Fatalf("interface id % x: want Nak with a fresh one, got %+v", bad, nak)
		}
	}
	id := c.nextID()
	c.sendPPP(ppp.ProtoIPV6CP, ppp.CodeConfigureRequest, id, ppp.AppendOption(nil, 1, []byte{0, 1, 2, 3, 4, 5, 6, 7}))
	if ack := readProto(c, ppp.ProtoIPV6CP); ack.Code != ppp.CodeConfigureAck {
		t.Fatalf("want Ack, got %+v", ack)
	}
	waitFor(t, srv, func(s []SessionInfo) bool { return s[0].IPv6Up })
}

// readProto returns the next control packet of proto, skipping other protocols (IPCP).
func readProto(c *rawClient, proto uint16) ppp.Packet {
	c.t.Helper()
	for {
		p, payload := c.readFrame()
		if p == proto {
			pk, err := ppp.ParsePacket(payload)
			if err != nil {
				c.t.Fatal(err)
			}
			return pk
		}
	}
}

func TestEarlyCallConnected(t *testing.T) {
	srv := newTestServer(t, Options{Personality: RRAS})
	c := dialRaw(t, srv)
	req := c.connect()
	c.callConnected(srv, req, [32]byte{})
	c.untilControl(sstp.MsgCallAbort)
	if s := waitDone(t, srv); !errors.Is(s.BindingErr, ErrEarlyCallConnected) {
		t.Errorf("BindingErr %v", s.BindingErr)
	}
}

// SoftEther pings with SSTP echoes and aborts a silent client (PROTOCOL.md 4).
func TestSoftEtherEchoAndIdle(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, Options{Personality: SoftEther, EchoInterval: 20 * time.Millisecond, IdleTimeout: 200 * time.Millisecond})
	c := dialRaw(t, srv)
	c.connect()
	if ctl := c.mustControl(); ctl.Type != sstp.MsgEchoRequest {
		t.Fatalf("want ECHO_REQUEST, got %s", ctl.Type)
	}
	for {
		ctl := c.mustControl()
		if ctl.Type == sstp.MsgCallAbort {
			break
		}
		if ctl.Type != sstp.MsgEchoRequest {
			t.Fatalf("got %s", ctl.Type)
		}
	}
	if s := waitDone(t, srv); !errors.Is(s.Err, ErrIdle) {
		t.Errorf("Err %v", s.Err)
	}
}

func TestPoolAssignsAndReleases(t *testing.T) {
	srv := newTestServer(t, Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthPAP}})
	a := dialRaw(t, srv)
	if ip := a.up(srv); ip != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("first client got %v", ip)
	}
	if ip := dialRaw(t, srv).up(srv); ip != netip.MustParseAddr("10.0.0.3") {
		t.Errorf("second client got %v", ip)
	}
	a.sendControl(sstp.MsgCallDisconnect)
	waitFor(t, srv, func(s []SessionInfo) bool { return s[0].Done })
	if ip := dialRaw(t, srv).up(srv); ip != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("third client got %v, want the released 10.0.0.2", ip)
	}
}

func TestPoolExhausted(t *testing.T) {
	t.Parallel()
	// 10.9.0.0/30: .2 is the first client address but it is the server's, .3 is broadcast.
	srv := newTestServer(t, Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthPAP},
		ServerIP: netip.MustParseAddr("10.9.0.2"), Pool: netip.MustParsePrefix("10.9.0.0/30")})
	c := dialRaw(t, srv)
	req := c.connect()
	c.lcp()
	c.pap("user", "pass")
	c.callConnected(srv, req, [32]byte{})
	c.sendPPP(ppp.ProtoIPCP, ppp.CodeConfigureRequest, c.nextID(), ppp.AppendOption(nil, 3, make([]byte, 4)))
	if term := readProto(c, ppp.ProtoLCP); term.Code != ppp.CodeTerminateRequest {
		t.Fatalf("want Terminate-Request, got %+v", term)
	}
	if s := waitDone(t, srv); !errors.Is(s.Err, ErrPoolExhausted) {
		t.Errorf("Err %v", s.Err)
	}
}

// untilControl reads past data packets (the server's LCP request) to a control message.
func (c *rawClient) untilControl(want sstp.MessageType) {
	c.t.Helper()
	for {
		pkt, err := c.readPacket(5 * time.Second)
		if err != nil {
			c.t.Fatalf("want %s, got %v", want, err)
		}
		if pkt[1]&1 == 0 {
			continue
		}
		if ctl, err := sstp.ParseControl(pkt); err != nil || ctl.Type != want {
			c.t.Fatalf("want %s, got %+v %v", want, ctl, err)
		}
		return
	}
}
