package sstp

import (
	"bytes"
	"errors"
	"testing"
)

// fill puts an IPv4 (or other version) packet of n bytes at the batch's tail.
func fill(b *Batch, n int, version byte) {
	t := b.Tail()
	clear(t[:n])
	t[0] = version << 4
}

func TestBatchAdd(t *testing.T) {
	tests := []struct {
		name    string
		sizes   []int
		version byte
		wantErr error
		wantN   int
	}{
		{"one IPv4 packet", []int{1400}, 4, nil, 1},
		{"several", []int{1400, 40, 1400}, 4, nil, 3},
		{"IPv6", []int{1280}, 6, nil, 1},
		{"largest SSTP can carry", []int{MaxIPPacket}, 4, nil, 1},
		{"one byte too large", []int{MaxIPPacket + 1}, 4, errTooBig, 0},
		{"not IP", []int{100}, 5, errNotIP, 0},
		{"empty read", []int{0}, 4, errTooBig, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBatch()
			var err error
			for _, n := range tt.sizes {
				if n > 0 {
					fill(b, n, tt.version)
				}
				err = b.Add(n)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Add: %v, want %v", err, tt.wantErr)
			}
			if b.Len() != tt.wantN {
				t.Fatalf("Len %d, want %d", b.Len(), tt.wantN)
			}
			n, err := countData(b.Bytes())
			if err != nil || n != tt.wantN {
				t.Fatalf("countData = %d, %v; want %d", n, err, tt.wantN)
			}
		})
	}
}

// A batch stops taking packets before it outgrows one TLS record, and each
// packet in it is the one that was read, with its headers (MS-SSTP 2.2.3).
func TestBatchFillsOneRecord(t *testing.T) {
	b := NewBatch()
	for i := 0; b.Room(); i++ {
		fill(b, 1400, 4)
		b.Tail()[1] = byte(i)
		if err := b.Add(1400); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(b.Bytes()); got > BatchTarget || got+1408 <= BatchTarget {
		t.Fatalf("batch of %d bytes, want the most 1408-byte packets that fit in %d", got, BatchTarget)
	}
	for i, off := 0, 0; off < len(b.Bytes()); i++ {
		p := b.Bytes()[off : off+1408]
		want := []byte{0x10, 0x00, 0x05, 0x80, 0xff, 0x03, 0x00, 0x21, 0x40, byte(i)}
		if !bytes.Equal(p[:10], want) {
			t.Fatalf("packet %d starts % x, want % x", i, p[:10], want)
		}
		off += len(p)
	}
	b.Reset()
	if b.Len() != 0 || len(b.Bytes()) != 0 || !b.Room() {
		t.Fatal("Reset did not empty the batch")
	}
}

func TestCountData(t *testing.T) {
	one := []byte{0x10, 0, 0, 12, 0xff, 0x03, 0, 0x21, 0x45, 0, 0, 0}
	tests := []struct {
		name string
		in   []byte
		want int
		ok   bool
	}{
		{"empty", nil, 0, true},
		{"one", one, 1, true},
		{"two", append(append([]byte(nil), one...), one...), 2, true},
		{"truncated", one[:11], 0, false},
		{"trailing bytes", append(append([]byte(nil), one...), 0x10), 0, false},
		{"control packet", []byte{0x10, 1, 0, 8, 0, 1, 0, 0}, 0, false},
		{"bad version", []byte{0x20, 0, 0, 12, 0xff, 0x03, 0, 0x21, 0x45, 0, 0, 0}, 0, false},
		{"length below headers", []byte{0x10, 0, 0, 8, 0xff, 0x03, 0, 0x21}, 0, false},
		{"length zero", []byte{0x10, 0, 0, 0, 0xff, 0x03, 0, 0x21, 0x45}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := countData(tt.in)
			if (err == nil) != tt.ok || n != tt.want {
				t.Fatalf("countData = %d, %v; want %d, ok=%v", n, err, tt.want, tt.ok)
			}
		})
	}
}

// FuzzCountData: any input is either rejected or exactly tiled by data packets.
func FuzzCountData(f *testing.F) {
	f.Add([]byte{0x10, 0, 0, 12, 0xff, 0x03, 0, 0x21, 0x45, 0, 0, 0})
	f.Add([]byte{0x10, 0, 0, 9, 0xff, 0x03, 0, 0x57, 0x60, 0x10, 0, 0, 9, 0xff, 0x03, 0, 0x21, 0x45})
	f.Add([]byte{0x10, 1, 0, 8, 0, 1, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		n, err := countData(in)
		if err != nil {
			return
		}
		total := 0
		for off, i := 0, 0; i < n; i++ {
			l := int(in[off+2]&0x0f)<<8 | int(in[off+3])
			total += l
			off += l
		}
		if total != len(in) {
			t.Fatalf("%d packets cover %d of %d bytes", n, total, len(in))
		}
	})
}

func TestBatchDoesNotAllocate(t *testing.T) {
	b := NewBatch()
	allocs := testing.AllocsPerRun(100, func() {
		b.Reset()
		for b.Room() {
			fill(b, 1400, 4)
			if err := b.Add(1400); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := countData(b.Bytes()); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per batch, want 0", allocs)
	}
}
