package sstp_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// waitDone waits for the session to end, up to limit of fake time, and
// returns how long it took.
func waitDone(t *testing.T, s *sstp.Session, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	select {
	case <-s.Done():
	case <-time.After(limit):
		t.Errorf("dead peer not detected within %v", limit)
		s.Close() // must be bounded too
	}
	return time.Since(start)
}

// A server that stops reading (the TCP window full; here a pipe, where every
// write blocks until the peer reads) must not hold the watchdog in its echo:
// the dead peer is detected within echo interval + timeout of the last
// packet received, and Close is bounded.
func TestDeadPeerWithBlockedEchoWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, cfg := pipeServer(t, sstptest.Options{Fault: sstptest.FaultStopReading})
		cfg.HelloInterval, cfg.HelloTimeout = 10*time.Second, 20*time.Second
		s, err := sstp.Dial(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		took := waitDone(t, s, 10*time.Minute)
		t.Logf("dead peer detected %v after the last packet (echo interval + timeout: 30s); Err: %v", took, s.Err())
		if took > 30*time.Second {
			t.Errorf("detection took %v, want <= 30s", took)
		}
		if !errors.Is(s.Err(), sstp.ErrPeerDead) {
			t.Errorf("Err = %v, want ErrPeerDead", s.Err())
		}
		start := time.Now()
		s.Close()
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Close took %v", d)
		}
	})
}

// stuckConn passes reads through but, once stuck is set, blocks every write
// until it is closed: a path that only works one way (our segments are
// lost, the server's still arrive), so the send buffer fills while the
// server keeps talking.
type stuckConn struct {
	net.Conn
	stuck     atomic.Bool
	closed    chan struct{}
	closeOnce sync.Once
}

func (c *stuckConn) Write(b []byte) (int, error) {
	if c.stuck.Load() {
		<-c.closed
		return 0, net.ErrClosed
	}
	return c.Conn.Write(b)
}

func (c *stuckConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// stuckDial wraps cfg's dialer so that the connection's writes can be made
// to block (stuckConn).
func stuckDial(cfg *sstp.Config) **stuckConn {
	var sc *stuckConn
	dial := cfg.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	cfg.DialContext = func(ctx context.Context, n, a string) (net.Conn, error) {
		c, err := dial(ctx, n, a)
		if err == nil {
			sc = &stuckConn{Conn: c, closed: make(chan struct{})}
			c = sc
		}
		return c, err
	}
	return &sc
}

// The server keeps sending (Echo Requests every 100 ms) but nothing we write
// leaves: the peer is not silent, yet the link is dead. A write stuck for
// the echo timeout ends the session within echo interval + timeout. Real
// TCP (the loop waits on the write lock, which synctest cannot see through);
// the figure is logged, the bound generous.
func TestDeadPeerWithStuckWriter(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.Generic, EchoInterval: 100 * time.Millisecond})
	defer srv.Close()
	cfg := clientConfig(srv, "user", "pass")
	sc := stuckDial(&cfg)
	cfg.HelloInterval, cfg.HelloTimeout = 300*time.Millisecond, 700*time.Millisecond
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	(*sc).stuck.Store(true)
	start := time.Now()
	pkt := make([]byte, sstp.Headroom+20)
	pkt[sstp.Headroom] = 0x45
	go s.SendIP(pkt) // a data write that never completes
	select {
	case <-s.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("stuck link not detected within 20s")
	}
	t.Logf("stuck link detected after %v (echo interval + timeout: 1s): %v", time.Since(start).Round(time.Millisecond), s.Err())
	if !errors.Is(s.Err(), sstp.ErrPeerDead) {
		t.Errorf("Err = %v, want ErrPeerDead", s.Err())
	}
}

// The same over real TCP: a server that stops reading while the client
// sends, so the window fills and the client's write blocks. Detection is
// logged (no wall-clock assertion beyond a generous bound); it must come
// from the watchdog, not from TCP giving up.
func TestDeadPeerServerStopsReadingTCP(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{Fault: sstptest.FaultStopReading})
	defer srv.Close()
	cfg := clientConfig(srv, "user", "pass")
	cfg.HelloInterval, cfg.HelloTimeout = 300*time.Millisecond, 700*time.Millisecond
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := sstp.NewBatch()
	for b.Room() {
		b.Tail()[0] = 0x45
		b.Add(1400)
	}
	start := time.Now()
	go func() {
		for s.SendBatch(b.Bytes()) == nil {
		}
	}()
	select {
	case <-s.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("dead peer not detected within 30s")
	}
	t.Logf("detected after %v (echo interval + timeout: 1s): %v", time.Since(start).Round(time.Millisecond), s.Err())
	if !errors.Is(s.Err(), sstp.ErrPeerDead) {
		t.Errorf("Err = %v, want ErrPeerDead", s.Err())
	}
}

// Close is bounded even when the loop itself is blocked behind a stuck data
// write (answering the server's Echo Request): it must not wait for the
// watchdog to notice the stuck link. Real TCP, logged, generous bound.
func TestCloseWithLoopBlockedBehindStuckWrite(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.Generic, EchoInterval: 100 * time.Millisecond})
	defer srv.Close()
	cfg := clientConfig(srv, "user", "pass")
	sc := stuckDial(&cfg)
	cfg.HelloInterval, cfg.HelloTimeout = 10*time.Second, 20*time.Second
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	(*sc).stuck.Store(true)
	pkt := make([]byte, sstp.Headroom+20)
	pkt[sstp.Headroom] = 0x45
	go s.SendIP(pkt)
	time.Sleep(300 * time.Millisecond) // the server's echoes arrive; the loop waits to answer
	start := time.Now()
	s.Close()
	took := time.Since(start)
	t.Logf("Close took %v", took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("Close took %v, want about 1.25s", took)
	}
}
