package sstp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// A server that takes the TCP connection but never answers TLS (a blackholed
// path after the SYN, a wrong service behind a port forward) costs one
// attempt the dial timeout (30 s), not the whole --connect-timeout that a
// slow MFA login needs: otherwise each reconnect to a dead server takes 90 s.
func TestSilentServerCostsTheDialTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := sstp.Config{
			Server: "127.0.0.1:443",
			SNI:    "localhost",
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				c, s := net.Pipe()
				go io.Copy(io.Discard, s) // reads the ClientHello, never answers
				t.Cleanup(func() { s.Close() })
				return c, nil
			},
			PPP:                ppp.Config{Username: "user", Password: "pass"},
			NegotiationTimeout: 90 * time.Second,
		}
		start := time.Now()
		_, err := sstp.Dial(context.Background(), cfg)
		took := time.Since(start)
		t.Logf("after %v: %v", took, err)
		var se *sstp.Error
		if !errors.As(err, &se) || se.Step != sstp.StepTLS {
			t.Fatalf("error %v does not name the TLS step", err)
		}
		if !errors.Is(err, sstp.ErrNegotiationTimout) {
			t.Errorf("error %v is not a timeout", err)
		}
		if took != 30*time.Second {
			t.Errorf("took %v, want the dial timeout, 30s", took)
		}
	})
}
