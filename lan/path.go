// Package lan makes the tunnel serve the LAN behind the router the way an
// office PC is served: the TCP MSS of connections crossing it is clamped to
// its MTU, routes and DNS domains the server pushes by DHCP (DHCPINFORM,
// as Windows' RAS client asks for them) are collected for the daemon to
// apply, and split DNS is set up where systemd-resolved runs.
package lan

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/sstpgo/sstpgo/dhcp"
	"github.com/sstpgo/sstpgo/mss"
	"github.com/sstpgo/sstpgo/sstp"
)

// Path is the LAN features' hook in the data path, called for every packet
// in both directions; safe for concurrent use by the TUN reader and the
// session's reader. The zero value is not ready: use NewPath.
type Path struct {
	clamp   atomic.Int32 // MTU to clamp SYNs to; 0 = off
	waiting atomic.Bool  // an Inform waits for its answer
	replies chan []byte
}

// NewPath returns a Path that clamps nothing until SetClampMTU.
func NewPath() *Path { return &Path{replies: make(chan []byte, 4)} }

// SetClampMTU sets the tunnel MTU that SYNs' MSS options are clamped to in
// both directions; 0 turns clamping off.
func (p *Path) SetClampMTU(mtu int) { p.clamp.Store(int32(max(mtu, 0))) }

// Out handles an IP packet read from the TUN device, before it goes into the
// tunnel. Allocation-free.
func (p *Path) Out(pkt []byte) {
	if m := p.clamp.Load(); m > 0 {
		mss.Clamp(pkt, int(m))
	}
}

// In handles an IP packet from the server before it is written to the TUN
// device and reports whether it took it: a DHCP reply while an Inform waits
// (copied; the only allocation, once per reply). Anything else is only
// clamped.
func (p *Path) In(pkt []byte) bool {
	if m := p.clamp.Load(); m > 0 {
		mss.Clamp(pkt, int(m))
	}
	if p.waiting.Load() && dhcp.IsReply(pkt) {
		select {
		case p.replies <- append([]byte(nil), pkt...):
		default:
		}
		return true
	}
	return false
}

// InformSchedule is when DHCPINFORM is sent, counted from the first send:
// RFC 2131 section 4.1 suggests retransmitting after 4, 8, 16 s (±1 s) on
// a LAN; through a tunnel that is already up the first loss is rarer and a
// server that does not answer (no DHCP behind RRAS) is the common case, so
// five tries over 15 s, then give up. The answer usually comes in one RTT;
// the later tries carry 'secs' of 7 and 15, past the boot threshold (4 s by
// default) below which RRAS's DHCP relay agent holds requests back.
var InformSchedule = []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second}

// ErrNoAnswer: no DHCPACK to any DHCPINFORM.
var ErrNoAnswer = errors.New("no DHCP answer to DHCPINFORM")

// Inform sends a DHCPINFORM from local through send (which gets the packet
// at buf[sstp.Headroom:], as Session.SendIP takes it) at each offset of
// schedule (nil: InformSchedule) and returns the first DHCPACK that answers
// it, or ErrNoAnswer a second after the last try, or ctx's error. One Inform
// runs at a time.
func (p *Path) Inform(ctx context.Context, send func(buf []byte) error, local netip.Addr, schedule []time.Duration) (dhcp.Ack, error) {
	if schedule == nil {
		schedule = InformSchedule
	}
	if !local.Is4() {
		return dhcp.Ack{}, fmt.Errorf("DHCPINFORM needs an IPv4 tunnel address, have %v", local)
	}
	xid := rand.Uint32()
	p.waiting.Store(true)
	defer p.waiting.Store(false)
	for {
		select { // drop answers to an earlier Inform
		case <-p.replies:
			continue
		default:
		}
		break
	}
	start := time.Now()
	t := time.NewTimer(0)
	defer t.Stop()
	next := 0
	var lastErr error
	for {
		select {
		case <-ctx.Done():
			return dhcp.Ack{}, ctx.Err()
		case <-t.C:
			if next == len(schedule) {
				if lastErr != nil {
					return dhcp.Ack{}, fmt.Errorf("%w (%d tries; last answer: %v)", ErrNoAnswer, len(schedule), lastErr)
				}
				return dhcp.Ack{}, fmt.Errorf("%w (%d tries over %v)", ErrNoAnswer, len(schedule), time.Since(start).Round(time.Second))
			}
			secs := uint16(min(time.Since(start)/time.Second, 0xffff))
			buf := dhcp.AppendInformPacket(make([]byte, sstp.Headroom, sstp.Headroom+300), xid, local, secs)
			if err := send(buf); err != nil {
				return dhcp.Ack{}, fmt.Errorf("send DHCPINFORM: %w", err)
			}
			next++
			wait := time.Second
			if next < len(schedule) {
				wait = schedule[next] - time.Since(start)
			}
			t.Reset(max(wait, 0))
		case pkt := <-p.replies:
			a, err := dhcp.ParseReply(pkt, xid)
			if errors.Is(err, dhcp.ErrXID) {
				continue
			}
			if err != nil {
				lastErr = err
				continue
			}
			return a, nil
		}
	}
}
