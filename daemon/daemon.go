package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sstpgo/sstpgo/ifup"
	"github.com/sstpgo/sstpgo/lan"
	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/sstp"
)

// Options is what the daemon does around the sessions; main fills it in
// from flags and the configuration file.
type Options struct {
	Server string         // as the user gave it: status, hooks, logs
	Ifname string         // tunnel device name
	MTU    int            // 0: the negotiated MRU; else the smaller of the two
	IPv6   bool           // negotiate IPV6CP and configure IPv6 on the device
	Routes []netip.Prefix // routed through the tunnel
	// DefaultRoute: all traffic through the tunnel, the server pinned to
	// the uplink (pin.go; with Netifd, netifd installs the default route
	// and the daemon pins the server when the kernel would route it into
	// the tunnel).
	DefaultRoute bool
	Metric       int  // metric of the routes installed
	UsePeerDNS   bool // write the server's DNS servers to ResolvConf
	ResolvConf   string
	UpScript     string
	DownScript   string
	StatusFile   string // JSON status, rewritten on every state change
	Reconnect    bool   // reconnect with backoff; else Run returns the first error
	// PageOutAfter: how long the tunnel must stay up before the start-up
	// code is dropped from memory (memtrim.go); 0 never.
	PageOutAfter time.Duration
	Netifd       bool // OpenWrt: netifd configures addresses and routes
	// LAN features (lan.go): no DHCPINFORM for pushed routes and DNS
	// domains; no TCP MSS clamping in the data path.
	NoPushedRoutes, NoMSSClamp bool
}

// Daemon keeps one tunnel up: the TUN device lives as long as the daemon,
// sessions come and go underneath it.
type Daemon struct {
	o   *Options
	cfg sstp.Config
	log *logx.Logger

	tun         *ifup.TUN
	cur         atomic.Pointer[sstp.Session]
	routes      *ifup.RouteSet
	pins        pinner // host routes to the server by the uplink (pin.go)
	innerDial   func(ctx context.Context, network, addr string) (net.Conn, error)
	dnsRestore  func() error
	dnsMu       sync.Mutex   // dnsWritten and dnsOriginal, read by the resolver (resolve.go)
	dnsWritten  []netip.Addr // what resolv.conf lists now
	dnsOriginal []netip.Addr // what the original resolv.conf listed
	lastAddr    string       // ip:port of the last successful connection
	v6          ipv6State    // ipv6.go
	lan         lanState     // lan.go

	mu     sync.Mutex
	ready  bool // READY=1 sent to systemd (notify.go)
	status status
	lastUp sstp.Info
	hasUp  bool
}

// New returns a daemon that connects with cfg (its Deliver is set by Run).
func New(o *Options, cfg sstp.Config, log *logx.Logger) *Daemon {
	if cfg.SessionCache == nil {
		// Reconnects resume the TLS session (sstp.Config.SessionCache).
		cfg.SessionCache = tls.NewLRUClientSessionCache(4)
	}
	d := &Daemon{o: o, cfg: cfg, log: log, innerDial: cfg.DialContext}
	d.cfg.DialContext = d.dialContext
	if d.cfg.Resolver == nil {
		d.cfg.Resolver = d.resolver()
	}
	d.pins.set = ifup.NewRouteSet()
	d.lan.path = lan.NewPath()
	d.status.Server = o.Server
	d.status.State = "starting"
	return d
}

// Run opens the TUN device and keeps a session up until ctx ends (nil) or,
// without Reconnect or after an authentication or certificate rejection,
// until a connection fails (that error).
func (d *Daemon) Run(ctx context.Context) error {
	tun, err := ifup.OpenTUN(d.o.Ifname)
	if err != nil {
		return tunError(d.o.Ifname, err)
	}
	d.tun = tun
	d.routes = ifup.NewRouteSet()
	d.prepareIPv4()
	d.prepareIPv6()
	d.log.Info("TUN device created, not connected yet", "ifname", tun.Name())
	d.cfg.Deliver = d.deliver
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); d.tunReader() }()
	defer func() {
		d.lanWait()
		d.teardown()
		tun.Close()
		wg.Wait()
		d.v6.wg.Wait()
	}()

	bo := backoff{min: time.Second, max: time.Minute}
	for {
		d.setState("connecting", nil)
		sess, err := d.dial(ctx)
		if ctx.Err() != nil {
			if sess != nil {
				sess.Close()
			}
			return nil
		}
		if err != nil {
			d.setState("failed", err)
			if sstp.IsAuthError(err) || sstp.IsCertError(err) || !d.o.Reconnect {
				return err // main prints it, once
			}
			d.log.Error("connect failed", "err", describe(err))
			if !bo.wait(ctx, d.log) {
				return nil
			}
			continue
		}
		upAt := time.Now()
		if err := d.up(ctx, sess); err != nil {
			sess.Close()
			return &LocalError{Err: err}
		}
		d.watchIPv6(ctx, sess)
		cancelPageOut := schedulePageOut(d.o.PageOutAfter)
		d.waitSession(ctx, sess)
		d.lanWait()
		cancelPageOut()
		d.cur.Store(nil)
		sess.Close()
		d.down(sess)
		if ctx.Err() != nil {
			d.setState("stopped", nil)
			return nil
		}
		err = sess.Err()
		d.log.Warn("tunnel down", "err", err)
		d.setState("reconnecting", err)
		if !d.o.Reconnect {
			return err
		}
		if time.Since(upAt) > time.Minute {
			bo.reset()
		}
		if !bo.wait(ctx, d.log) {
			return nil
		}
	}
}

// dial connects. When the server's name cannot be resolved on a reconnect
// (with --default-route the DNS server may only be reachable through the very
// tunnel being rebuilt), it falls back to the address that worked last time,
// keeping the name for TLS verification and the HTTP Host. A reconnect asks
// IPCP for the address and DNS servers it had, which servers give back when
// free (RFC 1332 section 3.3, RFC 1877), so connections through the tunnel
// can survive and IPCP opens without a Nak round trip.
func (d *Daemon) dial(ctx context.Context) (*sstp.Session, error) {
	d.mu.Lock()
	if d.hasUp {
		d.cfg.PPP.IPv4Hint = d.lastUp.IPv4.Local
		d.cfg.PPP.DNSHint = d.lastUp.IPv4.DNS
		d.cfg.OfferRSAKeyExchange = d.lastUp.LegacyTLS
	}
	d.mu.Unlock()
	sess, err := d.dialOnce(ctx, d.cfg)
	var se *sstp.Error
	if err == nil {
		if d.cfg.Proxy == nil {
			d.lastAddr = sess.Info().RemoteAddr
		}
		return sess, nil
	}
	if d.lastAddr == "" || !errors.As(err, &se) || se.Step != sstp.StepDNS {
		return nil, err
	}
	cfg := d.cfg
	if host, _, herr := sstp.SplitServer(cfg.Server); herr == nil && cfg.SNI == "" {
		cfg.SNI = host
	}
	cfg.Server = d.lastAddr
	d.log.Warn("cannot resolve the server, trying its last address", "server", d.o.Server, "addr", d.lastAddr, "err", se.Err)
	return d.dialOnce(ctx, cfg)
}

// dialOnce dials and then drops the host routes to server addresses that
// this connection does not use (pin.go).
func (d *Daemon) dialOnce(ctx context.Context, cfg sstp.Config) (*sstp.Session, error) {
	sess, err := sstp.Dial(ctx, cfg)
	var connected netip.Addr
	if err == nil {
		connected = serverAddr(sess.Info())
	}
	d.settlePins(connected)
	return sess, err
}

// deliver writes a packet from the server to the TUN device.
func (d *Daemon) deliver(pkt []byte) {
	if d.lan.path.In(pkt) {
		return
	}
	d.tun.Write(pkt)
}

// tunReader moves packets from the TUN device to the current session. It
// waits for one packet, then takes whatever else is already queued on the
// device (without waiting) into the same batch, up to one TLS record, and
// sends the batch in one write: no added latency when idle, one record and
// one write(2) per burst under load. Packets are read into place behind the
// room for their headers, so nothing is copied or allocated.
//
// Backpressure: while a write is blocked (the server or the path is slow),
// no more is read; the kernel's TUN queue fills and drops, so memory here
// stays one batch.
func (d *Daemon) tunReader() {
	b := sstp.NewBatch()
	poll, err := d.tun.Poller()
	if err != nil {
		d.log.Debug("tun: no batching", "err", err)
	}
	for {
		b.Reset()
		n, err := d.tun.Read(b.Tail())
		if err != nil {
			if !errors.Is(err, os.ErrClosed) && !errors.Is(err, net.ErrClosed) {
				d.log.Debug("tun read", "err", err)
			}
			return
		}
		d.lan.path.Out(b.Tail()[:n])
		b.Add(n)
		for poll != nil && b.Room() {
			n, err := poll.TryRead(b.Tail())
			if n == 0 || err != nil {
				break
			}
			d.lan.path.Out(b.Tail()[:n])
			b.Add(n)
		}
		if s := d.cur.Load(); s != nil && b.Len() > 0 {
			s.SendBatch(b.Bytes())
		}
	}
}

// up configures the device for a new session (unless netifd does it) and
// runs the up script.
func (d *Daemon) up(ctx context.Context, sess *sstp.Session) error {
	info := sess.Info()
	name := d.tun.Name()
	mtu := d.mtu(info)
	if err := ifup.SetMTU(name, mtu); err != nil {
		d.log.Warn("set MTU", "err", err)
	}
	if err := ifup.SetUp(name); err != nil {
		return err
	}
	if !d.o.Netifd {
		if err := d.configure(info); err != nil {
			return err
		}
	}
	d.cur.Store(sess)
	d.mu.Lock()
	changed := !d.hasUp || d.lastUp.IPv4.Local != info.IPv4.Local || d.lastUp.IPv4.Peer != info.IPv4.Peer
	if d.hasUp {
		d.status.Reconnects++
	}
	d.lastUp, d.hasUp = info, true
	d.mu.Unlock()
	d.setState("up", nil)
	d.log.Info("tunnel up", "ifname", name, "local", info.IPv4.Local, "peer", info.IPv4.Peer, "mtu", mtu, "changed", changed)
	if d.o.UpScript != "" {
		d.runHook(ctx, d.o.UpScript, info, mtu)
	}
	d.lanUp(ctx, sess, mtu)
	freeHeap()
	return nil
}

// mtu is the device's MTU: the server's, or --mtu if smaller.
func (d *Daemon) mtu(info sstp.Info) int {
	if d.o.MTU > 0 && d.o.MTU < info.MTU {
		return d.o.MTU
	}
	return info.MTU
}

// prepareIPv4 lets a new tunnel address replace the old one. Both are /32
// to the same peer, so the kernel makes the second a secondary address,
// and by default deleting the primary deletes its secondaries too: a
// reconnect that brings a new address would leave the device with none
// (and the routes flushed). promote_secondaries makes the new one primary.
func (d *Daemon) prepareIPv4() {
	if d.o.Netifd {
		return
	}
	p := "/proc/sys/net/ipv4/conf/" + d.tun.Name() + "/promote_secondaries"
	if err := os.WriteFile(p, []byte("1"), 0o644); err != nil && !errors.Is(err, os.ErrNotExist) {
		d.log.Warn("ipv4 sysctl", "key", "promote_secondaries", "err", err)
	}
}

func (d *Daemon) configure(info sstp.Info) error {
	name := d.tun.Name()
	// Add the new address before removing an old one: the kernel flushes a
	// device's routes when its last IPv4 address goes.
	if err := ifup.AddAddress(name, info.IPv4.Local, info.IPv4.Peer); err != nil {
		return err
	}
	d.mu.Lock()
	old, had := d.lastUp.IPv4, d.hasUp
	d.mu.Unlock()
	if had && (old.Local != info.IPv4.Local || old.Peer != info.IPv4.Peer) {
		if err := ifup.DelAddress(name, old.Local, old.Peer); err != nil {
			d.log.Warn("remove old address", "err", err)
		}
	}
	var routes []ifup.Route
	if d.o.DefaultRoute {
		// The server keeps its path over the uplink: pinned before the
		// dial (pin.go), so the tunnel never carries itself. Two /1 routes
		// cover the default route without replacing it, so removing them
		// restores the original.
		routes = append(routes,
			ifup.Route{Dst: netip.MustParsePrefix("0.0.0.0/1"), Ifname: name, Metric: d.o.Metric},
			ifup.Route{Dst: netip.MustParsePrefix("128.0.0.0/1"), Ifname: name, Metric: d.o.Metric})
	}
	for _, p := range d.o.Routes {
		routes = append(routes, ifup.Route{Dst: p, Ifname: name, Metric: d.o.Metric})
	}
	routes = append(routes, d.lanConfigured(name)...)
	// Whatever survived the outage, make sure every route is there again.
	d.routes.MarkDown()
	if err := d.routes.Replace(routes); err != nil {
		d.log.Warn("routes", "err", err)
	}
	if d.o.UsePeerDNS {
		d.writeDNS(info.IPv4.DNS)
	}
	return nil
}

// writeDNS puts the server's DNS servers in resolv.conf, again whenever a
// reconnect brings other ones; the original file is kept aside once and
// comes back at exit (teardown).
func (d *Daemon) writeDNS(servers []netip.Addr) {
	if len(servers) == 0 || d.dnsRestore != nil && slices.Equal(servers, d.dnsWritten) {
		return
	}
	restore, err := ifup.WriteResolvConf(d.o.ResolvConf, servers, nil)
	if err != nil {
		d.log.Warn("resolv.conf", "err", err)
		return
	}
	if d.dnsRestore != nil {
		d.log.Info("resolv.conf rewritten: the server gave other DNS servers", "dns", servers)
	}
	d.dnsRestore = restore
	d.dnsMu.Lock()
	d.dnsWritten = slices.Clone(servers)
	d.dnsOriginal = readNameservers(d.o.ResolvConf + ifup.BackupSuffix)
	d.dnsMu.Unlock()
}

func (d *Daemon) down(sess *sstp.Session) {
	if d.o.DownScript != "" {
		d.v6.hook.Lock()
		defer d.v6.hook.Unlock()
		info := sess.Info()
		d.runHook(context.Background(), d.o.DownScript, info, d.mtu(info))
	}
}

// teardown removes what the daemon installed; the device goes with Close.
func (d *Daemon) teardown() {
	if s := d.cur.Swap(nil); s != nil {
		s.Close()
	}
	if d.routes != nil {
		if err := d.routes.Remove(); err != nil {
			d.log.Warn("remove routes", "err", err)
		}
	}
	d.removePins()
	if d.dnsRestore != nil {
		if err := d.dnsRestore(); err != nil {
			d.log.Warn("restore resolv.conf", "err", err)
		}
		d.dnsRestore = nil
	}
}

// runHook runs an up or down script with the session's addresses; the IPv6
// ones (link-local, from IPV6CP) only once IPV6CP is up.
func (d *Daemon) runHook(ctx context.Context, script string, info sstp.Info, mtu int) {
	hi := ifup.HookInfo{
		Ifname: d.tun.Name(), Local: info.IPv4.Local, Remote: info.IPv4.Peer,
		DNS: info.IPv4.DNS, MTU: mtu, Server: d.o.Server, Routes: d.o.Routes,
	}
	hi.ServerAddr = serverAddr(info)
	if info.HasIPv6 {
		hi.Local6, hi.Remote6 = ifup.LinkLocal(info.IPv6.LocalID), ifup.LinkLocal(info.IPv6.PeerID)
	}
	extra := d.lanHook(&hi, d.cur.Load() != nil)
	env := append(ifup.HookEnv(hi), extra...)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ifup.RunHook(ctx, script, env, d.log); err != nil {
		d.log.Warn("hook script failed", "script", script, "err", err)
	}
}

// backoff is exponential with full jitter, so routers that lost the same
// server do not come back in lockstep.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) reset() { b.cur = 0 }

func (b *backoff) wait(ctx context.Context, log *logx.Logger) bool {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	d := b.cur/2 + rand.N(b.cur/2+1)
	log.Info("reconnecting", "in", d.Round(time.Millisecond))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// describe formats a connection error with its hint, on one line.
func describe(err error) string {
	var se *sstp.Error
	if errors.As(err, &se) && se.Hint != "" {
		return err.Error() + " (hint: " + se.Hint + ")"
	}
	return err.Error()
}
