package main

import (
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
}

// checkIPv6 refuses IPv6 routes without --ipv6: the device would have IPv6
// off and the tunnel could not carry them.
func (o *options) checkIPv6() error {
	for _, p := range o.routes {
		if p.Addr().Is6() && !o.IPv6 {
			return errors.New("route " + p.String() + " is IPv6: add --ipv6 (ipv6 = true)")
		}
	}
	return nil
}

// prepareIPv6 sets the device's IPv6 knobs before it first goes up. Without
// --ipv6, IPv6 is off on it: no kernel link-local address and no router
// solicitations into a tunnel that cannot carry them. With it, the kernel
// makes no link-local address of its own (addr_gen_mode 1: the one from
// IPV6CP is used, and SLAAC takes its interface identifier), and accepts
// router advertisements even on a forwarding router (accept_ra 2), taking a
// default route from them only with --default-route. netifd does its own.
func (d *daemon) prepareIPv6() {
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

// watchIPv6 configures IPv6 on the device once the session's IPV6CP opens,
// which may be after Dial returned.
func (d *daemon) watchIPv6(sess *sstp.Session) {
	if !d.o.IPv6 || d.o.Netifd {
		return
	}
	d.v6.wg.Add(1)
	go func() {
		defer d.v6.wg.Done()
		select {
		case <-sess.IPv6Up():
			d.ipv6Up(sess)
		case <-sess.Done():
		}
	}()
}

// ipv6Up installs fe80::<our id>/64 (the peer's fe80::<its id> is on that
// link) and replaces the address of an earlier session if the id changed.
func (d *daemon) ipv6Up(sess *sstp.Session) {
	info := sess.Info()
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
	d.log.Info("IPv6 up", "ifname", name, "local", ll, "peer", ifup.LinkLocal(info.IPv6.PeerID))
}
