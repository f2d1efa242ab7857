package ifup

import (
	"encoding/binary"
	"net/netip"
	"syscall"
)

// rtnetlink wire format (linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h,
// linux/if_link.h). The values are the Linux ones on every GOOS so the codec
// can be tested and fuzzed anywhere; only the socket code is Linux-only.
const (
	nlmsgHdrLen = 16 // struct nlmsghdr
	rtaHdrLen   = 4  // struct rtattr
	rtmsgLen    = 12 // struct rtmsg
	ifaddrLen   = 8  // struct ifaddrmsg
	ifinfoLen   = 16 // struct ifinfomsg

	nlmsgError = 2
	nlmsgDone  = 3

	nlmFRequest = 0x1
	nlmFMulti   = 0x2
	nlmFAck     = 0x4
	nlmFDump    = 0x300
	nlmFReplace = 0x100
	nlmFExcl    = 0x200
	nlmFCreate  = 0x400
	nlmFCapped  = 0x100 // NLMSG_ERROR: the request is not echoed in full
	nlmFAckTLVs = 0x200 // NLMSG_ERROR: extended ACK attributes follow

	nlmsgerrAttrMsg = 1

	rtmNewLink  = 16
	rtmGetLink  = 18
	rtmNewAddr  = 20
	rtmDelAddr  = 21
	rtmGetAddr  = 22
	rtmNewRoute = 24
	rtmDelRoute = 25
	rtmGetRoute = 26

	afUnspec = 0
	afInet   = 2
	afInet6  = 10

	iflaIfname = 3
	iflaMTU    = 4

	ifaAddress = 1
	ifaLocal   = 2
	ifaFNoDAD  = 0x02

	rtaDst      = 1
	rtaOIF      = 4
	rtaGateway  = 5
	rtaPriority = 6
	rtaPrefsrc  = 7
	rtaTable    = 15

	rtTableMain   = 254
	rtprotStatic  = 4
	scopeUniverse = 0
	scopeLink     = 253
	scopeNowhere  = 255
	rtnUnicast    = 1

	iffUp = 0x1

	nlaTypeMask = 0x3fff // strips NLA_F_NESTED and NLA_F_NET_BYTEORDER
)

// Netlink uses host byte order (netlink(7)); a variable so tests can check
// the golden bytes of both orders (OpenWrt runs on big-endian MIPS too).
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

var ne byteOrder = binary.NativeEndian

func align4(n int) int { return (n + 3) &^ 3 }

// appendNlmsg appends a struct nlmsghdr with a zero length; endNlmsg
// back-fills it. The port id is 0: the kernel fills in the sender's.
func appendNlmsg(b []byte, typ, flags uint16, seq uint32) ([]byte, int) {
	start := len(b)
	b = ne.AppendUint32(b, 0)
	b = ne.AppendUint16(b, typ)
	b = ne.AppendUint16(b, flags)
	b = ne.AppendUint32(b, seq)
	b = ne.AppendUint32(b, 0)
	return b, start
}

func endNlmsg(b []byte, start int) []byte {
	ne.PutUint32(b[start:], uint32(len(b)-start))
	return b
}

// appendAttr appends one struct rtattr, padded to 4 bytes (RTA_ALIGN).
func appendAttr(b []byte, typ uint16, v []byte) []byte {
	b = ne.AppendUint16(b, uint16(rtaHdrLen+len(v)))
	b = ne.AppendUint16(b, typ)
	b = append(b, v...)
	return appendPad(b, rtaHdrLen+len(v))
}

// appendPad pads an n-byte attribute to RTA_ALIGN; the alignment is relative
// to the message, not to the caller's buffer.
func appendPad(b []byte, n int) []byte {
	return append(b, make([]byte, align4(n)-n)...)
}

func appendAttrU32(b []byte, typ uint16, v uint32) []byte {
	b = ne.AppendUint16(b, rtaHdrLen+4)
	b = ne.AppendUint16(b, typ)
	return ne.AppendUint32(b, v)
}

// appendAttrAddr appends a 4- or 16-byte address; addresses are in network
// order on the wire whatever the host order.
func appendAttrAddr(b []byte, typ uint16, a netip.Addr) []byte {
	if a.Is4() {
		v := a.As4()
		return appendAttr(b, typ, v[:])
	}
	v := a.As16()
	return appendAttr(b, typ, v[:])
}

func appendAttrString(b []byte, typ uint16, s string) []byte {
	b = ne.AppendUint16(b, uint16(rtaHdrLen+len(s)+1))
	b = ne.AppendUint16(b, typ)
	b = append(b, s...)
	b = append(b, 0)
	return appendPad(b, rtaHdrLen+len(s)+1)
}

func family(a netip.Addr) uint8 {
	if a.Is4() {
		return afInet
	}
	return afInet6
}

// appendRouteMsg appends an RTM_NEWROUTE, RTM_DELROUTE or RTM_GETROUTE
// request for r through interface index oif (0 = none). r must have passed
// checkRoute. A delete leaves protocol, type and scope as wildcards
// (RT_SCOPE_NOWHERE), as ip-route(8) does, so it matches what we added.
func appendRouteMsg(b []byte, typ, flags uint16, seq uint32, r Route, oif int) []byte {
	dst := r.Dst.Masked()
	table := r.Table
	if table == 0 {
		table = rtTableMain
	}
	var hdrTable uint8 // RT_TABLE_UNSPEC: the id is in RTA_TABLE
	if table < 256 {
		hdrTable = uint8(table)
	}
	proto, scope, rtype := uint8(rtprotStatic), uint8(scopeUniverse), uint8(rtnUnicast)
	switch {
	case typ != rtmNewRoute:
		proto, scope, rtype = 0, scopeNowhere, 0
	case !r.Gateway.IsValid():
		scope = scopeLink // directly reachable on the device
	}
	b, start := appendNlmsg(b, typ, flags, seq)
	b = append(b, family(dst.Addr()), uint8(dst.Bits()), 0, 0, hdrTable, proto, scope, rtype)
	b = ne.AppendUint32(b, 0) // rtm_flags
	if dst.Bits() > 0 {
		b = appendAttrAddr(b, rtaDst, dst.Addr())
	}
	if r.Gateway.IsValid() {
		b = appendAttrAddr(b, rtaGateway, r.Gateway)
	}
	if r.Src.IsValid() {
		b = appendAttrAddr(b, rtaPrefsrc, r.Src)
	}
	if oif > 0 {
		b = appendAttrU32(b, rtaOIF, uint32(oif))
	}
	if r.Metric > 0 {
		b = appendAttrU32(b, rtaPriority, uint32(r.Metric))
	}
	if table >= 256 {
		b = appendAttrU32(b, rtaTable, uint32(table))
	}
	return endNlmsg(b, start)
}

// appendRouteGet appends an RTM_GETROUTE for the route the kernel would use
// to reach dst.
func appendRouteGet(b []byte, seq uint32, dst netip.Addr) []byte {
	b, start := appendNlmsg(b, rtmGetRoute, nlmFRequest|nlmFAck, seq)
	b = append(b, family(dst), uint8(dst.BitLen()), 0, 0, 0, 0, 0, 0)
	b = ne.AppendUint32(b, 0)
	b = appendAttrAddr(b, rtaDst, dst)
	return endNlmsg(b, start)
}

// appendRouteDump appends an RTM_GETROUTE dump request for one family's
// routes (all tables; the caller filters).
func appendRouteDump(b []byte, seq uint32, fam uint8) []byte {
	b, start := appendNlmsg(b, rtmGetRoute, nlmFRequest|nlmFDump, seq)
	b = append(b, fam, 0, 0, 0, 0, 0, 0, 0)
	b = ne.AppendUint32(b, 0)
	return endNlmsg(b, start)
}

// addrPrefix is the prefix length AddAddress uses: /32 point-to-point for
// IPv4 (RFC 1332 gives us no netmask), /64 for an IPv6 link-local address
// built from the IPV6CP interface identifier (RFC 5072 section 4.1).
func addrPrefix(local netip.Addr) uint8 {
	if local.Is4() {
		return 32
	}
	return 64
}

// appendAddrMsg appends an RTM_NEWADDR or RTM_DELADDR. For IPv4, IFA_LOCAL is
// our address and IFA_ADDRESS the peer's (the kernel then adds a host route
// to the peer); without a peer, or for IPv6, IFA_ADDRESS repeats IFA_LOCAL.
func appendAddrMsg(b []byte, typ, flags uint16, seq uint32, index, prefixLen int, local, peer netip.Addr) []byte {
	var ifaFlags uint8
	if local.Is6() {
		ifaFlags = ifaFNoDAD // point-to-point link: nobody else to collide with
	}
	if !peer.IsValid() || !local.Is4() {
		peer = local
	}
	b, start := appendNlmsg(b, typ, flags, seq)
	b = append(b, family(local), uint8(prefixLen), ifaFlags, scopeUniverse)
	b = ne.AppendUint32(b, uint32(index))
	b = appendAttrAddr(b, ifaLocal, local)
	b = appendAttrAddr(b, ifaAddress, peer)
	return endNlmsg(b, start)
}

// appendLinkMsg appends an RTM_NEWLINK (change) or RTM_GETLINK for the link
// with the given index, or with the given name when index is 0 (the kernel
// looks IFLA_IFNAME up). mtu 0 leaves the MTU alone.
func appendLinkMsg(b []byte, typ uint16, seq uint32, index int, name string, flags, change uint32, mtu int) []byte {
	b, start := appendNlmsg(b, typ, nlmFRequest|nlmFAck, seq)
	b = append(b, afUnspec, 0, 0, 0) // family, pad, ifi_type
	b = ne.AppendUint32(b, uint32(index))
	b = ne.AppendUint32(b, flags)
	b = ne.AppendUint32(b, change)
	if index == 0 {
		b = appendAttrString(b, iflaIfname, name)
	}
	if mtu > 0 {
		b = appendAttrU32(b, iflaMTU, uint32(mtu))
	}
	return endNlmsg(b, start)
}

// appendAddrDump appends an RTM_GETADDR dump request for all families.
func appendAddrDump(b []byte, seq uint32) []byte {
	b, start := appendNlmsg(b, rtmGetAddr, nlmFRequest|nlmFDump, seq)
	b = append(b, afUnspec, 0, 0, 0, 0, 0, 0, 0)
	return endNlmsg(b, start)
}

// nlMessage is one netlink message; Data aliases the receive buffer and is
// valid until the next receive.
type nlMessage struct {
	Type, Flags uint16
	Seq, Port   uint32
	Data        []byte
}

// parseMessage splits the first message off b (NLMSG_NEXT).
func parseMessage(b []byte) (m nlMessage, rest []byte, err error) {
	if len(b) < nlmsgHdrLen {
		return m, nil, errShortMessage
	}
	n := ne.Uint32(b)
	if n < nlmsgHdrLen || uint64(n) > uint64(len(b)) {
		return m, nil, errBadLength
	}
	m = nlMessage{
		Type:  ne.Uint16(b[4:]),
		Flags: ne.Uint16(b[6:]),
		Seq:   ne.Uint32(b[8:]),
		Port:  ne.Uint32(b[12:]),
		Data:  b[nlmsgHdrLen:n],
	}
	return m, b[min(align4(int(n)), len(b)):], nil
}

// dispatch handles one datagram; done is true once the answer is complete.
func dispatch(b []byte, port, seq uint32, fn func(m nlMessage) error) (done bool, err error) {
	for len(b) > 0 {
		m, rest, err := parseMessage(b)
		if err != nil {
			return true, err
		}
		b = rest
		if m.Seq != seq || (m.Port != port && m.Port != 0) {
			continue // a late answer to someone else's request
		}
		switch m.Type {
		case nlmsgDone:
			return true, nil
		case nlmsgError:
			errno, msg, err := parseError(m)
			if err == nil && errno != 0 {
				err = &nlError{Errno: errno, Msg: msg}
			}
			return true, err
		}
		if fn != nil {
			if err := fn(m); err != nil {
				return true, err
			}
		}
	}
	return false, nil
}

// nextAttr splits the first struct rtattr off b.
func nextAttr(b []byte) (typ uint16, v, rest []byte, err error) {
	if len(b) < rtaHdrLen {
		return 0, nil, nil, errShortAttr
	}
	n := int(ne.Uint16(b))
	if n < rtaHdrLen || n > len(b) {
		return 0, nil, nil, errBadLength
	}
	typ = ne.Uint16(b[2:]) & nlaTypeMask
	return typ, b[rtaHdrLen:n], b[min(align4(n), len(b)):], nil
}

// parseError decodes an NLMSG_ERROR (struct nlmsgerr): errno 0 is an ACK.
// With NETLINK_EXT_ACK the kernel appends attributes after the echoed
// request; the human-readable NLMSGERR_ATTR_MSG is returned in msg.
func parseError(m nlMessage) (errno syscall.Errno, msg string, err error) {
	d := m.Data
	if len(d) < 4 {
		return 0, "", errShortMessage
	}
	code := int32(ne.Uint32(d))
	if code > 0 || code < -4095 {
		return 0, "", errBadLength
	}
	errno = syscall.Errno(-code)
	if m.Flags&nlmFAckTLVs == 0 || len(d) < 4+nlmsgHdrLen {
		return errno, "", nil
	}
	off := 4 + nlmsgHdrLen
	if m.Flags&nlmFCapped == 0 {
		off = 4 + align4(int(ne.Uint32(d[4:])))
	}
	if off > len(d) || off < 4+nlmsgHdrLen {
		return errno, "", nil
	}
	for a := d[off:]; len(a) > 0; {
		typ, v, rest, aerr := nextAttr(a)
		if aerr != nil {
			break
		}
		if typ == nlmsgerrAttrMsg {
			msg = cString(v)
		}
		a = rest
	}
	return errno, msg, nil
}

func cString(v []byte) string {
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// attrAddr decodes an address attribute of the given family.
func attrAddr(fam uint8, v []byte) (netip.Addr, error) {
	switch {
	case fam == afInet && len(v) == 4:
		return netip.AddrFrom4([4]byte(v)), nil
	case fam == afInet6 && len(v) == 16:
		return netip.AddrFrom16([16]byte(v)), nil
	}
	return netip.Addr{}, errBadAddress
}

func attrU32(v []byte) (uint32, error) {
	if len(v) != 4 {
		return 0, errShortAttr
	}
	return ne.Uint32(v), nil
}

// routeMsg is a decoded RTM_NEWROUTE (struct rtmsg plus attributes).
type routeMsg struct {
	Route
	OIF  int
	Type uint8
}

// parseRoute decodes the body of an RTM_NEWROUTE, e.g. the RTM_GETROUTE
// answer. Ifname is left empty: the caller maps OIF to a name.
func parseRoute(d []byte) (routeMsg, error) {
	var rm routeMsg
	if len(d) < rtmsgLen {
		return rm, errShortMessage
	}
	fam, dstLen := d[0], int(d[1])
	var dst netip.Addr
	switch fam {
	case afInet:
		dst = netip.IPv4Unspecified()
	case afInet6:
		dst = netip.IPv6Unspecified()
	default:
		return rm, errBadAddress
	}
	if dstLen > dst.BitLen() {
		return rm, errBadLength
	}
	rm.Table, rm.Type = int(d[4]), d[7]
	for a := d[rtmsgLen:]; len(a) > 0; {
		typ, v, rest, err := nextAttr(a)
		if err != nil {
			return rm, err
		}
		if err := rm.attr(fam, typ, v, &dst); err != nil {
			return rm, err
		}
		a = rest
	}
	rm.Dst = netip.PrefixFrom(dst, dstLen)
	return rm, nil
}

func (rm *routeMsg) attr(fam uint8, typ uint16, v []byte, dst *netip.Addr) error {
	var err error
	var u uint32
	switch typ {
	case rtaDst:
		*dst, err = attrAddr(fam, v)
	case rtaGateway:
		rm.Gateway, err = attrAddr(fam, v)
	case rtaPrefsrc:
		rm.Src, err = attrAddr(fam, v)
	case rtaOIF:
		u, err = attrU32(v)
		rm.OIF = int(int32(u))
	case rtaPriority:
		u, err = attrU32(v)
		rm.Metric = int(u)
	case rtaTable:
		u, err = attrU32(v)
		rm.Table = int(u)
	}
	return err
}

// addrMsg is a decoded RTM_NEWADDR.
type addrMsg struct {
	Index     int
	PrefixLen int
	Local     netip.Addr // IFA_LOCAL, or IFA_ADDRESS when there is none
	Address   netip.Addr // IFA_ADDRESS: the peer on point-to-point links
}

func parseAddr(d []byte) (addrMsg, error) {
	var am addrMsg
	if len(d) < ifaddrLen {
		return am, errShortMessage
	}
	fam := d[0]
	am.PrefixLen, am.Index = int(d[1]), int(int32(ne.Uint32(d[4:])))
	for a := d[ifaddrLen:]; len(a) > 0; {
		typ, v, rest, err := nextAttr(a)
		if err != nil {
			return am, err
		}
		switch typ {
		case ifaLocal:
			am.Local, err = attrAddr(fam, v)
		case ifaAddress:
			am.Address, err = attrAddr(fam, v)
		}
		if err != nil {
			return am, err
		}
		a = rest
	}
	if !am.Local.IsValid() {
		am.Local = am.Address
	}
	return am, nil
}

// linkMsg is a decoded RTM_NEWLINK.
type linkMsg struct {
	Index int
	Flags uint32
	Name  string
	MTU   int
}

func parseLink(d []byte) (linkMsg, error) {
	var lm linkMsg
	if len(d) < ifinfoLen {
		return lm, errShortMessage
	}
	lm.Index, lm.Flags = int(int32(ne.Uint32(d[4:]))), ne.Uint32(d[8:])
	for a := d[ifinfoLen:]; len(a) > 0; {
		typ, v, rest, err := nextAttr(a)
		if err != nil {
			return lm, err
		}
		switch typ {
		case iflaIfname:
			lm.Name = cString(v)
		case iflaMTU:
			u, err := attrU32(v)
			if err != nil {
				return lm, err
			}
			lm.MTU = int(u)
		}
		a = rest
	}
	return lm, nil
}
