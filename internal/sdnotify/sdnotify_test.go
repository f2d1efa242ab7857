package sdnotify

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

func listen(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func read(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 4096)
	n, err := c.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:n])
}

// The datagram systemd receives, on a path socket and an abstract one.
func TestNotify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	c := listen(t, path)
	t.Setenv("NOTIFY_SOCKET", path)
	if err := Notify(Ready, Status("tunnel up: 10.0.0.2\nvia x")); err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, c), "READY=1\nSTATUS=tunnel up: 10.0.0.2 via x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	abstract := "sstpgo-test-" + filepath.Base(t.TempDir())
	a := listen(t, "\x00"+abstract)
	t.Setenv("NOTIFY_SOCKET", "@"+abstract)
	if err := Notify(Stopping); err != nil {
		t.Fatal(err)
	}
	if got := read(t, a); got != "STOPPING=1" {
		t.Errorf("abstract socket got %q", got)
	}
}

func TestNotifyWithoutSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := Notify(Ready); err != nil {
		t.Error(err)
	}
}
