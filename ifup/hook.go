package ifup

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

// hookWaitDelay bounds how long RunHook waits for the hook's output pipe
// after the hook exited or was killed: a daemon started by the hook may keep
// it open forever.
const hookWaitDelay = 2 * time.Second

// maxHookLine caps one logged line of hook output.
const maxHookLine = 1024

// HookInfo is what the up and down scripts learn about the tunnel.
type HookInfo struct {
	Ifname          string
	Local, Remote   netip.Addr
	DNS             []netip.Addr
	MTU             int
	Server          string
	Routes          []netip.Prefix
	Local6, Remote6 netip.Addr
}

// hookVars are the variables HookEnv sets; inherited values of the same
// name are dropped so the script never sees a stale one.
var hookVars = []string{"IFNAME", "IPLOCAL", "IPREMOTE", "DNS1", "DNS2", "MTU", "SERVER",
	"ROUTES", "IPV6LOCAL", "IPV6REMOTE", "LLLOCAL", "LLREMOTE"}

// HookEnv builds the environment of an up or down script, compatible with
// pppd's ip-up: IFNAME, IPLOCAL, IPREMOTE, DNS1, DNS2, MTU, SERVER, ROUTES
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
		env = HookEnv(HookInfo{}) // exec would pass on our whole environment, password included
	}
	cmd := exec.CommandContext(ctx, script)
	cmd.Path, cmd.Err = script, nil // the path as given, no $PATH lookup
	cmd.Env = env
	cmd.WaitDelay = hookWaitDelay
	setProcessGroup(cmd)
	out := &lineLogger{log: logger, script: script}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	out.flush()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // exited fine, but left a child holding its output
	}
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return opErr(op, err)
}

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
