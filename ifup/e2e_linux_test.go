//go:build e2e

package ifup

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// netns runs functions on one OS thread that has its own, fresh network
// namespace, so nothing here can touch the host's interfaces or routes. The
// thread is never unlocked: it exits with its goroutine, and the namespace
// goes with it.
type netns struct {
	calls chan func()
	done  chan struct{}
}

func newNetns(t *testing.T) *netns {
	t.Helper()
	n := &netns{calls: make(chan func()), done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		defer close(n.done)
		runtime.LockOSThread()
		before, err0 := os.Readlink("/proc/thread-self/ns/net")
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		after, err1 := os.Readlink("/proc/thread-self/ns/net")
		if err0 != nil || err1 != nil || before == after {
			errc <- errors.New("not in a new network namespace: " + before + " " + after)
			return
		}
		errc <- nil
		for f := range n.calls {
			f()
		}
	}()
	if err := <-errc; err != nil {
		t.Fatalf("netns: %v (run as root)", err)
	}
	t.Cleanup(func() { close(n.calls); <-n.done })
	return n
}

// do runs f inside the namespace.
func (n *netns) do(f func()) {
	ch := make(chan struct{})
	n.calls <- func() { defer close(ch); f() }
	<-ch
}

// must runs f inside the namespace and fails the test on error.
func (n *netns) must(t *testing.T, what string, f func() error) {
	t.Helper()
	var err error
	n.do(func() { err = f() })
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// ip runs ip(8) inside the namespace.
func (n *netns) ip(t *testing.T, args ...string) []byte {
	t.Helper()
	var out []byte
	var err error
	n.do(func() { out, err = exec.Command("ip", args...).CombinedOutput() })
	if err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return out
}

type ipAddr struct {
	Ifname   string   `json:"ifname"`
	Flags    []string `json:"flags"`
	MTU      int      `json:"mtu"`
	AddrInfo []struct {
		Family    string `json:"family"`
		Local     string `json:"local"`
		Address   string `json:"address"`
		Prefixlen int    `json:"prefixlen"`
	} `json:"addr_info"`
}

func (n *netns) addrs(t *testing.T, dev string) ipAddr {
	t.Helper()
	var a []ipAddr
	if err := json.Unmarshal(n.ip(t, "-j", "addr", "show", "dev", dev), &a); err != nil || len(a) != 1 {
		t.Fatalf("ip -j addr: %v %v", a, err)
	}
	return a[0]
}

type ipRoute struct {
	Dst     string `json:"dst"`
	Gateway string `json:"gateway"`
	Dev     string `json:"dev"`
	Metric  int    `json:"metric"`
	Table   string `json:"table"`
}

func (n *netns) routes(t *testing.T) []ipRoute {
	t.Helper()
	var all []ipRoute
	for _, fam := range []string{"-4", "-6"} {
		var rs []ipRoute
		if err := json.Unmarshal(n.ip(t, "-j", fam, "route", "show", "table", "all"), &rs); err != nil {
			t.Fatal(err)
		}
		all = append(all, rs...)
	}
	return all
}

func hasRoute(rs []ipRoute, want ipRoute) bool {
	for _, r := range rs {
		if r.Dst == want.Dst && r.Gateway == want.Gateway && r.Dev == want.Dev && r.Metric == want.Metric &&
			(want.Table == "" || r.Table == want.Table) {
			return true
		}
	}
	return false
}

// openTUN opens a TUN device in n, configured as a tunnel would be.
func openTUN(t *testing.T, n *netns, name string) *TUN {
	t.Helper()
	var tun *TUN
	n.must(t, "OpenTUN", func() (err error) { tun, err = OpenTUN(name); return err })
	t.Cleanup(func() { tun.Close() })
	n.must(t, "SetMTU", func() error { return SetMTU(name, 1400) })
	n.must(t, "AddAddress", func() error {
		return AddAddress(name, netip.MustParseAddr("10.99.0.2"), netip.MustParseAddr("10.99.0.1"))
	})
	n.must(t, "SetUp", func() error { return SetUp(name) })
	return tun
}

func TestE2ETUNConfigure(t *testing.T) {
	n := newNetns(t)
	tun := openTUN(t, n, "sstpt0")
	if tun.Name() != "sstpt0" {
		t.Fatalf("name %q", tun.Name())
	}
	a := n.addrs(t, "sstpt0")
	if a.MTU != 1400 || !strings.Contains(strings.Join(a.Flags, ","), "UP") {
		t.Errorf("link %+v", a)
	}
	found := false
	for _, ai := range a.AddrInfo {
		found = found || ai.Family == "inet" && ai.Local == "10.99.0.2" && ai.Address == "10.99.0.1" && ai.Prefixlen == 32
	}
	if !found {
		t.Errorf("addresses %+v", a.AddrInfo)
	}
	// AddAddress replaces: a reconnect with the same address is fine.
	n.must(t, "AddAddress again", func() error {
		return AddAddress("sstpt0", netip.MustParseAddr("10.99.0.2"), netip.MustParseAddr("10.99.0.1"))
	})
	ll := LinkLocal([8]byte{0, 0, 0, 0, 0, 0, 0, 2})
	n.must(t, "AddAddress IPv6", func() error { return AddAddress("sstpt0", ll, LinkLocal([8]byte{7: 1})) })
	found = false
	for _, ai := range n.addrs(t, "sstpt0").AddrInfo {
		found = found || ai.Local == "fe80::2" && ai.Prefixlen == 64
	}
	if !found {
		t.Errorf("no fe80::2/64: %+v", n.addrs(t, "sstpt0").AddrInfo)
	}
	n.must(t, "DelAddress IPv6", func() error { return DelAddress("sstpt0", ll, netip.Addr{}) })
	n.must(t, "FlushAddresses", func() error { return FlushAddresses("sstpt0") })
	if ai := n.addrs(t, "sstpt0").AddrInfo; len(ai) != 0 {
		t.Errorf("after flush: %+v", ai)
	}
	n.must(t, "SetDown", func() error { return SetDown("sstpt0") })
	if strings.Contains(strings.Join(n.addrs(t, "sstpt0").Flags, ","), "UP") {
		t.Error("still up")
	}
	if err := tun.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tun.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	var err error
	n.do(func() { err = SetUp("sstpt0") })
	if !errors.Is(err, syscall.ENODEV) || err.Error() != "ifup: set link sstpt0 up: no such device" {
		t.Errorf("device still there after Close? %v", err)
	}
}

func TestE2ERoutes(t *testing.T) {
	n := newNetns(t)
	openTUN(t, n, "sstpt0")
	v4 := Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Ifname: "sstpt0", Metric: 10}
	v6 := Route{Dst: netip.MustParsePrefix("2001:db8:1::/48"), Ifname: "sstpt0", Metric: 20}
	gw := Route{Dst: netip.MustParsePrefix("10.2.0.0/16"), Gateway: netip.MustParseAddr("10.99.0.1"), Metric: 5}
	tbl := Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Ifname: "sstpt0", Table: 1000}
	for _, r := range []Route{v4, v6, gw, tbl} {
		n.must(t, "AddRoute "+r.String(), func() error { return AddRoute(r) })
	}
	rs := n.routes(t)
	for _, want := range []ipRoute{
		{Dst: "10.1.0.0/16", Dev: "sstpt0", Metric: 10},
		{Dst: "2001:db8:1::/48", Dev: "sstpt0", Metric: 20},
		{Dst: "10.2.0.0/16", Gateway: "10.99.0.1", Dev: "sstpt0", Metric: 5},
		{Dst: "default", Dev: "sstpt0", Table: "1000"},
	} {
		if !hasRoute(rs, want) {
			t.Errorf("missing %+v in %+v", want, rs)
		}
	}
	var err error
	n.do(func() { err = AddRoute(v4) })
	if !errors.Is(err, syscall.EEXIST) || err.Error() != "ifup: add route 10.1.0.0/16 dev sstpt0 metric 10: file exists" {
		t.Errorf("duplicate add: %v", err)
	}
	for _, r := range []Route{v4, v6, gw, tbl} {
		n.must(t, "DelRoute "+r.String(), func() error { return DelRoute(r) })
	}
	n.do(func() { err = DelRoute(v4) })
	if !errors.Is(err, syscall.ESRCH) {
		t.Errorf("delete of a missing route: %v", err)
	}
	ours := []ipRoute{
		{Dst: "10.1.0.0/16", Dev: "sstpt0", Metric: 10},
		{Dst: "2001:db8:1::/48", Dev: "sstpt0", Metric: 20},
		{Dst: "10.2.0.0/16", Gateway: "10.99.0.1", Dev: "sstpt0", Metric: 5},
	}
	// present reports which of ours are installed (the kernel adds its own
	// IPv6 link-local routes at its own pace, so counting all routes races).
	present := func() (p []bool) {
		rs := n.routes(t)
		for _, r := range ours {
			p = append(p, hasRoute(rs, r))
		}
		return p
	}
	if p := present(); p[0] || p[1] || p[2] {
		t.Fatalf("routes left after DelRoute: %v", p)
	}

	// RouteSet: everything it added goes, and only that.
	n.ip(t, "route", "add", "10.3.0.0/16", "dev", "sstpt0") // not ours
	s := NewRouteSet()
	for _, r := range []Route{v4, v6, gw} {
		n.must(t, "RouteSet.Add", func() error { return s.Add(r) })
	}
	if p := present(); !p[0] || !p[1] || !p[2] {
		t.Errorf("after Add: %v", p)
	}
	n.must(t, "RouteSet.Remove", s.Remove)
	n.must(t, "RouteSet.Remove again", s.Remove)
	if p := present(); p[0] || p[1] || p[2] {
		t.Errorf("after Remove: %v", p)
	}
	n.must(t, "RouteSet.Reinstall", s.Reinstall)
	if p := present(); !p[0] || !p[1] || !p[2] {
		t.Errorf("after Reinstall: %v", p)
	}
	n.must(t, "RouteSet.Replace", func() error { return s.Replace([]Route{v4}) })
	if p := present(); !p[0] || p[1] || p[2] {
		t.Errorf("after Replace: %v", p)
	}
	n.must(t, "RouteSet.Remove", s.Remove)
	rs = n.routes(t)
	if p := present(); p[0] || p[1] || p[2] || !hasRoute(rs, ipRoute{Dst: "10.3.0.0/16", Dev: "sstpt0"}) {
		t.Errorf("after Remove: %v %+v", p, rs)
	}
}

// RouteGet through an uplink with a gateway, then pin the server's host
// route through it as the daemon does.
func TestE2ERouteGet(t *testing.T) {
	n := newNetns(t)
	var up *TUN
	n.must(t, "OpenTUN", func() (err error) { up, err = OpenTUN("upl0"); return err })
	defer up.Close()
	n.ip(t, "addr", "add", "192.0.2.10/24", "dev", "upl0")
	n.ip(t, "-6", "addr", "add", "2001:db8::10/64", "dev", "upl0", "nodad")
	n.ip(t, "link", "set", "upl0", "up")

	var err error
	n.do(func() { _, err = RouteGet(netip.MustParseAddr("198.51.100.7")) })
	if !errors.Is(err, syscall.ENETUNREACH) {
		t.Errorf("no default route: %v", err)
	}
	n.ip(t, "route", "add", "default", "via", "192.0.2.1")
	n.ip(t, "-6", "route", "add", "default", "via", "2001:db8::1", "dev", "upl0")
	tests := []struct {
		dst, gw, src string
		metric       int // as listed: IPv6 routes get 1024 when added with 0
	}{
		{"198.51.100.7", "192.0.2.1", "192.0.2.10", 0},
		{"2001:db8:1::7", "2001:db8::1", "2001:db8::10", 1024},
	}
	for _, tt := range tests {
		var r Route
		n.must(t, "RouteGet", func() (err error) { r, err = RouteGet(netip.MustParseAddr(tt.dst)); return err })
		if r.Dst.Addr().String() != tt.dst || !r.Dst.IsSingleIP() || r.Gateway.String() != tt.gw ||
			r.Ifname != "upl0" || r.Src.String() != tt.src {
			t.Errorf("RouteGet(%s) = %+v", tt.dst, r)
		}
		r.Metric = 0
		n.must(t, "pin "+r.String(), func() error { return AddRoute(r) })
		if !hasRoute(n.routes(t), ipRoute{Dst: tt.dst, Gateway: tt.gw, Dev: "upl0", Metric: tt.metric}) {
			t.Errorf("pinned route missing: %+v", n.routes(t))
		}
		n.must(t, "unpin", func() error { return DelRoute(r) })
	}
}

// Packets cross the TUN as bare IP (IFF_NO_PI) both ways, and a Read blocked
// in the poller returns once the device is closed.
func TestE2ETUNPackets(t *testing.T) {
	n := newNetns(t)
	tun := openTUN(t, n, "sstpt0")

	var conn net.PacketConn
	n.must(t, "listen", func() (err error) { conn, err = net.ListenPacket("udp4", "10.99.0.2:5555"); return err })
	defer conn.Close()
	n.must(t, "send", func() error {
		c, err := net.Dial("udp4", "10.99.0.1:7777")
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte("to peer"))
		return err
	})
	buf := make([]byte, 2000)
	for {
		k, err := tun.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		p := buf[:k]
		if k >= 28 && p[0]>>4 == 4 && p[9] == 17 && netip.AddrFrom4([4]byte(p[16:20])).String() == "10.99.0.1" {
			if string(p[28:]) != "to peer" {
				t.Errorf("payload %q", p[28:])
			}
			break // other packets (e.g. IGMP) may come first
		}
	}

	pkt := udp4(netip.MustParseAddr("10.99.0.1"), netip.MustParseAddr("10.99.0.2"), 7777, 5555, []byte("from peer"))
	if _, err := tun.Write(pkt); err != nil {
		t.Fatal(err)
	}
	k, _, err := conn.ReadFrom(buf)
	if err != nil || string(buf[:k]) != "from peer" {
		t.Fatalf("ReadFrom %q %v", buf[:k], err)
	}

	errc := make(chan error, 1)
	go func() {
		for {
			if _, err := tun.Read(buf); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond) // let Read park; the test passes either way
	tun.Close()
	if err := <-errc; !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
}

// udp4 builds an IPv4/UDP packet with a valid header checksum (RFC 791) and
// no UDP checksum (RFC 768 allows zero).
func udp4(src, dst netip.Addr, sport, dport uint16, payload []byte) []byte {
	p := make([]byte, 28, 28+len(payload))
	p[0], p[8], p[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(p[2:], uint16(28+len(payload)))
	s, d := src.As4(), dst.As4()
	copy(p[12:], s[:])
	copy(p[16:], d[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(p[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(p[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(p[20:], sport)
	binary.BigEndian.PutUint16(p[22:], dport)
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(payload)))
	return append(p, payload...)
}

// A kernel-chosen name works too.
func TestE2ETUNDefaultName(t *testing.T) {
	n := newNetns(t)
	var tun *TUN
	n.must(t, "OpenTUN", func() (err error) { tun, err = OpenTUN(""); return err })
	defer tun.Close()
	if !strings.HasPrefix(tun.Name(), "tun") {
		t.Errorf("name %q", tun.Name())
	}
	n.must(t, "SetUp", func() error { return SetUp(tun.Name()) })
}

// UplinkRoute finds the uplink's route while a VPN's routes (two /1, ::/1
// and 8000::/1 through a tunnel device) and a stale pin shadow it, for IPv4
// and IPv6: the kernel's own answer is the tunnel, the table dump is not.
func TestE2EUplinkRoute(t *testing.T) {
	n := newNetns(t)
	var up, tun *TUN
	n.must(t, "OpenTUN", func() (err error) { up, err = OpenTUN("upl0"); return err })
	defer up.Close()
	n.must(t, "OpenTUN", func() (err error) { tun, err = OpenTUN("vpn0"); return err })
	defer tun.Close()
	n.ip(t, "addr", "add", "192.0.2.10/24", "dev", "upl0")
	n.ip(t, "-6", "addr", "add", "2001:db8::10/64", "dev", "upl0", "nodad")
	n.ip(t, "link", "set", "upl0", "up")
	n.ip(t, "link", "set", "vpn0", "up")
	n.ip(t, "route", "add", "default", "via", "192.0.2.1")
	n.ip(t, "-6", "route", "add", "default", "via", "2001:db8::1", "dev", "upl0")
	for _, p := range []string{"0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"} {
		n.ip(t, "route", "add", p, "dev", "vpn0")
	}
	n.ip(t, "route", "add", "203.0.113.9/32", "via", "192.0.2.2", "dev", "upl0") // a stale pin
	skip := func(r Route) bool {
		return r.Ifname == "vpn0" || r.Dst == netip.MustParsePrefix("203.0.113.9/32")
	}
	for _, tt := range []struct{ dst, gw string }{
		{"198.51.100.7", "192.0.2.1"},
		{"203.0.113.9", "192.0.2.1"},
		{"192.0.2.77", ""}, // the uplink's own subnet: on-link
		{"2001:db8:1::7", "2001:db8::1"},
	} {
		var kernel, r Route
		n.must(t, "RouteGet", func() (err error) { kernel, err = RouteGet(netip.MustParseAddr(tt.dst)); return err })
		n.must(t, "UplinkRoute", func() (err error) { r, err = UplinkRoute(netip.MustParseAddr(tt.dst), skip); return err })
		gw := ""
		if r.Gateway.IsValid() {
			gw = r.Gateway.String()
		}
		if r.Dst.Addr().String() != tt.dst || !r.Dst.IsSingleIP() || gw != tt.gw || r.Ifname != "upl0" {
			t.Errorf("UplinkRoute(%s) = %v (kernel: %v), want via %q dev upl0", tt.dst, r, kernel, tt.gw)
		}
	}
	var err error
	n.do(func() { _, err = UplinkRoute(netip.MustParseAddr("198.51.100.7"), func(Route) bool { return true }) })
	if !errors.Is(err, errNoUplink) {
		t.Errorf("nothing but skipped routes: %v", err)
	}
}
