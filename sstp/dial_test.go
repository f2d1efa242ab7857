package sstp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeConn is a connection from the stub dialer; it only records Close.
type fakeConn struct {
	net.Conn
	addr   string
	mu     sync.Mutex
	closed bool
}

func (c *fakeConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}

func (c *fakeConn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// behaviour of one address in the stub network.
type behaviour struct {
	after time.Duration // answer (connect or fail) after this long
	fail  bool
	hole  bool // never answers: waits for the context
	deaf  bool // ignores the context: connects even after a cancel
}

// stubNet is a dialer whose addresses behave as told; it records the dials
// with their (fake) start times.
type stubNet struct {
	start time.Time
	addrs map[string]behaviour
	mu    sync.Mutex
	dials []string
	conns []*fakeConn
}

func (n *stubNet) dial(ctx context.Context, _, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.dials = append(n.dials, addr+"@"+time.Since(n.start).String())
	n.mu.Unlock()
	b, ok := n.addrs[addr]
	if !ok {
		return nil, errors.New("no route to " + addr)
	}
	if b.hole {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	t := time.NewTimer(b.after)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		if !b.deaf {
			return nil, ctx.Err()
		}
		<-t.C
	}
	if b.fail {
		return nil, errors.New("connection refused by " + addr)
	}
	c := &fakeConn{addr: addr}
	n.mu.Lock()
	n.conns = append(n.conns, c)
	n.mu.Unlock()
	return c, nil
}

// RFC 8305 style racing, in fake time (testing/synctest): the first family
// starts, the other joins after FallbackDelay or as soon as the first fails.
func TestDialAnyHappyEyeballs(t *testing.T) {
	const v6, v6b, v4 = "[2001:db8::1]:443", "[2001:db8::2]:443", "192.0.2.1:443"
	addrs := []netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("192.0.2.1")}
	ms := time.Millisecond
	tests := []struct {
		name      string
		net       map[string]behaviour
		addrs     []netip.Addr
		wantAddr  string
		wantDials []string // "addr@start"
		wantErr   string
		wantAt    time.Duration // when dialAny returns
		closed    []string      // connections the race must have closed
	}{
		{name: "v6 answers at once", net: map[string]behaviour{v6: {after: 10 * ms}, v4: {after: 10 * ms}},
			wantAddr: v6, wantDials: []string{v6 + "@0s"}, wantAt: 10 * ms},
		{name: "v6 black hole, v4 after 250ms", net: map[string]behaviour{v6: {hole: true}, v6b: {hole: true}, v4: {after: 20 * ms}},
			wantAddr: v4, wantDials: []string{v6 + "@0s", v4 + "@250ms"}, wantAt: 270 * ms},
		{name: "v6 refused, v4 at once", net: map[string]behaviour{v6: {after: 5 * ms, fail: true}, v6b: {after: 5 * ms, fail: true}, v4: {after: 20 * ms}},
			wantAddr: v4, wantDials: []string{v6 + "@0s", v6b + "@5ms", v4 + "@10ms"}, wantAt: 30 * ms},
		{name: "slow v6 loses and is closed", net: map[string]behaviour{v6: {after: 300 * ms}, v4: {after: 10 * ms}},
			wantAddr: v4, wantDials: []string{v6 + "@0s", v4 + "@250ms"}, wantAt: 260 * ms},
		{name: "a loser that connects anyway is closed", net: map[string]behaviour{v6: {after: 300 * ms, deaf: true}, v4: {after: 10 * ms}},
			wantAddr: v4, wantDials: []string{v6 + "@0s", v4 + "@250ms"}, wantAt: 300 * ms, closed: []string{v6}},
		{name: "v4 only", addrs: addrs[2:], net: map[string]behaviour{v4: {after: 10 * ms}},
			wantAddr: v4, wantDials: []string{v4 + "@0s"}, wantAt: 10 * ms},
		{name: "all fail, first family's error", net: map[string]behaviour{v6: {after: 5 * ms, fail: true}, v6b: {after: 5 * ms, fail: true}, v4: {after: 5 * ms, fail: true}},
			wantErr: "refused by " + v6, wantDials: []string{v6 + "@0s", v6b + "@5ms", v4 + "@10ms"}, wantAt: 15 * ms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := &stubNet{start: time.Now(), addrs: tc.net}
				a := addrs
				if tc.addrs != nil {
					a = tc.addrs
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				c, err := dialAny(ctx, n.dial, a, "443", 0)
				at := time.Since(n.start)
				synctest.Wait()
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("got %v, %v; want error %q", c, err, tc.wantErr)
					}
				} else if err != nil || c.(*fakeConn).addr != tc.wantAddr {
					t.Fatalf("got %v, %v; want a connection to %s", c, err, tc.wantAddr)
				}
				if at != tc.wantAt {
					t.Errorf("returned after %v, want %v", at, tc.wantAt)
				}
				if strings.Join(n.dials, " ") != strings.Join(tc.wantDials, " ") {
					t.Errorf("dials %v, want %v", n.dials, tc.wantDials)
				}
				for _, fc := range n.conns {
					want := fc != c
					if fc.isClosed() != want {
						t.Errorf("connection to %s closed=%v, want %v", fc.addr, fc.isClosed(), want)
					}
				}
				for _, addr := range tc.closed {
					found := false
					for _, fc := range n.conns {
						found = found || fc.addr == addr
					}
					if !found {
						t.Errorf("no connection to %s was made (and closed)", addr)
					}
				}
			})
		})
	}
}

// One black hole among several addresses of a family does not use up the
// whole timeout: each address gets a share.
func TestDialSerialSharesTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &stubNet{start: time.Now(), addrs: map[string]behaviour{"192.0.2.1:443": {hole: true}, "192.0.2.2:443": {after: time.Millisecond}}}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := dialAny(ctx, n.dial, []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}, "443", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.(*fakeConn).addr; got != "192.0.2.2:443" {
			t.Errorf("connected to %s", got)
		}
		if d := time.Since(n.start); d != 15*time.Second+time.Millisecond {
			t.Errorf("took %v, want half the timeout and 1ms", d)
		}
	})
}

func TestResolveKeepsResolverOrder(t *testing.T) {
	got, err := resolve(context.Background(), net.DefaultResolver, "::ffff:192.0.2.1")
	if err != nil || len(got) != 1 || got[0] != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("mapped literal: %v %v", got, err)
	}
	got, err = resolve(context.Background(), net.DefaultResolver, "2001:db8::1")
	if err != nil || len(got) != 1 || !got[0].Is6() {
		t.Errorf("v6 literal: %v %v", got, err)
	}
}

func TestSplitServerIPv6(t *testing.T) {
	tests := []struct{ name, in, host, port string }{
		{"bracketed with port", "[2001:db8::1]:8443", "2001:db8::1", "8443"},
		{"bracketed without port", "[2001:db8::1]", "2001:db8::1", "443"},
		{"bare v6", "2001:db8::1", "2001:db8::1", "443"},
		{"name", "vpn.example.com", "vpn.example.com", "443"},
		{"name with port", "vpn.example.com:4443", "vpn.example.com", "4443"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, p, err := SplitServer(tc.in)
			if err != nil || h != tc.host || p != tc.port {
				t.Errorf("SplitServer(%q) = %q, %q, %v", tc.in, h, p, err)
			}
		})
	}
}

func TestReadProxyResponse(t *testing.T) {
	tests := []struct {
		name, in string
		code     int
		rest     string
		bad      bool
	}{
		{name: "200 then data", in: "HTTP/1.1 200 Connection established\r\n\r\nTLS", code: 200, rest: "TLS"},
		{name: "bare LF", in: "HTTP/1.0 200 OK\nVia: x\n\n", code: 200},
		{name: "407 with body", in: "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 5\r\n\r\nhello", code: 407, rest: "hello"},
		{name: "not HTTP", in: "SSH-2.0-OpenSSH\r\n", bad: true},
		{name: "truncated", in: "HTTP/1.1 200 OK\r\nVia", bad: true},
		{name: "endless header", in: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 200), bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tc.in), 1024)
			code, _, err := readProxyResponse(br)
			if tc.bad {
				if err == nil {
					t.Fatalf("got %d, want an error", code)
				}
				return
			}
			rest := make([]byte, br.Buffered())
			br.Read(rest)
			if err != nil || code != tc.code || string(rest) != tc.rest {
				t.Errorf("got %d %v rest %q", code, err, rest)
			}
		})
	}
}

// FuzzProxyResponse: no input makes the proxy answer parser panic, and a
// success never consumes bytes past the header's blank line.
func FuzzProxyResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=x\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 403 Forbidden\r\n\r\nbody"))
	f.Add([]byte("HTTP/1.1 200\n\n\x16\x03\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		src := bytes.NewReader(b)
		br := bufio.NewReaderSize(src, 1024)
		code, status, err := readProxyResponse(br)
		if err != nil {
			return
		}
		if code < 100 || code > 999 || !strings.HasPrefix(status, "HTTP/1.") {
			t.Fatalf("code %d status %q", code, status)
		}
		if code/100 != 2 {
			return // a refusal: the rest of its header does not matter
		}
		head := b[:len(b)-br.Buffered()-src.Len()]
		if !bytes.HasSuffix(head, []byte("\n\n")) && !bytes.HasSuffix(head, []byte("\n\r\n")) {
			t.Fatalf("header %q does not end at a blank line", head)
		}
	})
}

func FuzzParseProxyURL(f *testing.F) {
	for _, s := range []string{"http://u:p@h:1", "h:3128", "http://[::1]:80/", "https://x", "http://%zz@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProxyURL(s)
		if err != nil {
			return
		}
		if _, _, err := net.SplitHostPort(p.Addr); err != nil {
			t.Fatalf("Addr %q: %v", p.Addr, err)
		}
	})
}
