package sstp_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// An NPS server waiting for an MFA approval stays silent for 45 s during
// authentication, and accel-ppp aborts the call on an SSTP Echo Request
// before Call Connected. The hello timer must not run before the call is
// connected (MS-SSTP 3.2.2): the negotiation timer alone bounds the call,
// so the tunnel comes up. Fake time (synctest): the 45 s take milliseconds.
func TestSlowAuthenticationComesUp(t *testing.T) {
	for _, m := range []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthEAP, ppp.AuthCHAP, ppp.AuthPAP} {
		t.Run(m.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, cfg := pipeServer(t, sstptest.Options{
					Personality:    sstptest.Generic,
					Auth:           []ppp.AuthMethod{m},
					AuthDelay:      45 * time.Second,
					AbortEarlyEcho: true,
				})
				cfg.PPP.Auth = []ppp.AuthMethod{m}
				cfg.HelloInterval, cfg.HelloTimeout = 10*time.Second, 20*time.Second
				start := time.Now()
				s, err := sstp.Dial(context.Background(), cfg)
				if err != nil {
					t.Fatalf("after %v: %v (server: %v)", time.Since(start), err, srv.Sessions()[0].Err)
				}
				if d := time.Since(start); d < 45*time.Second {
					t.Errorf("up after %v, before the server answered", d)
				}
				t.Logf("up after %v of fake time", time.Since(start))
				// The hello timer runs from here on: an idle tunnel stays up.
				time.Sleep(2 * time.Minute)
				if err := s.Err(); err != nil {
					t.Errorf("idle tunnel ended: %v", err)
				}
				s.Close()
			})
		})
	}
}

// A server that never answers authentication is stopped by the connect
// timeout, whatever the method (the PPP side retransmits until then), and
// the error says so and names the step.
func TestAuthenticationNoAnswerWithinConnectTimeout(t *testing.T) {
	for _, m := range []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthEAP, ppp.AuthCHAP, ppp.AuthPAP} {
		t.Run(m.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, cfg := pipeServer(t, sstptest.Options{Personality: sstptest.Generic, Auth: []ppp.AuthMethod{m}, AuthDelay: time.Hour, AbortEarlyEcho: true})
				cfg.PPP.Auth = []ppp.AuthMethod{m}
				cfg.NegotiationTimeout = 90 * time.Second
				start := time.Now()
				_, err := sstp.Dial(context.Background(), cfg)
				took := time.Since(start)
				if err == nil {
					t.Fatal("Dial succeeded")
				}
				t.Logf("after %v: %v", took, err)
				var se *sstp.Error
				if !errors.As(err, &se) || se.Step != sstp.StepAuth {
					t.Errorf("error %v does not name the authentication step", err)
				}
				if !errors.Is(err, sstp.ErrNegotiationTimout) || sstp.IsAuthError(err) {
					t.Errorf("error %v is not a negotiation timeout (or is an auth rejection)", err)
				}
				if want := "PPP authentication: no answer from the server within --connect-timeout (1m30s)"; err.Error() != want {
					t.Errorf("error %q, want %q", err, want)
				}
				if took != 90*time.Second {
					t.Errorf("took %v, want the connect timeout, 90s", took)
				}
			})
		})
	}
}

// A stop (SIGTERM cancels Dial's context) during a long authentication ends
// Dial at once with context.Canceled (exit 0), not as a connect timeout.
func TestCancelDuringAuthentication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, cfg := pipeServer(t, sstptest.Options{AuthDelay: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Second, cancel)
		start := time.Now()
		_, err := sstp.Dial(ctx, cfg)
		t.Logf("after %v: %v", time.Since(start), err)
		if !errors.Is(err, context.Canceled) || errors.Is(err, sstp.ErrNegotiationTimout) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 11*time.Second {
			t.Errorf("Dial returned %v after the cancel", d-10*time.Second)
		}
	})
}
