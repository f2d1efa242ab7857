package sstp_test

import (
	"context"
	"net"
	"testing"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// An IPv6 literal server gets a bracketed Host header, with the port when
// it is not 443 (RFC 9110 7.2, RFC 3986 3.2.2): "Host: ::1" is not a valid
// header, and a front end that routes by Host refuses it.
func TestHostHeaderIPv6Literal(t *testing.T) {
	checkGoroutines(t)
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	srv := sstptest.NewUnstartedServer(sstptest.Options{})
	srv.StartListener(l)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Addr())
	cfg := sstp.Config{
		Server:  srv.Addr(), // [::1]:port
		RootCAs: srv.CertPool(),
		PPP:     ppp.Config{Username: "user", Password: "pass"},
	}
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got, want := srv.Sessions()[0].Host, "[::1]:"+port; got != want {
		t.Errorf("Host header %q, want %q", got, want)
	}
}

func TestHostHeader(t *testing.T) {
	for _, tc := range []struct{ host, port, sni, want string }{
		{"vpn.example.com", "443", "", "vpn.example.com"},
		{"vpn.example.com", "8443", "", "vpn.example.com:8443"},
		{"2001:db8::1", "443", "", "[2001:db8::1]"},
		{"2001:db8::1", "4433", "", "[2001:db8::1]:4433"},
		{"fe80::1%eth0", "443", "", "[fe80::1]"}, // no zone in Host, as net/http,
		{"192.0.2.1", "443", "", "192.0.2.1"},
		{"2001:db8::1", "443", "vpn.example.com", "vpn.example.com"},
	} {
		if got := sstp.HostHeader(tc.host, tc.port, tc.sni); got != tc.want {
			t.Errorf("HostHeader(%q, %q, %q) = %q, want %q", tc.host, tc.port, tc.sni, got, tc.want)
		}
	}
}
