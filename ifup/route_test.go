package ifup

import (
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"testing"
)

// fakeKernel is a routing table for RouteSet tests without root.
type fakeKernel struct {
	table   []Route
	failDel map[string]error // by Route.String()
	failAdd map[string]error
}

func (k *fakeKernel) add(r Route) error {
	if err := k.failAdd[r.String()]; err != nil {
		return err
	}
	if indexRoute(k.table, r) >= 0 {
		return opErr("add route "+r.String(), &nlError{Errno: syscall.EEXIST})
	}
	k.table = append(k.table, r)
	return nil
}

func (k *fakeKernel) del(r Route) error {
	if err := k.failDel[r.String()]; err != nil {
		return err
	}
	i := indexRoute(k.table, r)
	if i < 0 {
		return opErr("delete route "+r.String(), &nlError{Errno: syscall.ESRCH})
	}
	k.table = slices.Delete(k.table, i, i+1)
	return nil
}

func (k *fakeKernel) set() *RouteSet {
	return &RouteSet{add: k.add, del: k.del}
}

func rt(dst string) Route {
	return Route{Dst: netip.MustParsePrefix(dst), Ifname: "sstp0", Metric: 10}
}

func TestRouteSetAddRemove(t *testing.T) {
	k := &fakeKernel{table: []Route{rt("192.168.0.0/16")}} // not ours
	s := k.set()
	for _, d := range []string{"10.1.0.0/16", "10.2.0.0/16"} {
		if err := s.Add(rt(d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Add(rt("192.168.0.0/16")); !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("adding an existing route: %v", err)
	}
	if len(s.Routes()) != 2 {
		t.Fatalf("remembers %v", s.Routes())
	}
	k.table = slices.DeleteFunc(k.table, func(r Route) bool { return r.Dst.String() == "10.2.0.0/16" }) // gone behind our back
	if err := s.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(); err != nil {
		t.Fatal("second Remove:", err)
	}
	if len(k.table) != 1 || k.table[0] != rt("192.168.0.0/16") {
		t.Fatalf("table after Remove: %v", k.table)
	}
	k.table = append(k.table, rt("10.1.0.0/16")) // e.g. left by the kernel
	if err := s.Reinstall(); err != nil {
		t.Fatal(err)
	}
	if len(k.table) != 3 {
		t.Fatalf("table after Reinstall: %v", k.table)
	}
	if err := s.Remove(); err != nil || len(k.table) != 1 {
		t.Fatalf("Remove after Reinstall: %v %v", err, k.table)
	}
}

func TestRouteSetRemoveRetries(t *testing.T) {
	k := &fakeKernel{failDel: map[string]error{}}
	s := k.set()
	s.Add(rt("10.1.0.0/16"))
	s.Add(rt("10.2.0.0/16"))
	k.failDel[rt("10.1.0.0/16").String()] = syscall.EBUSY
	if err := s.Remove(); !errors.Is(err, syscall.EBUSY) {
		t.Fatalf("Remove: %v", err)
	}
	if len(k.table) != 1 {
		t.Fatalf("the other route was not removed: %v", k.table)
	}
	delete(k.failDel, rt("10.1.0.0/16").String())
	if err := s.Remove(); err != nil || len(k.table) != 0 {
		t.Fatalf("retry: %v %v", err, k.table)
	}
}

func TestRouteSetReplace(t *testing.T) {
	k := &fakeKernel{}
	s := NewRouteSet()
	s.add, s.del = k.add, k.del
	pin := Route{Dst: netip.MustParsePrefix("198.51.100.7/32"), Gateway: netip.MustParseAddr("192.0.2.1"), Ifname: "eth0", Table: 254}
	if err := s.Replace([]Route{pin, rt("0.0.0.0/1"), rt("128.0.0.0/1")}); err != nil {
		t.Fatal(err)
	}
	// Reconnect with a new list: the pin comes back from RouteGet with Table 0
	// this time, which is the same route.
	pin2 := pin
	pin2.Table = 0
	k.failAdd = map[string]error{pin2.String(): errors.New("must not be re-added")}
	if err := s.Replace([]Route{pin2, rt("0.0.0.0/1"), rt("10.0.0.0/8")}); err != nil {
		t.Fatal(err)
	}
	want := []Route{pin, rt("0.0.0.0/1"), rt("10.0.0.0/8")}
	if !slices.EqualFunc(k.table, want, sameRoute) || len(s.Routes()) != 3 {
		t.Fatalf("table %v, set %v", k.table, s.Routes())
	}
	s.MarkDown() // the device went away with its routes
	k.table = k.table[:1]
	k.failAdd = nil
	if err := s.Replace(want); err != nil || len(k.table) != 3 {
		t.Fatalf("after MarkDown: %v %v", err, k.table)
	}
	if err := s.Replace(nil); err != nil || len(k.table) != 0 || len(s.Routes()) != 0 {
		t.Fatalf("Replace(nil): %v %v %v", err, k.table, s.Routes())
	}
}
