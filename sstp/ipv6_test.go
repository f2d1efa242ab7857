package sstp_test

import (
	"context"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// IPv6Up closes when IPV6CP opens, which may be after Dial returned: with
// the late-ipv6 fault the server takes IPV6CP only after one restart period,
// so Dial returns with IPv4 alone and IPv6 follows from the client's
// retransmission.
func TestIPv6UpAfterDial(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault sstptest.Fault
		late  bool
	}{
		{name: "with IPv4", fault: sstptest.FaultNone},
		{name: "late", fault: sstptest.FaultLateIPv6, late: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{IPv6: true, Fault: tc.fault, Users: map[string]string{"alice": "s3cret"}})
			defer srv.Close()
			cfg := clientConfig(srv, "alice", "s3cret")
			cfg.PPP.IPv6 = true
			s, err := sstp.Dial(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if tc.late && s.Info().HasIPv6 {
				t.Errorf("IPv6 up at Dial despite the late-ipv6 fault")
			}
			select {
			case <-s.IPv6Up():
			case <-time.After(20 * time.Second):
				t.Fatal("IPv6Up never closed")
			}
			if info := s.Info(); !info.HasIPv6 || info.IPv6.LocalID == ([8]byte{}) || info.IPv6.PeerID == ([8]byte{}) {
				t.Errorf("after IPv6Up: HasIPv6 %v, %+v", info.HasIPv6, info.IPv6)
			}
		})
	}
}
