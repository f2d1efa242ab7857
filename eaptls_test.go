package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// testClientCert writes a self-signed client certificate and its key as PEM
// files; notAfter in the past makes it expired.
func testClientCert(t *testing.T, notAfter time.Time, keyMode uint32) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "router1"},
		NotBefore: notAfter.Add(-48 * time.Hour), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile = writeFile(t, "client.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o644)
	keyFile = writeFile(t, "client.key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})), 0o600)
	if keyMode != 0o600 {
		keyFile = writeFile(t, "client-open.key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})), 0o644)
	}
	return certFile, keyFile
}

// With a client certificate neither a user nor a password is required, and
// the config file keys work like the flags.
func TestClientCertNeedsNoPassword(t *testing.T) {
	t.Setenv("SSTPGO_PASSWORD", "")
	cert, key := testClientCert(t, time.Now().Add(24*time.Hour), 0o600)
	cfgFile := writeFile(t, "c.toml", "server = \"vpn.example\"\nclient_cert = \""+cert+"\"\nclient_key = \""+key+
		"\"\neap_server_name = \"nps.example\"\n", 0o644)
	var got *options
	app := newApp()
	app.Commands[0].Action = func(c *cli.Context) error {
		o, err := loadOptions(c)
		got = o
		return err
	}
	if err := app.Run([]string{"sstpgo", "connect", "--config", cfgFile}); err != nil {
		t.Fatal(err)
	}
	if got.ClientCert != cert || got.ClientKey != key || got.EAPServerName != "nps.example" || got.password != "" {
		t.Errorf("%+v", got)
	}
	cfg := sstp.Config{}
	if err := got.eapTLS(&cfg); err != nil || cfg.PPP.EAPTLS == nil || cfg.PPP.EAPTLS.ServerName != "nps.example" {
		t.Errorf("eapTLS: %v %+v", err, cfg.PPP.EAPTLS)
	}
}

func TestEAPTLSOptions(t *testing.T) {
	cert, key := testClientCert(t, time.Now().Add(24*time.Hour), 0o600)
	_, openKey := testClientCert(t, time.Now().Add(24*time.Hour), 0o644)
	oldCert, oldKey := testClientCert(t, time.Now().Add(-time.Hour), 0o600)
	otherCert, _ := testClientCert(t, time.Now().Add(24*time.Hour), 0o600)
	caFile := cert // any PEM certificate serves as a CA file here
	rootCAs := x509.NewCertPool()
	tests := []struct {
		name    string
		o       fileConfig
		auth    []ppp.AuthMethod
		wantErr string
		check   func(t *testing.T, c *ppp.EAPTLSConfig)
	}{
		{name: "none", check: func(t *testing.T, c *ppp.EAPTLSConfig) {
			if c != nil {
				t.Error("EAP-TLS without a certificate")
			}
		}},
		{name: "default CA is --ca-cert", o: fileConfig{ClientCert: cert, ClientKey: key}, check: func(t *testing.T, c *ppp.EAPTLSConfig) {
			if c == nil || c.RootCAs != rootCAs || c.InsecureSkipVerify || len(c.Certificate.Certificate) != 1 {
				t.Errorf("%+v", c)
			}
		}},
		{name: "own CA", o: fileConfig{ClientCert: cert, ClientKey: key, EAPCA: caFile}, check: func(t *testing.T, c *ppp.EAPTLSConfig) {
			if c == nil || c.RootCAs == rootCAs || c.RootCAs == nil {
				t.Errorf("%+v", c)
			}
		}},
		{name: "insecure covers the EAP server", o: fileConfig{ClientCert: cert, ClientKey: key, InsecureSkipVerify: true},
			check: func(t *testing.T, c *ppp.EAPTLSConfig) {
				if !c.InsecureSkipVerify {
					t.Error("not insecure")
				}
			}},
		{name: "sstp server name for the check", o: fileConfig{ClientCert: cert, ClientKey: key, Server: "vpn.example:8443"},
			check: func(t *testing.T, c *ppp.EAPTLSConfig) {
				if c.SSTPServerName != "vpn.example" {
					t.Errorf("SSTPServerName %q", c.SSTPServerName)
				}
			}},
		{name: "sni for the check", o: fileConfig{ClientCert: cert, ClientKey: key, Server: "192.0.2.1", SNI: "vpn.example"},
			check: func(t *testing.T, c *ppp.EAPTLSConfig) {
				if c.SSTPServerName != "vpn.example" {
					t.Errorf("SSTPServerName %q", c.SSTPServerName)
				}
			}},
		{name: "auth with eap", o: fileConfig{ClientCert: cert, ClientKey: key}, auth: []ppp.AuthMethod{ppp.AuthEAP}},
		{name: "auth without eap", o: fileConfig{ClientCert: cert, ClientKey: key}, auth: []ppp.AuthMethod{ppp.AuthMSCHAPv2}, wantErr: "add eap"},
		{name: "cert without key", o: fileConfig{ClientCert: cert}, wantErr: "go together"},
		{name: "eap-ca without cert", o: fileConfig{EAPCA: caFile}, wantErr: "need --client-cert"},
		{name: "key readable by others", o: fileConfig{ClientCert: cert, ClientKey: openKey}, wantErr: "chmod 600"},
		{name: "key of another cert", o: fileConfig{ClientCert: otherCert, ClientKey: key}, wantErr: "does not match"},
		{name: "expired", o: fileConfig{ClientCert: oldCert, ClientKey: oldKey}, wantErr: "expired"},
		{name: "missing key", o: fileConfig{ClientCert: cert, ClientKey: key + ".nope"}, wantErr: "no such file"},
		{name: "bad CA file", o: fileConfig{ClientCert: cert, ClientKey: key, EAPCA: key}, wantErr: "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &options{fileConfig: tt.o}
			cfg := sstp.Config{RootCAs: rootCAs, Server: tt.o.Server, SNI: tt.o.SNI}
			cfg.PPP.Auth = tt.auth
			err := o.eapTLS(&cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, cfg.PPP.EAPTLS)
			}
		})
	}
}
