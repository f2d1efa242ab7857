package ppp

import (
	"bytes"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/sstpgo/sstpgo/logx"
)

// TestEAPServerCheckWithoutName: without EAPTLSConfig.ServerName a publicly
// trusted certificate alone is not enough (any web site has one): the EAP
// server's certificate must chain to RootCAs (--eap-ca, default --ca-cert)
// or, against the system roots, carry the SSTP server's name. The log says
// which check was applied.
func TestEAPServerCheckWithoutName(t *testing.T) {
	pki := newTestPKI(t, "corp") // the server's certificate names nps.corp
	defer func(f func() (*x509.CertPool, error)) { systemCertPool = f }(systemCertPool)
	systemCertPool = func() (*x509.CertPool, error) { return pki.pool, nil } // "publicly trusted"
	tests := []struct {
		name    string
		cfg     EAPTLSConfig
		ok      bool
		logged  string
		errText string
	}{
		{name: "system roots, no name at all", cfg: EAPTLSConfig{},
			logged: "no check possible", errText: "--eap-ca"},
		{name: "system roots, another SSTP name", cfg: EAPTLSConfig{SSTPServerName: "vpn.corp"},
			logged: `system roots and the SSTP server's name \"vpn.corp\"`, errText: "vpn.corp"},
		{name: "system roots, SSTP name matches", cfg: EAPTLSConfig{SSTPServerName: "nps.corp"}, ok: true,
			logged: `system roots and the SSTP server's name \"nps.corp\"`},
		{name: "own CA, no name", cfg: EAPTLSConfig{RootCAs: pki.pool, SSTPServerName: "vpn.corp"}, ok: true,
			logged: "chain to --eap-ca"},
		{name: "eap-server-name", cfg: EAPTLSConfig{ServerName: "nps.corp"}, ok: true,
			logged: `system roots and --eap-server-name \"nps.corp\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Certificate = pki.client
			s, e := newEAPTLSTest(t, pki, cfg, 0)
			var buf bytes.Buffer
			s.c.log = logx.New(&buf, logx.LevelInfo)
			defer e.stop()
			e.run()
			_, authed := findEvent(s.events, EventAuthenticated)
			if authed != tt.ok {
				t.Fatalf("authenticated %v, want %v; events %v", authed, tt.ok, s.events)
			}
			if !strings.Contains(buf.String(), tt.logged) {
				t.Errorf("log lacks %q:\n%s", tt.logged, buf.String())
			}
			if tt.ok {
				return
			}
			err := downErr(t, s)
			if !errors.Is(err, ErrEAPServerCert) || !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("err %v, want ErrEAPServerCert naming %q", err, tt.errText)
			}
		})
	}
}
