//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// topo is the demo topology of scripts/topology.sh.
type topo struct {
	t                   *testing.T
	prefix              string
	lan, rtr, srv, corp *netns
	dir                 string // certificate, password, status files
}

const (
	serverWAN = "198.51.100.1"
	corpHost  = "172.16.50.2"
	corpNet   = "172.16.50.0/24"
	tunnelSrv = "10.0.0.1"
	testUser  = "alice"
	testPass  = "correct-horse"
	sniName   = "vpn.example.test"
)

func newTopo(t *testing.T) *topo {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nsSeq.Lock()
	nsSeq.n++
	p := fmt.Sprintf("sg%d%d", os.Getpid()%10000, nsSeq.n)
	nsSeq.Unlock()
	script, _ := filepath.Abs("../scripts/topology.sh")
	if out, err := exec.Command(script, "up", p).CombinedOutput(); err != nil {
		t.Fatalf("topology up: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(script, "down", p).Run() })
	tp := &topo{t: t, prefix: p, dir: t.TempDir()}
	tp.lan = &netns{t: t, name: p + "-lan"}
	tp.rtr = &netns{t: t, name: p + "-rtr"}
	tp.srv = &netns{t: t, name: p + "-srv"}
	tp.corp = &netns{t: t, name: p + "-corp"}
	return tp
}

// startServer runs cmd/sstptest-server in the server namespace, forwarding
// the tunnel to the corporate network, and waits for its CA file.
func (tp *topo) startServer(extra ...string) *proc {
	tp.t.Helper()
	args := append([]string{bin(tp.t, "sstptest-server"),
		"--listen", serverWAN + ":443", "--personality", "rras",
		"--user", testUser + ":" + testPass, "--cert-out", tp.dir, "--hostname", sniName,
		"--server-ip", tunnelSrv, "--pool", "10.0.0.0/24", "--dns", "10.0.0.53", "--tun", "tun-srv"}, extra...)
	p := tp.srv.start("sstptest-server", nil, args...)
	eventually(tp.t, 10*time.Second, "server CA written", func() error {
		_, err := os.Stat(filepath.Join(tp.dir, "ca.pem"))
		return err
	})
	eventually(tp.t, 10*time.Second, "server listening", func() error {
		_, err := tp.rtr.try("bash", "-c", "exec 3<>/dev/tcp/"+serverWAN+"/443")
		return err
	})
	return p
}

// clientArgs are the router's sstpgo arguments with the right credentials.
func (tp *topo) clientArgs(extra ...string) []string {
	pw := filepath.Join(tp.dir, "password")
	if _, err := os.Stat(pw); err != nil {
		os.WriteFile(pw, []byte(testPass+"\n"), 0o600)
	}
	return append([]string{bin(tp.t, "sstpgo"), "connect",
		"--server", serverWAN, "--sni", sniName, "--ca-cert", filepath.Join(tp.dir, "ca.pem"),
		"--user", testUser, "--password-file", pw, "--ifname", "sstp0",
		"--route", corpNet, "--log-level", "debug"}, extra...)
}

func (tp *topo) startClient(extra ...string) *proc {
	tp.t.Helper()
	return tp.rtr.start("sstpgo", nil, tp.clientArgs(extra...)...)
}

// startClientByName starts sstpgo with the server given by its name
// (sniName, resolved by the router) instead of serverWAN, and waits for the
// tunnel: the tests in which the name's answer changes or must be looked up.
func (tp *topo) startClientByName(extra ...string) *proc {
	tp.t.Helper()
	args := tp.clientArgs(extra...)
	for i, a := range args {
		if a == serverWAN {
			args[i] = sniName
		}
	}
	cli := tp.rtr.start("sstpgo", nil, args...)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		tp.t.Fatal("tunnel did not come up")
	}
	return cli
}

// pingCorp pings the corporate host from the LAN host.
func (tp *topo) pingCorp() error {
	out, err := tp.lan.try("ping", "-c", "1", "-W", "1", corpHost)
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(out))
	}
	return nil
}

// routerClean checks that sstpgo left no device and no route behind.
func (tp *topo) routerClean() error {
	if out, err := tp.rtr.try("ip", "link", "show", "sstp0"); err == nil {
		return fmt.Errorf("sstp0 still exists: %s", out)
	}
	out, _ := tp.rtr.try("ip", "route", "show")
	if strings.Contains(out, "sstp0") || strings.Contains(out, "172.16.50.") {
		return fmt.Errorf("routes left behind:\n%s", out)
	}
	return nil
}
