package sstp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// noDNS is a resolver that fails every lookup: through a proxy, the client
// must not resolve the server name (the proxy does).
var noDNS = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
	return nil, errors.New("no DNS in this test")
}}

// proxyConfig is a client config for srv, reached as vpn.invalid through
// a proxy that maps that name to srv's address.
func proxyConfig(t *testing.T, srv *sstptest.Server, proxy *sstp.Proxy) (sstp.Config, string) {
	t.Helper()
	_, port, _ := net.SplitHostPort(srv.Addr())
	cfg := sstp.Config{
		Server:             "vpn.invalid:" + port,
		SNI:                "localhost",
		RootCAs:            srv.CertPool(),
		Resolver:           noDNS,
		Proxy:              proxy,
		NegotiationTimeout: 20 * time.Second,
		PPP:                ppp.Config{Username: "user", Password: "pass"},
	}
	return cfg, "vpn.invalid:" + port
}

func TestDialThroughProxy(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	tests := []struct {
		name       string
		opts       sstptest.ProxyOptions
		user, pass string
		wantErr    error
		wantMsg    string // substring of the error
	}{
		{name: "open proxy"},
		{name: "basic auth", opts: sstptest.ProxyOptions{User: "bob", Password: "p:w"}, user: "bob", pass: "p:w"},
		{name: "407 without credentials", opts: sstptest.ProxyOptions{User: "bob", Password: "pw"},
			wantErr: sstp.ErrProxyAuthRequired, wantMsg: "proxy requires authentication (407): set credentials in --proxy URL or --proxy-password-file"},
		{name: "407 wrong credentials", opts: sstptest.ProxyOptions{User: "bob", Password: "pw"}, user: "bob", pass: "nope",
			wantErr: sstp.ErrProxyAuthRejected, wantMsg: "proxy rejected the credentials"},
		{name: "refused CONNECT", opts: sstptest.ProxyOptions{Refuse: true},
			wantErr: sstp.ErrProxyRefused, wantMsg: ": HTTP/1.1 403 Forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			tc.opts.Hosts = map[string]string{"vpn.invalid": "127.0.0.1"}
			px := sstptest.NewProxy(tc.opts)
			defer px.Close()
			cfg, target := proxyConfig(t, srv, &sstp.Proxy{Addr: px.Addr(), User: tc.user, Password: tc.pass})
			steps := map[sstp.Step]string{}
			cfg.OnStep = func(st sstp.Step, d string) { steps[st] = d }
			sess, err := sstp.Dial(context.Background(), cfg)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				sess.Close()
				if want := target + " via proxy " + px.Addr(); steps[sstp.StepTCP] != want {
					t.Errorf("TCP step %q, want %q", steps[sstp.StepTCP], want)
				}
				if !strings.Contains(steps[sstp.StepDNS], "the proxy resolves vpn.invalid") {
					t.Errorf("DNS step %q", steps[sstp.StepDNS])
				}
				st := px.Stats()
				if st.Tunnels != 1 || len(st.Targets) != 1 || st.Targets[0] != target {
					t.Errorf("proxy stats %+v, want one tunnel to %s", st, target)
				}
				return
			}
			if err == nil {
				sess.Close()
				t.Fatal("Dial succeeded")
			}
			var se *sstp.Error
			if !errors.As(err, &se) || se.Step != sstp.StepTCP {
				t.Errorf("error %v is not a TCP step error", err)
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q, want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
			if tc.wantErr == sstp.ErrProxyRefused && !strings.Contains(err.Error(), "proxy refused CONNECT to "+target+": ") {
				t.Errorf("error %q does not name the target", err)
			}
		})
	}
}

func TestDialProxyDown(t *testing.T) {
	checkGoroutines(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := sstp.Config{Server: "vpn.invalid", Resolver: noDNS, Proxy: &sstp.Proxy{Addr: addr}, NegotiationTimeout: 5 * time.Second}
	_, err = sstp.Dial(context.Background(), cfg)
	var se *sstp.Error
	if !errors.As(err, &se) || se.Step != sstp.StepTCP || !strings.Contains(err.Error(), "proxy "+addr+" unreachable") {
		t.Fatalf("error %v, want a TCP step error naming the proxy", err)
	}
	if se.Hint == "" || !strings.Contains(se.Hint, addr) {
		t.Errorf("hint %q does not name the proxy", se.Hint)
	}
}

// A proxy that sends bytes right after its 200 must not lose them.
func TestProxyKeepsBytesAfterHeader(t *testing.T) {
	checkGoroutines(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		buf := make([]byte, 1024)
		n, _ := c.Read(buf)
		got <- string(buf[:n])
		io.WriteString(c, "HTTP/1.0 200 Connection established\r\nProxy-Agent: test\r\n\r\nEARLY")
		io.ReadAll(c)
	}()
	p := &sstp.Proxy{Addr: l.Addr().String(), User: "u", Password: "p"}
	var d net.Dialer
	c, err := p.Dial(context.Background(), d.DialContext, "[2001:db8::1]:443")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := <-got
	want := "CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\nUser-Agent: sstpgo\r\nProxy-Authorization: Basic dTpw\r\n\r\n"
	if req != want {
		t.Errorf("request\n%q\nwant\n%q", req, want)
	}
	b := make([]byte, 16)
	n, err := io.ReadAtLeast(c, b, 5)
	if err != nil || string(b[:n]) != "EARLY" {
		t.Errorf("read %q, %v; want EARLY", b[:n], err)
	}
}

func TestParseProxyURL(t *testing.T) {
	tests := []struct {
		name, in   string
		addr, user string
		pass       string
		bad        bool
	}{
		{name: "host port", in: "http://proxy.lan:3128", addr: "proxy.lan:3128"},
		{name: "no scheme", in: "10.0.0.3:8080", addr: "10.0.0.3:8080"},
		{name: "default port", in: "http://proxy.lan", addr: "proxy.lan:80"},
		{name: "trailing slash", in: "http://proxy.lan:3128/", addr: "proxy.lan:3128"},
		{name: "credentials", in: "http://bob:s%40cret@proxy.lan:3128", addr: "proxy.lan:3128", user: "bob", pass: "s@cret"},
		{name: "user only", in: "http://bob@proxy.lan:3128", addr: "proxy.lan:3128", user: "bob"},
		{name: "ipv6", in: "http://[2001:db8::3]:3128", addr: "[2001:db8::3]:3128"},
		{name: "https proxy", in: "https://proxy.lan:443", bad: true},
		{name: "socks", in: "socks5://proxy.lan:1080", bad: true},
		{name: "path", in: "http://proxy.lan:3128/x", bad: true},
		{name: "empty host", in: "http://:3128", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := sstp.ParseProxyURL(tc.in)
			if tc.bad {
				if err == nil || !errors.Is(err, sstp.ErrProxyURL) {
					t.Fatalf("got %+v, %v; want ErrProxyURL", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Addr != tc.addr || p.User != tc.user || p.Password != tc.pass {
				t.Errorf("got %+v", p)
			}
			if strings.Contains(p.String(), "cret") {
				t.Errorf("String() leaks the password: %s", p)
			}
		})
	}
}

// What each answer to CONNECT becomes, from a proxy that sends just a status line.
func TestProxyAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		user         string
		want         error
		msg          string
	}{
		{"200", "HTTP/1.1 200 OK", "", nil, ""},
		{"204 is a tunnel too", "HTTP/1.1 204 No Content", "", nil, ""},
		{"407", "HTTP/1.1 407 Proxy Authentication Required", "", sstp.ErrProxyAuthRequired, "proxy requires authentication (407): set credentials"},
		{"401 from tinyproxy", "HTTP/1.0 401 Unauthorized", "", sstp.ErrProxyAuthRequired, "proxy requires authentication (HTTP/1.0 401 Unauthorized)"},
		{"401 with credentials", "HTTP/1.0 401 Unauthorized", "u", sstp.ErrProxyAuthRejected, "proxy rejected the credentials (HTTP/1.0 401 Unauthorized)"},
		{"502", "HTTP/1.1 502 Bad Gateway", "u", sstp.ErrProxyRefused, "proxy refused CONNECT to vpn.example.com:443: HTTP/1.1 502 Bad Gateway"},
		{"garbage", "SSH-2.0-OpenSSH_9.2", "", sstp.ErrHTTPMalformed, "reading the answer to CONNECT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			go func() {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				c.Read(make([]byte, 1024))
				io.WriteString(c, tc.status+"\r\n\r\n")
				io.ReadAll(c)
			}()
			p := &sstp.Proxy{Addr: l.Addr().String(), User: tc.user}
			var d net.Dialer
			c, err := p.Dial(context.Background(), d.DialContext, "vpn.example.com:443")
			if c != nil {
				c.Close()
			}
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want %v containing %q", err, tc.want, tc.msg)
			}
		})
	}
}
