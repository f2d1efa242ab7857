package sstp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ReadPacket reads exactly one SSTP packet from r into buf and returns
// buf[:length]. len(buf) must be at least MaxPacketLen. It reads the 4-byte
// header, checks it (ParseHeader), then reads the rest with io.ReadFull, so it
// never reads past the packet. It does not allocate on success.
//
// A stream that ends cleanly before a packet starts gives io.EOF; one that
// ends inside a packet gives a wrapped io.ErrUnexpectedEOF. The returned
// packet aliases buf and is valid until buf is reused.
func ReadPacket(r io.Reader, buf []byte) (pkt []byte, err error) {
	if len(buf) < MaxPacketLen {
		return nil, ErrShortBuffer
	}
	if _, err := io.ReadFull(r, buf[:HeaderLen]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("sstp: stream ended inside a packet header: %w", err)
		}
		return nil, err
	}
	_, n, err := ParseHeader(buf)
	if err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(r, buf[HeaderLen:n]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("sstp: reading %d-byte packet: %w", n, err)
	}
	return buf[:n], nil
}

// packetReader returns SSTP packets straight out of a bufio.Reader's buffer:
// what ReadPacket checks, without copying the packet a second time after
// crypto/tls has decrypted it into that buffer. A packet stays valid until
// the next call to next, which discards it first. Only a packet that
// straddles two TLS records is moved, when the buffer is refilled.
type packetReader struct {
	br   *bufio.Reader // larger than MaxPacketLen
	last int           // length of the packet next returned last, still buffered
}

func (r *packetReader) next() ([]byte, error) {
	if r.last > 0 {
		r.br.Discard(r.last)
		r.last = 0
	}
	hdr, err := r.br.Peek(HeaderLen)
	if err != nil {
		if len(hdr) > 0 && errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("sstp: stream ended inside a packet header: %w", io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	_, n, err := ParseHeader(hdr)
	if err != nil {
		return nil, err
	}
	pkt, err := r.br.Peek(n)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("sstp: reading %d-byte packet: %w", n, err)
	}
	r.last = n
	return pkt, nil
}

// drained reports whether nothing is buffered beyond the packet next
// returned last: the end of a TLS record, or of what the peer has sent.
func (r *packetReader) drained() bool { return r.br.Buffered() == r.last }
