package sstp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"time"
)

// FallbackDelay is how long the first address family gets before the other
// one is tried in parallel: RFC 8305 section 5's Connection Attempt Delay.
const FallbackDelay = 250 * time.Millisecond

// minAttempt is the least time one address gets when several of the same
// family share what is left of the negotiation timeout.
const minAttempt = 2 * time.Second

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// connect is the DNS and TCP steps: it resolves the server (or, with a proxy,
// only the proxy: the proxy resolves the server) and opens the connection.
func (c *Config) connect(ctx context.Context, host, port string) (net.Conn, error) {
	p := c.Proxy
	name, dport := host, port
	if p != nil {
		var err error
		if name, dport, err = net.SplitHostPort(p.Addr); err != nil {
			return nil, &Error{Step: StepDNS, Err: err, Hint: "give the proxy as http://host:port"}
		}
	}
	addrs, err := resolve(ctx, c.Resolver, name)
	if err != nil {
		hint := "check the server name and this machine's DNS (/etc/resolv.conf)"
		if p != nil {
			hint = "check the proxy's name and this machine's DNS (/etc/resolv.conf)"
		}
		return nil, &Error{Step: StepDNS, Err: err, Hint: hint}
	}
	if p == nil {
		c.step(StepDNS, joinAddrs(addrs))
		raw, err := dialAny(ctx, c.DialContext, addrs, port, c.fallbackDelay)
		if err != nil {
			return nil, &Error{Step: StepTCP, Err: err, Hint: "is the server reachable on TCP port " + port + "? a firewall or the wrong port are the usual causes"}
		}
		c.step(StepTCP, raw.RemoteAddr().String())
		return raw, nil
	}
	if _, err := netip.ParseAddr(name); err == nil {
		c.step(StepDNS, "skipped: the proxy resolves "+host)
	} else {
		c.step(StepDNS, "proxy "+name+" is "+joinAddrs(addrs)+"; the proxy resolves "+host)
	}
	target := net.JoinHostPort(host, port)
	raw, err := p.Dial(ctx, func(ctx context.Context, _, _ string) (net.Conn, error) {
		return dialAny(ctx, c.DialContext, addrs, dport, c.fallbackDelay)
	}, target)
	if err != nil {
		return nil, &Error{Step: StepTCP, Err: err, Hint: proxyHint(err, p, port)}
	}
	c.step(StepTCP, target+" via proxy "+p.Addr)
	return raw, nil
}

// resolve returns the server's addresses in the resolver's order, which for
// Go's resolver is RFC 6724's: IPv6 first where this host has IPv6 routes.
func resolve(ctx context.Context, r *net.Resolver, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, errors.New("no address for " + host)
	}
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	return addrs, nil
}

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}

// dialAny connects to one of addrs, RFC 8305 style: the family of the first
// address starts; after delay (or as soon as that family has failed) the
// other family starts in parallel. The first connection wins, the other
// attempt is cancelled and a late loser closed. Both attempts have returned
// when dialAny does.
func dialAny(ctx context.Context, dial dialFunc, addrs []netip.Addr, port string, delay time.Duration) (net.Conn, error) {
	primary, fallback := splitFamilies(addrs)
	if len(fallback) == 0 {
		return dialSerial(ctx, dial, primary, port)
	}
	if delay <= 0 {
		delay = FallbackDelay
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c       net.Conn
		err     error
		primary bool
	}
	results := make(chan result, 2)
	primaryFailed := make(chan struct{})
	go func() {
		c, err := dialSerial(ctx, dial, primary, port)
		results <- result{c, err, true}
	}()
	go func() {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-primaryFailed:
		case <-ctx.Done():
			results <- result{nil, ctx.Err(), false}
			return
		}
		c, err := dialSerial(ctx, dial, fallback, port)
		results <- result{c, err, false}
	}()
	var won net.Conn
	var primaryErr, fallbackErr error
	for range 2 {
		r := <-results
		switch {
		case r.err == nil && won == nil:
			won = r.c
			cancel()
		case r.err == nil:
			r.c.Close() // the loser of a photo finish
		case r.primary:
			primaryErr = r.err
			close(primaryFailed)
		default:
			fallbackErr = r.err
		}
	}
	if won != nil {
		return won, nil
	}
	if primaryErr == nil || errors.Is(primaryErr, context.Canceled) && fallbackErr != nil {
		return nil, fallbackErr
	}
	return nil, primaryErr
}

// splitFamilies separates the addresses of the first one's family from the rest.
func splitFamilies(addrs []netip.Addr) (primary, fallback []netip.Addr) {
	if len(addrs) == 0 {
		return nil, nil
	}
	v4 := addrs[0].Is4()
	for _, a := range addrs {
		if a.Is4() == v4 {
			primary = append(primary, a)
		} else {
			fallback = append(fallback, a)
		}
	}
	return primary, fallback
}

// dialSerial tries addrs in order; each gets an equal share of the time left
// (at least minAttempt), so one black hole does not use up the whole timeout.
func dialSerial(ctx context.Context, dial dialFunc, addrs []netip.Addr, port string) (net.Conn, error) {
	var first error
	for i, a := range addrs {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if d, ok := ctx.Deadline(); ok && i < len(addrs)-1 {
			share := max(time.Until(d)/time.Duration(len(addrs)-i), minAttempt)
			actx, cancel = context.WithTimeout(ctx, share)
		}
		c, err := dial(actx, "tcp", net.JoinHostPort(a.String(), port))
		cancel()
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if first == nil {
		first = errors.New("no address to dial")
	}
	return nil, first
}
