package ppp

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stubHandler records the this-layer actions and answers requests with a
// fixed verdict.
type stubHandler struct {
	actions *[]string
	good    bool
	err     error
}

func (h *stubHandler) AppendRequest(b []byte) []byte { return append(b, 1, 4, 5, 0x78) }
func (h *stubHandler) ReceiveRequest(opts []byte, rejectNaks bool, reply []byte) (uint8, []byte) {
	if h.good {
		return CodeConfigureAck, reply
	}
	return CodeConfigureNak, append(reply, 1, 4, 5, 0xdc)
}
func (h *stubHandler) ReceiveAck([]byte)    {}
func (h *stubHandler) ReceiveNak([]byte)    {}
func (h *stubHandler) ReceiveReject([]byte) {}
func (h *stubHandler) Up()                  { *h.actions = append(*h.actions, "tlu") }
func (h *stubHandler) Down()                { *h.actions = append(*h.actions, "tld") }
func (h *stubHandler) Started()             { *h.actions = append(*h.actions, "tls") }
func (h *stubHandler) Finished(err error) {
	h.err = err
	*h.actions = append(*h.actions, "tlf")
}

var sendNames = map[uint8]string{CodeConfigureRequest: "scr", CodeConfigureAck: "sca",
	CodeConfigureNak: "scn", CodeConfigureReject: "scn", CodeTerminateRequest: "str",
	CodeTerminateAck: "sta", CodeCodeReject: "scj"}

// fsmTable is the RFC 1661 section 4.1 state transition table, one row per
// event, one column per state 0-9. "-" means no action and no change; irc
// and zrc are not observable as packets and are dropped when comparing;
// the r, p and x options are not implemented and left out.
var fsmTable = []struct {
	ev   FSMEvent
	cols string
}{
	{EvUp, "2 | irc,scr/6 | - | - | - | - | - | - | - | -"},
	{EvDown, "- | - | 0 | tls/1 | 0 | 1 | 1 | 1 | 1 | tld/1"},
	{EvOpen, "tls/1 | 1 | irc,scr/6 | 3 | 5 | 5 | 6 | 7 | 8 | 9"},
	{EvClose, "0 | tlf/0 | 2 | 2 | 4 | 4 | irc,str/4 | irc,str/4 | irc,str/4 | tld,irc,str/4"},
	{EvTOPlus, "- | - | - | - | str/4 | str/5 | scr/6 | scr/6 | scr/8 | -"},
	{EvTOMinus, "- | - | - | - | tlf/2 | tlf/3 | tlf/3 | tlf/3 | tlf/3 | -"},
	{EvRCRPlus, "- | - | sta/2 | irc,scr,sca/8 | 4 | 5 | sca/8 | sca,tlu/9 | sca/8 | tld,scr,sca/8"},
	{EvRCRMinus, "- | - | sta/2 | irc,scr,scn/6 | 4 | 5 | scn/6 | scn/7 | scn/6 | tld,scr,scn/6"},
	{EvRCA, "- | - | sta/2 | sta/3 | 4 | 5 | irc/7 | scr/6 | irc,tlu/9 | tld,scr/6"},
	{EvRCN, "- | - | sta/2 | sta/3 | 4 | 5 | irc,scr/6 | scr/6 | irc,scr/8 | tld,scr/6"},
	{EvRTR, "- | - | sta/2 | sta/3 | sta/4 | sta/5 | sta/6 | sta/6 | sta/6 | tld,zrc,sta/5"},
	{EvRTA, "- | - | 2 | 3 | tlf/2 | tlf/3 | 6 | 6 | 8 | tld,scr/6"},
	{EvRUC, "- | - | scj/2 | scj/3 | scj/4 | scj/5 | scj/6 | scj/7 | scj/8 | scj/9"},
	{EvRXJPlus, "- | - | 2 | 3 | 4 | 5 | 6 | 6 | 8 | 9"},
	{EvRXJMinus, "- | - | tlf/2 | tlf/3 | tlf/2 | tlf/3 | tlf/3 | tlf/3 | tlf/3 | tld,irc,str/5"},
}

func TestFSMTransitions(t *testing.T) {
	for _, row := range fsmTable {
		cols := strings.Split(row.cols, "|")
		for st, cell := range cols {
			cell = strings.TrimSpace(cell)
			from := State(st)
			t.Run(row.ev.String()+"/"+from.String(), func(t *testing.T) {
				wantActs, wantState := parseCell(t, cell, from)
				var acts []string
				f := fsmIn(from, &acts, row.ev != EvRCRMinus)
				fireEvent(f, row.ev)
				if got := strings.Join(acts, ","); got != wantActs || f.State() != wantState {
					t.Errorf("got %s/%v, want %s/%v (cell %q)", got, f.State(), wantActs, wantState, cell)
				}
			})
		}
	}
}

func parseCell(t *testing.T, cell string, from State) (string, State) {
	if cell == "-" {
		return "", from
	}
	acts, st, ok := strings.Cut(cell, "/")
	if !ok {
		acts, st = "", cell
	}
	n, err := strconv.Atoi(st)
	if err != nil {
		t.Fatalf("bad cell %q", cell)
	}
	var keep []string
	for _, a := range strings.Split(acts, ",") {
		if a != "" && a != "irc" && a != "zrc" {
			keep = append(keep, a)
		}
	}
	return strings.Join(keep, ","), State(n)
}

// fsmIn builds an FSM sitting in state s with a request outstanding.
func fsmIn(s State, acts *[]string, good bool) *FSM {
	h := &stubHandler{actions: acts, good: good}
	send := func(proto uint16, code, id uint8, data []byte) {
		*acts = append(*acts, sendNames[code])
	}
	f := NewFSM("T", ProtoLCP, h, send, FSMConfig{}, nil)
	f.state = s
	f.req, f.reqID, f.nextID = []byte{1, 4, 5, 0x78}, 5, 5
	f.restart = 1
	return f
}

func fireEvent(f *FSM, ev FSMEvent) {
	now := time.Unix(100, 0)
	pkt := func(code, id uint8, data ...byte) []byte { return AppendPacket(nil, code, id, data) }
	switch ev {
	case EvUp:
		f.Up(now)
	case EvDown:
		f.Down(now)
	case EvOpen:
		f.Open(now)
	case EvClose:
		f.Close(now)
	case EvTOPlus, EvTOMinus:
		f.timerOn, f.deadline = true, now
		if ev == EvTOMinus {
			f.restart = 0
		}
		f.Timeout(now)
	case EvRCRPlus, EvRCRMinus:
		f.Input(now, pkt(CodeConfigureRequest, 1, 1, 4, 5, 0x78))
	case EvRCA:
		f.Input(now, pkt(CodeConfigureAck, 5, 1, 4, 5, 0x78))
	case EvRCN:
		f.Input(now, pkt(CodeConfigureNak, 5, 1, 4, 5, 0xdc))
	case EvRTR:
		f.Input(now, pkt(CodeTerminateRequest, 9))
	case EvRTA:
		f.Input(now, pkt(CodeTerminateAck, 9))
	case EvRUC:
		f.Input(now, pkt(42, 9))
	case EvRXJPlus:
		f.Input(now, pkt(CodeCodeReject, 9, CodeEchoRequest, 1, 0, 4))
	case EvRXJMinus:
		f.Input(now, pkt(CodeCodeReject, 9, CodeConfigureRequest, 1, 0, 4))
	}
}

// Replies whose Identifier does not match our outstanding request are
// silently discarded (RFC 1661 sections 5.2-5.4), as are Acks that change
// our options and Rejects of options we never sent.
func TestFSMDiscardsMismatchedReplies(t *testing.T) {
	tests := []struct {
		name string
		pkt  []byte
	}{
		{"ack wrong id", AppendPacket(nil, CodeConfigureAck, 4, []byte{1, 4, 5, 0x78})},
		{"ack changed options", AppendPacket(nil, CodeConfigureAck, 5, []byte{1, 4, 5, 0x79})},
		{"nak wrong id", AppendPacket(nil, CodeConfigureNak, 6, []byte{1, 4, 5, 0xdc})},
		{"reject wrong id", AppendPacket(nil, CodeConfigureReject, 4, []byte{1, 4, 5, 0x78})},
		{"reject unknown option", AppendPacket(nil, CodeConfigureReject, 5, []byte{7, 2})},
		{"nak bad options", AppendPacket(nil, CodeConfigureNak, 5, []byte{1, 9, 5})},
		{"truncated", []byte{CodeConfigureAck, 5, 0, 9, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var acts []string
			f := fsmIn(StateReqSent, &acts, true)
			f.Input(time.Unix(100, 0), tt.pkt)
			if len(acts) != 0 || f.State() != StateReqSent {
				t.Errorf("acted: %v, state %v", acts, f.State())
			}
		})
	}
	// A second reply to the same request is a duplicate.
	var acts []string
	f := fsmIn(StateReqSent, &acts, true)
	f.Input(time.Unix(100, 0), AppendPacket(nil, CodeConfigureAck, 5, []byte{1, 4, 5, 0x78}))
	f.Input(time.Unix(100, 0), AppendPacket(nil, CodeConfigureAck, 5, []byte{1, 4, 5, 0x78}))
	if f.State() != StateAckRcvd || len(acts) != 0 {
		t.Errorf("duplicate Ack: %v %v", f.State(), acts)
	}
}

// Max-Failure: after MaxFailure Naks sent without an Ack, the handler is
// asked to Reject instead (RFC 1661 section 4.6).
func TestFSMMaxFailure(t *testing.T) {
	h := &rejectNakHandler{}
	f := NewFSM("T", ProtoLCP, h, func(uint16, uint8, uint8, []byte) {}, FSMConfig{MaxFailure: 2}, nil)
	f.Open(time.Unix(0, 0))
	f.Up(time.Unix(0, 0))
	for i := range 4 {
		f.Input(time.Unix(0, 0), AppendPacket(nil, CodeConfigureRequest, uint8(i), nil))
	}
	if want := []bool{false, false, true, true}; !equalBools(h.seen, want) {
		t.Errorf("rejectNaks %v, want %v", h.seen, want)
	}
}

type rejectNakHandler struct {
	stubHandler
	seen []bool
}

func (h *rejectNakHandler) ReceiveRequest(opts []byte, rejectNaks bool, reply []byte) (uint8, []byte) {
	h.seen = append(h.seen, rejectNaks)
	return CodeConfigureNak, append(reply, 1, 4, 5, 0xdc)
}
func (h *rejectNakHandler) Up()            {}
func (h *rejectNakHandler) Down()          {}
func (h *rejectNakHandler) Started()       {}
func (h *rejectNakHandler) Finished(error) {}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The restart timer: Max-Configure requests, Restart apart, then TO- with
// ErrNegotiation.
func TestFSMRestartTimer(t *testing.T) {
	var acts []string
	h := &stubHandler{actions: &acts}
	var ids []uint8
	f := NewFSM("T", ProtoLCP, h, func(_ uint16, code, id uint8, _ []byte) { ids = append(ids, id) },
		FSMConfig{Restart: time.Second, MaxConfigure: 3}, nil)
	now := time.Unix(0, 0)
	f.Open(now)
	f.Up(now)
	for {
		d, ok := f.Deadline()
		if !ok {
			break
		}
		now = d
		f.Timeout(now)
	}
	if len(ids) != 3 || ids[0] == ids[1] || now != time.Unix(3, 0) {
		t.Errorf("ids %v at %v", ids, now)
	}
	if f.State() != StateStopped || !errors.Is(h.err, ErrNegotiation) || !errors.Is(f.Err(), ErrNegotiation) {
		t.Errorf("state %v err %v", f.State(), h.err)
	}
	// Early Timeout calls do nothing.
	f.Open(now)
	f.Timeout(now)
}

// Rejected is RXJ delivered from outside (LCP Protocol-Reject).
func TestFSMRejected(t *testing.T) {
	tests := []struct {
		name         string
		from         State
		catastrophic bool
		acts         string
		to           State
	}{
		{"RXJ- Req-Sent", StateReqSent, true, "tlf", StateStopped},
		{"RXJ- Opened", StateOpened, true, "tld,str", StateStopping},
		{"RXJ- Closing", StateClosing, true, "tlf", StateClosed},
		{"RXJ+ Ack-Rcvd", StateAckRcvd, false, "", StateReqSent},
		{"RXJ+ Opened", StateOpened, false, "", StateOpened},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var acts []string
			f := fsmIn(tt.from, &acts, true)
			f.Rejected(time.Unix(1, 0), tt.catastrophic)
			if got := strings.Join(acts, ","); got != tt.acts || f.State() != tt.to {
				t.Errorf("got %s/%v", got, f.State())
			}
		})
	}
}
