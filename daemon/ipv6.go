package daemon

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"sync"

	"github.com/sstpgo/sstpgo/ifup"
	"github.com/sstpgo/sstpgo/sstp"
)

// ipv6State is the daemon's IPv6 side. IPV6CP (RFC 5072) gives only
// interface identifiers: the link-local address comes from it, global
// addresses and routes from the server's router advertisements, which the
// kernel handles (RFC 4861, RFC 4862), or from --route.
type ipv6State struct {
	wg sync.WaitGroup
	mu sync.Mutex
	ll netip.Addr // the link-local address installed, if any
	// hook orders a late up script (IPv6 came up after it ran) before the
	// session's down script.
	hook sync.Mutex
}

// prepareIPv6 sets the device's IPv6 knobs before it first goes up. Without
// --ipv6, IPv6 is off on it: no kernel link-local address and no router
// solicitations into a tunnel that cannot carry them. With it, the kernel
// makes no link-local address of its own (addr_gen_mode 1: the one from
// IPV6CP is used, and SLAAC takes its interface identifier), and accepts
// router advertisements even on a forwarding router (accept_ra 2), taking a
// default route from them only with --default-route. netifd does its own.
func (d *Daemon) prepareIPv6() {
	if d.o.Netifd {
		return
	}
	set := func(key, val string) {
		p := "/proc/sys/net/ipv6/conf/" + d.tun.Name() + "/" + key
		if err := os.WriteFile(p, []byte(val), 0o644); err != nil && !errors.Is(err, os.ErrNotExist) {
			d.log.Warn("ipv6 sysctl", "key", key, "err", err)
		}
	}
	if !d.o.IPv6 {
		set("disable_ipv6", "1")
		return
	}
	defrtr := "0"
	if d.o.DefaultRoute {
		defrtr = "1"
	}
	for _, kv := range [][2]string{{"disable_ipv6", "0"}, {"addr_gen_mode", "1"}, {"accept_ra", "2"}, {"autoconf", "1"}, {"accept_ra_defrtr", defrtr}} {
		set(kv[0], kv[1])
	}
}

// watchIPv6 waits for the session's IPV6CP, which may open after Dial
// returned (and after the up script ran).
func (d *Daemon) watchIPv6(ctx context.Context, sess *sstp.Session) {
	if !d.o.IPv6 {
		return
	}
	d.v6.wg.Add(1)
	go func() {
		defer d.v6.wg.Done()
		select {
		case <-sess.IPv6Up():
			d.ipv6Up(ctx, sess)
		case <-sess.Done():
		}
	}()
}

// ipv6Up configures IPv6 on the device (unless netifd does), adds the
// link-local addresses to the status, and runs the up script again if it ran
// without them: like pppd's ip-up and ipv6-up, the up script may run twice
// per connection, the second time with IPV6LOCAL/IPV6REMOTE.
func (d *Daemon) ipv6Up(ctx context.Context, sess *sstp.Session) {
	info := sess.Info()
	if !d.o.Netifd {
		d.installIPv6(info)
	}
	d.mu.Lock()
	current := d.cur.Load() == sess
	rerun := current && !d.lastUp.HasIPv6
	if current {
		d.lastUp.IPv6, d.lastUp.HasIPv6 = info.IPv6, true
	}
	js := d.statusJSON()
	d.mu.Unlock()
	d.writeStatus(js)
	d.log.Info("IPv6 up", "ifname", d.tun.Name(), "local", ifup.LinkLocal(info.IPv6.LocalID), "peer", ifup.LinkLocal(info.IPv6.PeerID))
	if !rerun || d.o.UpScript == "" {
		return
	}
	d.v6.hook.Lock()
	defer d.v6.hook.Unlock()
	if d.cur.Load() == sess { // not after the down script
		d.runHook(ctx, d.o.UpScript, info, d.mtu(info))
	}
}

// installIPv6 installs fe80::<our id>/64 (the peer's fe80::<its id> is on
// that link) and replaces the address of an earlier session if the id changed.
func (d *Daemon) installIPv6(info sstp.Info) {
	name := d.tun.Name()
	ll := ifup.LinkLocal(info.IPv6.LocalID)
	if err := ifup.AddAddress(name, ll, netip.Addr{}); err != nil {
		d.log.Warn("ipv6 link-local address", "err", err)
		return
	}
	d.v6.mu.Lock()
	old := d.v6.ll
	d.v6.ll = ll
	d.v6.mu.Unlock()
	if old.IsValid() && old != ll {
		if err := ifup.DelAddress(name, old, netip.Addr{}); err != nil {
			d.log.Debug("remove old link-local", "err", err)
		}
	}
	// IPv6 routes may have failed while the device had no IPv6 address.
	if err := d.routes.Reinstall(); err != nil {
		d.log.Warn("routes", "err", err)
	}
}
