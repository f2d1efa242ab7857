package ppp

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"
)

// Config.IPv4Hint is asked for in the first IPCP Configure-Request (RFC 1332
// section 3.3): a server that agrees Acks it at once, one that does not Naks
// with its own choice, which the client then takes.
func TestClientIPv4Hint(t *testing.T) {
	tests := []struct {
		name      string
		hint      netip.Addr
		wantFirst [4]byte // address in the first Configure-Request
		wantReqs  int
		wantNaks  int
	}{
		{name: "none", wantFirst: [4]byte{}, wantReqs: 2, wantNaks: 1},
		{name: "accepted", hint: netip.MustParseAddr("10.0.0.2"), wantFirst: [4]byte{10, 0, 0, 2}, wantReqs: 1},
		{name: "nak'ed", hint: netip.MustParseAddr("10.0.0.9"), wantFirst: [4]byte{10, 0, 0, 9}, wantReqs: 2, wantNaks: 1},
		{name: "ipv6 ignored", hint: netip.MustParseAddr("fe80::1"), wantFirst: [4]byte{}, wantReqs: 2, wantNaks: 1},
		{name: "unspecified", hint: netip.IPv4Unspecified(), wantFirst: [4]byte{}, wantReqs: 2, wantNaks: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{NoDNS: true, IPv4Hint: tt.hint})
			s.start()
			e, ok := findEvent(s.events, EventIPv4Up)
			if !ok {
				t.Fatalf("no EventIPv4Up: %v", kinds(s.events))
			}
			if want := netip.AddrFrom4(s.addr); e.IPv4.Local != want {
				t.Errorf("local %v, want the server's %v", e.IPv4.Local, want)
			}
			reqs := s.sent(ProtoIPCP, CodeConfigureRequest)
			if len(reqs) != tt.wantReqs {
				t.Errorf("%d IPCP requests, want %d", len(reqs), tt.wantReqs)
			}
			first := append([]byte{ipcpOptAddress, 6}, tt.wantFirst[:]...)
			if len(reqs) == 0 || string(reqs[0].Data) != string(first) {
				t.Errorf("first request %v, want % x", reqs, first)
			}
			if n := s.ipcpNaks; n != tt.wantNaks {
				t.Errorf("server sent %d IPCP Naks, want %d", n, tt.wantNaks)
			}
		})
	}
}

// A server that rejects IP-Address leaves no address, hint or not.
func TestClientIPv4HintRejected(t *testing.T) {
	s := newFakeServer(t, Config{NoDNS: true, IPv4Hint: netip.MustParseAddr("10.0.0.2")})
	s.rejectAddr = true
	s.start()
	s.runTimers(time.Minute)
	if err := downErr(t, s); !errors.Is(err, ErrNoAddress) {
		t.Errorf("err %v, want ErrNoAddress", err)
	}
}

// Config.DNSHint with IPv4Hint: a reconnect whose server still agrees opens
// IPCP with one request and no Nak; with one DNS server hinted, Secondary-DNS
// is not asked for again (so SoftEther's Configure-Reject is not needed); a
// stale DNS hint is Nak'ed and the server's servers are taken.
func TestClientDNSHint(t *testing.T) {
	dns := func(s ...string) []netip.Addr {
		var a []netip.Addr
		for _, x := range s {
			a = append(a, netip.MustParseAddr(x))
		}
		return a
	}
	tests := []struct {
		name       string
		hint       []netip.Addr
		rejectDNS2 bool
		wantFirst  string // options of the first request, hex
		wantReqs   int
		wantDNS    []netip.Addr
	}{
		{name: "both agreed", hint: dns("10.0.0.53", "10.0.0.54"),
			wantFirst: "03060a000002" + "81060a000035" + "83060a000036", wantReqs: 1, wantDNS: dns("10.0.0.53", "10.0.0.54")},
		{name: "one, secondary rejected before", hint: dns("10.0.0.53"), rejectDNS2: true,
			wantFirst: "03060a000002" + "81060a000035", wantReqs: 1, wantDNS: dns("10.0.0.53")},
		{name: "stale", hint: dns("192.0.2.53", "192.0.2.54"),
			wantFirst: "03060a000002" + "8106c0000235" + "8306c0000236", wantReqs: 2, wantDNS: dns("10.0.0.53", "10.0.0.54")},
		{name: "unspecified ignored", hint: dns("0.0.0.0"),
			wantFirst: "03060a000002" + "810600000000" + "830600000000", wantReqs: 2, wantDNS: dns("10.0.0.53", "10.0.0.54")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, Config{IPv4Hint: netip.MustParseAddr("10.0.0.2"), DNSHint: tt.hint})
			s.rejectDNS2 = tt.rejectDNS2
			s.start()
			e, ok := findEvent(s.events, EventIPv4Up)
			if !ok {
				t.Fatalf("no EventIPv4Up: %v", kinds(s.events))
			}
			if !slices.Equal(e.IPv4.DNS, tt.wantDNS) {
				t.Errorf("DNS %v, want %v", e.IPv4.DNS, tt.wantDNS)
			}
			reqs := s.sent(ProtoIPCP, CodeConfigureRequest)
			if len(reqs) != tt.wantReqs {
				t.Errorf("%d IPCP requests, want %d", len(reqs), tt.wantReqs)
			}
			if len(reqs) == 0 || hex.EncodeToString(reqs[0].Data) != tt.wantFirst {
				t.Errorf("first request %v, want %s", reqs, tt.wantFirst)
			}
		})
	}
}
