package ppp

import "testing"

// FuzzEAPTLSRequest feeds a started EAP-TLS peer two hostile Requests
// (Type-Data after Type 13: Flags, maybe TLS Message Length, data) and an
// EAP-Success: no panic, every Response is a well-formed EAP-TLS packet that
// fits the MRU, no success without a handshake, and the handshake goroutine
// always ends.
func FuzzEAPTLSRequest(f *testing.F) {
	f.Add([]byte{eapTLSFlagS}, []byte{0})                                                 // Start, then an ACK
	f.Add([]byte{eapTLSFlagS}, []byte{0x16, 3, 3, 0, 5, 2, 0, 0, 1, 0})                   // a bad ServerHello
	f.Add([]byte{eapTLSFlagL | eapTLSFlagM, 0, 0, 0x10, 0, 1, 2}, []byte{eapTLSFlagM, 3}) // fragments before Start
	f.Add([]byte{eapTLSFlagS}, []byte{eapTLSFlagL | eapTLSFlagM, 0xff, 0xff, 0xff, 0xff, 1})
	f.Add([]byte{eapTLSFlagS}, []byte{0x15, 3, 3, 0, 2, 2, 42}) // an alert record
	f.Add([]byte{}, []byte{eapTLSFlagL})
	f.Fuzz(func(t *testing.T, first, second []byte) {
		c := NewClient(Config{EAPTLS: &EAPTLSConfig{FragmentSize: 200}})
		a := newEAPAuth(c)
		defer a.stop()
		for i, d := range [][]byte{first, second} {
			a.input(Packet{Code: eapRequest, ID: uint8(i + 1), Data: append([]byte{eapTypeTLS}, d...)})
		}
		a.input(Packet{Code: eapSuccess, ID: 3})
		for _, fr := range c.Output() {
			p, err := ParsePacket(fr[FrameHeaderLen:])
			if err != nil || p.Code != eapResponse || len(p.Data) < 2 || p.Data[0] != eapTypeTLS || len(p.Data) > 2+4+200 {
				t.Fatalf("bad response % x (%v)", fr, err)
			}
		}
		for _, e := range c.Events() {
			if e.Kind == EventAuthenticated {
				t.Fatal("authenticated by a fuzzer")
			}
		}
		a.stop()
		if a.tls.pipe != nil {
			if done, _ := a.tls.pipe.Result(); !done {
				t.Fatal("handshake goroutine still running after stop")
			}
		}
	})
}
