package ppp

import (
	crand "crypto/rand"
	"errors"
	"io"
	"net/netip"
	"slices"
	"time"

	"github.com/sstpgo/sstpgo/logx"
)

// Config configures the client side of a PPP link.
type Config struct {
	Username, Password string
	Auth               []AuthMethod  // allowed methods; empty = all
	MRU                uint16        // MRU we ask for; 0 = 1400
	IPv6               bool          // run IPV6CP too
	NoDNS              bool          // don't ask for DNS servers in IPCP
	Rand               io.Reader     // nil = crypto/rand (magic number, challenges, IDs)
	Restart            time.Duration // restart timer; 0 = 3s
	// Max-Configure, Max-Failure, Max-Terminate (RFC 1661 section 4.6);
	// 0 = 10, 5, 2.
	MaxConfigure, MaxFailure, MaxTerminate int
	Logger                                 *logx.Logger // nil = discard
	// AuthTimeout bounds the Authenticate phase, whatever the method: PAP
	// retransmits (at a growing interval), CHAP and EAP answer the server,
	// until then; then the link ends with ErrAuthTimeout, which is not an
	// AuthError (a retry may work). 0 = no bound of ours: the driver's
	// negotiation timeout ends the call.
	AuthTimeout time.Duration
	// EAPTLS, when set, authenticates with a client certificate: EAP-TLS is
	// then the only method (EAP is Nak'ed toward type 13, the LCP
	// Auth-Protocol toward EAP) and Password is not used.
	EAPTLS *EAPTLSConfig
	// IPv4Hint, when a valid IPv4 address, is asked for in the first IPCP
	// Configure-Request instead of 0.0.0.0 (RFC 1332 section 3.3), so a
	// reconnect can keep its address; a server that disagrees Naks with
	// another, which is then taken.
	IPv4Hint netip.Addr
	// DNSHint, the DNS servers a previous session was given, are asked for
	// in the first request instead of 0.0.0.0 (RFC 1877), so that with
	// IPv4Hint a reconnect's IPCP needs no Nak at all. With exactly one,
	// Secondary-DNS is not asked for: that session did not get one
	// (SoftEther rejects the option). A server that disagrees Naks.
	DNSHint []netip.Addr
}

// DefaultMRU fits a PPP frame with SSTP, TLS, TCP and IP overhead in a
// 1500-byte path.
const DefaultMRU = 1400

// Phase is a link phase (RFC 1661 section 3.2).
type Phase uint8

const (
	PhaseDead Phase = iota
	PhaseEstablish
	PhaseAuthenticate
	PhaseNetwork
	PhaseTerminate
)

var phaseNames = [...]string{"Dead", "Establish", "Authenticate", "Network", "Terminate"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "?"
}

// EventKind says what an Event reports.
type EventKind int

const (
	EventAuthenticated EventKind = iota + 1 // authentication succeeded, once per link
	EventIPv4Up                             // IPCP opened
	EventIPv6Up                             // IPV6CP opened
	EventDown                               // the link is down, for good
)

func (k EventKind) String() string {
	switch k {
	case EventAuthenticated:
		return "authenticated"
	case EventIPv4Up:
		return "ipv4-up"
	case EventIPv6Up:
		return "ipv6-up"
	case EventDown:
		return "down"
	}
	return "?"
}

// IPv4Config is what IPCP negotiated. Peer is the zero Addr when the server
// did not send its own address; DNS holds the servers it gave us (RFC 1877).
type IPv4Config struct {
	Local, Peer netip.Addr
	DNS         []netip.Addr
}

// IPv6Config holds the IPV6CP interface identifiers (RFC 5072); the
// link-local addresses are fe80::/64 plus these.
type IPv6Config struct {
	LocalID, PeerID [8]byte
}

// Event is something the driver must act on.
type Event struct {
	Kind EventKind
	Auth AuthMethod // EventAuthenticated
	// HLAK is the higher-layer key for the SSTP crypto binding: for
	// MS-CHAPv2 (also inside EAP) MasterSendKey‖MasterReceiveKey, for EAP-TLS
	// the first 32 octets of the MSK; zero for other methods.
	HLAK [32]byte
	IPv4 IPv4Config // EventIPv4Up
	IPv6 IPv6Config // EventIPv6Up
	Err  error      // EventDown: why; nil only after our own Close
}

// Client is the sans-IO client side of a PPP link: LCP, authentication,
// IPCP and IPV6CP. Feed it received frames with Input, call Timeout at
// Deadline, and after every call send Output, then act on Events. (The IPCP
// request queued with EventAuthenticated may go out before Call Connected:
// servers take PPP control frames in Call_Connected_Pending, MS-SSTP
// 3.3.7.1.) It is not safe for concurrent use.
type Client struct {
	cfg     Config
	fsmCfg  FSMConfig
	log     *logx.Logger
	rand    io.Reader
	allowed []AuthMethod // strongest first

	now   time.Time
	phase Phase

	lcp, ipcp, ipv6cp  *FSM
	lcpH               *lcpHandler
	ipcpH              *ipcpHandler
	ipv6H              *ipv6cpHandler
	auth               authenticator
	started, closing   bool
	authDone, downSent bool
	authDue            time.Time // Config.AuthTimeout runs out; zero = no bound
	pendingErr         error
	out                [][]byte
	events             []Event
	scratch            []byte
}

// authenticator is one authentication protocol run (PAP, CHAP, EAP).
type authenticator interface {
	proto() uint16
	start()
	input(p Packet)
	timeout(now time.Time)
	deadline() (time.Time, bool)
}

// NewClient makes a client in the Dead phase; Start begins negotiation.
func NewClient(cfg Config) *Client {
	c := &Client{cfg: cfg, log: cfg.Logger, rand: cfg.Rand}
	if c.rand == nil {
		c.rand = crand.Reader
	}
	if c.cfg.MRU == 0 {
		c.cfg.MRU = DefaultMRU
	}
	c.allowed = sortedMethods(cfg.Auth)
	if cfg.EAPTLS != nil {
		c.allowed = onlyEAP(c.allowed)
	}
	c.fsmCfg = FSMConfig{Restart: cfg.Restart, MaxConfigure: cfg.MaxConfigure,
		MaxFailure: cfg.MaxFailure, MaxTerminate: cfg.MaxTerminate}.withDefaults()
	c.lcpH = newLCPHandler(c)
	c.lcp = NewFSM("LCP", ProtoLCP, c.lcpH, c.sendPacket, c.fsmCfg, c.log)
	c.ipcpH = newIPCPHandler(c)
	c.ipcp = NewFSM("IPCP", ProtoIPCP, c.ipcpH, c.sendPacket, c.fsmCfg, c.log)
	c.ipv6H = newIPV6CPHandler(c)
	c.ipv6cp = NewFSM("IPV6CP", ProtoIPV6CP, c.ipv6H, c.sendPacket, c.fsmCfg, c.log)
	return c
}

// sortedMethods returns the allowed methods strongest first; none = all.
func sortedMethods(list []AuthMethod) []AuthMethod {
	if len(list) == 0 {
		return allMethods
	}
	out := make([]AuthMethod, 0, len(list))
	for _, m := range allMethods {
		if containsMethod(list, m) {
			out = append(out, m)
		}
	}
	return out
}

// onlyEAP keeps EAP if allowed: a client certificate is only usable there.
func onlyEAP(list []AuthMethod) []AuthMethod {
	if containsMethod(list, AuthEAP) {
		return []AuthMethod{AuthEAP}
	}
	return []AuthMethod{}
}

// Start is "lower layer up": the SSTP call is connected, so LCP sends its
// first Configure-Request (SoftEther waits for the client to speak first).
func (c *Client) Start(now time.Time) {
	if c.started {
		return
	}
	c.now = now
	c.started = true
	c.setPhase(PhaseEstablish)
	c.lcp.Open(now)
	c.lcp.Up(now)
	c.settle()
}

// Input handles one received PPP frame. IPv4/IPv6 data frames belong to the
// data path and are ignored here.
func (c *Client) Input(now time.Time, frame []byte) {
	c.now = now
	proto, payload, err := ParseFrame(frame)
	if err != nil || c.phase == PhaseDead {
		return
	}
	c.dispatch(proto, payload)
	c.settle()
}

// dispatch routes by protocol and phase: before the Network phase only LCP
// and the authentication protocol are accepted, others are silently
// discarded (RFC 1661 sections 3.3-3.5).
func (c *Client) dispatch(proto uint16, payload []byte) {
	switch {
	case proto == ProtoLCP:
		c.lcp.Input(c.now, payload)
	case proto == ProtoIPv4 || proto == ProtoIPv6:
	case c.auth != nil && proto == c.auth.proto():
		if c.phase == PhaseAuthenticate || c.phase == PhaseNetwork {
			c.auth.input(parseOrZero(payload))
		}
	case c.phase != PhaseNetwork:
	case proto == ProtoIPCP:
		c.ipcp.Input(c.now, payload)
	case proto == ProtoIPV6CP && c.cfg.IPv6:
		c.ipv6cp.Input(c.now, payload)
	case proto == ProtoPAP || proto == ProtoCHAP || proto == ProtoEAP:
		// An authentication protocol we did not agree on: drop it.
	default:
		c.protocolReject(proto, payload)
	}
}

// parseOrZero returns a Packet with Code 0 (ignored by every
// authenticator) when the packet is malformed.
func parseOrZero(b []byte) Packet {
	p, err := ParsePacket(b)
	if err != nil {
		return Packet{}
	}
	return p
}

// protocolReject sends LCP Protocol-Reject for an unsupported protocol
// (RFC 1661 section 5.7), truncated to fit the peer's MRU.
func (c *Client) protocolReject(proto uint16, info []byte) {
	if c.lcp.State() != StateOpened {
		return
	}
	if max := c.PeerMRU() - PacketHeaderLen - 2; len(info) > max {
		info = info[:max]
	}
	c.log.Debug("ppp protocol-reject", "proto", int(proto))
	b := append(c.scratch[:0], byte(proto>>8), byte(proto))
	c.scratch = append(b, info...)
	c.sendPacket(ProtoLCP, CodeProtocolReject, c.lcp.NewID(), c.scratch)
}

// Timeout runs every timer that is due.
func (c *Client) Timeout(now time.Time) {
	c.now = now
	c.lcp.Timeout(now)
	c.ipcp.Timeout(now)
	c.ipv6cp.Timeout(now)
	if c.auth != nil {
		c.auth.timeout(now)
	}
	if c.authWaiting() && !now.Before(c.authDue) {
		c.fatal(&authTimeoutError{method: c.lcpH.authMethod, after: c.cfg.AuthTimeout})
	}
	c.settle()
}

// authWaiting tells whether the Config.AuthTimeout bound is running.
func (c *Client) authWaiting() bool {
	return c.auth != nil && !c.authDone && !c.authDue.IsZero()
}

// Deadline is the earliest time Timeout must be called, if any timer runs.
func (c *Client) Deadline() (time.Time, bool) {
	var d time.Time
	ok := false
	add := func(t time.Time, on bool) {
		if on && (!ok || t.Before(d)) {
			d, ok = t, true
		}
	}
	add(c.lcp.Deadline())
	add(c.ipcp.Deadline())
	add(c.ipv6cp.Deadline())
	if c.auth != nil {
		add(c.auth.deadline())
	}
	add(c.authDue, c.authWaiting())
	return d, ok
}

// Output returns the frames to send, in order, and forgets them; each frame
// is a full PPP frame (FF 03, protocol, packet) the caller now owns.
func (c *Client) Output() [][]byte {
	out := c.out
	c.out = nil
	return out
}

// Events returns what happened since the last call and forgets it.
func (c *Client) Events() []Event {
	ev := c.events
	c.events = nil
	return ev
}

// Close terminates the link: LCP Terminate-Request, then EventDown with a
// nil Err once the server acknowledges or Max-Terminate runs out. Calling it
// again, or after the link went down, does nothing.
func (c *Client) Close(now time.Time) {
	c.now = now
	if c.closing || c.downSent {
		return
	}
	c.closing = true
	c.stopUpperLayers()
	if c.phase != PhaseDead {
		c.setPhase(PhaseTerminate)
	}
	c.lcp.Close(now)
	c.settle()
}

// PeerMRU is the largest packet we may send and expect: the smaller of the
// MRU the server accepted from us and the MRU it told us (1500 by default,
// RFC 1661 section 6.1).
func (c *Client) PeerMRU() int {
	return c.lcpH.linkMRU()
}

// Phase is the current link phase.
func (c *Client) Phase() Phase { return c.phase }

func (c *Client) setPhase(p Phase) {
	if p == c.phase {
		return
	}
	if c.log.Enabled(logx.LevelDebug) {
		c.log.Debug("ppp phase", "from", c.phase.String(), "to", p.String())
	}
	c.phase = p
}

// sendPacket is the FSMs' and authenticators' SendFunc.
func (c *Client) sendPacket(proto uint16, code, id uint8, data []byte) {
	b := make([]byte, 0, FrameHeaderLen+PacketHeaderLen+len(data))
	b = AppendFrame(b, proto)
	c.out = append(c.out, AppendPacket(b, code, id, data))
}

func (c *Client) emit(e Event) { c.events = append(c.events, e) }

// fatal records a link-ending error; settle acts on it once the current
// packet is fully handled, so handlers never re-enter their own FSM.
func (c *Client) fatal(err error) {
	if c.pendingErr == nil && !c.downSent {
		c.pendingErr = err
	}
}

// settle runs deferred work after every entry point: a pending error takes
// the link down, and a finished LCP means the Dead phase.
func (c *Client) settle() {
	if err := c.pendingErr; err != nil {
		c.pendingErr = nil
		c.fail(err)
	}
	if !c.started {
		if c.closing && !c.downSent {
			c.downSent = true
			c.emit(Event{Kind: EventDown})
		}
		return
	}
	switch c.lcp.State() {
	case StateInitial, StateStarting, StateClosed, StateStopped:
		c.setPhase(PhaseDead)
		if !c.downSent {
			c.downSent = true
			c.emit(Event{Kind: EventDown})
		}
	}
}

// fail emits EventDown with err and tears the link down: LCP
// Terminate-Request, except when the server terminated it itself.
func (c *Client) fail(err error) {
	if c.downSent {
		return
	}
	c.log.Debug("ppp link failed", "err", err)
	c.downSent = true
	c.emit(Event{Kind: EventDown, Err: err})
	c.stopUpperLayers()
	c.setPhase(PhaseTerminate)
	if errors.Is(err, ErrPeerTerminated) && c.lcpH.peerTerminated {
		c.lcp.Down(c.now) // the server is gone: no Terminate-Request
	}
	c.lcp.Close(c.now)
}

// Release stops what the client runs beside its owner's goroutine (the
// EAP-TLS handshake) when the link is abandoned without Close running its
// course, e.g. the driver's connect timeout. The client is not used after.
func (c *Client) Release() {
	if s, ok := c.auth.(interface{ stop() }); ok {
		s.stop()
	}
}

// stopUpperLayers silences authentication and the network control
// protocols; LCP's Terminate-Request covers them (RFC 1661 section 3.7).
func (c *Client) stopUpperLayers() {
	if s, ok := c.auth.(interface{ stop() }); ok {
		s.stop()
	}
	c.auth = nil
	for _, f := range []*FSM{c.ipcp, c.ipv6cp} {
		f.Down(c.now)
		f.Close(c.now)
	}
}

// linkDown reports whether events from upper layers should be ignored.
func (c *Client) linkDown() bool { return c.closing || c.downSent || c.pendingErr != nil }

// lcpUp is LCP's tlu: enter the Authenticate phase with the method the
// server asked for (RFC 1661 section 3.4).
func (c *Client) lcpUp() {
	c.setPhase(PhaseAuthenticate)
	m := c.lcpH.authMethod
	switch m {
	case AuthNone:
		if len(c.cfg.Auth) > 0 {
			c.fatal(&noAuthError{allowed: c.allowed})
			return
		}
		c.authSucceeded(AuthNone, [32]byte{})
		return
	case AuthPAP:
		// Once per link, i.e. per connection: the server (and anyone
		// holding its TLS key) reads the password itself.
		c.log.Warn("ppp: PAP negotiated: the password crosses to the server in clear text inside TLS; prefer --auth mschapv2 or eap")
		c.auth = &papAuth{c: c}
	case AuthCHAP, AuthMSCHAPv2:
		c.auth = &chapAuth{c: c, ms: m == AuthMSCHAPv2}
	case AuthEAP:
		c.auth = newEAPAuth(c)
	}
	c.log.Debug("ppp authenticate", "method", m.String(), "user", c.cfg.Username)
	if c.cfg.AuthTimeout > 0 {
		c.authDue = c.now.Add(c.cfg.AuthTimeout)
	}
	c.auth.start()
}

// authSucceeded enters the Network phase and starts the NCPs.
func (c *Client) authSucceeded(m AuthMethod, hlak [32]byte) {
	if c.authDone || c.linkDown() {
		return
	}
	c.authDone = true
	c.emit(Event{Kind: EventAuthenticated, Auth: m, HLAK: hlak})
	c.setPhase(PhaseNetwork)
	c.ipcp.Open(c.now)
	c.ipcp.Up(c.now)
	if c.cfg.IPv6 {
		c.ipv6cp.Open(c.now)
		c.ipv6cp.Up(c.now)
	}
}

// dropOption logs an optional option given up after a Nak loop.
func (c *Client) dropOption(proto, option, suggested string) {
	if suggested != "" {
		c.log.Warn("ppp: server keeps Nak'ing an optional option, continuing without it",
			"proto", proto, "option", option, "suggested", suggested)
		return
	}
	c.log.Warn("ppp: server keeps Nak'ing an optional option, continuing without it", "proto", proto, "option", option)
}

// random fills b from Config.Rand, falling back to crypto/rand.
func (c *Client) random(b []byte) {
	if _, err := io.ReadFull(c.rand, b); err != nil {
		c.log.Warn("ppp: random source failed, using crypto/rand", "err", err)
		crand.Read(b)
	}
}

// randomNonZero fills b with random bytes, not all zero.
func (c *Client) randomNonZero(b []byte) {
	for range 8 {
		c.random(b)
		if slices.ContainsFunc(b, func(x byte) bool { return x != 0 }) {
			return
		}
	}
	b[len(b)-1] = 1
}
