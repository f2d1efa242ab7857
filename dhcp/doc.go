// Package dhcp is the little DHCP (RFC 2131) that a PPP client needs after
// IPCP: it builds a DHCPINFORM from the tunnel address and reads the
// DHCPACK's configuration options, the way Windows' RAS client asks RRAS
// (which relays to the corporate DHCP server) or SoftEther's SecureNAT for
// pushed routes and the DNS suffix. Sans-IO: bytes in, bytes out.
//
// Options read from the ACK: 121 classless static routes (RFC 3442), 249
// (Microsoft's copy of 121, MS-DHCPE 2.2.8), 15 domain name and 6 DNS
// servers (RFC 2132), 119 domain search list (RFC 3397), 54 server id.
// Options split over several instances are joined first (RFC 3396).
package dhcp
