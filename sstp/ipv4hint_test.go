package sstp_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// ppp.Config.IPv4Hint against the test server: a free pool address asked
// for is Acked (RRAS gives a reconnecting client its old address back); one
// held by another session, the server's own, or one outside the pool is
// Nak'ed with a free pool address, which the client takes.
func TestIPv4HintKeepsAddress(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.RRAS, Users: map[string]string{"alice": "s3cret"}})
	defer srv.Close()
	// One session after another, all kept open.
	tests := []struct {
		name, hint, want string
	}{
		{"free address kept", "10.0.0.7", "10.0.0.7"},
		{"held by the first session", "10.0.0.7", "10.0.0.2"},
		{"server's address", "10.0.0.1", "10.0.0.3"},
		{"outside the pool", "192.0.2.7", "10.0.0.4"},
		{"network address", "10.0.0.0", "10.0.0.5"},
	}
	var open []*sstp.Session
	defer func() {
		for _, s := range open {
			s.Close()
		}
	}()
	for _, tt := range tests {
		cfg := clientConfig(srv, "alice", "s3cret")
		cfg.PPP.IPv4Hint = netip.MustParseAddr(tt.hint)
		s, err := sstp.Dial(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		open = append(open, s)
		if got := s.Info().IPv4.Local.String(); got != tt.want {
			t.Errorf("%s: hint %s gave %s, want %s", tt.name, tt.hint, got, tt.want)
		}
	}

	// The first session goes; reconnecting with its address gets it back.
	open[0].Close()
	waitServer(t, srv, "the first session's end", func(si sstptest.SessionInfo) bool {
		return si.Done && si.ClientIP == netip.MustParseAddr("10.0.0.7")
	})
	cfg := clientConfig(srv, "alice", "s3cret")
	cfg.PPP.IPv4Hint = netip.MustParseAddr("10.0.0.7")
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	open = append(open, s)
	if got := s.Info().IPv4.Local.String(); got != "10.0.0.7" {
		t.Errorf("reconnect got %s, want its old 10.0.0.7", got)
	}
}
