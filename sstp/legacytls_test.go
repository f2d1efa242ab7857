package sstp_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// rsaServerCert is a self-signed RSA certificate for localhost (RSA key
// exchange needs an RSA key).
func rsaServerCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return selfSigned(t, key)
}

// A TLS 1.2 server that takes RSA key exchange only (RouterOS with pfs=no)
// refuses Go's default offer with a handshake_failure alert; sstpgo dials
// once more offering those suites too, and the tunnel comes up. With
// RequireForwardSecrecy it stops at the TLS step and says why.
func TestRSAKeyExchangeOnlyServer(t *testing.T) {
	checkGoroutines(t)
	for _, suite := range []uint16{tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256} {
		t.Run(tls.CipherSuiteName(suite), func(t *testing.T) {
			srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.RRAS,
				Users: map[string]string{"alice": "s3cret"},
				TLSConfig: &tls.Config{Certificates: []tls.Certificate{rsaServerCert(t)},
					MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}}})
			defer srv.Close()

			s, err := sstp.Dial(context.Background(), clientConfig(srv, "alice", "s3cret"))
			if err != nil {
				t.Fatal(err)
			}
			info := s.Info()
			s.Close()
			if info.CipherSuite != tls.CipherSuiteName(suite) || !info.LegacyTLS {
				t.Errorf("negotiated %s, LegacyTLS %v", info.CipherSuite, info.LegacyTLS)
			}

			// A reconnect that remembers it offers RSA key exchange at once.
			cfg := clientConfig(srv, "alice", "s3cret")
			cfg.OfferRSAKeyExchange = true
			if s, err = sstp.Dial(context.Background(), cfg); err != nil {
				t.Fatalf("OfferRSAKeyExchange: %v", err)
			}
			s.Close()

			cfg = clientConfig(srv, "alice", "s3cret")
			cfg.RequireForwardSecrecy, cfg.OfferRSAKeyExchange = true, true
			_, err = sstp.Dial(context.Background(), cfg)
			var se *sstp.Error
			if !errors.As(err, &se) || se.Step != sstp.StepTLS || !strings.Contains(se.Hint, "forward-secret") && strings.Contains(se.Hint, "--sni") {
				t.Fatalf("with RequireForwardSecrecy: %v", err)
			}
		})
	}
}

// A server that shares no suite even then is reported at the TLS step with
// a hint about cipher settings.
func TestNoCommonCipherSuite(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{rsaServerCert(t)},
			MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}}})
	defer srv.Close()
	_, err := sstp.Dial(context.Background(), clientConfig(srv, "user", "pass"))
	var se *sstp.Error
	if !errors.As(err, &se) || se.Step != sstp.StepTLS || !strings.Contains(se.Hint, "cipher settings") {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
}
