package sstp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// clientCA is a test CA with one client certificate (x509 templates).
type clientCA struct {
	pool   *x509.CertPool
	client tls.Certificate
}

func newClientCA(t *testing.T, cn string) clientCA {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn + " CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return clientCA{pool: pool, client: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}}
}

// eapTLSServer is an RRAS lookalike that offers EAP-TLS for clients of ca,
// with its HTTPS certificate as the EAP server's.
func eapTLSServer(ca clientCA, o sstptest.Options) *sstptest.Server {
	o.Personality = sstptest.RRAS
	o.Auth = []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthEAP}
	o.EAPTLS = &tls.Config{ClientCAs: ca.pool, ClientAuth: tls.RequireAndVerifyClientCert}
	return sstptest.NewServer(o)
}

func eapTLSClient(srv *sstptest.Server, cert tls.Certificate) sstp.Config {
	cfg := clientConfig(srv, "", "")
	cfg.PPP.EAPTLS = &ppp.EAPTLSConfig{Certificate: cert, RootCAs: srv.CertPool()}
	return cfg
}

// A client certificate reaches the network phase against the RRAS
// personality, whose MS-CHAPv2 proposal the client Naks toward EAP, and the
// server verifies the crypto binding with its own EAP-TLS HLAK.
func TestEAPTLSAgainstRRAS(t *testing.T) {
	checkGoroutines(t)
	ca := newClientCA(t, "alice")
	srv := eapTLSServer(ca, sstptest.Options{})
	defer srv.Close()
	s, err := sstp.Dial(context.Background(), eapTLSClient(srv, ca.client))
	if err != nil {
		t.Fatal(err)
	}
	if info := s.Info(); info.Auth != ppp.AuthEAP || !info.IPv4.Local.IsValid() {
		t.Errorf("client info %+v", info)
	}
	got := waitServer(t, srv, "network phase", func(si sstptest.SessionInfo) bool { return si.Up && si.CallConnected })
	if got.Auth != ppp.AuthEAP || got.BindingErr != nil || got.EAPMethod != "eap-tls" || got.ClientCert != "alice" || got.User != "alice" {
		t.Errorf("server side: %+v", got)
	}
	s.Close()
	waitServer(t, srv, "Call Disconnect", func(si sstptest.SessionInfo) bool { return si.ClientDisconnect })
}

// A wrong EAP-TLS HLAK fails the binding, so the server really checks it.
func TestEAPTLSWrongHLAK(t *testing.T) {
	checkGoroutines(t)
	ca := newClientCA(t, "alice")
	srv := eapTLSServer(ca, sstptest.Options{ConnectedTimeout: 500 * time.Millisecond})
	defer srv.Close()
	cfg := eapTLSClient(srv, ca.client)
	sstp.CorruptHLAK(&cfg)
	s, err := sstp.Dial(context.Background(), cfg)
	if err == nil {
		select {
		case <-s.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("call not dropped")
		}
		s.Close()
	}
	got := waitServer(t, srv, "binding failure", func(si sstptest.SessionInfo) bool { return si.Done })
	if !errors.Is(got.BindingErr, sstp.ErrBindingMAC) || got.EAPMethod != "eap-tls" {
		t.Errorf("server: %+v", got)
	}
}

// Certificates the other side does not trust end in an authentication
// error, never in the network phase.
func TestEAPTLSRejected(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(*sstp.Config, clientCA)
		is    error
	}{
		{"client cert from another CA", func(c *sstp.Config, _ clientCA) {
			c.PPP.EAPTLS.Certificate = newClientCA(t, "mallory").client
		}, nil},
		{"EAP server cert not trusted", func(c *sstp.Config, ca clientCA) { c.PPP.EAPTLS.RootCAs = ca.pool }, ppp.ErrEAPServerCert},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			ca := newClientCA(t, "alice")
			srv := eapTLSServer(ca, sstptest.Options{})
			defer srv.Close()
			cfg := eapTLSClient(srv, ca.client)
			tc.tweak(&cfg, ca)
			s, err := sstp.Dial(context.Background(), cfg)
			if err == nil {
				s.Close()
				t.Fatal("connected")
			}
			if !sstp.IsAuthError(err) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("error %v, want an auth error (%v)", err, tc.is)
			}
			t.Logf("client reports: %v", err)
			got := waitServer(t, srv, "end", func(si sstptest.SessionInfo) bool { return si.Done })
			if got.Authenticated || got.Up {
				t.Errorf("server: %+v", got)
			}
		})
	}
}

// A password client still gets in when the server offers EAP-TLS first:
// it Naks toward EAP-MSCHAPv2.
func TestEAPTLSServerPasswordFallback(t *testing.T) {
	checkGoroutines(t)
	ca := newClientCA(t, "alice")
	srv := eapTLSServer(ca, sstptest.Options{})
	defer srv.Close()
	s, err := sstp.Dial(context.Background(), clientConfig(srv, "user", "pass", ppp.AuthEAP))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := waitServer(t, srv, "network phase", func(si sstptest.SessionInfo) bool { return si.Up && si.CallConnected })
	if got.Auth != ppp.AuthEAP || got.BindingErr != nil || got.EAPMethod != "" {
		t.Errorf("server side: %+v", got)
	}
}

// Fragmentation both ways through the real client and the test server: the
// client sends 100-byte fragments (the server reassembles and ACKs them) and
// the EAP server's certificate is larger than the server's 1024-byte
// fragments (the client reassembles and ACKs).
func TestEAPTLSFragmented(t *testing.T) {
	checkGoroutines(t)
	ca := newClientCA(t, "alice")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "nps.corp.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	tmpl.DNSNames = []string{"nps.corp.example"}
	for i := range 80 {
		tmpl.DNSNames = append(tmpl.DNSNames, "nps"+string(rune('a'+i%26))+string(rune('a'+i/26))+".corp.example")
	}
	self, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key) // self-signed: its own root
	if len(self) < 1100 {                                                           // more than one 1024-byte server fragment
		t.Fatalf("certificate only %d bytes", len(self))
	}
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(self)
	pool.AddCert(leaf)
	srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.RRAS, Auth: []ppp.AuthMethod{ppp.AuthEAP},
		EAPTLS: &tls.Config{ClientCAs: ca.pool, ClientAuth: tls.RequireAndVerifyClientCert,
			Certificates: []tls.Certificate{{Certificate: [][]byte{self}, PrivateKey: key}}}})
	defer srv.Close()
	cfg := eapTLSClient(srv, ca.client)
	cfg.PPP.EAPTLS.RootCAs, cfg.PPP.EAPTLS.ServerName, cfg.PPP.EAPTLS.FragmentSize = pool, "nps.corp.example", 100
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := waitServer(t, srv, "network phase", func(si sstptest.SessionInfo) bool { return si.Up && si.CallConnected })
	if got.BindingErr != nil || got.EAPMethod != "eap-tls" {
		t.Errorf("server side: %+v", got)
	}
}

// The connect timeout running out in the middle of an EAP-TLS exchange (a
// RADIUS server gone quiet) ends the client's TLS goroutine with the call:
// synctest.Test fails on a goroutine of the bubble left blocked.
func TestEAPTLSQuietServerLeavesNoGoroutine(t *testing.T) {
	ca := newClientCA(t, "alice")
	synctest.Test(t, func(t *testing.T) {
		o := sstptest.Options{Personality: sstptest.RRAS, Auth: []ppp.AuthMethod{ppp.AuthEAP},
			EAPTLS:    &tls.Config{ClientCAs: ca.pool, ClientAuth: tls.RequireAndVerifyClientCert},
			PPPQuirks: sstptest.PPPQuirks{EAPTLSQuiet: true}}
		srv, cfg := pipeServer(t, o)
		cfg.PPP.EAPTLS = &ppp.EAPTLSConfig{Certificate: ca.client, RootCAs: srv.CertPool()}
		cfg.NegotiationTimeout = 20 * time.Second
		_, err := sstp.Dial(context.Background(), cfg)
		if !errors.Is(err, sstp.ErrNegotiationTimout) || sstp.IsAuthError(err) {
			t.Errorf("error %v: want a negotiation timeout, not an authentication failure", err)
		}
		srv.Close()
		synctest.Wait()
	})
}
