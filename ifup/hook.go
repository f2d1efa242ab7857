package ifup

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

// hookWaitDelay bounds how long RunHook waits for the hook's output pipe
// after the hook exited or was killed: a daemon started by the hook may keep
// it open forever. A variable for tests.
var hookWaitDelay = 2 * time.Second

// maxHookLine caps one logged line of hook output.
const maxHookLine = 1024

// HookInfo is what the up and down scripts learn about the tunnel.
type HookInfo struct {
	Ifname        string
	Local, Remote netip.Addr
	DNS           []netip.Addr
	MTU           int
	Server        string
	// ServerAddr is the address the control connection goes to: the
	// server's (resolved anew on every reconnect) or the proxy's.
	ServerAddr      netip.Addr
	Routes          []netip.Prefix
	Local6, Remote6 netip.Addr
}

// hookVars are the variables HookEnv sets; inherited values of the same
// name are dropped so the script never sees a stale one.
var hookVars = []string{"IFNAME", "IPLOCAL", "IPREMOTE", "DNS1", "DNS2", "MTU", "SERVER",
	"SERVER_ADDR", "ROUTES", "IPV6LOCAL", "IPV6REMOTE", "LLLOCAL", "LLREMOTE"}

// HookEnv builds the environment of an up or down script, compatible with
// pppd's ip-up: IFNAME, IPLOCAL, IPREMOTE, DNS1, DNS2, MTU, SERVER, SERVER_ADDR, ROUTES
// (space-separated CIDRs), IPV6LOCAL and IPV6REMOTE (also as pppd's ipv6-up
// LLLOCAL and LLREMOTE), on top of the daemon's own environment minus
// SSTPGO_PASSWORD, which must never reach a script. Variables without a
// value (no DNS, no IPv6, ...) are left out.
func HookEnv(info HookInfo) []string {
	env := make([]string, 0, len(os.Environ())+len(hookVars))
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "SSTPGO_PASSWORD" && !slices.Contains(hookVars, k) {
			env = append(env, kv)
		}
	}
	set := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	set("IFNAME", info.Ifname)
	set("IPLOCAL", addrString(info.Local))
	set("IPREMOTE", addrString(info.Remote))
	for i, d := range info.DNS[:min(len(info.DNS), 2)] {
		set("DNS"+strconv.Itoa(i+1), addrString(d))
	}
	if info.MTU > 0 {
		set("MTU", strconv.Itoa(info.MTU))
	}
	set("SERVER", info.Server)
	set("SERVER_ADDR", addrString(info.ServerAddr))
	set("ROUTES", joinPrefixes(info.Routes))
	for _, k := range []string{"IPV6LOCAL", "LLLOCAL"} {
		set(k, addrString(info.Local6))
	}
	for _, k := range []string{"IPV6REMOTE", "LLREMOTE"} {
		set(k, addrString(info.Remote6))
	}
	return env
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func joinPrefixes(ps []netip.Prefix) string {
	var b []byte
	for i, p := range ps {
		if i > 0 {
			b = append(b, ' ')
		}
		b = p.AppendTo(b)
	}
	return string(b)
}

// RunHook runs script with env (no shell, no arguments, no $PATH lookup: the
// path is executed as given; nil env means HookEnv(HookInfo{})) and logs each line of its standard output and error at Info. It
// returns an error if the script cannot start, exits non-zero, or is still
// running when ctx ends (it and its process group are then killed). An
// empty script does nothing.
func RunHook(ctx context.Context, script string, env []string, logger *logx.Logger) error {
	if script == "" {
		return nil
	}
	op := "hook " + script
	if env == nil {
		env = HookEnv(HookInfo{}) // a nil Env would pass on our whole environment, password included
	}
	out := &lineLogger{log: logger, script: script}
	err := runHook(ctx, script, env, out)
	out.flush()
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return opErr(op, err)
}

// runHook starts script in its own process group with stdin from /dev/null
// and stdout and stderr on one pipe into out, kills the group when ctx
// ends, and waits for it. os.StartProcess instead of os/exec: 128 KiB less
// router flash for the same behaviour.
func runHook(ctx context.Context, script string, env []string, out io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	p, err := startHook(script, env, w)
	w.Close() // the child holds its own copy; EOF comes when all holders are gone
	if err != nil {
		return err
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(out, r) // ends at EOF, or when r is closed below
		close(copied)
	}()
	state, err := waitHook(ctx, p)
	drainHook(r, copied)
	if err != nil {
		return err
	}
	if !state.Success() {
		return &exitError{state}
	}
	return nil
}

// startHook starts the process with w as its stdout and stderr.
func startHook(script string, env []string, w *os.File) (*os.Process, error) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer null.Close()
	return os.StartProcess(script, []string{script}, &os.ProcAttr{
		Env:   env,
		Files: []*os.File{null, w, w},
		Sys:   hookSysProcAttr(),
	})
}

// waitHook waits for the process to exit, killing its group if ctx ends first.
func waitHook(ctx context.Context, p *os.Process) (*os.ProcessState, error) {
	exited := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		select {
		case <-ctx.Done():
			killHook(p)
		case <-exited:
		}
	}()
	state, err := p.Wait()
	close(exited)
	<-killed
	return state, err
}

// drainHook lets the output reader finish, but gives up hookWaitDelay after
// the hook exited: a daemon it started may hold the pipe open forever.
func drainHook(r *os.File, copied <-chan struct{}) {
	t := time.NewTimer(hookWaitDelay)
	defer t.Stop()
	select {
	case <-copied:
	case <-t.C:
		r.Close() // unblocks the reader
		<-copied
	}
}

// exitError is a hook that exited non-zero or was killed: "exit status 3".
type exitError struct{ state *os.ProcessState }

func (e *exitError) Error() string { return e.state.String() }

// lineLogger logs what a hook writes, one record per line.
type lineLogger struct {
	mu     sync.Mutex
	log    *logx.Logger
	script string
	buf    []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			i = len(p)
		}
		take := min(i, maxHookLine-len(l.buf))
		l.buf, p = append(l.buf, p[:take]...), p[take:]
		eol := len(p) > 0 && p[0] == '\n'
		if eol {
			p = p[1:]
		}
		if eol || len(l.buf) == maxHookLine {
			l.emit() // an over-long line is logged in pieces
		}
	}
	return n, nil
}

func (l *lineLogger) emit() {
	line := strings.TrimRight(string(l.buf), "\r")
	l.buf = l.buf[:0]
	l.log.Info("hook output", "script", l.script, "line", line)
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit()
	}
}
