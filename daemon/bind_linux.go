package daemon

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// bindToDevice binds a socket to a device (SO_BINDTODEVICE): its packets
// take only routes through that device.
func bindToDevice(c syscall.RawConn, dev string) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, dev)
	})
	if err != nil {
		return err
	}
	return serr
}
