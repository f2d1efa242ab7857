package sstp

// BatchTarget is the plaintext size of one full TLS record (2^14 bytes,
// RFC 8446 5.1, RFC 5246 6.2.1): a batch up to this size leaves as one record.
const BatchTarget = 16384

// Batch gathers IP packets, each already wrapped as an SSTP data packet
// (MS-SSTP 2.2.3: 4-byte header, then the PPP frame FF 03 + protocol), so
// that a burst read from the TUN device costs one TLS record and one write(2)
// instead of one per packet. Packets are read straight into place: nothing is
// copied and nothing is allocated after NewBatch.
type Batch struct {
	buf     []byte // the encapsulated packets gathered so far
	n       int    // how many
	largest int    // the largest IP packet so far, to judge whether one more fits
}

// NewBatch returns an empty batch. Its one buffer holds BatchTarget bytes
// plus a packet of up to MaxPacketLen+1 bytes, so a packet too large for SSTP
// is seen as such instead of being cut short by the read.
func NewBatch() *Batch {
	return &Batch{buf: make([]byte, 0, BatchTarget+Headroom+MaxPacketLen+1)}
}

// Tail is the space to read the next IP packet into; after the read, Add(n).
func (b *Batch) Tail() []byte {
	return b.buf[len(b.buf)+Headroom : cap(b.buf)]
}

// Add takes the n-byte packet just read into Tail into the batch, writing its
// headers in front of it. A packet that SSTP cannot carry (not IPv4/IPv6,
// larger than MaxIPPacket) is left out and its error returned.
func (b *Batch) Add(n int) error {
	end := len(b.buf) + Headroom + n
	if n <= 0 || end > cap(b.buf) {
		return errTooBig
	}
	if err := EncapIP(b.buf[len(b.buf):end]); err != nil {
		return err
	}
	b.buf = b.buf[:end]
	b.n++
	b.largest = max(b.largest, n)
	return nil
}

// Room reports whether a packet as large as the largest one so far still
// fits in the batch without going past BatchTarget.
func (b *Batch) Room() bool {
	return len(b.buf)+Headroom+b.largest <= BatchTarget
}

// Bytes returns the gathered SSTP data packets, ready for Session.SendBatch.
func (b *Batch) Bytes() []byte { return b.buf }

// Len returns the number of packets in the batch.
func (b *Batch) Len() int { return b.n }

// Reset empties the batch, keeping its buffer.
func (b *Batch) Reset() {
	b.buf, b.n, b.largest = b.buf[:0], 0, 0
}
