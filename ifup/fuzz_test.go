package ifup

import (
	"encoding/binary"
	"testing"
)

// FuzzParseNetlinkMessages feeds arbitrary datagrams to the netlink reply
// parsers: they must never panic, and a route they accept must survive a
// round trip through the encoder.
func FuzzParseNetlinkMessages(f *testing.F) {
	for _, s := range []string{getRoute4Reply, getRoute6Reply, unreachReply, extAckReply, ackReply,
		getRoute4Reply + ackReply} {
		f.Add(unhex(f, s))
	}
	old := ne
	ne = binary.LittleEndian // the seeds are little-endian captures
	f.Cleanup(func() { ne = old })
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= nlmsgHdrLen {
			_, _ = dispatch(b, ne.Uint32(b[12:]), ne.Uint32(b[8:]), func(nlMessage) error { return nil })
		}
		for len(b) > 0 {
			m, rest, err := parseMessage(b)
			if err != nil {
				return
			}
			if len(rest) >= len(b) {
				t.Fatal("parseMessage made no progress")
			}
			b = rest
			switch m.Type {
			case nlmsgError:
				_, _, _ = parseError(m)
			case rtmNewRoute:
				roundTripRoute(t, m.Data)
			case rtmNewAddr:
				_, _ = parseAddr(m.Data)
			case rtmNewLink:
				_, _ = parseLink(m.Data)
			}
		}
	})
}

func roundTripRoute(t *testing.T, d []byte) {
	rm, err := parseRoute(d)
	if err != nil {
		return
	}
	r := rm.Route
	r.Ifname = "x"
	if checkRoute(r) != nil {
		return
	}
	out := appendRouteMsg(nil, rtmNewRoute, nlmFRequest, 1, r, rm.OIF)
	m, _, err := parseMessage(out)
	if err != nil {
		t.Fatalf("re-encoded route does not parse: %v", err)
	}
	back, err := parseRoute(m.Data)
	if err != nil {
		t.Fatalf("re-encoded route does not parse: %v", err)
	}
	back.Ifname = "x"
	if !sameRoute(back.Route, r) || (rm.OIF > 0 && back.OIF != rm.OIF) {
		t.Fatalf("round trip: %+v became %+v", r, back.Route)
	}
}
