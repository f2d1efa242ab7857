package lan

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sstpgo/sstpgo/dhcp"
	"github.com/sstpgo/sstpgo/sstp"
)

var (
	local  = netip.MustParseAddr("10.0.0.2")
	server = netip.MustParseAddr("10.0.0.1")
)

// fakeServer answers the answerFrom-th DHCPINFORM (0 = never) through
// p.In, as the session's reader would deliver it, and records send times.
type fakeServer struct {
	p          *Path
	answerFrom int
	ack        dhcp.Ack
	mu         sync.Mutex
	sent       []time.Duration
	secs       []uint16
	start      time.Time
}

func (f *fakeServer) send(buf []byte) error {
	f.mu.Lock()
	f.sent = append(f.sent, time.Since(f.start))
	n := len(f.sent)
	f.mu.Unlock()
	pkt := buf[sstp.Headroom:]
	_, _, payload, ok := dhcp.ParseUDP(pkt)
	if !ok {
		return errors.New("not UDP")
	}
	in, err := dhcp.ParseInform(payload)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.secs = append(f.secs, in.Secs)
	f.mu.Unlock()
	if f.answerFrom == 0 || n < f.answerFrom {
		return nil
	}
	// Another xid first: ignored. Then the answer, 30 ms later.
	go func() {
		other := in
		other.XID++
		f.p.In(dhcp.AppendUDP(nil, netip.AddrPortFrom(server, 67), netip.AddrPortFrom(local, 68),
			dhcp.AppendAck(nil, other, server, dhcp.Ack{Domain: "wrong.example"})))
		time.Sleep(30 * time.Millisecond)
		f.p.In(dhcp.AppendUDP(nil, netip.AddrPortFrom(server, 67), netip.AddrPortFrom(local, 68),
			dhcp.AppendAck(nil, in, server, f.ack)))
	}()
	return nil
}

func TestInformAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPath()
		want := dhcp.Ack{Domain: "corp.example", Routes: []dhcp.Route{{Dst: netip.MustParsePrefix("172.16.60.0/24"), Gateway: netip.IPv4Unspecified()}}}
		f := &fakeServer{p: p, answerFrom: 3, ack: want, start: time.Now()}
		a, err := p.Inform(context.Background(), f.send, local, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.Domain != "corp.example" || len(a.Routes) != 1 || a.Server != server {
			t.Errorf("got %+v", a)
		}
		if want := []time.Duration{0, time.Second, 3 * time.Second}; !slices.Equal(f.sent, want) {
			t.Errorf("sent at %v, want %v", f.sent, want)
		}
		if took := time.Since(f.start); took != 3*time.Second+30*time.Millisecond {
			t.Errorf("took %v", took)
		}
		if p.waiting.Load() {
			t.Error("still intercepting DHCP replies")
		}
	})
}

// A server that never answers costs five small packets and 16 s of a
// goroutine, nothing else. 'secs' counts up, so a relay agent with a boot
// threshold (RRAS: 4 s) passes the later tries.
func TestInformNoAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPath()
		f := &fakeServer{p: p, start: time.Now()}
		_, err := p.Inform(context.Background(), f.send, local, nil)
		if !errors.Is(err, ErrNoAnswer) {
			t.Fatalf("err %v", err)
		}
		if want := []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second}; !slices.Equal(f.sent, want) {
			t.Errorf("sent at %v, want %v", f.sent, want)
		}
		if want := []uint16{0, 1, 3, 7, 15}; !slices.Equal(f.secs, want) {
			t.Errorf("secs %v, want %v", f.secs, want)
		}
		if took := time.Since(f.start); took != 16*time.Second {
			t.Errorf("gave up after %v, want 16s", took)
		}
	})
}

func TestInformCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPath()
		f := &fakeServer{p: p, start: time.Now()}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := p.Inform(ctx, f.send, local, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
		if len(f.sent) != 2 {
			t.Errorf("%d sends", len(f.sent))
		}
	})
}

// DHCP replies reach the TUN device unless an Inform waits for one; other
// packets always do.
func TestPathInOnlyTakesRepliesWhileWaiting(t *testing.T) {
	p := NewPath()
	reply := dhcp.AppendUDP(nil, netip.AddrPortFrom(server, 67), netip.AddrPortFrom(local, 68), []byte("x"))
	if p.In(reply) {
		t.Error("took a reply while not waiting")
	}
	p.waiting.Store(true)
	if !p.In(reply) {
		t.Error("did not take a reply while waiting")
	}
	other := dhcp.AppendUDP(nil, netip.AddrPortFrom(server, 53), netip.AddrPortFrom(local, 68), []byte("x"))
	if p.In(other) {
		t.Error("took a non-DHCP packet")
	}
}

func TestPathClamps(t *testing.T) {
	syn := func() []byte {
		pkt := make([]byte, 44)
		pkt[0], pkt[9], pkt[32], pkt[33] = 0x45, 6, 0x60, 0x02
		pkt[40], pkt[41], pkt[42], pkt[43] = 2, 4, 0x05, 0xb4
		return pkt
	}
	p := NewPath()
	pkt := syn()
	p.Out(pkt)
	if pkt[42] != 0x05 || pkt[43] != 0xb4 {
		t.Error("clamped while off")
	}
	p.SetClampMTU(1400)
	for name, f := range map[string]func([]byte){"out": p.Out, "in": func(b []byte) { p.In(b) }} {
		pkt := syn()
		f(pkt)
		if mss := int(pkt[42])<<8 | int(pkt[43]); mss != 1360 {
			t.Errorf("%s: MSS %d, want 1360", name, mss)
		}
	}
	data := make([]byte, 1400)
	data[0], data[9], data[33] = 0x45, 6, 0x10
	if n := testing.AllocsPerRun(1000, func() { p.Out(data); p.In(data) }); n != 0 {
		t.Errorf("%v allocations per packet", n)
	}
}

func TestPushedRoutes(t *testing.T) {
	r := func(s string) dhcp.Route { return dhcp.Route{Dst: netip.MustParsePrefix(s)} }
	a := dhcp.Ack{Routes: []dhcp.Route{
		r("172.16.60.0/24"), r("0.0.0.0/0"), r("198.51.0.0/16"), r("172.16.50.0/24"), r("172.16.60.0/24"), r("10.20.0.0/16"),
	}}
	add, refused := PushedRoutes(a, []netip.Prefix{netip.MustParsePrefix("172.16.50.0/24")}, netip.MustParseAddr("198.51.100.1"))
	if want := []netip.Prefix{netip.MustParsePrefix("172.16.60.0/24"), netip.MustParsePrefix("10.20.0.0/16")}; !slices.Equal(add, want) {
		t.Errorf("add %v, want %v", add, want)
	}
	var why []string
	for _, x := range refused {
		why = append(why, x.Route.Dst.String()+": "+x.Reason)
	}
	want := []string{"0.0.0.0/0: a default route: use --default-route",
		"198.51.0.0/16: covers the VPN server's address 198.51.100.1",
		"172.16.50.0/24: configured already"}
	if !slices.Equal(why, want) {
		t.Errorf("refused %q\nwant %q", why, want)
	}
	env := Env(dhcp.Ack{Domain: "corp.example", Search: []string{"lab.corp.example", "corp.example"}}, add)
	if want := []string{"DOMAIN=corp.example", "DNSSEARCH=corp.example lab.corp.example",
		"PUSHED_ROUTES=172.16.60.0/24 10.20.0.0/16"}; !slices.Equal(env, want) {
		t.Errorf("env %q", env)
	}
}
