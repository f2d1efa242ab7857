package main

import (
	"io"
	"syscall"

	"github.com/songgao/water"
	"golang.org/x/sys/unix"
)

// createTUN creates a TUN device without packet information (water sets IFF_NO_PI).
func createTUN(name string) (io.ReadWriteCloser, error) {
	return water.New(water.Config{DeviceType: water.TUN, PlatformSpecificParams: water.PlatformSpecificParams{Name: name}})
}

// tryReader returns a read that takes a packet already queued on dev and never
// waits (n == 0 when none is), or nil when dev cannot do that. water opens the
// device non-blocking, so read(2) gives EAGAIN when the queue is empty.
func tryReader(dev io.ReadWriteCloser) func([]byte) (int, error) {
	ifce, ok := dev.(*water.Interface)
	if !ok {
		return nil
	}
	sc, ok := ifce.ReadWriteCloser.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(b []byte) (n int, err error) {
		rerr := rc.Read(func(fd uintptr) bool {
			n, err = unix.Read(int(fd), b)
			if err == unix.EAGAIN || err == unix.EINTR {
				n, err = 0, nil
			}
			return true
		})
		if rerr != nil {
			return 0, rerr
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}
