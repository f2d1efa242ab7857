package ifup

import "net/netip"

// LinkLocal returns the IPv6 link-local address fe80::/64 with the given
// interface identifier, as negotiated by IPV6CP (RFC 5072 section 5).
func LinkLocal(id [8]byte) netip.Addr {
	var a [16]byte
	a[0], a[1] = 0xfe, 0x80
	copy(a[8:], id[:])
	return netip.AddrFrom16(a)
}
