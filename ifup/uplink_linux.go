package ifup

import "net/netip"

// UplinkRoute returns the route by which dst is reached outside the routes
// skip rejects (typically: a VPN's own device, and host routes the caller
// pinned earlier), as a host route (dst/32 or /128) with the gateway,
// device and preferred source to install. It asks the kernel first
// (RouteGet: policy rules and all); when the kernel's answer is one skip
// rejects, it looks through the main table itself for the longest prefix
// that contains dst, ignoring the rejected routes. Multipath routes
// (RTA_MULTIPATH, no single device) are not candidates.
func UplinkRoute(dst netip.Addr, skip func(Route) bool) (Route, error) {
	dst = dst.Unmap().WithZone("")
	r, err := RouteGet(dst)
	if err == nil && (skip == nil || !skip(r)) {
		r.Table, r.Metric = 0, 0
		return r, nil
	}
	op := "find uplink route to " + dst.String()
	var rs []Route
	var oifs []int
	err = rtnl(func(b []byte, seq uint32) []byte { return appendRouteDump(b, seq, family(dst)) },
		func(m nlMessage) error {
			if m.Type != rtmNewRoute {
				return nil
			}
			rm, err := parseRoute(m.Data)
			if err != nil {
				return err
			}
			if rm.Table == rtTableMain && rm.Type == rtnUnicast && rm.OIF > 0 && rm.Dst.Contains(dst) {
				rs, oifs = append(rs, rm.Route), append(oifs, rm.OIF)
			}
			return nil
		})
	if err != nil {
		return Route{}, opErr(op, err)
	}
	names := map[int]string{}
	for i, oif := range oifs {
		if _, ok := names[oif]; !ok {
			lm, err := getLink(oif, "")
			if err != nil {
				continue // the device went away meanwhile
			}
			names[oif] = lm.Name
		}
		rs[i].Ifname = names[oif]
	}
	best, ok := bestRoute(dst, rs, skip)
	if !ok {
		return Route{}, opErr(op, errNoUplink)
	}
	return best, nil
}
