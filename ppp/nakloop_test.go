package ppp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

// TestNakLoopDropsOptionalOptions: a server that Naks an optional option
// forever (DNS with 0.0.0.0) costs that option, not the call: after
// Max-Failure Naks it is treated as Rejected (RFC 1661 section 4.6, pppd's
// maxnakloops), and the log names it. The same for IPV6CP's
// Interface-Identifier. The IP address is not optional: a Nak loop on it
// ends the link with an error naming it.
func TestNakLoopDropsOptionalOptions(t *testing.T) {
	t.Run("ipcp dns", func(t *testing.T) {
		var buf bytes.Buffer
		s := newFakeServer(t, Config{Logger: logx.New(&buf, logx.LevelInfo)})
		s.nakDNSForever = true
		s.start()
		s.runTimers(0)
		e, ok := findEvent(s.events, EventIPv4Up)
		if !ok {
			t.Fatalf("no IPv4: events %v, down %v", kinds(s.events), s.events)
		}
		if len(e.IPv4.DNS) != 0 || !e.IPv4.Local.IsValid() {
			t.Errorf("IPv4 %+v, want an address and no DNS", e.IPv4)
		}
		if s.ipcpNaks > 5 {
			t.Errorf("%d Naks before giving up the option, want at most Max-Failure (5)", s.ipcpNaks)
		}
		for _, want := range []string{"Primary-DNS", "Secondary-DNS"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("log does not name %s:\n%s", want, buf.String())
			}
		}
	})
	t.Run("ipcp address", func(t *testing.T) {
		s := newFakeServer(t, Config{})
		s.nakAddrForever = true
		s.start()
		err := downErr(t, s)
		if !errors.Is(err, ErrNegotiation) || !strings.Contains(err.Error(), "IP-Address") || !strings.Contains(err.Error(), "0.0.0.0") {
			t.Errorf("err %v, want a negotiation error naming the IP-Address and the value", err)
		}
		if s.ipcpNaks > 6 { // Max-Failure, and one for the request already out
			t.Errorf("%d Naks", s.ipcpNaks)
		}
	})
	t.Run("ipv6cp interface id", func(t *testing.T) {
		var buf bytes.Buffer
		s := newFakeServer(t, Config{IPv6: true, Logger: logx.New(&buf, logx.LevelInfo)})
		s.nakIDForever = true
		s.start()
		if _, ok := findEvent(s.events, EventIPv6Up); !ok {
			t.Fatalf("no IPv6: events %v", kinds(s.events))
		}
		if n := len(s.sent(ProtoIPV6CP, CodeConfigureRequest)); n > 6 {
			t.Errorf("%d IPV6CP requests", n)
		}
		if !strings.Contains(buf.String(), "Interface-Identifier") {
			t.Errorf("log does not name the option:\n%s", buf.String())
		}
	})
}

// nakLimitHandler records how the FSM hands it each Configure-Nak.
type nakLimitHandler struct {
	stubHandler
	got []string
}

func (h *nakLimitHandler) ReceiveNak([]byte)         { h.got = append(h.got, "nak") }
func (h *nakLimitHandler) ReceiveNakAsReject([]byte) { h.got = append(h.got, "rej") }

// TestFSMNakLimit: the Max-Failure'th Configure-Nak in a row, and every one
// after it, goes to FSMNakLimitHandler as a Reject; a Configure-Ack starts
// the count again.
func TestFSMNakLimit(t *testing.T) {
	var acts []string
	h := &nakLimitHandler{stubHandler: stubHandler{actions: &acts, good: true}}
	var id uint8
	f := NewFSM("T", ProtoIPCP, h, func(_ uint16, code, i uint8, _ []byte) {
		if code == CodeConfigureRequest {
			id = i
		}
	}, FSMConfig{MaxFailure: 3}, nil)
	now := time.Unix(0, 0)
	f.Open(now)
	f.Up(now)
	nak := func() { f.Input(now, AppendPacket(nil, CodeConfigureNak, id, []byte{1, 4, 5, 0xdc})) }
	for range 4 {
		nak()
	}
	f.Input(now, AppendPacket(nil, CodeConfigureAck, id, []byte{1, 4, 5, 0x78}))
	f.Timeout(now.Add(time.Minute)) // Ack-Rcvd, TO+: a new request
	nak()
	if want := "nak nak rej rej nak"; strings.Join(h.got, " ") != want {
		t.Errorf("got %v, want %s (the Ack resets the count)", h.got, want)
	}
}
