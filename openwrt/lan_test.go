package openwrt_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The handler maps the LAN options (docs/LAN.md) to sstpgo's flags and
// picks the firewall zone: the zone option, else wan (the stand-in root has
// neither fw4 nor fw3, as when the firewall lists no zone for it).
func TestHandlerLANOptions(t *testing.T) {
	needBusybox(t)
	for _, tc := range []struct {
		name  string
		cfg   map[string]any
		flags []string // flags that must be there
		not   []string
		zone  string
	}{
		{"defaults", map[string]any{}, nil, []string{"--no-pushed-routes", "--no-mss-clamp"}, "ZONE=wan"},
		{"off", map[string]any{"pushed_routes": false, "mss_clamp": false, "zone": "vpn"},
			[]string{"--no-pushed-routes", "--no-mss-clamp"}, nil, "ZONE=vpn"},
		{"on", map[string]any{"pushed_routes": true, "mss_clamp": true}, nil, []string{"--no-pushed-routes", "--no-mss-clamp"}, "ZONE=wan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			cfg := map[string]any{"server": "192.0.2.10", "username": "alice", "password": "pw"}
			for k, v := range tc.cfg {
				cfg[k] = v
			}
			if out, err := f.handler("setup", "vpn", cfg); err != nil {
				t.Fatalf("setup: %v\n%s", err, out)
			}
			argv := f.lines("run_command")
			for _, fl := range tc.flags {
				if !slices.Contains(argv, fl) {
					t.Errorf("argv lacks %s: %q", fl, argv)
				}
			}
			for _, fl := range tc.not {
				if slices.Contains(argv, fl) {
					t.Errorf("argv has %s: %q", fl, argv)
				}
			}
			if exp := f.lines("export"); !slices.Contains(exp, tc.zone) {
				t.Errorf("exports %q lack %s", exp, tc.zone)
			}
		})
	}
}

// The up script reports the pushed domains as the interface's dns_search
// (peerdns 1), the zone as data, and has dnsmasq forward the domains to the
// tunnel's DNS servers (whatever peerdns); the teardown's call with no
// domains removes that and restarts dnsmasq again.
func TestUpScriptPushedDomainsAndZone(t *testing.T) {
	needBusybox(t)
	f := newFakeNetifd(t)
	confdir := f.path("tmp/dnsmasq.cfg01411c.d")
	os.MkdirAll(confdir, 0o755)
	os.MkdirAll(f.path("etc/init.d"), 0o755)
	restarts := f.path("dnsmasq.restarts")
	os.WriteFile(f.path("etc/init.d/dnsmasq"), []byte("#!/bin/sh\necho \"$1\" >> "+restarts+"\n"), 0o755)
	env := []string{"INTERFACE=vpn", "IFNAME=sstp-vpn", "IPLOCAL=10.0.0.2", "IPREMOTE=10.0.0.1",
		"DNS1=172.16.50.2", "ROUTES=172.16.50.0/24 172.16.60.0/24", "DNSSEARCH=corp.example lab.corp.example",
		"DOMAIN=corp.example", "ZONE=wan", "PEERDNS=1"}
	if out, err := f.upScript(env...); err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	cs := f.calls()
	var got []string
	for _, c := range cs {
		switch c.Name {
		case "proto_add_dns_search", "proto_add_data", "json_add_string", "proto_close_data", "proto_add_ipv4_route":
			got = append(got, c.String())
		}
	}
	want := []string{"proto_add_ipv4_route 0.0.0.0 0 10.0.0.1", "proto_add_ipv4_route 172.16.50.0 24 10.0.0.1",
		"proto_add_ipv4_route 172.16.60.0 24 10.0.0.1",
		"proto_add_dns_search corp.example", "proto_add_dns_search lab.corp.example",
		"proto_add_data", "json_add_string zone wan", "proto_close_data"}
	if !slices.Equal(got, want) {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	conf := filepath.Join(confdir, "sstpgo-vpn.conf")
	b, _ := os.ReadFile(conf)
	if want := "server=/corp.example/172.16.50.2\nserver=/lab.corp.example/172.16.50.2\n"; string(b) != want {
		t.Errorf("dnsmasq conf:\n%s\nwant:\n%s", b, want)
	}
	// The same report again: no restart. peerdns 0: no dns_search, still forwarded.
	env[len(env)-1] = "PEERDNS=0"
	f.upScript(env...)
	if len(find(f.calls(), "proto_add_dns_search")) != 0 {
		t.Error("dns_search reported with peerdns 0")
	}
	if r, _ := os.ReadFile(restarts); string(r) != "restart\n" {
		t.Errorf("dnsmasq restarts: %q, want one", r)
	}
	// teardown
	if out, err := f.handler("teardown", "vpn", map[string]any{"server": "192.0.2.10"}); err != nil {
		t.Fatalf("teardown: %v\n%s", err, out)
	}
	if _, err := os.Stat(conf); !os.IsNotExist(err) {
		t.Errorf("%s left after teardown", conf)
	}
	if r, _ := os.ReadFile(restarts); string(r) != "restart\nrestart\n" {
		t.Errorf("dnsmasq restarts: %q, want two", r)
	}
}
