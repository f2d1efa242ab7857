package ifup

import "strconv"

// SetMTU sets the MTU of the named interface (RTM_NEWLINK with IFLA_MTU).
func SetMTU(ifname string, mtu int) error {
	op := "set link " + ifname + " mtu " + strconv.Itoa(mtu)
	if mtu <= 0 || mtu > 65535 {
		return opErr(op, errBadNumber)
	}
	return opErr(op, setLink(ifname, 0, 0, mtu))
}

// SetUp sets IFF_UP on the named interface.
func SetUp(ifname string) error {
	return opErr("set link "+ifname+" up", setLink(ifname, iffUp, iffUp, 0))
}

// SetDown clears IFF_UP on the named interface; the kernel drops the
// routes through it.
func SetDown(ifname string) error {
	return opErr("set link "+ifname+" down", setLink(ifname, 0, iffUp, 0))
}

func setLink(ifname string, flags, change uint32, mtu int) error {
	if ifname == "" || checkName(ifname) != nil {
		return errBadName
	}
	return rtnl(func(b []byte, seq uint32) []byte {
		return appendLinkMsg(b, rtmNewLink, seq, 0, ifname, flags, change, mtu)
	}, nil)
}
