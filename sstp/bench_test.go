package sstp_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// ipPacket returns a buffer with Headroom free bytes and an IPv4 packet of n bytes.
func ipPacket(n int) []byte {
	buf := make([]byte, sstp.Headroom+n)
	buf[sstp.Headroom] = 0x45
	return buf
}

// The data path allocates nothing per packet, either way.
func TestDataPathDoesNotAllocate(t *testing.T) {
	buf := ipPacket(1400)
	var stream bytes.Buffer
	if err := sstp.EncapIP(buf); err != nil {
		t.Fatal(err)
	}
	stream.Write(buf)
	r := bytes.NewReader(stream.Bytes())
	rbuf := make([]byte, sstp.MaxPacketLen)
	allocs := testing.AllocsPerRun(1000, func() {
		if err := sstp.EncapIP(buf); err != nil {
			t.Fatal(err)
		}
		r.Reset(stream.Bytes())
		pkt, err := sstp.ReadPacket(r, rbuf)
		if err != nil {
			t.Fatal(err)
		}
		if ip, ok := sstp.DecapIP(pkt); !ok || len(ip) != 1400 {
			t.Fatal("decap failed")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per packet, want 0", allocs)
	}
}

// BenchmarkDataPathEncap: one IP packet from the TUN buffer to SSTP data packet bytes.
func BenchmarkDataPathEncap(b *testing.B) {
	buf := ipPacket(1400)
	b.ReportAllocs()
	b.SetBytes(1400)
	for b.Loop() {
		if err := sstp.EncapIP(buf); err != nil {
			b.Fatal(err)
		}
		io.Discard.Write(buf)
	}
}

// BenchmarkDataPathDecap: SSTP data packet bytes from the TLS stream to the IP packet.
func BenchmarkDataPathDecap(b *testing.B) {
	buf := ipPacket(1400)
	sstp.EncapIP(buf)
	r := bytes.NewReader(buf)
	rbuf := make([]byte, sstp.MaxPacketLen)
	b.ReportAllocs()
	b.SetBytes(1400)
	for b.Loop() {
		r.Reset(buf)
		pkt, err := sstp.ReadPacket(r, rbuf)
		if err != nil {
			b.Fatal(err)
		}
		ip, ok := sstp.DecapIP(pkt)
		if !ok {
			b.Fatal("not IP")
		}
		io.Discard.Write(ip)
	}
}

// BenchmarkDataPathBatch: a burst of 1400-byte packets gathered into one
// TLS-record-sized batch, as the daemon's TUN reader does under load.
func BenchmarkDataPathBatch(b *testing.B) {
	batch := sstp.NewBatch()
	b.ReportAllocs()
	for b.Loop() {
		batch.Reset()
		for batch.Room() {
			batch.Tail()[0] = 0x45
			if err := batch.Add(1400); err != nil {
				b.Fatal(err)
			}
		}
		io.Discard.Write(batch.Bytes())
	}
	b.SetBytes(int64(batch.Len() * 1400))
}

// BenchmarkTunnelVsRawTLS sends the same number of 1400-byte packets through
// an SSTP session to the test server and as a raw TLS stream over loopback,
// and reports both goodputs and their ratio: "packet" sends one packet per
// TLS write (SendIP, and the raw stream writes the same 1408 bytes each
// time); "batch" gathers them into record-sized batches (SendBatch, as the
// daemon does under load) against raw 16 KiB writes.
func BenchmarkTunnelVsRawTLS(b *testing.B) {
	b.Run("packet", func(b *testing.B) { tunnelVsRaw(b, false) })
	b.Run("batch", func(b *testing.B) { tunnelVsRaw(b, true) })
}

func tunnelVsRaw(b *testing.B, batched bool) {
	const size = 1400
	n := max(b.N, 2000)

	var got atomic.Int64
	done := make(chan struct{})
	want := int64(n) * size
	srv := sstptest.NewServer(sstptest.Options{HandleIP: func(_ *sstptest.Session, pkt []byte) {
		if got.Add(int64(len(pkt))) == want {
			close(done)
		}
	}})
	defer srv.Close()
	s, err := sstp.Dial(context.Background(), clientConfig(srv, "user", "pass"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	start := time.Now()
	if batched {
		sendBatches(b, s, n, size)
	} else {
		buf := ipPacket(size)
		for i := 0; i < n; i++ {
			if err := s.SendIP(buf); err != nil {
				b.Fatal(err)
			}
		}
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		b.Fatalf("server got %d of %d bytes", got.Load(), want)
	}
	tunnel := float64(want) / time.Since(start).Seconds() / 1e6
	b.StopTimer()

	// Raw TLS with the same bytes on the wire as the tunnel's SSTP stream.
	write := size + sstp.Headroom
	if batched {
		write = sstp.BatchTarget
	}
	raw := rawTLS(b, n*(size+sstp.Headroom)/write, write)
	b.ReportMetric(tunnel, "tunnel-MB/s")
	b.ReportMetric(raw, "rawtls-MB/s")
	b.ReportMetric(tunnel/raw, "ratio")
}

func sendBatches(b *testing.B, s *sstp.Session, n, size int) {
	batch := sstp.NewBatch()
	for n > 0 {
		batch.Reset()
		for ; n > 0 && batch.Room(); n-- {
			batch.Tail()[0] = 0x45
			if err := batch.Add(size); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.SendBatch(batch.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}

func rawTLS(b *testing.B, n, size int) float64 {
	cert := selfSignedCert(b)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	want := int64(n) * int64(size)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.CopyN(io.Discard, c, want)
	}()
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)
	c, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, size)
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	return float64(want) / time.Since(start).Seconds() / 1e6
}

func selfSignedCert(b testing.TB) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		b.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
