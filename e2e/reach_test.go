//go:build e2e

package e2e

// Reach: an HTTP proxy as the only way out, an IPv6-only uplink, IPv6 inside
// the tunnel, and two tunnels side by side. Each test starts from the demo
// topology (scripts/topology.sh) and changes it in its own namespaces.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	proxyName  = "vpn.example.test" // the name the proxy resolves; the router cannot
	proxyLAN   = "203.0.113.1"      // the proxy, as the router sees it
	proxySrvIP = "192.0.2.1"        // the server, as the proxy sees it
	proxyPort  = "3128"
	serverV6   = "2001:db8::1"
	routerV6   = "2001:db8::2"
	corpV6Net  = "2001:db8:200::/64"
	corpV6Host = "2001:db8:200::2"
	pool6      = "2001:db8:100::/56"
)

// buildTool builds a command of this module into the test's directory.
func buildTool(t *testing.T, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, "../"+pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// withProxyNS puts a proxy namespace between router and server and makes it
// the only way out: the router's own uplink loses its address, the proxy
// does not forward, and only the proxy knows the server's name (through
// /etc/netns/NAME/hosts, which `ip netns exec` mounts over /etc/hosts).
func withProxyNS(t *testing.T, tp *topo) *netns {
	t.Helper()
	prx := newNS(t, "prx")
	link(t, tp.rtr, "rprx0", "203.0.113.2/24", prx, "plan0", proxyLAN+"/24")
	link(t, prx, "psrv0", "192.0.2.2/24", tp.srv, "sprx0", proxySrvIP+"/24")
	tp.rtr.run("ip", "addr", "flush", "dev", "rwan0")
	tp.rtr.run("ip", "route", "replace", "default", "via", proxyLAN)
	prx.run("sysctl", "-qw", "net.ipv4.ip_forward=0")
	dir := filepath.Join("/etc/netns", prx.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "hosts"), []byte("127.0.0.1 localhost\n"+proxySrvIP+" "+proxyName+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tp.rtr.try("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/"+proxySrvIP+"/443"); err == nil {
		t.Fatal("the router reaches the server without the proxy")
	}
	return prx
}

// proxyClient starts sstpgo on the router, through proxyURL, to the server by name.
func proxyClient(tp *topo, proxyURL string, extra ...string) *proc {
	args := append(tp.clientArgs("--server", proxyName, "--proxy", proxyURL, "--reconnect=false"), extra...)
	return tp.rtr.start("sstpgo", nil, args...)
}

func TestProxyIsTheOnlyWayOut(t *testing.T) {
	proxyBin := buildTool(t, "cmd/sstptest-proxy")
	for _, tc := range []struct {
		name  string
		flags []string
		url   string
		extra []string
		fails string
	}{
		{name: "open proxy", url: "http://" + proxyLAN + ":" + proxyPort},
		{name: "basic auth, password from a file", flags: []string{"--user", "px:px-secret"},
			url: "http://px@" + proxyLAN + ":" + proxyPort, extra: []string{"--proxy-password-file", "PXFILE"}},
		{name: "407", flags: []string{"--user", "px:px-secret"}, url: "http://" + proxyLAN + ":" + proxyPort,
			fails: "proxy requires authentication (407)"},
		{name: "refused", flags: []string{"--refuse"}, url: "http://" + proxyLAN + ":" + proxyPort,
			fails: "proxy refused CONNECT to " + proxyName + ":443: HTTP/1.1 403 Forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTopo(t)
			tp.startServer("--listen", "0.0.0.0:443")
			prx := withProxyNS(t, tp)
			px := prx.start("sstptest-proxy", nil, append([]string{proxyBin, "--listen", proxyLAN + ":" + proxyPort}, tc.flags...)...)
			if !px.waitOutput("listening", 10*time.Second) {
				t.Fatal("proxy did not start")
			}
			for i, a := range tc.extra {
				if a == "PXFILE" {
					tc.extra[i] = writeSecret(t, "px-secret")
				}
			}
			cli := proxyClient(tp, tc.url, tc.extra...)
			if tc.fails != "" {
				if code := cli.wait(30 * time.Second); code != 5 {
					t.Fatalf("exit code %d, want 5", code)
				}
				if !strings.Contains(cli.Output(), tc.fails) {
					t.Errorf("output lacks %q", tc.fails)
				}
				return
			}
			if !cli.waitOutput("tunnel up", 20*time.Second) {
				t.Fatal("tunnel did not come up through the proxy")
			}
			eventually(t, 10*time.Second, "LAN host pings corporate host", tp.pingCorp)
			if !strings.Contains(cli.Output(), "via proxy "+proxyLAN+":"+proxyPort) {
				t.Errorf("the log does not say the connection went through the proxy")
			}
			if !strings.Contains(px.Output(), "target="+proxyName+":443") {
				t.Errorf("the proxy did not see CONNECT %s:443", proxyName)
			}
		})
	}
}

// The same through tinyproxy from Debian (.ci/run installs it): a real
// proxy's answers (HTTP/1.0 200 Connection established, its 407 page).
func TestTinyproxy(t *testing.T) {
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		t.Fatal("tinyproxy is not installed: apt-get install tinyproxy (.ci/run does)")
	}
	for _, tc := range []struct {
		name, auth, url, fails string
	}{
		{name: "open", url: "http://" + proxyLAN + ":" + proxyPort},
		{name: "basic auth", auth: "BasicAuth px px-secret\n", url: "http://px:px-secret@" + proxyLAN + ":" + proxyPort},
		{name: "wrong password", auth: "BasicAuth px px-secret\n", url: "http://px:nope@" + proxyLAN + ":" + proxyPort, fails: "proxy rejected the credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTopo(t)
			tp.startServer("--listen", "0.0.0.0:443")
			prx := withProxyNS(t, tp)
			conf := filepath.Join(tp.dir, "tinyproxy.conf")
			os.WriteFile(conf, []byte("User nobody\nGroup nogroup\nPort "+proxyPort+"\nListen "+proxyLAN+
				"\nTimeout 600\nAllow 203.0.113.0/24\nConnectPort 443\nLogLevel Info\n"+tc.auth), 0o644)
			px := prx.start("tinyproxy", nil, bin, "-d", "-c", conf)
			eventually(t, 10*time.Second, "tinyproxy listening", func() error {
				_, err := tp.rtr.try("bash", "-c", "exec 3<>/dev/tcp/"+proxyLAN+"/"+proxyPort)
				return err
			})
			cli := proxyClient(tp, tc.url)
			if tc.fails != "" {
				if code := cli.wait(30 * time.Second); code != 5 || !strings.Contains(cli.Output(), tc.fails) {
					t.Fatalf("exit code %d, want 5 with %q", code, tc.fails)
				}
				return
			}
			if !cli.waitOutput("tunnel up", 20*time.Second) {
				t.Fatalf("tunnel did not come up through tinyproxy:\n%s", px.Output())
			}
			eventually(t, 10*time.Second, "LAN host pings corporate host", tp.pingCorp)
		})
	}
}

// The server is reached over an IPv6-only uplink by its address literal.
func TestIPv6Uplink(t *testing.T) {
	tp := newTopo(t)
	tp.startServer("--listen", "[::]:443")
	tp.rtr.run("ip", "addr", "flush", "dev", "rwan0")
	tp.srv.run("ip", "addr", "flush", "dev", "swan0")
	tp.rtr.run("ip", "addr", "add", routerV6+"/64", "dev", "rwan0", "nodad")
	tp.srv.run("ip", "addr", "add", serverV6+"/64", "dev", "swan0", "nodad")
	tp.rtr.run("ip", "-6", "route", "add", "default", "via", serverV6)
	cli := tp.startClient("--server", "["+serverV6+"]:443")
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up over IPv6")
	}
	if !strings.Contains(cli.Output(), "["+serverV6+"]:443") {
		t.Errorf("the log does not show the IPv6 connection")
	}
	eventually(t, 10*time.Second, "LAN host pings corporate host", tp.pingCorp)
}

// IPv6 inside the tunnel: IPV6CP gives the link-local address, the server's
// router advertisement a global one (SLAAC with the IPV6CP identifier), and
// --route sends the corporate IPv6 network into the tunnel. The up script
// (run again if IPv6 came up after it) and the status get the link-local
// addresses.
func TestIPv6InsideTunnel(t *testing.T) {
	tp := newTopo(t)
	tp.srv.run("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
	tp.rtr.run("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
	tp.srv.run("ip", "addr", "add", "2001:db8:200::1/64", "dev", "scorp0", "nodad")
	tp.corp.run("ip", "addr", "add", corpV6Host+"/64", "dev", "corp0", "nodad")
	tp.corp.run("ip", "-6", "route", "add", "default", "via", "2001:db8:200::1")
	tp.startServer("--ipv6", "--pool6", pool6)
	upEnv := filepath.Join(tp.dir, "up.env")
	up := filepath.Join(tp.dir, "up.sh")
	os.WriteFile(up, []byte("#!/bin/sh\n{ env; echo ---; } >> "+upEnv+"\n"), 0o755)
	status := filepath.Join(tp.dir, "status.json")
	cli := tp.startClient("--ipv6", "--route", corpV6Net, "--up-script", up, "--status-file", status)
	if !cli.waitOutput("IPv6 up", 20*time.Second) {
		t.Fatal("IPv6 did not come up")
	}
	checkIPv6Hook(t, tp, cli, upEnv, status)
	eventually(t, 20*time.Second, "global address from the router advertisement", func() error {
		out := tp.rtr.run("ip", "-6", "-o", "addr", "show", "dev", "sstp0", "scope", "global")
		if !strings.Contains(out, "inet6 2001:db8:100:") {
			return fmt.Errorf("no global address on sstp0: %s", out)
		}
		return nil
	})
	out := tp.rtr.run("ip", "-6", "-o", "addr", "show", "dev", "sstp0")
	if n := strings.Count(out, "inet6 fe80::"); n != 1 {
		t.Errorf("want exactly the IPV6CP link-local address on sstp0, got:\n%s", out)
	}
	eventually(t, 10*time.Second, "router pings the corporate IPv6 host", func() error {
		_, err := tp.rtr.try("ping", "-6", "-c", "1", "-W", "1", corpV6Host)
		return err
	})
	if route := tp.rtr.run("ip", "-6", "route", "get", corpV6Host); !strings.Contains(route, "dev sstp0") {
		t.Errorf("route to %s: %s", corpV6Host, route)
	}
	tp.rtr.run("ping", "-c", "1", "-W", "2", tunnelSrv) // IPv4 still works beside it
}

// checkIPv6Hook: the up script's last run had the IPV6CP link-local
// addresses (the one on sstp0 among them), at most two runs happened, and
// the status file and SIGUSR1 show them. It returns the runs' environments.
func checkIPv6Hook(t *testing.T, tp *topo, cli *proc, upEnv, status string) []string {
	t.Helper()
	var runs []string
	eventually(t, 10*time.Second, "up script run with IPV6LOCAL", func() error {
		b, _ := os.ReadFile(upEnv)
		runs = strings.Split(strings.TrimSuffix(string(b), "---\n"), "---\n")
		if !strings.Contains(runs[len(runs)-1], "IPV6LOCAL=fe80::") {
			return fmt.Errorf("last of %d up script runs without IPV6LOCAL", len(runs))
		}
		return nil
	})
	last := runs[len(runs)-1]
	t.Logf("up script ran %d times", len(runs))
	if len(runs) > 2 {
		t.Errorf("up script ran %d times, want 1 or 2", len(runs))
	}
	ll := linkLocal(t, tp)
	for _, want := range []string{"IPV6LOCAL=" + ll + "\n", "LLLOCAL=" + ll + "\n", "IPV6REMOTE=fe80::", "LLREMOTE=fe80::", "IPLOCAL=10.0.0."} {
		if !strings.Contains(last, want) {
			t.Errorf("up script environment lacks %q:\n%s", want, last)
		}
	}
	eventually(t, 5*time.Second, "status file with local6", func() error {
		if b, _ := os.ReadFile(status); !strings.Contains(string(b), `"local6":"`+ll+`"`) || !strings.Contains(string(b), `"remote6":"fe80::`) {
			return fmt.Errorf("status file: %s", b)
		}
		return nil
	})
	cli.signal(syscall.SIGUSR1)
	if !cli.waitOutput("local6="+ll, 5*time.Second) {
		t.Error("SIGUSR1 status lacks local6")
	}
	return runs
}

// IPv6 that opens after IPv4 (the server takes IPV6CP late): the up script
// runs first without the IPv6 addresses, then again with them, as pppd runs
// ip-up and then ipv6-up.
func TestIPv6LateRunsUpScriptAgain(t *testing.T) {
	tp := newTopo(t)
	tp.startServer("--ipv6", "--fault", "late-ipv6")
	upEnv := filepath.Join(tp.dir, "up.env")
	up := filepath.Join(tp.dir, "up.sh")
	os.WriteFile(up, []byte("#!/bin/sh\n{ env; echo ---; } >> "+upEnv+"\n"), 0o755)
	status := filepath.Join(tp.dir, "status.json")
	cli := tp.startClient("--ipv6", "--up-script", up, "--status-file", status)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	if !cli.waitOutput("IPv6 up", 30*time.Second) {
		t.Fatal("IPv6 did not come up")
	}
	runs := checkIPv6Hook(t, tp, cli, upEnv, status)
	if len(runs) != 2 || strings.Contains(runs[0], "IPV6LOCAL=") || !strings.Contains(runs[0], "IPLOCAL=10.0.0.") {
		t.Errorf("want two up script runs, the first with IPv4 only; got %d:\n%s", len(runs), strings.Join(runs, "---\n"))
	}
}

// linkLocal is the fe80:: address on the router's sstp0.
func linkLocal(t *testing.T, tp *topo) string {
	t.Helper()
	for _, f := range strings.Fields(tp.rtr.run("ip", "-6", "-o", "addr", "show", "dev", "sstp0", "scope", "link")) {
		if strings.HasPrefix(f, "fe80::") {
			return strings.TrimSuffix(f, "/64")
		}
	}
	t.Fatal("no link-local address on sstp0")
	return ""
}

// Two tunnels side by side in one router: each has its device, address,
// routes and status file; stopping one leaves the other alone.
func TestTwoTunnels(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	tp.corp.run("ip", "addr", "add", "172.16.50.130/24", "dev", "corp0")
	pw := filepath.Join(tp.dir, "password")
	os.WriteFile(pw, []byte(testPass+"\n"), 0o600)
	start := func(ifname, route string) (*proc, string) {
		status := filepath.Join(tp.dir, ifname+".json")
		return tp.rtr.start("sstpgo-"+ifname, nil, bin(t, "sstpgo"), "connect",
			"--server", serverWAN, "--sni", sniName, "--ca-cert", filepath.Join(tp.dir, "ca.pem"),
			"--user", testUser, "--password-file", pw, "--ifname", ifname, "--route", route,
			"--status-file", status, "--log-level", "debug"), status
	}
	a, statusA := start("sstpa", "172.16.50.0/25")
	b, statusB := start("sstpb", "172.16.50.128/25")
	for _, p := range []*proc{a, b} {
		if !p.waitOutput("tunnel up", 20*time.Second) {
			t.Fatalf("%s did not come up", p.name)
		}
	}
	routeDev := func(dst string) string {
		out := tp.rtr.run("ip", "route", "get", dst)
		f := strings.Fields(out)
		for i := range f[:len(f)-1] {
			if f[i] == "dev" {
				return f[i+1]
			}
		}
		return out
	}
	if d := routeDev("172.16.50.2"); d != "sstpa" {
		t.Errorf("172.16.50.2 routed via %s, want sstpa", d)
	}
	if d := routeDev("172.16.50.130"); d != "sstpb" {
		t.Errorf("172.16.50.130 routed via %s, want sstpb", d)
	}
	for _, dst := range []string{"172.16.50.2", "172.16.50.130"} {
		eventually(t, 10*time.Second, "router pings "+dst, func() error {
			_, err := tp.rtr.try("ping", "-c", "1", "-W", "1", dst)
			return err
		})
	}
	for _, s := range []string{statusA, statusB} {
		if js, err := os.ReadFile(s); err != nil || !strings.Contains(string(js), `"state":"up"`) {
			t.Errorf("%s: %s %v", s, js, err)
		}
	}
	a.signal(syscall.SIGTERM)
	if code := a.wait(15 * time.Second); code != 0 {
		t.Fatalf("sstpa exit code %d", code)
	}
	if _, err := tp.rtr.try("ip", "link", "show", "sstpa"); err == nil {
		t.Error("sstpa still exists")
	}
	if d := routeDev("172.16.50.130"); d != "sstpb" {
		t.Errorf("after stopping a, 172.16.50.130 routed via %s, want sstpb", d)
	}
	if out := tp.rtr.run("ip", "route", "show"); strings.Contains(out, "172.16.50.0/25") {
		t.Errorf("a's route left behind:\n%s", out)
	}
	if _, err := tp.rtr.try("ping", "-c", "1", "-W", "2", "172.16.50.130"); err != nil {
		t.Errorf("b no longer works after a stopped: %v", err)
	}
	if b.exited() {
		t.Error("b exited")
	}
	if js, _ := os.ReadFile(statusB); !strings.Contains(string(js), `"state":"up"`) {
		t.Errorf("b's status after a stopped: %s", js)
	}
}
