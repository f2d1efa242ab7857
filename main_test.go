package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/internal/testpki"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigFileErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"unknown key", "server = \"a\"\n\nsevrer = \"b\"\n", ":3: unknown key \"sevrer\""},
		{"bad type", "server = \"a\"\nmtu = \"big\"\n", "c.toml:2: mtu: want an integer"},
		{"bad duration", "echo_interval = \"soon\"\n", "c.toml:1: echo_interval: bad duration"},
		{"table", "server = \"a\"\n[tls]\n", "c.toml:2: tables are not supported"},
		{"duplicate", "mtu = 1\nmtu = 2\n", "c.toml:2: duplicate key \"mtu\""},
		{"bad route", "routes = [\"10.0.0.0/33\"]\n", ":1: bad route"},
		{"syntax", "server = \n", "c.toml:1: missing value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "c.toml", tc.content, 0o644)
			_, err := loadConfigFile(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigFileHoldingPasswordMustBePrivate(t *testing.T) {
	p := writeFile(t, "c.toml", "server = \"a\"\npassword = \"x\"\n", 0o644)
	if _, err := loadConfigFile(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("error %v", err)
	}
	os.Chmod(p, 0o600)
	fc, err := loadConfigFile(p)
	if err != nil || fc.Password != "x" {
		t.Fatalf("%v %+v", err, fc)
	}
}

func TestPasswordFile(t *testing.T) {
	if _, err := readPasswordFile(writeFile(t, "pw", "secret\n", 0o640)); err == nil {
		t.Error("group-readable password file accepted")
	}
	pw, err := readPasswordFile(writeFile(t, "pw", "secret\r\nignored\n", 0o600))
	if err != nil || pw != "secret" {
		t.Errorf("%q %v", pw, err)
	}
}

// Flags override the file; the file fills what flags leave unset.
func TestFlagsOverrideFile(t *testing.T) {
	cfgFile := writeFile(t, "c.toml", "server = \"file.example\"\nuser = \"fileuser\"\nroutes = [\"10.1.0.0/16\"]\nmtu = 1300\n", 0o600)
	pw := writeFile(t, "pw", "pw\n", 0o600)
	var got *options
	app := newApp()
	app.Commands[0].Action = func(c *cli.Context) error {
		o, err := loadOptions(c)
		got = o
		return err
	}
	err := app.Run([]string{"sstpgo", "connect", "--config", cfgFile, "--server", "flag.example", "--password-file", pw})
	if err != nil {
		t.Fatal(err)
	}
	if got.Server != "flag.example" || got.User != "fileuser" || got.MTU != 1300 || len(got.routes) != 1 || got.password != "pw" || !got.Reconnect {
		t.Errorf("%+v", got)
	}
}

// diagnose names the step that fails, the reason and a hint, against a
// server broken at that step.
func TestDiagnoseNamesTheFailingStep(t *testing.T) {
	closedPort := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		a := l.Addr().String()
		l.Close()
		return a
	}
	for _, tc := range []struct {
		name   string
		opts   sstptest.Options
		adjust func(*sstp.Config)
		line   string
		code   int
	}{
		{"ok", sstptest.Options{}, nil, "all steps passed", exitOK},
		{"dns", sstptest.Options{}, func(c *sstp.Config) { c.Server = "no-such-host.invalid" }, "✗ DNS", exitUnreachable},
		{"tcp", sstptest.Options{}, func(c *sstp.Config) { c.Server = closedPort() }, "✗ TCP", exitUnreachable},
		{"tls", sstptest.Options{}, func(c *sstp.Config) { c.SNI = "vpn.example.com" }, "✗ TLS", exitCert},
		{"https", sstptest.Options{Fault: sstptest.FaultHTTP500}, nil, "✗ HTTPS", exitUnreachable},
		{"sstp", sstptest.Options{Fault: sstptest.FaultConnectNak}, nil, "✗ SSTP", exitUnreachable},
		{"auth", sstptest.Options{}, func(c *sstp.Config) { c.PPP.Password = "wrong" }, "✗ PPP authentication", exitAuth},
		{"ip", sstptest.Options{Pool: netip.MustParsePrefix("10.0.0.0/31")}, nil, "✗ IP configuration", exitUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sstptest.NewServer(tc.opts)
			defer srv.Close()
			cfg := sstp.Config{Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(),
				NegotiationTimeout: 10 * time.Second, PPP: ppp.Config{Username: "user", Password: "pass"}}
			if tc.adjust != nil {
				tc.adjust(&cfg)
			}
			var out bytes.Buffer
			code := diagnose(context.Background(), cfg, &out)
			t.Logf("\n%s", out.String())
			if !strings.Contains(out.String(), tc.line) || code != tc.code {
				t.Errorf("code %d (want %d), output lacks %q", code, tc.code, tc.line)
			}
			if tc.code != exitOK && !strings.Contains(out.String(), "hint:") && tc.name != "ip" {
				t.Errorf("no hint")
			}
		})
	}
}

// diagnose connects to a server that takes RSA key exchange only (RouterOS
// with pfs=no) and says that the session has no forward secrecy.
func TestDiagnoseNoForwardSecrecy(t *testing.T) {
	cert, err := testpki.RSAServer()
	if err != nil {
		t.Fatal(err)
	}
	srv := sstptest.NewServer(sstptest.Options{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert},
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}}})
	defer srv.Close()
	cfg := sstp.Config{Server: srv.Addr(), SNI: "localhost", RootCAs: srv.CertPool(),
		NegotiationTimeout: 10 * time.Second, PPP: ppp.Config{Username: "user", Password: "pass"}}
	var out bytes.Buffer
	code := diagnose(context.Background(), cfg, &out)
	t.Logf("\n%s", out.String())
	if code != exitOK || !strings.Contains(out.String(), "no forward secrecy") || !strings.Contains(out.String(), "TLS_RSA_WITH_AES_128_GCM_SHA256") {
		t.Errorf("code %d", code)
	}
}
