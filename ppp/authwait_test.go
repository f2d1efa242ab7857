package ppp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

// papServer starts a client against a PAP server that holds every request
// (RADIUS pending, an MFA push) and returns it with the requests so far.
func papServer(t *testing.T, cfg Config) *fakeServer {
	t.Helper()
	cfg.Auth = []AuthMethod{AuthPAP}
	s := newFakeServer(t, cfg)
	s.offer, s.holdAuth = []AuthMethod{AuthPAP}, true
	s.start()
	return s
}

// runUntil advances the fake clock through the client's deadlines up to
// (not past) end.
func (s *fakeServer) runUntil(end time.Time) {
	for {
		d, ok := s.c.Deadline()
		if !ok || d.After(end) {
			s.now = end
			return
		}
		s.now = d
		s.c.Timeout(s.now)
		s.pump()
	}
}

// TestPAPSlowServer: a server that answers PAP only after 45 s (NPS with an
// MFA push) gets retransmissions at a growing interval and the link comes
// up; PAP has no limit of its own (the driver's connect timeout bounds it).
func TestPAPSlowServer(t *testing.T) {
	s := papServer(t, Config{})
	start := s.now
	s.runUntil(start.Add(45 * time.Second))
	if _, down := findEvent(s.events, EventDown); down {
		t.Fatalf("link down before the server answered: %v", downErr(t, s))
	}
	reqs := s.sent(ProtoPAP, papAuthRequest)
	// The schedule: 3 s doubling, capped at 12 s.
	want := []time.Duration{0, 3, 9, 21, 33, 45}
	if len(reqs) != len(want) {
		t.Fatalf("%d requests in 45 s, want %d", len(reqs), len(want))
	}
	at := s.papTimes
	for i, w := range want {
		if i < len(at) && at[i] != w*time.Second {
			t.Errorf("request %d at %v, want %v (all: %v)", i, at[i], w*time.Second, at)
		}
	}
	last := reqs[len(reqs)-1]
	s.send(ProtoPAP, papAuthAck, last.ID, append([]byte{7}, "Welcome"...))
	s.startNCP()
	s.pump()
	if _, ok := findEvent(s.events, EventIPv4Up); !ok {
		t.Fatalf("no IPv4 after the late Ack: %v", kinds(s.events))
	}
}

// TestPAPAuthTimeout: with Config.AuthTimeout (set by the driver from its
// connect timeout) PAP gives up then, with a retryable error.
func TestPAPAuthTimeout(t *testing.T) {
	s := papServer(t, Config{AuthTimeout: 90 * time.Second})
	start := s.now
	s.runUntil(start.Add(10 * time.Minute))
	err := downErr(t, s)
	var ae *AuthError
	if !errors.Is(err, ErrAuthTimeout) || errors.As(err, &ae) {
		t.Fatalf("err %v, want ErrAuthTimeout and no AuthError", err)
	}
	if got := s.downAt.Sub(start); got < 90*time.Second || got > 91*time.Second {
		t.Errorf("gave up after %v, want 90 s", got)
	}
}

// TestPAPEarlierIdentifier: a server busy with RADIUS ignores the
// retransmissions and answers the first request's Identifier; the answer
// counts (pppd accepts any Ack/Nak in AUTHREQ), so a wrong password is an
// authentication failure, not a retry loop.
func TestPAPEarlierIdentifier(t *testing.T) {
	for _, tt := range []struct {
		name string
		code uint8
	}{{"ack", papAuthAck}, {"nak", papAuthNak}} {
		t.Run(tt.name, func(t *testing.T) {
			s := papServer(t, Config{})
			s.runUntil(s.now.Add(20 * time.Second))
			reqs := s.sent(ProtoPAP, papAuthRequest)
			if len(reqs) < 3 {
				t.Fatalf("%d requests", len(reqs))
			}
			// An Identifier never sent is still ignored.
			s.send(ProtoPAP, tt.code, reqs[len(reqs)-1].ID+1, []byte{0})
			s.pump()
			if len(s.events) != 0 {
				t.Fatalf("reply to an unsent Identifier taken: %v", kinds(s.events))
			}
			s.send(ProtoPAP, tt.code, reqs[0].ID, append([]byte{12}, "bad password"...))
			if tt.code == papAuthAck {
				s.startNCP()
			}
			s.pump()
			if tt.code == papAuthAck {
				if _, ok := findEvent(s.events, EventIPv4Up); !ok {
					t.Fatalf("Ack for the first Identifier ignored: %v", kinds(s.events))
				}
				return
			}
			var ae *AuthError
			if err := downErr(t, s); !errors.As(err, &ae) || ae.Method != AuthPAP {
				t.Fatalf("err %v, want a PAP AuthError", err)
			}
		})
	}
}

// TestEAPQuietServer: an EAP-MSCHAPv2 server that goes quiet after the
// Identity (RADIUS outage) ends the link at Config.AuthTimeout with a
// retryable error; an explicit EAP-Failure stays an AuthError.
func TestEAPQuietServer(t *testing.T) {
	s := newFakeServer(t, Config{Auth: []AuthMethod{AuthEAP}, AuthTimeout: time.Minute})
	s.offer, s.holdAuth = []AuthMethod{AuthEAP}, true
	s.start()
	s.runUntil(s.now.Add(5 * time.Minute))
	err := downErr(t, s)
	var ae *AuthError
	if !errors.Is(err, ErrAuthTimeout) || errors.As(err, &ae) || s.downAt.Sub(s.t0) != time.Minute {
		t.Errorf("quiet server: err %v after %v, want ErrAuthTimeout (no AuthError) after 1m", err, s.downAt.Sub(s.t0))
	}

	s = newFakeServer(t, Config{Auth: []AuthMethod{AuthEAP}, AuthTimeout: time.Minute})
	s.offer, s.holdAuth = []AuthMethod{AuthEAP}, true
	s.start()
	s.send(ProtoEAP, eapFailure, s.authID, nil)
	s.pump()
	if err := downErr(t, s); !errors.As(err, &ae) {
		t.Errorf("EAP-Failure: err %v, want an AuthError", err)
	}
}

// TestPAPWarnsOncePerConnect: PAP hands the server the password itself;
// say so once per connection (once per Client), not per retransmission.
func TestPAPWarnsOncePerConnect(t *testing.T) {
	for _, m := range []AuthMethod{AuthPAP, AuthMSCHAPv2} {
		var buf bytes.Buffer
		s := newFakeServer(t, Config{Auth: []AuthMethod{m}, Logger: logx.New(&buf, logx.LevelInfo)})
		s.offer, s.dropPAP = []AuthMethod{m}, 2
		s.start()
		s.runTimers(time.Minute)
		if _, ok := findEvent(s.events, EventIPv4Up); !ok {
			t.Fatalf("%v: not up: %v", m, kinds(s.events))
		}
		n := strings.Count(buf.String(), "clear text")
		if want := map[AuthMethod]int{AuthPAP: 1}[m]; n != want {
			t.Errorf("%v: %d PAP warnings, want %d:\n%s", m, n, want, buf.String())
		}
	}
}

// TestSlowServerEveryMethod: CHAP, MS-CHAPv2 and EAP have no timer of the
// peer's own (the authenticator retransmits, RFC 1994 4.1, RFC 3748 4.1),
// so a server that takes 45 s to send its challenge, or to answer, gets a
// link that is still there; the driver's connect timeout is the bound.
func TestSlowServerEveryMethod(t *testing.T) {
	for _, m := range []AuthMethod{AuthCHAP, AuthMSCHAPv2, AuthEAP} {
		t.Run(m.String(), func(t *testing.T) {
			s := newFakeServer(t, Config{Auth: []AuthMethod{m}})
			s.offer, s.holdAuth = []AuthMethod{m}, true
			s.start()
			s.runUntil(s.now.Add(45 * time.Second))
			if _, down := findEvent(s.events, EventDown); down {
				t.Fatalf("link down while the server was silent: %v", downErr(t, s))
			}
			s.holdAuth = false
			if m == AuthEAP {
				s.send(ProtoEAP, eapRequest, s.authID, []byte{eapTypeIdentity})
			} else {
				s.send(ProtoCHAP, chapChallenge, s.authID, chapValue(s.chal[:], "srv"))
			}
			s.pump()
			s.runUntil(s.now.Add(45 * time.Second))
			if _, ok := findEvent(s.events, EventIPv4Up); !ok {
				t.Fatalf("not up after the late challenge: %v", kinds(s.events))
			}
		})
	}
}
