package ppp

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Codec errors: a received frame, packet or option list that cannot be parsed.
var (
	ErrShortFrame  = errors.New("ppp: frame too short")
	ErrShortPacket = errors.New("ppp: packet too short")
	ErrBadLength   = errors.New("ppp: length field does not match the data")
	ErrBadOption   = errors.New("ppp: malformed option")
)

// Link errors, carried by EventDown.
var (
	// ErrMutualAuth: the server's MS-CHAPv2 authenticator response was wrong or
	// missing, so it does not know our password (RFC 2759 section 5). Always
	// wrapped in an *AuthError.
	ErrMutualAuth = errors.New("ppp: server failed mutual authentication")
	// ErrNoAuthMethod: the server asked for no authentication method we allow.
	ErrNoAuthMethod = errors.New("ppp: no allowed authentication method")
	// ErrNegotiation: an option negotiation did not converge within
	// Max-Configure/Max-Failure (RFC 1661 section 4.6).
	ErrNegotiation = errors.New("ppp: negotiation failed")
	// ErrPeerTerminated: the server sent LCP Terminate-Request or closed a
	// network protocol we need.
	ErrPeerTerminated = errors.New("ppp: link terminated by server")
	// ErrAuthTimeout: the server did not finish authentication within
	// Config.AuthTimeout (RADIUS down, a lost MFA push). Not an AuthError:
	// nothing was refused, a later attempt may work.
	ErrAuthTimeout = errors.New("ppp: authentication timed out")
	// ErrAuthProtocol: the server broke the authentication exchange (a
	// malformed or oversized EAP-TLS flight, a TLS failure that is no alert
	// from the server). Not an AuthError: nothing was refused, a retry may
	// meet a healthy server.
	ErrAuthProtocol = errors.New("ppp: authentication exchange failed")
	// ErrNoAddress: IPCP opened without giving us an IPv4 address.
	ErrNoAddress = errors.New("ppp: server assigned no IPv4 address")
	// ErrCredentials: user name or password longer than the packet allows.
	ErrCredentials = errors.New("ppp: user name or password too long (max 255 bytes)")
	// ErrUnknownAuthMethod: ParseAuthMethods got a name it does not know.
	ErrUnknownAuthMethod = errors.New("ppp: unknown authentication method")
)

// AuthError says the server refused our credentials (or failed to prove its
// own). Code is the MS-CHAP E= value (691 wrong password, 648 password
// expired, 649 no dial-in permission), 0 if none.
type AuthError struct {
	Method  AuthMethod
	Code    int
	Retry   bool   // MS-CHAP R=1: the server would allow another attempt
	Message string // human-readable reason, server text included and sanitized
	// Err is ErrMutualAuth for a bad authenticator response; for EAP-TLS the
	// cause (ErrEAPServerCert with the x509 error, the TLS alert); else nil.
	// Only refusals are AuthErrors: a timeout or a broken exchange is not.
	Err error
}

func (e *AuthError) Error() string {
	s := "ppp: " + e.Method.String() + " authentication failed"
	if e.Code != 0 && e.Message == "" {
		s += " (E=" + strconv.Itoa(e.Code) + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap lets errors.Is(err, ErrMutualAuth) (or ErrEAPServerCert) see
// through an AuthError.
func (e *AuthError) Unwrap() error { return e.Err }

// printableText makes server-supplied text (PAP message, Terminate reason)
// safe to log and show: trailing NULs and blanks dropped, control characters
// and invalid UTF-8 replaced, at most 200 bytes kept.
func printableText(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	b = bytes.TrimRight(b, "\x00 \t\r\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return '?'
		}
		return r
	}, string(b))
}

// authTimeoutError wraps ErrAuthTimeout with the method and the bound.
type authTimeoutError struct {
	method AuthMethod
	after  time.Duration
}

func (e *authTimeoutError) Error() string {
	return ErrAuthTimeout.Error() + ": no answer from the " + e.method.String() +
		" server within " + e.after.String()
}

func (e *authTimeoutError) Unwrap() error { return ErrAuthTimeout }

// negotiationError wraps ErrNegotiation with the protocol and the reason.
type negotiationError struct{ proto, why string }

func (e *negotiationError) Error() string {
	return ErrNegotiation.Error() + ": " + e.proto + ": " + e.why
}

func (e *negotiationError) Unwrap() error { return ErrNegotiation }

// terminatedError wraps ErrPeerTerminated with the server's reason text.
type terminatedError struct{ reason string }

func (e *terminatedError) Error() string {
	if e.reason == "" {
		return ErrPeerTerminated.Error()
	}
	return ErrPeerTerminated.Error() + ": \"" + e.reason + "\""
}

func (e *terminatedError) Unwrap() error { return ErrPeerTerminated }

// noAuthError wraps ErrNoAuthMethod with what was offered and allowed.
type noAuthError struct {
	offered []string
	allowed []AuthMethod
}

func (e *noAuthError) Error() string {
	s := ErrNoAuthMethod.Error() + ": server "
	if len(e.offered) == 0 {
		s += "asked for no authentication"
	} else {
		s += "offered "
		for i, o := range e.offered {
			if i > 0 {
				s += ", "
			}
			s += o
		}
	}
	s += "; allowed: "
	for i, m := range e.allowed {
		if i > 0 {
			s += ","
		}
		s += m.String()
	}
	return s
}

func (e *noAuthError) Unwrap() error { return ErrNoAuthMethod }

// unknownAuthError wraps ErrUnknownAuthMethod with the bad name.
type unknownAuthError struct{ name string }

func (e *unknownAuthError) Error() string {
	return ErrUnknownAuthMethod.Error() + " \"" + e.name + "\" (want pap, chap, mschapv2 or eap)"
}

func (e *unknownAuthError) Unwrap() error { return ErrUnknownAuthMethod }

// ErrEAPServerCert: the EAP-TLS server's certificate did not verify against
// EAPTLSConfig.RootCAs (and ServerName). Wrapped, with the x509 error, in an
// AuthError.
var ErrEAPServerCert = errors.New("ppp: EAP server certificate rejected")

// eapTLSCertError is the EAP server certificate check's failure; it
// unwraps to ErrEAPServerCert and the x509 error.
type eapTLSCertError struct {
	subject, msg string
	err          error
}

func (e *eapTLSCertError) Error() string {
	s := "EAP server certificate"
	if e.subject != "" {
		s += " (" + e.subject + ")"
	}
	if e.msg != "" {
		return s + ": " + e.msg
	}
	return s + " rejected: " + e.err.Error()
}

func (e *eapTLSCertError) Unwrap() []error { return []error{ErrEAPServerCert, e.err} }

// eapTLSError is any other EAP-TLS failure, with its cause; refusal marks
// a TLS alert from the server.
type eapTLSError struct {
	msg     string
	err     error
	refusal bool
}

func (e *eapTLSError) Error() string {
	if e.err == nil {
		return e.msg
	}
	return e.msg + ": " + e.err.Error()
}

func (e *eapTLSError) Unwrap() error { return e.err }

// eapTLSAuthError turns an EAP-TLS failure into the link's AuthError.
func eapTLSAuthError(err error) *AuthError {
	return &AuthError{Method: AuthEAP, Message: "EAP-TLS", Err: err}
}

// authProtocolError wraps ErrAuthProtocol with the method and the cause.
type authProtocolError struct {
	method string
	err    error
}

func (e *authProtocolError) Error() string {
	return ErrAuthProtocol.Error() + ": " + e.method + ": " + e.err.Error()
}

func (e *authProtocolError) Unwrap() []error { return []error{ErrAuthProtocol, e.err} }
