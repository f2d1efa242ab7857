package ifup

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

func TestHookEnv(t *testing.T) {
	t.Setenv("SSTPGO_PASSWORD", "hunter2")
	t.Setenv("IFNAME", "stale")
	t.Setenv("KEEP_ME", "1")
	env := HookEnv(HookInfo{
		Ifname: "sstp0", Local: netip.MustParseAddr("10.99.0.2"), Remote: netip.MustParseAddr("10.99.0.1"),
		DNS: []netip.Addr{netip.MustParseAddr("10.99.0.1"), netip.MustParseAddr("10.99.0.53"), netip.MustParseAddr("10.99.0.54")},
		MTU: 1400, Server: "vpn.example.com:443", ServerAddr: netip.MustParseAddr("203.0.113.7"),
		Routes:  []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("2001:db8::/32")},
		Local6:  netip.MustParseAddr("fe80::1"),
		Remote6: netip.MustParseAddr("fe80::2"),
	})
	want := []string{"IFNAME=sstp0", "IPLOCAL=10.99.0.2", "IPREMOTE=10.99.0.1", "DNS1=10.99.0.1", "DNS2=10.99.0.53",
		"MTU=1400", "SERVER=vpn.example.com:443", "SERVER_ADDR=203.0.113.7",
		"ROUTES=10.1.0.0/16 2001:db8::/32", "IPV6LOCAL=fe80::1", "LLLOCAL=fe80::1", "IPV6REMOTE=fe80::2", "LLREMOTE=fe80::2", "KEEP_ME=1"}
	for _, w := range want {
		if !slices.Contains(env, w) {
			t.Errorf("missing %s", w)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "SSTPGO_PASSWORD=") || strings.Contains(kv, "hunter2") || kv == "IFNAME=stale" {
			t.Errorf("leaked %s", kv)
		}
		if strings.HasPrefix(kv, "DNS3=") {
			t.Errorf("pppd sets two DNS variables only: %s", kv)
		}
	}
}

func TestHookEnvEmpty(t *testing.T) {
	t.Setenv("SSTPGO_PASSWORD", "hunter2")
	for _, kv := range HookEnv(HookInfo{Ifname: "sstp0"}) {
		k, _, _ := strings.Cut(kv, "=")
		if slices.Contains(hookVars, k) && k != "IFNAME" {
			t.Errorf("empty value set: %s", kv)
		}
		if k == "SSTPGO_PASSWORD" {
			t.Error("password leaked")
		}
	}
}

// logRecorder keeps the "line" value of each logged record (logx writes
// one record per Write; line is the last pair).
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) Write(p []byte) (int, error) {
	_, v, ok := strings.Cut(strings.TrimSuffix(string(p), "\n"), " line=")
	if ok {
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		r.mu.Lock()
		r.lines = append(r.lines, v)
		r.mu.Unlock()
	}
	return len(p), nil
}

func (r *logRecorder) logger() *logx.Logger { return logx.New(r, logx.LevelDebug) }

func script(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	p := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(p, []byte("#!"+sh+"\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunHook(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr string
		lines   []string
	}{{
		name:  "success, output logged line by line",
		body:  "echo up $IFNAME $IPLOCAL\necho to stderr >&2\nprintf 'no newline'\n",
		lines: []string{"up sstp0 10.99.0.2", "to stderr", "no newline"},
	}, {
		name:    "non-zero exit",
		body:    "echo failing\nexit 3\n",
		wantErr: "exit status 3",
		lines:   []string{"failing"},
	}, {
		name:  "environment reaches the script, password does not",
		body:  "echo pw=${SSTPGO_PASSWORD:-none}\n",
		lines: []string{"pw=none"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SSTPGO_PASSWORD", "hunter2")
			p := script(t, tt.body)
			rec := &logRecorder{}
			env := HookEnv(HookInfo{Ifname: "sstp0", Local: netip.MustParseAddr("10.99.0.2")})
			err := RunHook(context.Background(), p, env, rec.logger())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err %v, want %q", err, tt.wantErr)
			}
			if !slices.Equal(rec.lines, tt.lines) {
				t.Errorf("logged %q, want %q", rec.lines, tt.lines)
			}
		})
	}
}

// A hook that hangs, with a child that holds its output open, is killed
// with its whole process group when ctx ends.
func TestRunHookTimeout(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	p := script(t, "sleep 600 &\necho $! > "+pidfile+"\necho started\nsleep 600\n")
	rec := &logRecorder{}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- RunHook(ctx, p, nil, rec.logger()) }()
	// Cancel once the script has said it is running (no wall-clock assertion).
	for {
		rec.mu.Lock()
		n := len(rec.lines)
		rec.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
	// The background child died too (gone, or a zombie waiting for init).
	pid := strings.TrimSpace(readFile(t, pidfile))
	for runtime.GOOS == "linux" {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Even with a nil env the password stays out of the script.
func TestRunHookNilEnv(t *testing.T) {
	t.Setenv("SSTPGO_PASSWORD", "hunter2")
	rec := &logRecorder{}
	if err := RunHook(context.Background(), script(t, "echo pw=${SSTPGO_PASSWORD:-none}\n"), nil, rec.logger()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.lines, []string{"pw=none"}) {
		t.Errorf("logged %q", rec.lines)
	}
}

// A bare name is not looked up in $PATH.
func TestRunHookNoPathLookup(t *testing.T) {
	if _, err := exec.LookPath("true"); err != nil {
		t.Skip("no true in PATH")
	}
	t.Chdir(t.TempDir())
	if err := RunHook(context.Background(), "true", nil, nil); err == nil {
		t.Error("ran true from $PATH")
	}
}

func TestRunHookMissing(t *testing.T) {
	err := RunHook(context.Background(), filepath.Join(t.TempDir(), "nope"), nil, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "ifup: hook ") {
		t.Errorf("err %v", err)
	}
	if RunHook(context.Background(), "", nil, nil) != nil {
		t.Error("empty script")
	}
}

func TestLineLoggerLongLine(t *testing.T) {
	rec := &logRecorder{}
	l := &lineLogger{log: rec.logger()}
	long := bytes.Repeat([]byte("a"), maxHookLine+10)
	l.Write(append(long, "\nb\r\n"...))
	l.flush()
	if len(rec.lines) != 3 || len(rec.lines[0]) != maxHookLine || rec.lines[1] != "aaaaaaaaaa" || rec.lines[2] != "b" {
		t.Errorf("lines %d: %q", len(rec.lines), rec.lines[1:])
	}
}

// A hook that exits fine but leaves a child holding its output succeeds
// once hookWaitDelay has passed (os/exec's ErrWaitDelay case).
func TestRunHookChildKeepsOutputOpen(t *testing.T) {
	defer func(d time.Duration) { hookWaitDelay = d }(hookWaitDelay)
	hookWaitDelay = 50 * time.Millisecond
	pidfile := filepath.Join(t.TempDir(), "pid")
	rec := &logRecorder{}
	err := RunHook(context.Background(), script(t, "sleep 600 &\necho $! > "+pidfile+"\necho bye\n"), nil, rec.logger())
	if pid, perr := strconv.Atoi(strings.TrimSpace(readFile(t, pidfile))); perr == nil {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
	}
	if err != nil || !slices.Equal(rec.lines, []string{"bye"}) {
		t.Errorf("err %v, lines %q", err, rec.lines)
	}
}

func TestRunHookExits(t *testing.T) {
	tests := []struct {
		name, body, want string
		lines            []string
	}{
		{name: "stdin is /dev/null", body: "read x\necho \"got:$x\"\n", lines: []string{"got:"}},
		{name: "killed by a signal", body: "kill -9 $$\n", want: "ifup: hook %s: signal: killed"},
		{name: "exit status", body: "exit 42\n", want: "ifup: hook %s: exit status 42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := script(t, tt.body)
			rec := &logRecorder{}
			err := RunHook(context.Background(), p, nil, rec.logger())
			want := strings.Replace(tt.want, "%s", p, 1)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || err.Error() != want) {
				t.Errorf("err %v, want %q", err, want)
			}
			if !slices.Equal(rec.lines, tt.lines) {
				t.Errorf("lines %q, want %q", rec.lines, tt.lines)
			}
		})
	}
}

// A context that is already done starts nothing.
func TestRunHookContextDone(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := RunHook(ctx, script(t, "touch "+marker+"\n"), nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("hook ran")
	}
}
