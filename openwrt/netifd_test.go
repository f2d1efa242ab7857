package openwrt_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// fakeNetifd plays netifd for the handler: a fake root holding the shipped
// files/ plus the stand-ins from testdata/root, and the same calls netifd
// makes (setup, run the daemon, teardown with ERROR=<exit code>).
type fakeNetifd struct {
	t    *testing.T
	root string
}

// call is one recorded call of a stand-in: its name and arguments.
type call struct {
	Name string
	Args []string
}

func (c call) String() string { return strings.Join(append([]string{c.Name}, c.Args...), " ") }

func needBusybox(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox not installed (apt-get install busybox)")
	}
	return p
}

func newFakeNetifd(t *testing.T) *fakeNetifd {
	t.Helper()
	bb := needBusybox(t)
	root := t.TempDir()
	copyTree(t, "testdata/root", root)
	copyTree(t, "files", root)
	rerootScripts(t, root)
	for _, d := range []string{"usr/sbin", "var"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// the router's grep, sed, tr, ... are busybox applets: use them too,
	// behind the stand-ins in bin
	if out, err := exec.Command(bb, "--install", "-s", filepath.Join(root, "busybox")).CombinedOutput(); err != nil {
		t.Fatalf("busybox --install: %v\n%s", err, out)
	}
	f := &fakeNetifd{t: t, root: root}
	f.setHosts("vpn.example.test 198.51.100.7\nvpn.example.test 2001:db8::7\n")
	f.installDaemon(filepath.Join(root, "bin", "sstpgo-fake"))
	return f
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm()|0o200)
	})
	if err != nil {
		t.Fatal(err)
	}
	// a checkout may lose exec bits; netifd needs these executable
	for _, p := range []string{"lib/netifd/sstpgo-up", "lib/netifd/proto/sstp.sh"} {
		if _, err := os.Stat(filepath.Join(dst, p)); err == nil {
			os.Chmod(filepath.Join(dst, p), 0o755)
		}
	}
	if ents, err := os.ReadDir(filepath.Join(dst, "bin")); err == nil {
		for _, e := range ents {
			os.Chmod(filepath.Join(dst, "bin", e.Name()), 0o755)
		}
	}
}

// routerPaths are the absolute paths the shipped scripts use on a router;
// rerootScripts points them into the fake root, so the shipped scripts carry
// no test hook of their own.
var routerPaths = regexp.MustCompile(`(^|[\s"'=(])(/usr/sbin/sstpgo|/lib/functions\.sh|/lib/netifd/|/var/|/tmp/dnsmasq|/etc/init\.d/dnsmasq)`)

// rerootScripts rewrites the router paths of the copied netifd scripts to
// paths under root, the way a chroot would see them.
func rerootScripts(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(root, "lib/netifd"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "netifd-proto.sh") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, routerPaths.ReplaceAll(b, []byte("${1}"+root+"${2}")), 0o755)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fakeNetifd) path(p string) string { return filepath.Join(f.root, p) }

func (f *fakeNetifd) setHosts(s string) {
	if err := os.WriteFile(f.path("hosts"), []byte(s), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// installDaemon puts bin at /usr/sbin/sstpgo of the fake root.
func (f *fakeNetifd) installDaemon(bin string) {
	dst := f.path("usr/sbin/sstpgo")
	os.Remove(dst)
	if err := os.Symlink(bin, dst); err != nil {
		f.t.Fatal(err)
	}
}

// env is netifd's own environment for scripts and the daemon.
func (f *fakeNetifd) env(extra ...string) []string {
	return append([]string{
		"PATH=" + f.path("bin") + ":" + f.path("busybox") + ":/usr/sbin:/usr/bin:/sbin:/bin",
		"SSTP_TESTROOT=" + f.root,
	}, extra...)
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// writeConfig writes the jshn view of cfg (booleans 1/0, arrays
// space-separated) for the json_* stand-ins, and returns cfg as JSON.
func (f *fakeNetifd) writeConfig(cfg map[string]any) string {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		var v string
		switch x := cfg[k].(type) {
		case bool:
			v = "0"
			if x {
				v = "1"
			}
		case int:
			v = strconv.Itoa(x)
		case string:
			v = x
		case []string:
			v = strings.Join(x, " ")
		default:
			f.t.Fatalf("config %s: unsupported type %T", k, x)
		}
		b.WriteString("cfg_" + k + "=" + shellQuote(v) + "\n")
	}
	if err := os.WriteFile(f.path("config.vars"), []byte(b.String()), 0o600); err != nil {
		f.t.Fatal(err)
	}
	j, err := json.Marshal(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(j)
}

// handler runs "sstp.sh sstp ACTION IFACE JSON" like netifd: busybox ash,
// working directory /lib/netifd/proto.
func (f *fakeNetifd) handler(action, iface string, cfg map[string]any, env ...string) (string, error) {
	args := []string{"ash", "./sstp.sh", "sstp", action}
	if action == "dump" {
		args = []string{"ash", "./sstp.sh", "", "dump"}
	} else {
		args = append(args, iface, f.writeConfig(cfg))
	}
	cmd := exec.Command("busybox", args...)
	cmd.Dir = f.path("lib/netifd/proto")
	cmd.Env = f.env(env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// upScript runs the up script under busybox ash with env.
func (f *fakeNetifd) upScript(env ...string) (string, error) {
	return f.script("sstpgo-up", env...)
}

// script runs /lib/netifd/NAME under busybox ash with env.
func (f *fakeNetifd) script(name string, env ...string) (string, error) {
	cmd := exec.Command("busybox", "ash", f.path("lib/netifd/"+name))
	cmd.Env = f.env(env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// calls returns the calls recorded so far and forgets them.
func (f *fakeNetifd) calls() []call {
	b, err := os.ReadFile(f.path("calls.log"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		f.t.Fatal(err)
	}
	os.Remove(f.path("calls.log"))
	var cs []call
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		cs = append(cs, call{Name: p[0], Args: p[1:]})
	}
	return cs
}

// lines reads a file of the fake root as lines ("" when missing).
func (f *fakeNetifd) lines(p string) []string {
	b, err := os.ReadFile(f.path(p))
	if err != nil {
		return nil
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// daemon builds the command netifd would start for proto_run_command: no
// shell, netifd's environment plus what the handler proto_export'ed.
func (f *fakeNetifd) daemon(ctx context.Context, extraEnv ...string) *exec.Cmd {
	argv := f.lines("run_command")
	if len(argv) == 0 {
		f.t.Fatal("the handler did not call proto_run_command")
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(f.env(f.lines("export")...), extraEnv...)
	cmd.Dir = f.path("lib/netifd/proto")
	return cmd
}

// exitCode is what netifd puts in ERROR: the exit status, 0 after a signal.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() < 0 {
			return 0
		}
		return ee.ExitCode()
	}
	return 0
}

// find returns the recorded calls named name.
func find(cs []call, name string) []call {
	var r []call
	for _, c := range cs {
		if c.Name == name {
			r = append(r, c)
		}
	}
	return r
}
