package ifup

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Poller reads packets that are already queued on a TUN device without
// waiting for more, so a reader can gather a burst into one batch. It is not
// safe for concurrent use; use it from the goroutine that calls Read.
type Poller struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool // bound once, so TryRead does not allocate
	p   []byte
	n   int
	err error
}

// Poller returns a non-blocking reader for the device (water opens
// /dev/net/tun with O_NONBLOCK, so a read with nothing queued gives EAGAIN).
func (t *TUN) Poller() (*Poller, error) {
	sc, ok := t.ifce.ReadWriteCloser.(syscall.Conn)
	if !ok {
		return nil, opErr("poll tun "+t.Name(), ErrNotSupported)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, opErr("poll tun "+t.Name(), err)
	}
	p := &Poller{rc: rc}
	p.fn = p.read
	return p, nil
}

// TryRead reads one packet into b if one is queued; n is 0 and err nil when
// none is. After Close it returns an error wrapping os.ErrClosed.
func (p *Poller) TryRead(b []byte) (int, error) {
	p.p, p.n, p.err = b, 0, nil
	if err := p.rc.Read(p.fn); err != nil {
		// The read function never asks to wait, so the only failure left is
		// a closed file; say so in the os.ErrClosed terms TUN.Read uses.
		return 0, &os.PathError{Op: "read", Path: "tun", Err: os.ErrClosed}
	}
	p.p = nil
	return p.n, p.err
}

// read is one read(2) attempt; returning true tells the runtime not to wait
// for readiness even on EAGAIN.
func (p *Poller) read(fd uintptr) bool {
	n, err := unix.Read(int(fd), p.p)
	switch {
	case err == nil:
		p.n = n
	case err == unix.EAGAIN || err == unix.EINTR:
	default:
		p.err = err
	}
	return true
}
