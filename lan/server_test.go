package lan_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/dhcp"
	"github.com/sstpgo/sstpgo/lan"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

func dial(t *testing.T, srv *sstptest.Server, p *lan.Path, delivered *int) *sstp.Session {
	t.Helper()
	s, err := sstp.Dial(context.Background(), sstp.Config{
		Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(),
		NegotiationTimeout: 20 * time.Second,
		PPP:                ppp.Config{Username: "user", Password: "pass"},
		Deliver: func(pkt []byte) {
			if !p.In(pkt) {
				*delivered++
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Through a real session to the test server's DHCP responder (as RRAS
// relays to the corporate DHCP): the ACK's routes, domain and DNS come back
// and the reply never reaches the TUN device.
func TestInformThroughTunnel(t *testing.T) {
	for _, pers := range []sstptest.Personality{sstptest.RRAS, sstptest.SoftEther} {
		t.Run(pers.String(), func(t *testing.T) {
			resp := &sstptest.DHCPResponder{Ack: dhcp.Ack{
				Routes: []dhcp.Route{{Dst: netip.MustParsePrefix("172.16.60.0/24")}},
				Domain: "corp.example", Search: []string{"corp.example", "lab.corp.example"},
				DNS: []netip.Addr{netip.MustParseAddr("172.16.50.2")},
			}}
			srv := sstptest.NewServer(sstptest.Options{Personality: pers, DHCP: resp,
				Auth: []ppp.AuthMethod{ppp.AuthMSCHAPv2}})
			defer srv.Close()
			p := lan.NewPath()
			delivered := 0
			s := dial(t, srv, p, &delivered)
			a, err := p.Inform(context.Background(), s.SendIP, s.Info().IPv4.Local, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Routes) != 1 || a.Routes[0].Dst.String() != "172.16.60.0/24" || a.Domain != "corp.example" ||
				len(a.Search) != 2 || len(a.DNS) != 1 {
				t.Errorf("got %+v", a)
			}
			if resp.Informs() != 1 || delivered != 0 {
				t.Errorf("%d informs answered, %d packets delivered", resp.Informs(), delivered)
			}
		})
	}
}

// A server without DHCP: the Inform gives up (the packets go to the
// server's IP handler like any other).
func TestInformNoDHCPBehindServer(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	p := lan.NewPath()
	delivered := 0
	s := dial(t, srv, p, &delivered)
	sched := []time.Duration{0, 10 * time.Millisecond, 30 * time.Millisecond}
	if _, err := p.Inform(context.Background(), s.SendIP, s.Info().IPv4.Local, sched); err == nil {
		t.Fatal("an answer from nowhere")
	}
}
