//go:build e2e

package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 11 point 10: with --reconnect=false, a call the server ends exits
// 5 (server unreachable or protocol error), not 1 (internal error): here a
// Call Abort right after the call is up, and a server that dies (its TCP
// connection closes).
func TestServerEndedCallExitsUnreachable(t *testing.T) {
	t.Run("call abort", func(t *testing.T) {
		tp := newTopo(t)
		tp.startServer("--fault", "abort-after-connect")
		cli := tp.startClient("--reconnect=false")
		if code := cli.wait(30 * time.Second); code != 5 {
			t.Fatalf("exit code %d, want 5\n%s", code, cli.Output())
		}
		if !strings.Contains(cli.Output(), "CALL_ABORT") {
			t.Errorf("the reason is not named:\n%s", cli.Output())
		}
		if err := tp.routerClean(); err != nil {
			t.Error(err)
		}
	})
	t.Run("server dies", func(t *testing.T) {
		tp := newTopo(t)
		srv := tp.startServer()
		cli := tp.startClient("--reconnect=false")
		if !cli.waitOutput("tunnel up", 20*time.Second) {
			t.Fatal("tunnel did not come up")
		}
		srv.signal(syscall.SIGKILL)
		if code := cli.wait(30 * time.Second); code != 5 {
			t.Fatalf("exit code %d, want 5\n%s", code, cli.Output())
		}
	})
}

// The TUN device cannot be had: the error says why (another sstpgo holds
// the name; root or CAP_NET_ADMIN is needed), and the exit code is 1 (a
// problem of this machine). The log no longer says "tunnel device ready"
// before any connection, which read as "tunnel up".
func TestTUNErrorsSayWhy(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	first := tp.startClient()
	if !first.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	if out := first.Output(); !strings.Contains(out, "TUN device created, not connected yet") || strings.Contains(out, "tunnel device ready") {
		t.Errorf("device creation logged as:\n%s", out)
	}
	second := tp.startClient()
	if code := second.wait(15 * time.Second); code != 1 {
		t.Fatalf("second sstpgo on the same --ifname: exit code %d, want 1\n%s", code, second.Output())
	}
	if !strings.Contains(second.Output(), "sstp0 is in use by another sstpgo or another program") {
		t.Errorf("busy device not explained:\n%s", second.Output())
	}

	unpriv := tp.rtr.start("sstpgo-unprivileged", []string{"SSTPGO_PASSWORD=" + testPass},
		"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
		bin(t, "sstpgo"), "connect", "--server", serverWAN, "--insecure-skip-verify", "--user", testUser, "--ifname", "sstp1")
	if code := unpriv.wait(15 * time.Second); code != 1 {
		t.Fatalf("unprivileged sstpgo: exit code %d, want 1\n%s", code, unpriv.Output())
	}
	if !strings.Contains(unpriv.Output(), "needs root or the CAP_NET_ADMIN capability") {
		t.Errorf("missing privilege not explained:\n%s", unpriv.Output())
	}
}
