package sstp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// An idle tunnel to SoftEther stays up: the server aborts a client that sends
// no SSTP packet for 10 s and terminates the link when no PPP frame comes for
// ~20 s (PROTOCOL.md 4), and sstpgo answers its SSTP and LCP echoes (timers
// scaled down here to 60 and 300 ms, and the run to 2 s). Without the server's
// LCP echoes nothing else would carry a PPP frame, and the emulated SoftEther
// ends the link, which sstpgo reports as the server's doing.
func TestSoftEtherIdleTunnel(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lcpEcho  time.Duration
		wantDone bool
	}{
		{"server LCP echoes answered", 60 * time.Millisecond, false},
		{"no PPP frame at all", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.SoftEther,
				EchoInterval: 60 * time.Millisecond, IdleTimeout: 300 * time.Millisecond,
				LCPEchoInterval: tc.lcpEcho, PPPIdleTimeout: 300 * time.Millisecond})
			defer srv.Close()
			s, err := sstp.Dial(context.Background(), clientConfig(srv, "user", "pass"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			select {
			case <-s.Done():
				if !tc.wantDone {
					t.Fatalf("idle tunnel ended: %v", s.Err())
				}
				if err := s.Err(); err == nil || errors.Is(err, sstp.ErrPeerDead) {
					t.Errorf("Err = %v, want the server's termination", err)
				}
				t.Logf("ended: %v", s.Err())
				si := waitServer(t, srv, "the session's end", func(si sstptest.SessionInfo) bool { return si.Done })
				if !errors.Is(si.Err, sstptest.ErrPPPIdle) {
					t.Errorf("server: %v, want ErrPPPIdle", si.Err)
				}
			case <-time.After(2 * time.Second):
				if tc.wantDone {
					t.Fatal("emulated SoftEther did not end a link without PPP frames")
				}
			}
		})
	}
}
