package main

import "errors"

// checkIPv6 refuses IPv6 routes without --ipv6: the device would have IPv6
// off and the tunnel could not carry them.
func (o *options) checkIPv6() error {
	for _, p := range o.routes {
		if p.Addr().Is6() && !o.IPv6 {
			return errors.New("route " + p.String() + " is IPv6: add --ipv6 (ipv6 = true)")
		}
	}
	return nil
}
