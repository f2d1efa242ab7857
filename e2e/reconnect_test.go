//go:build e2e

package e2e

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// movedWAN is where the server moves to: another network behind the same
// "internet" router (the server namespace), reached from the router by its
// default route, which --default-route's two /1 routes cover.
const movedWAN = "203.0.113.1"

// startServerAt runs the test server listening on addr (in the server
// namespace), handing out the DNS server dns, and waits until it listens
// there. The router cannot be used to
// check: with --default-route up, its probe would enter the tunnel.
func (tp *topo) startServerAt(addr, dns string, extra ...string) *proc {
	tp.t.Helper()
	args := append([]string{bin(tp.t, "sstptest-server"),
		"--listen", addr + ":443", "--personality", "rras",
		"--user", testUser + ":" + testPass, "--cert-out", tp.dir, "--hostname", sniName,
		"--server-ip", tunnelSrv, "--pool", "10.0.0.0/24", "--dns", dns, "--tun", "tun-srv"}, extra...)
	p := tp.srv.start("sstptest-server", nil, args...)
	eventually(tp.t, 10*time.Second, "server listening on "+addr, func() error {
		_, err := tp.srv.try("bash", "-c", "exec 3<>/dev/tcp/"+addr+"/443")
		return err
	})
	return p
}

// nameServerIn makes the router resolve sniName to addr through
// /etc/netns/NS/hosts (ip netns exec bind-mounts it over /etc/hosts); the DNS
// server it names does not exist, so only the hosts file answers. The file
// is rewritten in place: the bind mount keeps pointing at the same inode.
func (tp *topo) nameServerIn(addr string) {
	tp.t.Helper()
	dir := filepath.Join("/etc/netns", tp.rtr.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tp.t.Fatal(err)
	}
	hosts := filepath.Join(dir, "hosts")
	if _, err := os.Stat(hosts); err != nil {
		tp.t.Cleanup(func() { os.RemoveAll(dir) })
		os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver 192.0.2.99\noptions timeout:1 attempts:1\n"), 0o644)
	}
	f, err := os.OpenFile(hosts, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		tp.t.Fatal(err)
	}
	f.WriteString("127.0.0.1 localhost\n" + addr + " " + sniName + "\n")
	f.Close()
}

// Issue 11 point 2: with --default-route, the server's name moves to another
// address (dynamic DNS, failover) while the tunnel is down. The reconnect
// resolves the name again, dials the new address by the uplink (not into
// the tunnel, whose routes stay so LAN traffic is dropped, never leaked),
// the tunnel comes back within the backoff, the LAN reaches the corporate
// host again, and the old address's host route is gone.
func TestServerMovesWithDefaultRoute(t *testing.T) {
	tp := newTopo(t)
	tp.srv.run("ip", "addr", "add", movedWAN+"/32", "dev", "lo")
	// An "internet" host: LAN traffic to it must not reach it by the uplink
	// while the tunnel is down (iptables counts what arrives).
	const inetHost = "192.0.2.200"
	tp.srv.run("ip", "addr", "add", inetHost+"/32", "dev", "lo")
	tp.srv.run("iptables", "-I", "INPUT", "-i", "swan0", "-d", inetHost)
	arrived := regexp.MustCompile(`(?m)^\s+([0-9]+)\s+[0-9]+\s.*swan0.*` + inetHost)
	counted := func() string {
		m := arrived.FindStringSubmatch(tp.srv.run("iptables", "-nvxL", "INPUT"))
		if m == nil {
			t.Fatal("no iptables counter")
		}
		return m[1]
	}
	tp.lan.try("ping", "-c", "1", "-W", "1", inetHost) // without a tunnel it goes by the uplink
	if counted() == "0" {
		t.Fatal("the leak check counts nothing")
	}
	tp.srv.run("iptables", "-Z", "INPUT")
	tp.nameServerIn(serverWAN)
	srv := tp.startServer()
	os.WriteFile(filepath.Join(tp.dir, "up.sh"), []byte("#!/bin/sh\nenv > "+filepath.Join(tp.dir, "up.env")+"\n"), 0o755)
	cli := tp.startClientByName("--default-route", "--up-script", filepath.Join(tp.dir, "up.sh"))
	eventually(t, 10*time.Second, "ping before the move", tp.pingCorp)

	tp.nameServerIn(movedWAN)
	time.Sleep(6 * time.Second) // Go's resolver rereads /etc/hosts at most every 5 s
	srv.signal(syscall.SIGKILL)
	srv.wait(5 * time.Second)
	if !cli.waitOutput("tunnel down", 20*time.Second) {
		t.Fatal("client did not notice the server's death")
	}
	// While reconnecting, the tunnel's routes stay: LAN traffic is dropped, not leaked.
	if routes := tp.rtr.run("ip", "route", "show"); !strings.Contains(routes, "0.0.0.0/1 dev sstp0") {
		t.Errorf("default route through the tunnel gone while reconnecting:\n%s", routes)
	}
	tp.lan.try("ping", "-c", "3", "-i", "0.2", "-W", "1", inetHost)
	if n := counted(); n != "0" {
		t.Errorf("%s LAN packets left by the uplink while the tunnel was down", n)
	}
	start := time.Now()
	tp.startServerAt(movedWAN, "10.0.0.53")
	// The backoff after the first drop is at most 1 s, then 2 s, 4 s, 8 s:
	// 30 s leaves room for a few failed attempts but not for a connect timeout.
	eventually(t, 30*time.Second, "ping after the server moved", tp.pingCorp)
	t.Logf("LAN reaches the corporate host %v after the server came back at its new address", time.Since(start).Round(100*time.Millisecond))
	routes := tp.rtr.run("ip", "route", "show")
	if !strings.Contains(routes, movedWAN+" via 198.51.100.1 dev rwan0") {
		t.Errorf("no host route to the new server address by the uplink:\n%s", routes)
	}
	if strings.Contains("\n"+routes, "\n"+serverWAN+" ") {
		t.Errorf("stale host route to the old server address left:\n%s", routes)
	}
	if env, _ := os.ReadFile(filepath.Join(tp.dir, "up.env")); !strings.Contains(string(env), "SERVER_ADDR="+movedWAN) {
		t.Errorf("up script not told the new server address:\n%s", env)
	}
	cli.signal(syscall.SIGTERM)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	if err := tp.routerClean(); err != nil {
		t.Error(err)
	}
	if routes := tp.rtr.run("ip", "route", "show"); strings.Contains(routes, movedWAN) {
		t.Errorf("host route to the server left after stop:\n%s", routes)
	}
}

// The same under netifd: the daemon (--netifd) installs no routes, netifd
// puts the default route on the device (here by hand, as netifd would for
// defaultroute=1). A reconnect to the server's new address still leaves by
// the uplink: the daemon pins the address because the kernel would route
// it into the tunnel, and tells the up script (SERVER_ADDR).
func TestServerMovesUnderNetifdRoutes(t *testing.T) {
	tp := newTopo(t)
	tp.srv.run("ip", "addr", "add", movedWAN+"/32", "dev", "lo")
	tp.nameServerIn(serverWAN)
	srv := tp.startServer()
	up := filepath.Join(tp.dir, "up.sh")
	os.WriteFile(up, []byte("#!/bin/sh\necho \"up $SERVER_ADDR\" >> "+filepath.Join(tp.dir, "up.log")+"\n"), 0o755)
	args := []string{bin(t, "sstpgo"), "connect", "--server", sniName, "--ca-cert", filepath.Join(tp.dir, "ca.pem"),
		"--user", testUser, "--ifname", "sstp0", "--netifd", "--up-script", up, "--log-level", "debug"}
	cli := tp.rtr.start("sstpgo", []string{"SSTPGO_PASSWORD=" + testPass}, args...)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	tp.rtr.run("ip", "route", "add", "0.0.0.0/1", "dev", "sstp0")
	tp.rtr.run("ip", "route", "add", "128.0.0.0/1", "dev", "sstp0")
	tp.nameServerIn(movedWAN)
	time.Sleep(6 * time.Second) // Go's resolver rereads /etc/hosts at most every 5 s
	srv.signal(syscall.SIGKILL)
	srv.wait(5 * time.Second)
	if !cli.waitOutput("tunnel down", 20*time.Second) {
		t.Fatal("client did not notice the server's death")
	}
	tp.startServerAt(movedWAN, "10.0.0.53")
	eventually(t, 30*time.Second, "second tunnel up", func() error {
		if strings.Count(cli.Output(), "tunnel up") < 2 {
			return os.ErrNotExist
		}
		return nil
	})
	if routes := tp.rtr.run("ip", "route", "show"); !strings.Contains(routes, movedWAN+" via 198.51.100.1 dev rwan0") {
		t.Errorf("no host route to the new server address by the uplink:\n%s", routes)
	}
	eventually(t, 5*time.Second, "up script told the new address", func() error {
		if b, _ := os.ReadFile(filepath.Join(tp.dir, "up.log")); !strings.Contains(string(b), "up "+movedWAN) {
			return os.ErrNotExist
		}
		return nil
	})
}

// Uplink failover: the WAN the server was pinned on goes down (its routes,
// the pin included, go with it) and a second WAN takes the default route.
// Dead-peer detection ends the session; the reconnect pins the server on
// the new uplink and the LAN reaches the corporate host again.
func TestUplinkFailoverRepinsServer(t *testing.T) {
	tp := newTopo(t)
	tp.srv.run("ip", "addr", "add", movedWAN+"/32", "dev", "lo")
	link(t, tp.rtr, "rwan1", "198.18.0.2/24", tp.srv, "swan1", "198.18.0.1/24")
	tp.nameServerIn(movedWAN)
	tp.startServerAt(movedWAN, "10.0.0.53")
	tp.startClientByName("--default-route", "--echo-interval", "2s", "--echo-timeout", "3s")
	eventually(t, 10*time.Second, "ping before the failover", tp.pingCorp)
	if routes := tp.rtr.run("ip", "route", "show"); !strings.Contains(routes, movedWAN+" via 198.51.100.1 dev rwan0") {
		t.Fatalf("server not pinned on the first uplink:\n%s", routes)
	}
	tp.rtr.run("ip", "link", "set", "rwan0", "down")
	tp.rtr.run("ip", "route", "add", "default", "via", "198.18.0.1", "dev", "rwan1")
	start := time.Now()
	eventually(t, 40*time.Second, "ping after the failover", tp.pingCorp)
	// The first server still holds the old session's address, so this one
	// brings a new address: it must replace the old one on the device.
	t.Logf("LAN reaches the corporate host %v after the failover (echo 2 s + 3 s)", time.Since(start).Round(100*time.Millisecond))
	if routes := tp.rtr.run("ip", "route", "show"); !strings.Contains(routes, movedWAN+" via 198.18.0.1 dev rwan1") {
		t.Errorf("server not pinned on the second uplink:\n%s", routes)
	}
}

// Issue 11 point 11: with --use-peer-dns, a reconnect to a server that hands
// out other DNS servers writes resolv.conf again; the original comes back
// on exit.
func TestPeerDNSRewrittenOnReconnect(t *testing.T) {
	tp := newTopo(t)
	srv := tp.startServer()
	resolv := filepath.Join(tp.dir, "resolv.conf")
	const original = "# original\nnameserver 192.0.2.53\n"
	os.WriteFile(resolv, []byte(original), 0o644)
	cli := tp.startClient("--use-peer-dns", "--resolv-conf", resolv)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	if r, _ := os.ReadFile(resolv); !strings.Contains(string(r), "nameserver 10.0.0.53") {
		t.Fatalf("resolv.conf not written:\n%s", r)
	}
	srv.signal(syscall.SIGKILL)
	srv.wait(5 * time.Second)
	tp.startServerAt(serverWAN, "10.0.0.99")
	eventually(t, 30*time.Second, "resolv.conf lists the new DNS server", func() error {
		r, _ := os.ReadFile(resolv)
		if !strings.Contains(string(r), "nameserver 10.0.0.99") {
			return os.ErrNotExist
		}
		return nil
	})
	cli.signal(syscall.SIGTERM)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if r, _ := os.ReadFile(resolv); string(r) != original {
		t.Errorf("resolv.conf not restored:\n%s", r)
	}
}

// dnsHelperEnv starts TestHelperDNSServer as a DNS server: "ADDR:PORT,FILE"
// answers A queries for sniName with the address in FILE, read per query.
const dnsHelperEnv = "SSTPGO_E2E_DNS_SERVER"

// startDNS runs a DNS server for sniName in the server namespace at addr
// (port 53), answering with the address written to the returned file.
func (tp *topo) startDNS(addr, answer string) (answerFile string) {
	tp.t.Helper()
	answerFile = filepath.Join(tp.dir, "dns-answer")
	os.WriteFile(answerFile, []byte(answer), 0o644)
	tp.srv.start("dns", []string{dnsHelperEnv + "=" + addr + ":53," + answerFile},
		os.Args[0], "-test.run=^TestHelperDNSServer$", "-test.timeout=0")
	return answerFile
}

// TestHelperDNSServer is not a test: startDNS runs it in a namespace.
func TestHelperDNSServer(t *testing.T) {
	spec := os.Getenv(dnsHelperEnv)
	if spec == "" {
		t.Skip("helper process for startDNS")
	}
	listen, file, _ := strings.Cut(spec, ",")
	pc, err := net.ListenPacket("udp", listen)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 512)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(file)
		if resp := dnsAnswer(buf[:n], strings.TrimSpace(string(b))); resp != nil {
			pc.WriteTo(resp, from)
		}
	}
}

// dnsAnswer answers one query (RFC 1035 section 4.1): an A record for
// sniName, no records for anything else.
func dnsAnswer(q []byte, answer string) []byte {
	if len(q) < 12 {
		return nil
	}
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qEnd := i + 5 // root label, QTYPE, QCLASS
	qtype := int(q[i+1])<<8 | int(q[i+2])
	a, err := netip.ParseAddr(answer)
	hit := qtype == 1 && strings.EqualFold(strings.Join(labels, "."), sniName) && err == nil && a.Is4()
	r := append([]byte{q[0], q[1], 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}, q[12:qEnd]...)
	if hit {
		r[7] = 1
		ip := a.As4()
		r = append(r, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4)
		r = append(r, ip[:]...)
	}
	return r
}

// Issue 11 point 2 with the resolver beyond the uplink's gateway, where
// --default-route's /1 routes capture it: the daemon's own query for the
// server's new address leaves by the uplink (its socket bound to the
// uplink's device), so the name is really resolved again during the
// outage, not only from the last address.
func TestServerMovesDNSBehindGateway(t *testing.T) {
	tp := newTopo(t)
	const dnsAddr = "192.0.2.53"
	tp.srv.run("ip", "addr", "add", movedWAN+"/32", "dev", "lo")
	tp.srv.run("ip", "addr", "add", dnsAddr+"/32", "dev", "lo")
	dir := filepath.Join("/etc/netns", tp.rtr.name)
	os.MkdirAll(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.WriteFile(filepath.Join(dir, "hosts"), []byte("127.0.0.1 localhost\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver "+dnsAddr+"\noptions timeout:1 attempts:2\n"), 0o644)
	answer := tp.startDNS(dnsAddr, serverWAN)
	srv := tp.startServer()
	cli := tp.startClientByName("--default-route")
	eventually(t, 10*time.Second, "ping before the move", tp.pingCorp)
	os.WriteFile(answer, []byte(movedWAN), 0o644)
	srv.signal(syscall.SIGKILL)
	srv.wait(5 * time.Second)
	start := time.Now()
	tp.startServerAt(movedWAN, "10.0.0.53")
	eventually(t, 30*time.Second, "ping after the server moved", tp.pingCorp)
	t.Logf("LAN reaches the corporate host %v after the server came back at its new address", time.Since(start).Round(100*time.Millisecond))
	if !strings.Contains(cli.Output(), `msg="DNS ok" detail=`+movedWAN) {
		t.Errorf("the new address was not resolved")
	}
}
