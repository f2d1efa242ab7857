package sstp

import (
	"errors"

	"github.com/sstpgo/sstpgo/ppp"
)

// SendIP sends one IP packet that starts at buf[Headroom:]; the header is
// written in place, so the whole buffer goes out in one TLS write and
// nothing is allocated. buf may be reused when SendIP returns.
func (s *Session) SendIP(buf []byte) error {
	if !s.netUp.Load() {
		return ErrNotUp
	}
	if err := EncapIP(buf); err != nil {
		return err
	}
	s.wmu.Lock()
	_, err := s.conn.Write(buf)
	s.wmu.Unlock()
	s.writes.Add(1)
	if err != nil {
		return err
	}
	s.pktsOut.Add(1)
	s.bytesOut.Add(uint64(len(buf) - Headroom))
	return nil
}

// SendBatch sends SSTP data packets already encapsulated (by EncapIP or a
// Batch) back to back in buf, in one TLS write: a burst of packets costs one
// record (up to 2^14 bytes) and one write(2). Every packet header is checked
// first, so a malformed batch cannot desynchronise the stream; nothing is
// allocated. buf may be reused when SendBatch returns.
func (s *Session) SendBatch(buf []byte) error {
	if !s.netUp.Load() {
		return ErrNotUp
	}
	pkts, err := countData(buf)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	_, err = s.conn.Write(buf)
	s.wmu.Unlock()
	s.writes.Add(1)
	if err != nil {
		return err
	}
	s.pktsOut.Add(uint64(pkts))
	s.bytesOut.Add(uint64(len(buf) - pkts*Headroom))
	return nil
}

// countData walks back-to-back SSTP data packets (MS-SSTP 2.2.3) that each
// carry a PPP header, and counts them.
func countData(buf []byte) (int, error) {
	n := 0
	for off := 0; off < len(buf); n++ {
		b := buf[off:]
		if len(b) <= Headroom || b[0] != Version || b[1]&1 != 0 {
			return 0, errBadBatch
		}
		l := int(b[2]&0x0f)<<8 | int(b[3])
		if l <= Headroom || l > len(b) {
			return 0, errBadBatch
		}
		off += l
	}
	return n, nil
}

// EncapIP writes the SSTP data header and the PPP header (FF 03 + protocol,
// from the IP version) into buf[:Headroom] for the packet at buf[Headroom:].
func EncapIP(buf []byte) error {
	n := len(buf)
	if n <= Headroom || n > MaxPacketLen {
		return errTooBig
	}
	var proto uint16
	switch buf[Headroom] >> 4 {
	case 4:
		proto = ppp.ProtoIPv4
	case 6:
		proto = ppp.ProtoIPv6
	default:
		return errNotIP
	}
	PutDataHeader(buf, n)
	buf[4], buf[5], buf[6], buf[7] = 0xff, 0x03, byte(proto>>8), byte(proto)
	return nil
}

// DecapIP returns the IP packet carried by an SSTP data packet, or ok=false
// for anything else (control packets, PPP control frames).
func DecapIP(pkt []byte) (ip []byte, ok bool) {
	if len(pkt) <= HeaderLen || pkt[1]&1 != 0 {
		return nil, false
	}
	proto, payload, err := ppp.ParseFrame(pkt[HeaderLen:])
	if err != nil || (proto != ppp.ProtoIPv4 && proto != ppp.ProtoIPv6) {
		return nil, false
	}
	return payload, true
}

var (
	errTooBig = errors.New("packet too large for one SSTP data packet")
	errNotIP  = errors.New("not an IPv4 or IPv6 packet")
	// errBadBatch: SendBatch was given bytes that are not whole SSTP data packets.
	errBadBatch = errors.New("batch is not a sequence of whole SSTP data packets")
)
