package sstp

import (
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
