package main

import (
	"net/netip"
	"strings"
	"testing"
)

func TestIPv6RoutesNeedIPv6(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ipv6   bool
		routes []string
		bad    bool
	}{
		{"v4 only", false, []string{"10.1.0.0/16"}, false},
		{"v6 without --ipv6", false, []string{"10.1.0.0/16", "2001:db8:200::/48"}, true},
		{"v6 with --ipv6", true, []string{"2001:db8:200::/48"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &options{}
			o.IPv6 = tc.ipv6
			for _, r := range tc.routes {
				o.routes = append(o.routes, netip.MustParsePrefix(r))
			}
			err := o.checkIPv6()
			if (err != nil) != tc.bad || (err != nil && !strings.Contains(err.Error(), "--ipv6")) {
				t.Errorf("checkIPv6() = %v", err)
			}
		})
	}
}
