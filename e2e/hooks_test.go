//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hook scripts get the pppd ip-up environment without the password (and the
// device's MTU, --mtu when lower than the server's, in both), the
// server's DNS servers reach resolv.conf and are taken back on exit, SIGUSR1
// logs the status, and the password shows up nowhere.
func TestHooksPeerDNSAndNoPasswordLeak(t *testing.T) {
	tp := newTopo(t)
	tp.startServer()
	dir := tp.dir
	hook := func(name string) string {
		p := filepath.Join(dir, name+".sh")
		os.WriteFile(p, []byte("#!/bin/sh\nenv > "+filepath.Join(dir, name+".env")+"\nexit 3\n"), 0o755)
		return p
	}
	resolv := filepath.Join(dir, "resolv.conf")
	const original = "# original\nnameserver 192.0.2.53\n"
	os.WriteFile(resolv, []byte(original), 0o644)
	status := filepath.Join(dir, "status.json")

	args := []string{bin(t, "sstpgo"), "connect",
		"--server", serverWAN, "--sni", sniName, "--ca-cert", filepath.Join(dir, "ca.pem"),
		"--user", testUser, "--ifname", "sstp0", "--route", corpNet, "--log-level", "debug",
		"--up-script", hook("up"), "--down-script", hook("down"),
		"--use-peer-dns", "--resolv-conf", resolv, "--status-file", status, "--mtu", "1300"}
	cli := tp.rtr.start("sstpgo", []string{"SSTPGO_PASSWORD=" + testPass}, args...)
	if !cli.waitOutput("tunnel up", 20*time.Second) {
		t.Fatal("tunnel did not come up")
	}
	eventually(t, 10*time.Second, "up script ran", func() error {
		_, err := os.Stat(filepath.Join(dir, "up.env"))
		return err
	})
	env, _ := os.ReadFile(filepath.Join(dir, "up.env"))
	for _, want := range []string{"IFNAME=sstp0", "IPLOCAL=10.0.0.", "IPREMOTE=" + tunnelSrv, "DNS1=10.0.0.53",
		"MTU=1300", "SERVER=" + serverWAN, "ROUTES=" + corpNet} {
		if !strings.Contains(string(env), want) {
			t.Errorf("up script environment lacks %q:\n%s", want, env)
		}
	}
	if r, _ := os.ReadFile(resolv); !strings.Contains(string(r), "nameserver 10.0.0.53") {
		t.Errorf("resolv.conf not updated:\n%s", r)
	}
	cli.signal(syscall.SIGUSR1)
	if !cli.waitOutput("msg=status state=up", 5*time.Second) {
		t.Error("SIGUSR1 did not log the status")
	}
	if !cli.waitOutput("hook script failed", 5*time.Second) {
		t.Error("the up script's failure was not logged")
	}
	cli.signal(syscall.SIGTERM)
	if code := cli.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if r, _ := os.ReadFile(resolv); string(r) != original {
		t.Errorf("resolv.conf not restored:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "down.env")); err != nil {
		t.Error("down script did not run")
	}
	down, _ := os.ReadFile(filepath.Join(dir, "down.env"))
	if !strings.Contains(string(down), "MTU=1300") { // the device's, not the server's 1400
		t.Errorf("down script environment lacks MTU=1300:\n%s", down)
	}
	st, _ := os.ReadFile(status)
	for what, s := range map[string]string{"up script env": string(env), "down script env": string(down),
		"logs": cli.Output(), "status file": string(st)} {
		if strings.Contains(s, testPass) {
			t.Errorf("the password appears in the %s", what)
		}
	}
}
