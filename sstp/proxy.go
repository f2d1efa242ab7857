package sstp

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// DefaultProxyPort is the port of a proxy URL without one (the http scheme's).
const DefaultProxyPort = "80"

// Proxy is an HTTP proxy that relays the TCP connection to the SSTP server
// after a CONNECT request (RFC 9110 9.3.6). TLS stays end to end: the proxy
// sees only the server's name and port.
type Proxy struct {
	// Addr is the proxy's host:port.
	Addr string
	// User and Password, when User is not empty, are sent as
	// Proxy-Authorization: Basic (RFC 9110 11.7.2, RFC 7617).
	User, Password string
}

// ParseProxyURL parses "http://[user[:password]@]host[:port]"; a bare
// "host:port" means http. The port defaults to 80. Percent-escapes in the
// user and password are decoded.
func ParseProxyURL(s string) (*Proxy, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProxyURL, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%w: scheme %q (only http:// proxies are supported)", ErrProxyURL, u.Scheme)
	}
	if !validHost(u.Hostname()) || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("%w: want http://[user:pass@]host:port", ErrProxyURL)
	}
	port := u.Port()
	if port == "" {
		port = DefaultProxyPort
	}
	p := &Proxy{Addr: net.JoinHostPort(u.Hostname(), port)}
	if u.User != nil {
		p.User = u.User.Username()
		p.Password, _ = u.User.Password()
	}
	return p, nil
}

// validHost accepts an IP address or a DNS name (letters, digits, '-', '_', '.').
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// String is the proxy's address, never its credentials.
func (p *Proxy) String() string { return p.Addr }

// Dial opens a connection to the proxy with dial and asks it to CONNECT to
// target (host:port). The returned connection carries the tunnel: any bytes
// the proxy sent after its answer are read first. ctx bounds the whole
// exchange.
func (p *Proxy) Dial(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error), target string) (net.Conn, error) {
	c, err := dial(ctx, "tcp", p.Addr)
	if err != nil {
		return nil, fmt.Errorf("proxy %s unreachable: %w", p.Addr, err)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if d, ok := ctx.Deadline(); ok {
		c.SetDeadline(d)
	}
	conn, err := p.connect(c, target)
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			err = fmt.Errorf("proxy %s: %w (%v)", p.Addr, ctx.Err(), err)
		}
		return nil, err
	}
	if !stop() {
		c.Close()
		return nil, fmt.Errorf("proxy %s: %w", p.Addr, ctx.Err())
	}
	c.SetDeadline(time.Time{})
	return conn, nil
}

// connect sends CONNECT on c and reads the answer (RFC 9110 9.3.6: any 2xx
// turns the connection into a tunnel).
func (p *Proxy) connect(c net.Conn, target string) (net.Conn, error) {
	if _, err := c.Write(p.appendConnect(nil, target)); err != nil {
		return nil, fmt.Errorf("proxy %s: sending CONNECT: %w", p.Addr, err)
	}
	br := bufio.NewReaderSize(c, 1024)
	code, status, err := readProxyResponse(br)
	if err != nil {
		return nil, fmt.Errorf("proxy %s: reading the answer to CONNECT: %w", p.Addr, err)
	}
	// 407 is the proxy's way to ask for credentials (RFC 9110 15.5.8);
	// tinyproxy sends 401 instead, which to CONNECT can only mean the same.
	auth := code == 407 || code == 401
	switch {
	case code/100 == 2:
	case auth && p.User == "":
		return nil, &ProxyError{Proxy: p.Addr, Target: target, Code: code, Status: status, Err: ErrProxyAuthRequired}
	case auth:
		return nil, &ProxyError{Proxy: p.Addr, Target: target, Code: code, Status: status, Err: ErrProxyAuthRejected}
	default:
		return nil, &ProxyError{Proxy: p.Addr, Target: target, Code: code, Status: status, Err: ErrProxyRefused}
	}
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: c, r: br}, nil
	}
	return c, nil
}

// appendConnect appends the CONNECT request for target (RFC 9112 3.2.3: the
// request target is the authority form host:port, as is Host).
func (p *Proxy) appendConnect(b []byte, target string) []byte {
	b = append(b, "CONNECT "...)
	b = appendHeaderValue(b, target)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = appendHeaderValue(b, target)
	b = append(b, "\r\nUser-Agent: sstpgo\r\n"...)
	if p.User != "" {
		b = append(b, "Proxy-Authorization: Basic "...)
		b = base64.StdEncoding.AppendEncode(b, []byte(p.User+":"+p.Password))
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...)
}

// readProxyResponse reads the proxy's status line and header, bounded like
// ReadResponse, and not one byte further.
func readProxyResponse(r *bufio.Reader) (code int, status string, err error) {
	hr := headerReader{r: r}
	line, err := hr.line()
	if err != nil {
		return 0, "", err
	}
	if code, err = parseStatusLine(line); err != nil {
		return 0, "", err
	}
	status = string(line)
	if err := hr.fields(func(_, _ []byte) {}); err != nil && code/100 == 2 {
		return 0, "", err
	}
	return code, status, nil
}

// bufferedConn is a connection whose first bytes were already read into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) {
	if c.r.Buffered() > 0 {
		return c.r.Read(b)
	}
	return c.Conn.Read(b)
}

// ProxyError is a proxy's refusal of CONNECT.
type ProxyError struct {
	Proxy  string // the proxy's address
	Target string // host:port asked for
	Code   int    // HTTP status code
	Status string // the whole status line
	Err    error  // ErrProxyAuthRequired, ErrProxyAuthRejected or ErrProxyRefused
}

func (e *ProxyError) Error() string {
	switch e.Err {
	case ErrProxyRefused:
		return "proxy refused CONNECT to " + e.Target + ": " + e.Status
	case ErrProxyAuthRejected:
		return e.Err.Error() + " (" + e.Status + ")"
	case ErrProxyAuthRequired:
		if e.Code != 407 {
			return strings.Replace(e.Err.Error(), "(407)", "("+e.Status+")", 1)
		}
	}
	return e.Err.Error()
}

func (e *ProxyError) Unwrap() error { return e.Err }

// proxyHint is the advice for a failed proxy step.
func proxyHint(err error, p *Proxy, port string) string {
	var pe *ProxyError
	switch {
	case errors.Is(err, ErrProxyAuthRejected):
		return "check the user in the proxy URL and the password (--proxy-password-file)"
	case errors.Is(err, ErrProxyAuthRequired):
		return ""
	case errors.As(err, &pe):
		return "the proxy may allow CONNECT only to some ports or hosts: ask its admin to allow " + pe.Target
	}
	return "is the proxy " + p.Addr + " reachable and is it an HTTP proxy? (the SSTP server would be reached on port " + port + " through it)"
}
