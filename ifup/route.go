package ifup

import (
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"syscall"
)

// Route is one IPv4 or IPv6 route. Dst is masked before use
// (10.1.2.3/16 means 10.1.0.0/16).
type Route struct {
	Dst     netip.Prefix
	Gateway netip.Addr // invalid: directly on Ifname (scope link)
	Ifname  string     // empty: the kernel picks the device from Gateway
	Metric  int        // RTA_PRIORITY; 0 = kernel default (0 for IPv4, 1024 for IPv6)
	Table   int        // 0 = main (254)
	// Src is the preferred source address (RTA_PREFSRC). RouteGet fills it
	// in; AddRoute sends it when valid.
	Src netip.Addr
}

// String formats r like ip-route(8): "10.1.0.0/16 via 192.0.2.1 dev sstp0 metric 10".
func (r Route) String() string {
	b := make([]byte, 0, 64)
	b = r.Dst.Masked().AppendTo(b)
	if r.Gateway.IsValid() {
		b = append(b, " via "...)
		b = r.Gateway.AppendTo(b)
	}
	if r.Ifname != "" {
		b = append(b, " dev "...)
		b = append(b, r.Ifname...)
	}
	if r.Src.IsValid() {
		b = append(b, " src "...)
		b = r.Src.AppendTo(b)
	}
	if r.Metric != 0 {
		b = append(b, " metric "...)
		b = strconv.AppendInt(b, int64(r.Metric), 10)
	}
	if r.Table != 0 && r.Table != rtTableMain {
		b = append(b, " table "...)
		b = strconv.AppendInt(b, int64(r.Table), 10)
	}
	return string(b)
}

// checkRoute rejects what the kernel would reject less clearly.
func checkRoute(r Route) error {
	if !r.Dst.IsValid() || r.Dst.Addr().Is4In6() || r.Dst.Addr().Zone() != "" {
		return errBadAddress
	}
	fam := family(r.Dst.Addr())
	if r.Gateway.IsValid() && (family(r.Gateway) != fam || r.Gateway.Is4In6()) {
		return errFamilyMix
	}
	if r.Src.IsValid() && family(r.Src) != fam {
		return errFamilyMix
	}
	if !r.Gateway.IsValid() && r.Ifname == "" {
		return errNoDevice
	}
	if r.Metric < 0 || int64(r.Metric) > 0xffffffff || r.Table < 0 || int64(r.Table) > 0xffffffff {
		return errBadNumber
	}
	return checkName(r.Ifname)
}

// checkName accepts "" and the names Linux accepts (dev_valid_name).
func checkName(name string) error {
	if len(name) > 15 || name == "." || name == ".." {
		return errBadName
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == '/' || c == ':' || c <= ' ' || c == 0x7f {
			return errBadName
		}
	}
	return nil
}

// RouteSet remembers the routes it installed so that the caller can take
// them all away on any exit path (Remove) and put them back after a
// reconnect (Reinstall). It is safe for concurrent use; the zero value is
// ready to use.
type RouteSet struct {
	mu     sync.Mutex
	routes []Route
	up     []bool // up[i]: routes[i] is believed to be installed
	// add and del are AddRoute and DelRoute, replaceable in tests.
	add, del func(Route) error
}

// NewRouteSet returns an empty RouteSet.
func NewRouteSet() *RouteSet { return &RouteSet{} }

func (s *RouteSet) funcs() (add, del func(Route) error) {
	add, del = s.add, s.del
	if add == nil {
		add = AddRoute
	}
	if del == nil {
		del = DelRoute
	}
	return add, del
}

// Add installs r and remembers it. A route that already exists
// (syscall.EEXIST) is not ours: it is neither remembered nor ever removed,
// and the error is returned.
func (s *RouteSet) Add(r Route) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	add, _ := s.funcs()
	if err := add(r); err != nil {
		return err
	}
	s.routes = append(s.routes, r)
	s.up = append(s.up, true)
	return nil
}

// Routes returns a copy of the remembered routes, in the order they were added.
func (s *RouteSet) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Route(nil), s.routes...)
}

// Remove deletes every installed route, newest first, and keeps them in
// memory for Reinstall. A route that is already gone (its device vanished,
// or someone deleted it) counts as removed. It tries all routes and returns
// the errors joined; calling it again retries only what failed.
func (s *RouteSet) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, del := s.funcs()
	var errs []error
	for i := len(s.routes) - 1; i >= 0; i-- {
		if !s.up[i] {
			continue
		}
		err := del(s.routes[i])
		if err == nil || isGone(err) {
			s.up[i] = false
			continue
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Reinstall adds every remembered route that is not installed, oldest first;
// one that already exists counts as installed. It returns the errors joined.
func (s *RouteSet) Reinstall() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	add, _ := s.funcs()
	var errs []error
	for i, r := range s.routes {
		if s.up[i] {
			continue
		}
		err := add(r)
		if err == nil || errors.Is(err, syscall.EEXIST) {
			s.up[i] = true
			continue
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Replace makes the installed set equal to routes, e.g. after a reconnect
// with a new configuration: remembered routes not in the list are deleted,
// listed routes not installed are added, and routes in both are left alone
// (no flap). A new route that already exists is not ours: it is not
// remembered and its EEXIST error is returned with the others, joined.
func (s *RouteSet) Replace(routes []Route) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	add, del := s.funcs()
	var errs []error
	for i := len(s.routes) - 1; i >= 0; i-- { // newest first
		r := s.routes[i]
		if indexRoute(routes, r) >= 0 {
			continue
		}
		if s.up[i] {
			if err := del(r); err != nil && !isGone(err) {
				errs = append(errs, err)
				continue // still ours: Remove retries it
			}
		}
		s.routes, s.up = slices.Delete(s.routes, i, i+1), slices.Delete(s.up, i, i+1)
	}
	for _, r := range routes {
		i := indexRoute(s.routes, r)
		if i >= 0 && s.up[i] {
			continue
		}
		err := add(r)
		switch {
		case i >= 0 && (err == nil || errors.Is(err, syscall.EEXIST)):
			s.up[i] = true
		case i >= 0:
			errs = append(errs, err)
		case err == nil:
			s.routes, s.up = append(s.routes, r), append(s.up, true)
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sameRoute compares routes the way the kernel identifies them.
func sameRoute(a, b Route) bool {
	norm := func(t int) int {
		if t == 0 {
			return rtTableMain
		}
		return t
	}
	return a.Dst.Masked() == b.Dst.Masked() && a.Gateway == b.Gateway && a.Ifname == b.Ifname &&
		a.Metric == b.Metric && norm(a.Table) == norm(b.Table) && a.Src == b.Src
}

func indexRoute(rs []Route, r Route) int {
	return slices.IndexFunc(rs, func(x Route) bool { return sameRoute(x, r) })
}

// MarkDown tells the set that its routes are gone without deleting anything,
// e.g. after the device was closed or set down, which takes its routes with it.
// The next Reinstall adds them all.
func (s *RouteSet) MarkDown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.up {
		s.up[i] = false
	}
}

// isGone reports the errors of deleting a route that no longer exists.
func isGone(err error) bool {
	return errors.Is(err, syscall.ESRCH) || errors.Is(err, syscall.ENODEV) ||
		errors.Is(err, syscall.ENOENT)
}
