package ppp

import (
	"bytes"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

// State is a state of the RFC 1661 section 4.2 option negotiation automaton.
type State uint8

const (
	StateInitial State = iota
	StateStarting
	StateClosed
	StateStopped
	StateClosing
	StateStopping
	StateReqSent
	StateAckRcvd
	StateAckSent
	StateOpened
)

var stateNames = [...]string{"Initial", "Starting", "Closed", "Stopped", "Closing",
	"Stopping", "Req-Sent", "Ack-Rcvd", "Ack-Sent", "Opened"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "?"
}

// FSMEvent is an event of the automaton (RFC 1661 section 4.3).
type FSMEvent uint8

const (
	EvUp       FSMEvent = iota // lower layer is Up
	EvDown                     // lower layer is Down
	EvOpen                     // administrative Open
	EvClose                    // administrative Close
	EvTOPlus                   // Timeout with counter > 0
	EvTOMinus                  // Timeout with counter expired
	EvRCRPlus                  // Receive-Configure-Request (Good)
	EvRCRMinus                 // Receive-Configure-Request (Bad)
	EvRCA                      // Receive-Configure-Ack
	EvRCN                      // Receive-Configure-Nak/Rej
	EvRTR                      // Receive-Terminate-Request
	EvRTA                      // Receive-Terminate-Ack
	EvRUC                      // Receive-Unknown-Code
	EvRXJPlus                  // Receive-Code-Reject (permitted) or -Protocol-Reject
	EvRXJMinus                 // Receive-Code-Reject (catastrophic) or -Protocol-Reject
	EvRXR                      // Receive-Echo-Request/-Reply or Discard-Request
)

var eventNames = [...]string{"Up", "Down", "Open", "Close", "TO+", "TO-", "RCR+", "RCR-",
	"RCA", "RCN", "RTR", "RTA", "RUC", "RXJ+", "RXJ-", "RXR"}

func (e FSMEvent) String() string {
	if int(e) < len(eventNames) {
		return eventNames[e]
	}
	return "?"
}

// FSMConfig holds the RFC 1661 section 4.6 counters and timer. Zero values
// take the defaults: Restart 3 s, Max-Configure 10, Max-Failure 5,
// Max-Terminate 2.
type FSMConfig struct {
	Restart                                time.Duration
	MaxConfigure, MaxFailure, MaxTerminate int
}

func (c FSMConfig) withDefaults() FSMConfig {
	if c.Restart <= 0 {
		c.Restart = 3 * time.Second
	}
	if c.MaxConfigure <= 0 {
		c.MaxConfigure = 10
	}
	if c.MaxFailure <= 0 {
		c.MaxFailure = 5
	}
	if c.MaxTerminate <= 0 {
		c.MaxTerminate = 2
	}
	return c
}

// FSMHandler is the protocol-specific part of LCP, IPCP or IPV6CP: it builds
// our Configure-Request, judges the peer's, learns from the peer's replies and
// hears the this-layer actions tlu/tld/tls/tlf. Handlers must not call back
// into their own FSM; the FSM sends packets through its send function.
type FSMHandler interface {
	// AppendRequest appends the options of our next Configure-Request.
	AppendRequest(b []byte) []byte
	// ReceiveRequest judges the peer's Configure-Request options. It returns
	// CodeConfigureAck, or CodeConfigureNak/CodeConfigureReject with the
	// reply options appended to reply, or 0 to discard a malformed request.
	// With rejectNaks set (Max-Failure reached, RFC 1661 section 4.6) options
	// that would be Nak'ed must be Rejected instead.
	ReceiveRequest(opts []byte, rejectNaks bool, reply []byte) (code uint8, out []byte)
	ReceiveAck(opts []byte)    // our request was acknowledged as sent
	ReceiveNak(opts []byte)    // adjust the next request to the peer's hints
	ReceiveReject(opts []byte) // stop sending these options
	Up()                       // tlu
	Down()                     // tld
	Started()                  // tls
	Finished(err error)        // tlf; err says why when negotiation failed
}

// FSMCodeHandler may be implemented by a handler that knows more codes than
// 1-7 (LCP: Protocol-Reject, Echo, Discard). It returns false for codes it
// does not know either, which the FSM then Code-Rejects (RUC).
type FSMCodeHandler interface {
	ReceiveCode(p Packet) bool
}

// FSMNakLimitHandler may be implemented by a handler whose options are
// optional: once the peer has Nak'ed Max-Failure requests in a row, the FSM
// hands it the Nak as a Reject, so the options in it are dropped instead of
// looping (RFC 1661 section 4.6, pppd's maxnakloops). An option that is not
// optional makes the handler end the link with an error naming it.
type FSMNakLimitHandler interface {
	ReceiveNakAsReject(opts []byte)
}

// FSMTerminateHandler may be implemented to hear every Terminate-Request,
// before the FSM acts on it (and calls Down).
type FSMTerminateHandler interface {
	ReceiveTerminate(reason []byte)
}

// SendFunc sends one control packet of protocol proto. data is only valid
// during the call.
type SendFunc func(proto uint16, code, id uint8, data []byte)

// FSM is the RFC 1661 section 4 option negotiation automaton shared by LCP,
// IPCP and IPV6CP, client or server side. It is sans-IO: time comes in as
// arguments, packets leave through SendFunc, Deadline says when to call
// Timeout.
type FSM struct {
	Name  string
	Proto uint16

	h    FSMHandler
	send SendFunc
	cfg  FSMConfig
	log  *logx.Logger

	state    State
	restart  int // Restart counter (section 4.6)
	failures int // Configure-Naks sent since our last Configure-Ack sent
	nakLoops int // Configure-Naks/Rejects received since the last Ack
	rnaks    int // Configure-Naks received since the last Ack
	timerOn  bool
	deadline time.Time
	now      time.Time
	nextID   uint8
	reqID    uint8 // Identifier of our outstanding Configure-Request
	replied  bool  // a valid reply to reqID already arrived
	req      []byte
	reply    []byte
	err      error
}

// NewFSM makes an automaton in the Initial state.
func NewFSM(name string, proto uint16, h FSMHandler, send SendFunc, cfg FSMConfig, log *logx.Logger) *FSM {
	return &FSM{Name: name, Proto: proto, h: h, send: send, cfg: cfg.withDefaults(), log: log}
}

// State is the current automaton state.
func (f *FSM) State() State { return f.state }

// Err is why the automaton last finished with a failure (nil otherwise).
func (f *FSM) Err() error { return f.err }

// Deadline is when Timeout must next be called, if the restart timer runs.
func (f *FSM) Deadline() (time.Time, bool) { return f.deadline, f.timerOn }

func (f *FSM) setState(ev FSMEvent, s State) {
	old := f.state
	f.state = s
	switch s {
	case StateClosing, StateStopping, StateReqSent, StateAckRcvd, StateAckSent:
	default:
		f.timerOn = false // the restart timer runs only in these states (4.6)
	}
	if old != s && f.log.Enabled(logx.LevelDebug) {
		f.log.Debug("ppp fsm", "proto", f.Name, "event", ev.String(), "from", old.String(), "to", s.String())
	}
}

// Up is the lower-layer-up event.
func (f *FSM) Up(now time.Time) {
	f.now = now
	switch f.state {
	case StateInitial:
		f.setState(EvUp, StateClosed)
	case StateStarting:
		f.nakLoops, f.failures, f.rnaks = 0, 0, 0
		f.ircConfigure()
		f.scr()
		f.setState(EvUp, StateReqSent)
	}
}

// Down is the lower-layer-down event.
func (f *FSM) Down(now time.Time) {
	f.now = now
	switch f.state {
	case StateClosed, StateClosing:
		f.setState(EvDown, StateInitial)
	case StateStopped:
		f.setState(EvDown, StateStarting)
		f.h.Started()
	case StateStopping, StateReqSent, StateAckRcvd, StateAckSent:
		f.setState(EvDown, StateStarting)
	case StateOpened:
		f.setState(EvDown, StateStarting)
		f.h.Down()
	}
}

// Open is the administrative Open event.
func (f *FSM) Open(now time.Time) {
	f.now = now
	f.err = nil
	switch f.state {
	case StateInitial:
		f.setState(EvOpen, StateStarting)
		f.h.Started()
	case StateClosed:
		f.nakLoops, f.failures, f.rnaks = 0, 0, 0
		f.ircConfigure()
		f.scr()
		f.setState(EvOpen, StateReqSent)
	case StateClosing:
		f.setState(EvOpen, StateStopping)
	}
}

// Close is the administrative Close event: Terminate-Request when a link is
// negotiating or open.
func (f *FSM) Close(now time.Time) {
	f.now = now
	switch f.state {
	case StateStarting:
		f.setState(EvClose, StateInitial)
		f.h.Finished(nil)
	case StateStopped:
		f.setState(EvClose, StateClosed)
	case StateStopping:
		f.setState(EvClose, StateClosing)
	case StateReqSent, StateAckRcvd, StateAckSent, StateOpened:
		wasOpen := f.state == StateOpened
		f.setState(EvClose, StateClosing)
		if wasOpen {
			f.h.Down()
		}
		f.restart = f.cfg.MaxTerminate
		f.str()
	}
}

// Timeout fires the restart timer if it is due (TO+ or TO-).
func (f *FSM) Timeout(now time.Time) {
	f.now = now
	if !f.timerOn || now.Before(f.deadline) {
		return
	}
	f.timerOn = false
	if f.restart > 0 {
		f.toPlus()
	} else {
		f.toMinus()
	}
}

func (f *FSM) toPlus() {
	switch f.state {
	case StateClosing, StateStopping:
		f.str()
	case StateReqSent, StateAckRcvd:
		f.scr()
		f.setState(EvTOPlus, StateReqSent)
	case StateAckSent:
		f.scr()
	}
}

func (f *FSM) toMinus() {
	switch f.state {
	case StateClosing:
		f.finish(EvTOMinus, StateClosed, nil)
	case StateStopping:
		f.finish(EvTOMinus, StateStopped, nil)
	case StateReqSent, StateAckRcvd, StateAckSent:
		f.finish(EvTOMinus, StateStopped, &negotiationError{proto: f.Name, why: "no answer to Configure-Request"})
	}
}

// Rejected is RXJ from outside: LCP received a Protocol-Reject for this
// protocol. catastrophic=true stops the automaton (RFC 1661 section 5.7).
func (f *FSM) Rejected(now time.Time, catastrophic bool) {
	f.now = now
	if catastrophic {
		f.rxjMinus()
	} else if f.state == StateAckRcvd {
		f.setState(EvRXJPlus, StateReqSent)
	}
}

func (f *FSM) rxjMinus() {
	switch f.state {
	case StateClosed, StateClosing:
		f.finish(EvRXJMinus, StateClosed, nil)
	case StateStopped, StateStopping, StateReqSent, StateAckRcvd, StateAckSent:
		f.finish(EvRXJMinus, StateStopped, nil)
	case StateOpened:
		f.setState(EvRXJMinus, StateStopping)
		f.h.Down()
		f.restart = f.cfg.MaxTerminate
		f.str()
	}
}

// finish is tlf with the reason recorded for Err.
func (f *FSM) finish(ev FSMEvent, s State, err error) {
	f.err = err
	f.setState(ev, s)
	f.h.Finished(err)
}

// Input handles one received control packet of this protocol (the payload of
// a PPP frame). Malformed packets are silently discarded (RFC 1661 section 5).
func (f *FSM) Input(now time.Time, b []byte) {
	f.now = now
	p, err := ParsePacket(b)
	if err != nil {
		f.log.Debug("ppp drop", "proto", f.Name, "err", err)
		return
	}
	switch p.Code {
	case CodeConfigureRequest:
		f.rcr(p)
	case CodeConfigureAck:
		f.rca(p)
	case CodeConfigureNak, CodeConfigureReject:
		f.rcn(p)
	case CodeTerminateRequest:
		f.rtr(p)
	case CodeTerminateAck:
		f.rta()
	case CodeCodeReject:
		f.rxj(p)
	default:
		if ch, ok := f.h.(FSMCodeHandler); ok && ch.ReceiveCode(p) {
			return
		}
		f.ruc(b[:PacketHeaderLen+len(p.Data)])
	}
}

// rcr judges a Configure-Request and answers it (RCR+ / RCR-).
func (f *FSM) rcr(p Packet) {
	switch f.state {
	case StateClosed:
		f.sendPkt(CodeTerminateAck, p.ID, nil) // sta/2
		return
	case StateStopped, StateReqSent, StateAckRcvd, StateAckSent, StateOpened:
	default:
		return
	}
	if !validOptions(p.Data) {
		return
	}
	code, reply := f.h.ReceiveRequest(p.Data, f.failures >= f.cfg.MaxFailure, f.reply[:0])
	f.reply = reply
	switch code {
	case CodeConfigureAck:
		f.rcrPlus(p)
	case CodeConfigureNak, CodeConfigureReject:
		f.rcrMinus(p.ID, code, reply)
	}
}

func (f *FSM) rcrPlus(p Packet) {
	switch f.state {
	case StateStopped:
		f.ircConfigure()
		f.scr()
		f.sca(p)
		f.setState(EvRCRPlus, StateAckSent)
	case StateReqSent, StateAckSent:
		f.sca(p)
		f.setState(EvRCRPlus, StateAckSent)
	case StateAckRcvd:
		f.sca(p)
		f.setState(EvRCRPlus, StateOpened)
		f.h.Up()
	case StateOpened:
		f.setState(EvRCRPlus, StateAckSent)
		f.h.Down()
		f.scr()
		f.sca(p)
	}
}

func (f *FSM) rcrMinus(id, code uint8, reply []byte) {
	switch f.state {
	case StateStopped:
		f.ircConfigure()
		f.scr()
		f.scn(id, code, reply)
		f.setState(EvRCRMinus, StateReqSent)
	case StateReqSent, StateAckSent:
		f.scn(id, code, reply)
		f.setState(EvRCRMinus, StateReqSent)
	case StateAckRcvd:
		f.scn(id, code, reply)
	case StateOpened:
		f.setState(EvRCRMinus, StateReqSent)
		f.h.Down()
		f.scr()
		f.scn(id, code, reply)
	}
}

// isReply checks a Configure-Ack/Nak/Reject answers our outstanding request:
// "the Identifier field MUST match" (RFC 1661 sections 5.2-5.4); otherwise
// the packet is silently discarded.
func (f *FSM) isReply(p Packet) bool {
	return f.reqID == p.ID && !f.replied && f.req != nil
}

// expectsReply tells whether a Configure-Ack/Nak/Reject is an event in the
// current state: Closed and Stopped answer it with Terminate-Ack, the
// negotiating and Opened states process it, the others ignore it (RFC 1661
// section 4.1 table, events RCA and RCN).
func (f *FSM) expectsReply(p Packet) bool {
	switch f.state {
	case StateClosed, StateStopped:
		f.sendPkt(CodeTerminateAck, p.ID, nil)
		return false
	case StateReqSent, StateAckRcvd, StateAckSent, StateOpened:
		return true
	}
	return false
}

// rca handles a Configure-Ack; its options must be exactly ours (5.2).
func (f *FSM) rca(p Packet) {
	if !f.expectsReply(p) {
		return
	}
	if !f.isReply(p) || !bytes.Equal(p.Data, f.req) {
		return
	}
	f.replied = true
	f.nakLoops, f.rnaks = 0, 0
	f.h.ReceiveAck(p.Data)
	switch f.state {
	case StateReqSent:
		f.ircConfigure()
		f.setState(EvRCA, StateAckRcvd)
	case StateAckRcvd: // crossed connection
		f.scr()
		f.setState(EvRCA, StateReqSent)
	case StateAckSent:
		f.ircConfigure()
		f.setState(EvRCA, StateOpened)
		f.h.Up()
	case StateOpened:
		f.setState(EvRCA, StateReqSent)
		f.h.Down()
		f.scr()
	}
}

// rcn handles a Configure-Nak or -Reject (5.3, 5.4).
func (f *FSM) rcn(p Packet) {
	if !f.expectsReply(p) {
		return
	}
	if !f.isReply(p) || !validOptions(p.Data) {
		return
	}
	if p.Code == CodeConfigureReject && !f.subsetOfRequest(p.Data) {
		return
	}
	f.replied = true
	f.nakLoops++
	if f.nakLoops > f.cfg.MaxConfigure {
		// Not in RFC 1661's table: a peer that Naks every request forever
		// would keep us in Req-Sent; give up like TO- does.
		f.finish(EvRCN, StateStopped, &negotiationError{proto: f.Name, why: "peer keeps refusing our options"})
		return
	}
	if p.Code == CodeConfigureNak {
		f.rnaks++
	}
	nl, ok := f.h.(FSMNakLimitHandler)
	switch {
	case p.Code == CodeConfigureReject:
		f.h.ReceiveReject(p.Data)
	case ok && f.rnaks >= f.cfg.MaxFailure:
		nl.ReceiveNakAsReject(p.Data)
	default:
		f.h.ReceiveNak(p.Data)
	}
	f.afterRCN()
}

func (f *FSM) afterRCN() {
	switch f.state {
	case StateReqSent:
		f.ircConfigure()
		f.scr()
	case StateAckRcvd:
		f.scr()
		f.setState(EvRCN, StateReqSent)
	case StateAckSent:
		f.ircConfigure()
		f.scr()
	case StateOpened:
		f.setState(EvRCN, StateReqSent)
		f.h.Down()
		f.scr()
	}
}

// subsetOfRequest checks every rejected option was in our request unchanged
// (RFC 1661 section 5.4: "MUST NOT be reordered or modified in any way").
func (f *FSM) subsetOfRequest(rej []byte) bool {
	for len(rej) > 0 {
		_, rest, _ := ParseOption(rej)
		if !bytes.Contains(f.req, rej[:len(rej)-len(rest)]) {
			return false
		}
		rej = rest
	}
	return true
}

// rtr answers a Terminate-Request (5.5).
func (f *FSM) rtr(p Packet) {
	if f.state < StateClosed {
		return
	}
	if th, ok := f.h.(FSMTerminateHandler); ok {
		th.ReceiveTerminate(p.Data)
	}
	switch f.state {
	case StateClosed, StateStopped, StateClosing, StateStopping:
		f.sendPkt(CodeTerminateAck, p.ID, nil)
	case StateReqSent, StateAckRcvd, StateAckSent:
		f.sendPkt(CodeTerminateAck, p.ID, nil)
		f.setState(EvRTR, StateReqSent)
	case StateOpened:
		f.setState(EvRTR, StateStopping)
		f.h.Down()
		f.restart = 0 // zrc: wait one restart period before tlf
		f.startTimer()
		f.sendPkt(CodeTerminateAck, p.ID, nil)
	}
}

func (f *FSM) rta() {
	switch f.state {
	case StateClosing:
		f.finish(EvRTA, StateClosed, nil)
	case StateStopping:
		f.finish(EvRTA, StateStopped, nil)
	case StateAckRcvd:
		f.setState(EvRTA, StateReqSent)
	case StateOpened:
		f.setState(EvRTA, StateReqSent)
		f.h.Down()
		f.scr()
	}
}

// rxj handles a Code-Reject: rejecting one of the codes 1-7 the automaton
// needs is catastrophic (RXJ-), anything else is permitted (RXJ+) (5.6).
func (f *FSM) rxj(p Packet) {
	if f.state < StateClosed {
		return
	}
	if len(p.Data) > 0 && p.Data[0] >= CodeConfigureRequest && p.Data[0] <= CodeCodeReject {
		f.rxjMinus()
		return
	}
	if f.state == StateAckRcvd {
		f.setState(EvRXJPlus, StateReqSent)
	}
}

// ruc Code-Rejects a packet with an unknown code (scj), truncated to fit.
func (f *FSM) ruc(pkt []byte) {
	if f.state < StateClosed {
		return
	}
	if len(pkt) > maxRejectData {
		pkt = pkt[:maxRejectData]
	}
	f.nextID++
	f.sendPkt(CodeCodeReject, f.nextID, pkt)
}

// maxRejectData keeps Code-Reject and Protocol-Reject within the peer's
// default MRU (RFC 1661 sections 5.6, 5.7: truncate to fit).
const maxRejectData = 1500 - PacketHeaderLen - 2

func (f *FSM) ircConfigure() { f.restart = f.cfg.MaxConfigure }

func (f *FSM) startTimer() {
	f.timerOn = true
	f.deadline = f.now.Add(f.cfg.Restart)
}

// scr sends a Configure-Request with a fresh Identifier: the options may
// have changed, and a new ID is always allowed (5.1).
func (f *FSM) scr() {
	if f.req == nil {
		f.req = make([]byte, 0, 64)
	}
	f.req = f.h.AppendRequest(f.req[:0])
	f.nextID++
	f.reqID = f.nextID
	f.replied = false
	f.restart--
	f.startTimer()
	f.sendPkt(CodeConfigureRequest, f.reqID, f.req)
}

func (f *FSM) sca(p Packet) {
	f.failures = 0
	f.sendPkt(CodeConfigureAck, p.ID, p.Data)
}

func (f *FSM) scn(id, code uint8, reply []byte) {
	if code == CodeConfigureNak {
		f.failures++
	}
	f.sendPkt(code, id, reply)
}

// str sends a Terminate-Request.
func (f *FSM) str() {
	f.nextID++
	f.restart--
	f.startTimer()
	f.sendPkt(CodeTerminateRequest, f.nextID, nil)
}

func (f *FSM) sendPkt(code, id uint8, data []byte) {
	f.send(f.Proto, code, id, data)
}

// NewID returns a fresh Identifier, for packets outside the automaton such
// as LCP Protocol-Reject or Echo-Request.
func (f *FSM) NewID() uint8 {
	f.nextID++
	return f.nextID
}

// replyBuilder collects the reply to a peer's Configure-Request: Rejects
// win over Naks, which win over Ack (RFC 1661 sections 5.2-5.4).
type replyBuilder struct {
	naks, rejs []byte
	rejectNaks bool
}

func (r *replyBuilder) reset(rejectNaks bool) {
	r.naks, r.rejs, r.rejectNaks = r.naks[:0], r.rejs[:0], rejectNaks
}

// reject copies o unchanged into the Configure-Reject.
func (r *replyBuilder) reject(o Option) { r.rejs = appendOptionRaw(r.rejs, o) }

// nak adds a suggested option (already encoded) or, after Max-Failure,
// rejects o instead. It reports whether the Nak was kept.
func (r *replyBuilder) nak(o Option, suggestion []byte) bool {
	if r.rejectNaks {
		r.reject(o)
		return false
	}
	r.naks = append(r.naks, suggestion...)
	return true
}

func (r *replyBuilder) result(reply []byte) (uint8, []byte) {
	switch {
	case len(r.rejs) > 0:
		return CodeConfigureReject, append(reply, r.rejs...)
	case len(r.naks) > 0:
		return CodeConfigureNak, append(reply, r.naks...)
	}
	return CodeConfigureAck, reply
}
