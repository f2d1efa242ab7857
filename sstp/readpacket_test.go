package sstp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// sliceReader is an io.Reader over a byte slice that never allocates and
// returns at most chunk bytes per Read (to exercise partial reads).
type sliceReader struct {
	b     []byte
	chunk int
}

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if r.chunk > 0 && len(p) > r.chunk {
		p = p[:r.chunk]
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func TestReadPacketStream(t *testing.T) {
	// An echo request, a data packet, a CALL_CONNECT_ACK, back to back, read
	// one byte at a time: each read returns exactly one packet.
	echo := unhex(t, "10 01 00 08 00 08 00 00")
	data := unhex(t, "10 00 00 0a ff 03 00 21 45 00")
	ack := unhex(t, goldenControl[1].hex)
	stream := bytes.Join([][]byte{echo, data, ack}, nil)
	for _, chunk := range []int{0, 1, 3} {
		r := &sliceReader{b: stream, chunk: chunk}
		buf := make([]byte, MaxPacketLen)
		for i, want := range [][]byte{echo, data, ack} {
			got, err := ReadPacket(r, buf)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("chunk %d packet %d: %x, %v; want %x", chunk, i, got, err, want)
			}
		}
		if _, err := ReadPacket(r, buf); err != io.EOF {
			t.Fatalf("chunk %d: at end err = %v, want io.EOF", chunk, err)
		}
	}
}

func TestReadPacketErrors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		buf  int
		err  error
	}{
		{name: "clean EOF", hex: "", err: io.EOF},
		{name: "EOF in header", hex: "10 00", err: io.ErrUnexpectedEOF},
		{name: "EOF in body", hex: "10 00 00 0a ff 03 00", err: io.ErrUnexpectedEOF},
		{name: "EOF in control body", hex: "10 01 00 08 00 08", err: io.ErrUnexpectedEOF},
		{name: "bad version", hex: "47 45 54 20 2f", err: ErrBadVersion},
		{name: "length 0", hex: "10 00 00 00", err: ErrBadLength},
		{name: "length 3", hex: "10 00 00 03 aa", err: ErrBadLength},
		{name: "control length 6", hex: "10 01 00 06 00 08", err: ErrBadLength},
		{name: "small buffer", hex: "10 01 00 08 00 08 00 00", buf: 1500, err: ErrShortBuffer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := MaxPacketLen
			if tc.buf != 0 {
				n = tc.buf
			}
			_, err := ReadPacket(&sliceReader{b: unhex(t, tc.hex)}, make([]byte, n))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

// ReadPacket must not read past the packet: the next bytes stay in r.
func TestReadPacketStopsAtLength(t *testing.T) {
	r := &sliceReader{b: unhex(t, "10 00 00 05 aa bb cc")}
	p, err := ReadPacket(r, make([]byte, MaxPacketLen))
	if err != nil || !bytes.Equal(p, unhex(t, "10 00 00 05 aa")) || !bytes.Equal(r.b, []byte{0xbb, 0xcc}) {
		t.Fatalf("got %x %v, left %x", p, err, r.b)
	}
}

func TestReadPacketNoAlloc(t *testing.T) {
	pkt := make([]byte, 1504)
	PutDataHeader(pkt, len(pkt))
	r := &sliceReader{}
	buf := make([]byte, MaxPacketLen)
	allocs := testing.AllocsPerRun(200, func() {
		r.b = pkt
		if _, err := ReadPacket(r, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("ReadPacket allocates %v times per packet", allocs)
	}
}

func FuzzReadPacket(f *testing.F) {
	f.Add(unhex(f, "10 01 00 08 00 08 00 00 10 00 00 05 aa"))
	f.Add(unhex(f, "10 00 00 0a ff 03 00 21 45 00"))
	f.Add(unhex(f, "10 00 0f ff"))
	f.Add(unhex(f, "10 01 00 06 00 08"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		r := &sliceReader{b: stream, chunk: 7}
		buf := make([]byte, MaxPacketLen)
		total := 0
		for {
			p, err := ReadPacket(r, buf)
			if err != nil {
				if err == io.EOF && total != len(stream) {
					t.Fatalf("io.EOF after %d of %d bytes", total, len(stream))
				}
				return
			}
			if _, n, err := ParseHeader(p); err != nil || n != len(p) {
				t.Fatalf("packet %x: header %d, %v", p, n, err)
			}
			if !bytes.Equal(p, stream[total:total+len(p)]) {
				t.Fatal("packet is not the next bytes of the stream")
			}
			total += len(p)
		}
	})
}

func BenchmarkReadPacket(b *testing.B) {
	b.ReportAllocs()
	pkt := make([]byte, 1408)
	PutDataHeader(pkt, len(pkt))
	r := &sliceReader{}
	buf := make([]byte, MaxPacketLen)
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		r.b = pkt
		if _, err := ReadPacket(r, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// packetReader returns what ReadPacket returns, packet for packet and error
// for error, whatever the record (chunk) boundaries.
func FuzzPacketReader(f *testing.F) {
	echo := []byte{0x10, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00}
	data := []byte{0x10, 0x00, 0x00, 0x0a, 0xff, 0x03, 0x00, 0x21, 0x45, 0x00}
	f.Add(byte(0), append(append([]byte(nil), echo...), data...))
	f.Add(byte(3), append(append([]byte(nil), data...), echo[:5]...))
	f.Add(byte(1), []byte{0x10, 0x00, 0x00, 0x02})
	f.Add(byte(7), []byte{0x11, 0x00, 0x00, 0x08, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, chunk byte, stream []byte) {
		ref := &sliceReader{b: stream, chunk: int(chunk)}
		buf := make([]byte, MaxPacketLen)
		pr := packetReader{br: bufio.NewReaderSize(&sliceReader{b: stream, chunk: int(chunk)}, 2*BatchTarget)}
		for i := 0; ; i++ {
			want, werr := ReadPacket(ref, buf)
			got, gerr := pr.next()
			if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
				t.Fatalf("packet %d: ReadPacket err %v, packetReader err %v", i, werr, gerr)
			}
			if werr != nil {
				return
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("packet %d: % x, want % x", i, got, want)
			}
		}
	})
}

// BenchmarkDecapInPlace: an SSTP data packet from the TLS read buffer to the
// IP packet, as the session's read loop does it (no copy after the buffer).
func BenchmarkDecapInPlace(b *testing.B) {
	pkt := make([]byte, Headroom+1400)
	pkt[Headroom] = 0x45
	EncapIP(pkt)
	stream := bytes.Repeat(pkt, 64)
	src := &sliceReader{b: stream}
	pr := packetReader{br: bufio.NewReaderSize(src, 2*BatchTarget)}
	b.ReportAllocs()
	b.SetBytes(1400)
	for b.Loop() {
		got, err := pr.next()
		if err == io.EOF {
			src.b, pr.last = stream, 0
			pr.br.Reset(src)
			got, err = pr.next()
		}
		if err != nil {
			b.Fatal(err)
		}
		ip, ok := DecapIP(got)
		if !ok {
			b.Fatal("not IP")
		}
		io.Discard.Write(ip)
	}
}
