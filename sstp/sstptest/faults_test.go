package sstptest

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// afterConnectRequest runs HTTP and sends the Connect Request.
func afterConnectRequest(t *testing.T, c *rawClient) {
	t.Helper()
	c.sendHTTP()
	if err := c.readHTTP(); err != nil {
		t.Fatalf("HTTP: %v", err)
	}
	c.sendConnectRequest()
}

func TestFaults(t *testing.T) {
	t.Parallel()
	const quiet = 300 * time.Millisecond // "nothing comes": a negative check only
	for _, tc := range []struct {
		fault Fault
		check func(t *testing.T, srv *Server, c *rawClient)
	}{
		{FaultHTTP302, func(t *testing.T, srv *Server, c *rawClient) {
			c.sendHTTP()
			var he *sstp.HTTPError
			if err := c.readHTTP(); !errors.As(err, &he) || he.Code != 302 || he.Location == "" {
				t.Fatalf("got %v", err)
			}
		}},
		{FaultHTTP401, func(t *testing.T, srv *Server, c *rawClient) {
			c.sendHTTP()
			var he *sstp.HTTPError
			if err := c.readHTTP(); !errors.As(err, &he) || he.Code != 401 {
				t.Fatalf("got %v", err)
			}
		}},
		{FaultHTTP500, func(t *testing.T, srv *Server, c *rawClient) {
			c.sendHTTP()
			var he *sstp.HTTPError
			if err := c.readHTTP(); !errors.As(err, &he) || he.Code != 500 {
				t.Fatalf("got %v", err)
			}
		}},
		{FaultEndlessHeader, func(t *testing.T, srv *Server, c *rawClient) {
			c.sendHTTP()
			if err := c.readHTTP(); !errors.Is(err, sstp.ErrHTTPHeaderTooLong) {
				t.Fatalf("got %v", err)
			}
		}},
		{FaultSilent, func(t *testing.T, srv *Server, c *rawClient) {
			c.sendHTTP()
			c.conn.SetReadDeadline(time.Now().Add(quiet))
			if _, err := c.br.ReadByte(); !isTimeout(err) {
				t.Fatalf("got %v, want silence", err)
			}
		}},
		{FaultNoConnectAck, func(t *testing.T, srv *Server, c *rawClient) {
			afterConnectRequest(t, c)
			if _, err := c.readPacket(quiet); !isTimeout(err) {
				t.Fatalf("got %v, want silence", err)
			}
		}},
		{FaultConnectNak, func(t *testing.T, srv *Server, c *rawClient) {
			afterConnectRequest(t, c)
			for range 5 { // Nak'ed every time, never aborted
				nak := c.mustControl()
				si, err := sstp.ParseStatusInfo(nak.Attrs[0].Value)
				if nak.Type != sstp.MsgCallConnectNak || err != nil || si.Status != sstp.StatusValueNotSupported {
					t.Fatalf("got %+v %+v %v", nak, si, err)
				}
				c.sendConnectRequest()
			}
		}},
		{FaultTruncatedPacket, func(t *testing.T, srv *Server, c *rawClient) {
			afterConnectRequest(t, c)
			if _, err := c.readPacket(5 * time.Second); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("got %v, want a truncated packet", err)
			}
		}},
		{FaultLengthTooLong, func(t *testing.T, srv *Server, c *rawClient) {
			afterConnectRequest(t, c)
			var hdr [4]byte
			c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c.br, hdr[:]); err != nil {
				t.Fatal(err)
			}
			if n := binary.BigEndian.Uint16(hdr[2:]) & 0xfff; n != 4095 {
				t.Fatalf("length %d, want 4095", n)
			}
			c.conn.SetReadDeadline(time.Now().Add(quiet))
			n, err := io.ReadFull(c.br, make([]byte, 4091))
			if n != 44 || !isTimeout(err) {
				t.Fatalf("read %d bytes, %v; want 44 then silence", n, err)
			}
		}},
		{FaultBadVersion, func(t *testing.T, srv *Server, c *rawClient) {
			afterConnectRequest(t, c)
			if _, err := c.readPacket(5 * time.Second); !errors.Is(err, sstp.ErrBadVersion) {
				t.Fatalf("got %v", err)
			}
		}},
		{FaultUnknownMessage, func(t *testing.T, srv *Server, c *rawClient) {
			afterConnectRequest(t, c)
			if ctl := c.mustControl(); ctl.Type.Known() {
				t.Fatalf("got known %s", ctl.Type)
			}
		}},
		{FaultBadAttrLength, func(t *testing.T, srv *Server, c *rawClient) {
			afterConnectRequest(t, c)
			pkt, err := c.readPacket(5 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sstp.ParseControl(pkt); !errors.Is(err, sstp.ErrAttrLength) {
				t.Fatalf("got %v", err)
			}
		}},
		{FaultLCPNeverConverges, func(t *testing.T, srv *Server, c *rawClient) {
			c.connect()
			c.readPPP(ppp.ProtoLCP) // the server's request
			var last []byte
			for range 5 {
				id := c.nextID()
				c.sendPPP(ppp.ProtoLCP, ppp.CodeConfigureRequest, id, last)
				nak := c.readPPP(ppp.ProtoLCP)
				if nak.Code != ppp.CodeConfigureNak || nak.ID != id || string(nak.Data) == string(last) {
					t.Fatalf("want a fresh Nak, got %+v after % x", nak, last)
				}
				last = nak.Data
			}
		}},
		{FaultAbortAfterConnect, func(t *testing.T, srv *Server, c *rawClient) {
			c.up(srv)
			for {
				pkt, err := c.readPacket(5 * time.Second)
				if err != nil {
					t.Fatalf("want CALL_ABORT, got %v", err)
				}
				if ctl, err := sstp.ParseControl(pkt); err == nil && ctl.Type == sstp.MsgCallAbort {
					break
				}
			}
			if s := waitDone(t, srv); !errors.Is(s.Err, ErrFault) {
				t.Errorf("Err %v", s.Err)
			}
		}},
		{FaultDropEchoes, func(t *testing.T, srv *Server, c *rawClient) {
			c.up(srv)
			c.sendControl(sstp.MsgEchoRequest)
			if _, err := c.readPacket(quiet); !isTimeout(err) {
				t.Fatalf("got %v, want no echo response", err)
			}
		}},
		{FaultStopReading, func(t *testing.T, srv *Server, c *rawClient) {
			c.up(srv)
			c.sendControl(sstp.MsgEchoRequest)
			if _, err := c.readPacket(quiet); !isTimeout(err) {
				t.Fatalf("got %v, want silence", err)
			}
			// Writes eventually block: the server does not read.
			b := make([]byte, 0, 64<<10)
			for len(b)+4000 < cap(b) {
				pkt := make([]byte, 4000)
				sstp.PutDataHeader(pkt, len(pkt))
				b = append(b, pkt...)
			}
			var err error
			for i := 0; i < 4096 && err == nil; i++ { // up to 256 MB
				c.conn.SetWriteDeadline(time.Now().Add(quiet))
				_, err = c.conn.Write(b)
			}
			if !isTimeout(err) {
				t.Fatalf("write: %v, want a blocked write", err)
			}
		}},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			srv := newTestServer(t, Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthPAP}, Fault: tc.fault})
			c := dialRaw(t, srv)
			tc.check(t, srv, c)
		})
	}
}

func TestFaultNamesRoundTrip(t *testing.T) {
	for _, f := range Faults() {
		g, err := ParseFault(f.String())
		if err != nil || g != f {
			t.Errorf("%d: %q -> %v %v", f, f.String(), g, err)
		}
	}
	for _, p := range []Personality{RRAS, SoftEther, Generic} {
		if q, err := ParsePersonality(p.String()); err != nil || q != p {
			t.Errorf("%v: %v %v", p, q, err)
		}
	}
	if _, err := ParseFault("nope"); err == nil {
		t.Error("ParseFault accepted an unknown name")
	}
}

// TestCloseLeavesNoGoroutines closes a server with live sessions in every kind of wait.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, f := range []Fault{FaultNone, FaultSilent, FaultEndlessHeader, FaultStopReading, FaultNoConnectAck} {
		srv := NewServer(Options{Personality: Generic, Auth: []ppp.AuthMethod{ppp.AuthPAP}, Fault: f})
		c := dialRaw(t, srv)
		switch f {
		case FaultNone, FaultStopReading:
			c.up(srv)
		case FaultNoConnectAck:
			afterConnectRequest(t, c)
		default:
			c.sendHTTP()
		}
		idle := dialRaw(t, srv) // connected, never completes the TLS handshake from its side
		_ = idle
		srv.Close()
		srv.Close() // idempotent
		for _, s := range srv.Sessions() {
			if !s.Done {
				t.Errorf("%s: session %d not done after Close", f, s.ID)
			}
		}
	}
	var after int
	for range 100 {
		if after = runtime.NumGoroutine(); after <= before {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("goroutines: %d before, %d after Close\n%s", before, after, buf[:runtime.Stack(buf, true)])
}
