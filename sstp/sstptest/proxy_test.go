package sstptest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestProxyRequestAndAuth(t *testing.T) {
	p := NewUnstartedProxy(ProxyOptions{User: "bob", Password: "s:ecret"})
	good := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:s:ecret"))
	for _, tc := range []struct {
		name, in       string
		ok, authorized bool
		target         string
	}{
		{"good", "CONNECT vpn:443 HTTP/1.1\r\nHost: vpn:443\r\nProxy-Authorization: " + good + "\r\n\r\n", true, true, "vpn:443"},
		{"scheme case", "CONNECT vpn:443 HTTP/1.1\r\nproxy-authorization: bAsIc " + good[6:] + "\r\n\r\n", true, true, "vpn:443"},
		{"no auth", "CONNECT vpn:443 HTTP/1.1\r\n\r\n", true, false, "vpn:443"},
		{"wrong password", "CONNECT vpn:443 HTTP/1.0\r\nProxy-Authorization: Basic Ym9iOng=\r\n\r\n", true, false, "vpn:443"},
		{"not HTTP", "CONNECT vpn:443\r\n\r\n", false, false, ""},
		{"endless", "CONNECT vpn:443 HTTP/1.1\r\n" + strings.Repeat("X: y\r\n", 200), false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, ok := readProxyRequest(bufio.NewReader(strings.NewReader(tc.in)))
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if req.target != tc.target || p.authorized(req.auth) != tc.authorized {
				t.Errorf("target %q authorized %v", req.target, p.authorized(req.auth))
			}
		})
	}
}

// FuzzProxyRequest: the test proxy's request parser never panics.
func FuzzProxyRequest(f *testing.F) {
	f.Add([]byte("CONNECT vpn.example.com:443 HTTP/1.1\r\nHost: vpn.example.com:443\r\n\r\n"))
	f.Add([]byte("CONNECT [2001:db8::1]:443 HTTP/1.1\r\nProxy-Authorization: Basic dTpw\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.0\n\n"))
	p := NewUnstartedProxy(ProxyOptions{User: "u", Password: "p"})
	f.Fuzz(func(t *testing.T, b []byte) {
		req, ok := readProxyRequest(bufio.NewReader(bytes.NewReader(b)))
		if ok && req.method == "" {
			t.Fatal("request without a method")
		}
		p.authorized(req.auth)
	})
}
