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

// While resolv.conf lists the peer's DNS servers, the daemon's own look-ups
// ask the original file's servers instead (the peer's are only reachable
// through the tunnel, which is down when a reconnect resolves the server).
func TestOwnLookupsAskTheOriginalServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	os.WriteFile(path, []byte("# home\nnameserver 192.0.2.1\nsearch lan\nnameserver 2001:db8::53\n"), 0o644)
	d := New(&Options{UsePeerDNS: true, ResolvConf: path}, sstp.Config{}, nil)
	a := netip.MustParseAddr
	if got := d.originalNameserver(a("10.0.0.53")); got.IsValid() {
		t.Errorf("before any write: %v", got)
	}
	d.writeDNS([]netip.Addr{a("10.0.0.53"), a("10.0.0.54"), a("10.0.0.55")})
	defer d.teardown()
	for _, tt := range []struct{ ns, want string }{
		{"10.0.0.53", "192.0.2.1"}, {"10.0.0.54", "2001:db8::53"}, {"10.0.0.55", "192.0.2.1"}, {"192.0.2.1", "invalid IP"},
	} {
		if got := d.originalNameserver(a(tt.ns)).String(); got != tt.want {
			t.Errorf("originalNameserver(%s) = %s, want %s", tt.ns, got, tt.want)
		}
	}
}
