package openwrt_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
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
	if len(flags) != 1 || !slices.Equal(flags[0].Args, []string{"no_device=1", "available=1"}) {
		t.Errorf("init_config flags = %v, want no_device=1 available=1", flags)
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
	base := []string{"connect", "--server", "198.51.100.7:443", "--ifname", "sstp-vpn",
		"--netifd", "--up-script", "@/lib/netifd/sstpgo-up", "--reconnect=true"}
	pwArgs := []string{"--password-file", "@/var/etc/sstpgo-vpn.pass"}
	tests := []struct {
		name    string
		cfg     map[string]any
		argv    []string // after base; "@" stands for the fake root
		hostDep []string
		logs    []string          // substrings of logger lines
		files   map[string]string // files written (0600) under the fake root, with their content
		secrets []string          // values that must not show in any call (besides the password)
	}{
		{
			name:    "minimal",
			cfg:     map[string]any{"server": "vpn.example.test", "username": "alice", "password": pw},
			argv:    append(append([]string{"--user", "alice"}, pwArgs...), "--sni", "vpn.example.test"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
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
			hostDep: []string{"vpn", "198.51.100.7", "wan"},
		},
		{
			name:    "port in server",
			cfg:     map[string]any{"server": "198.51.100.9:4433", "port": 443, "password": "x"},
			argv:    pwArgs,
			hostDep: []string{"vpn", "198.51.100.9", ""},
		},
		{
			name:    "ipv6 literal",
			cfg:     map[string]any{"server": "2001:db8::9", "password": "x"},
			argv:    pwArgs,
			hostDep: []string{"vpn", "2001:db8::9", ""},
		},
		{
			name:    "PEM text becomes a file",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "ca_cert": pem},
			argv:    append(slices.Clone(pwArgs), "--ca-cert", "@/var/etc/sstpgo-vpn.ca.pem", "--sni", "vpn.example.test"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
			files:   map[string]string{"var/etc/sstpgo-vpn.ca.pem": pem},
		},
		{
			name: "client certificate as PEM text, no password",
			cfg: map[string]any{"server": "vpn.example.test", "username": "router1", "ca_cert": pem,
				"client_cert": pem, "client_key": keyPEM, "eap_ca": eapPEM, "eap_server_name": "nps.example.test"},
			argv: []string{"--user", "router1", "--ca-cert", "@/var/etc/sstpgo-vpn.ca.pem", "--sni", "vpn.example.test",
				"--client-cert", "@/var/etc/sstpgo-vpn.cert.pem", "--client-key", "@/var/etc/sstpgo-vpn.key.pem",
				"--eap-ca", "@/var/etc/sstpgo-vpn.eapca.pem", "--eap-server-name", "nps.example.test"},
			hostDep: []string{"vpn", "198.51.100.7", ""},
			files: map[string]string{"var/etc/sstpgo-vpn.ca.pem": pem, "var/etc/sstpgo-vpn.cert.pem": pem,
				"var/etc/sstpgo-vpn.key.pem": keyPEM, "var/etc/sstpgo-vpn.eapca.pem": eapPEM},
			secrets: []string{keyPEM, "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"},
		},
		{
			name: "client certificate as paths, with password",
			cfg: map[string]any{"server": "vpn.example.test", "username": "alice", "password": pw,
				"client_cert": "/etc/sstpgo/client.pem", "client_key": "/etc/sstpgo/client.key",
				"eap_ca": "/etc/sstpgo/nps-ca.pem", "auth": "eap"},
			argv: append(append([]string{"--user", "alice"}, pwArgs...), "--sni", "vpn.example.test",
				"--client-cert", "/etc/sstpgo/client.pem", "--client-key", "/etc/sstpgo/client.key",
				"--eap-ca", "/etc/sstpgo/nps-ca.pem", "--auth", "eap"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
		},
		{
			name: "proxy password in a file",
			cfg: map[string]any{"server": "vpn.example.test", "username": "alice", "password": "x",
				"proxy": "http://bob@proxy.lan:3128", "proxy_password": "pr0xy 'sec\"ret $(id)"},
			argv: append(append([]string{"--user", "alice"}, pwArgs...), "--sni", "vpn.example.test",
				"--proxy", "http://bob@proxy.lan:3128", "--proxy-password-file", "@/var/etc/sstpgo-vpn.proxy.pass"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
			files:   map[string]string{"var/etc/sstpgo-vpn.proxy.pass": "pr0xy 'sec\"ret $(id)"},
			secrets: []string{"pr0xy 'sec\"ret $(id)"},
		},
		{
			name:    "insecure is logged",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "insecure": true},
			argv:    append(slices.Clone(pwArgs), "--insecure-skip-verify", "--sni", "vpn.example.test"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
			logs:    []string{"NOT verified"},
		},
		{
			name:    "require_pfs",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "require_pfs": true},
			argv:    append(slices.Clone(pwArgs), "--require-forward-secrecy", "--sni", "vpn.example.test"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
		},
		{
			name: "sstp-client options mapped",
			cfg: map[string]any{"server": "vpn.example.test", "password": "x", "log_level": "4",
				"sstp_options": "--cert-warn --uuid 1234 --proxy http://p:1 --bogus",
				"pppd_options": "refuse-pap refuse-eap mtu 1300 lcp-echo-interval 5 lcp-echo-failure 4 +ipv6 usepeerdns novj"},
			argv: append(slices.Clone(pwArgs), "--sni", "vpn.example.test", "--auth", "mschapv2,chap", "--mtu", "1300", "--ipv6",
				"--log-level", "debug", "--echo-interval", "5s", "--echo-timeout", "20s",
				"--insecure-skip-verify", "--proxy", "http://p:1"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
			logs: []string{"--cert-warn", "--uuid is not supported", "--bogus is not supported",
				"usepeerdns", "novj has no sstpgo equivalent"},
		},
		{
			name:    "require wins over refuse, log level number",
			cfg:     map[string]any{"server": "vpn.example.test", "password": "x", "log_level": "1", "pppd_options": "require-mschap-v2 refuse-pap debug"},
			argv:    append(slices.Clone(pwArgs), "--sni", "vpn.example.test", "--auth", "mschapv2", "--log-level", "warn"),
			hostDep: []string{"vpn", "198.51.100.7", ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			if out, err := f.handler("setup", "vpn", tc.cfg); err != nil {
				t.Fatalf("setup: %v\n%s", err, out)
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
				want[2] = "198.51.100.7:8443"
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
			hd := find(cs, "proto_add_host_dependency")
			if len(hd) != 1 || !slices.Equal(hd[0].Args, tc.hostDep) {
				t.Errorf("proto_add_host_dependency = %v, want %q", hd, tc.hostDep)
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
			for _, e := range []string{"INTERFACE=vpn", "PEERDNS=", "DEFAULTROUTE="} {
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
	tests := []struct {
		name  string
		cfg   map[string]any
		calls []string // recorded calls, in order, excluding logger/resolveip
	}{
		{"no server", map[string]any{"password": "x"},
			[]string{"proto_notify_error vpn MISSING_SERVER", "proto_block_restart vpn", "proto_setup_failed vpn"}},
		{"unresolvable", map[string]any{"server": "nx.example.test", "password": "x"},
			[]string{"proto_notify_error vpn RESOLVE_FAILED", "sleep 5", "proto_setup_failed vpn"}},
		{"client_cert without client_key", map[string]any{"server": "vpn.example.test", "client_cert": pem},
			[]string{"proto_notify_error vpn INVALID_CONFIG", "proto_block_restart vpn", "proto_setup_failed vpn"}},
		{"client_key without client_cert", map[string]any{"server": "vpn.example.test", "password": "x", "client_key": keyPEM},
			[]string{"proto_notify_error vpn INVALID_CONFIG", "proto_block_restart vpn", "proto_setup_failed vpn"}},
		{"eap_server_name without client certificate", map[string]any{"server": "vpn.example.test", "password": "x", "eap_server_name": "nps"},
			[]string{"proto_notify_error vpn INVALID_CONFIG", "proto_block_restart vpn", "proto_setup_failed vpn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			if out, err := f.handler("setup", "vpn", tc.cfg); err == nil {
				t.Logf("setup returned 0 (netifd ignores it)\n%s", out)
			}
			var got []string
			for _, c := range f.calls() {
				if c.Name != "logger" && c.Name != "resolveip" {
					got = append(got, c.String())
				}
			}
			if !slices.Equal(got, tc.calls) {
				t.Errorf("calls\n got %q\nwant %q", got, tc.calls)
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
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
		})
	}
}

func TestTeardown(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		calls []string
	}{
		{"killed by ifdown", []string{"ERROR=0"}, []string{"proto_kill_command vpn"}},
		{"no ERROR", nil, []string{"proto_kill_command vpn"}},
		{"internal error", []string{"ERROR=1"}, []string{"proto_kill_command vpn"}},
		{"unreachable", []string{"ERROR=5"}, []string{"proto_kill_command vpn"}},
		{"config rejected", []string{"ERROR=2"}, []string{"proto_notify_error vpn INVALID_CONFIG", "proto_block_restart vpn", "proto_kill_command vpn"}},
		{"auth rejected", []string{"ERROR=3"}, []string{"proto_notify_error vpn AUTH_FAILED", "proto_block_restart vpn", "proto_kill_command vpn"}},
		{"certificate rejected", []string{"ERROR=4"}, []string{"proto_notify_error vpn CERT_FAILED", "proto_block_restart vpn", "proto_kill_command vpn"}},
	}
	cfg := map[string]any{"server": "vpn.example.test", "username": "u", "password": "secret", "ca_cert": pem,
		"client_cert": pem, "client_key": keyPEM, "eap_ca": eapPEM, "proxy": "http://u@proxy.lan:3128", "proxy_password": "pp"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNetifd(t)
			if out, err := f.handler("setup", "vpn", cfg); err != nil {
				t.Fatalf("setup: %v\n%s", err, out)
			}
			f.calls()
			if out, err := f.handler("teardown", "vpn", cfg, tc.env...); err != nil {
				t.Fatalf("teardown: %v\n%s", err, out)
			}
			var got []string
			for _, c := range f.calls() {
				if c.Name != "logger" {
					got = append(got, c.String())
				}
			}
			if !slices.Equal(got, tc.calls) {
				t.Errorf("calls\n got %q\nwant %q", got, tc.calls)
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
		name    string
		exit    string
		blocked string // the error code that blocks restarts, "" for none
	}{
		{"connected then stopped", "0", ""},
		{"auth failure", "3", "AUTH_FAILED"},
		{"certificate failure", "4", "CERT_FAILED"},
		{"gave up", "5", ""},
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
			out, err := f.daemon(context.Background(), "FAKE_EXIT="+tc.exit).CombinedOutput()
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
			if tc.blocked == "" && (len(blocked) > 0 || len(errs) > 0) {
				t.Errorf("restart blocked after exit %s: %v %v", tc.exit, blocked, errs)
			}
			if tc.blocked != "" && (len(blocked) != 1 || len(errs) != 1 || errs[0].Args[1] != tc.blocked) {
				t.Errorf("exit %s: block %v, errors %v, want %s", tc.exit, blocked, errs, tc.blocked)
			}
			if _, err := os.Stat(filepath.Join(f.root, "var/etc/sstpgo-vpn.pass")); !os.IsNotExist(err) {
				t.Error("password file left after teardown")
			}
		})
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
