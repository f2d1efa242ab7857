package ppp

import (
	"encoding/binary"
	"runtime"
	"testing"
	"time"
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestBoundedStateUnderHostileInput feeds a client 20,000 hostile packets of
// several kinds and checks that what it keeps does not grow with them: every
// list a peer can make longer is capped. (LCP's record of the offered
// Auth-Protocols grew by one string per request: +11 MB and quadratic time
// for 20,000 requests.)
func TestBoundedStateUnderHostileInput(t *testing.T) {
	const n = 20000
	lcpReq := func(i int, phase *fakeServer) []byte {
		// An unknown option makes the answer a Reject, so the Auth-Protocol
		// Nak is never counted and the link never gives up.
		v := make([]byte, 253)
		v[0], v[1] = 0xc2, 0x27
		binary.BigEndian.PutUint32(v[2:], uint32(i))
		opts := AppendOption(AppendOption(nil, 99, []byte{1}), lcpOptAuthProtocol, v)
		return AppendPacket(AppendFrame(nil, ProtoLCP), CodeConfigureRequest, uint8(i), opts)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) *fakeServer
		frame func(i int, s *fakeServer) []byte
	}{
		{name: "lcp requests with new auth protocols", setup: func(t *testing.T) *fakeServer {
			s := newFakeServer(t, Config{})
			s.silent = true
			s.start()
			return s
		}, frame: lcpReq},
		{name: "echo requests", setup: func(t *testing.T) *fakeServer {
			s := newFakeServer(t, Config{})
			s.start()
			return s
		}, frame: func(i int, _ *fakeServer) []byte {
			return AppendPacket(AppendFrame(nil, ProtoLCP), CodeEchoRequest, uint8(i), make([]byte, 1400))
		}},
		{name: "unknown protocols", setup: func(t *testing.T) *fakeServer {
			s := newFakeServer(t, Config{})
			s.start()
			return s
		}, frame: func(i int, _ *fakeServer) []byte {
			return AppendPacket(AppendFrame(nil, 0x8000|uint16(i&0x3fff)<<1), 1, 1, make([]byte, 1400))
		}},
		{name: "eap requests of unknown types", setup: func(t *testing.T) *fakeServer {
			s := newFakeServer(t, Config{Auth: []AuthMethod{AuthEAP}})
			s.offer, s.holdAuth = []AuthMethod{AuthEAP}, true
			s.start()
			return s
		}, frame: func(i int, _ *fakeServer) []byte {
			return AppendPacket(AppendFrame(nil, ProtoEAP), eapRequest, uint8(i), append([]byte{byte(100 + i%100)}, make([]byte, 1000)...))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.setup(t)
			if _, down := findEvent(s.events, EventDown); down {
				t.Fatalf("down before the flood: %v", downErr(t, s))
			}
			before := heapInUse()
			start := time.Now()
			for i := range n {
				s.c.Input(s.now, tt.frame(i, s))
				s.c.Output()
				s.c.Events()
			}
			took := time.Since(start)
			after := heapInUse()
			grown := int64(after) - int64(before)
			t.Logf("%d packets: heap %+d bytes, %v", n, grown, took)
			if s.c.Phase() == PhaseDead {
				t.Logf("(the link went down during the flood)")
			}
			if grown > 256<<10 {
				t.Errorf("live heap grew by %d bytes over %d packets", grown, n)
			}
			if l := len(s.c.lcpH.offered); l > maxOffered {
				t.Errorf("%d offered auth protocols kept", l)
			}
			runtime.KeepAlive(s)
		})
	}
}
