package daemon

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"

	"github.com/sstpgo/sstpgo/dhcp"
	"github.com/sstpgo/sstpgo/ifup"
	"github.com/sstpgo/sstpgo/lan"
	"github.com/sstpgo/sstpgo/sstp"
)

// lanState is the daemon's LAN side (package lan): the MSS clamp in the
// data path, and what the server pushes by DHCP after IPCP (routes, DNS
// domains and servers), kept across reconnects so they do not flap.
type lanState struct {
	path *lan.Path      // the data path hook (deliver, tunReader), made by New
	wg   sync.WaitGroup // the per-session Inform goroutine
	mu   sync.Mutex
	ack  dhcp.Ack       // the last answer
	add  []netip.Prefix // its routes that are installed or reported
}

// lanUp runs once a session is up: it sets the MSS clamp to the device's
// MTU and asks the server for pushed configuration (RFC 2131 4.4.3
// DHCPINFORM from the tunnel address, as Windows does) in the background,
// so a server with no DHCP behind it costs only a log line.
func (d *Daemon) lanUp(ctx context.Context, sess *sstp.Session, mtu int) {
	if !d.o.NoMSSClamp {
		d.lan.path.SetClampMTU(mtu)
	}
	if d.o.NoPushedRoutes {
		return
	}
	d.lan.wg.Add(1)
	go func() {
		defer d.lan.wg.Done()
		// The Inform and what it triggers end with the session.
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-sess.Done():
				cancel()
			case <-sctx.Done():
			}
		}()
		info := sess.Info()
		a, err := d.lan.path.Inform(sctx, sess.SendIP, info.IPv4.Local, nil)
		switch {
		case errors.Is(err, lan.ErrNoAnswer):
			d.log.Info("no DHCP answer through the tunnel: no pushed routes or DNS domains", "err", err)
		case err != nil:
			if sctx.Err() == nil {
				d.log.Warn("DHCPINFORM", "err", err)
			}
		default:
			d.lanApply(sctx, sess, info, a)
		}
	}()
}

// lanWait waits for the session's Inform goroutine (after the session ended).
func (d *Daemon) lanWait() { d.lan.wg.Wait() }

// lanApply takes a DHCPACK: routes through the tunnel (unless netifd
// installs them from the up script), split DNS with systemd-resolved or the
// search domains in resolv.conf, and the up script again when what it was
// told changed.
func (d *Daemon) lanApply(ctx context.Context, sess *sstp.Session, info sstp.Info, a dhcp.Ack) {
	var server netip.Addr
	if ap, err := netip.ParseAddrPort(info.RemoteAddr); err == nil {
		server = ap.Addr()
	}
	add, refused := lan.PushedRoutes(a, d.o.Routes, server)
	add, refused = d.lanOffLink(add, refused)
	for _, r := range refused {
		d.log.Warn("pushed route refused", "route", r.Route.String(), "why", r.Reason)
	}
	d.log.Info("pushed by the server", "routes", prefixList(add), "domains", a.Domains(), "dns", a.DNS, "dhcp_server", a.Server)
	d.lan.mu.Lock()
	old := d.lan.add
	changed := !slices.Equal(old, add) || !slices.Equal(d.lan.ack.Domains(), a.Domains()) || !slices.Equal(d.lan.ack.DNS, a.DNS)
	d.lan.ack, d.lan.add = a, add
	d.lan.mu.Unlock()
	if d.cur.Load() != sess {
		return
	}
	name := d.tun.Name()
	if !d.o.Netifd {
		d.lanRoutes(name, old, add)
		dns := a.DNS
		if len(dns) == 0 {
			dns = info.IPv4.DNS
		}
		switch domains := a.Domains(); {
		case len(domains) == 0 || len(dns) == 0:
		case lan.Resolved():
			if err := lan.SetLinkDNS(ctx, name, dns, domains); err != nil {
				d.log.Warn("split DNS", "err", err)
			} else {
				d.log.Info("split DNS", "ifname", name, "domains", domains, "dns", dns)
			}
		case d.o.UsePeerDNS && changed:
			d.lanResolvConf(dns, domains)
		}
	}
	if changed && d.o.UpScript != "" {
		d.v6.hook.Lock()
		defer d.v6.hook.Unlock()
		if d.cur.Load() == sess {
			d.runHook(ctx, d.o.UpScript, sess.Info(), d.mtu(info))
		}
	}
}

// lanOffLink refuses pushed routes whose network starts on a network this
// machine is directly attached to (other than the tunnel): a router's own
// LAN must not vanish into the tunnel because the corporate DHCP server
// pushes a route that covers part of it. A wider route (192.168.0.0/16 over
// a LAN 192.168.77.0/24) is kept: the LAN's own route is more specific.
func (d *Daemon) lanOffLink(add []netip.Prefix, refused []lan.Refused) ([]netip.Prefix, []lan.Refused) {
	keep := add[:0:0]
	for _, p := range add {
		r, err := ifup.RouteGet(p.Addr())
		if err == nil && r.Ifname != "" && r.Ifname != d.tun.Name() && !r.Gateway.IsValid() {
			refused = append(refused, lan.Refused{Route: dhcp.Route{Dst: p}, Reason: "overlaps the network on " + r.Ifname})
			continue
		}
		keep = append(keep, p)
	}
	return keep, refused
}

// lanRoutes replaces the pushed routes installed (old) by add, keeping all
// others.
func (d *Daemon) lanRoutes(name string, old, add []netip.Prefix) {
	var want []ifup.Route
	for _, r := range d.routes.Routes() {
		if !(r.Ifname == name && slices.Contains(old, r.Dst) && !slices.Contains(d.o.Routes, r.Dst)) {
			want = append(want, r)
		}
	}
	for _, p := range add {
		want = append(want, ifup.Route{Dst: p, Ifname: name, Metric: d.o.Metric})
	}
	if err := d.routes.Replace(want); err != nil {
		d.log.Warn("pushed routes", "err", err)
	}
}

// lanResolvConf rewrites resolv.conf (--use-peer-dns) with the search
// domains pushed, as writeDNS does with the servers alone; the original
// comes back on exit as before.
func (d *Daemon) lanResolvConf(dns []netip.Addr, domains []string) {
	restore, err := ifup.WriteResolvConf(d.o.ResolvConf, dns, domains)
	if err != nil {
		d.log.Warn("resolv.conf", "err", err)
		return
	}
	d.log.Info("resolv.conf rewritten with the pushed search domains", "dns", dns, "search", domains)
	d.dnsRestore = restore
	d.dnsMu.Lock()
	d.dnsWritten = slices.Clone(dns)
	d.dnsOriginal = readNameservers(d.o.ResolvConf + ifup.BackupSuffix)
	d.dnsMu.Unlock()
}

// lanConfigured is the pushed routes to install with the configured ones
// on a reconnect (the last answer's, until the next one replaces them).
func (d *Daemon) lanConfigured(name string) []ifup.Route {
	d.lan.mu.Lock()
	defer d.lan.mu.Unlock()
	var rs []ifup.Route
	for _, p := range d.lan.add {
		rs = append(rs, ifup.Route{Dst: p, Ifname: name, Metric: d.o.Metric})
	}
	return rs
}

// lanHook adds what was pushed to an up script's environment: the routes
// to ROUTES (netifd installs them from there), the DHCP DNS servers as
// DNS1/DNS2 (they override IPCP's, as on Windows), and DOMAIN, DNSSEARCH,
// PUSHED_ROUTES (lan.Env). A down script gets the routes only, so a split
// DNS hook (examples/dnsmasq-split-dns.sh) removes its servers.
func (d *Daemon) lanHook(hi *ifup.HookInfo, up bool) []string {
	d.lan.mu.Lock()
	defer d.lan.mu.Unlock()
	hi.Routes = append(slices.Clip(hi.Routes), d.lan.add...)
	if !up {
		return nil
	}
	if len(d.lan.ack.DNS) > 0 {
		hi.DNS = d.lan.ack.DNS
	}
	return lan.Env(d.lan.ack, d.lan.add)
}

func prefixList(ps []netip.Prefix) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += " "
		}
		s += p.String()
	}
	return s
}
