package ifup

import (
	"errors"
	"net/netip"
	"syscall"
)

// AddAddress adds local to the named interface, or replaces it if present.
// IPv4: a point-to-point /32 with IFA_LOCAL=local and IFA_ADDRESS=peer (the
// kernel then routes peer/32 through the device); peer may be invalid.
// IPv6: local/64 (normally LinkLocal(id) from IPV6CP) without DAD; peer is
// not used since the /64 already covers the peer's link-local address.
func AddAddress(ifname string, local, peer netip.Addr) error {
	op := "add address " + describeAddr(local, peer) + " dev " + ifname
	return opErr(op, modAddr(rtmNewAddr, nlmFRequest|nlmFAck|nlmFCreate|nlmFReplace, ifname, local, peer))
}

// DelAddress removes an address added by AddAddress (same arguments).
func DelAddress(ifname string, local, peer netip.Addr) error {
	op := "delete address " + describeAddr(local, peer) + " dev " + ifname
	return opErr(op, modAddr(rtmDelAddr, nlmFRequest|nlmFAck, ifname, local, peer))
}

func describeAddr(local, peer netip.Addr) string {
	s := local.String()
	if peer.IsValid() && local.Is4() {
		s += " peer " + peer.String()
	}
	return s
}

func modAddr(typ, flags uint16, ifname string, local, peer netip.Addr) error {
	if !local.IsValid() || local.Is4In6() || local.Zone() != "" {
		return errBadAddress
	}
	if local.Is4() && peer.IsValid() && !peer.Is4() {
		return errFamilyMix
	}
	index, err := linkByName(ifname)
	if err != nil {
		return err
	}
	return rtnl(func(b []byte, seq uint32) []byte {
		return appendAddrMsg(b, typ, flags, seq, index, int(addrPrefix(local)), local, peer)
	}, nil)
}

// FlushAddresses removes every IPv4 and IPv6 address of the named interface,
// including the kernel's own IPv6 link-local one.
func FlushAddresses(ifname string) error {
	op := "flush addresses dev " + ifname
	index, err := linkByName(ifname)
	if err != nil {
		return opErr(op, err)
	}
	var addrs []addrMsg
	err = rtnl(func(b []byte, seq uint32) []byte { return appendAddrDump(b, seq) },
		func(m nlMessage) error {
			if m.Type != rtmNewAddr {
				return nil
			}
			am, err := parseAddr(m.Data)
			if err == nil && am.Index == index && am.Local.IsValid() {
				addrs = append(addrs, am)
			}
			return err
		})
	if err != nil {
		return opErr(op, err)
	}
	var errs []error
	for _, am := range addrs {
		err := rtnl(func(b []byte, seq uint32) []byte {
			return appendAddrMsg(b, rtmDelAddr, nlmFRequest|nlmFAck, seq, index, am.PrefixLen, am.Local, am.Address)
		}, nil)
		// Deleting a primary IPv4 address also deletes its secondaries.
		if err != nil && !errors.Is(err, syscall.EADDRNOTAVAIL) {
			errs = append(errs, opErr("delete address "+am.Local.String()+" dev "+ifname, err))
		}
	}
	return errors.Join(errs...)
}
