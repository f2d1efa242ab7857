package sstp

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
)

// Defaults for the client's timers. MS-SSTP 3.2.2 gives 60 s for negotiation and
// for the hello timer; routers want a dead path noticed far sooner, so the hello
// defaults detect a silent peer within 30 s (the hello timer runs only once the
// call is connected).
const (
	DefaultPort = "443"
	// DefaultNegotiationTimeout bounds one connection attempt, TCP to IP
	// configured (the CLI's --connect-timeout). Authentication can be silent
	// for up to a minute: the NPS extension for Entra MFA asks for a 60 s
	// RADIUS timeout on the VPN server so a phone approval can get through,
	// and Windows clients wait for it. 90 s lets such a 45-60 s approval
	// through, plus the TCP, TLS, HTTPS, SSTP and LCP round trips before it
	// and IPCP after it on a slow link; MS-SSTP's own 60 s negotiation timer
	// (Call Connect Request to Call Connected) would cut a 59 s approval.
	DefaultNegotiationTimeout = 90 * time.Second
	// DefaultDialTimeout bounds DNS, TCP, TLS and the HTTPS request within
	// that: nothing in them waits for a person, so a silent or blackholed
	// server costs a reconnect attempt 30 s, as it did before the longer
	// connect timeout, not 90 s.
	DefaultDialTimeout   = 30 * time.Second
	DefaultHelloInterval = 10 * time.Second
	DefaultHelloTimeout  = 20 * time.Second
	// DefaultDisconnectWait is how long Close waits for Call Disconnect Ack.
	// MS-SSTP 3.1.2.2 suggests 5 s; netifd SIGKILLs a handler's daemon 5 s
	// after teardown starts and the routes and device still have to go, and
	// the server learns of the end from TLS close_notify anyway, so 1 s (an
	// ack on a 300 ms path comes well within it).
	DefaultDisconnectWait = time.Second
	// DefaultAbortWait: after our Call Abort, the wait for the server's
	// (MS-SSTP 3.1.2.1, TIMER_VAL_ABORT_STATE_TIMER_1).
	DefaultAbortWait = 3 * time.Second
)

// Config describes one SSTP connection.
type Config struct {
	// Server is "host", "host:port" or "[v6]:port"; the port defaults to 443.
	Server string
	// SNI is the TLS server name sent and verified; empty means the host of Server.
	SNI string
	// RootCAs verifies the server certificate; nil means the system roots.
	RootCAs *x509.CertPool
	// PinSHA256, when set, is the SHA-256 of the server certificate (DER); a
	// matching certificate is accepted without a CA chain, any other refused.
	PinSHA256 []byte
	// InsecureSkipVerify accepts any certificate. Logged loudly on every connect.
	InsecureSkipVerify bool
	// RequireForwardSecrecy refuses servers that only take RSA key exchange.
	// Without it such a server (RouterOS with pfs=no, old SChannel setups) is
	// dialled again offering those suites too, with a warning: see
	// legacySuites.
	RequireForwardSecrecy bool
	// OfferRSAKeyExchange puts the RSA key exchange suites in the first
	// offer: for reconnects to a server that took them (Info.LegacyTLS),
	// which saves the refused first handshake. Ignored with
	// RequireForwardSecrecy.
	OfferRSAKeyExchange bool
	// KeyLogWriter receives TLS secrets in NSS key log format (for Wireshark).
	KeyLogWriter io.Writer
	// ClientCertificates are offered to the server at the TLS layer.
	ClientCertificates []tls.Certificate
	// SessionCache, shared by the dials of one daemon, lets a reconnect
	// resume the TLS session as Windows' own client does: one round trip
	// fewer against a TLS 1.2 server, and no certificate chain to parse and
	// check again on a slow CPU. The pin (PinSHA256) is still checked on a
	// resumed session. Nil: every dial is a full handshake.
	SessionCache tls.ClientSessionCache

	// PPP configures the PPP link (credentials, allowed methods, MRU).
	PPP ppp.Config

	// DialContext opens the TCP connection (a proxy plugs in here); nil means net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Resolver looks up the server; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Proxy, when set, is an HTTP proxy the connection goes through with
	// CONNECT; the proxy, not this machine, resolves the server name.
	Proxy *Proxy

	// NegotiationTimeout bounds everything from TCP connect to the network phase.
	NegotiationTimeout time.Duration
	// DialTimeout bounds the part of it up to the HTTPS answer (DNS, TCP,
	// TLS, HTTP); default DefaultDialTimeout, never more than NegotiationTimeout.
	DialTimeout time.Duration
	// HelloInterval is the idle time after which an SSTP Echo Request is sent;
	// HelloTimeout is how long a reply may then take before the peer is dead.
	HelloInterval, HelloTimeout time.Duration

	// Deliver receives every IPv4/IPv6 packet from the server (the TUN write).
	// It runs on the session's reader goroutine; pkt is valid only during the call.
	Deliver func(pkt []byte)
	// OnStep, if set, is told each connection step as it completes.
	OnStep func(step Step, detail string)
	// Logger receives progress and protocol logs; nil discards them.
	Logger *logx.Logger

	hooks         *testHooks    // tests only: corrupt what a broken client would send
	fallbackDelay time.Duration // tests only: 0 = FallbackDelay (RFC 8305)
}

// testHooks let tests play a broken client against a strict server.
type testHooks struct {
	hlak              func(h []byte)
	certHash          func(h *[32]byte)
	skipCallConnected bool
}

// Step names the stages of a connection, in order (used by logs and diagnose).
type Step int

// The connection steps.
const (
	StepDNS Step = iota
	StepTCP
	StepTLS
	StepHTTP
	StepSSTP
	StepLCP // the PPP link (LCP) until authentication starts
	StepAuth
	StepIP
	// StepTunnel is not a connection step: errors that end a session after
	// the network phase carry it.
	StepTunnel
)

var stepNames = [...]string{"DNS", "TCP", "TLS", "HTTPS", "SSTP", "PPP link (LCP)", "PPP authentication", "IP configuration", "tunnel"}

func (s Step) String() string {
	if int(s) < len(stepNames) {
		return stepNames[s]
	}
	return "step " + strconv.Itoa(int(s))
}

// Error is a connection failure at a given step, with a hint for the admin.
type Error struct {
	Step Step
	Err  error
	Hint string
}

func (e *Error) Error() string {
	return e.Step.String() + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// CertError is a server certificate that failed verification. No credential
// has been sent when it is returned.
type CertError struct{ Err error }

func (e *CertError) Error() string { return "server certificate rejected: " + e.Err.Error() }
func (e *CertError) Unwrap() error { return e.Err }

// Sentinel errors of the client engine.
var (
	ErrPinMismatch       = errors.New("certificate fingerprint does not match the pinned SHA-256")
	ErrConnectNak        = errors.New("server refused the call (CALL_CONNECT_NAK)")
	ErrAborted           = errors.New("server aborted the call (CALL_ABORT)")
	ErrServerDisconnect  = errors.New("server disconnected the call (CALL_DISCONNECT)")
	ErrPeerDead          = errors.New("no answer to SSTP echo: the path to the server is dead")
	ErrNegotiationTimout = errors.New("negotiation timed out")
	ErrUnexpectedMessage = errors.New("unexpected SSTP message")
	ErrClosed            = errors.New("session closed")
	// ErrConnectionClosed: the server closed the connection (TCP FIN or TLS
	// close_notify) without ending the call first.
	ErrConnectionClosed = errors.New("server closed the connection")
	// ErrConnectionLost: reading from the server failed (TCP reset, a broken
	// TLS record); the wrapped error says how.
	ErrConnectionLost = errors.New("connection to the server lost")
)

// IsAuthError reports whether err is an authentication rejection (retrying cannot help).
func IsAuthError(err error) bool {
	var ae *ppp.AuthError
	return errors.As(err, &ae) || errors.Is(err, ppp.ErrNoAuthMethod)
}

// IsCertError reports whether err is a certificate rejection.
func IsCertError(err error) bool {
	var ce *CertError
	return errors.As(err, &ce) || errors.Is(err, ppp.ErrEAPServerCert)
}

func (c *Config) withDefaults() Config {
	cfg := *c
	if cfg.NegotiationTimeout <= 0 {
		cfg.NegotiationTimeout = DefaultNegotiationTimeout
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	cfg.DialTimeout = min(cfg.DialTimeout, cfg.NegotiationTimeout)
	if cfg.HelloInterval <= 0 {
		cfg.HelloInterval = DefaultHelloInterval
	}
	if cfg.HelloTimeout <= 0 {
		cfg.HelloTimeout = DefaultHelloTimeout
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.DialContext == nil {
		d := &net.Dialer{KeepAlive: 15 * time.Second}
		cfg.DialContext = d.DialContext
	}
	if cfg.PPP.Logger == nil {
		cfg.PPP.Logger = cfg.Logger
	}
	return cfg
}

// SplitServer returns host and port of a server string, defaulting the port to 443.
func SplitServer(server string) (host, port string, err error) {
	if server == "" {
		return "", "", errors.New("no server given")
	}
	if h, p, err := net.SplitHostPort(server); err == nil {
		return h, p, nil
	}
	s := strings.TrimSuffix(strings.TrimPrefix(server, "["), "]")
	return s, DefaultPort, nil
}

// ParsePin parses a SHA-256 fingerprint given as 64 hex digits, with or without colons.
func ParsePin(s string) ([]byte, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("pin must be 64 hex digits (SHA-256 of the server certificate)")
	}
	return b, nil
}

// Fingerprint is the SHA-256 of a certificate's DER, as colon-separated hex.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	const digits = "0123456789ABCDEF"
	b := make([]byte, 0, 3*len(sum))
	for i, v := range sum {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, digits[v>>4], digits[v&15])
	}
	return string(b)
}

// tlsConfig leaves CipherSuites unset on purpose: crypto/tls then orders its
// offer by this CPU. With AES hardware (x86 AES-NI, ARMv8 crypto extensions)
// AES-GCM comes first; without it (MIPS routers, most ARMv7) ChaCha20-Poly1305
// does, which runs several times faster in software. The server makes the
// final choice: Go servers and SoftEther honour a client that puts ChaCha20
// first; Windows RRAS (SChannel) picks by its own order, usually AES-GCM.
// scripts/bench.sh shows the suite each build negotiates.
//
// With legacy the offer also holds the RSA key exchange suites (no forward
// secrecy), which Go leaves out by default; Go still ranks them below every
// ECDHE suite, whatever the order here.
func (c *Config) tlsConfig(host string, legacy bool) *tls.Config {
	tc := &tls.Config{
		ServerName:   host,
		RootCAs:      c.RootCAs,
		MinVersion:   tls.VersionTLS12,
		KeyLogWriter: c.KeyLogWriter,
		Certificates: c.ClientCertificates,
		// A resumed session keeps the server's certificates, so the crypto
		// binding's certificate hash is the same as after a full handshake.
		ClientSessionCache: c.SessionCache,
		// Renegotiation stays at its default, never.
	}
	if legacy {
		tc.CipherSuites = legacySuites()
	}
	if c.SNI != "" {
		tc.ServerName = c.SNI
	}
	if len(c.PinSHA256) > 0 || c.InsecureSkipVerify {
		tc.InsecureSkipVerify = true
		pin := c.PinSHA256
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(pin) == 0 {
				return nil
			}
			if len(cs.PeerCertificates) == 0 {
				return ErrPinMismatch
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
				return &PinMismatchError{Seen: Fingerprint(cs.PeerCertificates[0].Raw)}
			}
			return nil
		}
	}
	return tc
}

// legacySuites is Go's default TLS 1.2 offer plus RSA key exchange with AES
// (GCM, then CBC-SHA): what OpenSSL-based clients such as sstp-client offer,
// and all that some SSTP servers accept. RC4, 3DES and CBC-SHA256 stay out.
func legacySuites() []uint16 {
	var ids []uint16
	for _, cs := range tls.CipherSuites() {
		ids = append(ids, cs.ID)
	}
	return append(ids, tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA)
}

// refusedSuites reports whether the server ended the TLS handshake with a
// handshake_failure or insufficient_security alert: what a TLS 1.2 server
// sends when it shares no cipher suite with the client.
func refusedSuites(err error) bool {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "remote error" || oe.Err == nil {
		return false
	}
	msg := oe.Err.Error()
	return msg == "tls: handshake failure" || msg == "tls: insufficient security"
}

// certHint turns a verification error into advice for the admin.
func certHint(err error, host, sni string) string {
	var hn x509.HostnameError
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.Is(err, ErrPinMismatch):
		return "the server presents another certificate than the pinned one: check --pin-sha256 (a renewed certificate needs a new pin)"
	case errors.As(err, &hn):
		names := hn.Certificate.DNSNames
		if len(names) > 0 && sni == "" {
			return "certificate is for " + strings.Join(names, ", ") + ", not " + host + ": use --sni " + names[0] + " or connect by that name"
		}
		return "the certificate does not name " + host + ": check --server/--sni"
	case errors.As(err, &ua):
		return "certificate is signed by an unknown authority: give the server's CA with --ca-cert FILE, or pin it with --pin-sha256"
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			return "certificate expired or not yet valid: check the server's certificate and this machine's clock"
		}
	}
	return "check --ca-cert, --sni or --pin-sha256"
}

// IsServerEnded reports whether the server, or the path to it, ended the
// call: Call Abort, Call Disconnect, Call Connect Nak, LCP Terminate, the
// connection closed or reset, no answer to echoes. A retry may succeed; the
// CLI maps it to "server unreachable or protocol error", not to an internal
// error.
func IsServerEnded(err error) bool {
	for _, e := range []error{ErrAborted, ErrServerDisconnect, ErrConnectNak, ppp.ErrPeerTerminated,
		ErrConnectionClosed, ErrConnectionLost, ErrPeerDead, ErrNegotiationTimout} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
