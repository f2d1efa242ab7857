package ifup

import (
	"net/netip"
	"testing"
)

// bestRoute finds the uplink's route to the server while a VPN's routes
// (two /1 through the tunnel, a stale pin) shadow it: longest prefix first,
// then lowest metric, skipped routes ignored.
func TestBestRouteSkipsTheTunnel(t *testing.T) {
	pfx := netip.MustParsePrefix
	gw := netip.MustParseAddr("198.51.100.1")
	table := []Route{
		{Dst: pfx("0.0.0.0/0"), Gateway: gw, Ifname: "wan", Metric: 10},
		{Dst: pfx("0.0.0.0/0"), Gateway: netip.MustParseAddr("192.0.2.1"), Ifname: "wwan", Metric: 20},
		{Dst: pfx("0.0.0.0/1"), Ifname: "sstp0"},
		{Dst: pfx("128.0.0.0/1"), Ifname: "sstp0"},
		{Dst: pfx("198.51.100.0/24"), Ifname: "wan"},
		{Dst: pfx("203.0.113.9/32"), Gateway: netip.MustParseAddr("192.0.2.1"), Ifname: "wwan"}, // stale pin
	}
	notTunnel := func(r Route) bool {
		return r.Ifname == "sstp0" || r.Dst == pfx("203.0.113.9/32")
	}
	for _, tt := range []struct {
		name, dst string
		skip      func(Route) bool
		want      Route
		ok        bool
	}{
		{"new address behind the gateway", "203.0.113.7", notTunnel,
			Route{Dst: pfx("203.0.113.7/32"), Gateway: gw, Ifname: "wan"}, true},
		{"stale pin skipped", "203.0.113.9", notTunnel,
			Route{Dst: pfx("203.0.113.9/32"), Gateway: gw, Ifname: "wan"}, true},
		{"server on the uplink's subnet", "198.51.100.1", notTunnel,
			Route{Dst: pfx("198.51.100.1/32"), Ifname: "wan"}, true},
		{"without skip the tunnel wins", "203.0.113.7", nil,
			Route{Dst: pfx("203.0.113.7/32"), Ifname: "sstp0"}, true},
		{"everything skipped", "10.9.9.9", func(Route) bool { return true }, Route{}, false},
		{"other family", "2001:db8::1", notTunnel, Route{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := bestRoute(netip.MustParseAddr(tt.dst), table, tt.skip)
			if ok != tt.ok || got != tt.want {
				t.Errorf("bestRoute(%s) = %v, %v; want %v, %v", tt.dst, got, ok, tt.want, tt.ok)
			}
		})
	}
}
