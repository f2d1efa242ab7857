package mss

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// tcpSYN builds an IPv4 (or IPv6) TCP SYN whose options are opts, with a
// correct checksum.
func tcpSYN(v6 bool, flags byte, opts []byte) []byte {
	doff := 20 + len(opts)
	tcp := make([]byte, doff+10) // 10 bytes of payload
	binary.BigEndian.PutUint16(tcp[0:], 40000)
	binary.BigEndian.PutUint16(tcp[2:], 445)
	tcp[12] = byte(doff/4) << 4
	tcp[13] = flags
	copy(tcp[20:], opts)
	var pkt []byte
	if v6 {
		pkt = make([]byte, 40)
		pkt[0] = 0x60
		binary.BigEndian.PutUint16(pkt[4:], uint16(len(tcp)))
		pkt[6], pkt[7] = 6, 64
		s, d := netip.MustParseAddr("fd00::2").As16(), netip.MustParseAddr("fd00:50::2").As16()
		copy(pkt[8:], s[:])
		copy(pkt[24:], d[:])
	} else {
		pkt = []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 192, 168, 77, 2, 172, 16, 50, 2}
		binary.BigEndian.PutUint16(pkt[2:], uint16(20+len(tcp)))
	}
	pkt = append(pkt, tcp...)
	setChecksum(pkt)
	return pkt
}

// tcpChecksum computes the TCP checksum of pkt from scratch (RFC 9293 3.1),
// with the checksum field taken as zero.
func tcpChecksum(pkt []byte) uint16 {
	var acc uint32
	add := func(b []byte) {
		for ; len(b) >= 2; b = b[2:] {
			acc += uint32(b[0])<<8 | uint32(b[1])
		}
		if len(b) == 1 {
			acc += uint32(b[0]) << 8
		}
	}
	var tcp []byte
	if pkt[0]>>4 == 4 {
		tcp = pkt[20:]
		add(pkt[12:20])
	} else {
		tcp = pkt[40:]
		add(pkt[8:40])
	}
	acc += 6 + uint32(len(tcp))
	add(tcp[:16])
	add(tcp[18:])
	for acc > 0xffff {
		acc = acc>>16 + acc&0xffff
	}
	return ^uint16(acc)
}

func setChecksum(pkt []byte) {
	off := 20
	if pkt[0]>>4 == 6 {
		off = 40
	}
	binary.BigEndian.PutUint16(pkt[off+16:], tcpChecksum(pkt))
}

func mssOf(pkt []byte, at int) int {
	off := 20
	if pkt[0]>>4 == 6 {
		off = 40
	}
	return int(binary.BigEndian.Uint16(pkt[off+20+at:]))
}

func TestClamp(t *testing.T) {
	const mtu = 1400
	mss1460 := []byte{2, 4, 0x05, 0xb4}
	cases := []struct {
		name    string
		v6      bool
		flags   byte
		opts    []byte
		at      int // offset of the MSS value in the options
		changed bool
		want    int
	}{
		{"v4 SYN 1460 -> 1360", false, 0x02, mss1460, 2, true, 1360},
		{"v4 SYN-ACK", false, 0x12, mss1460, 2, true, 1360},
		{"v6 SYN 1440 -> 1340", true, 0x02, []byte{2, 4, 0x05, 0xa0}, 2, true, 1340},
		{"v4 odd offset after a NOP", false, 0x02, []byte{1, 2, 4, 0x05, 0xb4, 1, 1, 1}, 3, true, 1360},
		{"v4 after SACK-permitted and timestamps", false, 0x02,
			[]byte{4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 2, 4, 0x23, 0x28, 0, 0, 0}, 15, true, 1360},
		{"already small", false, 0x02, []byte{2, 4, 0x05, 0x00}, 2, false, 1280},
		{"exactly the limit", false, 0x02, []byte{2, 4, 0x05, 0x50}, 2, false, 1360},
		{"not a SYN", false, 0x10, mss1460, 2, false, 1460},
		{"after End of Options", false, 0x02, []byte{0, 0, 0, 0, 2, 4, 0x05, 0xb4}, 6, false, 1460},
		{"option length past the header", false, 0x02, []byte{1, 1, 1, 8, 2, 4, 5, 0xb4}, 6, false, 1460},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkt := tcpSYN(c.v6, c.flags, c.opts)
			if got := Clamp(pkt, mtu); got != c.changed {
				t.Errorf("Clamp = %v, want %v", got, c.changed)
			}
			if got := mssOf(pkt, c.at); got != c.want {
				t.Errorf("MSS %d, want %d", got, c.want)
			}
			off := 20
			if c.v6 {
				off = 40
			}
			if got, want := binary.BigEndian.Uint16(pkt[off+16:]), tcpChecksum(pkt); got != want {
				t.Errorf("checksum %#04x, recomputed %#04x", got, want)
			}
		})
	}
}

func TestClampIgnores(t *testing.T) {
	syn := tcpSYN(false, 0x02, []byte{2, 4, 0x05, 0xb4})
	frag := append([]byte(nil), syn...)
	frag[7] = 10 // fragment offset 80
	udp := append([]byte(nil), syn...)
	udp[9] = 17
	for name, pkt := range map[string][]byte{
		"fragment": frag, "udp": udp, "short": syn[:39], "nil": nil,
		"bad ihl": append([]byte{0x4f}, syn[1:]...), "v5": append([]byte{0x55}, syn[1:]...),
	} {
		before := string(pkt)
		if Clamp(pkt, 1400) || string(pkt) != before {
			t.Errorf("%s: changed", name)
		}
	}
	if Clamp(tcpSYN(false, 0x02, []byte{2, 4, 0x05, 0xb4}), 30) {
		t.Error("an MTU below the headers clamps")
	}
}

// Clamping allocates nothing, SYN or not.
func TestClampDoesNotAllocate(t *testing.T) {
	syn := tcpSYN(false, 0x02, []byte{2, 4, 0x05, 0xb4})
	data := tcpSYN(false, 0x10, nil)
	if n := testing.AllocsPerRun(1000, func() {
		binary.BigEndian.PutUint16(syn[42:], 1460)
		Clamp(syn, 1400)
		Clamp(data, 1400)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// Whatever the packet, Clamp does not panic, and a packet whose TCP checksum
// was right before is right after.
func FuzzClamp(f *testing.F) {
	f.Add(tcpSYN(false, 0x02, []byte{2, 4, 0x05, 0xb4}), uint16(1400))
	f.Add(tcpSYN(true, 0x12, []byte{1, 2, 4, 0xff, 0xff, 1, 1, 1}), uint16(1280))
	f.Fuzz(func(t *testing.T, pkt []byte, mtu uint16) {
		ok := false
		if len(pkt) >= 40 && (pkt[0] == 0x45 && len(pkt) == int(binary.BigEndian.Uint16(pkt[2:])) ||
			pkt[0]>>4 == 6 && len(pkt) >= 60 && len(pkt) == 40+int(binary.BigEndian.Uint16(pkt[4:]))) {
			off := 20
			if pkt[0]>>4 == 6 {
				off = 40
			}
			ok = binary.BigEndian.Uint16(pkt[off+16:]) == tcpChecksum(pkt)
		}
		if Clamp(pkt, int(mtu)) && ok {
			off := 20
			if pkt[0]>>4 == 6 {
				off = 40
			}
			if got, want := binary.BigEndian.Uint16(pkt[off+16:]), tcpChecksum(pkt); got != want {
				t.Fatalf("checksum %#04x after clamping, recomputed %#04x", got, want)
			}
		}
	})
}

// Random SYNs (MSS at every alignment, random payload and MTU): the
// incremental checksum always equals one computed from scratch.
func TestClampChecksumRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		nops := r.IntN(4)
		opts := make([]byte, 0, 12)
		for range nops {
			opts = append(opts, 1)
		}
		opts = append(opts, 2, 4, byte(r.IntN(256)), byte(r.IntN(256)))
		for len(opts)%4 != 0 {
			opts = append(opts, 1)
		}
		pkt := tcpSYN(r.IntN(2) == 1, 0x02, opts)
		for j := len(pkt) - 10; j < len(pkt); j++ {
			pkt[j] = byte(r.IntN(256))
		}
		setChecksum(pkt)
		Clamp(pkt, 100+r.IntN(1500))
		off := 20
		if pkt[0]>>4 == 6 {
			off = 40
		}
		if got, want := binary.BigEndian.Uint16(pkt[off+16:]), tcpChecksum(pkt); got != want {
			t.Fatalf("case %d: checksum %#04x, recomputed %#04x (% x)", i, got, want, pkt)
		}
	}
}
