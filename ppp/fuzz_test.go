package ppp

import (
	"bytes"
	"net/netip"
	"testing"
)

func FuzzParseFrame(f *testing.F) {
	f.Add([]byte{0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4})
	f.Add([]byte{0x21, 0x45})
	f.Add([]byte{0xff, 0x03, 0xc0})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		proto, payload, err := ParseFrame(b)
		if err != nil {
			return
		}
		if len(payload) > len(b) || (len(payload) > 0 && &payload[len(payload)-1] != &b[len(b)-1]) {
			t.Fatalf("payload is not the tail of the input")
		}
		again := append(AppendFrame(nil, proto), payload...)
		p2, pl2, err := ParseFrame(again)
		if err != nil || p2 != proto || !bytes.Equal(pl2, payload) {
			t.Fatalf("round trip: %#x % x %v", p2, pl2, err)
		}
	})
}

func FuzzParsePacket(f *testing.F) {
	f.Add([]byte{1, 1, 0, 14, 1, 4, 5, 0x78, 5, 6, 0x11, 0x22, 0x33, 0x44})
	f.Add([]byte{9, 7, 0, 8, 0, 0, 0, 0, 0xaa})
	f.Add([]byte{1, 1, 0, 3})
	f.Add([]byte{1, 1, 0xff, 0xff, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePacket(b)
		if err != nil {
			return
		}
		again := AppendPacket(nil, p.Code, p.ID, p.Data)
		if !bytes.Equal(again, b[:len(again)]) {
			t.Fatalf("round trip % x != % x", again, b)
		}
	})
}

func FuzzParseOptions(f *testing.F) {
	f.Add([]byte{1, 4, 5, 0x78, 5, 6, 1, 2, 3, 4})
	f.Add([]byte{3, 5, 0xc2, 0x23, 0x81})
	f.Add([]byte{3, 6, 0, 0, 0, 0, 0x81, 6, 0, 0, 0, 0})
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 9, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		opts, err := ParseOptions(b)
		if err != nil {
			if validOptions(b) {
				t.Fatalf("validOptions disagrees")
			}
			return
		}
		var again []byte
		for _, o := range opts {
			again = appendOptionRaw(again, o)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip % x != % x", again, b)
		}
	})
}

// FuzzClientInput feeds arbitrary frames to a Client in each phase. data[0]
// picks the phase, data[1] the auth method, the rest is frames, each with a
// 1-byte length prefix. The client must never panic, never emit more than
// one EventDown and always send well-formed frames.
func FuzzClientInput(f *testing.F) {
	lcpReq := AppendPacket(AppendFrame(nil, ProtoLCP), CodeConfigureRequest, 9, appendAuthOption(AuthMSCHAPv2))
	echo := AppendPacket(AppendFrame(nil, ProtoLCP), CodeEchoRequest, 1, []byte{0, 0, 0, 0, 1})
	chal := AppendPacket(AppendFrame(nil, ProtoCHAP), chapChallenge, 1, chapValue(make([]byte, 16), "s"))
	eapID := AppendPacket(AppendFrame(nil, ProtoEAP), eapRequest, 1, []byte{eapTypeIdentity})
	eapMS := AppendPacket(AppendFrame(nil, ProtoEAP), eapRequest, 2,
		append([]byte{eapTypeMSCHAPv2, eapMSChallenge, 1, 0, 22}, chapValue(make([]byte, 16), "s")...))
	ipcp := AppendPacket(AppendFrame(nil, ProtoIPCP), CodeConfigureNak, 1, []byte{3, 6, 10, 0, 0, 2})
	term := AppendPacket(AppendFrame(nil, ProtoLCP), CodeTerminateRequest, 3, []byte("bye"))
	// A PAP reply to an earlier Identifier, and Nak loops on DNS, the
	// address and the IPV6CP Interface-Identifier (Max-Failure).
	papAck := AppendPacket(AppendFrame(nil, ProtoPAP), papAuthAck, 1, []byte{0})
	papNak := AppendPacket(AppendFrame(nil, ProtoPAP), papAuthNak, 1, []byte{2, 'n', 'o'})
	dnsNak := AppendPacket(AppendFrame(nil, ProtoIPCP), CodeConfigureNak, 1, []byte{129, 6, 0, 0, 0, 0, 131, 6, 0, 0, 0, 0})
	addrNak := AppendPacket(AppendFrame(nil, ProtoIPCP), CodeConfigureNak, 1, []byte{3, 6, 0, 0, 0, 0})
	idNak := AppendPacket(AppendFrame(nil, ProtoIPV6CP), CodeConfigureNak, 1, []byte{1, 10, 0, 0, 0, 0, 0, 0, 0, 0})
	for ph := byte(0); ph < 4; ph++ {
		for m := byte(0); m < 8; m++ {
			f.Add(withFrames([]byte{ph, m}, lcpReq, echo, chal, eapID, eapMS, ipcp, term))
		}
		f.Add(withFrames([]byte{ph, 0}, papNak, papAck))
		f.Add(withFrames([]byte{ph, 4}, dnsNak, dnsNak, dnsNak, dnsNak, dnsNak, dnsNak, addrNak))
		f.Add(withFrames([]byte{ph, 2}, addrNak, addrNak, addrNak, addrNak, addrNak, addrNak))
		f.Add(withFrames([]byte{ph, 6}, idNak, idNak, idNak, idNak, idNak, idNak, dnsNak))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		s := clientInPhase(t, data[0]%4, data[1]%8)
		downs := 0
		check := func() {
			for _, e := range s.c.Events() {
				if e.Kind == EventDown {
					downs++
				}
			}
			for _, fr := range s.c.Output() {
				if len(fr) < 8 || fr[0] != 0xff || fr[1] != 0x03 {
					t.Fatalf("bad output frame % x", fr)
				}
				if _, err := ParsePacket(fr[4:]); err != nil {
					t.Fatalf("bad output packet % x: %v", fr, err)
				}
			}
		}
		check()
		downs = 0
		for rest := data[2:]; len(rest) > 0; {
			n := min(int(rest[0]), len(rest)-1)
			s.c.Input(s.now, rest[1:1+n])
			rest = rest[1+n:]
			check()
		}
		for i := 0; i < 30; i++ {
			d, ok := s.c.Deadline()
			if !ok {
				break
			}
			s.now = d
			s.c.Timeout(d)
			check()
		}
		if downs > 1 {
			t.Fatalf("%d EventDown", downs)
		}
		if len(s.c.lcpH.offered) > maxOffered {
			t.Fatalf("%d offered auth protocols kept", len(s.c.lcpH.offered))
		}
	})
}

func withFrames(prefix []byte, frames ...[]byte) []byte {
	for _, f := range frames {
		prefix = append(append(prefix, byte(len(f))), f...)
	}
	return prefix
}

// clientInPhase returns a client driven by the fake server to phase
// 0 Establish, 1 Authenticate, 2 Network or 3 Terminate, with method m.
// m's bits 0-1 pick the method; bit 2 adds reconnect hints (IPv4Hint, one DNSHint).
func clientInPhase(t *testing.T, phase, m byte) *fakeServer {
	methods := []AuthMethod{AuthPAP, AuthCHAP, AuthMSCHAPv2, AuthEAP}
	cfg := Config{IPv6: m%2 == 0, Auth: []AuthMethod{methods[m%4]}}
	if m&4 != 0 {
		cfg.IPv4Hint = netip.MustParseAddr("10.0.0.2")
		cfg.DNSHint = []netip.Addr{netip.MustParseAddr("10.0.0.53")}
	}
	s := newFakeServer(t, cfg)
	s.offer = []AuthMethod{methods[m%4]}
	switch phase {
	case 0:
		s.silent = true
	case 1:
		s.holdAuth = true
	}
	s.start()
	if phase == 3 {
		s.silent = true
		s.c.Close(s.now)
	}
	s.silent = true
	return s
}

func TestClientInPhase(t *testing.T) {
	want := []Phase{PhaseEstablish, PhaseAuthenticate, PhaseNetwork, PhaseTerminate}
	for ph := range byte(4) {
		for m := range byte(4) {
			if got := clientInPhase(t, ph, m).c.Phase(); got != want[ph] {
				t.Errorf("phase %d method %d: %v", ph, m, got)
			}
		}
	}
}
