package ppp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

func kinds(evs []Event) []EventKind {
	var k []EventKind
	for _, e := range evs {
		k = append(k, e.Kind)
	}
	return k
}

func findEvent(evs []Event, k EventKind) (Event, bool) {
	for _, e := range evs {
		if e.Kind == k {
			return e, true
		}
	}
	return Event{}, false
}

// downErr returns the Err of the single EventDown, failing if there is none.
func downErr(t *testing.T, s *fakeServer) error {
	t.Helper()
	e, ok := findEvent(s.events, EventDown)
	if !ok {
		t.Fatalf("no EventDown; events %v", kinds(s.events))
	}
	n := 0
	for _, e := range s.events {
		if e.Kind == EventDown {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d EventDown events", n)
	}
	return e.Err
}

// TestClientReachesNetwork drives a client to the Network phase with each
// authentication method and checks the events, HLAK and addresses.
func TestClientReachesNetwork(t *testing.T) {
	tests := []struct {
		name   string
		offer  []AuthMethod
		allow  []AuthMethod
		tweak  func(*fakeServer)
		want   AuthMethod
		msHLAK bool
	}{
		{name: "pap", offer: []AuthMethod{AuthPAP}, allow: []AuthMethod{AuthPAP}, want: AuthPAP},
		{name: "pap after naks", offer: []AuthMethod{AuthPAP}, want: AuthPAP},
		{name: "chap-md5", offer: []AuthMethod{AuthCHAP}, allow: []AuthMethod{AuthCHAP, AuthPAP}, want: AuthCHAP},
		{name: "mschapv2", offer: []AuthMethod{AuthMSCHAPv2}, want: AuthMSCHAPv2, msHLAK: true},
		{name: "mschapv2 domain user", offer: []AuthMethod{AuthMSCHAPv2}, want: AuthMSCHAPv2, msHLAK: true,
			tweak: func(s *fakeServer) { s.user = `CORP\User`; s.c.cfg.Username = `CORP\User` }},
		{name: "eap-mschapv2", offer: []AuthMethod{AuthEAP}, allow: []AuthMethod{AuthEAP}, want: AuthEAP, msHLAK: true},
		{name: "eap nak tls", offer: []AuthMethod{AuthEAP}, allow: []AuthMethod{AuthEAP}, want: AuthEAP, msHLAK: true,
			tweak: func(s *fakeServer) { s.eapAskTLS = true }},
		{name: "no auth", offer: []AuthMethod{AuthNone}, want: AuthNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{Auth: tt.allow})
			s.offer = tt.offer
			if tt.tweak != nil {
				tt.tweak(s)
			}
			s.start()
			if got := kinds(s.events); len(got) != 2 || got[0] != EventAuthenticated || got[1] != EventIPv4Up {
				t.Fatalf("events %v, want [authenticated ipv4-up]; down: %v", got, s.events)
			}
			a := s.events[0]
			if a.Auth != tt.want {
				t.Errorf("Auth = %v, want %v", a.Auth, tt.want)
			}
			var want [32]byte
			if tt.msHLAK {
				want = MSCHAPv2HLAK(s.pass, s.ntResp, false)
				srv := MSCHAPv2HLAK(s.pass, s.ntResp, true)
				if want == [32]byte{} || !bytes.Equal(want[:16], srv[16:]) || !bytes.Equal(want[16:], srv[:16]) {
					t.Errorf("client/server HLAK not mirrored")
				}
			}
			if a.HLAK != want {
				t.Errorf("HLAK = %x, want %x", a.HLAK, want)
			}
			v4 := s.events[1].IPv4
			if v4.Local != netip.MustParseAddr("10.0.0.2") || v4.Peer != netip.MustParseAddr("10.0.0.1") {
				t.Errorf("IPv4 %v peer %v", v4.Local, v4.Peer)
			}
			if len(v4.DNS) != 2 || v4.DNS[0] != netip.MustParseAddr("10.0.0.53") {
				t.Errorf("DNS %v", v4.DNS)
			}
			if s.c.Phase() != PhaseNetwork {
				t.Errorf("phase %v", s.c.Phase())
			}
			if _, ok := s.c.Deadline(); ok {
				t.Errorf("timer still running in the Network phase")
			}
			if s.c.PeerMRU() != DefaultMRU {
				t.Errorf("PeerMRU %d", s.c.PeerMRU())
			}
		})
	}
}

// TestClientSoftEther replays SoftEther's behaviour (PROTOCOL.md section 4).
func TestClientSoftEther(t *testing.T) {
	s := newFakeServer(t, Config{IPv6: true})
	s.offer = []AuthMethod{AuthPAP, AuthMSCHAPv2}
	s.rejectMagic, s.rejectDNS2, s.noIPv6 = true, true, true
	s.peer = [4]byte{1, 0, 0, 1}
	s.start()

	reqs := s.sent(ProtoLCP, CodeConfigureRequest)
	if len(reqs) != 2 {
		t.Fatalf("%d LCP requests, want 2", len(reqs))
	}
	if want := "01040578"; hex.EncodeToString(reqs[1].Data) != want {
		t.Errorf("LCP request after reject % x, want %s (no Magic-Number)", reqs[1].Data, want)
	}
	naks := s.sent(ProtoLCP, CodeConfigureNak)
	if len(naks) != 1 || authFromOptions(naks[0].Data) != AuthMSCHAPv2 {
		t.Errorf("LCP Naks %v, want one toward MS-CHAPv2", naks)
	}
	if got := kinds(s.events); len(got) != 2 || got[0] != EventAuthenticated || got[1] != EventIPv4Up {
		t.Fatalf("events %v", got)
	}
	if s.events[0].Auth != AuthMSCHAPv2 {
		t.Errorf("auth %v", s.events[0].Auth)
	}
	v4 := s.events[1].IPv4
	if v4.Local != netip.MustParseAddr("10.0.0.2") || v4.Peer != netip.MustParseAddr("1.0.0.1") ||
		len(v4.DNS) != 1 || v4.DNS[0] != netip.MustParseAddr("10.0.0.53") {
		t.Errorf("IPv4 %+v", v4)
	}
	ipcpReqs := s.sent(ProtoIPCP, CodeConfigureRequest)
	if last := ipcpReqs[len(ipcpReqs)-1].Data; bytes.Contains(last, []byte{ipcpOptSecondaryDNS, 6}) {
		t.Errorf("still asking for Secondary-DNS: % x", last)
	}
	if st := s.c.ipv6cp.State(); st != StateInitial {
		t.Errorf("IPV6CP state %v after Protocol-Reject", st)
	}
	if _, ok := s.c.Deadline(); ok {
		t.Errorf("timer still running")
	}

	// SoftEther's LCP echo uses magic 0; we answer with ours, 0 after the Reject.
	s.send(ProtoLCP, CodeEchoRequest, 7, []byte{0, 0, 0, 0, 'h', 'i'})
	s.pump()
	reps := s.sent(ProtoLCP, CodeEchoReply)
	if len(reps) != 1 || reps[0].ID != 7 || !bytes.Equal(reps[0].Data, []byte{0, 0, 0, 0, 'h', 'i'}) {
		t.Errorf("echo replies %v", reps)
	}
	// CCP gets a Protocol-Reject.
	ccp := AppendPacket(nil, CodeConfigureRequest, 1, []byte{0x12, 6, 0, 0, 0, 1})
	s.send(ProtoCCP, CodeConfigureRequest, 1, ccp[4:])
	s.pump()
	prs := s.sent(ProtoLCP, CodeProtocolReject)
	if len(prs) != 1 || !bytes.Equal(prs[0].Data, append([]byte{0x80, 0xfd}, ccp...)) {
		t.Errorf("protocol rejects %v", prs)
	}
}

func TestClientIPv6(t *testing.T) {
	s := newFakeServer(t, Config{IPv6: true, NoDNS: true})
	s.nakIPv6ID = [8]byte{0xa, 0xb, 0xc, 0xd, 1, 2, 3, 4}
	s.start()
	e, ok := findEvent(s.events, EventIPv6Up)
	if !ok {
		t.Fatalf("no EventIPv6Up: %v", kinds(s.events))
	}
	if e.IPv6.LocalID != [8]byte{0xa, 0xb, 0xc, 0xd, 1, 2, 3, 4} || e.IPv6.PeerID != s.ipv6ID {
		t.Errorf("IPv6 %+v", e.IPv6)
	}
	v4, _ := findEvent(s.events, EventIPv4Up)
	if len(v4.IPv4.DNS) != 0 {
		t.Errorf("DNS %v with NoDNS", v4.IPv4.DNS)
	}
	for _, p := range s.sent(ProtoIPCP, CodeConfigureRequest) {
		if len(p.Data) != 6 {
			t.Errorf("IPCP request with NoDNS: % x", p.Data)
		}
	}
}

func TestClientAuthRestriction(t *testing.T) {
	s := newFakeServer(t, Config{Auth: []AuthMethod{AuthMSCHAPv2}})
	s.offer, s.insist = []AuthMethod{AuthPAP}, true
	s.start()
	naks := s.sent(ProtoLCP, CodeConfigureNak)
	if len(naks) != 1 || authFromOptions(naks[0].Data) != AuthMSCHAPv2 {
		t.Fatalf("naks %v, want one toward MS-CHAPv2", naks)
	}
	rejs := s.sent(ProtoLCP, CodeConfigureReject)
	if len(rejs) != 1 || !bytes.Equal(rejs[0].Data, appendAuthOption(AuthPAP)) {
		t.Fatalf("rejects %v, want the PAP option", rejs)
	}
	err := downErr(t, s)
	if !errors.Is(err, ErrNoAuthMethod) {
		t.Fatalf("err %v, want ErrNoAuthMethod", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "offered pap") || !strings.Contains(msg, "allowed: mschapv2") {
		t.Errorf("message %q", msg)
	}
	if _, ok := findEvent(s.events, EventAuthenticated); ok {
		t.Errorf("authenticated")
	}
}

func TestClientAuthFailures(t *testing.T) {
	tests := []struct {
		name   string
		offer  AuthMethod
		tweak  func(*fakeServer)
		mutual bool
		code   int
		text   string
	}{
		{name: "mschapv2 wrong S=", offer: AuthMSCHAPv2, tweak: func(s *fakeServer) { s.wrongAuthResp = true }, mutual: true},
		{name: "eap wrong S=", offer: AuthEAP, tweak: func(s *fakeServer) { s.wrongAuthResp = true }, mutual: true},
		{name: "mschapv2 691", offer: AuthMSCHAPv2, tweak: func(s *fakeServer) { s.pass = "other" }, code: 691, text: "wrong user name or password"},
		{name: "mschapv2 649", offer: AuthMSCHAPv2, tweak: func(s *fakeServer) { s.failE = 649 }, code: 649, text: "dial-in"},
		{name: "eap 691", offer: AuthEAP, tweak: func(s *fakeServer) { s.failE = 691 }, code: 691, text: "E=691"},
		{name: "pap nak", offer: AuthPAP, tweak: func(s *fakeServer) { s.failE = 1 }, text: "bad password"},
		{name: "chap failure", offer: AuthCHAP, tweak: func(s *fakeServer) { s.failE = 1 }, text: "Access denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{Auth: []AuthMethod{tt.offer}})
			s.offer = []AuthMethod{tt.offer}
			tt.tweak(s)
			s.start()
			err := downErr(t, s)
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("err %v, want AuthError", err)
			}
			if ae.Method != tt.offer || ae.Code != tt.code || errors.Is(err, ErrMutualAuth) != tt.mutual {
				t.Errorf("AuthError %+v", ae)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("message %q lacks %q", err.Error(), tt.text)
			}
			if _, ok := findEvent(s.events, EventAuthenticated); ok {
				t.Errorf("authenticated despite failure")
			}
			if trs := s.sent(ProtoLCP, CodeTerminateRequest); len(trs) != 1 {
				t.Errorf("%d Terminate-Requests", len(trs))
			}
			s.pump()
			if s.c.Phase() != PhaseDead {
				t.Errorf("phase %v after Terminate-Ack", s.c.Phase())
			}
		})
	}
}

func TestClientNegotiationFails(t *testing.T) {
	tests := []struct {
		name  string
		tweak func(*fakeServer)
		max   time.Duration
	}{
		// The server Naks forever: give up after Max-Configure Naks, no timer.
		{name: "nak forever", tweak: func(s *fakeServer) { s.nakForever = true }, max: 0},
		// The server is silent: 10 requests 3 s apart, then TO-.
		{name: "silent", tweak: func(s *fakeServer) { s.silent = true }, max: 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{})
			tt.tweak(s)
			s.start()
			spent := s.runTimers(5 * time.Minute)
			if err := downErr(t, s); !errors.Is(err, ErrNegotiation) {
				t.Fatalf("err %v", err)
			}
			if spent > tt.max {
				t.Errorf("took %v of simulated time, want <= %v", spent, tt.max)
			}
			if n := len(s.sent(ProtoLCP, CodeConfigureRequest)); n > 11 {
				t.Errorf("%d Configure-Requests", n)
			}
		})
	}
}

func TestClientServerTerminates(t *testing.T) {
	s := newFakeServer(t, Config{})
	s.start()
	s.events = nil
	s.send(ProtoLCP, CodeTerminateRequest, 33, []byte("Idle timeout\x00"))
	s.pump()
	acks := s.sent(ProtoLCP, CodeTerminateAck)
	if len(acks) != 1 || acks[0].ID != 33 {
		t.Fatalf("terminate acks %v", acks)
	}
	err := downErr(t, s)
	if !errors.Is(err, ErrPeerTerminated) || !strings.Contains(err.Error(), `"Idle timeout"`) {
		t.Errorf("err %v", err)
	}
	if s.c.Phase() != PhaseDead {
		t.Errorf("phase %v", s.c.Phase())
	}
	if _, ok := s.c.Deadline(); ok {
		t.Errorf("timer running after the server left")
	}
	if n := len(s.sent(ProtoLCP, CodeTerminateRequest)); n != 0 {
		t.Errorf("sent %d Terminate-Requests to a server that left", n)
	}
}

// The server terminates during LCP negotiation (SoftEther after refusing
// every auth method): no retransmissions until Max-Configure.
func TestClientTerminatedDuringEstablish(t *testing.T) {
	s := newFakeServer(t, Config{})
	s.silent = true
	s.start()
	s.send(ProtoLCP, CodeTerminateRequest, 1, nil)
	s.pump()
	if err := downErr(t, s); !errors.Is(err, ErrPeerTerminated) {
		t.Fatalf("err %v", err)
	}
	if _, ok := s.c.Deadline(); ok || s.c.Phase() != PhaseDead {
		t.Errorf("phase %v, timer %v", s.c.Phase(), ok)
	}
}

func TestClientEchoAndUnknownProtocol(t *testing.T) {
	s := newFakeServer(t, Config{})
	s.start()
	magic := s.sent(ProtoLCP, CodeConfigureRequest)[0].Data[6:10]
	s.send(ProtoLCP, CodeEchoRequest, 9, []byte{0, 0, 0, 0, 1, 2, 3})
	s.send(ProtoLCP, CodeDiscardRequest, 10, []byte{0, 0, 0, 0})
	s.c.Input(s.now, []byte{0xff, 0x03, 0x12, 0x35, 1, 2, 3}) // unknown protocol
	s.c.Input(s.now, []byte{0x21, 0x45, 0})                   // IPv4 data, PFC: ignored here
	s.send(ProtoLCP, 42, 11, []byte{9})                       // unknown LCP code
	s.send(ProtoLCP, CodeIdentification, 12, append([]byte{0, 0, 0, 0}, "MSRASV5.20"...))
	s.send(ProtoLCP, CodeTimeRemaining, 13, []byte{0, 0, 0, 0, 0, 0, 0x0e, 0x10})
	s.pump()
	reps := s.sent(ProtoLCP, CodeEchoReply)
	if len(reps) != 1 || !bytes.Equal(reps[0].Data, append(bytes.Clone(magic), 1, 2, 3)) {
		t.Errorf("echo reply %v, magic % x", reps, magic)
	}
	prs := s.sent(ProtoLCP, CodeProtocolReject)
	if len(prs) != 1 || !bytes.Equal(prs[0].Data, []byte{0x12, 0x35, 1, 2, 3}) {
		t.Errorf("protocol rejects %v", prs)
	}
	crs := s.sent(ProtoLCP, CodeCodeReject)
	if len(crs) != 1 || !bytes.Equal(crs[0].Data, []byte{42, 11, 0, 5, 9}) {
		t.Errorf("code rejects %v", crs)
	}
	if len(s.events) != 2 {
		t.Errorf("events %v", kinds(s.events))
	}
}

func TestClientClose(t *testing.T) {
	tests := []struct {
		name    string
		silent  bool
		elapsed time.Duration
	}{
		{name: "acked"},
		{name: "no ack", silent: true, elapsed: 6 * time.Second}, // Max-Terminate 2 x 3 s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{})
			s.start()
			s.silent = tt.silent
			s.c.Close(s.now)
			s.pump()
			spent := s.runTimers(time.Minute)
			if err := downErr(t, s); err != nil {
				t.Errorf("err %v after Close", err)
			}
			if spent != tt.elapsed {
				t.Errorf("took %v", spent)
			}
			if s.c.Phase() != PhaseDead {
				t.Errorf("phase %v", s.c.Phase())
			}
			if n := len(s.sent(ProtoLCP, CodeTerminateRequest)); n < 1 || n > 2 {
				t.Errorf("%d Terminate-Requests", n)
			}
			s.c.Close(s.now) // idempotent
			if len(s.c.Events()) != 0 {
				t.Errorf("second Close emitted events")
			}
		})
	}
}

func TestClientCloseBeforeStart(t *testing.T) {
	c := NewClient(Config{})
	c.Close(time.Unix(0, 0))
	ev := c.Events()
	if len(ev) != 1 || ev[0].Kind != EventDown || ev[0].Err != nil {
		t.Errorf("events %v", ev)
	}
	if len(c.Output()) != 0 {
		t.Errorf("output before start")
	}
}

// Golden packets: RFC 1661 section 6 (LCP MRU 1400, Magic-Number) and
// RFC 1332/1877 (IPCP IP-Address and DNS 0.0.0.0).
func TestGoldenPackets(t *testing.T) {
	c := NewClient(Config{Rand: bytes.NewReader([]byte{0x11, 0x22, 0x33, 0x44})})
	c.Start(time.Unix(0, 0))
	out := c.Output()
	const lcpReq = "ff03c021" + "0101000e" + "01040578" + "050611223344"
	if len(out) != 1 || hex.EncodeToString(out[0]) != lcpReq {
		t.Errorf("LCP request %x, want %s", out, lcpReq)
	}
	c.authSucceeded(AuthNone, [32]byte{})
	out = c.Output()
	const ipcpReq = "ff038021" + "01010016" + "030600000000" + "810600000000" + "830600000000"
	if len(out) != 1 || hex.EncodeToString(out[0]) != ipcpReq {
		t.Errorf("IPCP request %x, want %s", out, ipcpReq)
	}
}

func TestAuthErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"mschap", &AuthError{Method: AuthMSCHAPv2, Code: 691, Message: ParseMSCHAPv2Failure([]byte("E=691 R=0")).Explain()},
			"ppp: mschapv2 authentication failed: wrong user name or password (E=691)"},
		{"code only", &AuthError{Method: AuthMSCHAPv2, Code: 648}, "ppp: mschapv2 authentication failed (E=648)"},
		{"mutual", &AuthError{Method: AuthEAP, Message: "wrong authenticator response", Err: ErrMutualAuth},
			"ppp: eap authentication failed: wrong authenticator response: ppp: server failed mutual authentication"},
		{"terminated", &terminatedError{reason: "bye"}, `ppp: link terminated by server: "bye"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestClientNoAuthWhenRestricted(t *testing.T) {
	s := newFakeServer(t, Config{Auth: []AuthMethod{AuthPAP}})
	s.offer = []AuthMethod{AuthNone}
	s.start()
	if err := downErr(t, s); !errors.Is(err, ErrNoAuthMethod) || !strings.Contains(err.Error(), "asked for no authentication") {
		t.Errorf("err %v", err)
	}
}

func TestClientPAPRetransmits(t *testing.T) {
	tests := []struct {
		name string
		drop int
		ok   bool
	}{
		{name: "two lost", drop: 2, ok: true},
		// No give-up of PAP's own: see TestPAPSlowServer, TestPAPAuthTimeout.
		{name: "all lost", drop: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{Auth: []AuthMethod{AuthPAP}})
			s.offer = []AuthMethod{AuthPAP}
			s.dropPAP = tt.drop
			s.start()
			spent := s.runTimers(time.Minute)
			reqs := s.sent(ProtoPAP, papAuthRequest)
			if tt.ok {
				if _, ok := findEvent(s.events, EventIPv4Up); !ok || len(reqs) != 3 || spent != 9*time.Second {
					t.Fatalf("events %v, %d requests, %v", kinds(s.events), len(reqs), spent)
				}
				if reqs[0].ID == reqs[1].ID || reqs[1].ID == reqs[2].ID {
					t.Errorf("PAP Identifier not changed on retransmission")
				}
				return
			}
			if _, down := findEvent(s.events, EventDown); down || len(reqs) != 8 {
				t.Errorf("events %v after %d requests (at 0, 3, 9, 21 … 69 s)", kinds(s.events), len(reqs))
			}
		})
	}
}

func TestClientProtocolRejectReceived(t *testing.T) {
	s := newFakeServer(t, Config{IPv6: true})
	s.start()
	s.events = nil
	before := len(s.rx)
	s.send(ProtoLCP, CodeProtocolReject, 50, []byte{0x80, 0x57, 1, 1, 0, 4})
	s.pump()
	if len(s.rx) != before || len(s.events) != 0 || s.c.ipv6cp.State() != StateInitial {
		t.Errorf("after IPV6CP reject: sent %d, events %v, state %v", len(s.rx)-before, kinds(s.events), s.c.ipv6cp.State())
	}
	s.send(ProtoLCP, CodeProtocolReject, 51, []byte{0x80, 0x21, 1, 1, 0, 4})
	s.pump()
	if err := downErr(t, s); !errors.Is(err, ErrNegotiation) || !strings.Contains(err.Error(), "IPCP") {
		t.Errorf("err %v", err)
	}
}

// Debug logs name protocol, event and state, and never carry the password.
func TestClientLogging(t *testing.T) {
	for _, m := range []AuthMethod{AuthPAP, AuthMSCHAPv2, AuthEAP} {
		t.Run(m.String(), func(t *testing.T) {
			var buf bytes.Buffer
			log := logx.New(&buf, logx.LevelDebug)
			s := newFakeServer(t, Config{Auth: []AuthMethod{m}, Logger: log, Username: "alice", Password: "s3cr3t-Pa55"})
			s.offer = []AuthMethod{m}
			s.start()
			out := buf.String()
			for _, want := range []string{"proto=LCP event=RCA", "to=Opened", "proto=IPCP", "to=Network"} {
				if !strings.Contains(out, want) {
					t.Errorf("log lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "s3cr3t") {
				t.Errorf("password in log:\n%s", out)
			}
		})
	}
}

// A repeated Success must not produce a second EventAuthenticated.
func TestClientAuthenticatedOnce(t *testing.T) {
	s := newFakeServer(t, Config{})
	s.start()
	s.send(ProtoCHAP, chapSuccess, s.authID, []byte("S=0000000000000000000000000000000000000000"))
	s.pump()
	n := 0
	for _, e := range s.events {
		if e.Kind == EventAuthenticated {
			n++
		}
	}
	if n != 1 || s.c.Phase() != PhaseNetwork {
		t.Errorf("%d EventAuthenticated, phase %v", n, s.c.Phase())
	}
}

// A Code-Reject of Configure-Request stops LCP: that is an error, not a
// clean EventDown.
func TestClientCodeRejectIsFatal(t *testing.T) {
	s := newFakeServer(t, Config{})
	s.silent = true
	s.start()
	s.send(ProtoLCP, CodeCodeReject, 1, []byte{CodeConfigureRequest, 1, 0, 4})
	s.pump()
	if err := downErr(t, s); !errors.Is(err, ErrNegotiation) {
		t.Errorf("err %v", err)
	}
	if s.c.Phase() != PhaseDead {
		t.Errorf("phase %v", s.c.Phase())
	}
}

// The MS-CHAPv2 Response with the RFC 2759 section 9.2 example values:
// user "User", password "clientPass", the fake server's challenge
// 5B5D7C7D7B3F2F3E3C2C602132262628 and our Peer-Challenge from Rand.
func TestGoldenMSCHAPv2Response(t *testing.T) {
	rnd := mustHex(t, "11223344"+"21402324255E262A28295F2B3A337C7E")
	s := newFakeServer(t, Config{Rand: bytes.NewReader(rnd), Auth: []AuthMethod{AuthMSCHAPv2}})
	s.start()
	resp := s.sent(ProtoCHAP, chapResponse)
	const want = "31" + // Value-Size 49
		"21402324255E262A28295F2B3A337C7E" + // Peer-Challenge
		"0000000000000000" + // Reserved
		"82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF" + // NT-Response
		"00" + // Flags
		"55736572" // Name "User"
	if len(resp) != 1 || !strings.EqualFold(hex.EncodeToString(resp[0].Data), want) {
		t.Fatalf("response %x\nwant     %s", resp, want)
	}
	if _, ok := findEvent(s.events, EventIPv4Up); !ok {
		t.Errorf("did not reach the Network phase: %v", kinds(s.events))
	}
}

func TestClientIPCPFailures(t *testing.T) {
	t.Run("server terminates IPCP", func(t *testing.T) {
		s := newFakeServer(t, Config{})
		s.start()
		s.send(ProtoIPCP, CodeTerminateRequest, 4, nil)
		s.pump()
		spent := s.runTimers(time.Minute)
		err := downErr(t, s)
		if !errors.Is(err, ErrPeerTerminated) || !strings.Contains(err.Error(), "IPCP") || spent != 3*time.Second {
			t.Errorf("err %v after %v", err, spent)
		}
	})
	t.Run("IPCP unanswered", func(t *testing.T) {
		s := newFakeServer(t, Config{})
		s.ignoreIPCP = true
		s.start()
		spent := s.runTimers(time.Hour)
		if err := downErr(t, s); !errors.Is(err, ErrNegotiation) || !strings.Contains(err.Error(), "IPCP") || spent != 30*time.Second {
			t.Errorf("err %v after %v", err, spent)
		}
	})
}
