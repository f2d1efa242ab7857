package main

import (
	"errors"
	"net/netip"
	"os"
	"strings"

	"github.com/sstpgo/sstpgo/sstp"
)

// proxy returns the HTTP proxy to reach the server through, or nil: --proxy
// (or the config key) first, "none" meaning no proxy at all; otherwise
// HTTPS_PROXY/https_proxy unless NO_PROXY/no_proxy names the server. The
// password may come from --proxy-password-file (0600) instead of the URL,
// so it never shows in the process list.
func (o *options) proxy() (*sstp.Proxy, error) {
	raw := o.Proxy
	if raw == "" {
		raw = firstEnv("HTTPS_PROXY", "https_proxy")
		host, _, _ := sstp.SplitServer(o.Server)
		if raw == "" || noProxy(firstEnv("NO_PROXY", "no_proxy"), host) {
			return nil, nil
		}
	}
	if raw == "none" || raw == "direct" {
		return nil, nil
	}
	p, err := sstp.ParseProxyURL(raw)
	if err != nil {
		return nil, err
	}
	if o.ProxyPasswordFile != "" {
		if p.User == "" {
			return nil, errors.New("--proxy-password-file needs the user in the proxy URL: http://USER@host:port")
		}
		if p.Password, err = readPasswordFile(o.ProxyPasswordFile); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// noProxy reports whether list (NO_PROXY syntax, simply: comma-separated
// names, ".domain" or "domain" for a domain and its subdomains, IP
// addresses, CIDR prefixes, "*" for everything; ports are ignored) names host.
func noProxy(list, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	ip, ipErr := netip.ParseAddr(host)
	for _, e := range strings.Split(list, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "*" {
			return true
		}
		if p, err := netip.ParsePrefix(e); err == nil {
			if ipErr == nil && p.Contains(ip) {
				return true
			}
			continue
		}
		e = stripPort(e)
		if a, err := netip.ParseAddr(e); err == nil {
			if ipErr == nil && a == ip {
				return true
			}
			continue
		}
		e = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(e, "*"), "."), ".")
		if e != "" && (host == e || strings.HasSuffix(host, "."+e)) {
			return true
		}
	}
	return false
}

// stripPort drops ":port" from "host:port" or "[v6]:port"; a bare IPv6
// address stays whole.
func stripPort(e string) string {
	if strings.HasPrefix(e, "[") {
		if i := strings.Index(e, "]"); i > 0 {
			return e[1:i]
		}
	}
	if strings.Count(e, ":") == 1 {
		e, _, _ = strings.Cut(e, ":")
	}
	return e
}
