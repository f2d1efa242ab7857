package ifup

import (
	"sync"

	"github.com/songgao/water"
)

// TUN is a layer-3 TUN device without the packet-information header
// (IFF_TUN|IFF_NO_PI, water's Linux default): each Read or Write is one
// bare IPv4 or IPv6 packet.
type TUN struct {
	ifce *water.Interface
	once sync.Once
	err  error
}

// OpenTUN creates a TUN device with the given name, or a kernel-chosen one
// (tun0, tun1, ...) when name is empty. The device is not persistent: it
// disappears on Close or when the process exits.
func OpenTUN(name string) (*TUN, error) {
	op := "open tun " + name
	if checkName(name) != nil {
		return nil, opErr(op, errBadName)
	}
	// water opens /dev/net/tun with O_NONBLOCK and wraps it with os.NewFile,
	// so Read parks in the runtime poller and Close wakes it.
	ifce, err := water.New(water.Config{
		DeviceType:             water.TUN,
		PlatformSpecificParams: water.PlatformSpecificParams{Name: name},
	})
	if err != nil {
		return nil, opErr(op, err)
	}
	return &TUN{ifce: ifce}, nil
}

// Name is the kernel's name of the device.
func (t *TUN) Name() string { return t.ifce.Name() }

// Read reads one packet into p. After Close it returns an error (os.ErrClosed),
// also when it was blocked at the time.
func (t *TUN) Read(p []byte) (int, error) { return t.ifce.Read(p) }

// Write writes one whole packet.
func (t *TUN) Write(p []byte) (int, error) { return t.ifce.Write(p) }

// Close closes the device, which removes it from the system. It may be called
// more than once; later calls return the first result.
func (t *TUN) Close() error {
	t.once.Do(func() { t.err = t.ifce.Close() })
	return t.err
}
