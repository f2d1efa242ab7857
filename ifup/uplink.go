package ifup

import "net/netip"

// bestRoute picks, among routes of the main table, the one the kernel's
// longest-prefix match would take to reach dst if the routes skip rejects
// were not there: the longest prefix containing dst, then the lowest metric.
// The answer is a host route (dst/32 or /128) through the same gateway and
// device, as RouteGet gives.
func bestRoute(dst netip.Addr, routes []Route, skip func(Route) bool) (Route, bool) {
	var best Route
	found := false
	for _, r := range routes {
		if !r.Dst.Contains(dst) || r.Ifname == "" || (skip != nil && skip(r)) {
			continue
		}
		if !found || r.Dst.Bits() > best.Dst.Bits() || r.Dst.Bits() == best.Dst.Bits() && r.Metric < best.Metric {
			best, found = r, true
		}
	}
	if !found {
		return Route{}, false
	}
	return Route{Dst: netip.PrefixFrom(dst, dst.BitLen()), Gateway: best.Gateway, Ifname: best.Ifname, Src: best.Src}, true
}
