// Package mss clamps the TCP Maximum Segment Size option of SYNs crossing
// the tunnel so both ends send segments that fit its MTU, whatever ICMP
// "fragmentation needed" the path drops (the PMTU black hole that stalls SMB
// and RDP over VPNs). It is what iptables' TCPMSS --clamp-mss-to-pmtu and
// OpenWrt's mtu_fix do, in sstpgo's own data path, so it works on every
// platform without firewall rules. Nothing is allocated.
package mss

import "encoding/binary"

// Header overheads: IPv4 (20) or IPv6 (40) and TCP (20) without options,
// as RFC 879 and RFC 8200 section 8.3 define the MSS.
const (
	overhead4 = 40
	overhead6 = 60
)

// Clamp lowers the MSS option of a TCP SYN (or SYN-ACK) in the IPv4 or IPv6
// packet pkt to what an mtu-sized packet carries, fixing the TCP checksum
// incrementally (RFC 1624), and reports whether it changed pkt. Anything else
// (not TCP, not a SYN, no MSS option, already small enough, a fragment,
// IPv6 with extension headers, malformed) is left as it is.
func Clamp(pkt []byte, mtu int) bool {
	if len(pkt) < 40 {
		return false
	}
	var tcp []byte
	var limit int
	switch pkt[0] >> 4 {
	case 4:
		ihl := int(pkt[0]&0x0f) * 4
		if pkt[9] != 6 || ihl < 20 || binary.BigEndian.Uint16(pkt[6:])&0x1fff != 0 || len(pkt) < ihl+20 {
			return false
		}
		tcp, limit = pkt[ihl:], mtu-overhead4
	case 6:
		if pkt[6] != 6 || len(pkt) < 60 {
			return false
		}
		tcp, limit = pkt[40:], mtu-overhead6
	default:
		return false
	}
	if tcp[13]&0x02 == 0 || limit <= 0 { // SYN
		return false
	}
	doff := int(tcp[12]>>4) * 4
	if doff < 20 || doff > len(tcp) {
		return false
	}
	for i := 20; i < doff; {
		switch kind := tcp[i]; kind {
		case 0: // End of Option List
			return false
		case 1: // No-Operation
			i++
			continue
		}
		if i+1 >= doff || tcp[i+1] < 2 || i+int(tcp[i+1]) > doff {
			return false
		}
		if tcp[i] == 2 && tcp[i+1] == 4 { // RFC 9293 3.2: Maximum Segment Size, length 4
			old := binary.BigEndian.Uint16(tcp[i+2:])
			if int(old) <= limit {
				return false
			}
			binary.BigEndian.PutUint16(tcp[i+2:], uint16(limit))
			fixChecksum(tcp[16:18], old, uint16(limit), (i+2)%2 == 1)
			return true
		}
		i += int(tcp[i+1])
	}
	return false
}

// fixChecksum updates the checksum at c for a 16-bit field changed from old
// to new: HC' = ~(~HC + ~m + m') (RFC 1624 section 3, eqn. 3). A field at an
// odd offset from the header's start adds its bytes swapped to the sum
// (RFC 1071 section 2(B): byte order independence).
func fixChecksum(c []byte, old, new uint16, odd bool) {
	if odd {
		old, new = old<<8|old>>8, new<<8|new>>8
	}
	sum := uint32(^binary.BigEndian.Uint16(c)) + uint32(^old) + uint32(new)
	sum = sum>>16 + sum&0xffff
	sum = sum>>16 + sum&0xffff
	binary.BigEndian.PutUint16(c, ^uint16(sum))
}
