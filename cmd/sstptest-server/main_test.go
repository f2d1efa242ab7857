package main

import (
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

func TestFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, o sstptest.Options)
		bad   bool
	}{
		{"defaults", nil, func(t *testing.T, o sstptest.Options) {
			if o.Personality != sstptest.RRAS || o.Users != nil || o.ServerIP != netip.MustParseAddr("10.0.0.1") || o.Fault != sstptest.FaultNone {
				t.Errorf("%+v", o)
			}
		}, false},
		{"everything", []string{"--personality", "softether", "--user", "a:b", "--user", `HUB\c:d:e`,
			"--dns", "1.1.1.1", "--ipv6", "--echo-interval", "2s", "--idle-timeout", "-1s", "--fault", "drop-echoes",
			"--auth", "pap,mschapv2", "--no-verify-binding", "--pool", "10.1.0.0/16", "--server-ip", "10.1.0.1"},
			func(t *testing.T, o sstptest.Options) {
				if o.Personality != sstptest.SoftEther || o.Users["a"] != "b" || o.Users[`HUB\c`] != "d:e" ||
					len(o.DNS) != 1 || !o.IPv6 || o.EchoInterval != 2*time.Second || o.IdleTimeout >= 0 || o.Fault != sstptest.FaultDropEchoes ||
					len(o.Auth) != 2 || o.Auth[0] != ppp.AuthPAP || o.VerifyBinding == nil || *o.VerifyBinding ||
					o.Pool.Bits() != 16 || o.ServerIP != netip.MustParseAddr("10.1.0.1") {
					t.Errorf("%+v", o)
				}
			}, false},
		{"bad personality", []string{"--personality", "cisco"}, nil, true},
		{"bad fault", []string{"--fault", "nope"}, nil, true},
		{"bad user", []string{"--user", "nopassword"}, nil, true},
		{"bad pool", []string{"--pool", "10.0.0.0"}, nil, true},
		{"bad dns", []string{"--dns", "dns.example"}, nil, true},
		{"bad auth", []string{"--auth", "kerberos"}, nil, true},
		{"extra argument", []string{"serve"}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseFlags(tc.args)
			var o sstptest.Options
			if err == nil {
				o, err = f.options(slog.New(slog.DiscardHandler))
			}
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v, want error %v", err, tc.bad)
			}
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

func TestDestination(t *testing.T) {
	v4 := make([]byte, 20)
	v4[0] = 0x45
	copy(v4[16:], []byte{10, 0, 0, 7})
	v6 := make([]byte, 40)
	v6[0] = 0x60
	v6[24], v6[39] = 0xfe, 1
	for _, tc := range []struct {
		name string
		pkt  []byte
		want string
	}{
		{"ipv4", v4, "10.0.0.7"},
		{"ipv6", v6, "fe00::1"},
		{"short", v4[:10], ""},
		{"empty", nil, ""},
		{"version 5", append([]byte{0x50}, v4[1:]...), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := destination(tc.pkt)
			if (tc.want == "" && ok) || (tc.want != "" && a != netip.MustParseAddr(tc.want)) {
				t.Errorf("destination = %v %v, want %q", a, ok, tc.want)
			}
		})
	}
}

// The certificate is created once and reused by a restarted server.
func TestCertSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub")
	c1, err := loadOrCreateCert(dir, []string{"vpn.example"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := loadOrCreateCert(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(c1.Certificate[0]) != string(c2.Certificate[0]) {
		t.Fatal("certificate changed across restarts")
	}
	if st, err := os.Stat(filepath.Join(dir, "key.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key.pem: %v %v", st, err)
	}
}
