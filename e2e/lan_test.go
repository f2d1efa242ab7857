//go:build e2e

package e2e

// The LAN behind the router uses the corporate site as an office PC does:
// routes and DNS domains pushed by the server (DHCPINFORM), split DNS
// through a dnsmasq on the router, TCP MSS clamping against a PMTU black
// hole, and a file copied from an SMB share by its corporate name.

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	pushedNet   = "172.16.60.0/24" // routed to the corporate host; only DHCP tells the router
	pushedHost  = "172.16.60.2"
	corpDomain  = "corp.example"
	corpName    = "files.corp.example" // the corporate host, known only to the corporate DNS
	corpDNS     = corpHost             // dnsmasq on the corporate host
	uplinkDNS   = serverWAN            // the "ISP" resolver, on the server's WAN address
	publicName  = "www.example.net"    // known only to the uplink's DNS
	publicAddr  = "198.51.100.80"
	routerLAN   = "192.168.77.1"
	dhcpArgsHdr = "--dhcp-route"
)

// startDetached runs a server that forks (busybox httpd, smbd, a shell
// pipeline) with its output in logFile instead of the test's pipe: a child
// left over after a stall must not keep the process's cleanup waiting for
// the pipe to close (the topology's cleanup kills it later).
func (n *netns) startDetached(name, logFile string, args ...string) *proc {
	n.t.Helper()
	return n.start(name, nil, append([]string{"sh", "-c", `exec "$0" "$@" >"` + logFile + `" 2>&1`}, args...)...)
}

// needBins skips the test when a program it needs is missing (CI installs
// them: dnsmasq, samba, smbclient, busybox, curl).
func needBins(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("%s not installed (apt-get install dnsmasq-base samba smbclient busybox curl): %v", n, err)
		}
	}
}

// corpServer starts the SSTP server answering DHCPINFORM with a route to
// pushedNet, the corporate domain and DNS server, as RRAS relaying to the
// corporate DHCP server does; the corporate host also owns pushedHost.
func (tp *topo) corpServer(extra ...string) *proc {
	tp.t.Helper()
	tp.corp.run("ip", "addr", "add", pushedHost+"/32", "dev", "lo")
	tp.srv.run("ip", "route", "add", pushedNet, "via", corpHost)
	return tp.startServer(append([]string{"--dns", corpDNS,
		dhcpArgsHdr, pushedNet, "--dhcp-domain", corpDomain, "--dhcp-search", corpDomain, "--dhcp-dns", corpDNS}, extra...)...)
}

// resolvConf makes `ip netns exec` show ns a resolv.conf naming server.
func resolvConf(t *testing.T, ns *netns, server string) {
	t.Helper()
	dir := filepath.Join("/etc/netns", ns.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver "+server+"\noptions timeout:2 attempts:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dnsmasq runs a DNS server (no DHCP) in ns listening on addr.
func dnsmasq(t *testing.T, ns *netns, addr string, args ...string) *proc {
	t.Helper()
	p := ns.start("dnsmasq@"+addr, nil, append([]string{"dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
		"--bind-interfaces", "--listen-address", addr, "--user=root", "--pid-file=", "--log-queries", "--log-facility=-"}, args...)...)
	eventually(t, 5*time.Second, "dnsmasq on "+addr, func() error {
		if p.exited() {
			return fmt.Errorf("dnsmasq exited: %s", p.Output())
		}
		if !strings.Contains(p.Output(), "started") {
			return fmt.Errorf("not started yet")
		}
		return nil
	})
	return p
}

// A route nobody configured: the router's configuration names only
// 172.16.50.0/24, the server pushes 172.16.60.0/24 by DHCP, and the LAN host
// reaches a host there. With --no-pushed-routes it does not.
func TestLANPushedRoute(t *testing.T) {
	tp := newTopo(t)
	srv := tp.corpServer()
	cli := tp.startClient()
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	eventually(t, 15*time.Second, "ping "+pushedHost+" through the pushed route", func() error {
		out, err := tp.lan.try("ping", "-c", "1", "-W", "1", pushedHost)
		if err != nil {
			return fmt.Errorf("%v: %s", err, strings.TrimSpace(out))
		}
		return nil
	})
	routes := tp.rtr.run("ip", "route", "show")
	if !strings.Contains(routes, pushedNet+" dev sstp0") {
		t.Errorf("no pushed route on the router:\n%s", routes)
	}
	if !strings.Contains(srv.Output(), "INFORM answered") {
		t.Errorf("the server saw no DHCPINFORM")
	}
	t.Logf("router routes:\n%s", routes)
	if !strings.Contains(cli.Output(), "pushed") {
		t.Errorf("sstpgo did not log the pushed configuration")
	}

	// Refused: the same setup with --no-pushed-routes sends no DHCPINFORM.
	tp2 := newTopo(t)
	srv2 := tp2.corpServer()
	cli2 := tp2.startClient("--no-pushed-routes")
	if !cli2.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	eventually(t, 10*time.Second, "ping the configured network", tp2.pingCorp)
	time.Sleep(2 * time.Second)
	if out, err := tp2.lan.try("ping", "-c", "1", "-W", "1", pushedHost); err == nil {
		t.Errorf("pushed network reachable with --no-pushed-routes: %s", out)
	}
	if strings.Contains(srv2.Output(), "INFORM answered") {
		t.Error("DHCPINFORM sent with --no-pushed-routes")
	}
}

// A server with no DHCP behind it: the tunnel works as before and sstpgo
// logs one line.
func TestLANNoDHCPServer(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	cli := tp.startClient()
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	eventually(t, 10*time.Second, "ping", tp.pingCorp)
	if !cli.waitOutput("no DHCP answer", 30*time.Second) {
		t.Fatal("no log line about the unanswered DHCPINFORM")
	}
	if n := strings.Count(cli.Output(), "no DHCP answer through the tunnel"); n != 1 {
		t.Errorf("%d log lines about it, want 1", n)
	}
	if err := tp.pingCorp(); err != nil {
		t.Errorf("after giving up on DHCP: %v", err)
	}
}

// splitDNS sets up the DNS side: the corporate DNS on the corporate host,
// the uplink's DNS on the server's WAN address, and on the router the
// dnsmasq an admin would run (uplink DNS for everything, the servers-file
// that examples/dnsmasq-split-dns.sh keeps for the corporate domains),
// which the LAN host uses. It returns the sstpgo arguments and environment
// for the hook.
func splitDNS(t *testing.T, tp *topo) (args, env []string, corpLog, uplinkLog, routerLog *proc) {
	t.Helper()
	needBins(t, "dnsmasq")
	corpLog = dnsmasq(t, tp.corp, corpHost, "--local=/"+corpDomain+"/", "--host-record="+corpName+","+corpHost)
	uplinkLog = dnsmasq(t, tp.srv, uplinkDNS, "--host-record="+publicName+","+publicAddr)
	dir, _ := filepath.Abs(t.TempDir())
	servers := filepath.Join(dir, "servers.conf")
	pid := filepath.Join(dir, "dnsmasq.pid")
	os.WriteFile(servers, nil, 0o644)
	routerLog = tp.rtr.start("dnsmasq@router", nil, "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
		"--bind-interfaces", "--listen-address", routerLAN, "--user=root", "--pid-file="+pid, "--log-queries", "--log-facility=-",
		"--server="+uplinkDNS, "--servers-file="+servers)
	eventually(t, 5*time.Second, "router dnsmasq pid", func() error {
		_, err := os.Stat(pid)
		return err
	})
	resolvConf(t, tp.lan, routerLAN)
	hook, _ := filepath.Abs("../examples/dnsmasq-split-dns.sh")
	return []string{"--up-script", hook, "--down-script", hook},
		[]string{"SSTPGO_DNSMASQ_SERVERS=" + servers, "SSTPGO_DNSMASQ_PIDFILE=" + pid}, corpLog, uplinkLog, routerLog
}

func (tp *topo) resolve(name string) (string, error) {
	out, err := tp.lan.try("getent", "ahostsv4", name)
	if err != nil {
		return "", fmt.Errorf("getent %s: %v %s", name, err, out)
	}
	f := strings.Fields(out)
	if len(f) == 0 {
		return "", fmt.Errorf("getent %s: no address", name)
	}
	return f[0], nil
}

// Split DNS on the LAN: the LAN host resolves a corporate name through the
// tunnel's DNS server and a public one through the uplink's, with only the
// domain the server pushed going to the tunnel. After the tunnel stops,
// the corporate name is gone again.
func TestLANSplitDNS(t *testing.T) {
	tp := newTopo(t)
	tp.corpServer()
	args, env, corpLog, uplinkLog, routerLog := splitDNS(t, tp)
	cli := tp.rtr.start("sstpgo", env, tp.clientArgs(args...)...)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	// Until the server's answer names the domain, nothing can know that
	// corp.example belongs to the tunnel: wait until the router's dnsmasq
	// has read the hook's forwarding; from then on the uplink's DNS must
	// never see a corporate name.
	if !routerLog.waitOutput("using nameserver "+corpDNS+"#53 for domain "+corpDomain, 15*time.Second) {
		t.Fatalf("the router's dnsmasq never forwarded %s:\n%s", corpDomain, routerLog.Output())
	}
	eventually(t, 15*time.Second, "resolve "+corpName+" from the LAN", func() error {
		a, err := tp.resolve(corpName)
		if err == nil && a != corpHost {
			err = fmt.Errorf("%s is %s, want %s", corpName, a, corpHost)
		}
		return err
	})
	if a, err := tp.resolve(publicName); err != nil || a != publicAddr {
		t.Errorf("%s: %s, %v; want %s from the uplink's DNS", publicName, a, err, publicAddr)
	}
	// The corporate server saw the corporate name from the router's tunnel
	// address, the uplink's never did; and the public name the other way.
	if out := corpLog.Output(); !strings.Contains(out, corpName+" from 10.0.0.") || strings.Contains(out, publicName) {
		t.Errorf("corporate DNS log:\n%s", out)
	}
	if out := uplinkLog.Output(); strings.Contains(out, corpName) || !strings.Contains(out, publicName) {
		t.Errorf("uplink DNS log:\n%s", out)
	}
	cli.signal(15)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	eventually(t, 10*time.Second, "corporate name gone after the tunnel", func() error {
		if a, err := tp.resolve(corpName); err == nil {
			return fmt.Errorf("%s still resolves to %s", corpName, a)
		}
		return nil
	})
}

// blackholePMTU drops every ICMP "fragmentation needed" on the path, as
// firewalls that break path MTU discovery do: on the server (forwarding the
// corporate host's packets into its 1400-byte tunnel) and the router
// (forwarding the LAN's into sstp0).
func (tp *topo) blackholePMTU() {
	for _, ns := range []*netns{tp.srv, tp.rtr} {
		for _, chain := range []string{"OUTPUT", "FORWARD"} {
			ns.run("iptables", "-I", chain, "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP")
		}
	}
}

// download fetches url from the LAN host and returns the bytes received; a
// transfer that moves nothing for 10 s is a stall.
func (tp *topo) download(url string) (int64, time.Duration, error) {
	start := time.Now()
	out, err := tp.lan.try("curl", "-sS", "-o", "/dev/null", "--speed-limit", "1", "--speed-time", "10",
		"--max-time", "180", "-w", "%{size_download}", url)
	d := time.Since(start)
	f := strings.Fields(out)
	var n int64
	if len(f) > 0 {
		n, _ = strconv.ParseInt(f[len(f)-1], 10, 64)
	}
	if err != nil {
		return n, d, fmt.Errorf("curl: %v: %s", err, strings.TrimSpace(out))
	}
	return n, d, nil
}

// Large TCP segments survive a PMTU black hole: with every MTU on the
// hosts at 1500, the tunnel's at 1400 and ICMP "fragmentation needed"
// dropped, a 100 MB download and a 20 MB upload complete because sstpgo
// clamps the MSS of the SYNs it carries; with --no-mss-clamp they stall.
func TestLANMSSClampPMTUBlackhole(t *testing.T) {
	needBins(t, "busybox", "curl")
	const size = 100 << 20
	for _, clamp := range []bool{true, false} {
		t.Run(fmt.Sprintf("clamp=%v", clamp), func(t *testing.T) {
			tp := newTopo(t)
			tp.startServer()
			www := t.TempDir()
			os.WriteFile(filepath.Join(www, "big"), nil, 0o644)
			os.Truncate(filepath.Join(www, "big"), size) // zeros, sparse
			tp.corp.startDetached("httpd", filepath.Join(tp.dir, "httpd.log"), "busybox", "httpd", "-f", "-p", corpHost+":8080", "-h", www)
			var extra []string
			if !clamp {
				extra = append(extra, "--no-mss-clamp")
			}
			cli := tp.startClient(extra...)
			if !cli.waitOutput("tunnel up", 20*time.Second) {
				t.Fatal("tunnel did not come up")
			}
			eventually(t, 10*time.Second, "ping", tp.pingCorp)
			tp.blackholePMTU()
			n, d, err := tp.download("http://" + corpHost + ":8080/big")
			t.Logf("clamp=%v: download %d of %d bytes in %v (%v)", clamp, n, size, d.Round(time.Millisecond), err)
			if clamp && (err != nil || n != size) {
				t.Fatalf("download through the black hole failed with the clamp: %d bytes, %v", n, err)
			}
			if !clamp && err == nil {
				t.Fatalf("download completed without the clamp: the black hole is not one")
			}
			// Upload: the corporate host's SYN-ACK is clamped on its way in.
			const upSize = "20000000"
			count := filepath.Join(tp.dir, "sink.count")
			sink := tp.corp.startDetached("sink", count, "sh", "-c", "busybox nc -l -p 9000 | wc -c")
			time.Sleep(300 * time.Millisecond)
			start := time.Now()
			out, err := tp.lan.try("timeout", "30", "bash", "-c", "head -c "+upSize+" /dev/zero >/dev/tcp/"+corpHost+"/9000")
			got := "?"
			if sink.wait(10*time.Second) == 0 {
				b, _ := os.ReadFile(count)
				got = strings.TrimSpace(string(b))
			}
			t.Logf("clamp=%v: upload of %s bytes: %s arrived in %v (%v %s)", clamp, upSize, got, time.Since(start).Round(time.Millisecond), err, strings.TrimSpace(out))
			if clamp && (err != nil || got != upSize) {
				t.Errorf("upload failed with the clamp: %s bytes arrived, %v", got, err)
			}
			if !clamp && err == nil && got == upSize {
				t.Errorf("upload completed without the clamp: the black hole is not one")
			}
		})
	}
}

// startSamba serves dir as the guest share "share" from the corporate host.
func startSamba(t *testing.T, tp *topo, dir string) {
	t.Helper()
	needBins(t, "smbd", "smbclient")
	state, err := os.MkdirTemp("", "sgsmb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	for _, d := range []string{"private", "lock", "state", "cache", "pid", "ncalrpc"} {
		if err := os.Mkdir(filepath.Join(state, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(state, "smb.conf")
	os.WriteFile(conf, []byte(`[global]
workgroup = CORP
server role = standalone server
map to guest = Bad User
interfaces = `+corpHost+`
bind interfaces only = yes
smb ports = 445
disable netbios = yes
load printers = no
printcap name = /dev/null
private dir = `+state+`/private
lock directory = `+state+`/lock
state directory = `+state+`/state
cache directory = `+state+`/cache
pid directory = `+state+`/pid
ncalrpc dir = `+state+`/ncalrpc
log file = `+state+`/log
server min protocol = SMB2

[share]
path = `+dir+`
guest ok = yes
read only = yes
`), 0o644)
	logFile := filepath.Join(state, "smbd.out")
	p := tp.corp.startDetached("smbd", logFile, "smbd", "--foreground", "--no-process-group", "--debug-stdout", "-s", conf)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(logFile)
			t.Logf("--- smbd output:\n%s", b)
		}
	})
	eventually(t, 15*time.Second, "smbd listening", func() error {
		if p.exited() {
			b, _ := os.ReadFile(logFile)
			return fmt.Errorf("smbd exited: %s", b)
		}
		_, err := tp.corp.try("bash", "-c", "exec 3<>/dev/tcp/"+corpHost+"/445")
		return err
	})
}

// The corporate file share: the LAN host copies a file from an SMB share on
// the corporate host, by the corporate DNS name, through the router (split
// DNS, pushed configuration, MSS clamping all on), and it arrives intact.
func TestLANSMBCopyByName(t *testing.T) {
	tp := newTopo(t)
	tp.corpServer()
	args, env, _, _, _ := splitDNS(t, tp)
	share, err := os.MkdirTemp("", "sgshare")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(share) })
	os.Chmod(share, 0o755)
	data := make([]byte, 20<<20)
	rand.Read(data)
	os.WriteFile(filepath.Join(share, "report.bin"), data, 0o644)
	want := sha256.Sum256(data)
	startSamba(t, tp, share)
	tp.blackholePMTU()
	cli := tp.rtr.start("sstpgo", env, tp.clientArgs(args...)...)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	eventually(t, 15*time.Second, "resolve "+corpName, func() error { _, err := tp.resolve(corpName); return err })
	dst := filepath.Join(t.TempDir(), "report.bin")
	start := time.Now()
	out, err := tp.lan.try("timeout", "120", "smbclient", "//"+corpName+"/share", "-N", "-s", "/dev/null",
		"-c", "get report.bin "+dst)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("smbclient: %v\n%s", err, out)
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != want {
		t.Fatalf("copied file differs (%d bytes)", len(got))
	}
	t.Logf("copied %d bytes from //%s/share in %v (sha256 %s…)", len(got), corpName, took.Round(time.Millisecond), hex.EncodeToString(want[:6]))
}

// The pushed routes survive a reconnect: they are installed again with the
// configured ones at once (not only after the next DHCP answer), and a
// server that now pushes another network replaces them.
func TestLANPushedRouteAcrossReconnect(t *testing.T) {
	tp := newTopo(t)
	srv := tp.corpServer()
	cli := tp.startClient()
	if !cli.waitOutput("pushed by the server", 20*time.Second) {
		t.Fatal("no pushed configuration")
	}
	srv.signal(9)
	srv.wait(5 * time.Second)
	if !cli.waitOutput("tunnel down", 40*time.Second) {
		t.Fatal("client did not notice the server's death")
	}
	if routes := tp.rtr.run("ip", "route", "show"); !strings.Contains(routes, pushedNet+" dev sstp0") {
		t.Errorf("pushed route gone during the reconnect:\n%s", routes)
	}
	// The new server pushes 172.16.70.0/24 instead.
	tp.corp.run("ip", "addr", "add", "172.16.70.2/32", "dev", "lo")
	tp.srv.run("ip", "route", "add", "172.16.70.0/24", "via", corpHost)
	tp.startServer("--dns", corpDNS, "--dhcp-route", "172.16.70.0/24", "--dhcp-domain", corpDomain)
	eventually(t, 60*time.Second, "ping 172.16.70.2 after the reconnect", func() error {
		out, err := tp.lan.try("ping", "-c", "1", "-W", "1", "172.16.70.2")
		if err != nil {
			return fmt.Errorf("%v: %s", err, strings.TrimSpace(out))
		}
		return nil
	})
	routes := tp.rtr.run("ip", "route", "show")
	if strings.Contains(routes, pushedNet) {
		t.Errorf("the old pushed route stayed after the new answer:\n%s", routes)
	}
}

// Without systemd-resolved, --use-peer-dns writes the DHCP DNS server and
// the pushed search domains to resolv.conf, and puts the original back on
// exit.
func TestLANResolvConfSearchDomains(t *testing.T) {
	tp := newTopo(t)
	tp.corpServer()
	resolv := filepath.Join(tp.dir, "resolv.conf")
	const original = "nameserver 192.0.2.53\n"
	os.WriteFile(resolv, []byte(original), 0o644)
	cli := tp.startClient("--use-peer-dns", "--resolv-conf", resolv)
	eventually(t, 20*time.Second, "search domains in resolv.conf", func() error {
		b, _ := os.ReadFile(resolv)
		if !strings.Contains(string(b), "search "+corpDomain) || !strings.Contains(string(b), "nameserver "+corpDNS) {
			return fmt.Errorf("resolv.conf:\n%s", b)
		}
		return nil
	})
	cli.signal(15)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if b, _ := os.ReadFile(resolv); string(b) != original {
		t.Errorf("resolv.conf not restored:\n%s", b)
	}
}

// A pushed route into the router's own LAN (the corporate DHCP server does
// not know the branch's addressing) is refused with a log line; the LAN
// stays reachable and the other pushed routes are installed.
func TestLANPushedRouteIntoTheLANRefused(t *testing.T) {
	tp := newTopo(t)
	tp.corpServer("--dhcp-route", "192.168.77.128/25")
	cli := tp.startClient()
	if !cli.waitOutput("pushed by the server", 20*time.Second) {
		t.Fatal("no pushed configuration")
	}
	if !strings.Contains(cli.Output(), `msg="pushed route refused" route=192.168.77.128/25 why="overlaps the network on rlan0"`) {
		t.Errorf("no refusal logged:\n%s", cli.Output())
	}
	routes := tp.rtr.run("ip", "route", "show")
	if strings.Contains(routes, "192.168.77.128/25") || !strings.Contains(routes, pushedNet+" dev sstp0") {
		t.Errorf("routes:\n%s", routes)
	}
	tp.rtr.run("ping", "-c", "1", "-W", "2", "192.168.77.2")
}
