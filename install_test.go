package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// make install DESTDIR=dir puts the binary, the systemd unit and the
// configuration directory in place with the right modes, and the unit
// passes systemd-analyze verify where systemd is installed.
func TestMakeInstall(t *testing.T) {
	dest := t.TempDir()
	fakeBin := writeFile(t, "sstpgo", "#!/bin/sh\n", 0o755)
	cmd := exec.Command("make", "-s", "install", "DESTDIR="+dest, "PREFIX=/usr")
	if _, err := exec.LookPath("make"); err != nil {
		t.Log("make not installed: running scripts/install.sh as make would")
		cmd = exec.Command("sh", "scripts/install.sh")
		cmd.Env = append(cmd.Env, "DESTDIR="+dest, "PREFIX=/usr")
	}
	cmd.Env = append(os.Environ(), append(cmd.Env, "SSTPGO_BIN="+fakeBin)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for path, mode := range map[string]os.FileMode{
		"usr/sbin/sstpgo":                        0o755,
		"usr/lib/systemd/system/sstpgo@.service": 0o644,
		"etc/sstpgo":                             0o700 | os.ModeDir,
		"etc/sstpgo/sstpgo.toml.example":         0o600,
	} {
		st, err := os.Stat(filepath.Join(dest, path))
		if err != nil {
			t.Error(err)
			continue
		}
		if got := st.Mode() & (os.ModePerm | os.ModeDir); got != mode {
			t.Errorf("%s: mode %v, want %v", path, got, mode)
		}
	}
	unitPath := filepath.Join(dest, "usr/lib/systemd/system/sstpgo@.service")
	unit, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ExecStart=/usr/sbin/sstpgo connect --config /etc/sstpgo/%i.toml",
		"Type=notify", "Restart=on-failure", "RestartPreventExitStatus=2 3 4",
		"CapabilityBoundingSet=CAP_NET_ADMIN", "AmbientCapabilities=CAP_NET_ADMIN", "NoNewPrivileges=yes",
		"ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "DeviceAllow=/dev/net/tun rw",
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
	} {
		if !strings.Contains(string(unit), want+"\n") {
			t.Errorf("unit lacks %q", want)
		}
	}
	if others, _ := filepath.Glob(filepath.Join(dest, "etc/sstpgo/*.toml")); len(others) > 0 {
		t.Errorf("install wrote a live config: %v", others)
	}

	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (apt-get install systemd): unit file not verified")
	}
	// verify wants an instance name and an ExecStart binary that exists.
	inst := filepath.Join(t.TempDir(), "sstpgo@test.service")
	os.WriteFile(inst, []byte(strings.ReplaceAll(string(unit), "/usr/sbin/sstpgo", filepath.Join(dest, "usr/sbin/sstpgo"))), 0o644)
	out, err := exec.Command(sa, "verify", inst).CombinedOutput()
	t.Logf("systemd-analyze verify: %v %s", err, out)
	// It exits 0 on unknown keys and only warns: any output is a finding.
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", inst, err, out)
	}
}
