package sstptest

import (
	"encoding/binary"
	"net/netip"
)

// echoReply answers an ICMP Echo Request (RFC 792) addressed to self with an Echo Reply, or
// returns nil for any other packet. Checksums are computed (RFC 791 3.1, RFC 1071).
func echoReply(pkt []byte, self netip.Addr) []byte {
	if len(pkt) < 20 || pkt[0]>>4 != 4 || pkt[9] != 1 {
		return nil
	}
	ihl := int(pkt[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(pkt[2:]))
	if ihl < 20 || total < ihl+8 || total > len(pkt) {
		return nil
	}
	if netip.AddrFrom4([4]byte(pkt[16:20])) != self || pkt[ihl] != 8 || pkt[ihl+1] != 0 {
		return nil
	}
	if binary.BigEndian.Uint16(pkt[6:])&0x3fff != 0 {
		return nil // a fragment: not worth reassembling in a test server
	}
	r := append([]byte(nil), pkt[:total]...)
	copy(r[12:16], pkt[16:20]) // source <- old destination
	copy(r[16:20], pkt[12:16]) // destination <- old source
	r[8] = 64                  // TTL
	r[10], r[11] = 0, 0
	binary.BigEndian.PutUint16(r[10:], checksum(r[:ihl]))
	icmp := r[ihl:]
	icmp[0] = 0 // Echo Reply
	icmp[2], icmp[3] = 0, 0
	binary.BigEndian.PutUint16(icmp[2:], checksum(icmp))
	return r
}

// checksum is the Internet checksum (RFC 1071): one's complement of the one's complement
// sum of 16-bit words, an odd last byte padded with zero.
func checksum(b []byte) uint16 {
	var sum uint32
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
