package ppp

import (
	"bytes"
	"testing"
	"time"
)

// fakeServer is a scripted PPP server (the authenticator side) for tests:
// enough of LCP, PAP, CHAP, MS-CHAPv2, EAP-MSCHAPv2, IPCP and IPV6CP to drive
// a Client to the Network phase, with knobs that mimic real servers' quirks.
// Its MS-CHAPv2 side is computed with the crypto functions, independently of
// the client's code path.
type fakeServer struct {
	t   *testing.T
	c   *Client
	now time.Time

	user, pass string
	offer      []AuthMethod // methods it accepts; offer[0] is its first proposal
	insist     bool         // ignore our Naks, keep proposing offer[0]
	// quirks
	rejectMagic    bool // Configure-Reject our Magic-Number (SoftEther)
	nakForever     bool // Configure-Nak every LCP request (never converges)
	silent         bool // never answer anything
	wrongAuthResp  bool // MS-CHAPv2 Success with a bad S=
	failE          int  // answer with MS-CHAPv2 Failure E=failE / PAP Nak
	eapAskTLS      bool // first propose EAP-TLS, expect a Nak to 26
	dropPAP        int  // ignore this many PAP requests
	holdAuth       bool // open LCP, then never authenticate
	ignoreIPCP     bool // never answer our IPCP requests
	noIPv6         bool // Protocol-Reject IPV6CP
	rejectDNS2     bool // Configure-Reject Secondary-DNS (SoftEther)
	rejectAddr     bool // Configure-Reject IP-Address
	nakDNSForever  bool // Configure-Nak both DNS options with 0.0.0.0, always
	nakAddrForever bool // Configure-Nak IP-Address with 0.0.0.0, always
	nakIDForever   bool // Configure-Nak the IPV6CP Interface-Identifier with zero, always
	nakIPv6ID      [8]byte
	addr, peer     [4]byte
	dns1, dns2     [4]byte
	ipv6ID         [8]byte

	// state
	proposal             AuthMethod
	lcpID, ncpID, authID uint8
	srvAcked, cliAcked   bool
	lcpUp, ncpStarted    bool
	triedTLS             bool
	ipcpNaks             int // IPCP Configure-Naks sent
	chal                 [16]byte
	ntResp               [24]byte
	peerChal             [16]byte
	rx                   []rxPacket
	events               []Event
	t0, downAt           time.Time       // Start, first EventDown
	papTimes             []time.Duration // PAP requests, since Start
}

type rxPacket struct {
	proto uint16
	pkt   Packet
}

func newFakeServer(t *testing.T, cfg Config) *fakeServer {
	t.Helper()
	if cfg.Username == "" {
		cfg.Username, cfg.Password = "User", "clientPass"
	}
	if cfg.Rand == nil {
		cfg.Rand = &countingReader{}
	}
	s := &fakeServer{
		t: t, now: time.Unix(1_000_000, 0), user: cfg.Username, pass: cfg.Password,
		offer: []AuthMethod{AuthMSCHAPv2},
		addr:  [4]byte{10, 0, 0, 2}, peer: [4]byte{10, 0, 0, 1},
		dns1: [4]byte{10, 0, 0, 53}, dns2: [4]byte{10, 0, 0, 54},
		ipv6ID: [8]byte{2, 0, 0, 0, 0, 0, 0, 1},
		chal:   [16]byte{0x5b, 0x5d, 0x7c, 0x7d, 0x7b, 0x3f, 0x2f, 0x3e, 0x3c, 0x2c, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28},
	}
	s.c = NewClient(cfg)
	return s
}

// countingReader is a deterministic Rand: 1, 2, 3, ...
type countingReader struct{ n byte }

func (r *countingReader) Read(b []byte) (int, error) {
	for i := range b {
		r.n++
		b[i] = r.n
	}
	return len(b), nil
}

// start calls Client.Start and runs the exchange until it is quiet.
func (s *fakeServer) start() {
	s.t0 = s.now
	s.c.Start(s.now)
	s.pump()
}

// pump delivers the client's frames to the server until none are left.
func (s *fakeServer) pump() {
	for i := 0; i < 1000; i++ {
		for _, e := range s.c.Events() {
			if e.Kind == EventDown && s.downAt.IsZero() {
				s.downAt = s.now
			}
			s.events = append(s.events, e)
		}
		out := s.c.Output()
		if len(out) == 0 {
			return
		}
		for _, f := range out {
			s.handle(f)
		}
	}
	s.t.Fatal("client and server never went quiet")
}

// runTimers advances simulated time to each deadline until the client is
// dead or limit is reached; it returns the simulated time spent.
func (s *fakeServer) runTimers(limit time.Duration) time.Duration {
	start := s.now
	for s.now.Sub(start) < limit {
		d, ok := s.c.Deadline()
		if !ok {
			break
		}
		if d.After(s.now) {
			s.now = d
		}
		s.c.Timeout(s.now)
		s.pump()
	}
	return s.now.Sub(start)
}

func (s *fakeServer) send(proto uint16, code, id uint8, data []byte) {
	s.c.Input(s.now, AppendPacket(AppendFrame(nil, proto), code, id, data))
}

func (s *fakeServer) handle(f []byte) {
	t := s.t
	if len(f) < 4 || f[0] != 0xff || f[1] != 0x03 {
		t.Fatalf("client frame without FF 03: % x", f)
	}
	proto := be16(f[2:])
	p, err := ParsePacket(f[4:])
	if err != nil {
		t.Fatalf("client sent a bad packet: %v: % x", err, f)
	}
	p.Data = bytes.Clone(p.Data)
	s.rx = append(s.rx, rxPacket{proto, p})
	if proto == ProtoPAP && p.Code == papAuthRequest {
		s.papTimes = append(s.papTimes, s.now.Sub(s.t0))
	}
	if s.silent {
		return
	}
	switch proto {
	case ProtoLCP:
		s.lcp(p)
	case ProtoPAP:
		s.pap(p)
	case ProtoCHAP:
		s.chap(p)
	case ProtoEAP:
		s.eap(p)
	case ProtoIPCP:
		if !s.ignoreIPCP {
			s.ipcp(p)
		}
	case ProtoIPV6CP:
		s.ipv6cp(p, f[4:])
	}
}

// sent returns the packets the client sent with protocol proto and code.
func (s *fakeServer) sent(proto uint16, code uint8) []Packet {
	var out []Packet
	for _, r := range s.rx {
		if r.proto == proto && r.pkt.Code == code {
			out = append(out, r.pkt)
		}
	}
	return out
}

func (s *fakeServer) lcp(p Packet) {
	switch p.Code {
	case CodeConfigureRequest:
		if s.lcpID == 0 {
			s.proposal = s.offer[0]
			s.sendLCPRequest()
		}
		s.lcpConfigureReply(p)
	case CodeConfigureAck:
		if p.ID == s.lcpID {
			s.srvAcked = true
			s.checkLCPUp()
		}
	case CodeConfigureNak:
		if m := authFromOptions(p.Data); !s.insist && containsMethod(s.offer, m) {
			s.proposal = m
		}
		s.sendLCPRequest()
	case CodeConfigureReject:
		s.send(ProtoLCP, CodeTerminateRequest, 99, []byte("no auth"))
	case CodeTerminateRequest:
		s.send(ProtoLCP, CodeTerminateAck, p.ID, nil)
	}
}

func (s *fakeServer) lcpConfigureReply(p Packet) {
	opts, err := ParseOptions(p.Data)
	if err != nil {
		s.t.Fatalf("client LCP options: %v", err)
	}
	if s.nakForever {
		s.send(ProtoLCP, CodeConfigureNak, p.ID, appendOption16(nil, lcpOptMRU, 1000))
		return
	}
	for _, o := range opts {
		if o.Type == lcpOptMagicNumber && s.rejectMagic {
			s.send(ProtoLCP, CodeConfigureReject, p.ID, appendOptionRaw(nil, o))
			return
		}
	}
	s.send(ProtoLCP, CodeConfigureAck, p.ID, p.Data)
	s.cliAcked = true
	s.checkLCPUp()
}

func authFromOptions(b []byte) AuthMethod {
	opts, _ := ParseOptions(b)
	for _, o := range opts {
		if o.Type == lcpOptAuthProtocol {
			return parseAuthProtocol(o.Value)
		}
	}
	return AuthNone
}

func (s *fakeServer) sendLCPRequest() {
	s.lcpID++
	var opts []byte
	if s.proposal != AuthNone {
		opts = appendAuthOption(s.proposal)
	}
	s.send(ProtoLCP, CodeConfigureRequest, s.lcpID, opts)
}

func (s *fakeServer) checkLCPUp() {
	if !s.srvAcked || !s.cliAcked || s.lcpUp {
		return
	}
	s.lcpUp = true
	s.authID = 1
	if s.holdAuth {
		return
	}
	switch s.proposal {
	case AuthCHAP, AuthMSCHAPv2:
		s.send(ProtoCHAP, chapChallenge, s.authID, chapValue(s.chal[:], "srv"))
	case AuthEAP:
		s.send(ProtoEAP, eapRequest, s.authID, []byte{eapTypeIdentity})
	case AuthNone:
		s.startNCP()
	}
}

func chapValue(v []byte, name string) []byte {
	return append(append([]byte{byte(len(v))}, v...), name...)
}

func (s *fakeServer) pap(p Packet) {
	d := p.Data
	if p.Code != papAuthRequest || len(d) < 1 || len(d) < 2+int(d[0]) {
		s.t.Fatalf("bad PAP request % x", d)
	}
	if s.holdAuth {
		return
	}
	if s.dropPAP > 0 {
		s.dropPAP--
		return
	}
	user := string(d[1 : 1+d[0]])
	pl := int(d[1+d[0]])
	pass := string(d[2+int(d[0]) : 2+int(d[0])+pl])
	if user != s.user || pass != s.pass || s.failE != 0 {
		s.send(ProtoPAP, papAuthNak, p.ID, append([]byte{12}, "bad password"...))
		return
	}
	s.send(ProtoPAP, papAuthAck, p.ID, append([]byte{7}, "Welcome"...))
	s.startNCP()
}

func (s *fakeServer) chap(p Packet) {
	d := p.Data
	if p.Code != chapResponse || p.ID != s.authID || len(d) < 1 || len(d) < 1+int(d[0]) {
		s.t.Fatalf("bad CHAP response id %d % x", p.ID, d)
	}
	value, name := d[1:1+d[0]], string(d[1+d[0]:])
	if name != s.user {
		s.t.Errorf("CHAP Name = %q, want %q", name, s.user)
	}
	if s.proposal == AuthCHAP {
		want := CHAPMD5Response(p.ID, s.pass, s.chal[:])
		if !bytes.Equal(value, want[:]) || s.failE != 0 {
			s.send(ProtoCHAP, chapFailure, p.ID, []byte("Access denied"))
			return
		}
		s.send(ProtoCHAP, chapSuccess, p.ID, []byte("Welcome"))
		s.startNCP()
		return
	}
	msg, ok := s.mschapv2Verify(value, name)
	if !ok {
		s.send(ProtoCHAP, chapFailure, p.ID, msg)
		return
	}
	s.send(ProtoCHAP, chapSuccess, p.ID, msg)
	s.startNCP()
}

// mschapv2Verify checks a 49-byte Response (RFC 2759 section 4) and returns
// the Success or Failure message to send.
func (s *fakeServer) mschapv2Verify(value []byte, name string) ([]byte, bool) {
	if len(value) != 49 {
		s.t.Fatalf("MS-CHAPv2 response value is %d bytes", len(value))
	}
	copy(s.peerChal[:], value[:16])
	copy(s.ntResp[:], value[24:48])
	if !bytes.Equal(value[16:24], make([]byte, 8)) || value[48] != 0 {
		s.t.Errorf("MS-CHAPv2 reserved/flags not zero: % x", value)
	}
	user := MSCHAPv2Username(name)
	want := GenerateNTResponse(s.chal, s.peerChal, user, s.pass)
	if want != s.ntResp || s.failE != 0 {
		e := s.failE
		if e == 0 {
			e = 691
		}
		return []byte("E=" + itoa(e) + " R=0 C=00000000000000000000000000000000 V=3 M=Access denied"), false
	}
	ar := GenerateAuthenticatorResponse(s.pass, s.ntResp, s.peerChal, s.chal, user)
	if s.wrongAuthResp {
		ar = ar[:len(ar)-1] + "0"
		if ar == GenerateAuthenticatorResponse(s.pass, s.ntResp, s.peerChal, s.chal, user) {
			ar = ar[:len(ar)-1] + "1"
		}
	}
	return []byte(ar + " M=Welcome"), true
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

func (s *fakeServer) eap(p Packet) {
	d := p.Data
	if p.Code != eapResponse || p.ID != s.authID || len(d) < 1 {
		s.t.Fatalf("bad EAP packet %d id %d % x", p.Code, p.ID, d)
	}
	s.authID++
	switch d[0] {
	case eapTypeIdentity:
		if string(d[1:]) != s.user {
			s.t.Errorf("EAP identity %q", d[1:])
		}
		if s.eapAskTLS && !s.triedTLS {
			s.triedTLS = true
			s.send(ProtoEAP, eapRequest, s.authID, []byte{13, 0x20}) // EAP-TLS Start
			return
		}
		s.eapChallenge()
	case eapTypeNak:
		if !bytes.Equal(d[1:], []byte{eapTypeMSCHAPv2}) {
			s.t.Errorf("EAP Nak proposes % x", d[1:])
		}
		s.eapChallenge()
	case eapTypeMSCHAPv2:
		s.eapMSCHAPv2(d[1:])
	}
}

func (s *fakeServer) eapChallenge() {
	body := chapValue(s.chal[:], "srv")
	n := 4 + len(body)
	td := append([]byte{eapTypeMSCHAPv2, eapMSChallenge, 42, byte(n >> 8), byte(n)}, body...)
	s.send(ProtoEAP, eapRequest, s.authID, td)
}

func (s *fakeServer) eapMSCHAPv2(d []byte) {
	switch d[0] {
	case eapMSResponse:
		if d[1] != 42 || int(be16(d[2:])) != len(d) {
			s.t.Errorf("EAP-MSCHAPv2 response header % x (len %d)", d[:4], len(d))
		}
		body := d[4:]
		msg, ok := s.mschapv2Verify(body[1:1+body[0]], string(body[1+body[0]:]))
		op := byte(eapMSSuccess)
		if !ok {
			op = eapMSFailure
		}
		n := 4 + len(msg)
		s.send(ProtoEAP, eapRequest, s.authID, append([]byte{eapTypeMSCHAPv2, op, 42, byte(n >> 8), byte(n)}, msg...))
	case eapMSSuccess:
		s.send(ProtoEAP, eapSuccess, s.authID, nil)
		s.startNCP()
	case eapMSFailure:
		s.send(ProtoEAP, eapFailure, s.authID, nil)
	}
}

// startNCP sends the server's IPCP (and IPV6CP) Configure-Request.
func (s *fakeServer) startNCP() {
	if s.ncpStarted {
		return
	}
	s.ncpStarted = true
	s.ncpID++
	var opts []byte
	if s.peer != [4]byte{} {
		opts = AppendOption(opts, ipcpOptAddress, s.peer[:])
	}
	s.send(ProtoIPCP, CodeConfigureRequest, s.ncpID, opts)
	if s.c.cfg.IPv6 && !s.noIPv6 {
		s.send(ProtoIPV6CP, CodeConfigureRequest, s.ncpID, AppendOption(nil, ipv6cpOptInterfaceID, s.ipv6ID[:]))
	}
}

func (s *fakeServer) ipcp(p Packet) {
	if p.Code != CodeConfigureRequest {
		return
	}
	opts, _ := ParseOptions(p.Data)
	var nak, rej []byte
	for _, o := range opts {
		switch o.Type {
		case ipcpOptAddress:
			if s.nakAddrForever {
				nak = AppendOption(nak, o.Type, make([]byte, 4))
			} else if s.rejectAddr {
				rej = appendOptionRaw(rej, o)
			} else if !bytes.Equal(o.Value, s.addr[:]) {
				nak = AppendOption(nak, o.Type, s.addr[:])
			}
		case ipcpOptPrimaryDNS, ipcpOptSecondaryDNS:
			if s.nakDNSForever {
				nak = AppendOption(nak, o.Type, make([]byte, 4))
				continue
			}
			if o.Type == ipcpOptSecondaryDNS {
				s.ipcpDNS2(o, &nak, &rej)
			} else if !bytes.Equal(o.Value, s.dns1[:]) {
				nak = AppendOption(nak, o.Type, s.dns1[:])
			}
		default:
			rej = appendOptionRaw(rej, o)
		}
	}
	switch {
	case rej != nil:
		s.send(ProtoIPCP, CodeConfigureReject, p.ID, rej)
	case nak != nil:
		s.ipcpNaks++
		s.send(ProtoIPCP, CodeConfigureNak, p.ID, nak)
	default:
		s.send(ProtoIPCP, CodeConfigureAck, p.ID, p.Data)
	}
}

func (s *fakeServer) ipcpDNS2(o Option, nak, rej *[]byte) {
	if s.rejectDNS2 {
		*rej = appendOptionRaw(*rej, o)
	} else if !bytes.Equal(o.Value, s.dns2[:]) {
		*nak = AppendOption(*nak, o.Type, s.dns2[:])
	}
}

func (s *fakeServer) ipv6cp(p Packet, raw []byte) {
	if s.noIPv6 {
		s.send(ProtoLCP, CodeProtocolReject, 77, append([]byte{0x80, 0x57}, raw...))
		return
	}
	if p.Code != CodeConfigureRequest {
		return
	}
	if opts, _ := ParseOptions(p.Data); s.nakIDForever && len(opts) > 0 {
		s.send(ProtoIPV6CP, CodeConfigureNak, p.ID, AppendOption(nil, ipv6cpOptInterfaceID, make([]byte, 8)))
		return
	}
	if s.nakIPv6ID != [8]byte{} {
		nak := AppendOption(nil, ipv6cpOptInterfaceID, s.nakIPv6ID[:])
		s.nakIPv6ID = [8]byte{}
		s.send(ProtoIPV6CP, CodeConfigureNak, p.ID, nak)
		return
	}
	s.send(ProtoIPV6CP, CodeConfigureAck, p.ID, p.Data)
}
