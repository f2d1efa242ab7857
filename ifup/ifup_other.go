//go:build !linux

package ifup

import "net/netip"

// TUN is a TUN device; on this OS it cannot be opened.
type TUN struct{}

// OpenTUN returns ErrNotSupported on this OS.
func OpenTUN(name string) (*TUN, error) { return nil, ErrNotSupported }

// Name returns "".
func (t *TUN) Name() string { return "" }

// Read returns ErrNotSupported.
func (t *TUN) Read(p []byte) (int, error) { return 0, ErrNotSupported }

// Write returns ErrNotSupported.
func (t *TUN) Write(p []byte) (int, error) { return 0, ErrNotSupported }

// Close returns nil.
func (t *TUN) Close() error { return nil }

// SetMTU returns ErrNotSupported on this OS.
func SetMTU(ifname string, mtu int) error { return ErrNotSupported }

// SetUp returns ErrNotSupported on this OS.
func SetUp(ifname string) error { return ErrNotSupported }

// SetDown returns ErrNotSupported on this OS.
func SetDown(ifname string) error { return ErrNotSupported }

// AddAddress returns ErrNotSupported on this OS.
func AddAddress(ifname string, local, peer netip.Addr) error { return ErrNotSupported }

// DelAddress returns ErrNotSupported on this OS.
func DelAddress(ifname string, local, peer netip.Addr) error { return ErrNotSupported }

// FlushAddresses returns ErrNotSupported on this OS.
func FlushAddresses(ifname string) error { return ErrNotSupported }

// AddRoute returns ErrNotSupported on this OS.
func AddRoute(r Route) error { return ErrNotSupported }

// DelRoute returns ErrNotSupported on this OS.
func DelRoute(r Route) error { return ErrNotSupported }

// RouteGet returns ErrNotSupported on this OS.
func RouteGet(dst netip.Addr) (Route, error) { return Route{}, ErrNotSupported }

// UplinkRoute returns ErrNotSupported on this OS.
func UplinkRoute(dst netip.Addr, skip func(Route) bool) (Route, error) {
	return Route{}, ErrNotSupported
}
