package daemon

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// Under systemd (Type=notify) each state change becomes STATUS= text, and
// the first "up" READY=1.
func TestNotifySystemd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	sock, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	t.Setenv("NOTIFY_SOCKET", path)
	recv := func() string {
		sock.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 1024)
		n, err := sock.Read(b)
		if err != nil {
			t.Fatal(err)
		}
		return string(b[:n])
	}
	d := New(&Options{Server: "vpn.example.com"}, sstp.Config{}, logx.New(io.Discard, logx.LevelInfo))
	d.setState("connecting", nil)
	if got := recv(); got != "STATUS=connecting to vpn.example.com" {
		t.Errorf("connecting: %q", got)
	}
	d.hasUp = true
	d.lastUp.IPv4 = ppp.IPv4Config{Local: netip.MustParseAddr("10.0.0.2")}
	d.setState("up", nil)
	if got := recv(); got != "STATUS=up 10.0.0.2 via vpn.example.com\nREADY=1" {
		t.Errorf("up: %q", got)
	}
	d.setState("reconnecting", errors.New("peer gone"))
	if got := recv(); !strings.HasPrefix(got, "STATUS=reconnecting vpn.example.com: peer gone") || strings.Contains(got, "READY") {
		t.Errorf("reconnecting: %q", got)
	}
}
