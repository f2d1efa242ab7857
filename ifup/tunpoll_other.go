//go:build !linux

package ifup

// Poller reads packets already queued on a TUN device; not on this OS.
type Poller struct{}

// Poller returns ErrNotSupported on this OS.
func (t *TUN) Poller() (*Poller, error) { return nil, ErrNotSupported }

// TryRead returns ErrNotSupported.
func (p *Poller) TryRead(b []byte) (int, error) { return 0, ErrNotSupported }
