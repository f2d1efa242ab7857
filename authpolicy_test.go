package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// TestInsecureRefusesPAPAndCHAP: with certificate verification off the
// server may be anyone, so PAP (the password itself) and CHAP-MD5 (a hash
// cracked offline) are refused unless --auth names them; a pin is
// verification, so it keeps every method.
func TestInsecureRefusesPAPAndCHAP(t *testing.T) {
	strong := []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthEAP}
	tests := []struct {
		name string
		o    fileConfig
		want []ppp.AuthMethod // nil = every method
		log  string
	}{
		{name: "verified", o: fileConfig{}},
		{name: "insecure", o: fileConfig{InsecureSkipVerify: true}, want: strong, log: "PAP and CHAP are refused"},
		{name: "insecure, auth names pap", o: fileConfig{InsecureSkipVerify: true, Auth: []string{"pap", "mschapv2"}},
			want: []ppp.AuthMethod{ppp.AuthPAP, ppp.AuthMSCHAPv2}},
		{name: "insecure, auth names chap", o: fileConfig{InsecureSkipVerify: true, Auth: []string{"chap"}},
			want: []ppp.AuthMethod{ppp.AuthCHAP}},
		{name: "insecure with a pin", o: fileConfig{InsecureSkipVerify: true, PinSHA256: strings.Repeat("ab", 32)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Server = "vpn.example"
			o := &options{fileConfig: tt.o}
			var buf bytes.Buffer
			cfg, err := o.sstpConfig(logx.New(&buf, logx.LevelInfo))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cfg.PPP.Auth, tt.want) {
				t.Errorf("auth %v, want %v", cfg.PPP.Auth, tt.want)
			}
			if tt.log != "" && !strings.Contains(buf.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, buf.String())
			}
		})
	}
}

// TestQuietEAPServerIsRetryable: an EAP server that goes quiet (RADIUS
// outage) is a network-class failure, exit 5, retried by the daemon; an
// explicit refusal (EAP-MSCHAPv2 failure for a wrong password) is exit 3.
func TestQuietEAPServerIsRetryable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		quiet bool
		pass  string
		code  int
	}{{"quiet server", true, "pass", exitUnreachable}, {"wrong password", false, "wrong", exitAuth}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.Generic, Auth: []ppp.AuthMethod{ppp.AuthEAP},
				PPPQuirks: sstptest.PPPQuirks{EAPQuiet: tc.quiet}})
			defer srv.Close()
			cfg := sstp.Config{Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(),
				NegotiationTimeout: 700 * time.Millisecond,
				PPP:                ppp.Config{Username: "user", Password: tc.pass, Auth: []ppp.AuthMethod{ppp.AuthEAP}}}
			s, err := sstp.Dial(context.Background(), cfg)
			if err == nil {
				s.Close()
				t.Fatal("connected")
			}
			if got := exitCodeFor(err); got != tc.code || sstp.IsAuthError(err) != (tc.code == exitAuth) {
				t.Errorf("%v: exit %d, IsAuthError %v; want exit %d", err, got, sstp.IsAuthError(err), tc.code)
			}
		})
	}
}
