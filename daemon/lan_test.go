package daemon

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/sstpgo/sstpgo/dhcp"
	"github.com/sstpgo/sstpgo/ifup"
	"github.com/sstpgo/sstpgo/sstp"
)

// The up script learns what the server pushed (routes in ROUTES after the
// configured ones, the DHCP DNS servers, the domains); the down script only
// the routes, so a split-DNS hook removes its servers.
func TestLANHookEnv(t *testing.T) {
	cfgRoute := netip.MustParsePrefix("172.16.50.0/24")
	d := New(&Options{Routes: []netip.Prefix{cfgRoute}}, sstp.Config{}, nil)
	pushed := netip.MustParsePrefix("172.16.60.0/24")
	d.lan.ack = dhcp.Ack{Domain: "corp.example", DNS: []netip.Addr{netip.MustParseAddr("172.16.50.2")}}
	d.lan.add = []netip.Prefix{pushed}

	hi := ifup.HookInfo{Routes: d.o.Routes, DNS: []netip.Addr{netip.MustParseAddr("10.0.0.53")}}
	env := d.lanHook(&hi, true)
	if !slices.Equal(hi.Routes, []netip.Prefix{cfgRoute, pushed}) || hi.DNS[0].String() != "172.16.50.2" {
		t.Errorf("up: routes %v dns %v", hi.Routes, hi.DNS)
	}
	if !slices.Contains(env, "DNSSEARCH=corp.example") || !slices.Contains(env, "PUSHED_ROUTES=172.16.60.0/24") {
		t.Errorf("up env %q", env)
	}
	if len(d.o.Routes) != 1 {
		t.Errorf("the configured routes changed: %v", d.o.Routes)
	}
	hi = ifup.HookInfo{Routes: d.o.Routes}
	if env := d.lanHook(&hi, false); env != nil || len(hi.Routes) != 2 {
		t.Errorf("down: env %q routes %v", env, hi.Routes)
	}
}
