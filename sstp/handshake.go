package sstp

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// handshake runs TLS and the HTTPS SSTP_DUPLEX_POST exchange (MS-SSTP 3.2.4.1).
func (s *Session) handshake(ctx context.Context, host, port string, legacy bool) error {
	cfg := &s.cfg
	tc := tls.Client(s.raw, cfg.tlsConfig(host, legacy))
	if err := tc.HandshakeContext(ctx); err != nil {
		if isCertFailure(err) {
			return &Error{Step: StepTLS, Err: &CertError{Err: err}, Hint: certHint(err, host, cfg.SNI)}
		}
		hint := "the server did not complete a TLS 1.2+ handshake: is it an SSTP server on this port?"
		switch {
		case refusedSuites(err) && !legacy && cfg.RequireForwardSecrecy:
			hint = "the server refused the handshake: it may take no forward-secret cipher suite (RouterOS: pfs=yes enables ECDHE), or drop --require-forward-secrecy to allow RSA key exchange; check the TLS name too (--sni)"
		case refusedSuites(err):
			hint = "the server refused the handshake even with RSA key exchange offered: check its TLS version and cipher settings (sstpgo needs TLS 1.2+ with AES or ChaCha20) and the TLS name sent (--sni)"
		}
		return &Error{Step: StepTLS, Err: timeoutErr(ctx, err, cfg.DialTimeout), Hint: hint}
	}
	s.conn = tc
	cs := tc.ConnectionState()
	leaf := cs.PeerCertificates[0]
	s.certDER = leaf.Raw
	s.info.TLSVersion = tls.VersionName(cs.Version)
	s.info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	s.info.CertSubject = leaf.Subject.String()
	s.info.CertSHA256 = Fingerprint(leaf.Raw)
	s.info.TLSResumed = cs.DidResume
	if legacy && !forwardSecret(cs) {
		s.info.LegacyTLS = true
		s.log.Warn("TLS without forward secrecy (RSA key exchange): whoever gets the server's private key can decrypt recorded sessions; enable ECDHE on the server (RouterOS: pfs=yes)", "suite", s.info.CipherSuite)
	}
	resumed := ""
	if cs.DidResume {
		resumed = " (session resumed)"
	}
	cfg.step(StepTLS, s.info.TLSVersion+" "+s.info.CipherSuite+resumed+", certificate "+s.info.CertSubject+" SHA-256 "+s.info.CertSHA256)

	if d, ok := ctx.Deadline(); ok {
		s.raw.SetDeadline(d)
	}
	req := AppendRequest(nil, httpHost(host, port, cfg.SNI), NewCorrelationID(rand.Reader))
	if _, err := tc.Write(req); err != nil {
		return &Error{Step: StepHTTP, Err: err}
	}
	s.br = bufio.NewReaderSize(tc, readBufferSize)
	if err := ReadResponse(s.br); err != nil {
		return &Error{Step: StepHTTP, Err: timeoutErr(ctx, err, cfg.DialTimeout), Hint: httpHint(err)}
	}
	cfg.step(StepHTTP, "SSTP_DUPLEX_POST accepted")
	return nil
}

// forwardSecret: TLS 1.3, or a TLS 1.2 ECDHE suite.
func forwardSecret(cs tls.ConnectionState) bool {
	return cs.Version >= tls.VersionTLS13 || strings.HasPrefix(tls.CipherSuiteName(cs.CipherSuite), "TLS_ECDHE_")
}

// timeoutErr names a negotiation timeout as such.
func timeoutErr(ctx context.Context, err error, d time.Duration) error {
	var ne net.Error
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("%w (%v)", ctx.Err(), err) // stopped by the caller, not timed out
	}
	if ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w after %v (%v)", ErrNegotiationTimout, d, err)
	}
	return err
}

// httpHost is the Host header (RFC 9110 7.2): the TLS name, bracketed when
// it is an IPv6 literal (RFC 3986 3.2.2; a zone is dropped, as net/http
// does), with the port unless it is 443.
func httpHost(host, port, sni string) string {
	if sni != "" {
		host = sni
	}
	if i := strings.IndexByte(host, '%'); i >= 0 && strings.Contains(host, ":") {
		host = host[:i]
	}
	if port == DefaultPort {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

func httpHint(err error) string {
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case he.Code >= 300 && he.Code < 400:
			return "the server redirects (to " + he.Location + "): this is a web server, not SSTP, or SSTP lives on another host/port"
		case he.Code == 401 || he.Code == 403:
			return "the web server refused the SSTP request: SSTP may be disabled on this server"
		case he.Code == 404:
			return "no SSTP endpoint at this address: is SSTP enabled on the server?"
		}
		return "the server's web front end refused SSTP"
	}
	return "the server did not answer like an SSTP server"
}

func isCertFailure(err error) bool {
	var (
		ve  *tls.CertificateVerificationError
		hn  x509.HostnameError
		ua  x509.UnknownAuthorityError
		ci  x509.CertificateInvalidError
		ce  *CertError
		pin = errors.Is(err, ErrPinMismatch)
	)
	return pin || errors.As(err, &ve) || errors.As(err, &hn) || errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &ce)
}
