//go:build e2e

// Package e2e holds the end-to-end tests: real network namespaces, veth
// pairs, TUN devices and routes, with the sstpgo binary and the test server
// as separate processes. They need root and run with `go test -tags e2e`.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin returns the path of a binary built by `make build`.
func bin(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not built: run `make build` first (%v)", p, err)
	}
	return p
}

// netns is a network namespace owned by one test; it is deleted at cleanup
// together with every process started in it.
type netns struct {
	t    *testing.T
	name string
}

var nsSeq struct {
	sync.Mutex
	n int
}

func newNS(t *testing.T, role string) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	nsSeq.Lock()
	nsSeq.n++
	name := fmt.Sprintf("sg%d-%d-%s", os.Getpid()%10000, nsSeq.n, role)
	nsSeq.Unlock()
	mustRun(t, "ip", "netns", "add", name)
	ns := &netns{t: t, name: name}
	t.Cleanup(func() {
		// Kill whatever still runs in the namespace, then remove it.
		if out, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
			for _, p := range strings.Fields(string(out)) {
				exec.Command("kill", "-9", p).Run()
			}
		}
		exec.Command("ip", "netns", "del", name).Run()
	})
	ns.run("ip", "link", "set", "lo", "up")
	return ns
}

func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// run runs a command inside the namespace and fails the test on error.
func (n *netns) run(args ...string) string {
	n.t.Helper()
	return mustRun(n.t, "ip", append([]string{"netns", "exec", n.name}, args...)...)
}

// try runs a command inside the namespace and returns its error.
func (n *netns) try(args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", n.name}, args...)...).CombinedOutput()
	return string(out), err
}

// link connects two namespaces with a veth pair and addresses (CIDR).
func link(t *testing.T, a *netns, aIf, aAddr string, b *netns, bIf, bAddr string) {
	t.Helper()
	mustRun(t, "ip", "link", "add", aIf, "netns", a.name, "type", "veth", "peer", "name", bIf, "netns", b.name)
	a.run("ip", "addr", "add", aAddr, "dev", aIf)
	a.run("ip", "link", "set", aIf, "up")
	b.run("ip", "addr", "add", bAddr, "dev", bIf)
	b.run("ip", "link", "set", bIf, "up")
}

// proc is a background process in a namespace with its output captured.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// Output returns everything the process printed so far.
func (p *proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// start runs a program in the namespace in the background; it is killed at cleanup.
func (n *netns) start(name string, env []string, args ...string) *proc {
	n.t.Helper()
	p := &proc{t: n.t, name: name, done: make(chan struct{})}
	p.cmd = exec.Command("ip", append([]string{"netns", "exec", n.name}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	p.cmd.Env = append(os.Environ(), env...)
	if err := p.cmd.Start(); err != nil {
		n.t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	n.t.Cleanup(func() {
		p.signal(syscall.SIGKILL)
		<-p.done
		if n.t.Failed() || testing.Verbose() {
			n.t.Logf("--- output of %s:\n%s", name, p.Output())
		}
	})
	return p
}

func (p *proc) signal(sig syscall.Signal) {
	if p.cmd.Process != nil {
		p.cmd.Process.Signal(sig)
	}
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the process to exit and returns its exit code (-1 on timeout).
func (p *proc) wait(d time.Duration) int {
	select {
	case <-p.done:
	case <-time.After(d):
		return -1
	}
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -2
}

// waitOutput waits until the process's output contains s.
func (p *proc) waitOutput(s string, d time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		if strings.Contains(p.Output(), s) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-p.done:
			return strings.Contains(p.Output(), s)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// eventually retries f until it returns nil or d passes.
func eventually(t *testing.T, d time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v: %v", what, d, err)
}

// writeSecret writes a 0600 file holding s and returns its path.
func writeSecret(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(p, []byte(s+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
