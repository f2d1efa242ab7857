package daemon

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"

	"github.com/sstpgo/sstpgo/ifup"
	"github.com/sstpgo/sstpgo/sstp"
)

// Keeping the control connection on the uplink.
//
// With --default-route (or a --route that covers the server, or routes that
// netifd put on the device), the tunnel's routes would carry the connection
// to the server itself. Before each TCP connection (every address Dial
// tries, the name resolved anew on every reconnect, a proxy's address
// likewise) the daemon pins a host route for that address via the route the
// uplink has for it, found with the tunnel's routes and the daemon's own
// older pins left out (ifup.UplinkRoute); pins for addresses no longer used
// are removed once the dial has settled.
//
// Why host routes, rather than a socket mark with a policy rule or
// SO_BINDTODEVICE to the uplink:
//   - Uplink failover (a second WAN, LTE backup): a pin is computed from the
//     routing table at each dial, so it follows whichever uplink the system
//     routes by now; a device binding or a rule's table would have to be
//     chosen, and kept right, by the daemon.
//   - A server on the uplink's own subnet gets an on-link host route (no
//     gateway), which a bound socket would also need but a mark rule would
//     have to reproduce in its own table.
//   - IPv6 works the same (a /128 via the uplink's link-local gateway).
//   - It is what netifd does (proto_add_host_dependency) and what pppd-based
//     and OpenVPN clients do, so admins find it in `ip route` where they
//     expect it, and it needs no policy routing (not in every router kernel).
//   - Leaks: only traffic to the server's own address uses the pin, which
//     goes to the server anyway. Everything else keeps the tunnel's routes
//     during a reconnect (the device and its routes stay while the session
//     is rebuilt), so LAN traffic is dropped, never sent in clear.
//
// The daemon's own DNS look-ups are not pinned (a host route to the resolver
// would take the LAN's queries out of the tunnel too): resolve.go binds
// their sockets to the uplink device instead.

// pinner owns the host routes to the server.
type pinner struct {
	mu      sync.Mutex
	set     *ifup.RouteSet
	attempt []netip.Addr // addresses pinned since the last settle
}

// needPin reports whether the tunnel's routes could capture a connection
// to a: the daemon's own (--default-route, a --route that covers it), or
// routes others put on the device, such as netifd's default route.
func (d *Daemon) needPin(a netip.Addr) bool {
	if d.o.DefaultRoute || slices.ContainsFunc(d.o.Routes, func(p netip.Prefix) bool { return p.Contains(a) }) {
		return true
	}
	r, err := ifup.RouteGet(a)
	return err == nil && r.Ifname == d.tun.Name()
}

// dialContext is sstp.Config.DialContext: pin, then connect.
func (d *Daemon) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if ap, err := netip.ParseAddrPort(addr); err == nil && d.tun != nil && d.needPin(ap.Addr().Unmap()) {
		d.pin(ap.Addr().Unmap())
	}
	if d.innerDial != nil {
		return d.innerDial(ctx, network, addr)
	}
	var dl net.Dialer
	return dl.DialContext(ctx, network, addr)
}

// pin installs a host route to a by the uplink, replacing an older pin to a
// that goes another way.
func (d *Daemon) pin(a netip.Addr) {
	d.pins.mu.Lock()
	defer d.pins.mu.Unlock()
	if !slices.Contains(d.pins.attempt, a) {
		d.pins.attempt = append(d.pins.attempt, a)
	}
	host := netip.PrefixFrom(a, a.BitLen())
	old := d.pins.set.Routes()
	r, err := ifup.UplinkRoute(a, func(r ifup.Route) bool {
		return r.Ifname == d.tun.Name() || r.Dst == host && slices.ContainsFunc(old, func(p ifup.Route) bool { return p.Dst == host })
	})
	if err != nil {
		d.log.Warn("no route to the server outside the tunnel", "addr", a, "err", err)
		return
	}
	if slices.Contains(old, r) {
		d.log.Debug("server stays pinned to the uplink", "route", r.String())
		return
	}
	want := slices.DeleteFunc(slices.Clone(old), func(p ifup.Route) bool { return p.Dst == host })
	want = append(want, r)
	if err := d.pins.set.Replace(want); err != nil && !errors.Is(err, syscall.EEXIST) {
		d.log.Warn("host route to the server", "route", r.String(), "err", err)
		return
	}
	d.log.Info("server pinned to the uplink", "route", r.String())
}

// settlePins removes the pins no longer needed once a dial has returned:
// all but the connected address's after a success, all but this attempt's
// after a failure.
func (d *Daemon) settlePins(connected netip.Addr) {
	d.pins.mu.Lock()
	defer d.pins.mu.Unlock()
	keep := d.pins.attempt
	if connected.IsValid() && slices.Contains(keep, connected) {
		keep = []netip.Addr{connected}
	}
	d.pins.attempt = nil
	routes := d.pins.set.Routes()
	want := slices.DeleteFunc(slices.Clone(routes), func(r ifup.Route) bool { return !slices.Contains(keep, r.Dst.Addr()) })
	if len(want) == len(routes) {
		return
	}
	if err := d.pins.set.Replace(want); err != nil {
		d.log.Warn("remove stale host routes to the server", "err", err)
	}
}

// removePins takes every pin away (at exit).
func (d *Daemon) removePins() {
	if d.pins.set == nil {
		return
	}
	if err := d.pins.set.Remove(); err != nil {
		d.log.Warn("remove host routes to the server", "err", err)
	}
}

// serverAddr is the address the session's TCP connection goes to: the
// server's, or the proxy's. Invalid if unknown.
func serverAddr(info sstp.Info) netip.Addr {
	ap, err := netip.ParseAddrPort(info.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
