package main

import (
	"flag"
	"fmt"
	"net/netip"

	"github.com/sstpgo/sstpgo/dhcp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// dhcpFlags configure the DHCP responder behind the tunnel (RRAS relaying
// to the corporate DHCP server, SoftEther's SecureNAT): any of them turns
// it on.
type dhcpFlags struct {
	routes, search, dns listFlag
	domain              string
}

func (f *dhcpFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.routes, "dhcp-route", "answer DHCPINFORM with this classless route, CIDR (repeatable; options 121 and 249)")
	fs.StringVar(&f.domain, "dhcp-domain", "", "answer DHCPINFORM with this domain name (option 15)")
	fs.Var(&f.search, "dhcp-search", "answer DHCPINFORM with this search domain (repeatable; option 119)")
	fs.Var(&f.dns, "dhcp-dns", "answer DHCPINFORM with this DNS server (repeatable; option 6)")
}

// responder is nil when no --dhcp-* flag was given.
func (f *dhcpFlags) responder() (*sstptest.DHCPResponder, error) {
	if len(f.routes)+len(f.search)+len(f.dns) == 0 && f.domain == "" {
		return nil, nil
	}
	a := dhcp.Ack{Domain: f.domain, Search: f.search}
	for _, s := range f.routes {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return nil, fmt.Errorf("--dhcp-route %q: want an IPv4 CIDR", s)
		}
		a.Routes = append(a.Routes, dhcp.Route{Dst: p.Masked(), Gateway: netip.IPv4Unspecified()})
	}
	for _, s := range f.dns {
		d, err := netip.ParseAddr(s)
		if err != nil || !d.Is4() {
			return nil, fmt.Errorf("--dhcp-dns %q: want an IPv4 address", s)
		}
		a.DNS = append(a.DNS, d)
	}
	return &sstptest.DHCPResponder{Ack: a}, nil
}
