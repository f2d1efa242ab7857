// Package sdnotify tells systemd about the service's state (sd_notify(3))
// without cgo or libsystemd: one datagram to the unix socket that
// $NOTIFY_SOCKET names, as systemd's Type=notify expects.
package sdnotify

import (
	"net"
	"os"
	"strings"
)

// Messages systemd understands (sd_notify(3)).
const (
	Ready    = "READY=1"
	Stopping = "STOPPING=1"
)

// Status is the free-form text `systemctl status` shows.
func Status(text string) string {
	return "STATUS=" + strings.ReplaceAll(text, "\n", " ")
}

// Notify sends the lines to systemd; it does nothing when not started by
// systemd with Type=notify ($NOTIFY_SOCKET unset).
func Notify(lines ...string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" || len(lines) == 0 {
		return nil
	}
	if path[0] == '@' { // abstract namespace
		path = "\x00" + path[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(strings.Join(lines, "\n")))
	return err
}
