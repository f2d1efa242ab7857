//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The core: a real TUN device in the router namespace, the server's tunnel
// address answers pings, SIGTERM sends Call Disconnect and leaves nothing.
func TestConnectPingAndCleanStop(t *testing.T) {
	tp := newTopo(t)
	srv := tp.startServer()
	cli := tp.startClient("--reconnect=false")
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatalf("tunnel did not come up")
	}
	tp.rtr.run("ping", "-c", "3", "-i", "0.2", "-W", "2", tunnelSrv)
	out := tp.rtr.run("ip", "-o", "addr", "show", "dev", "sstp0")
	if !strings.Contains(out, "peer "+tunnelSrv) {
		t.Errorf("sstp0 address: %s", out)
	}
	cli.signal(syscall.SIGTERM)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	if err := tp.routerClean(); err != nil {
		t.Error(err)
	}
	if !srv.waitOutput("client disconnect", 5*time.Second) {
		t.Errorf("server did not see Call Disconnect")
	}
}

// The demo topology: the whole LAN reaches the corporate host, and the
// corporate host sees the traffic arrive from the tunnel.
func TestLANReachesCorporateHost(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	status := filepath.Join(tp.dir, "status.json")
	cli := tp.startClient("--status-file", status)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatalf("tunnel did not come up")
	}
	eventually(t, 10*time.Second, "LAN host pings corporate host", tp.pingCorp)

	iperf := tp.corp.start("iperf3-server", nil, "iperf3", "-s", "-1")
	time.Sleep(500 * time.Millisecond)
	out := tp.lan.run("iperf3", "-c", corpHost, "-t", "2", "-f", "m")
	if !strings.Contains(out, "receiver") {
		t.Fatalf("iperf3: %s", out)
	}
	iperf.wait(5 * time.Second)
	local := tunnelAddr(t, tp)
	if !strings.Contains(iperf.Output(), "Accepted connection from "+local) {
		t.Errorf("corporate host did not see the tunnel address %s:\n%s", local, iperf.Output())
	}
	js, err := os.ReadFile(status)
	if err != nil || !strings.Contains(string(js), `"state":"up"`) || !strings.Contains(string(js), `"local":"`+local+`"`) {
		t.Errorf("status file: %s %v", js, err)
	}
}

var addrRE = regexp.MustCompile(`inet (\d+\.\d+\.\d+\.\d+) peer`)

func tunnelAddr(t *testing.T, tp *topo) string {
	m := addrRE.FindStringSubmatch(tp.rtr.run("ip", "-o", "addr", "show", "dev", "sstp0"))
	if m == nil {
		t.Fatal("no address on sstp0")
	}
	return m[1]
}

// A server that crashes and comes back: the router reconnects by itself and
// LAN traffic flows again without touching the router. It asks for its old
// tunnel address and gets it back: the first server holds 10.0.0.2 itself,
// so the client's 10.0.0.3 is not the one the new server would hand out first.
func TestServerRestartReconnects(t *testing.T) {
	tp := newTopo(t)
	srv := tp.startServer("--server-ip", "10.0.0.2")
	cli := tp.startClient()
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	eventually(t, 10*time.Second, "ping before restart", tp.pingCorp)
	before := tunnelAddr(t, tp)
	srv.signal(syscall.SIGKILL)
	srv.wait(5 * time.Second)
	if !cli.waitOutput("tunnel down", 40*time.Second) {
		t.Fatal("client did not notice the server's death")
	}
	tp.startServer()
	eventually(t, 60*time.Second, "ping after restart", tp.pingCorp)
	if cli.exited() {
		t.Fatal("sstpgo exited")
	}
	if n := strings.Count(cli.Output(), "tunnel up"); n < 2 {
		t.Errorf("tunnel up %d times, want 2", n)
	}
	if after := tunnelAddr(t, tp); after != before || before != "10.0.0.3" {
		t.Errorf("sstp0 address %s before the restart, %s after; want 10.0.0.3 kept", before, after)
	}
}

// An uplink that silently drops everything: dead-peer detection notices
// within the configured time, and the tunnel returns when the path does,
// resuming the TLS session with the same server process.
func TestUplinkBlackholeDetected(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	cli := tp.startClient("--echo-interval", "2s", "--echo-timeout", "3s")
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	eventually(t, 10*time.Second, "ping before the blackhole", tp.pingCorp)
	drop := []string{"iptables", "-I", "FORWARD", "-s", "198.51.100.2", "-j", "DROP"}
	tp.srv.run("iptables", "-I", "INPUT", "-s", "198.51.100.2", "-j", "DROP")
	tp.srv.run(drop...)
	start := time.Now()
	if !cli.waitOutput("no answer to SSTP echo", 15*time.Second) {
		t.Fatal("dead path not detected within 15s (configured 2s+3s)")
	}
	t.Logf("dead path detected after %v", time.Since(start).Round(100*time.Millisecond))
	tp.srv.run("iptables", "-D", "INPUT", "-s", "198.51.100.2", "-j", "DROP")
	tp.srv.run("iptables", "-D", "FORWARD", "-s", "198.51.100.2", "-j", "DROP")
	eventually(t, 60*time.Second, "ping after the path is back", tp.pingCorp)
	if !strings.Contains(cli.Output(), "(session resumed)") {
		t.Error("the reconnect did not resume the TLS session")
	}
}

// A wrong password ends with the authentication exit code after one attempt.
func TestWrongPasswordExitsWithAuthCode(t *testing.T) {
	tp := newTopo(t)
	srv := tp.startServer()
	pw := filepath.Join(tp.dir, "password")
	os.WriteFile(pw, []byte("wrong\n"), 0o600)
	cli := tp.startClient()
	code := cli.wait(30 * time.Second)
	if code != 3 {
		t.Fatalf("exit code %d, want 3 (authentication rejected)\n%s", code, cli.Output())
	}
	if n := strings.Count(srv.Output(), "auth failed"); n != 1 {
		t.Errorf("server saw %d failed authentications, want exactly 1", n)
	}
	if err := tp.routerClean(); err != nil {
		t.Error(err)
	}
}

// A certificate for another name ends with the certificate exit code before
// any credential is sent.
func TestCertificateMismatchExitsWithCertCode(t *testing.T) {
	tp := newTopo(t)
	srv := tp.startServer()
	args := tp.clientArgs()
	for i, a := range args {
		if a == sniName {
			args[i] = "other.example.test"
		}
	}
	cli := tp.rtr.start("sstpgo", nil, args...)
	if code := cli.wait(30 * time.Second); code != 4 {
		t.Fatalf("exit code %d, want 4 (certificate rejected)\n%s", code, cli.Output())
	}
	if !strings.Contains(cli.Output(), "certificate is for") && !strings.Contains(cli.Output(), "other.example.test") {
		t.Errorf("no clear certificate message:\n%s", cli.Output())
	}
	if strings.Contains(srv.Output(), "auth") {
		t.Errorf("server saw an authentication attempt:\n%s", srv.Output())
	}
}

// SIGTERM with --default-route: routes (including the pinned host route to
// the server), device and process are all gone.
func TestDefaultRouteAndSIGTERMCleanup(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	before := tp.rtr.run("ip", "route", "show")
	cli := tp.startClient("--default-route")
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	routes := tp.rtr.run("ip", "route", "show")
	for _, want := range []string{"0.0.0.0/1 dev sstp0", "128.0.0.0/1 dev sstp0", serverWAN + " dev rwan0", corpNet + " dev sstp0"} {
		if !strings.Contains(routes, want) {
			t.Errorf("route %q missing:\n%s", want, routes)
		}
	}
	eventually(t, 10*time.Second, "ping through the default route", tp.pingCorp)
	cli.signal(syscall.SIGTERM)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	if err := tp.routerClean(); err != nil {
		t.Error(err)
	}
	if after := tp.rtr.run("ip", "route", "show"); after != before {
		t.Errorf("routes differ after stop:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if pids := mustRun(t, "ip", "netns", "pids", tp.rtr.name); strings.TrimSpace(pids) != "" {
		t.Errorf("processes left in the router namespace: %s", pids)
	}
}

// A server given by name keeps working across a reconnect when the name no
// longer resolves (with --default-route the DNS server is often only
// reachable through the tunnel being rebuilt): sstpgo falls back to the
// address that worked last time.
func TestReconnectWhenNameStopsResolving(t *testing.T) {
	tp := newTopo(t)
	hostsDir := filepath.Join("/etc/netns", tp.rtr.name)
	if err := os.MkdirAll(hostsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(hostsDir) })
	hosts := filepath.Join(hostsDir, "hosts")
	os.WriteFile(hosts, []byte("127.0.0.1 localhost\n"+serverWAN+" "+sniName+"\n"), 0o644)
	os.WriteFile(filepath.Join(hostsDir, "resolv.conf"), []byte("nameserver 192.0.2.99\noptions timeout:1 attempts:1\n"), 0o644)
	srv := tp.startServer()
	cli := tp.startClientByName()
	// The name disappears (same inode: the bind mount keeps pointing at it).
	f, err := os.OpenFile(hosts, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("127.0.0.1 localhost\n")
	f.Close()
	time.Sleep(6 * time.Second) // Go's resolver rereads /etc/hosts at most every 5 s
	srv.signal(syscall.SIGKILL)
	srv.wait(5 * time.Second)
	tp.startServer()
	eventually(t, 60*time.Second, "ping after reconnect without DNS", tp.pingCorp)
	if !strings.Contains(cli.Output(), "trying its last address") {
		t.Errorf("no fallback to the last address logged")
	}
}

// A second SIGINT/SIGTERM exits at once even when the graceful stop is stuck
// (here: a server that stopped reading never acknowledges Call Disconnect);
// the kernel removes the device with the process.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	tp := newTopo(t)
	tp.startServer("--fault", "stop-reading")
	cli := tp.startClient()
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	time.Sleep(300 * time.Millisecond) // let the server stop reading
	cli.signal(syscall.SIGTERM)
	if !cli.waitOutput("disconnecting", 5*time.Second) {
		t.Fatal("no graceful stop started")
	}
	start := time.Now()
	cli.signal(syscall.SIGTERM)
	code := cli.wait(5 * time.Second)
	if code == -1 {
		t.Fatal("second signal did not end the process")
	}
	t.Logf("exit code %d after %v", code, time.Since(start).Round(time.Millisecond))
	eventually(t, 5*time.Second, "device gone", tp.routerClean)
}
