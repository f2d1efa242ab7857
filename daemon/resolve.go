package daemon

import (
	"bufio"
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"

	"github.com/sstpgo/sstpgo/ifup"
)

// The daemon's own DNS look-ups (the server's name, or the proxy's), made
// again on every reconnect, must work while the tunnel is down. With
// --default-route the tunnel's routes would carry a query to a resolver
// beyond the uplink's gateway into the dead tunnel; with --use-peer-dns
// resolv.conf lists the tunnel's DNS servers, useless then. dialDNS, the
// resolver's Dial, handles both for the daemon's queries only:
//   - a nameserver that is one the daemon wrote (the peer's) is replaced by
//     the original resolv.conf's, kept aside by ifup.WriteResolvConf;
//   - a query the kernel would route into the tunnel is sent from a socket
//     bound to the uplink's device (SO_BINDTODEVICE), so it leaves by the
//     uplink while every other program's traffic, DNS included, keeps the
//     tunnel's routes (dropped while it is down, never leaked). No route
//     changes: a host route to the resolver would take the LAN's queries
//     to it out of the tunnel too.
// When nothing answers, Dial's fallback to the last address still applies.

// resolver returns the resolver the daemon's dials use.
func (d *Daemon) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: d.dialDNS}
}

// dialDNS connects to a nameserver for the Go resolver.
func (d *Daemon) dialDNS(ctx context.Context, network, address string) (net.Conn, error) {
	var dl net.Dialer
	ap, err := netip.ParseAddrPort(address)
	if err != nil || d.tun == nil {
		return dl.DialContext(ctx, network, address)
	}
	a := ap.Addr().Unmap()
	if orig := d.originalNameserver(a); orig.IsValid() {
		a = orig
		address = netip.AddrPortFrom(a, ap.Port()).String()
	}
	if r, err := ifup.RouteGet(a); err == nil && r.Ifname == d.tun.Name() {
		up, err := ifup.UplinkRoute(a, func(r ifup.Route) bool { return r.Ifname == d.tun.Name() })
		if err == nil {
			dev := up.Ifname
			dl.Control = func(_, _ string, c syscall.RawConn) error { return bindToDevice(c, dev) }
			d.log.Debug("DNS query by the uplink", "server", address, "dev", dev)
		}
	}
	return dl.DialContext(ctx, network, address)
}

// originalNameserver maps a nameserver the daemon wrote into resolv.conf
// (the peer's) to one of the original file's; invalid when a is not ours
// or the original named none.
func (d *Daemon) originalNameserver(a netip.Addr) netip.Addr {
	d.dnsMu.Lock()
	written, orig := d.dnsWritten, d.dnsOriginal
	d.dnsMu.Unlock()
	for i, w := range written {
		if w == a && len(orig) > 0 {
			return orig[i%len(orig)]
		}
	}
	return netip.Addr{}
}

// readNameservers returns the nameserver addresses of a resolv.conf file.
func readNameservers(path string) []netip.Addr {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []netip.Addr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue
		}
		if a, err := netip.ParseAddr(fields[1]); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}
