package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// Every flag is a TOML key of the same name and every key a flag, except
// --config (it names the file) and the keys no flag may carry (password).
func TestFlagsAndKeysMatch(t *testing.T) {
	var flags []string
	for _, f := range connectFlags() {
		if n := f.Names()[0]; n != "config" && lookupSetting(n).name == n {
			flags = append(flags, strings.ReplaceAll(n, "-", "_"))
		}
	}
	keys := slices.DeleteFunc(keyNames(), func(k string) bool { return slices.Contains(fileOnlyKeys, k) })
	for _, f := range flags {
		if !slices.Contains(keys, f) {
			t.Errorf("flag --%s has no TOML key %q (config.go fileConfig.keys)", strings.ReplaceAll(f, "_", "-"), f)
		}
	}
	for _, k := range keys {
		if !slices.Contains(flags, k) {
			t.Errorf("TOML key %q has no flag --%s (flaglist.go settings)", k, strings.ReplaceAll(k, "_", "-"))
		}
	}
	// diagnose takes the same flags (hiding those it ignores).
	if d, c := len(diagnoseFlags()), len(connectFlags()); d != c {
		t.Errorf("diagnose has %d flags, connect %d", d, c)
	}
}

// Both example configurations show every key, set or commented out.
func TestExampleConfigsListEveryKey(t *testing.T) {
	for _, path := range []string{"sstpgo.toml", "openwrt/files/etc/sstpgo/sstpgo.toml.example"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keyNames() {
			if !regexp.MustCompile(`(?m)^#?\s*` + k + `\s*=`).Match(b) {
				t.Errorf("%s does not mention key %s", path, k)
			}
		}
	}
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(append([]string{"sstpgo"}, args...), &o, &e)
	return code, o.String(), e.String()
}

// Usage errors exit 2 with one line that says what to do, before any
// connection is tried.
func TestCLIUsageErrors(t *testing.T) {
	pw := writeFile(t, "pw", "pw\n", 0o600)
	base := []string{"connect", "--user", "u", "--password-file", pw}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"conect"}, `unknown command "conect": did you mean connect?`},
		{"unknown flag", append(base, "--sevrer", "x"), "unknown flag --sevrer: did you mean --server?"},
		{"password flag", append(base, "--password", "x"), "no flag takes the password"},
		{"duration without unit", append(base, "--server", "s", "--echo-interval", "10"), "--echo-interval 10: not a duration: use 10s"},
		{"bad number", append(base, "--server", "s", "--mtu", "big"), "--mtu big: want a whole number"},
		{"bad bool", append(base, "--server", "s", "--ipv6=maybe"), "--ipv6=maybe: want true or false"},
		{"missing value", []string{"connect", "--server"}, "--server needs HOST[:PORT]"},
		{"port out of range", append(base, "--server", "vpn.example.com:99999"), "port 99999 is not a number from 1 to 65535"},
		{"URL with a path", append(base, "--server", "https://vpn.example.com/sstp"), "a path cannot be given"},
		{"other scheme", append(base, "--server", "http://vpn.example.com/"), "SSTP runs over https"},
		{"missing password file", []string{"connect", "--server", "s", "--user", "u", "--password-file", "/nonexistent/pw"}, "--password-file /nonexistent/pw: no such file"},
		{"missing CA", append(base, "--server", "s", "--ca-cert", "/nonexistent/ca.pem"), "--ca-cert /nonexistent/ca.pem: no such file"},
		{"missing up script", append(base, "--server", "s", "--up-script", "/nonexistent/up"), "--up-script /nonexistent/up: no such file"},
		{"missing config", append(base, "--config", "/nonexistent/c.toml"), "--config /nonexistent/c.toml: no such file"},
		{"no server", base, "--server is required"},
		{"flag before the command", []string{"--server", "x", "connect"}, "--server goes after the command: sstpgo connect --server ..."},
		{"bad duration in the file", append(base, "--config", writeFile(t, "d.toml", "server = \"s\"\necho_timeout = \"30\"\n", 0o600)), `d.toml:2: echo_timeout: bad duration "30": use 30s`},
		{"bad auth method", append(base, "--server", "s", "--auth", "pap,bogus"), `--auth pap,bogus: unknown authentication method "bogus"`},
		{"bad pin", append(base, "--server", "s", "--pin-sha256", "abc"), "--pin-sha256 abc: pin must be 64 hex digits"},
		{"bad log level", append(base, "--server", "s", "--log-level", "loud"), "--log-level loud: want debug, info, warn or error"},
		{"bad route", append(base, "--server", "s", "--routes", "10.0.0.0/33"), "--routes 10.0.0.0/33: want CIDR"},
		{"bad proxy", append(base, "--server", "s", "--proxy", "ftp://p"), "--proxy: "},
		{"help for an unknown command", []string{"help", "conect"}, `unknown command "conect": did you mean connect?`},
		{"positional server", []string{"connect", "vpn.example.com", "--user", "u"}, `unexpected argument "vpn.example.com": connect takes only flags (the server: --server vpn.example.com)`},
		{"diagnose too", []string{"diagnose", "--server", "h:0", "--user", "u", "--password-file", pw}, "port 0 is not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and one line with %q", code, stderr, tc.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"-v"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(out, "sstpgo "+version+" (commit ") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}

// --help: a placeholder that says what each flag takes, each default once,
// and the exit codes; diagnose lists only the flags it uses.
func TestHelp(t *testing.T) {
	_, connect, _ := runCLI(t, "connect", "--help")
	_, diag, _ := runCLI(t, "diagnose", "--help")
	_, top, _ := runCLI(t, "--help")
	for _, line := range strings.Split(connect, "\n") {
		if strings.Count(line, "(default") > 1 || strings.Contains(line, "(default: false)") || strings.Contains(line, " value ") {
			t.Errorf("connect --help: %s", line)
		}
	}
	for _, want := range []string{"--echo-interval DURATION", "--mtu N", "--password-file FILE", "(default: 10s)", "--routes CIDR, --route CIDR", "EXIT CODES", "3  authentication rejected"} {
		if !strings.Contains(connect, want) {
			t.Errorf("connect --help lacks %q", want)
		}
	}
	if strings.Count(connect, "(default: 10s)") != 1 {
		t.Errorf("default shown %d times", strings.Count(connect, "(default: 10s)"))
	}
	for _, absent := range []string{"--routes", "--up-script", "--status-file", "--netifd", "--reconnect"} {
		if strings.Contains(diag, absent) {
			t.Errorf("diagnose --help lists %s, which diagnose ignores", absent)
		}
	}
	for _, want := range []string{"--server", "--ca-cert", "--proxy", "EXIT CODES"} {
		if !strings.Contains(diag, want) {
			t.Errorf("diagnose --help lacks %s", want)
		}
	}
	if !strings.Contains(top, "EXIT CODES") || !strings.Contains(top, "--version") {
		t.Errorf("sstpgo --help:\n%s", top)
	}
}

// loadArgs runs `sstpgo connect args...` up to loadOptions.
func loadArgs(t *testing.T, args ...string) (*options, error) {
	t.Helper()
	var got *options
	app := newApp()
	app.ExitErrHandler = func(*cli.Context, error) {}
	app.Commands[0].Action = func(c *cli.Context) error {
		o, err := loadOptions(c)
		got = o
		return err
	}
	err := app.Run(append([]string{"sstpgo", "connect"}, args...))
	return got, err
}

func TestServerForms(t *testing.T) {
	pw := writeFile(t, "pw", "pw\n", 0o600)
	for in, want := range map[string]string{
		"vpn.example.com":                "vpn.example.com",
		"vpn.example.com:4443":           "vpn.example.com:4443",
		"https://vpn.example.com/":       "vpn.example.com",
		"https://vpn.example.com":        "vpn.example.com",
		"HTTPS://vpn.example.com:8443/":  "vpn.example.com:8443",
		" https://[2001:db8::1]:443/ ":   "[2001:db8::1]:443",
		"2001:db8::1":                    "[2001:db8::1]",
		"[2001:db8::1]:443":              "[2001:db8::1]:443",
		"198.51.100.1":                   "198.51.100.1",
		"https://198.51.100.1:443/":      "198.51.100.1:443",
		"https://vpn.example.com:65535/": "vpn.example.com:65535",
	} {
		o, err := loadArgs(t, "--server", in, "--user", "u", "--password-file", pw)
		if err != nil || o.Server != want {
			t.Errorf("--server %q: %v, server %q, want %q", in, err, o.Server, want)
		}
	}
}

// Every setting reads the same from the file as from its flag, and the
// defaults apply when neither gives it.
func TestConfigKeysAndFlagsMeanTheSame(t *testing.T) {
	pw := writeFile(t, "pw", "pw\n", 0o600)
	cfg := writeFile(t, "c.toml", "server = \"s\"\nuser = \"u\"\npage_out_after = \"1m\"\nroutes = [\"10.1.0.0/16\"]\nreconnect = false\n", 0o600)
	o, err := loadArgs(t, "--config", cfg, "--password-file", pw)
	if err != nil {
		t.Fatal(err)
	}
	if o.PageOutAfter.Minutes() != 1 || o.Reconnect || len(o.routes) != 1 || o.Ifname != "sstp0" || o.EchoInterval.Seconds() != 10 || o.LogLevel != "info" {
		t.Errorf("%+v", o)
	}
	o, err = loadArgs(t, "--config", cfg, "--password-file", pw, "--page-out-after", "0", "--reconnect", "--route", "10.2.0.0/16,10.3.0.0/16", "--routes", "10.4.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	if o.PageOutAfter != 0 || !o.Reconnect || len(o.routes) != 3 {
		t.Errorf("%+v", o)
	}
	o, err = loadArgs(t, "--server", "s", "--user", "u", "--password-file", pw)
	if err != nil || o.PageOutAfter.Minutes() != 10 || !o.Reconnect || o.ConnectTimeout.Seconds() != 90 || o.ResolvConf != "/etc/resolv.conf" {
		t.Errorf("defaults: %v %+v", err, o)
	}
}

// --config NAME is /etc/sstpgo/NAME.toml; without --config and --server the
// default file is read.
func TestConfigLookup(t *testing.T) {
	dir := t.TempDir()
	old := defaultConfigDir
	defaultConfigDir = dir
	t.Cleanup(func() { defaultConfigDir = old })
	pw := writeFile(t, "pw", "pw\n", 0o600)
	os.WriteFile(filepath.Join(dir, "hq.toml"), []byte("server = \"hq.example\"\nuser = \"u\"\n"), 0o600)
	o, err := loadArgs(t, "--config", "hq", "--password-file", pw)
	if err != nil || o.Server != "hq.example" {
		t.Fatalf("--config hq: %v %+v", err, o)
	}
	if _, err := loadArgs(t, "--password-file", pw); err == nil || !strings.Contains(err.Error(), "--server is required") {
		t.Errorf("no default file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "sstpgo.toml"), []byte("server = \"default.example\"\nuser = \"u\"\n"), 0o600)
	if o, err := loadArgs(t, "--password-file", pw); err != nil || o.Server != "default.example" {
		t.Errorf("default file: %v %+v", err, o)
	}
	if o, err := loadArgs(t, "--server", "flag.example", "--user", "u", "--password-file", pw); err != nil || o.Server != "flag.example" {
		t.Errorf("--server without --config: %v %+v", err, o)
	}
	if _, err := loadArgs(t, "--config", "branch", "--password-file", pw); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "branch.toml")) {
		t.Errorf("--config branch: %v", err)
	}
}

// A config that runs scripts, writes files as root or holds a secret is
// refused when others could change (or read) it.
func TestConfigFilePermissions(t *testing.T) {
	for _, tc := range []struct {
		content string
		mode    os.FileMode
		want    string // "" accepted
	}{
		{"server = \"s\"\n", 0o666, ""},
		{"server = \"s\"\nup_script = \"/bin/true\"\n", 0o664, "sets up_script (run or written as root) but group or others can write it (mode 0664): chmod go-w"},
		{"server = \"s\"\ndown_script = \"/bin/true\"\n", 0o646, "sets down_script"},
		{"server = \"s\"\nstatus_file = \"/run/s.json\"\n", 0o620, "sets status_file"},
		{"server = \"s\"\nup_script = \"/bin/true\"\n", 0o644, ""},
		{"server = \"s\"\npassword = \"x\"\n", 0o640, "holds a password"},
		{"server = \"s\"\nproxy = \"http://u:secret@p:3128\"\n", 0o644, "holds a password"},
		{"server = \"s\"\nproxy = \"http://u@p:3128\"\n", 0o644, ""},
	} {
		p := writeFile(t, "c.toml", tc.content, 0o600)
		os.Chmod(p, tc.mode)
		_, err := loadConfigFile(p)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q mode %o: %v, want %q", tc.content, tc.mode, err, tc.want)
		}
	}
}

func TestUnknownKeySuggestsNearest(t *testing.T) {
	for in, want := range map[string]string{
		"route = [\"10.0.0.0/8\"]\n": `unknown key "route": did you mean "routes"?`,
		"sever = \"x\"\n":            `unknown key "sever": did you mean "server"?`,
		"pageout_after = \"1m\"\n":   `did you mean "page_out_after"?`,
	} {
		_, err := loadConfigFile(writeFile(t, "c.toml", in, 0o600))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

// A fatal error is one line that says each thing once (issue 11: not
// "authentication failed: authentication failed").
func TestFatalErrorSaysItOnce(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	cfg := sstp.Config{Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(),
		NegotiationTimeout: 10 * time.Second, PPP: ppp.Config{Username: "user", Password: "wrong"}}
	_, err := sstp.Dial(context.Background(), cfg)
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	line := describe(err)
	t.Log(line)
	if n := strings.Count(line, "authentication failed"); n != 1 {
		t.Errorf("%q says \"authentication failed\" %d times", line, n)
	}
	if strings.Contains(line, ": ppp: ") || strings.Contains(line, ": sstp: ") {
		t.Errorf("%q repeats a package prefix after the step", line)
	}
	if exitCodeFor(err) != exitAuth {
		t.Errorf("exit %d", exitCodeFor(err))
	}
}

// The README names the Go version go.mod asks for, and every flag the
// README and the architecture notes mention exists.
func TestDocsMatchTheCLI(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	readme, _ := os.ReadFile("README.md")
	if goLine == nil || !strings.Contains(string(readme), "Go ≥ "+string(goLine[1])+",") {
		t.Errorf("README.md does not say \"Go ≥ %s,\" (go.mod's go line)", goLine[1])
	}
	arch, _ := os.ReadFile("docs/ARCHITECTURE.md")
	known := append(flagNames(), "version")
	for name, doc := range map[string][]byte{"README.md": readme, "docs/ARCHITECTURE.md": arch} {
		// Only the CLI's own flags: code spans starting with --.
		for _, m := range regexp.MustCompile("`(--[a-z0-9-]+)").FindAllSubmatch(doc, -1) {
			f := strings.TrimPrefix(string(m[1]), "--")
			if !slices.Contains(known, f) && !strings.HasPrefix(f, "tun") && !strings.HasPrefix(f, "eap-tls") &&
				!strings.HasPrefix(f, "pool") && f != "allow-untrusted" {
				t.Errorf("%s mentions --%s, which sstpgo does not have", name, f)
			}
		}
	}
}
