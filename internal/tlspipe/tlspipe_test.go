package tlspipe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"runtime"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pipe"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true,
		BasicConstraintsValid: true, DNSNames: []string{"pipe"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestHandshakeLockstep shuttles bytes between a client and a server pipe
// from one goroutine, as a sans-IO owner does, until both finish.
func TestHandshakeLockstep(t *testing.T) {
	for _, ver := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(ver), func(t *testing.T) {
			cert, pool := testCert(t)
			cp, sp := New(), New()
			cc := tls.Client(cp, &tls.Config{RootCAs: pool, ServerName: "pipe", MaxVersion: ver})
			sc := tls.Server(sp, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: ver})
			sp.Run(sc.Handshake)
			cp.Run(cc.Handshake)
			for i := 0; i < 20; i++ {
				if b := cp.Take(); len(b) > 0 {
					sp.Feed(b)
				}
				if b := sp.Take(); len(b) > 0 {
					cp.Feed(b)
				}
				cd, cerr := cp.Result()
				sd, serr := sp.Result()
				if cd && sd {
					if cerr != nil || serr != nil {
						t.Fatalf("client %v server %v", cerr, serr)
					}
					if v := cc.ConnectionState().Version; v != ver {
						t.Errorf("version %x", v)
					}
					sp.Abort()
					return
				}
			}
			t.Fatal("handshake never finished")
		})
	}
}

// TestAbortEndsHandshake: a handshake waiting for the peer ends with
// ErrAborted, and its goroutine is gone when Abort returns.
func TestAbortEndsHandshake(t *testing.T) {
	base := runtime.NumGoroutine()
	p := New()
	cc := tls.Client(p, &tls.Config{ServerName: "x"})
	p.Run(cc.Handshake)
	if len(p.Take()) == 0 {
		t.Fatal("no ClientHello")
	}
	if done, _ := p.Result(); done {
		t.Fatal("handshake done without a server")
	}
	p.Abort()
	done, err := p.Result()
	if !done || !errors.Is(err, ErrAborted) {
		t.Fatalf("after Abort: done %v err %v", done, err)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines after Abort, %d before", n, base)
	}
	p.Abort() // idempotent
	p.Feed([]byte{1})
	if _, err := p.Write([]byte{1}); !errors.Is(err, ErrAborted) {
		t.Errorf("Write after Abort: %v", err)
	}
}

// TestAbortUnstarted: Abort on a Conn that never ran does not block.
func TestAbortUnstarted(t *testing.T) {
	p := New()
	p.Abort()
	if n, err := p.Read(make([]byte, 1)); n != 0 || !errors.Is(err, ErrAborted) {
		t.Fatalf("Read = %d, %v", n, err)
	}
}

// TestGarbageInput: bytes that are not TLS end the handshake with an error
// during Feed, not later.
func TestGarbageInput(t *testing.T) {
	p := New()
	cc := tls.Client(p, &tls.Config{ServerName: "x"})
	p.Run(cc.Handshake)
	p.Take()
	p.Feed([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	if done, err := p.Result(); !done || err == nil {
		t.Fatalf("done %v err %v", done, err)
	}
}
