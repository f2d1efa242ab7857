package dhcp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// unhex decodes golden bytes written two hex digits per token; on each line
// the first other token starts a comment.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, line := range strings.Split(s, "\n") {
		for _, tok := range strings.Fields(line) {
			b, err := hex.DecodeString(tok)
			if err != nil || len(tok) != 2 {
				break
			}
			out = append(out, b...)
		}
	}
	return out
}

// RFC 3442 section 3, the table of destination descriptors, each with a
// router 10.0.0.1.
func TestClasslessRoutesRFC3442(t *testing.T) {
	cases := []struct {
		desc string // "width.octets" as in the RFC's table
		hex  string
		dst  string
	}{
		{"0", "00", "0.0.0.0/0"},
		{"8.10", "08 0a", "10.0.0.0/8"},
		{"24.10.0.0", "18 0a 00 00", "10.0.0.0/24"},
		{"16.10.17", "10 0a 11", "10.17.0.0/16"},
		{"24.10.27.129", "18 0a 1b 81", "10.27.129.0/24"},
		{"25.10.229.0.128", "19 0a e5 00 80", "10.229.0.128/25"},
		{"32.10.198.122.47", "20 0a c6 7a 2f", "10.198.122.47/32"},
	}
	var all []byte
	var want []Route
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			v := unhex(t, c.hex+" 0a 00 00 01")
			got, err := ParseClasslessRoutes(v)
			if err != nil {
				t.Fatal(err)
			}
			r := Route{netip.MustParsePrefix(c.dst), netip.MustParseAddr("10.0.0.1")}
			if len(got) != 1 || got[0] != r {
				t.Fatalf("got %v, want %v", got, r)
			}
			if enc := AppendClasslessRoutes(nil, got); !bytes.Equal(enc, v) {
				t.Errorf("encoded % x, want % x", enc, v)
			}
			all = append(all, v...)
			want = append(want, r)
		})
	}
	got, err := ParseClasslessRoutes(all)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("all routes in one option: %v, %v", got, err)
	}
	for _, bad := range []string{"21 0a000000 0a000001", "18 0a00 0a000001", "08 0a 0a0000", "10"} {
		if _, err := ParseClasslessRoutes(unhex(t, bad)); !errors.Is(err, ErrRoute) {
			t.Errorf("%s: err %v, want ErrRoute", bad, err)
		}
	}
}

// RFC 3397 section 3: "eng.apple.com." and "marketing.apple.com." in three
// instances of option 119, the second name compressed with a pointer to
// offset 4 ("apple.com").
func TestDomainSearchRFC3397(t *testing.T) {
	opts := unhex(t, `
		77 09 03 65 6e 67 05 61 70 70 6c
		77 09 65 03 63 6f 6d 00 09 6d 61
		77 09 72 6b 65 74 69 6e 67 c0 04
		ff`)
	var o options
	if err := o.parse(opts); err != nil {
		t.Fatal(err)
	}
	got, err := ParseDomainSearch(o[OptDomainSearch])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"eng.apple.com", "marketing.apple.com"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	back, err := ParseDomainSearch(AppendDomainSearch(nil, got))
	if err != nil || !slices.Equal(back, got) {
		t.Errorf("round trip: %q, %v", back, err)
	}
	for name, bad := range map[string]string{
		"self loop":      "03 61 62 63 c0 00",
		"forward":        "c0 05 00 00 00 00 00",
		"cut":            "05 61 62",
		"cut pointer":    "c0",
		"label type 01":  "40 00",
		"pointer chains": "01 61 c0 00",
	} {
		if _, err := ParseDomainSearch(unhex(t, bad)); !errors.Is(err, ErrName) {
			t.Errorf("%s: err %v, want ErrName", name, err)
		}
	}
}

// A DHCPACK as a SoftEther SecureNAT or Windows DHCP server behind RRAS
// sends it, field per line (RFC 2131 section 2, figure 1).
func TestParseAckGolden(t *testing.T) {
	m := unhex(t, `
		02 01 06 00            op=BOOTREPLY htype=1 hlen=6 hops=0
		12 34 56 78            xid
		00 00 00 00            secs, flags
		0a 00 00 02            ciaddr 10.0.0.2
		00 00 00 00 00 00 00 00 00 00 00 00   yiaddr, siaddr, giaddr
		02 53 0a 00 00 02 00 00 00 00 00 00 00 00 00 00  chaddr
	`)
	m = append(m, make([]byte, 64+128)...) // sname, file
	m = append(m, unhex(t, `
		63 82 53 63            magic cookie
		35 01 05               DHCPACK
		36 04 0a 00 00 01      server id 10.0.0.1
		79 0f 18 ac 11 05 00 00 00 00 10 c0 a8 0a 00 00 01   121: 172.17.5.0/24, 192.168.0.0/16 via 10.0.0.1
		f9 05 08 0b 00 00 00   249: ignored, 121 is there
		03 04 0a 00 00 01      router: ignored, 121 is there (RFC 3442)
		0f 0c 63 6f 72 70 2e 65 78 61 6d 70 6c 65   domain corp.example
		06 08 ac 10 32 02 ac 10 32 03  DNS 172.16.50.2, .3
		77 17 03 6c 61 62 04 63 6f 72 70 07 65 78 61 6d 70 6c 65 00   119: lab.corp.example
		      02 68 71 c0 04                                         hq + pointer to corp.example
		ff`)...)
	a, err := ParseAck(m, 0x12345678)
	if err != nil {
		t.Fatal(err)
	}
	want := Ack{
		XID:    0x12345678,
		Server: netip.MustParseAddr("10.0.0.1"),
		Routes: []Route{
			{netip.MustParsePrefix("172.17.5.0/24"), netip.IPv4Unspecified()},
			{netip.MustParsePrefix("192.168.0.0/16"), netip.MustParseAddr("10.0.0.1")},
		},
		Domain: "corp.example",
		Search: []string{"lab.corp.example", "hq.corp.example"},
		DNS:    []netip.Addr{netip.MustParseAddr("172.16.50.2"), netip.MustParseAddr("172.16.50.3")},
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("got  %+v\nwant %+v", a, want)
	}
	if d := a.Domains(); !slices.Equal(d, []string{"corp.example", "lab.corp.example", "hq.corp.example"}) {
		t.Errorf("Domains() = %q", d)
	}
	if _, err := ParseAck(m, 1); !errors.Is(err, ErrXID) {
		t.Errorf("other xid: %v", err)
	}
	nak := bytes.Replace(m, []byte{0x35, 0x01, 0x05}, []byte{0x35, 0x01, 0x06}, 1)
	if _, err := ParseAck(nak, 0x12345678); !errors.Is(err, ErrNotAck) {
		t.Errorf("NAK: %v", err)
	}
}

// Option 249 alone is taken (MS-DHCPE 2.2.8); options split over several
// instances are joined (RFC 3396), also from an overloaded 'file' field
// (RFC 2132 9.3).
func TestParseAckMSRoutesSplitOverload(t *testing.T) {
	in := Inform{XID: 7, CIAddr: netip.MustParseAddr("10.0.0.9")}
	m := AppendAck(nil, in, netip.MustParseAddr("10.0.0.1"), Ack{})
	m = m[:len(m)-1] // drop End
	// 249 with 10.1.0.0/16 split into two instances.
	m = append(m, OptMSClassless, 2, 16, 10, OptMSClassless, 5, 1, 0, 0, 0, 0)
	m = append(m, OptOverload, 1, 1, optEnd)
	file := m[108:236]
	copy(file, []byte{OptDomainName, 4, 'c', 'o', 'r', 'p', optEnd})
	a, err := ParseAck(m, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Routes) != 1 || a.Routes[0].Dst != netip.MustParsePrefix("10.1.0.0/16") || a.Domain != "corp" {
		t.Errorf("got %+v", a)
	}
}

func TestInformRoundTrip(t *testing.T) {
	ci := netip.MustParseAddr("10.0.0.2")
	pkt := AppendInformPacket(nil, 0xdeadbeef, ci, 7)
	src, dst, payload, ok := ParseUDP(pkt)
	if !ok || src != netip.MustParseAddrPort("10.0.0.2:68") || dst != netip.MustParseAddrPort("255.255.255.255:67") {
		t.Fatalf("ParseUDP: %v %v %v", src, dst, ok)
	}
	if sum(0, pkt[:20]) != 0xffff {
		t.Error("bad IP header checksum")
	}
	// The UDP checksum over pseudo header and datagram sums to all ones.
	ps := sum(0, pkt[12:20])
	ps = sum(ps, []byte{0, 17, pkt[24], pkt[25]})
	if sum(ps, pkt[20:]) != 0xffff {
		t.Error("bad UDP checksum")
	}
	in, err := ParseInform(payload)
	if err != nil {
		t.Fatal(err)
	}
	if in.XID != 0xdeadbeef || in.Secs != 7 || in.CIAddr != ci || [6]byte(in.CHAddr[:6]) != HWAddr(ci) {
		t.Errorf("got %+v", in)
	}
	if IsReply(pkt) {
		t.Error("an INFORM is not a reply")
	}
	want := Ack{XID: in.XID, Server: netip.MustParseAddr("10.0.0.1"), Domain: "corp.example",
		Routes: []Route{{netip.MustParsePrefix("172.16.60.0/24"), netip.IPv4Unspecified()}},
		Search: []string{"corp.example"}, DNS: []netip.Addr{netip.MustParseAddr("172.16.50.2")}}
	reply := AppendUDP(nil, netip.MustParseAddrPort("10.0.0.1:67"), netip.AddrPortFrom(ci, 68),
		AppendAck(nil, in, want.Server, want))
	if !IsReply(reply) {
		t.Fatal("IsReply false")
	}
	got, err := ParseReply(reply, 0xdeadbeef)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v\nwant %+v", got, err, want)
	}
}

func TestParseAckErrors(t *testing.T) {
	good := AppendAck(nil, Inform{XID: 1}, netip.MustParseAddr("10.0.0.1"), Ack{DNS: []netip.Addr{netip.MustParseAddr("1.2.3.4")}})
	cases := map[string]struct {
		m   []byte
		err error
	}{
		"short":      {good[:100], ErrShort},
		"request":    {append([]byte{1}, good[1:]...), ErrNotReply},
		"cookie":     {append(append(slices.Clone(good[:236]), 1, 2, 3, 4), good[240:]...), ErrCookie},
		"option cut": {append(slices.Clone(good[:len(good)-1]), OptDNS, 8, 1, 2), ErrOption},
		"dns length": {append(slices.Clone(good[:len(good)-1]), OptDNS, 3, 1, 2, 3, optEnd), ErrOption},
		"bad domain": {append(slices.Clone(good[:len(good)-1]), OptDomainName, 3, 'a', ';', 'b', optEnd), ErrName},
	}
	for name, c := range cases {
		if _, err := ParseAck(c.m, 1); !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", name, err, c.err)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	ci := netip.MustParseAddr("10.0.0.2")
	in := Inform{XID: 5, CIAddr: ci}
	f.Add(AppendUDP(nil, netip.MustParseAddrPort("10.0.0.1:67"), netip.AddrPortFrom(ci, 68),
		AppendAck(nil, in, netip.MustParseAddr("10.0.0.1"), Ack{Domain: "corp.example",
			Routes: []Route{{netip.MustParsePrefix("10.9.0.0/16"), netip.IPv4Unspecified()}},
			Search: []string{"a.example", "b.example"}, DNS: []netip.Addr{ci}})))
	f.Add(AppendInformPacket(nil, 5, ci, 0))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		IsReply(pkt)
		a, err := ParseReply(pkt, 5)
		if err != nil {
			return
		}
		// What parsed encodes back to the same configuration.
		_, _, payload, _ := ParseUDP(pkt)
		again, err := ParseAck(AppendAck(nil, Inform{XID: 5}, a.Server, a), 5)
		if err != nil {
			t.Fatalf("re-encoded ACK does not parse: %v (%+v)", err, a)
		}
		a.Router, again.Router = nil, nil
		if len(a.Routes) == 0 {
			a.Routes = nil
		}
		if !reflect.DeepEqual(a, again) {
			t.Fatalf("round trip of % x:\n%+v\n%+v", payload, a, again)
		}
	})
}

func FuzzParseInform(f *testing.F) {
	f.Add(AppendInform(nil, 1, netip.MustParseAddr("10.0.0.2"), 3))
	f.Fuzz(func(t *testing.T, m []byte) {
		ParseInform(m)
	})
}

func FuzzDomainSearch(f *testing.F) {
	f.Add([]byte("\x03eng\x05apple\x03com\x00\x09marketing\xc0\x04"))
	f.Fuzz(func(t *testing.T, v []byte) {
		names, err := ParseDomainSearch(v)
		if err != nil {
			return
		}
		back, err := ParseDomainSearch(AppendDomainSearch(nil, names))
		if err != nil || !slices.Equal(back, names) {
			t.Fatalf("%q: round trip %q, %v", names, back, err)
		}
	})
}

func FuzzClasslessRoutes(f *testing.F) {
	f.Add([]byte{24, 10, 0, 0, 10, 0, 0, 1, 0, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, v []byte) {
		rs, err := ParseClasslessRoutes(v)
		if err != nil {
			return
		}
		back, err := ParseClasslessRoutes(AppendClasslessRoutes(nil, rs))
		if err != nil || !slices.Equal(back, rs) {
			t.Fatalf("%v: round trip %v, %v", rs, back, err)
		}
	})
}

// FuzzParseAck fuzzes the DHCP message itself (FuzzParseReply spends most
// inputs on the IP and UDP headers): options, overload, RFC 3396 joining.
func FuzzParseAck(f *testing.F) {
	in := Inform{XID: 9, CIAddr: netip.MustParseAddr("10.0.0.2")}
	f.Add(AppendAck(nil, in, netip.MustParseAddr("10.0.0.1"), Ack{Domain: "corp.example",
		Routes: []Route{{netip.MustParsePrefix("10.9.0.0/16"), netip.IPv4Unspecified()}},
		Search: []string{"a.example"}, DNS: []netip.Addr{in.CIAddr}}))
	f.Fuzz(func(t *testing.T, m []byte) {
		a, err := ParseAck(m, 9)
		if err != nil {
			return
		}
		again, err := ParseAck(AppendAck(nil, Inform{XID: 9}, a.Server, a), 9)
		if err != nil {
			t.Fatalf("re-encoded ACK does not parse: %v (%+v)", err, a)
		}
		a.Router, again.Router = nil, nil
		if len(a.Routes) == 0 {
			a.Routes = nil
		}
		if !reflect.DeepEqual(a, again) {
			t.Fatalf("round trip:\n%+v\n%+v", a, again)
		}
	})
}
