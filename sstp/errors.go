package sstp

import (
	"errors"
	"strconv"
	"time"
)

// Codec errors. Parsers wrap them with context (which packet, which
// attribute, which length), so match them with errors.Is.
var (
	// ErrShortPacket: fewer bytes than the header, the control minimum or the
	// packet's own Length field needs (a truncated packet).
	ErrShortPacket = errors.New("sstp: short packet")
	// ErrBadVersion: the Version byte is not 0x10 (MS-SSTP 2.2.1).
	ErrBadVersion = errors.New("sstp: bad version")
	// ErrBadLength: a Length field that no valid packet can have: below the
	// 4-byte header, or below 8 bytes for a control packet (MS-SSTP 2.2.1, 2.2.2).
	ErrBadLength = errors.New("sstp: bad length field")
	// ErrLengthMismatch: the packet's Length field and the bytes given disagree.
	ErrLengthMismatch = errors.New("sstp: length mismatch")
	// ErrNotControl: a data packet was given where a control packet is needed.
	ErrNotControl = errors.New("sstp: not a control packet")
	// ErrAttrCount: Num Attributes does not match the attributes present.
	ErrAttrCount = errors.New("sstp: attribute count mismatch")
	// ErrAttrLength: an attribute Length below 4, past the packet end, or not
	// the length MS-SSTP 2.2.5-2.2.8 fixes for a known attribute.
	ErrAttrLength = errors.New("sstp: bad attribute length")
	// ErrUnknownMessage is for the client engine: ParseControl accepts any
	// Message Type (so the peer's packet can still be logged), and the engine
	// treats a type with MessageType.Known() == false as a protocol error.
	ErrUnknownMessage = errors.New("sstp: unknown message type")
	// ErrShortBuffer: ReadPacket's buffer is smaller than MaxPacketLen.
	ErrShortBuffer = errors.New("sstp: buffer smaller than MaxPacketLen")

	// ErrBindingMissing: not a CALL_CONNECTED, or no (single) CRYPTO_BINDING
	// attribute in it (MS-SSTP 2.2.11).
	ErrBindingMissing = errors.New("sstp: crypto binding missing")
	// ErrBindingHashProtocol: the Hash Protocol is not exactly one known bit,
	// or not one the server offered (MS-SSTP 2.2.7, 3.3.5.2).
	ErrBindingHashProtocol = errors.New("sstp: crypto binding hash protocol")
	// ErrBindingNonce: the nonce is not the one from CALL_CONNECT_ACK.
	ErrBindingNonce = errors.New("sstp: crypto binding nonce mismatch")
	// ErrBindingCertHash: the certificate hash is not the server certificate's.
	ErrBindingCertHash = errors.New("sstp: crypto binding certificate hash mismatch")
	// ErrBindingMAC: the Compound MAC is wrong (wrong HLAK or altered packet).
	ErrBindingMAC = errors.New("sstp: crypto binding compound MAC mismatch")

	// ErrHTTPMalformed: the HTTP status/request line or a header line is not
	// HTTP/1.x syntax, or the stream ended inside the header.
	ErrHTTPMalformed = errors.New("sstp: malformed HTTP header")
	// ErrHTTPHeaderTooLong: the HTTP header exceeds MaxHTTPHeaderBytes or
	// MaxHTTPHeaderLines (an endless header is cut off, not buffered).
	ErrHTTPHeaderTooLong = errors.New("sstp: HTTP header too long")

	// ErrProxyURL: the proxy is not given as http://[user:pass@]host[:port].
	ErrProxyURL = errors.New("bad proxy URL")
	// ErrProxyAuthRequired: the proxy answered CONNECT with 407 and no
	// credentials were given (RFC 9110 15.5.8).
	ErrProxyAuthRequired = errors.New("proxy requires authentication (407): set credentials in --proxy URL or --proxy-password-file")
	// ErrProxyAuthRejected: the proxy answered 407 to CONNECT with credentials.
	ErrProxyAuthRejected = errors.New("proxy rejected the credentials")
	// ErrProxyRefused: the proxy answered CONNECT with a status other than 2xx or 407.
	ErrProxyRefused = errors.New("proxy refused CONNECT")
)

// HTTPError is a non-200 answer to SSTP_DUPLEX_POST (MS-SSTP 3.2.4.1).
type HTTPError struct {
	Code     int    // status code, e.g. 302, 401
	Status   string // the whole status line, e.g. "HTTP/1.1 401 Unauthorized"
	Location string // Location header of a 3xx answer, "" otherwise
}

func (e *HTTPError) Error() string {
	s := "sstp: server answered " + strconv.Quote(e.Status)
	if e.Location != "" {
		s += ", Location " + strconv.Quote(e.Location)
	}
	return s
}

// timeoutError is the negotiation timer (Config.NegotiationTimeout, the
// CLI's --connect-timeout) running out at a step; errors.Is matches
// ErrNegotiationTimout.
type timeoutError struct {
	step  Step
	after time.Duration
}

func (e *timeoutError) Error() string {
	if e.step >= StepSSTP {
		return "no answer from the server within --connect-timeout (" + e.after.String() + ")"
	}
	return ErrNegotiationTimout.Error() + " after " + e.after.String()
}

func (e *timeoutError) Is(target error) bool { return target == ErrNegotiationTimout }

// negotiationTimeout is the error for the negotiation timer at the current step.
func (s *Session) negotiationTimeout() error {
	return &timeoutError{step: Step(s.step.Load()), after: s.cfg.NegotiationTimeout}
}
