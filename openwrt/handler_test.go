package openwrt_test

import (
	"cmp"
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// declaredOptions is what proto_sstp_init_config must declare: every option
// of sstp-client's handler plus sstpgo's own, with its jshn type.
var declaredOptions = map[string]string{
	"server": "string", "port": "int", "username": "string", "password": "string",
	"log_level": "string", "mtu": "int", "ipv6": "boolean", "defaultroute": "boolean",
	"peerdns": "boolean", "metric": "int", "sstp_options": "string", "pppd_options": "string",
	"ca_cert": "string", "pin_sha256": "string", "insecure": "boolean", "sni": "string",
	"auth": "string", "routes": "array", "proxy": "string", "echo_interval": "int",
	"echo_timeout": "int", "tunlink": "string", "proxy_password": "string", "client_cert": "string",
	"client_key": "string", "eap_ca": "string", "eap_server_name": "string", "require_pfs": "boolean",
	"authfail":      "boolean",
	"pushed_routes": "boolean", "mss_clamp": "boolean", "zone": "string", // LAN features
}

// handlerOptions runs the handler's dump and returns the declared options.
func handlerOptions(t *testing.T) (map[string]string, []call) {
	f := newFakeNetifd(t)
	if out, err := f.handler("dump", "", nil); err != nil {
		t.Fatalf("dump: %v\n%s", err, out)
	}
	cs := f.calls()
	opts := map[string]string{}
	for _, c := range cs {
		if typ, ok := strings.CutPrefix(c.Name, "proto_config_add_"); ok {
			opts[c.Args[0]] = typ
		}
	}
	return opts, cs
}

func TestDumpDeclaresOptions(t *testing.T) {
	opts, cs := handlerOptions(t)
	if !reflect.DeepEqual(opts, declaredOptions) {
		t.Errorf("declared options\n got %v\nwant %v", opts, declaredOptions)
	}
	flags := find(cs, "init_config_flags")
	// lasterror: netifd keeps the last error across its restarts (LuCI
	// shows why the tunnel is not up while it retries)
	if want := []string{"no_device=1", "available=1", "lasterror=1"}; len(flags) != 1 || !slices.Equal(flags[0].Args, want) {
		t.Errorf("init_config flags = %v, want %v", flags, want)
	}
}

// handlerErrorCodes is every error code sstp.sh raises with
// proto_notify_error (LuCI must register each, network.registerErrorCode);
// the data that comes with some is in the table at the top of sstp.sh.
var handlerErrorCodes = []string{"AUTH_FAILED", "CERT_FAILED", "CONNECT_FAILED", "INTERNAL_ERROR",
	"INVALID_IFNAME", "INVALID_OPTIONS", "MISSING_PEER_ADDRESS", "PEER_RESOLVE_FAIL"}

// TestHandlerErrorCodes keeps handlerErrorCodes in step with the handler.
func TestHandlerErrorCodes(t *testing.T) {
	b, err := os.ReadFile("files/lib/netifd/proto/sstp.sh")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^\s*(?:proto_notify_error|sstp_block) "\$config" ([A-Z_]+)`)
	var got []string
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		if !slices.Contains(got, m[1]) {
			got = append(got, m[1])
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, handlerErrorCodes) {
		t.Errorf("sstp.sh raises %q, handlerErrorCodes says %q", got, handlerErrorCodes)
	}
}

// TestHandlerGuard: without the binary the handler does nothing, as
// OpenWrt's handlers do ("[ -x /usr/sbin/pppd ] || exit 0").
func TestHandlerGuard(t *testing.T) {
	f := newFakeNetifd(t)
	os.Remove(f.path("usr/sbin/sstpgo"))
	for _, action := range []string{"dump", "setup", "teardown"} {
		out, err := f.handler(action, "vpn", map[string]any{"server": "vpn.example.test", "password": "x"})
		if err != nil || out != "" {
			t.Errorf("%s without sstpgo: %v %q", action, err, out)
		}
		if cs := f.calls(); len(cs) != 0 {
			t.Errorf("%s without sstpgo made calls: %v", action, cs)
		}
	}
}

const (
	pem    = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
	eapPEM = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----"
	keyPEM = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----"
)

// secretFiles are the files the handler may write under /var/etc for
// config "vpn"; teardown must remove every one.
var secretFiles = []string{"var/etc/sstpgo-vpn.pass", "var/etc/sstpgo-vpn.proxy.pass", "var/etc/sstpgo-vpn.ca.pem",
	"var/etc/sstpgo-vpn.cert.pem", "var/etc/sstpgo-vpn.key.pem", "var/etc/sstpgo-vpn.eapca.pem"}

func TestSetup(t *testing.T) {
	const pw = "pa ss'\"$(id)`w0rd"
	// the server goes to sstpgo by name, so every reconnect resolves it
	// again (a DDNS server that moved comes back); the up script pins each
	// new address with a host dependency
	base := []string{"connect", "--server", "vpn.example.test:443", "--ifname", "sstp-vpn",
		"--netifd", "--up-script", "@/lib/netifd/sstpgo-up", "--down-script", "@/lib/netifd/sstpgo-down",
		"--status-file", "@/var/run/sstpgo-vpn.json", "--reconnect=true"}
	pwArgs := []string{"--password-file", "@/var/etc/sstpgo-vpn.pass"}
	// a name is pinned at every address resolveip gives, as ppp.sh (pptp)
	// and openconnect.sh do
	byName := []string{"198.51.100.7 ", "2001:db8::7 "}
	tests := []struct {
		name    string
		cfg     map[string]any
		argv    []string          // after base; "@" stands for the fake root
		hostDep []string          // the host dependencies, as "host tunlink"
		logs    []string          // substrings of logger lines
		files   map[string]string // files written (0600) under the fake root, with their content
		secrets []string          // values that must not show in any call (besides the password)
	}{
		{
			name:    "minimal",
			cfg:     map[string]any{"server": "vpn.example.test", "username": "alice", "password": pw},
			argv:    append([]string{"--user", "alice"}, pwArgs...),
			hostDep: byName,
		},
		{
			name: "all options",
			cfg: map[string]any{
				"server": "vpn.example.test", "port": 8443, "username": `HUB\alice`, "password": pw,
				"log_level": "debug", "mtu": 1350, "ipv6": true, "defaultroute": false, "peerdns": false,
				"metric": 20, "ca_cert": "/etc/sstpgo/ca.pem",
				"pin_sha256": "AB:" + strings.Repeat("0", 62), "sni": "vpn.example.com", "auth": "mschapv2,eap",
				"routes": []string{"10.1.0.0/16", "10.2.0.0/16"}, "proxy": "http://proxy.lan:3128",
				"echo_interval": 10, "echo_timeout": 30, "tunlink": "wan",
			},
			argv: append(append([]string{"--user", `HUB\alice`}, pwArgs...),
				"--ca-cert", "/etc/sstpgo/ca.pem", "--pin-sha256", "AB"+strings.Repeat("0", 62),
				"--sni", "vpn.example.com", "--auth", "mschapv2,eap", "--mtu", "1350", "--ipv6",
				"--log-level", "debug", "--route", "10.1.0.0/16", "--route", "10.2.0.0/16",
				"--proxy", "http://proxy.lan:3128", "--echo-interval", "10s", "--echo-timeout", "30s"),
			hostDep: []string{"198.51.100.7 wan", "2001:db8::7 wan"},
		},
		{
			name:    "port in server",
			cfg:     map[string]any{"server": "198.51.100.9:4433", "port": 443, "password": "x"},
			argv:    pwArgs,
			hostDep: []string{"198.51.100.9 "},
		},
		{
			name:    "ipv6 literal",
			cfg:     map[string]any{"server": "2001:db8::9", "password": "x"},
			argv:    pwArgs,
			hostDep: []string{"2001:db8::9 "},
		},
		{
			name:    "PEM text becomes a file",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "ca_cert": pem},
			argv:    append(slices.Clone(pwArgs), "--ca-cert", "@/var/etc/sstpgo-vpn.ca.pem"),
			hostDep: byName,
			files:   map[string]string{"var/etc/sstpgo-vpn.ca.pem": pem},
		},
		{
			name: "client certificate as PEM text, no password",
			cfg: map[string]any{"server": "vpn.example.test", "username": "router1", "ca_cert": pem,
				"client_cert": pem, "client_key": keyPEM, "eap_ca": eapPEM, "eap_server_name": "nps.example.test"},
			argv: []string{"--user", "router1", "--ca-cert", "@/var/etc/sstpgo-vpn.ca.pem",
				"--client-cert", "@/var/etc/sstpgo-vpn.cert.pem", "--client-key", "@/var/etc/sstpgo-vpn.key.pem",
				"--eap-ca", "@/var/etc/sstpgo-vpn.eapca.pem", "--eap-server-name", "nps.example.test"},
			hostDep: byName,
			files: map[string]string{"var/etc/sstpgo-vpn.ca.pem": pem, "var/etc/sstpgo-vpn.cert.pem": pem,
				"var/etc/sstpgo-vpn.key.pem": keyPEM, "var/etc/sstpgo-vpn.eapca.pem": eapPEM},
			secrets: []string{keyPEM, "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"},
		},
		{
			name: "client certificate as paths, with password",
			cfg: map[string]any{"server": "vpn.example.test", "username": "alice", "password": pw,
				"client_cert": "/etc/sstpgo/client.pem", "client_key": "/etc/sstpgo/client.key",
				"eap_ca": "/etc/sstpgo/nps-ca.pem", "auth": "eap"},
			argv: append(append([]string{"--user", "alice"}, pwArgs...),
				"--client-cert", "/etc/sstpgo/client.pem", "--client-key", "/etc/sstpgo/client.key",
				"--eap-ca", "/etc/sstpgo/nps-ca.pem", "--auth", "eap"),
			hostDep: byName,
		},
		{
			name: "proxy password in a file",
			cfg: map[string]any{"server": "vpn.example.test", "username": "alice", "password": "x",
				"proxy": "http://bob@proxy.lan:3128", "proxy_password": "pr0xy 'sec\"ret $(id)"},
			argv: append(append([]string{"--user", "alice"}, pwArgs...),
				"--proxy", "http://bob@proxy.lan:3128", "--proxy-password-file", "@/var/etc/sstpgo-vpn.proxy.pass"),
			hostDep: byName,
			files:   map[string]string{"var/etc/sstpgo-vpn.proxy.pass": "pr0xy 'sec\"ret $(id)"},
			secrets: []string{"pr0xy 'sec\"ret $(id)"},
		},
		{
			name:    "insecure is logged",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "insecure": true},
			argv:    append(slices.Clone(pwArgs), "--insecure-skip-verify"),
			hostDep: byName,
			logs:    []string{"NOT verified"},
		},
		{
			name:    "require_pfs",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "require_pfs": true},
			argv:    append(slices.Clone(pwArgs), "--require-forward-secrecy"),
			hostDep: byName,
		},
		{
			name: "sstp-client options mapped",
			cfg: map[string]any{"server": "vpn.example.test", "password": "x", "log_level": "4",
				"sstp_options": "--cert-warn --uuid 1234 --proxy http://p:1 --bogus",
				"pppd_options": "refuse-pap refuse-eap mtu 1300 lcp-echo-interval 5 lcp-echo-failure 4 +ipv6 usepeerdns novj"},
			argv: append(slices.Clone(pwArgs), "--auth", "mschapv2,chap", "--mtu", "1300", "--ipv6",
				"--log-level", "debug", "--echo-interval", "5s", "--echo-timeout", "20s",
				"--insecure-skip-verify", "--proxy", "http://p:1"),
			hostDep: byName,
			logs: []string{"--cert-warn", "--uuid is not supported", "--bogus is not supported",
				"usepeerdns", "novj has no sstpgo equivalent"},
		},
		{
			name:    "require wins over refuse, log level number",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "log_level": "1", "pppd_options": "require-mschap-v2 refuse-pap debug"},
			argv:    append(slices.Clone(pwArgs), "--auth", "mschapv2", "--log-level", "warn"),
			hostDep: byName,
		},
		{
			// the handler runs in /lib/netifd/proto: an unquoted * would
			// turn into "sstp.sh"
			name: "no glob expansion of option values",
			cfg: map[string]any{"server": "vpn.example.test", "username": "*", "password": "x",
				"routes": []string{"10.1.0.0/16", "*"}, "sstp_options": "--proxy *", "pppd_options": "mtu * *"},
			argv: append(append([]string{"--user", "*"}, pwArgs...), "--mtu", "*",
				"--route", "10.1.0.0/16", "--route", "*", "--proxy", "*"),
			hostDep: byName,
			logs:    []string{"pppd_options * has no sstpgo equivalent"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			out, err := f.handler("setup", "vpn", tc.cfg)
			if err != nil {
				t.Fatalf("setup: %v\n%s", err, out)
			}
			// netifd logs what a handler prints: nothing stray
			if out != "" {
				t.Errorf("setup printed %q", out)
			}
			cs := f.calls()
			want := append(slices.Clone(base), tc.argv...)
			for i, a := range want {
				if rest, ok := strings.CutPrefix(a, "@/"); ok {
					want[i] = f.path(rest)
				}
			}
			if tc.name == "port in server" {
				want[2] = "198.51.100.9:4433"
			}
			if tc.name == "ipv6 literal" {
				want[2] = "[2001:db8::9]:443"
			}
			if tc.name == "all options" {
				want[2] = "vpn.example.test:8443"
			}
			run := find(cs, "proto_run_command")
			if len(run) != 1 {
				t.Fatalf("proto_run_command calls: %v", run)
			}
			if run[0].Args[0] != "vpn" || run[0].Args[1] != f.path("usr/sbin/sstpgo") {
				t.Errorf("proto_run_command %v", run[0].Args[:2])
			}
			if got := run[0].Args[2:]; !slices.Equal(got, want) {
				t.Errorf("sstpgo argv\n got %q\nwant %q", got, want)
			}
			var hd []string
			for _, c := range find(cs, "proto_add_host_dependency") {
				if c.Args[0] != "vpn" {
					t.Errorf("%s: not for vpn", c)
				}
				hd = append(hd, strings.Join(c.Args[1:], " "))
			}
			if !slices.Equal(hd, tc.hostDep) {
				t.Errorf("proto_add_host_dependency = %q, want %q", hd, tc.hostDep)
			}
			files := map[string]string{}
			for p, c := range tc.files {
				files[p] = c
			}
			if pw, ok := tc.cfg["password"].(string); ok {
				files["var/etc/sstpgo-vpn.pass"] = pw
				checkNoSecret(t, cs, pw)
			}
			for _, s := range tc.secrets {
				checkNoSecret(t, cs, s)
			}
			for _, p := range secretFiles {
				if c, ok := files[p]; ok {
					checkPasswordFile(t, f, p, c)
				} else if _, err := os.Stat(f.path(p)); !os.IsNotExist(err) {
					t.Errorf("%s written (%v)", p, err)
				}
			}
			exports := f.lines("export")
			for _, e := range []string{"INTERFACE=vpn", "PEERDNS=", "DEFAULTROUTE=", "TUNLINK="} {
				if !slices.ContainsFunc(exports, func(s string) bool { return strings.HasPrefix(s, e) }) {
					t.Errorf("proto_export %q missing in %q", e, exports)
				}
			}
			logs := find(cs, "logger")
			for _, l := range tc.logs {
				if !slices.ContainsFunc(logs, func(c call) bool { return strings.Contains(c.String(), l) }) {
					t.Errorf("no log line with %q in %v", l, logs)
				}
			}
		})
	}
}

// checkNoSecret fails if the password shows up in any recorded call
// (command lines, exports, log lines).
func checkNoSecret(t *testing.T, cs []call, pw string) {
	t.Helper()
	if len(pw) < 3 {
		return
	}
	for _, c := range cs {
		if strings.Contains(c.String(), pw) {
			t.Errorf("password leaked in %s", c)
		}
	}
}

func checkPasswordFile(t *testing.T, f *fakeNetifd, p, want string) {
	t.Helper()
	st, err := os.Stat(f.path(p))
	if err != nil {
		t.Fatalf("secret file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %v, want 0600", p, st.Mode().Perm())
	}
	b, _ := os.ReadFile(f.path(p))
	if string(b) != want {
		t.Errorf("%s = %q, want %q", p, b, want)
	}
}

func TestSetupFailures(t *testing.T) {
	blocked := func(code string) []string {
		return []string{"proto_notify_error vpn " + code, "proto_block_restart vpn", "proto_setup_failed vpn"}
	}
	manyRoutes := make([]string, 30)
	for i := range manyRoutes {
		manyRoutes[i] = "10." + strconv.Itoa(i) + ".0.0/16"
	}
	tests := []struct {
		name  string
		iface string // "vpn" when empty
		cfg   map[string]any
		calls []string // recorded calls, in order, excluding logger/resolveip
		log   string   // a substring of a logger line
	}{
		{name: "no server", cfg: map[string]any{"password": "x"}, calls: blocked("MISSING_PEER_ADDRESS")},
		{name: "unresolvable", cfg: map[string]any{"server": "nx.example.test", "password": "x"},
			calls: []string{"proto_notify_error vpn PEER_RESOLVE_FAIL nx.example.test", "sleep 5", "proto_setup_failed vpn"}},
		{name: "client_cert without client_key", cfg: map[string]any{"server": "vpn.example.test", "client_cert": pem},
			calls: blocked("INVALID_OPTIONS")},
		{name: "client_key without client_cert", cfg: map[string]any{"server": "vpn.example.test", "password": "x", "client_key": keyPEM},
			calls: blocked("INVALID_OPTIONS")},
		{name: "eap_server_name without client certificate", cfg: map[string]any{"server": "vpn.example.test", "password": "x", "eap_server_name": "nps"},
			calls: blocked("INVALID_OPTIONS")},
		// sstp-office_vpn1 is 16 bytes, the kernel takes 15
		{name: "interface name too long", iface: "office_vpn1", cfg: map[string]any{"server": "vpn.example.test", "password": "x"},
			calls: []string{"proto_notify_error office_vpn1 INVALID_IFNAME", "proto_block_restart office_vpn1", "proto_setup_failed office_vpn1"},
			log:   "sstp-office_vpn1"},
		// netifd starts a command of at most 63 words and drops a longer one
		{name: "too many words for netifd", cfg: map[string]any{"server": "vpn.example.test", "password": "x", "routes": manyRoutes},
			calls: blocked("INVALID_OPTIONS"), log: "63"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			iface := cmp.Or(tc.iface, "vpn")
			if out, err := f.handler("setup", iface, tc.cfg); err == nil {
				t.Logf("setup returned 0 (netifd ignores it)\n%s", out)
			}
			var got []string
			cs := f.calls()
			for _, c := range cs {
				if c.Name != "logger" && c.Name != "resolveip" {
					got = append(got, c.String())
				}
			}
			if !slices.Equal(got, tc.calls) {
				t.Errorf("calls\n got %q\nwant %q", got, tc.calls)
			}
			if tc.log != "" && !slices.ContainsFunc(find(cs, "logger"), func(c call) bool { return strings.Contains(c.String(), tc.log) }) {
				t.Errorf("no log line with %q: %v", tc.log, find(cs, "logger"))
			}
			if _, err := os.Stat(f.path("run_command")); err == nil {
				t.Error("daemon started after a failed setup")
			}
			for _, p := range secretFiles {
				if _, err := os.Stat(f.path(p)); !os.IsNotExist(err) {
					t.Errorf("%s written by a failed setup (%v)", p, err)
				}
			}
		})
	}
}

// TestSetupWithoutResolveip: on an image without resolveip a server name
// still works: sstpgo resolves it, sstpgo-up pins the address it reached.
func TestSetupWithoutResolveip(t *testing.T) {
	f := newFakeNetifd(t)
	os.Remove(f.path("bin/resolveip"))
	if p, err := exec.LookPath("resolveip"); err == nil {
		t.Skipf("this machine has %s", p)
	}
	if out, err := f.handler("setup", "vpn", map[string]any{"server": "vpn.example.test", "password": "x"}); err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	cs := f.calls()
	if hd := find(cs, "proto_add_host_dependency"); len(hd) != 0 {
		t.Errorf("host dependency without an address: %v", hd)
	}
	run := find(cs, "proto_run_command")
	if len(run) != 1 || !slices.Contains(run[0].Args, "vpn.example.test:443") {
		t.Errorf("proto_run_command %v", run)
	}
	if !slices.ContainsFunc(find(cs, "logger"), func(c call) bool { return strings.Contains(c.String(), "resolveip is not installed") }) {
		t.Errorf("not logged: %v", find(cs, "logger"))
	}
}

// TestSetupBackoff: netifd restarts setup at once after a failure it was
// not told to block; setup waits instead, longer after each failure in a
// row (the count teardown keeps in /var/run).
func TestSetupBackoff(t *testing.T) {
	for _, tc := range []struct{ count, sleep string }{
		{"", ""}, {"0", ""}, {"junk", ""}, {"1", "5"}, {"2", "10"}, {"3", "20"}, {"6", "160"}, {"7", "300"}, {"99", "300"},
	} {
		t.Run("after "+tc.count, func(t *testing.T) {
			f := newFakeNetifd(t)
			os.MkdirAll(f.path("var/run"), 0o755)
			if tc.count != "" {
				os.WriteFile(f.path("var/run/sstpgo-vpn.retry"), []byte(tc.count+"\n"), 0o644)
			}
			if out, err := f.handler("setup", "vpn", map[string]any{"server": "vpn.example.test", "password": "x"}); err != nil {
				t.Fatalf("setup: %v\n%s", err, out)
			}
			var got []string
			for _, c := range f.calls() {
				if c.Name == "sleep" || c.Name == "proto_run_command" {
					got = append(got, c.Name+" "+c.Args[0])
				}
			}
			want := []string{"proto_run_command vpn"}
			if tc.sleep != "" {
				want = append([]string{"sleep " + tc.sleep}, want...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestUpScript(t *testing.T) {
	full := []string{"INTERFACE=vpn", "IFNAME=sstp-vpn", "IPLOCAL=10.9.0.2", "IPREMOTE=10.9.0.1",
		"DNS1=10.9.0.53", "DNS2=10.9.0.54", "ROUTES=10.20.0.0/16 192.0.2.0/24 2001:db8:1::/48", "MTU=1400"}
	tests := []struct {
		name  string
		env   []string
		calls []string
		fail  bool
	}{
		{"full", full, []string{
			"proto_init_update sstp-vpn 1",
			"proto_add_ipv4_address 10.9.0.2 32  10.9.0.1",
			"proto_add_ipv4_route 0.0.0.0 0 10.9.0.1",
			"proto_add_ipv4_route 10.20.0.0 16 10.9.0.1",
			"proto_add_ipv4_route 192.0.2.0 24 10.9.0.1",
			"proto_add_ipv6_route 2001:db8:1:: 48",
			"proto_add_dns_server 10.9.0.53",
			"proto_add_dns_server 10.9.0.54",
			"proto_send_update vpn",
			"ubus call network.interface.vpn notify_proto ifname=sstp-vpn link-up=1 ipaddr=10.9.0.2/32 ptp=10.9.0.1 route=0.0.0.0/0@10.9.0.1 route=10.20.0.0/16@10.9.0.1 route=192.0.2.0/24@10.9.0.1 route6=2001:db8:1::/48 dns=10.9.0.53 dns=10.9.0.54",
		}, false},
		{"peerdns 0, defaultroute 0", append(slices.Clone(full), "PEERDNS=0", "DEFAULTROUTE=0", "ROUTES="), []string{
			"proto_init_update sstp-vpn 1",
			"proto_add_ipv4_address 10.9.0.2 32  10.9.0.1",
			"proto_send_update vpn",
			"ubus call network.interface.vpn notify_proto ifname=sstp-vpn link-up=1 ipaddr=10.9.0.2/32 ptp=10.9.0.1",
		}, false},
		{"one DNS twice, IPv6 link-local", []string{"INTERFACE=wan2", "IFNAME=sstp-wan2", "IPLOCAL=10.0.0.2",
			"IPREMOTE=10.0.0.1", "DNS1=1.1.1.1", "DNS2=1.1.1.1", "IPV6LOCAL=fe80::2", "PEERDNS=1"}, []string{
			"proto_init_update sstp-wan2 1",
			"proto_add_ipv4_address 10.0.0.2 32  10.0.0.1",
			"proto_add_ipv4_route 0.0.0.0 0 10.0.0.1",
			"proto_add_ipv6_address fe80::2 128",
			"proto_add_dns_server 1.1.1.1",
			"proto_send_update wan2",
			"ubus call network.interface.wan2 notify_proto ifname=sstp-wan2 link-up=1 ipaddr=10.0.0.2/32 ptp=10.0.0.1 route=0.0.0.0/0@10.0.0.1 ip6addr=fe80::2/128 dns=1.1.1.1",
		}, false},
		{"no INTERFACE", []string{"IFNAME=sstp-vpn", "IPLOCAL=10.0.0.2"}, nil, true},
		// after a reconnect to an address the handler did not pin (DDNS,
		// round robin), the up script pins it before the routes come
		{"new server address", append(slices.Clone(full), "ROUTES=", "SERVER_ADDR=198.51.100.8", "TUNLINK=wan"), []string{
			"proto_add_host_dependency vpn 198.51.100.8 wan",
			"proto_init_update sstp-vpn 1",
			"proto_add_ipv4_address 10.9.0.2 32  10.9.0.1",
			"proto_add_ipv4_route 0.0.0.0 0 10.9.0.1",
			"proto_add_dns_server 10.9.0.53",
			"proto_add_dns_server 10.9.0.54",
			"proto_send_update vpn",
			"ubus call network.interface.vpn notify_proto ifname=sstp-vpn link-up=1 ipaddr=10.9.0.2/32 ptp=10.9.0.1 route=0.0.0.0/0@10.9.0.1 dns=10.9.0.53 dns=10.9.0.54",
		}, false},
		{"known server address", append(slices.Clone(full), "ROUTES=", "DEFAULTROUTE=0", "PEERDNS=0", "SERVER_ADDR=198.51.100.7"), []string{
			"proto_init_update sstp-vpn 1",
			"proto_add_ipv4_address 10.9.0.2 32  10.9.0.1",
			"proto_send_update vpn",
			"ubus call network.interface.vpn notify_proto ifname=sstp-vpn link-up=1 ipaddr=10.9.0.2/32 ptp=10.9.0.1",
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			// what setup left: the pinned addresses, one failure in a row
			os.MkdirAll(f.path("var/run"), 0o755)
			os.WriteFile(f.path("var/run/sstpgo-vpn.hosts"), []byte("198.51.100.7\n2001:db8::7\n"), 0o644)
			os.WriteFile(f.path("var/run/sstpgo-vpn.retry"), []byte("1\n"), 0o644)
			out, err := f.upScript(tc.env...)
			if (err != nil) != tc.fail {
				t.Fatalf("up script err = %v, want failure %v\n%s", err, tc.fail, out)
			}
			var got []string
			for _, c := range f.calls() {
				got = append(got, c.String())
			}
			if !slices.Equal(got, tc.calls) {
				t.Errorf("calls\n got %q\nwant %q", got, tc.calls)
			}
			if tc.fail || !slices.Contains(tc.env, "INTERFACE=vpn") {
				return
			}
			if _, err := os.Stat(f.path("var/run/sstpgo-vpn.retry")); !os.IsNotExist(err) {
				t.Errorf("failure count kept after the tunnel came up (%v)", err)
			}
			if hosts := f.lines("var/run/sstpgo-vpn.hosts"); len(hosts) != 2+len(find(toCalls(got), "proto_add_host_dependency")) {
				t.Errorf("pinned addresses %q", hosts)
			}
		})
	}
}

// toCalls parses calls printed by call.String (arguments without spaces).
func toCalls(ss []string) []call {
	var cs []call
	for _, s := range ss {
		f := strings.Split(s, " ")
		cs = append(cs, call{Name: f[0], Args: f[1:]})
	}
	return cs
}

// TestDownScript: the session is lost; netifd hears it as ppp-down says it
// (link down: addresses, routes and DNS withdrawn, ifdown hotplug).
func TestDownScript(t *testing.T) {
	f := newFakeNetifd(t)
	if out, err := f.script("sstpgo-down", "INTERFACE=vpn", "IFNAME=sstp-vpn", "IPLOCAL=10.9.0.2", "IPREMOTE=10.9.0.1"); err != nil {
		t.Fatalf("down script: %v\n%s", err, out)
	}
	var got []string
	for _, c := range f.calls() {
		got = append(got, c.String())
	}
	want := []string{"proto_init_update sstp-vpn 0", "proto_send_update vpn",
		"ubus call network.interface.vpn notify_proto ifname=sstp-vpn link-up=0"}
	if !slices.Equal(got, want) {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
	if out, err := f.script("sstpgo-down", "IFNAME=sstp-vpn"); err == nil || len(f.calls()) != 0 {
		t.Errorf("down script without INTERFACE: %v %q", err, out)
	}
}

// rejectedSHA is the fingerprint a status file names for a rejected certificate.
var rejectedSHA = strings.TrimSuffix(strings.Repeat("AB:", 31), ":") + ":CD"

// TestTeardown: every exit code of sstpgo maps to a netifd error code and
// to restart (after a backoff) or block; the table is in sstp.sh.
func TestTeardown(t *testing.T) {
	kill := "proto_kill_command vpn"
	tests := []struct {
		name   string
		env    []string
		cfg    map[string]any // on top of the base config
		status bool           // the daemon left a status file naming a rejected certificate
		calls  []string
		count  string // the failure count left for the next setup (was "2")
	}{
		{"ifdown", nil, nil, false, []string{kill}, ""},
		{"killed by a signal", []string{"ERROR=0"}, nil, false, []string{kill}, "3"},
		{"internal error", []string{"ERROR=1"}, nil, false, []string{"proto_notify_error vpn INTERNAL_ERROR 1", kill}, "3"},
		{"options rejected", []string{"ERROR=2"}, nil, false, []string{"proto_notify_error vpn INVALID_OPTIONS", "proto_block_restart vpn", kill}, ""},
		{"auth rejected", []string{"ERROR=3"}, nil, false, []string{"proto_notify_error vpn AUTH_FAILED", "proto_block_restart vpn", kill}, ""},
		{"auth rejected, authfail 1", []string{"ERROR=3"}, map[string]any{"authfail": true}, false, []string{"proto_notify_error vpn AUTH_FAILED", "proto_block_restart vpn", kill}, ""},
		{"auth rejected, authfail 0 retries", []string{"ERROR=3"}, map[string]any{"authfail": false}, false, []string{"proto_notify_error vpn AUTH_FAILED", kill}, "3"},
		{"certificate rejected", []string{"ERROR=4"}, nil, true, []string{"proto_notify_error vpn CERT_FAILED " + rejectedSHA, "proto_block_restart vpn", kill}, ""},
		{"certificate rejected, no status file", []string{"ERROR=4"}, nil, false, []string{"proto_notify_error vpn CERT_FAILED", "proto_block_restart vpn", kill}, ""},
		{"unreachable", []string{"ERROR=5"}, nil, false, []string{"proto_notify_error vpn CONNECT_FAILED", kill}, "3"},
		{"exec failed", []string{"ERROR=127"}, nil, false, []string{"proto_notify_error vpn INTERNAL_ERROR 127", kill}, "3"},
	}
	base := map[string]any{"server": "vpn.example.test", "username": "u", "password": "secret", "ca_cert": pem,
		"client_cert": pem, "client_key": keyPEM, "eap_ca": eapPEM, "proxy": "http://u@proxy.lan:3128", "proxy_password": "pp"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := maps.Clone(base)
			maps.Copy(cfg, tc.cfg)
			f := newFakeNetifd(t)
			if out, err := f.handler("setup", "vpn", cfg); err != nil {
				t.Fatalf("setup: %v\n%s", err, out)
			}
			f.calls()
			os.WriteFile(f.path("var/run/sstpgo-vpn.retry"), []byte("2\n"), 0o644)
			if tc.status {
				os.WriteFile(f.path("var/run/sstpgo-vpn.json"), []byte(`{"state":"failed","rejected_certificate_sha256":"`+rejectedSHA+`"}`+"\n"), 0o644)
			}
			if out, err := f.handler("teardown", "vpn", cfg, tc.env...); err != nil {
				t.Fatalf("teardown: %v\n%s", err, out)
			}
			var got []string
			cs := f.calls()
			for _, c := range cs {
				if c.Name != "logger" {
					got = append(got, c.String())
				}
			}
			if !slices.Equal(got, tc.calls) {
				t.Errorf("calls\n got %q\nwant %q", got, tc.calls)
			}
			if got := strings.Join(f.lines("var/run/sstpgo-vpn.retry"), ""); got != tc.count {
				t.Errorf("failure count %q, want %q", got, tc.count)
			}
			if tc.status && !slices.ContainsFunc(find(cs, "logger"), func(c call) bool {
				return strings.Contains(c.String(), "pin_sha256="+strings.ReplaceAll(rejectedSHA, ":", ""))
			}) {
				t.Errorf("no log line says how to pin the certificate: %v", find(cs, "logger"))
			}
			for _, p := range secretFiles {
				if _, err := os.Stat(f.path(p)); !os.IsNotExist(err) {
					t.Errorf("%s still there after teardown (%v)", p, err)
				}
			}
		})
	}
}

// TestLifecycleFakeDaemon plays netifd around a stand-in sstpgo that runs
// the up script and exits with a given code: setup, daemon, teardown.
func TestLifecycleFakeDaemon(t *testing.T) {
	tests := []struct {
		name   string
		exit   string
		events string
		notify []string // the error netifd gets: code and data
		block  bool     // restarts blocked
	}{
		{"connected then stopped", "0", "", nil, false},
		{"auth failure", "3", "", []string{"AUTH_FAILED"}, true},
		{"certificate failure", "4", "cert:" + rejectedSHA, []string{"CERT_FAILED", rejectedSHA}, true},
		{"gave up", "5", "", []string{"CONNECT_FAILED"}, false},
	}
	const pw = "hunter2 with spaces"
	cfg := map[string]any{"server": "vpn.example.test", "username": "alice", "password": pw, "peerdns": true}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			if out, err := f.handler("setup", "vpn", cfg); err != nil {
				t.Fatalf("setup: %v\n%s", err, out)
			}
			f.calls()
			env := []string{"FAKE_EXIT=" + tc.exit}
			if tc.events != "" {
				env = append(env, "FAKE_EVENTS="+tc.events)
			}
			out, err := f.daemon(context.Background(), env...).CombinedOutput()
			code := exitCode(err)
			if strconv.Itoa(code) != tc.exit {
				t.Fatalf("daemon exit %d (%v), want %s\n%s", code, err, tc.exit, out)
			}
			cs := f.calls()
			if got, _ := os.ReadFile(f.path("daemon.password-file")); string(got) != pw {
				t.Errorf("daemon read password %q from its file", got)
			}
			if env, _ := os.ReadFile(f.path("daemon.env")); strings.Contains(string(env), pw) {
				t.Error("password in the daemon's environment")
			}
			checkNoSecret(t, cs, pw)
			if tc.exit == "0" {
				if len(find(cs, "proto_send_update")) != 1 || len(find(cs, "proto_add_ipv4_address")) != 1 {
					t.Errorf("up script did not report to netifd: %v", cs)
				}
				if d := find(cs, "proto_add_dns_server"); len(d) != 2 {
					t.Errorf("DNS servers reported: %v", d)
				}
			}
			if out, err := f.handler("teardown", "vpn", cfg, "ERROR="+strconv.Itoa(code)); err != nil {
				t.Fatalf("teardown: %v\n%s", err, out)
			}
			cs = f.calls()
			blocked := find(cs, "proto_block_restart")
			errs := find(cs, "proto_notify_error")
			if tc.block != (len(blocked) == 1) || len(blocked) > 1 {
				t.Errorf("exit %s: block %v, want %v", tc.exit, blocked, tc.block)
			}
			if (tc.notify == nil && len(errs) != 0) || (tc.notify != nil && (len(errs) != 1 || !slices.Equal(errs[0].Args[1:], tc.notify))) {
				t.Errorf("exit %s: errors %v, want %q", tc.exit, errs, tc.notify)
			}
			if _, err := os.Stat(filepath.Join(f.root, "var/etc/sstpgo-vpn.pass")); !os.IsNotExist(err) {
				t.Error("password file left after teardown")
			}
		})
	}
}

// TestLifecycleReconnect: the session is lost and comes back while sstpgo
// keeps running; netifd hears both, in order, and the host dependency
// follows a server that came back at another address.
func TestLifecycleReconnect(t *testing.T) {
	cfg := map[string]any{"server": "vpn.example.test", "username": "alice", "password": "x", "tunlink": "wan"}
	f := newFakeNetifd(t)
	if out, err := f.handler("setup", "vpn", cfg); err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	f.calls()
	// up at the address setup resolved, lost, up at a new one, lost, up there again
	out, err := f.daemon(context.Background(), "FAKE_EVENTS=up down up:198.51.100.8 down up:198.51.100.8").CombinedOutput()
	if err != nil {
		t.Fatalf("daemon: %v\n%s", err, out)
	}
	var got []string
	for _, c := range f.calls() {
		switch c.Name {
		case "proto_init_update", "proto_send_update", "proto_add_host_dependency":
			got = append(got, c.String())
		case "ubus":
			// what ifstatus shows after each report
			if strings.Contains(c.String(), "link-up=0") {
				got = append(got, "ifstatus: "+strings.Join(c.Args[3:], " "))
			}
		}
	}
	up := []string{"proto_init_update sstp-vpn 1", "proto_send_update vpn"}
	down := []string{"proto_init_update sstp-vpn 0", "proto_send_update vpn", "ifstatus: ifname=sstp-vpn link-up=0"}
	var want []string
	want = append(append(append(want, up...), down...), "proto_add_host_dependency vpn 198.51.100.8 wan")
	want = append(append(append(want, up...), down...), up...)
	if !slices.Equal(got, want) {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
}

// TestLifecycleClientCertificate: with a client certificate and no
// password the daemon gets the key and the proxy password from root-only
// files, no password file, and teardown removes every file.
func TestLifecycleClientCertificate(t *testing.T) {
	const proxyPW = "proxy secret"
	cfg := map[string]any{"server": "vpn.example.test", "client_cert": pem, "client_key": keyPEM,
		"proxy": "http://bob@proxy.lan:3128", "proxy_password": proxyPW}
	f := newFakeNetifd(t)
	if out, err := f.handler("setup", "vpn", cfg); err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	if out, err := f.daemon(context.Background()).CombinedOutput(); err != nil {
		t.Fatalf("daemon: %v\n%s", err, out)
	}
	for name, want := range map[string]string{"daemon.client-key": keyPEM, "daemon.proxy-password-file": proxyPW} {
		if got, err := os.ReadFile(f.path(name)); err != nil || string(got) != want {
			t.Errorf("daemon read %q (%v) from its --%s, want %q", got, err, strings.TrimPrefix(name, "daemon."), want)
		}
	}
	if _, err := os.Stat(f.path("daemon.password-file")); !os.IsNotExist(err) {
		t.Errorf("daemon got a --password-file (%v)", err)
	}
	env, _ := os.ReadFile(f.path("daemon.env"))
	cs := f.calls()
	for _, s := range []string{proxyPW, "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"} {
		checkNoSecret(t, cs, s)
		if strings.Contains(string(env), s) {
			t.Errorf("%q in the daemon's environment", s)
		}
	}
	if len(find(cs, "proto_send_update")) != 1 {
		t.Errorf("up script did not report to netifd: %v", cs)
	}
	if out, err := f.handler("teardown", "vpn", cfg, "ERROR=0"); err != nil {
		t.Fatalf("teardown: %v\n%s", err, out)
	}
	for _, p := range secretFiles {
		if _, err := os.Stat(f.path(p)); !os.IsNotExist(err) {
			t.Errorf("%s left after teardown (%v)", p, err)
		}
	}
}

// TestAuthfailRetries plays netifd's restart loop after authentication
// failures: blocked at once by default (authfail 1), retried with a growing
// wait with authfail 0 (ppp.sh's option), and the wait forgotten once the
// tunnel is up.
func TestAuthfailRetries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    map[string]any
		sleeps []string // the wait of each setup after the first
		block  bool
	}{
		{"default blocks", map[string]any{}, nil, true},
		{"authfail 0 retries with backoff", map[string]any{"authfail": false}, []string{"5", "10", "20"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := map[string]any{"server": "vpn.example.test", "username": "alice", "password": "x"}
			maps.Copy(cfg, tc.cfg)
			f := newFakeNetifd(t)
			var sleeps []string
			for round := 0; round < 4; round++ {
				if out, err := f.handler("setup", "vpn", cfg); err != nil {
					t.Fatalf("setup: %v\n%s", err, out)
				}
				for _, c := range find(f.calls(), "sleep") {
					sleeps = append(sleeps, c.Args[0])
				}
				if _, err := f.daemon(context.Background(), "FAKE_EXIT=3").CombinedOutput(); exitCode(err) != 3 {
					t.Fatalf("daemon: %v", err)
				}
				if out, err := f.handler("teardown", "vpn", cfg, "ERROR=3"); err != nil {
					t.Fatalf("teardown: %v\n%s", err, out)
				}
				cs := f.calls()
				if blocked := len(find(cs, "proto_block_restart")) > 0; blocked != tc.block {
					t.Fatalf("round %d: blocked %v, want %v", round, blocked, tc.block)
				}
				if tc.block {
					break // netifd starts it again only on ifup
				}
			}
			if !slices.Equal(sleeps, tc.sleeps) {
				t.Errorf("waits before each start %q, want %q", sleeps, tc.sleeps)
			}
			// the tunnel comes up: the next failure waits 5 s again
			f.handler("setup", "vpn", cfg)
			f.calls()
			f.daemon(context.Background()).Run()
			f.handler("teardown", "vpn", cfg, "ERROR=3")
			f.calls()
			f.handler("setup", "vpn", cfg)
			if s := find(f.calls(), "sleep"); !tc.block && (len(s) != 1 || s[0].Args[0] != "5") {
				t.Errorf("after the tunnel was up: waits %v, want 5", s)
			}
		})
	}
}
