//go:build e2e

package e2e

import (
	"syscall"
	"testing"
	"time"
)

// Issue 11 point 7: the whole stop, SIGTERM to exit, with the server
// unreachable (its traffic blackholed), fits well inside the 5 s after which
// netifd SIGKILLs a handler's daemon. The figure is logged; the bound is
// generous (the engine's part is about 1 s: the Call Disconnect Ack wait).
func TestSIGTERMWithServerUnreachable(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	cli := tp.startClient("--default-route")
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	tp.srv.run("iptables", "-I", "INPUT", "-s", "198.51.100.2", "-j", "DROP")
	tp.srv.run("iptables", "-I", "FORWARD", "-s", "198.51.100.2", "-j", "DROP")
	defer tp.srv.run("iptables", "-D", "FORWARD", "-s", "198.51.100.2", "-j", "DROP")
	defer tp.srv.run("iptables", "-D", "INPUT", "-s", "198.51.100.2", "-j", "DROP")
	start := time.Now()
	cli.signal(syscall.SIGTERM)
	code := cli.wait(15 * time.Second)
	took := time.Since(start)
	t.Logf("SIGTERM to exit with the server unreachable: %v (exit %d)", took.Round(10*time.Millisecond), code)
	if code != 0 {
		t.Errorf("exit code %d, want 0\n%s", code, cli.Output())
	}
	if took > 4*time.Second {
		t.Errorf("stop took %v, want well under netifd's 5 s", took)
	}
	if err := tp.routerClean(); err != nil {
		t.Error(err)
	}
}
