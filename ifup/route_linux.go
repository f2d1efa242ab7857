package ifup

import (
	"net/netip"
)

// AddRoute installs r; it fails with syscall.EEXIST if the same route is
// already there (NLM_F_EXCL, as ip route add).
func AddRoute(r Route) error {
	return opErr("add route "+r.String(), modRoute(rtmNewRoute, nlmFRequest|nlmFAck|nlmFCreate|nlmFExcl, r))
}

// DelRoute deletes r; fields left zero match any route (Metric 0, no
// Gateway, ...), so delete with the same Route that was added.
func DelRoute(r Route) error {
	return opErr("delete route "+r.String(), modRoute(rtmDelRoute, nlmFRequest|nlmFAck, r))
}

func modRoute(typ, flags uint16, r Route) error {
	if err := checkRoute(r); err != nil {
		return err
	}
	oif := 0
	if r.Ifname != "" {
		var err error
		if oif, err = linkByName(r.Ifname); err != nil {
			return err
		}
	}
	return rtnl(func(b []byte, seq uint32) []byte {
		return appendRouteMsg(b, typ, flags, seq, r, oif)
	}, nil)
}

// RouteGet asks the kernel which route it would use to reach dst now
// (RTM_GETROUTE): the answer has Dst = dst/32 (or /128), the Gateway (if
// any), the output Ifname, the preferred source Src and the Table. Metric is
// not reported by the kernel. Used to pin a host route to the VPN server
// through the original uplink before the tunnel takes the default route.
func RouteGet(dst netip.Addr) (Route, error) {
	op := "get route " + dst.String()
	if !dst.IsValid() {
		return Route{}, opErr(op, errBadAddress)
	}
	dst = dst.Unmap()
	var rm routeMsg
	found := false
	err := rtnl(func(b []byte, seq uint32) []byte { return appendRouteGet(b, seq, dst) },
		func(m nlMessage) error {
			if m.Type != rtmNewRoute || found {
				return nil
			}
			var err error
			rm, err = parseRoute(m.Data)
			found = err == nil
			return err
		})
	if err == nil && !found {
		err = errNoReply
	}
	if err != nil {
		return Route{}, opErr(op, err)
	}
	r := rm.Route
	r.Dst = netip.PrefixFrom(dst.WithZone(""), dst.BitLen())
	if rm.OIF > 0 {
		lm, err := getLink(rm.OIF, "")
		if err != nil {
			return Route{}, opErr(op, err)
		}
		r.Ifname = lm.Name
	}
	return r, nil
}
