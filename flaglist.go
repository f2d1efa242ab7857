package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/sstp"
)

// setting is one configuration setting: the flag --name and the TOML key
// name_with_underscores are the same setting, one to one (a test checks it).
// The table below is the only place a setting's flag, help text and default
// are written; fileConfig.keys binds each key to its field.
type setting struct {
	name  string // flag name; the TOML key is this with '-' written '_'
	alias string // an older flag name still accepted ("" none)
	arg   string // placeholder in --help: what the value is ("" for a switch)
	usage string
	def   string // default, applied before the file and flags and shown in --help
	diag  bool   // diagnose uses it (the others are accepted there and ignored)
	input bool   // names a file that must exist
}

// Switches (arg "") are true/false flags: --ipv6, --reconnect=false.
// To add a setting: a line here, a field and its key in config.go, a line in
// both example configurations (sstpgo.toml, openwrt/.../sstpgo.toml.example);
// TestFlagsAndKeysMatch and TestExampleConfigsListEveryKey check the three.
var settings = []setting{
	{name: "server", arg: "HOST[:PORT]", usage: "SSTP server (port 443 by default; https://HOST[:PORT]/ is accepted too)", diag: true},
	{name: "user", arg: "NAME", usage: "user name: user, DOMAIN\\user or user@HUB (SoftEther)", diag: true},
	{name: "password-file", arg: "FILE", usage: "file holding the password (mode 0600); or set SSTPGO_PASSWORD", diag: true, input: true},
	{name: "ca-cert", arg: "FILE", usage: "PEM CA that signs the server certificate (default: the system roots)", diag: true, input: true},
	{name: "sni", arg: "NAME", usage: "TLS server name to send and verify (default: the host of --server)", diag: true},
	{name: "pin-sha256", arg: "HEX", usage: "accept only the server certificate with this SHA-256 fingerprint (64 hex digits, colons optional)", diag: true},
	{name: "insecure-skip-verify", usage: "DANGEROUS: accept any server certificate", diag: true},
	{name: "require-forward-secrecy", usage: "refuse servers that only take RSA key exchange (by default: retry with it and warn)", diag: true},
	{name: "tls-keylog", arg: "FILE", usage: "append TLS secrets to FILE (NSS key log, for Wireshark)", diag: true},
	{name: "auth", arg: "LIST", usage: "allowed authentication methods, comma-separated: pap,chap,mschapv2,eap (default: all)", diag: true},
	{name: "client-cert", arg: "FILE", usage: "PEM client certificate: authenticate with EAP-TLS instead of a password", diag: true, input: true},
	{name: "client-key", arg: "FILE", usage: "PEM private key of --client-cert (mode 0600)", diag: true, input: true},
	{name: "eap-ca", arg: "FILE", usage: "PEM CA of the EAP-TLS server certificate (default: --ca-cert)", diag: true, input: true},
	{name: "eap-server-name", arg: "NAME", usage: "name the EAP-TLS server certificate must carry (default: the chain to --eap-ca/--ca-cert, else the SSTP server name)", diag: true},
	{name: "proxy", arg: "URL", usage: "HTTP proxy http://[USER@]HOST:PORT (default: $HTTPS_PROXY unless $NO_PROXY names the server; none: direct)", diag: true},
	{name: "proxy-password-file", arg: "FILE", usage: "file holding the proxy password (mode 0600); the user goes in the --proxy URL", diag: true, input: true},
	{name: "connect-timeout", arg: "DURATION", usage: "bound on one connection attempt, TCP to IP configured (long enough for an MFA approval)", def: "1m30s", diag: true},
	{name: "mtu", arg: "N", usage: "tunnel MTU, 576 to " + strconv.Itoa(sstp.MaxIPPacket) + " (default: the MRU the server accepts)", diag: true},
	{name: "ipv6", usage: "negotiate IPv6 (IPV6CP) too", diag: true},
	{name: "log-level", arg: "LEVEL", usage: "debug, info, warn or error", def: "info", diag: true},
	{name: "ifname", arg: "NAME", usage: "tunnel device name", def: "sstp0"},
	{name: "routes", alias: "route", arg: "CIDR", usage: "route through the tunnel (repeat, or separate with commas)"},
	{name: "default-route", usage: "send all traffic through the tunnel (the server stays on the uplink)"},
	{name: "metric", arg: "N", usage: "metric of the routes installed", def: "0"},
	{name: "use-peer-dns", usage: "write the server's DNS servers to --resolv-conf (restored on exit)"},
	{name: "resolv-conf", arg: "FILE", usage: "resolv.conf that --use-peer-dns writes", def: "/etc/resolv.conf"},
	{name: "up-script", arg: "FILE", usage: "run FILE when the tunnel is up (pppd ip-up arguments)", input: true},
	{name: "down-script", arg: "FILE", usage: "run FILE when the tunnel goes down", input: true},
	{name: "status-file", arg: "FILE", usage: "JSON status: rewritten on every state change, every 10s while up, and at once on SIGUSR1"},
	{name: "reconnect", usage: "reconnect with backoff after failures (never after an authentication or certificate rejection)", def: "true"},
	{name: "echo-interval", arg: "DURATION", usage: "idle time before an SSTP echo request", def: "10s"},
	{name: "echo-timeout", arg: "DURATION", usage: "silence after an echo request before the path counts as dead", def: "20s"},
	{name: "page-out-after", arg: "DURATION", usage: "once the tunnel has been up this long, drop the start-up code from memory (0: never)", def: "10m"},
	{name: "netifd", usage: "OpenWrt netifd mode: leave addresses and routes to netifd, report through --up-script"},
	// LAN features (package lan)
	{name: "no-pushed-routes", usage: "do not ask the server for routes and DNS domains (DHCPINFORM after connecting, as Windows does)"},
	{name: "no-mss-clamp", usage: "do not clamp the TCP MSS of connections through the tunnel to its MTU"},
}

// fileOnlyKeys have no flag: a password on the command line shows in ps.
var fileOnlyKeys = []string{"password"}

func (s *setting) key() string { return strings.ReplaceAll(s.name, "-", "_") }

// defaultConfigDir is where --config NAME and the default configuration live.
var defaultConfigDir = "/etc/sstpgo"

// connectFlags are connect's flags; diagnose takes the same and hides those it
// ignores, so a connect command line can be replayed as a diagnose one.
func connectFlags() []cli.Flag { return settingFlags(false) }

func diagnoseFlags() []cli.Flag { return settingFlags(true) }

func settingFlags(diagnose bool) []cli.Flag {
	flags := []cli.Flag{&cli.StringFlag{Name: "config", Usage: "TOML configuration (NAME: " + defaultConfigDir +
		"/NAME.toml; default " + defaultConfigDir + "/sstpgo.toml when --server is not given); flags override it"}}
	for i := range settings {
		s := &settings[i]
		hidden := diagnose && !s.diag
		if s.arg == "" {
			flags = append(flags, &cli.BoolFlag{Name: s.name, Usage: s.usage, Hidden: hidden})
			continue
		}
		v := &rawValues{}
		flags = append(flags, &cli.GenericFlag{Name: s.name, Usage: s.usage, Hidden: hidden, Value: v})
		if s.alias != "" {
			// A flag of its own sharing the values: urfave/cli's aliases
			// would copy each value to the other name once more.
			flags = append(flags, &cli.GenericFlag{Name: s.alias, Hidden: true, Value: v})
		}
	}
	return flags
}

// rawValues keeps a flag's values as given; loadOptions parses them with the
// same code as the file's values, so both give the same messages. It also
// stands in for cli.StringSliceFlag, whose JSON code costs the router binary
// ~100 KB.
type rawValues []string

func (l *rawValues) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (l *rawValues) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

// flagString formats a flag for --help: the placeholder says what it takes,
// the default is shown once.
func flagString(f cli.Flag) string {
	names := f.Names()
	s := lookupSetting(names[0])
	arg, def := "", ""
	switch {
	case s != nil:
		arg, def = s.arg, s.def
	case names[0] == "config":
		arg = "FILE|NAME"
	}
	if s != nil && s.alias != "" {
		names = append(names, s.alias)
	}
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if len(n) == 1 {
			b.WriteString("-" + n)
		} else {
			b.WriteString("--" + n)
		}
		if arg != "" {
			b.WriteString(" " + arg)
		}
	}
	b.WriteString("\t")
	if df, ok := f.(cli.DocGenerationFlag); ok {
		b.WriteString(df.GetUsage())
	}
	if def != "" && def != "0" && def != "true" {
		b.WriteString(" (default: " + def + ")")
	}
	if def == "true" {
		b.WriteString(" (on by default; --" + names[0] + "=false turns it off)")
	}
	return b.String()
}

func lookupSetting(name string) *setting {
	for i := range settings {
		if settings[i].name == name || settings[i].alias == name {
			return &settings[i]
		}
	}
	return nil
}

// suggest returns the candidate nearest to s, or "" if none is close.
func suggest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD || (strings.HasPrefix(c, s) && len(s) >= 3 && best == "") {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func flagNames() []string {
	names := []string{"config", "help"}
	for _, s := range settings {
		names = append(names, s.name)
		if s.alias != "" {
			names = append(names, s.alias)
		}
	}
	return names
}

func keyNames() []string {
	var fc fileConfig
	var names []string
	for _, f := range fc.keys() {
		names = append(names, f.Key)
	}
	return names
}

// usageError turns urfave/cli's flag parsing errors into one line that says
// what to do; top is true for flags given before the command.
func usageError(err error, top bool) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimLeft(name, "-")
		if top && (name == "config" || lookupSetting(name) != nil) {
			return cli.Exit("--"+name+" goes after the command: sstpgo connect --"+name+" ...", exitUsage)
		}
		hint := ""
		if s := suggest(name, flagNames()); s != "" {
			hint = ": did you mean --" + s + "?"
		}
		if key := strings.ReplaceAll(name, "-", "_"); name == "password" || key == "password" {
			hint = ": no flag takes the password (it would show in ps); use --password-file FILE, SSTPGO_PASSWORD or the config file's password key"
		}
		return cli.Exit("unknown flag --"+name+hint, exitUsage)
	}
	// invalid boolean value "x" for -ipv6: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if v, name, ok := strings.Cut(rest, " for -"); ok {
			name, _, _ = strings.Cut(name, ":")
			return cli.Exit("--"+strings.TrimLeft(name, "-")+"="+strings.Trim(v, `"`)+": want true or false", exitUsage)
		}
	}
	// flag needs an argument: -server
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		name = strings.TrimLeft(name, "-")
		arg := "a value"
		if s := lookupSetting(name); s != nil {
			arg = s.arg
		}
		return cli.Exit("--"+name+" needs "+arg+": --"+name+" "+arg+" or --"+name+"="+arg, exitUsage)
	}
	return cli.Exit(msg, exitUsage)
}

// fileError names the flag (or key) and the file: "--password-file /x: no such file".
func fileError(origin, path string, err error) error {
	reason := err.Error()
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		reason = "no such file"
	case errors.Is(err, fs.ErrPermission):
		reason = "permission denied"
	case errors.As(err, &pe):
		reason = pe.Err.Error()
	}
	return fmt.Errorf("%s %s: %s", origin, path, reason)
}

// checkInputFile says which flag names a file that cannot be read.
func checkInputFile(origin, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fileError(origin, path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("%s %s: is a directory, want a file", origin, path)
	}
	return nil
}

// durationHint suggests a unit for a bare number: "10" → "use 10s".
func durationHint(v string) string {
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return ": use " + v + "s"
	}
	return " (e.g. 10s, 1m30s)"
}
