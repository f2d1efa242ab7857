package sstptest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"
)

// ProxyOptions configures a test HTTP proxy.
type ProxyOptions struct {
	// User and Password, when User is set, are required in Proxy-Authorization: Basic;
	// a CONNECT without them, or with others, gets 407.
	User, Password string
	// Refuse answers every CONNECT with "403 Forbidden" (a proxy whose policy blocks SSTP).
	Refuse bool
	// Hosts is the proxy's own name resolution (name → address) for CONNECT targets; names
	// not in it go to the system resolver, as a real proxy's would.
	Hosts map[string]string
	// Logger receives one line per request; nil = discard.
	Logger *slog.Logger
}

// ProxyStats counts what the proxy saw.
type ProxyStats struct {
	Connections int      // TCP connections accepted
	Tunnels     int      // CONNECTs answered with 200
	Targets     []string // the CONNECT targets asked for, in order
	AuthHeaders int      // requests that carried Proxy-Authorization
}

// Proxy is an HTTP proxy that only does CONNECT (RFC 9110 9.3.6), for tests: like the ones
// in front of company networks, it is the only way out.
type Proxy struct {
	opts ProxyOptions
	log  *slog.Logger

	mu     sync.Mutex
	l      net.Listener
	conns  map[net.Conn]struct{}
	stats  ProxyStats
	closed bool
	wg     sync.WaitGroup
}

// NewProxy returns a started proxy on 127.0.0.1 with a random port. It panics if it cannot
// listen, as httptest.NewServer does.
func NewProxy(opts ProxyOptions) *Proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("sstptest: proxy listen: " + err.Error())
	}
	p := NewUnstartedProxy(opts)
	p.StartListener(l)
	return p
}

// NewUnstartedProxy returns a proxy that serves once StartListener is called.
func NewUnstartedProxy(opts ProxyOptions) *Proxy {
	p := &Proxy{opts: opts, log: opts.Logger, conns: make(map[net.Conn]struct{})}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p
}

// StartListener serves on l; the proxy owns l and closes it on Close.
func (p *Proxy) StartListener(l net.Listener) {
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	p.wg.Add(1)
	go p.acceptLoop(l)
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.l.Addr().String()
}

// URL is "http://host:port", without credentials.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Stats returns a snapshot of the counters.
func (p *Proxy) Stats() ProxyStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Targets = append([]string(nil), s.Targets...)
	return s
}

// Close stops listening, closes every connection and waits for the proxy's goroutines.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	if p.l != nil {
		p.l.Close()
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) acceptLoop(l net.Listener) {
	defer p.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			c.Close()
			return
		}
		p.mu.Lock()
		p.stats.Connections++
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.serve(c)
		}()
	}
}

// track remembers c so Close can end it; false once the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// proxyRequest is what the proxy needs of a request header.
type proxyRequest struct {
	method, target string
	auth           []byte // the Proxy-Authorization value, nil if absent
}

func (p *Proxy) serve(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReaderSize(c, 4096)
	req, ok := readProxyRequest(br)
	if !ok {
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
		return
	}
	c.SetReadDeadline(time.Time{})
	p.log.Info("proxy request", "method", req.method, "target", req.target, "auth", req.auth != nil)
	p.mu.Lock()
	p.stats.Targets = append(p.stats.Targets, req.target)
	if req.auth != nil {
		p.stats.AuthHeaders++
	}
	p.mu.Unlock()
	switch {
	case req.method != "CONNECT":
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nAllow: CONNECT\r\nConnection: close\r\n\r\n")
		return
	case !p.authorized(req.auth):
		io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"sstptest\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	case p.opts.Refuse:
		io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	up, err := p.dialTarget(req.target)
	if err != nil {
		p.log.Info("proxy dial failed", "target", req.target, "err", err.Error())
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	if !p.track(up) {
		up.Close()
		return
	}
	defer p.untrack(up)
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	p.mu.Lock()
	p.stats.Tunnels++
	p.mu.Unlock()
	relay(c, br, up)
}

// authorized checks Basic credentials (RFC 7617) when the proxy requires them.
func (p *Proxy) authorized(auth []byte) bool {
	if p.opts.User == "" {
		return true
	}
	scheme, cred, ok := bytes.Cut(auth, []byte{' '})
	if !ok || !bytes.EqualFold(scheme, []byte("Basic")) {
		return false
	}
	want := base64.StdEncoding.EncodeToString([]byte(p.opts.User + ":" + p.opts.Password))
	return subtle.ConstantTimeCompare(bytes.TrimSpace(cred), []byte(want)) == 1
}

func (p *Proxy) dialTarget(target string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return nil, err
	}
	if a, ok := p.opts.Hosts[host]; ok {
		host = a
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	return d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
}

// relay copies both ways until either side ends; bytes the client sent after its header
// (already in br) go first.
func relay(c net.Conn, br *bufio.Reader, up net.Conn) {
	done := make(chan struct{})
	go func() {
		io.Copy(c, up)
		c.Close()
		close(done)
	}()
	io.Copy(up, br)
	up.Close()
	<-done
}

// readProxyRequest reads "METHOD target HTTP/1.x" and the header fields, bounded to 8 KiB
// and 100 lines.
func readProxyRequest(br *bufio.Reader) (proxyRequest, bool) {
	var req proxyRequest
	total := 0
	for n := 0; n < 100; n++ {
		line, err := br.ReadSlice('\n')
		total += len(line)
		if err != nil || total > 8<<10 {
			return req, false
		}
		line = bytes.TrimRight(line, "\r\n")
		if n == 0 {
			f := bytes.Fields(line)
			if len(f) != 3 || !bytes.HasPrefix(f[2], []byte("HTTP/1.")) {
				return req, false
			}
			req.method, req.target = string(f[0]), string(f[1])
			continue
		}
		if len(line) == 0 {
			return req, true
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if ok && bytes.EqualFold(name, []byte("Proxy-Authorization")) {
			req.auth = append([]byte{}, bytes.TrimSpace(value)...)
		}
	}
	return req, false
}

// String describes the proxy for logs.
func (s ProxyStats) String() string {
	return "connections=" + strconv.Itoa(s.Connections) + " tunnels=" + strconv.Itoa(s.Tunnels)
}
