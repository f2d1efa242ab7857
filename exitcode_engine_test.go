package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// A call the server ends (Call Abort, Call Disconnect, LCP Terminate, the
// connection dropped) exits 5, "server unreachable or protocol error", with
// --reconnect=false: not 1, "internal error". The engine's side: the
// session's error is an *sstp.Error (step "tunnel") that IsServerEnded.
func TestExitCodeServerEndedCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sstptest.Options
		drop bool
	}{
		{"call-abort", sstptest.Options{Fault: sstptest.FaultAbortAfterConnect}, false},
		{"call-disconnect", sstptest.Options{DisconnectAfterUp: true}, false},
		{"lcp-terminate", sstptest.Options{PPPIdleTimeout: 300 * time.Millisecond}, false},
		{"connection-dropped", sstptest.Options{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sstptest.NewServer(tc.opts)
			defer srv.Close()
			s, err := sstp.Dial(context.Background(), sstp.Config{
				Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(),
				NegotiationTimeout: 10 * time.Second, PPP: ppp.Config{Username: "user", Password: "pass"},
			})
			if err == nil {
				if tc.drop {
					srv.CloseClientConnections()
				}
				select {
				case <-s.Done():
				case <-time.After(10 * time.Second):
					t.Fatal("session did not end")
				}
				err = s.Err()
				s.Close()
			}
			code := runExitCode(err)
			if !errors.As(err, new(*sstp.Error)) || !sstp.IsServerEnded(err) {
				t.Errorf("%v (%T) is not an *sstp.Error that IsServerEnded", err, err)
			}
			if code != exitUnreachable {
				t.Errorf("%v: exit %d, want %d", err, code, exitUnreachable)
			}
			t.Logf("%v: exit %d", describe(err), code)
		})
	}
}
