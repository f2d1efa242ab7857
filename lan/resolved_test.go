package lan

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Split DNS with systemd-resolved: the tunnel device gets the servers and
// domains, and is not the default DNS route (only the domains go there).
func TestSetLinkDNS(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	fake := filepath.Join(dir, "resolvectl")
	os.WriteFile(fake, []byte("#!/bin/sh\necho \"$*\" >> "+log+"\n[ \"$1\" = default-route ] && { echo 'Unknown command' >&2; exit 1; }\nexit 0\n"), 0o755)
	os.MkdirAll(filepath.Join(dir, "resolve"), 0o755)
	os.WriteFile(filepath.Join(dir, "resolve", "io.systemd.Resolve"), nil, 0o644)
	oldPaths, oldDir := resolvectlPaths, resolvedDir
	resolvectlPaths, resolvedDir = []string{filepath.Join(dir, "none"), fake}, filepath.Join(dir, "resolve")
	defer func() { resolvectlPaths, resolvedDir = oldPaths, oldDir }()
	if !Resolved() {
		t.Fatal("Resolved() = false")
	}
	err := SetLinkDNS(context.Background(), "sstp0", []netip.Addr{netip.MustParseAddr("172.16.50.2")}, []string{"corp.example", "lab.corp.example"})
	if err != nil {
		t.Fatal(err) // an old systemd without default-route is not an error
	}
	b, _ := os.ReadFile(log)
	want := "dns sstp0 172.16.50.2\ndomain sstp0 corp.example lab.corp.example\ndefault-route sstp0 false\n"
	if string(b) != want {
		t.Errorf("calls:\n%s\nwant:\n%s", b, want)
	}
	os.WriteFile(fake, []byte("#!/bin/sh\necho 'Failed to set DNS configuration: Link sstp0 not known' >&2\nexit 1\n"), 0o755)
	err = SetLinkDNS(context.Background(), "sstp0", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "Link sstp0 not known") {
		t.Errorf("err %v, want resolvectl's message", err)
	}
	resolvedDir = filepath.Join(dir, "none")
	if Resolved() {
		t.Error("Resolved() without systemd-resolved running")
	}
}
