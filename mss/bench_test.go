package mss_test

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/sstpgo/sstpgo/mss"
	"github.com/sstpgo/sstpgo/sstp"
)

// BenchmarkDataPathBatchClamp is sstp's BenchmarkDataPathBatch with the MSS
// clamp the daemon's TUN reader runs on each packet before Add: a burst of
// 1400-byte TCP segments (not SYNs: the case that must stay cheap). "off"
// is the same loop without the clamp.
func BenchmarkDataPathBatchClamp(b *testing.B) {
	b.Run("off", func(b *testing.B) { batchClamp(b, false) })
	b.Run("on", func(b *testing.B) { batchClamp(b, true) })
}

func batchClamp(b *testing.B, clamp bool) {
	batch := sstp.NewBatch()
	b.ReportAllocs()
	for b.Loop() {
		batch.Reset()
		for batch.Room() {
			p := batch.Tail()
			p[0], p[6], p[7], p[9], p[33] = 0x45, 0x40, 0, 6, 0x10 // IPv4 DF, TCP ACK
			if clamp {
				mss.Clamp(p[:1400], 1400)
			}
			if err := batch.Add(1400); err != nil {
				b.Fatal(err)
			}
		}
		io.Discard.Write(batch.Bytes())
	}
	b.SetBytes(int64(batch.Len() * 1400))
}

// BenchmarkDataPathDecapClamp is sstp's BenchmarkDataPathDecap with the
// clamp the daemon runs on each packet before the TUN write.
func BenchmarkDataPathDecapClamp(b *testing.B) {
	b.Run("off", func(b *testing.B) { decapClamp(b, false) })
	b.Run("on", func(b *testing.B) { decapClamp(b, true) })
}

func decapClamp(b *testing.B, clamp bool) {
	buf := make([]byte, sstp.Headroom+1400)
	p := buf[sstp.Headroom:]
	p[0], p[6], p[9], p[33] = 0x45, 0x40, 6, 0x10
	sstp.EncapIP(buf)
	rbuf := make([]byte, sstp.MaxPacketLen)
	b.ReportAllocs()
	b.SetBytes(1400)
	r := &reader{}
	for b.Loop() {
		r.b = buf
		pkt, err := sstp.ReadPacket(r, rbuf)
		if err != nil {
			b.Fatal(err)
		}
		ip, ok := sstp.DecapIP(pkt)
		if !ok {
			b.Fatal("not IP")
		}
		if clamp {
			mss.Clamp(ip, 1400)
		}
		io.Discard.Write(ip)
	}
}

type reader struct{ b []byte }

func (r *reader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// BenchmarkClampSYN: a SYN whose MSS is rewritten.
func BenchmarkClampSYN(b *testing.B) {
	pkt := make([]byte, 44)
	pkt[0], pkt[9], pkt[32], pkt[33] = 0x45, 6, 0x60, 0x02
	pkt[40], pkt[41] = 2, 4
	b.ReportAllocs()
	for b.Loop() {
		binary.BigEndian.PutUint16(pkt[42:], 1460)
		if !mss.Clamp(pkt, 1400) {
			b.Fatal("not clamped")
		}
	}
}
