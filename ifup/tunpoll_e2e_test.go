//go:build e2e

package ifup

import (
	"errors"
	"net"
	"os"
	"strconv"
	"testing"
)

// Poller.TryRead takes packets already queued on the device and never waits:
// a burst sent to the peer comes out of one blocking Read and then TryRead
// until it reports none left; after Close it fails with os.ErrClosed.
func TestE2EPollerTryRead(t *testing.T) {
	n := newNetns(t)
	tun := openTUN(t, n, "sstpt0")
	poll, err := tun.Poller()
	if err != nil {
		t.Fatal(err)
	}
	const burst = 20
	n.must(t, "send", func() error {
		c, err := net.Dial("udp4", "10.99.0.1:7777")
		if err != nil {
			return err
		}
		defer c.Close()
		for i := 0; i < burst; i++ {
			if _, err := c.Write([]byte("pkt " + strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	})
	buf := make([]byte, 2000)
	got := 0
	count := func(k int) {
		p := buf[:k]
		if k >= 28 && p[0]>>4 == 4 && p[9] == 17 && p[16] == 10 && p[17] == 99 && p[19] == 1 {
			got++
		}
	}
	k, err := tun.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	count(k)
	for {
		k, err := poll.TryRead(buf)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			break
		}
		count(k)
	}
	if got != burst {
		t.Errorf("got %d of the %d queued packets", got, burst)
	}
	tun.Close()
	if _, err := poll.TryRead(buf); !errors.Is(err, os.ErrClosed) {
		t.Errorf("TryRead after Close: %v, want os.ErrClosed", err)
	}
}
