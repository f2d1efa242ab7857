package daemon

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// SIGUSR1 (LogStatus) rewrites the status file at once, so its counters are
// the session's live ones, not those of the last state change (issue 13:
// they read 0 after 226 MB).
func TestSIGUSR1RewritesStatusFile(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	sess, err := sstp.Dial(context.Background(), sstp.Config{Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(),
		NegotiationTimeout: 10 * time.Second, PPP: ppp.Config{Username: "user", Password: "pass"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	path := filepath.Join(t.TempDir(), "status.json")
	d := New(&Options{StatusFile: path}, sstp.Config{}, logx.New(io.Discard, logx.LevelInfo))
	d.cur.Store(sess)
	d.setState("up", nil)

	// An IPv4 header's worth of packet, ten times.
	pkt := make([]byte, 1000)
	pkt[0] = 0x45
	for range 10 {
		b := sstp.NewBatch()
		n := copy(b.Tail(), pkt)
		b.Add(n)
		if err := sess.SendBatch(b.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	read := func() map[string]any {
		js, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			t.Fatalf("%v: %s", err, js)
		}
		return m
	}
	if before := read()["bytes_out"]; before != 0.0 {
		t.Logf("bytes_out before SIGUSR1: %v", before)
	}
	d.LogStatus() // what SIGUSR1 does
	m := read()
	if out, _ := m["bytes_out"].(float64); out < 10000 {
		t.Errorf("after SIGUSR1 the status file says bytes_out %v packets_out %v, want the live >= 10000", m["bytes_out"], m["packets_out"])
	}
	if statusEvery > 10*time.Second {
		t.Errorf("status file refreshed every %v while up; documented: 10s", statusEvery)
	}
}
