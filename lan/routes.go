package lan

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/sstpgo/sstpgo/dhcp"
)

// Refused is a pushed route not installed, and why.
type Refused struct {
	Route  dhcp.Route
	Reason string
}

// PushedRoutes picks the routes of a DHCPACK to install through the tunnel
// (point to point: the router address is not needed). Refused: a default
// route (whether everything goes through the tunnel is --default-route's
// decision, as Windows' "use default gateway on remote network" is the
// user's), a route covering the server (the tunnel would carry itself),
// and one a configured route already names (the configuration wins).
func PushedRoutes(a dhcp.Ack, configured []netip.Prefix, server netip.Addr) (add []netip.Prefix, refused []Refused) {
	for _, r := range a.Routes {
		switch {
		case r.Dst.Bits() == 0:
			refused = append(refused, Refused{r, "a default route: use --default-route"})
		case server.IsValid() && r.Dst.Contains(server.Unmap()):
			refused = append(refused, Refused{r, "covers the VPN server's address " + server.String()})
		case slices.Contains(configured, r.Dst):
			refused = append(refused, Refused{r, "configured already"})
		case slices.Contains(add, r.Dst):
		default:
			add = append(add, r.Dst)
		}
	}
	return add, refused
}

// Env is the hook environment for what the server pushed, beside ifup's:
// DOMAIN (option 15), DNSSEARCH (the domains to resolve through the tunnel,
// option 119 or else 15, space-separated), PUSHED_ROUTES (the routes
// installed from options 121/249, space-separated).
func Env(a dhcp.Ack, pushed []netip.Prefix) []string {
	var env []string
	if a.Domain != "" {
		env = append(env, "DOMAIN="+a.Domain)
	}
	if d := a.Domains(); len(d) > 0 {
		env = append(env, "DNSSEARCH="+strings.Join(d, " "))
	}
	if len(pushed) > 0 {
		s := make([]string, len(pushed))
		for i, p := range pushed {
			s[i] = p.String()
		}
		env = append(env, "PUSHED_ROUTES="+strings.Join(s, " "))
	}
	return env
}
