package sstp_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// A session that keeps receiving data never takes the server for dead, even
// when the server's TLS records never end on an SSTP packet boundary, so
// that the client's read buffer never runs dry (the read loop publishes the
// receive time per record, and every 32 packets for such a stream). The
// server answers no echo: a stale receive time would end the session after
// HelloInterval + HelloTimeout (0.5 s here).
func TestUnalignedRecordsKeepSessionAlive(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{Fault: sstptest.FaultDropEchoes})
	defer srv.Close()
	cfg := clientConfig(srv, "user", "pass")
	cfg.HelloInterval, cfg.HelloTimeout = 200*time.Millisecond, 300*time.Millisecond
	var got atomic.Int64
	cfg.Deliver = func([]byte) { got.Add(1) }
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ss := srv.Lookup(s.Info().IPv4.Local)
	if ss == nil {
		t.Fatal("server has no session for the client's address")
	}
	pkt := make([]byte, sstp.Headroom+1000)
	pkt[sstp.Headroom] = 0x45
	if err := sstp.EncapIP(pkt); err != nil {
		t.Fatal(err)
	}
	// Each record: the second half of one packet, then the first half of
	// the next.
	half := len(pkt) / 2
	record := append(append([]byte(nil), pkt[half:]...), pkt[:half]...)
	if err := ss.WriteRaw(pkt[:half]); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
		if err := ss.WriteRaw(record); err != nil {
			t.Fatalf("after %d packets: %v (client: %v)", got.Load(), err, s.Err())
		}
		time.Sleep(100 * time.Microsecond)
	}
	select {
	case <-s.Done():
		t.Fatalf("session ended while receiving (%d packets): %v", got.Load(), s.Err())
	default:
	}
	t.Logf("%d packets delivered", got.Load())
	// Once the stream stops, the dead-peer check still works.
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("silent server not detected")
	}
	if err := s.Err(); !errors.Is(err, sstp.ErrPeerDead) {
		t.Errorf("Err = %v, want ErrPeerDead", err)
	}
}
