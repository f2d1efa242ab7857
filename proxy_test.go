package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

func TestNoProxy(t *testing.T) {
	tests := []struct {
		name, list, host string
		want             bool
	}{
		{"empty list", "", "vpn.example.com", false},
		{"star", "*", "vpn.example.com", true},
		{"exact name", "localhost,vpn.example.com", "vpn.example.com", true},
		{"domain covers subdomain", "example.com", "vpn.example.com", true},
		{"dot domain", ".example.com", "vpn.example.com", true},
		{"no partial label", "ample.com", "vpn.example.com", false},
		{"case and spaces", " Example.COM ", "VPN.example.com", true},
		{"name with port", "vpn.example.com:443", "vpn.example.com", true},
		{"other name", "corp.lan", "vpn.example.com", false},
		{"ip", "192.0.2.1", "192.0.2.1", true},
		{"cidr", "10.0.0.0/8,192.0.2.0/24", "192.0.2.7", true},
		{"cidr miss", "10.0.0.0/8", "192.0.2.7", false},
		{"ipv6", "2001:db8::1", "2001:db8::1", true},
		{"ipv6 bracketed with port", "[2001:db8::1]:443", "2001:db8::1", true},
		{"ipv6 cidr", "2001:db8::/32", "2001:db8:1::5", true},
		{"cidr does not match names", "10.0.0.0/8", "ten.example", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := noProxy(tc.list, tc.host); got != tc.want {
				t.Errorf("noProxy(%q, %q) = %v", tc.list, tc.host, got)
			}
		})
	}
}

func TestProxyChoice(t *testing.T) {
	pwFile := writeFile(t, "proxypw", "from-file\n", 0o600)
	openFile := writeFile(t, "proxypw-open", "x\n", 0o644)
	tests := []struct {
		name             string
		flag, pwFile     string
		env, noProxy     string
		server           string
		wantAddr         string // "" = no proxy
		wantUser, wantPw string
		wantErr          string
	}{
		{name: "none", server: "vpn.example.com"},
		{name: "flag", flag: "http://proxy.lan:3128", server: "vpn.example.com", wantAddr: "proxy.lan:3128"},
		{name: "flag wins over env", flag: "http://a:1", env: "http://b:2", server: "vpn.example.com", wantAddr: "a:1"},
		{name: "env", env: "http://b:2", server: "vpn.example.com", wantAddr: "b:2"},
		{name: "env with NO_PROXY match", env: "http://b:2", noProxy: ".example.com", server: "vpn.example.com:443"},
		{name: "env with NO_PROXY other", env: "http://b:2", noProxy: "corp.lan", server: "vpn.example.com", wantAddr: "b:2"},
		{name: "none disables env", flag: "none", env: "http://b:2", server: "vpn.example.com"},
		{name: "credentials in URL", flag: "http://bob:pw@proxy.lan:3128", server: "x", wantAddr: "proxy.lan:3128", wantUser: "bob", wantPw: "pw"},
		{name: "password file", flag: "http://bob@proxy.lan:3128", pwFile: pwFile, server: "x", wantAddr: "proxy.lan:3128", wantUser: "bob", wantPw: "from-file"},
		{name: "password file without user", flag: "http://proxy.lan:3128", pwFile: pwFile, server: "x", wantErr: "needs the user"},
		{name: "password file readable by others", flag: "http://bob@proxy.lan:3128", pwFile: openFile, server: "x", wantErr: "chmod 600"},
		{name: "https proxy", flag: "https://proxy.lan", server: "x", wantErr: "only http://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HTTPS_PROXY", tc.env)
			t.Setenv("https_proxy", "")
			t.Setenv("NO_PROXY", tc.noProxy)
			t.Setenv("no_proxy", "")
			o := &options{fileConfig: fileConfig{Server: tc.server, Proxy: tc.flag, ProxyPasswordFile: tc.pwFile}}
			p, err := o.proxy()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %+v, %v; want error %q", p, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantAddr == "" {
				if p != nil {
					t.Fatalf("got proxy %+v, want none", p)
				}
				return
			}
			if p == nil || p.Addr != tc.wantAddr || p.User != tc.wantUser || p.Password != tc.wantPw {
				t.Fatalf("got %+v", p)
			}
		})
	}
}

// diagnose through a proxy says so on the TCP line and names the proxy's
// refusal when there is one.
func TestDiagnoseViaProxy(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	for _, tc := range []struct {
		name string
		opts sstptest.ProxyOptions
		want string
		code int
	}{
		{"ok", sstptest.ProxyOptions{}, "via proxy", exitOK},
		{"auth", sstptest.ProxyOptions{User: "u", Password: "p"}, "✗ TCP                proxy requires authentication (407)", exitUnreachable},
		{"refused", sstptest.ProxyOptions{Refuse: true}, "proxy refused CONNECT to " + srv.Addr() + ": HTTP/1.1 403 Forbidden", exitUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			px := sstptest.NewProxy(tc.opts)
			defer px.Close()
			cfg := sstp.Config{Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(), Proxy: &sstp.Proxy{Addr: px.Addr()},
				NegotiationTimeout: 10 * time.Second, PPP: ppp.Config{Username: "user", Password: "pass"}}
			var out bytes.Buffer
			code := diagnose(context.Background(), cfg, &out)
			t.Logf("\n%s", out.String())
			if !strings.Contains(out.String(), tc.want) || code != tc.code {
				t.Errorf("code %d (want %d), output lacks %q", code, tc.code, tc.want)
			}
		})
	}
}
