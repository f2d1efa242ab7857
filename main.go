// Command sstpgo is an SSTP VPN client with its own PPP stack over a TUN device.
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// Set by the linker: -X main.version=... -X main.commit=...
var (
	version = "dev"
	commit  = "unknown"
)

// Exit codes, documented in --help and the README.
const (
	exitOK          = 0
	exitInternal    = 1
	exitUsage       = 2
	exitAuth        = 3
	exitCert        = 4
	exitUnreachable = 5
)

const exitCodesHelp = `EXIT CODES:
   0  stopped cleanly (SIGINT/SIGTERM)
   1  a failure of this machine: TUN device, addresses, routes
   2  usage or configuration error
   3  authentication rejected (wrong credentials, no allowed method): not retried
   4  server certificate rejected: not retried, no credentials were sent
   5  server unreachable, protocol error, or the server ended the call
      (only with --reconnect=false)`

// stopProfile flushes the CPU profile of a `-tags pprof` build (pprof.go).
var stopProfile = func() {}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run runs the command line and returns the exit code; every error is
// printed here, once, as one line.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp()
	app.Writer, app.ErrWriter = stdout, stderr
	err := app.Run(args)
	stopProfile()
	if err == nil {
		return exitOK
	}
	if name, ok := strings.CutPrefix(err.Error(), "No help topic for '"); ok { // sstpgo help NAME
		err = unknownCommand(strings.TrimSuffix(name, "'"))
	}
	code := exitUsage
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		code = ec.ExitCode()
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(stderr, "sstpgo:", msg)
	}
	return code
}

// versionString is what `sstpgo version` and --version print.
func versionString() string {
	v, c := version, commit
	if bi, ok := debug.ReadBuildInfo(); ok && c == "unknown" { // plain go build: the VCS stamp
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				c = s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("sstpgo %s (commit %s) %s %s/%s", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newApp() *cli.App {
	cli.FlagStringer = flagString
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, versionString()) }
	onUsageError := func(_ *cli.Context, err error, sub bool) error { return usageError(err, !sub) }
	return &cli.App{
		Name:                  "sstpgo",
		Usage:                 "SSTP VPN client with its own PPP stack",
		Version:               version,
		EnableBashCompletion:  false,
		CustomAppHelpTemplate: cli.AppHelpTemplate + "\n" + exitCodesHelp + "\n",
		// Errors are printed once, by run, never by urfave/cli.
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c)
			}
			return unknownCommand(c.Args().First())
		},
		Commands: []*cli.Command{
			{
				Name:         "connect",
				Usage:        "connect and keep the tunnel up until SIGINT/SIGTERM",
				Description:  connectHelp + "\n\n" + exitCodesHelp,
				Flags:        connectFlags(),
				Action:       runConnect,
				OnUsageError: onUsageError,
			},
			{
				Name:         "diagnose",
				Usage:        "walk through each connection step and say exactly what fails",
				Description:  diagnoseHelp,
				Flags:        diagnoseFlags(),
				Action:       runDiagnose,
				OnUsageError: onUsageError,
			},
			showCertCommand(), rpcdCommand(), // certfetch.go, certrpcd.go
			{
				Name:  "version",
				Usage: "print version, commit, Go version and platform",
				Action: func(c *cli.Context) error {
					fmt.Fprintln(c.App.Writer, versionString())
					return nil
				},
			},
		},
		OnUsageError: onUsageError,
	}
}

const connectHelp = `Settings come from the configuration file (--config, TOML, the same keys as the
flags with '_' for '-': ca_cert, routes, ...), then from the flags, which win.
Without --config and --server, /etc/sstpgo/sstpgo.toml is read.
SIGINT/SIGTERM: disconnect, remove routes and device, exit 0 (a second one exits at once).
SIGUSR1: log the status and rewrite --status-file.`

const diagnoseHelp = `Connects once, step by step (DNS, TCP, TLS, HTTPS, SSTP, PPP authentication,
IP configuration), prints one line per step with ✓ or ✗, the reason and a hint,
and disconnects. It takes connect's flags and config file; those that only
matter to a running tunnel (routes, scripts, ...) are accepted and ignored.

EXIT CODES:
   0  all steps passed
   2  usage or configuration error
   3  authentication rejected
   4  server certificate rejected
   5  server unreachable or protocol error`

func unknownCommand(name string) error {
	hint := ""
	if s := suggest(name, []string{"connect", "diagnose", "version", "help"}); s != "" {
		hint = ": did you mean " + s + "?"
	}
	if strings.HasPrefix(name, "-") {
		return cli.Exit("unknown flag "+name+hint+" (flags go after the command: sstpgo connect --server ...)", exitUsage)
	}
	return cli.Exit("unknown command "+strconv.Quote(name)+hint+" (the commands are connect, diagnose, version; sstpgo --help)", exitUsage)
}

// options is the merged configuration: defaults, then the file, then flags.
type options struct {
	fileConfig
	Reconnect bool
	// PageOutAfter: how long the tunnel must stay up before sstpgo drops its
	// start-up code from memory (memtrim.go); 0 never.
	PageOutAfter time.Duration
	routes       []netip.Prefix
	password     string
}

func loadOptions(c *cli.Context) (*options, error) {
	if c.NArg() > 0 { // flags after it were not parsed either
		a := c.Args().First()
		if strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("unexpected %q: flags take one dash or two, before any other argument", a)
		}
		return nil, fmt.Errorf("unexpected argument %q: %s takes only flags (the server: --server %s)", a, c.Command.Name, a)
	}
	o := &options{}
	fields := o.fileConfig.keys()
	field := func(key string) any {
		for _, f := range fields {
			if f.Key == key {
				return f.Ptr
			}
		}
		panic("no config key " + key) // TestFlagsAndKeysMatch
	}
	for _, s := range settings {
		if s.def != "" {
			setValue(field(s.key()), s.def)
		}
	}
	path, err := configPath(c.String("config"), c.IsSet("server"))
	if err != nil {
		return nil, err
	}
	if path != "" {
		if err := decodeConfigFile(path, &o.fileConfig); err != nil {
			return nil, err
		}
	}
	// origin names where a value came from, for error messages.
	origin := func(s *setting) string {
		if c.IsSet(s.name) || path == "" {
			return "--" + s.name
		}
		return path + ": " + s.key()
	}
	for i := range settings {
		s := &settings[i]
		if !c.IsSet(s.name) && (s.alias == "" || !c.IsSet(s.alias)) {
			continue
		}
		ptr := field(s.key())
		if s.arg == "" {
			setBool(ptr, c.Bool(s.name))
			continue
		}
		if l, ok := ptr.(*[]string); ok {
			*l = nil // the flags replace the file's list
		}
		for _, v := range *c.Generic(s.name).(*rawValues) {
			if msg := setValue(ptr, v); msg != "" {
				return nil, fmt.Errorf("--%s %s: %s", s.name, v, msg)
			}
		}
	}
	o.Reconnect = o.fileConfig.Reconnect == nil || *o.fileConfig.Reconnect
	o.PageOutAfter = o.fileConfig.PageOutAfter.Duration

	if o.Server == "" {
		return nil, errors.New("--server is required (or a configuration file: --config FILE, or " + defaultConfigDir + "/sstpgo.toml)")
	}
	if o.Server, err = normalizeServer(o.Server); err != nil {
		return nil, err
	}
	if o.User == "" && o.ClientCert == "" {
		return nil, errors.New("--user is required (or --client-cert and --client-key for EAP-TLS)")
	}
	for i := range settings {
		s := &settings[i]
		if p, ok := field(s.key()).(*string); ok && s.input && *p != "" {
			if err := checkInputFile(origin(s), *p); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range o.Routes {
		p, err := netip.ParsePrefix(strings.TrimSpace(r))
		if err != nil {
			return nil, fmt.Errorf("--routes %s: want CIDR like 10.1.0.0/16", r)
		}
		o.routes = append(o.routes, p.Masked())
	}
	if o.MTU != 0 && (o.MTU < 576 || o.MTU > sstp.MaxIPPacket) {
		return nil, fmt.Errorf("--mtu %d out of range 576..%d", o.MTU, sstp.MaxIPPacket)
	}
	switch {
	case o.Password != "":
		o.password = o.Password
	case o.PasswordFile != "":
		pw, err := readPasswordFile(o.PasswordFile)
		if err != nil {
			return nil, err
		}
		o.password = pw
	case os.Getenv("SSTPGO_PASSWORD") != "":
		o.password = os.Getenv("SSTPGO_PASSWORD")
	case o.ClientCert != "":
		// EAP-TLS: the certificate authenticates (eaptls.go).
	default:
		return nil, errors.New("no password: use --password-file FILE, SSTPGO_PASSWORD or password in the config file")
	}
	return o, nil
}

func newLogger(level string, w io.Writer) (*logx.Logger, error) {
	l, err := logx.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level %s: want debug, info, warn or error", level)
	}
	return logx.New(w, l), nil
}

// sstpConfig turns options into the engine's configuration.
func (o *options) sstpConfig(log *logx.Logger) (sstp.Config, error) {
	cfg := sstp.Config{
		Server:                o.Server,
		SNI:                   o.SNI,
		InsecureSkipVerify:    o.InsecureSkipVerify,
		RequireForwardSecrecy: o.RequireForwardSecrecy,
		NegotiationTimeout:    o.ConnectTimeout.Duration,
		HelloInterval:         o.EchoInterval.Duration,
		HelloTimeout:          o.EchoTimeout.Duration,
		Logger:                log,
		PPP: ppp.Config{
			Username: o.User,
			Password: o.password,
			IPv6:     o.IPv6,
			Logger:   log,
		},
	}
	if o.MTU > 0 {
		cfg.PPP.MRU = uint16(o.MTU)
	}
	if len(o.Auth) > 0 {
		m, err := ppp.ParseAuthMethods(strings.Join(o.Auth, ","))
		if err != nil {
			return cfg, fmt.Errorf("--auth %s: %s", strings.Join(o.Auth, ","), strings.TrimPrefix(err.Error(), "ppp: "))
		}
		cfg.PPP.Auth = m
	}
	cfg.PPP.Auth = o.secureAuth(cfg.PPP.Auth, log) // authpolicy.go
	if o.CACert != "" {
		pem, err := os.ReadFile(o.CACert)
		if err != nil {
			return cfg, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return cfg, fmt.Errorf("%s: no PEM certificate found", o.CACert)
		}
		cfg.RootCAs = pool
	}
	if err := o.eapTLS(&cfg); err != nil { // eaptls.go
		return cfg, err
	}
	if o.PinSHA256 != "" {
		pin, err := sstp.ParsePin(o.PinSHA256)
		if err != nil {
			return cfg, fmt.Errorf("--pin-sha256 %s: %v", o.PinSHA256, err)
		}
		cfg.PinSHA256 = pin
	}
	if o.TLSKeylog != "" {
		f, err := os.OpenFile(o.TLSKeylog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return cfg, err
		}
		cfg.KeyLogWriter = f
	}
	proxy, err := o.proxy() // proxy.go
	if err != nil {
		if !strings.HasPrefix(err.Error(), "--") {
			err = fmt.Errorf("--proxy: %w", err)
		}
		return cfg, err
	}
	cfg.Proxy = proxy
	if err := o.checkIPv6(); err != nil { // ipv6.go
		return cfg, err
	}
	return cfg, nil
}

// exitCodeFor maps a connection error to the documented exit code.
func exitCodeFor(err error) int {
	switch {
	case err == nil:
		return exitOK
	case sstp.IsCertError(err): // before auth: an EAP server certificate failure is both
		return exitCert
	case sstp.IsAuthError(err):
		return exitAuth
	case errors.Is(err, context.Canceled):
		return exitOK
	case sstp.IsServerEnded(err): // Call Abort/Disconnect, LCP Terminate, TCP reset/EOF
		return exitUnreachable
	}
	return exitUnreachable
}

// describe formats a connection error with its hint, on one line. The step
// ("PPP authentication: ") already says where, so the package prefixes of
// the wrapped errors ("ppp: ") are dropped.
func describe(err error) string {
	s := err.Error()
	for _, p := range []string{": ppp: ", ": sstp: ", ": ifup: "} {
		s = strings.ReplaceAll(s, p, ": ")
	}
	var se *sstp.Error
	if errors.As(err, &se) && se.Hint != "" {
		return s + " (hint: " + se.Hint + ")"
	}
	return s
}
