//go:build e2e

package openwrt_test

import (
	"os"
	"strings"
	"testing"
)

// Under netifd, what the server pushes by DHCP reaches netifd through the
// up script's second run: the route (ROUTES), the domain (dns_search), the
// firewall zone, and dnsmasq's forwarding of the domain to the DHCP DNS
// server; teardown takes the forwarding back.
func TestE2ENetifdPushedRoutes(t *testing.T) {
	needBusybox(t)
	srvNS, cliNS := topology(t)
	bins := t.TempDir()
	sstpgo := buildHost(t, bins, "..", "sstpgo")
	srvBin := buildHost(t, bins, "../cmd/sstptest-server", "sstptest-server")
	srv := startServer(t, srvNS, srvBin, "rras", "--dhcp-route", "172.16.60.0/24",
		"--dhcp-domain", "corp.example", "--dhcp-dns", "10.9.0.53")
	f := &e2eNetifd{fakeNetifd: newFakeNetifd(t), ns: cliNS}
	f.setHosts("vpn.example.test 192.0.2.1\n")
	f.installDaemon(sstpgo)
	if err := os.MkdirAll(f.path("tmp/dnsmasq.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"server": "vpn.example.test", "username": "alice", "password": "correct horse",
		"ca_cert": srv.ca, "routes": []string{"10.20.0.0/16"}, "peerdns": true, "log_level": "debug"}
	f.start(t, cfg)
	has := func(cs []call, s string) bool {
		for _, c := range cs {
			if c.String() == s {
				return true
			}
		}
		return false
	}
	if !waitFor(func() bool {
		f.logs = append(f.logs, f.calls()...)
		return has(f.logs, "proto_add_ipv4_route 172.16.60.0 24 10.9.0.1") && has(f.logs, "proto_add_dns_search corp.example")
	}) {
		t.Fatalf("no pushed route or domain reported: %v\n%s", f.logs, f.daemonLog())
	}
	for _, want := range []string{"proto_add_ipv4_route 10.20.0.0 16 10.9.0.1", "json_add_string zone wan", "proto_add_dns_server 10.9.0.53"} {
		if !has(f.logs, want) {
			t.Errorf("no %q in %v", want, f.logs)
		}
	}
	conf := f.path("tmp/dnsmasq.d/sstpgo-vpn.conf")
	if b, _ := os.ReadFile(conf); strings.TrimSpace(string(b)) != "server=/corp.example/10.9.0.53" {
		t.Errorf("dnsmasq forwarding %q", b)
	}
	f.teardown(t, cfg, -1)
	if _, err := os.Stat(conf); !os.IsNotExist(err) {
		t.Errorf("dnsmasq forwarding left after teardown")
	}
}
