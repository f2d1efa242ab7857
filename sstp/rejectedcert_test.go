package sstp_test

import (
	"context"
	"testing"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// A rejected certificate is named by its SHA-256, so an admin (or LuCI,
// through the netifd handler) can check it and pin it: for a wrong pin as
// for a failed chain or name check.
func TestRejectedCertificate(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	want := sstp.Fingerprint(srv.Certificate().Raw)
	for _, tc := range []struct {
		name   string
		adjust func(*sstp.Config)
	}{
		{"wrong-name", func(c *sstp.Config) { c.SNI = "vpn.example.com" }},
		{"unknown-ca", func(c *sstp.Config) { c.RootCAs = nil }},
		{"wrong-pin", func(c *sstp.Config) { c.RootCAs = nil; c.PinSHA256 = make([]byte, 32) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := clientConfig(srv, "user", "pass")
			tc.adjust(&cfg)
			_, err := sstp.Dial(context.Background(), cfg)
			if !sstp.IsCertError(err) {
				t.Fatalf("error %v is not a certificate error", err)
			}
			if got := sstp.RejectedCertificate(err); got != want {
				t.Errorf("RejectedCertificate = %q, want %q (%v)", got, want, err)
			}
		})
	}
	if got := sstp.RejectedCertificate(sstp.ErrPeerDead); got != "" {
		t.Errorf("RejectedCertificate(ErrPeerDead) = %q", got)
	}
}
