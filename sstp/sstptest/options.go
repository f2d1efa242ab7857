package sstptest

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

// Personality selects which real server the test server imitates (PROTOCOL.md section 4).
type Personality int

const (
	// RRAS imitates Windows RRAS: MS-CHAPv2/EAP only, LCP with MRU and Magic-Number, SHA-1 and
	// SHA-256 offered, the crypto binding verified and required within ConnectedTimeout.
	RRAS Personality = iota
	// SoftEther imitates SoftEther VPN Server 4.x: the client speaks PPP first, PAP offered alone,
	// Magic-Number rejected, SHA-256 only, binding not checked, echoes every 3 s, IPV6CP and the
	// Secondary-DNS option rejected, strict FF 03 framing.
	SoftEther
	// Generic accepts every method, both hashes, and checks the binding (zero HLAK without
	// MS-CHAPv2 keys).
	Generic
)

var personalityNames = [...]string{RRAS: "rras", SoftEther: "softether", Generic: "generic"}

func (p Personality) String() string {
	if p >= 0 && int(p) < len(personalityNames) {
		return personalityNames[p]
	}
	return fmt.Sprintf("personality(%d)", int(p))
}

// ParsePersonality parses "rras", "softether" or "generic".
func ParsePersonality(s string) (Personality, error) {
	for i, n := range personalityNames {
		if n == s {
			return Personality(i), nil
		}
	}
	return 0, fmt.Errorf("sstptest: unknown personality %q", s)
}

// Fault is a hostile or broken behaviour the server shows instead of the normal protocol.
type Fault int

const (
	// FaultNone: behave normally.
	FaultNone Fault = iota
	// FaultTruncatedPacket: answer the Connect Request with a Connect Ack whose Length says
	// 20 bytes more than are sent, then close the connection.
	FaultTruncatedPacket
	// FaultLengthTooLong: answer with a Connect Ack whose Length field is 4095 while only the
	// real 48 bytes follow; the connection then stays open and silent.
	FaultLengthTooLong
	// FaultBadVersion: answer with a Connect Ack whose version byte is 0x20, then stay silent.
	FaultBadVersion
	// FaultUnknownMessage: answer with a control message of unknown type 0x00FF (no
	// attributes) instead of the Connect Ack, then stay silent.
	FaultUnknownMessage
	// FaultBadAttrLength: answer with a Connect Ack whose CRYPTO_BINDING_REQ attribute length
	// says 0x0FF0 (more than the packet holds), then stay silent.
	FaultBadAttrLength
	// FaultHTTP302: answer the HTTP request with "302 Found" (Location set), then close.
	FaultHTTP302
	// FaultHTTP401: answer the HTTP request with "401 Unauthorized", then close.
	FaultHTTP401
	// FaultHTTP500: answer the HTTP request with "500 Internal Server Error", then close.
	FaultHTTP500
	// FaultEndlessHeader: answer "HTTP/1.1 200 OK" and then header lines forever, until the
	// client closes or the server is closed.
	FaultEndlessHeader
	// FaultSilent: complete the TLS handshake, then never answer (input is read and discarded).
	FaultSilent
	// FaultNoConnectAck: answer HTTP, read the Connect Request, never answer it.
	FaultNoConnectAck
	// FaultConnectNak: answer every Connect Request with CALL_CONNECT_NAK carrying a
	// STATUS_INFO (ENCAPSULATED_PROTOCOL_ID, VALUE_NOT_SUPPORTED).
	FaultConnectNak
	// FaultLCPNeverConverges: Configure-Nak every LCP Configure-Request (with a different MRU
	// each time) forever.
	FaultLCPNeverConverges
	// FaultStopReading: once the network phase is up, stop reading from (and writing to) the
	// connection until the server is closed.
	FaultStopReading
	// FaultAbortAfterConnect: send CALL_ABORT (STATUS_INFO NO_ERROR) as soon as the network
	// phase is up, then close.
	FaultAbortAfterConnect
	// FaultDropEchoes: never answer SSTP ECHO_REQUEST nor LCP Echo-Request (dead-peer tests).
	FaultDropEchoes
	// FaultLateIPv6: with IPv6, open IPV6CP only after the IPv4 link is up: our IPV6CP
	// request waits, and the client's are dropped, for one restart period (3 s) into the
	// network phase; the client's retransmission then brings it up (RFC 1661 4.6).
	FaultLateIPv6
)

var faultNames = [...]string{
	FaultNone:              "none",
	FaultTruncatedPacket:   "truncated-packet",
	FaultLengthTooLong:     "length-too-long",
	FaultBadVersion:        "bad-version",
	FaultUnknownMessage:    "unknown-message",
	FaultBadAttrLength:     "bad-attr-length",
	FaultHTTP302:           "http-302",
	FaultHTTP401:           "http-401",
	FaultHTTP500:           "http-500",
	FaultEndlessHeader:     "endless-header",
	FaultSilent:            "silent",
	FaultNoConnectAck:      "no-connect-ack",
	FaultConnectNak:        "connect-nak",
	FaultLCPNeverConverges: "lcp-never-converges",
	FaultStopReading:       "stop-reading",
	FaultAbortAfterConnect: "abort-after-connect",
	FaultDropEchoes:        "drop-echoes",
	FaultLateIPv6:          "late-ipv6",
}

func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

// Faults lists every Fault, FaultNone first.
func Faults() []Fault {
	fs := make([]Fault, len(faultNames))
	for i := range fs {
		fs[i] = Fault(i)
	}
	return fs
}

// ParseFault parses a Fault's String() form, e.g. "http-302".
func ParseFault(s string) (Fault, error) {
	for i, n := range faultNames {
		if n == s {
			return Fault(i), nil
		}
	}
	return 0, fmt.Errorf("sstptest: unknown fault %q", s)
}

// Options configures a Server. The zero value is a Windows RRAS lookalike with user "user",
// password "pass".
type Options struct {
	Personality Personality
	// Users maps user name to password; nil means {"user": "pass"}. Names sent as
	// "HUB\user" or "user@HUB" are looked up as "user" when the full name is not found.
	Users map[string]string
	// Auth lists the methods offered, in order; nil = personality default (RRAS: mschapv2,
	// eap; SoftEther: pap, mschapv2, chap; Generic: mschapv2, eap, chap, pap).
	Auth []ppp.AuthMethod
	// HashBitmask is the CRYPTO_BINDING_REQ bitmask; 0 = personality default (RRAS and
	// Generic 0x03, SoftEther 0x02).
	HashBitmask uint8
	// VerifyBinding: drop the call when CALL_CONNECTED is wrong or missing. nil = personality
	// default (RRAS and Generic true, SoftEther false). BindingErr is recorded either way.
	VerifyBinding *bool
	// ConnectedTimeout is how long after authentication CALL_CONNECTED may take when the
	// binding is verified; 0 = 60 s (MS-SSTP negotiation timer).
	ConnectedTimeout time.Duration
	// ServerIP is the server's tunnel address; default 10.0.0.1.
	ServerIP netip.Addr
	// Pool holds client addresses, handed out from .2 upwards (ServerIP skipped), or the one
	// a client's first IPCP request asks for if that is free; default 10.0.0.0/24.
	Pool netip.Prefix
	// DNS servers given in IPCP; default 10.0.0.53, 10.0.0.54 (SoftEther rejects the
	// Secondary-DNS option).
	DNS []netip.Addr
	// PPPQuirks are PPP-side quirks of real servers (pppquirks.go).
	PPPQuirks
	// IPv6 accepts IPV6CP (the SoftEther personality Protocol-Rejects it regardless).
	IPv6 bool
	// EchoInterval is the period of server-initiated SSTP ECHO_REQUESTs; 0 = personality
	// default (SoftEther 3 s, others off), negative = off.
	EchoInterval time.Duration
	// LCPEchoInterval is the period of server LCP Echo-Requests once the network phase is up;
	// 0 = personality default (SoftEther 5 s with magic 0, others off), negative = off.
	LCPEchoInterval time.Duration
	// IdleTimeout sends CALL_ABORT after this long with no SSTP packet from the client;
	// 0 = personality default (SoftEther 10 s, others off), negative = off.
	IdleTimeout time.Duration
	// PPPIdleTimeout ends the link with LCP Terminate-Request after this long in the
	// network phase with no PPP frame (data or control) from the client; 0 = personality
	// default (SoftEther 20 s, others off), negative = off.
	PPPIdleTimeout time.Duration
	// Fault makes the server misbehave (see the Fault constants).
	Fault Fault

	// Timing quirks of real servers (timing.go).

	// AuthDelay holds the answer to the client's first authentication packet this long, as
	// NPS does while an MFA push waits for the user or a RADIUS server is slow: the server
	// stops retransmitting and ignores the client's retransmissions meanwhile, then answers
	// the latest one. 0 = answer at once.
	AuthDelay time.Duration
	// AbortEarlyEcho answers an SSTP ECHO_REQUEST received before CALL_CONNECTED with
	// CALL_ABORT, as accel-ppp does (its hello timer only runs in the connected state).
	AbortEarlyEcho bool
	// DisconnectAfterUp sends CALL_DISCONNECT as soon as the network phase is up (the server
	// ending the call cleanly: an admin's disconnect, a session time limit).
	DisconnectAfterUp bool
	// TLSConfig with a certificate; nil = a generated self-signed ECDSA P-256 certificate for
	// "localhost", 127.0.0.1, ::1 and Hostnames. TLS 1.2 is the minimum either way.
	TLSConfig *tls.Config
	// EAPTLS makes EAP offer EAP-TLS (RFC 5216) first, with this server configuration
	// (ClientCAs, ClientAuth: tls.RequireAndVerifyClientCert); no Certificates = the HTTPS
	// certificate. TLS 1.2 is forced. A client that Naks it toward EAP-MSCHAPv2 gets that.
	EAPTLS *tls.Config
	// Hostnames are extra DNS names or IP addresses for the generated certificate.
	Hostnames []string
	// Logger receives the session events; nil = discard.
	Logger *slog.Logger
	// HandleIP receives the client's IPv4/IPv6 packets (pkt is only valid during the call),
	// in order, one call at a time per session; nil = answer ICMP echo requests addressed to
	// ServerIP.
	HandleIP func(s *Session, pkt []byte)
	// DHCP answers DHCPINFORMs through the tunnel before HandleIP sees them; nil = none.
	DHCP *DHCPResponder
}

// config is Options with every default resolved.
type config struct {
	Options
	bitmask          uint8
	verify           bool
	connectedTimeout time.Duration
	echoInterval     time.Duration
	lcpEchoInterval  time.Duration
	idleTimeout      time.Duration
	pppIdleTimeout   time.Duration
	restart          time.Duration // PPP restart timer (RFC 1661 4.6)
	maxConfigure     int
	grace            time.Duration // wait for Terminate-Ack / DISCONNECT_ACK
	log              *slog.Logger
}

func resolve(o Options) *config {
	c := &config{Options: o, restart: 3 * time.Second, maxConfigure: 10, grace: time.Second}
	soft := o.Personality == SoftEther
	if c.Users == nil {
		c.Users = map[string]string{"user": "pass"}
	}
	if c.Auth == nil {
		c.Auth = defaultAuth(o.Personality)
	}
	c.bitmask = o.HashBitmask
	if c.bitmask == 0 {
		c.bitmask = 0x03
		if soft {
			c.bitmask = 0x02
		}
	}
	c.verify = !soft
	if o.VerifyBinding != nil {
		c.verify = *o.VerifyBinding
	}
	c.connectedTimeout = durOr(o.ConnectedTimeout, 60*time.Second)
	if !c.ServerIP.IsValid() {
		c.ServerIP = netip.AddrFrom4([4]byte{10, 0, 0, 1})
	}
	if !c.Pool.IsValid() {
		c.Pool = netip.MustParsePrefix("10.0.0.0/24")
	}
	if c.DNS == nil {
		c.DNS = []netip.Addr{netip.AddrFrom4([4]byte{10, 0, 0, 53}), netip.AddrFrom4([4]byte{10, 0, 0, 54})}
	}
	c.echoInterval = persDur(o.EchoInterval, soft, 3*time.Second)
	c.lcpEchoInterval = persDur(o.LCPEchoInterval, soft, 5*time.Second)
	c.idleTimeout = persDur(o.IdleTimeout, soft, 10*time.Second)
	c.pppIdleTimeout = persDur(o.PPPIdleTimeout, soft, 20*time.Second)
	c.log = o.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

func defaultAuth(p Personality) []ppp.AuthMethod {
	switch p {
	case SoftEther:
		return []ppp.AuthMethod{ppp.AuthPAP, ppp.AuthMSCHAPv2, ppp.AuthCHAP}
	case Generic:
		return []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthEAP, ppp.AuthCHAP, ppp.AuthPAP}
	}
	return []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthEAP}
}

func durOr(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// persDur resolves a "0 = personality default, negative = off" duration; only SoftEther has
// these timers on by default.
func persDur(d time.Duration, soft bool, softDefault time.Duration) time.Duration {
	switch {
	case d < 0:
		return 0
	case d == 0 && soft:
		return softDefault
	}
	return d
}

// allowed reports whether m is one of the configured methods.
func (c *config) allowed(m ppp.AuthMethod) bool {
	for _, a := range c.Auth {
		if a == m {
			return true
		}
	}
	return false
}
