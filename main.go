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
   1  internal error
   2  usage or configuration error
   3  authentication rejected (wrong credentials, no allowed method): not retried
   4  server certificate rejected: not retried, no credentials were sent
   5  server unreachable or protocol error (only with --reconnect=false)`

// stopProfile flushes the CPU profile of a `-tags pprof` build (pprof.go).
var stopProfile = func() {}

func main() {
	app := newApp()
	err := app.Run(os.Args)
	stopProfile()
	if err != nil {
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			if msg := err.Error(); msg != "" {
				fmt.Fprintln(os.Stderr, "sstpgo:", msg)
			}
			os.Exit(ec.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "sstpgo:", err)
		os.Exit(exitUsage)
	}
}

func newApp() *cli.App {
	return &cli.App{
		Name:                  "sstpgo",
		Usage:                 "SSTP VPN client with its own PPP stack",
		Version:               version,
		HideVersion:           true,
		EnableBashCompletion:  false,
		CustomAppHelpTemplate: cli.AppHelpTemplate + "\n" + exitCodesHelp + "\n",
		Commands: []*cli.Command{
			{
				Name:        "connect",
				Usage:       "connect and keep the tunnel up until SIGINT/SIGTERM",
				Description: exitCodesHelp,
				Flags:       connectFlags(),
				Action:      runConnect,
			},
			{
				Name:   "diagnose",
				Usage:  "walk through each connection step and say exactly what fails",
				Flags:  connectFlags(),
				Action: runDiagnose,
			},
			{
				Name:  "version",
				Usage: "print version, commit, Go version and platform",
				Action: func(*cli.Context) error {
					fmt.Printf("sstpgo %s (commit %s) %s %s/%s\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
					return nil
				},
			},
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return cli.Exit(err.Error(), exitUsage)
		},
	}
}

func connectFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "TOML configuration `FILE` (flags override it)"},
		&cli.StringFlag{Name: "server", Usage: "SSTP server `HOST[:PORT]` (port 443 by default)"},
		&cli.StringFlag{Name: "user", Usage: "user `NAME` (user, DOMAIN\\user or user@HUB)"},
		&cli.StringFlag{Name: "password-file", Usage: "`FILE` holding the password (mode 0600); or set SSTPGO_PASSWORD"},
		&cli.StringFlag{Name: "ca-cert", Usage: "PEM `FILE` of the CA that signs the server certificate (default: system roots)"},
		&cli.StringFlag{Name: "sni", Usage: "TLS server `NAME` to send and verify (default: the host of --server)"},
		&cli.StringFlag{Name: "pin-sha256", Usage: "accept only the server certificate with this SHA-256 `HEX` fingerprint"},
		&cli.BoolFlag{Name: "insecure-skip-verify", Usage: "DANGEROUS: accept any server certificate"},
		&cli.BoolFlag{Name: "require-forward-secrecy", Usage: "refuse servers that only take RSA key exchange (default: use it, with a warning)"},
		&cli.StringFlag{Name: "tls-keylog", Usage: "write TLS secrets to `FILE` (NSS key log, for Wireshark)"},
		&cli.StringFlag{Name: "auth", Usage: "allowed authentication `METHODS`: pap,chap,mschapv2,eap (default: all)"},
		&cli.StringFlag{Name: "client-cert", Usage: "PEM `FILE` of a client certificate: authenticate with EAP-TLS, no password"},
		&cli.StringFlag{Name: "client-key", Usage: "PEM `FILE` of the client certificate's private key (mode 0600)"},
		&cli.StringFlag{Name: "eap-ca", Usage: "PEM `FILE` of the CA for the EAP-TLS server certificate (default: --ca-cert)"},
		&cli.StringFlag{Name: "eap-server-name", Usage: "`NAME` the EAP-TLS server certificate must carry (default: the chain to --eap-ca/--ca-cert, else the SSTP server name)"},
		&cli.StringFlag{Name: "ifname", Usage: "tunnel interface `NAME`", Value: "sstp0"},
		&cli.IntFlag{Name: "mtu", Usage: "tunnel MTU (default: the negotiated MRU)"},
		&cli.BoolFlag{Name: "ipv6", Usage: "negotiate IPv6 (IPV6CP) too"},
		&cli.StringFlag{Name: "log-level", Usage: "debug, info, warn or error", Value: "info"},
		&cli.GenericFlag{Name: "route", Usage: "route `CIDR` through the tunnel (repeatable)", Value: &stringList{}},
		&cli.BoolFlag{Name: "default-route", Usage: "send all traffic through the tunnel (the server stays on the uplink)"},
		&cli.IntFlag{Name: "metric", Usage: "metric of the routes installed"},
		&cli.BoolFlag{Name: "use-peer-dns", Usage: "write the server's DNS servers to --resolv-conf"},
		&cli.StringFlag{Name: "resolv-conf", Usage: "resolv.conf `PATH` for --use-peer-dns", Value: "/etc/resolv.conf"},
		&cli.StringFlag{Name: "up-script", Usage: "run `FILE` when the tunnel is up (pppd ip-up environment)"},
		&cli.StringFlag{Name: "down-script", Usage: "run `FILE` when the tunnel goes down"},
		&cli.StringFlag{Name: "status-file", Usage: "write JSON status to `FILE` on every state change"},
		&cli.StringFlag{Name: "proxy", Usage: "HTTP proxy `URL` (http://[user[:pass]@]host:port; default $HTTPS_PROXY unless $NO_PROXY names the server; none = direct)"},
		&cli.StringFlag{Name: "proxy-password-file", Usage: "`FILE` holding the proxy password (mode 0600); the user goes in the --proxy URL"},
		&cli.BoolFlag{Name: "reconnect", Usage: "reconnect with backoff after failures (not after auth/certificate rejection)", Value: true},
		&cli.DurationFlag{Name: "page-out-after", Usage: "once the tunnel has been up this long, drop the start-up code (TLS handshake, x509, CLI) from memory; it is read back from flash on the next reconnect (0: never)", Value: 10 * time.Minute},
		&cli.DurationFlag{Name: "echo-interval", Usage: "idle time before an SSTP echo request", Value: sstp.DefaultHelloInterval},
		&cli.DurationFlag{Name: "echo-timeout", Usage: "time to wait for any packet after an echo request before the path counts as dead", Value: sstp.DefaultHelloTimeout},
		&cli.DurationFlag{Name: "connect-timeout", Usage: "bound on one connection attempt, TCP to IP configured", Value: 30 * time.Second},
		&cli.BoolFlag{Name: "netifd", Usage: "OpenWrt netifd mode: leave addresses and routes to netifd, report through --up-script"},
	}
}

// options is the merged configuration: file first, then flags.
type options struct {
	fileConfig
	Reconnect bool
	// PageOutAfter: how long the tunnel must stay up before sstpgo drops its
	// start-up code from memory (memtrim.go); 0 never. Command line only.
	PageOutAfter time.Duration
	routes       []netip.Prefix
	password     string
}

func loadOptions(c *cli.Context) (*options, error) {
	o := &options{Reconnect: true}
	if p := c.String("config"); p != "" {
		fc, err := loadConfigFile(p)
		if err != nil {
			return nil, err
		}
		o.fileConfig = *fc
		if fc.Reconnect != nil {
			o.Reconnect = *fc.Reconnect
		}
	}
	str := func(name string, dst *string) {
		if c.IsSet(name) || *dst == "" {
			*dst = c.String(name)
		}
	}
	boolean := func(name string, dst *bool) {
		if c.IsSet(name) {
			*dst = c.Bool(name)
		}
	}
	dur := func(name string, dst *duration) {
		if c.IsSet(name) || dst.Duration == 0 {
			dst.Duration = c.Duration(name)
		}
	}
	str("server", &o.Server)
	str("user", &o.User)
	str("password-file", &o.PasswordFile)
	str("ca-cert", &o.CACert)
	str("sni", &o.SNI)
	str("pin-sha256", &o.PinSHA256)
	boolean("insecure-skip-verify", &o.InsecureSkipVerify)
	boolean("require-forward-secrecy", &o.RequireForwardSecrecy)
	str("tls-keylog", &o.TLSKeylog)
	str("client-cert", &o.ClientCert)
	str("client-key", &o.ClientKey)
	str("eap-ca", &o.EAPCA)
	str("eap-server-name", &o.EAPServerName)
	if c.IsSet("auth") {
		o.Auth = strings.Split(c.String("auth"), ",")
	}
	str("ifname", &o.Ifname)
	if c.IsSet("mtu") {
		o.MTU = c.Int("mtu")
	}
	boolean("ipv6", &o.IPv6)
	str("log-level", &o.LogLevel)
	if c.IsSet("route") {
		o.Routes = *c.Generic("route").(*stringList)
	}
	boolean("default-route", &o.DefaultRoute)
	if c.IsSet("metric") {
		o.Metric = c.Int("metric")
	}
	boolean("use-peer-dns", &o.UsePeerDNS)
	str("resolv-conf", &o.ResolvConf)
	str("up-script", &o.UpScript)
	str("down-script", &o.DownScript)
	str("status-file", &o.StatusFile)
	str("proxy", &o.Proxy)
	str("proxy-password-file", &o.ProxyPasswordFile)
	boolean("reconnect", &o.Reconnect)
	dur("echo-interval", &o.EchoInterval)
	dur("echo-timeout", &o.EchoTimeout)
	dur("connect-timeout", &o.ConnectTimeout)
	boolean("netifd", &o.Netifd)
	o.PageOutAfter = c.Duration("page-out-after")

	if o.Server == "" {
		return nil, errors.New("--server is required")
	}
	if o.User == "" && o.ClientCert == "" {
		return nil, errors.New("--user is required")
	}
	for _, r := range o.Routes {
		p, err := netip.ParsePrefix(strings.TrimSpace(r))
		if err != nil {
			return nil, fmt.Errorf("bad route %q: want CIDR like 10.1.0.0/16", r)
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
		return nil, fmt.Errorf("bad --log-level %q: want debug, info, warn or error", level)
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
			return cfg, err
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
			return cfg, err
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
	}
	return exitUnreachable
}

// describe formats a connection error with its hint, on one line.
func describe(err error) string {
	var se *sstp.Error
	if errors.As(err, &se) && se.Hint != "" {
		return err.Error() + " (hint: " + se.Hint + ")"
	}
	return err.Error()
}
