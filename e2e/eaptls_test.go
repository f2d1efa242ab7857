//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/internal/testpki"
)

// writeClientPKI makes a test CA and a client certificate it signed for cn,
// as PEM files in dir: <name>-ca.pem, <name>.pem, <name>.key (0600).
func writeClientPKI(t *testing.T, dir, name, cn string) (caFile, certFile, keyFile string) {
	t.Helper()
	caPEM, certPEM, keyPEM, err := testpki.Client(name+" test CA", cn)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(dir, name+"-ca.pem")
	certFile = filepath.Join(dir, name+".pem")
	keyFile = filepath.Join(dir, name+".key")
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{caFile, caPEM, 0o644}, {certFile, certPEM, 0o644}, {keyFile, keyPEM, 0o600}} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return caFile, certFile, keyFile
}

// certClientArgs are the router's sstpgo arguments with a client certificate
// instead of a user and password.
func (tp *topo) certClientArgs(cert, key string, extra ...string) []string {
	return append([]string{bin(tp.t, "sstpgo"), "connect",
		"--server", serverWAN, "--sni", sniName, "--ca-cert", filepath.Join(tp.dir, "ca.pem"),
		"--client-cert", cert, "--client-key", key, "--ifname", "sstp0",
		"--route", corpNet, "--log-level", "debug", "--reconnect=false"}, extra...)
}

// A router with only a client certificate (no user, no password) connects to
// the RRAS lookalike with EAP-TLS, whose crypto binding the server verifies
// (it drops data until a verified CALL_CONNECTED), and the LAN reaches the
// corporate host.
func TestEAPTLSClientCertificate(t *testing.T) {
	tp := newTopo(t)
	caFile, cert, key := writeClientPKI(t, tp.dir, "corp", "router1.corp")
	srv := tp.startServer("--eap-tls-ca", caFile)
	env := []string{"SSTPGO_PASSWORD="}
	cli := tp.rtr.start("sstpgo", env, tp.certClientArgs(cert, key)...)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatalf("tunnel did not come up:\n%s\nserver:\n%s", cli.Output(), srv.Output())
	}
	eventually(t, 10*time.Second, "LAN reaches the corporate host", tp.pingCorp)
	if !strings.Contains(cli.Output(), "EAP-TLS handshake done") {
		t.Errorf("client log does not name EAP-TLS:\n%s", cli.Output())
	}
	if !strings.Contains(srv.Output(), "auth ok") || !strings.Contains(srv.Output(), "router1.corp") {
		t.Errorf("server did not authenticate router1.corp:\n%s", srv.Output())
	}
	cli.signal(syscall.SIGTERM)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	if err := tp.routerClean(); err != nil {
		t.Error(err)
	}
}

// Certificates the other side does not trust end after one attempt, and the
// tunnel never comes up: a refused client certificate with the
// authentication exit code, an untrusted EAP server with the certificate one.
func TestEAPTLSRejectedCertificates(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		code       int
		setup      func(tp *topo, corpCA, otherCA, otherCert, otherKey, cert, key string) []string
	}{
		{"client cert from another CA", "refused the TLS handshake", 3,
			func(tp *topo, _, _, otherCert, otherKey, _, _ string) []string {
				return tp.certClientArgs(otherCert, otherKey)
			}},
		{"EAP server cert not trusted", "EAP server certificate", 4,
			func(tp *topo, _, otherCA, _, _, cert, key string) []string {
				return tp.certClientArgs(cert, key, "--eap-ca", otherCA)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTopo(t)
			corpCA, cert, key := writeClientPKI(t, tp.dir, "corp", "router1.corp")
			otherCA, otherCert, otherKey := writeClientPKI(t, tp.dir, "other", "mallory")
			srv := tp.startServer("--eap-tls-ca", corpCA)
			cli := tp.rtr.start("sstpgo", []string{"SSTPGO_PASSWORD="}, tc.setup(tp, corpCA, otherCA, otherCert, otherKey, cert, key)...)
			if code := cli.wait(30 * time.Second); code != tc.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tc.code, cli.Output())
			}
			if !strings.Contains(cli.Output(), tc.want) {
				t.Errorf("client output does not say %q:\n%s", tc.want, cli.Output())
			}
			if strings.Contains(srv.Output(), "auth ok") {
				t.Errorf("server authenticated:\n%s", srv.Output())
			}
			if err := tp.routerClean(); err != nil {
				t.Error(err)
			}
		})
	}
}
