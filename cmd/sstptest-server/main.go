// Command sstptest-server runs the sstptest SSTP server for humans and end-to-end scripts:
//
//	sstptest-server --listen 0.0.0.0:443 --personality rras --user user:pass \
//	    --cert-out /tmp/sstp --hostname vpn.example --tun sstps0
//
// With --tun it creates a TUN device holding --server-ip inside --pool and routes IP between
// the kernel and the sessions by destination address, so hosts behind this machine are
// reachable through the tunnel. Without it the server answers pings to --server-ip itself.
// SIGINT or SIGTERM closes every session and exits.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type flags struct {
	listen, personality, certOut, serverIP, pool, fault, tun, auth, logLevel string
	eapTLSCA                                                                 string
	users, hostnames, dns                                                    listFlag
	pool6                                                                    string    // ipv6.go
	dhcp                                                                     dhcpFlags // dhcp.go
	ipv6, noVerify                                                           bool
	echo, lcpEcho, idle, connectedTimeout                                    time.Duration
	authDelay                                                                time.Duration // timing quirks
	abortEarlyEcho                                                           bool
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sstptest-server:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("sstptest-server", flag.ContinueOnError)
	fs.StringVar(&f.listen, "listen", "0.0.0.0:443", "TCP address to listen on")
	fs.StringVar(&f.personality, "personality", "rras", "rras, softether or generic")
	fs.Var(&f.users, "user", "NAME:PASSWORD (repeatable; default user:pass)")
	fs.StringVar(&f.certOut, "cert-out", "", "directory to write ca.pem (the generated certificate) into")
	fs.Var(&f.hostnames, "hostname", "extra DNS name or IP for the generated certificate (repeatable)")
	fs.StringVar(&f.serverIP, "server-ip", "10.0.0.1", "the server's tunnel address")
	fs.StringVar(&f.pool, "pool", "10.0.0.0/24", "client address pool")
	fs.Var(&f.dns, "dns", "DNS server given to clients (repeatable; default 10.0.0.53, 10.0.0.54)")
	fs.BoolVar(&f.ipv6, "ipv6", false, "accept IPV6CP")
	fs.StringVar(&f.pool6, "pool6", "", "with --tun --ipv6: IPv6 prefix (/32 to /64) cut into one /64 per session, announced in router advertisements")
	fs.DurationVar(&f.echo, "echo-interval", 0, "SSTP echo period (0 = personality default, negative = off)")
	fs.DurationVar(&f.lcpEcho, "lcp-echo-interval", 0, "LCP echo period once up (0 = personality default, negative = off)")
	fs.DurationVar(&f.idle, "idle-timeout", 0, "CALL_ABORT after this long without a packet (0 = personality default, negative = off)")
	fs.DurationVar(&f.connectedTimeout, "connected-timeout", 0, "CALL_CONNECTED deadline after auth (0 = 60s)")
	fs.BoolVar(&f.noVerify, "no-verify-binding", false, "record but do not enforce the crypto binding")
	fs.DurationVar(&f.authDelay, "auth-delay", 0, "hold the answer to the first authentication packet this long (NPS waiting for an MFA push)")
	fs.BoolVar(&f.abortEarlyEcho, "abort-early-echo", false, "answer an SSTP echo request before CALL_CONNECTED with CALL_ABORT (accel-ppp)")
	fs.StringVar(&f.eapTLSCA, "eap-tls-ca", "", "PEM file of the CA for client certificates: EAP offers EAP-TLS first (the HTTPS certificate is the EAP server's)")
	fs.StringVar(&f.auth, "auth", "", "methods offered in order, e.g. pap,mschapv2 (default: personality's)")
	fs.StringVar(&f.fault, "fault", "none", "fault to inject: "+faultNames())
	fs.StringVar(&f.tun, "tun", "", "create this TUN device and route IP between it and the sessions")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	f.dhcp.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f, nil
}

func faultNames() string {
	var names []string
	for _, f := range sstptest.Faults() {
		names = append(names, f.String())
	}
	return strings.Join(names, ", ")
}

// options turns the flags into sstptest.Options.
func (f *flags) options(log *slog.Logger) (sstptest.Options, error) {
	o := sstptest.Options{Hostnames: f.hostnames, IPv6: f.ipv6, EchoInterval: f.echo,
		LCPEchoInterval: f.lcpEcho, IdleTimeout: f.idle, ConnectedTimeout: f.connectedTimeout, Logger: log,
		AuthDelay: f.authDelay, AbortEarlyEcho: f.abortEarlyEcho}
	var err error
	if o.Personality, err = sstptest.ParsePersonality(f.personality); err != nil {
		return o, err
	}
	if o.Fault, err = sstptest.ParseFault(f.fault); err != nil {
		return o, err
	}
	if o.ServerIP, err = netip.ParseAddr(f.serverIP); err != nil {
		return o, fmt.Errorf("--server-ip: %w", err)
	}
	if o.Pool, err = netip.ParsePrefix(f.pool); err != nil {
		return o, fmt.Errorf("--pool: %w", err)
	}
	for _, d := range f.dns {
		a, err := netip.ParseAddr(d)
		if err != nil {
			return o, fmt.Errorf("--dns: %w", err)
		}
		o.DNS = append(o.DNS, a)
	}
	if f.auth != "" {
		if o.Auth, err = ppp.ParseAuthMethods(f.auth); err != nil {
			return o, fmt.Errorf("--auth: %w", err)
		}
	}
	if f.noVerify {
		no := false
		o.VerifyBinding = &no
	}
	if f.eapTLSCA != "" {
		if o.EAPTLS, err = eapTLSConfig(f.eapTLSCA); err != nil {
			return o, err
		}
	}
	if o.DHCP, err = f.dhcp.responder(); err != nil {
		return o, err
	}
	o.Users, err = parseUsers(f.users)
	return o, err
}

// eapTLSConfig makes the EAP-TLS server configuration: client certificates must chain to
// the CA in caFile (RFC 5216 2.1.1: the server requests the peer's certificate).
func eapTLSConfig(caFile string) (*tls.Config, error) {
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--eap-tls-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("--eap-tls-ca %s: no PEM certificate", caFile)
	}
	return &tls.Config{ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}, nil
}

func parseUsers(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	users := make(map[string]string, len(list))
	for _, u := range list {
		name, pass, ok := strings.Cut(u, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("--user %q: want NAME:PASSWORD", u)
		}
		users[name] = pass
	}
	return users, nil
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

func run(args []string) error {
	f, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := newLogger(f.logLevel)
	if err != nil {
		return err
	}
	opts, err := f.options(log)
	if err != nil {
		return err
	}
	return serve(f, opts, log)
}

// serve runs the server (and the TUN bridge) until SIGINT or SIGTERM.
func serve(f *flags, opts sstptest.Options, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var tun *tunnel
	var err error
	if f.tun != "" {
		if tun, err = openTunnel(f.tun, opts.ServerIP, opts.Pool, log); err != nil {
			return err
		}
		defer tun.Close()
		opts.HandleIP = tun.fromClient
		if f.pool6 != "" {
			if err := tun.enableIPv6(f.pool6); err != nil {
				return err
			}
		}
	}
	if f.certOut != "" {
		// Keep the certificate across restarts, as a real server does, so
		// clients that trust ca.pem reconnect to a restarted server.
		cert, err := loadOrCreateCert(f.certOut, f.hostnames)
		if err != nil {
			return err
		}
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	srv := sstptest.NewUnstartedServer(opts)
	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	srv.StartListener(l)
	defer srv.Close()
	if tun != nil {
		go tun.toClients(srv)
		if tun.v6 != nil {
			go tun.v6.advertise(ctx, srv)
		}
	}
	log.Info("listening", "addr", srv.Addr(), "personality", opts.Personality.String(), "fault", opts.Fault.String())
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}

// loadOrCreateCert loads dir/ca.pem and dir/key.pem, or creates them.
func loadOrCreateCert(dir string, names []string) (tls.Certificate, error) {
	certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "key.pem")
	if c, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return c, nil
	}
	c, err := sstptest.SelfSignedCertificate(names...)
	if err != nil {
		return c, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return c, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return c, err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return c, err
	}
	return c, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o644)
}
