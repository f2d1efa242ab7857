package ppp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLCPJudge checks our answers to a server's LCP Configure-Request
// (RFC 1661 section 6) with all methods allowed and our magic 0x01020304.
func TestLCPJudge(t *testing.T) {
	tests := []struct {
		name  string
		req   string
		code  uint8
		reply string
		auth  AuthMethod
	}{
		{"mru ok", "010405dc", CodeConfigureAck, "", AuthNone},
		{"mru too small", "0104003c", CodeConfigureNak, "01040080", AuthNone},
		{"mru bad length", "010305", CodeConfigureReject, "010305", AuthNone},
		{"magic ok", "050611111111", CodeConfigureAck, "", AuthNone},
		{"magic zero", "050600000000", CodeConfigureNak, "0506", AuthNone},
		{"magic looped back", "050601020304", CodeConfigureNak, "0506", AuthNone},
		{"pfc acfc", "07020802", CodeConfigureReject, "07020802", AuthNone},
		{"unknown", "0d0301", CodeConfigureReject, "0d0301", AuthNone},
		{"mschapv2", "0305c22381", CodeConfigureAck, "", AuthMSCHAPv2},
		{"pap gets nak", "0304c023", CodeConfigureNak, "0305c22381", AuthNone},
		{"mschapv1 gets nak", "0305c22380", CodeConfigureNak, "0305c22381", AuthNone},
		{"reject wins over nak", "0304c0230702", CodeConfigureReject, "0702", AuthNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClient(Config{Rand: &countingReader{}})
			h := c.lcpH
			h.magic = 0x01020304
			code, reply := h.ReceiveRequest(mustHex(t, tt.req), false, nil)
			if code != tt.code || !bytes.HasPrefix(reply, mustHex(t, tt.reply)) {
				t.Errorf("got %d % x, want %d %s", code, reply, tt.code, tt.reply)
			}
			if code == CodeConfigureNak && bytes.Equal(reply, mustHex(t, "050601020304")) {
				t.Errorf("Nak suggests our own magic")
			}
			if h.authMethod != tt.auth {
				t.Errorf("auth %v", h.authMethod)
			}
		})
	}
}

// A Nak toward MS-CHAPv2 that is not sent (because the request is
// rejected for another option) must not count as suggested.
func TestLCPAuthSuggestionOnlyWhenSent(t *testing.T) {
	c := NewClient(Config{Rand: &countingReader{}})
	h := c.lcpH
	h.ReceiveRequest(mustHex(t, "0304c0230702"), false, nil)
	code, reply := h.ReceiveRequest(mustHex(t, "0304c023"), false, nil)
	if code != CodeConfigureNak || !bytes.Equal(reply, mustHex(t, "0305c22381")) {
		t.Errorf("got %d % x", code, reply)
	}
	// Then EAP, CHAP, and finally PAP is acked.
	for _, want := range []string{"0304c227", "0305c22305"} {
		if _, reply = h.ReceiveRequest(mustHex(t, "0304c023"), false, nil); !bytes.Equal(reply, mustHex(t, want)) {
			t.Errorf("nak % x, want %s", reply, want)
		}
	}
	if code, _ = h.ReceiveRequest(mustHex(t, "0304c023"), false, nil); code != CodeConfigureAck || h.authMethod != AuthPAP {
		t.Errorf("PAP not acked at last: %d %v", code, h.authMethod)
	}
	// After Max-Failure a needed Nak becomes a Reject, and we give up.
	c2 := NewClient(Config{Auth: []AuthMethod{AuthEAP}, Rand: &countingReader{}})
	if code, _ := c2.lcpH.ReceiveRequest(mustHex(t, "0304c023"), true, nil); code != CodeConfigureReject || !errors.Is(c2.pendingErr, ErrNoAuthMethod) {
		t.Errorf("got %d %v", code, c2.pendingErr)
	}
}

func TestLCPNakAndReject(t *testing.T) {
	c := NewClient(Config{Rand: &countingReader{}, MRU: 1400})
	h := c.lcpH
	first := h.AppendRequest(nil)
	h.ReceiveNak(mustHex(t, "010405dc"+"050600000001"))
	second := h.AppendRequest(nil)
	if !bytes.HasPrefix(second, mustHex(t, "010405dc")) || bytes.Equal(first[6:], second[6:]) {
		t.Errorf("after Nak: % x (was % x)", second, first)
	}
	h.ReceiveNak(mustHex(t, "01040010")) // absurd MRU: stop asking
	h.ReceiveReject(mustHex(t, "050600000001"))
	if got := h.AppendRequest(nil); len(got) != 0 {
		t.Errorf("after Reject: % x", got)
	}
	h.ReceiveAck(nil)
	if c.PeerMRU() != 1500 || h.magic != 0 {
		t.Errorf("PeerMRU %d magic %x", c.PeerMRU(), h.magic)
	}
	h.peerMRU = 1300
	if c.PeerMRU() != 1300 {
		t.Errorf("PeerMRU %d, want the server's smaller MRU", c.PeerMRU())
	}
}

func TestIPCPJudge(t *testing.T) {
	tests := []struct {
		name  string
		req   string
		code  uint8
		reply string
		peer  [4]byte
	}{
		{"address", "03060a000001", CodeConfigureAck, "", [4]byte{10, 0, 0, 1}},
		{"no options", "", CodeConfigureAck, "", [4]byte{}},
		{"zero address", "030600000000", CodeConfigureReject, "030600000000", [4]byte{}},
		{"vj compression", "0206002d0f01" + "03060a000001", CodeConfigureReject, "0206002d0f01", [4]byte{}},
		{"dns asked of us", "810600000000", CodeConfigureReject, "810600000000", [4]byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewClient(Config{}).ipcpH
			code, reply := h.ReceiveRequest(mustHex(t, tt.req), false, nil)
			if code != tt.code || !bytes.Equal(reply, mustHex(t, tt.reply)) || h.peer != tt.peer {
				t.Errorf("got %d % x peer %v", code, reply, h.peer)
			}
		})
	}
}

func TestIPCPNoPeerAddressAndNoLocal(t *testing.T) {
	s := newFakeServer(t, Config{})
	s.peer = [4]byte{}
	s.start()
	e, ok := findEvent(s.events, EventIPv4Up)
	if !ok || e.IPv4.Peer.IsValid() {
		t.Errorf("IPv4Up %v peer %v", ok, e.IPv4.Peer)
	}
	// A server that rejects IP-Address leaves us with no address.
	c := NewClient(Config{})
	c.ipcpH.ReceiveReject(mustHex(t, "030600000000"))
	c.ipcpH.Up()
	if !errors.Is(c.pendingErr, ErrNoAddress) {
		t.Errorf("err %v", c.pendingErr)
	}
}

func TestIPV6CPJudge(t *testing.T) {
	ours := "0102030405060708"
	tests := []struct {
		name string
		req  string
		code uint8
	}{
		{"distinct", "010a1111111111111111", CodeConfigureAck},
		{"zero", "010a0000000000000000", CodeConfigureNak},
		{"collision", "010a" + ours, CodeConfigureNak},
		{"compression", "0204", CodeConfigureReject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClient(Config{Rand: bytes.NewReader(mustHex(t, ours+ours+"1111111111111111"+"2222222222222222"))})
			h := c.ipv6H
			h.AppendRequest(nil)
			code, reply := h.ReceiveRequest(mustHex(t, tt.req), false, nil)
			if code != tt.code {
				t.Fatalf("code %d % x", code, reply)
			}
			if code == CodeConfigureNak && (len(reply) != 10 || bytes.Equal(reply[2:], mustHex(t, ours)) ||
				bytes.Equal(reply[2:], make([]byte, 8))) {
				t.Errorf("suggestion % x", reply)
			}
		})
	}
	// Both zero cannot be resolved: Reject (RFC 5072 section 4.1).
	c := NewClient(Config{})
	c.ipv6H.askID = false
	if code, _ := c.ipv6H.ReceiveRequest(mustHex(t, "010a0000000000000000"), false, nil); code != CodeConfigureReject {
		t.Errorf("both zero: %d", code)
	}
	// A Nak suggesting the server's own ID makes us pick a fresh one; a
	// constant random source must not hang us.
	c = NewClient(Config{Rand: bytes.NewReader(nil)})
	c.rand = constReader(7)
	h := c.ipv6H
	h.peer = [8]byte{7, 7, 7, 7, 7, 7, 7, 7}
	h.AppendRequest(nil)
	h.ReceiveNak(mustHex(t, "010a0707070707070707"))
	if h.local == h.peer || h.local == [8]byte{} {
		t.Errorf("local %x", h.local)
	}
	h.ReceiveReject(mustHex(t, "010a0707070707070707"))
	if len(h.AppendRequest(nil)) != 0 {
		t.Errorf("still asking after Reject")
	}
}

type constReader byte

func (r constReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(r)
	}
	return len(b), nil
}

// Retransmitted CHAP Challenges and EAP Requests get the same Response
// (RFC 1994 section 4.1, RFC 3748 section 4.1).
func TestAuthRetransmissions(t *testing.T) {
	for _, m := range []AuthMethod{AuthMSCHAPv2, AuthEAP} {
		t.Run(m.String(), func(t *testing.T) {
			s := newFakeServer(t, Config{Auth: []AuthMethod{m}})
			s.offer, s.holdAuth = []AuthMethod{m}, true
			s.start()
			s.silent = true
			proto := uint16(ProtoCHAP)
			data := chapValue(s.chal[:], "srv")
			if m == AuthEAP {
				proto, data = ProtoEAP, []byte{eapTypeIdentity}
			}
			for range 2 {
				s.send(proto, 1, 5, data)
			}
			out := s.c.Output()
			if len(out) != 2 || !bytes.Equal(out[0], out[1]) {
				t.Errorf("responses differ: %x", out)
			}
		})
	}
}

func TestEAPEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		pkts   [][]byte // EAP packets from the server
		mutual bool
		fail   bool
	}{
		{name: "success without method", pkts: [][]byte{{eapSuccess, 1, 0, 4}}, mutual: true, fail: true},
		{name: "failure", pkts: [][]byte{{eapFailure, 1, 0, 4}}, fail: true},
		{name: "notification", pkts: [][]byte{{eapRequest, 1, 0, 8, eapTypeNotification, 'h', 'i', 0}}},
		{name: "nak in request ignored", pkts: [][]byte{{eapRequest, 1, 0, 6, eapTypeNak, 26}}},
		{name: "ms success before challenge", pkts: [][]byte{
			append([]byte{eapRequest, 1, 0, 51, eapTypeMSCHAPv2, eapMSSuccess, 1, 0, 46}, "S=0000000000000000000000000000000000000000 M=x"...)},
			mutual: true, fail: true},
		{name: "short challenge", pkts: [][]byte{{eapRequest, 1, 0, 10, eapTypeMSCHAPv2, eapMSChallenge, 1, 0, 5, 16}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{Auth: []AuthMethod{AuthEAP}})
			s.offer, s.holdAuth = []AuthMethod{AuthEAP}, true
			s.start()
			s.silent = true
			for _, p := range tt.pkts {
				s.c.Input(s.now, append(AppendFrame(nil, ProtoEAP), p...))
			}
			s.pump()
			e, down := findEvent(s.events, EventDown)
			if down != tt.fail || errors.Is(e.Err, ErrMutualAuth) != tt.mutual {
				t.Errorf("down %v err %v", down, e.Err)
			}
			if _, ok := findEvent(s.events, EventAuthenticated); ok {
				t.Errorf("authenticated")
			}
		})
	}
}

func TestStringers(t *testing.T) {
	if PhaseNetwork.String() != "Network" || Phase(9).String() != "?" ||
		StateAckSent.String() != "Ack-Sent" || State(20).String() != "?" ||
		EvRXJMinus.String() != "RXJ-" || FSMEvent(30).String() != "?" ||
		EventIPv6Up.String() != "ipv6-up" || EventKind(0).String() != "?" {
		t.Errorf("stringers")
	}
	_, err := ParseAuthMethods("x")
	if err.Error() != `ppp: unknown authentication method "x" (want pap, chap, mschapv2 or eap)` {
		t.Errorf("%v", err)
	}
	if got := printableText([]byte("ok\x01\xff\x00\x00")); got != "ok??" {
		t.Errorf("printableText %q", got)
	}
}
