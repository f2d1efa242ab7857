package daemon

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// The status file carries the goroutine count, which scripts/soak.sh watches for leaks.
func TestStatusJSONHasGoroutines(t *testing.T) {
	d := New(&Options{}, sstp.Config{}, nil)
	var m map[string]any
	if err := json.Unmarshal(d.statusJSON(), &m); err != nil {
		t.Fatalf("%v: %s", err, d.statusJSON())
	}
	if n, ok := m["goroutines"].(float64); !ok || n < 1 {
		t.Errorf("goroutines = %v, want a positive number", m["goroutines"])
	}
}

// Once IPV6CP is up, the status carries the link-local addresses built from
// its interface identifiers; before, neither key is there.
func TestStatusJSONIPv6(t *testing.T) {
	tests := []struct {
		name                string
		hasIPv6             bool
		wantLocal, wantPeer any
	}{
		{name: "ipv4 only", wantLocal: nil, wantPeer: nil},
		{name: "ipv6 up", hasIPv6: true, wantLocal: "fe80::a0b:c0d:102:304", wantPeer: "fe80::200:0:0:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(&Options{}, sstp.Config{}, nil)
			d.hasUp = true
			d.lastUp.IPv4 = ppp.IPv4Config{Local: netip.MustParseAddr("10.0.0.2"), Peer: netip.MustParseAddr("10.0.0.1")}
			d.lastUp.HasIPv6 = tt.hasIPv6
			d.lastUp.IPv6 = ppp.IPv6Config{LocalID: [8]byte{0xa, 0xb, 0xc, 0xd, 1, 2, 3, 4}, PeerID: [8]byte{2, 0, 0, 0, 0, 0, 0, 1}}
			var m map[string]any
			if err := json.Unmarshal(d.statusJSON(), &m); err != nil {
				t.Fatalf("%v: %s", err, d.statusJSON())
			}
			if m["local6"] != tt.wantLocal || m["remote6"] != tt.wantPeer || m["local"] != "10.0.0.2" {
				t.Errorf("local6 %v remote6 %v local %v, want %v %v 10.0.0.2", m["local6"], m["remote6"], m["local"], tt.wantLocal, tt.wantPeer)
			}
		})
	}
}

func TestStatusJSONIsValid(t *testing.T) {
	d := New(&Options{Server: "vpn\"x\\y\n"}, sstp.Config{}, nil)
	d.status.LastError = "bad \x01 thing ü"
	d.hasUp = true
	d.lastUp.IPv4 = ppp.IPv4Config{Local: netip.MustParseAddr("10.0.0.2"), Peer: netip.MustParseAddr("10.0.0.1"),
		DNS: []netip.Addr{netip.MustParseAddr("10.0.0.53")}}
	d.lastUp.RemoteAddr = "[2001:db8::7]:443"
	var m map[string]any
	if err := json.Unmarshal(d.statusJSON(), &m); err != nil {
		t.Fatalf("%v: %s", err, d.statusJSON())
	}
	if m["server"] != "vpn\"x\\y\n" || m["server_addr"] != "2001:db8::7" || m["local"] != "10.0.0.2" || m["last_error"] != "bad \x01 thing ü" {
		t.Errorf("%v", m)
	}
}
