package daemon

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/sstpgo/sstpgo/sstp"
)

// A reconnect that brings other DNS servers writes resolv.conf again; the
// same servers leave it alone; teardown puts the original back.
func TestPeerDNSWrittenAgainWhenItChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	const original = "nameserver 192.0.2.53\n"
	os.WriteFile(path, []byte(original), 0o644)
	d := New(&Options{UsePeerDNS: true, ResolvConf: path}, sstp.Config{}, nil)
	read := func() string { b, _ := os.ReadFile(path); return string(b) }
	a := netip.MustParseAddr
	d.writeDNS([]netip.Addr{a("10.0.0.53")})
	first := read()
	d.writeDNS([]netip.Addr{a("10.0.0.53")})
	if read() != first {
		t.Errorf("same servers rewrote the file")
	}
	d.writeDNS([]netip.Addr{a("10.0.0.99"), a("10.0.0.53")})
	if got, want := read(), "nameserver 10.0.0.99\nnameserver 10.0.0.53\n"; len(got) < len(want) || got[len(got)-len(want):] != want {
		t.Errorf("after the DNS change resolv.conf is\n%s", got)
	}
	d.teardown()
	if got := read(); got != original {
		t.Errorf("after teardown resolv.conf is\n%s", got)
	}
}
