package main

import (
	"testing"
)

func TestDHCPFlags(t *testing.T) {
	f, err := parseFlags([]string{"--dhcp-route", "172.16.60.7/24", "--dhcp-domain", "corp.example",
		"--dhcp-search", "corp.example", "--dhcp-search", "lab.corp.example", "--dhcp-dns", "172.16.50.2"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	a := o.DHCP.Ack
	if len(a.Routes) != 1 || a.Routes[0].Dst.String() != "172.16.60.0/24" || a.Domain != "corp.example" ||
		len(a.Search) != 2 || len(a.DNS) != 1 {
		t.Errorf("got %+v", a)
	}
	if f, _ := parseFlags(nil); f != nil {
		if o, _ := f.options(nil); o.DHCP != nil {
			t.Error("a DHCP responder without --dhcp-* flags")
		}
	}
	for _, bad := range [][]string{{"--dhcp-route", "fd00::/64"}, {"--dhcp-route", "x"}, {"--dhcp-dns", "::1"}} {
		f, err := parseFlags(bad)
		if err == nil {
			_, err = f.options(nil)
		}
		if err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
