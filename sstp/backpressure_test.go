package sstp_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// heapBound is how far the heap may grow while a stalled peer holds data
// back. Without backpressure a stall queues every packet in memory; with it
// the only buffers are the kernel's socket buffers, outside the Go heap.
const heapBound = 4 << 20

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// untilStalled samples the heap every few milliseconds while progress()
// rises, and returns the largest growth over base once progress has stopped
// for a while. It fails if more than limit bytes go through: the peer was
// supposed to stall.
func untilStalled(t *testing.T, base uint64, progress func() int64, limit int64) uint64 {
	t.Helper()
	var peak uint64
	last, still := int64(-1), 0
	for still < 100 {
		time.Sleep(5 * time.Millisecond)
		if h := heapInUse(); h > base && h-base > peak {
			peak = h - base
		}
		p := progress()
		if p > limit {
			t.Fatalf("%d bytes went through; the peer was supposed to stall", p)
		}
		if p == last && p > 0 {
			still++
		} else {
			last, still = p, 0
		}
	}
	return peak
}

// A server that stops reading must not make the client buffer without bound:
// the TLS write blocks, so SendBatch blocks, so the TUN reader stops reading
// and the kernel drops at the TUN queue. Close still ends the session.
func TestBackpressureServerStopsReading(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{Fault: sstptest.FaultStopReading})
	defer srv.Close()
	cfg := clientConfig(srv, "user", "pass")
	cfg.HelloInterval, cfg.HelloTimeout = time.Hour, time.Hour // the test, not the watchdog, ends it
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := sstp.NewBatch()
	for b.Room() {
		b.Tail()[0] = 0x45
		b.Add(1400)
	}
	runtime.GC()
	base := heapInUse()
	var sent atomic.Int64
	done := make(chan error, 1)
	go func() {
		for {
			if err := s.SendBatch(b.Bytes()); err != nil {
				done <- err
				return
			}
			sent.Add(int64(len(b.Bytes())))
		}
	}()
	peak := untilStalled(t, base, sent.Load, 1<<30)
	t.Logf("sent %d bytes before the writes blocked; heap grew by at most %d bytes", sent.Load(), peak)
	if peak > heapBound {
		t.Errorf("heap grew by %d bytes while the server did not read, want at most %d", peak, heapBound)
	}
	s.Close()
	if err := <-done; err == nil {
		t.Error("SendBatch kept succeeding after Close")
	}
}

// A TUN slower than the server (Deliver blocks) must not make the client
// buffer either: the reader goroutine waits in Deliver, stops reading TLS,
// the TCP window closes and the server's writes block. Once Deliver is fast
// again, traffic resumes.
func TestBackpressureSlowDeliver(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{EchoInterval: -1})
	defer srv.Close()
	gate := make(chan struct{})
	var delivered atomic.Int64
	cfg := clientConfig(srv, "user", "pass")
	cfg.HelloInterval, cfg.HelloTimeout = time.Hour, time.Hour
	cfg.Deliver = func(pkt []byte) {
		<-gate
		delivered.Add(int64(len(pkt)))
	}
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ss := srv.Lookup(s.Info().IPv4.Local)
	if ss == nil {
		t.Fatal("server has no session for", s.Info().IPv4.Local)
	}
	pkt := make([]byte, 1400)
	pkt[0] = 0x45
	copy(pkt[16:20], s.Info().IPv4.Local.AsSlice())
	runtime.GC()
	base := heapInUse()
	var written atomic.Int64
	stop := make(chan struct{})
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if ss.WriteIP(pkt) != nil {
				return
			}
			written.Add(int64(len(pkt)))
		}
	}()
	peak := untilStalled(t, base, written.Load, 1<<30)
	t.Logf("server wrote %d bytes before its writes blocked; client heap grew by at most %d bytes", written.Load(), peak)
	if peak > heapBound {
		t.Errorf("heap grew by %d bytes while Deliver was blocked, want at most %d", peak, heapBound)
	}
	stalledAt := written.Load()
	close(gate)
	for delivered.Load() <= stalledAt {
		select {
		case <-s.Done():
			t.Fatal("session ended:", s.Err())
		case <-pumped:
			t.Fatal("server stopped writing before traffic resumed")
		case <-time.After(5 * time.Millisecond):
		}
	}
	close(stop)
	<-pumped
}
