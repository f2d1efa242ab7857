package main

import (
	"encoding/hex"
	"net/netip"
	"testing"
)

// The advertisement byte for byte (RFC 4861 4.2 and 4.6.2), with a checksum
// that verifies (the sum over pseudo-header and message, checksum included, is 0).
func TestRouterAdvertisement(t *testing.T) {
	ra := appendRA(nil, routerLL, allNodes, netip.MustParsePrefix("2001:db8:100:5::/64"))
	want := "6000000000303aff" + "fe800000000000000000000000000001" + "ff020000000000000000000000000001" +
		"86000000" + "40000000" + "00000000" + "00000000" + // type 134, hop limit 64, lifetime 0, timers 0
		"030440c0" + "00000e10" + "00000708" + "00000000" + "20010db8010000050000000000000000"
	got := hex.EncodeToString(ra)
	got = got[:84] + "0000" + got[88:] // checksum checked below
	if got != want {
		t.Errorf("RA\n%s\nwant\n%s", got, want)
	}
	if c := icmpv6Checksum(ra[8:24], ra[24:40], ra[40:]); c != 0 {
		t.Errorf("checksum does not verify: %#04x", c)
	}
}

func TestIPv6PoolPrefixes(t *testing.T) {
	r, err := newIPv6Router("2001:db8:100::/62", nil)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int]string{1: "2001:db8:100::/64", 2: "2001:db8:100:1::/64", 4: "2001:db8:100:3::/64", 5: "2001:db8:100::/64"} {
		if got := r.prefixOf(id).String(); got != want {
			t.Errorf("session %d: %s, want %s", id, got, want)
		}
	}
	for _, bad := range []string{"10.0.0.0/8", "2001:db8::/80", "2001:db8::/16", "nonsense"} {
		if _, err := newIPv6Router(bad, nil); err == nil {
			t.Errorf("--pool6 %s accepted", bad)
		}
	}
}

func TestRouterSolicitationIsAnswered(t *testing.T) {
	r, _ := newIPv6Router("2001:db8:100::/56", nil)
	rs, _ := hex.DecodeString("6000000000083aff" + "fe800000000000000000000000000002" + "ff020000000000000000000000000002" + "8500000000000000")
	if r.handle(nil, rs[:40]) {
		t.Error("a truncated packet counted as a solicitation")
	}
	other := append([]byte(nil), rs...)
	other[40] = 128 // echo request
	if r.handle(nil, other) {
		t.Error("an echo request counted as a solicitation")
	}
}
