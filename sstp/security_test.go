package sstp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// A server that offers nothing newer than TLS 1.1 is refused at the TLS step.
func TestTLS12Minimum(t *testing.T) {
	cert := selfSignedCert(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS11, MinVersion: tls.VersionTLS10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)
	_, err = sstp.Dial(context.Background(), sstp.Config{Server: l.Addr().String(), SNI: "localhost", RootCAs: pool,
		NegotiationTimeout: 5 * time.Second, PPP: ppp.Config{Username: "u", Password: "p"}})
	if err == nil || !strings.Contains(err.Error(), "TLS") || sstp.IsCertError(err) {
		t.Fatalf("error %v, want a TLS protocol-version failure", err)
	}
	t.Log(err)
}

// A peer that never finishes the TLS handshake is bounded by the negotiation timeout.
func TestTLSHandshakeBounded(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			time.Sleep(3 * time.Second)
			c.Close()
		}
	}()
	start := time.Now()
	_, err = sstp.Dial(context.Background(), sstp.Config{Server: l.Addr().String(), NegotiationTimeout: time.Second,
		PPP: ppp.Config{Username: "u", Password: "p"}})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("took %v with a 1s bound", d)
	}
}

// --tls-keylog writes NSS key log lines that decrypt the session in Wireshark.
func TestKeyLogWriter(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	var keys strings.Builder
	cfg := clientConfig(srv, "user", "pass")
	cfg.KeyLogWriter = &keys
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if !strings.Contains(keys.String(), "CLIENT_TRAFFIC_SECRET_0 ") && !strings.Contains(keys.String(), "CLIENT_RANDOM ") {
		t.Errorf("no NSS key log lines:\n%s", keys.String())
	}
}

// --insecure-skip-verify and --tls-keylog are warned about on every connect,
// and the password never reaches the logs, even at debug level.
func TestDangerousOptionsWarnEveryConnect(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{Users: map[string]string{"user": "pa55-secret"}})
	defer srv.Close()
	var logs strings.Builder
	cfg := clientConfig(srv, "user", "pa55-secret")
	cfg.RootCAs, cfg.InsecureSkipVerify, cfg.KeyLogWriter = nil, true, io.Discard
	cfg.Logger = logx.New(&logs, logx.LevelDebug)
	for i := 0; i < 2; i++ {
		s, err := sstp.Dial(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	out := logs.String()
	if n := strings.Count(out, "verification is DISABLED"); n != 2 {
		t.Errorf("%d insecure warnings for 2 connects", n)
	}
	if n := strings.Count(out, "key log file"); n != 2 {
		t.Errorf("%d key log warnings for 2 connects", n)
	}
	if strings.Contains(out, "pa55-secret") {
		t.Error("the password is in the debug log")
	}
}
