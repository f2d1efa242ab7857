package sstp_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"testing"

	"github.com/sstpgo/sstpgo/internal/testpki"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// serverCert is a self-signed ECDSA certificate for localhost.
func serverCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return selfSigned(t, key)
}

// selfSigned is testpki.Server, failing the test on error.
func selfSigned(t *testing.T, key crypto.Signer) tls.Certificate {
	t.Helper()
	cert, err := testpki.Server(key)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// With a shared SessionCache the second dial resumes the TLS session (TLS
// 1.2 and 1.3), and RRAS still accepts the crypto binding, whose
// certificate hash comes from the resumed session's certificate. A pin is
// checked on the resumed session too: a wrong one fails even though a
// session for the server is cached.
func TestSessionResumption(t *testing.T) {
	checkGoroutines(t)
	for _, max := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(max), func(t *testing.T) {
			cert := serverCert(t)
			srv := sstptest.NewServer(sstptest.Options{
				Personality: sstptest.RRAS,
				Users:       map[string]string{"alice": "s3cret"},
				TLSConfig:   &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: max},
			})
			defer srv.Close()
			cache := tls.NewLRUClientSessionCache(4)
			for i, want := range []bool{false, true, true} {
				cfg := clientConfig(srv, "alice", "s3cret")
				cfg.SessionCache = cache
				s, err := sstp.Dial(context.Background(), cfg)
				if err != nil {
					t.Fatalf("dial %d: %v", i, err)
				}
				info := s.Info()
				waitServer(t, srv, "a verified crypto binding", func(si sstptest.SessionInfo) bool {
					return si.ID == i+1 && si.CallConnected && si.BindingErr == nil
				})
				s.Close()
				if info.TLSResumed != want {
					t.Errorf("dial %d: TLSResumed %v, want %v", i, info.TLSResumed, want)
				}
				if info.TLSVersion != tls.VersionName(max) || info.CertSHA256 != sstp.Fingerprint(cert.Certificate[0]) {
					t.Errorf("dial %d: %s, certificate %s", i, info.TLSVersion, info.CertSHA256)
				}
			}
			cfg := clientConfig(srv, "alice", "s3cret")
			cfg.SessionCache = cache
			wrong := sha256.Sum256([]byte("another certificate"))
			cfg.PinSHA256 = wrong[:]
			if _, err := sstp.Dial(context.Background(), cfg); !errors.Is(err, sstp.ErrPinMismatch) {
				t.Fatalf("wrong pin with a cached session: %v", err)
			}
		})
	}
}
