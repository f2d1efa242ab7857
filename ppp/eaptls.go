package ppp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"

	"github.com/sstpgo/sstpgo/internal/tlspipe"
)

// EAPTLSConfig configures EAP-TLS (RFC 5216): our certificate, and how the
// EAP server's certificate is checked. The EAP server (Windows NPS, a
// RADIUS server) is not the SSTP server: its certificate may name another
// host and come from another CA.
type EAPTLSConfig struct {
	// Certificate is our chain and private key, always sent when the server
	// asks for one.
	Certificate tls.Certificate
	// RootCAs verifies the EAP server's chain; nil = the system roots.
	RootCAs *x509.CertPool
	// ServerName, if set, must be a name in the EAP server's certificate;
	// empty = only the chain is checked (NPS certificates name the NPS host).
	ServerName string
	// SSTPServerName is the SSTP server's host name. With neither RootCAs
	// nor ServerName, a chain to the system roots is not enough (any web
	// site has one): the certificate must then carry this name.
	SSTPServerName string
	// InsecureSkipVerify accepts any EAP server certificate (logged loudly).
	InsecureSkipVerify bool
	// FragmentSize is the most TLS bytes per EAP packet; 0 = what fits the
	// peer's MRU.
	FragmentSize int
}

// EAP-TLS (RFC 5216 section 3.1): type 13, then Flags (L M S, 5 reserved
// bits), then TLS Message Length (4 octets) when L is set.
const (
	eapTypeTLS = 13

	eapTLSFlagL = 0x80 // length included
	eapTLSFlagM = 0x40 // more fragments
	eapTLSFlagS = 0x20 // EAP-TLS start

	// eapTLSMaxMessage bounds a reassembled server flight; certificate
	// chains are a few KiB, a TLS 1.2 record at most 16 KiB + overhead.
	eapTLSMaxMessage = 64 << 10
	// eapTLSOverhead is what an EAP-TLS packet adds to its TLS bytes: Code,
	// Identifier, Length, Type, Flags, TLS Message Length.
	eapTLSOverhead = PacketHeaderLen + 1 + 1 + 4
	// eapTLSKeyLabel is the RFC 5216 section 2.3 Key_Material label.
	eapTLSKeyLabel = "client EAP encryption"
)

// eapTLS is the peer side of one EAP-TLS run. crypto/tls runs over a
// tlspipe.Conn in lockstep with the EAP exchange; every entry point is
// called from the Client's single owner goroutine.
type eapTLS struct {
	c        *Client
	cfg      *EAPTLSConfig
	pipe     *tlspipe.Conn
	conn     *tls.Conn
	cleanup  runtime.Cleanup
	started  bool
	finished bool   // handshake ended, well or not
	ok       bool   // handshake succeeded; hlak is set
	err      error  // why it failed
	in       []byte // server fragments being reassembled
	out      []byte // our flight, sent in fragments
	sent     int    // bytes of out already sent
	hlak     [32]byte
}

func newEAPTLS(c *Client) *eapTLS {
	return &eapTLS{c: c, cfg: c.cfg.EAPTLS}
}

// request handles the Type-Data of an EAP-TLS Request (after the Type octet)
// and appends our Response's Type-Data to b, or returns false to drop it.
func (t *eapTLS) request(b, d []byte) ([]byte, bool) {
	if len(d) < 1 || t.err != nil {
		return b, false
	}
	flags, d := d[0], d[1:]
	total := -1
	if flags&eapTLSFlagL != 0 {
		if len(d) < 4 {
			return b, false
		}
		total, d = int(be32(d)), d[4:]
	}
	switch {
	case flags&eapTLSFlagS != 0:
		if t.started {
			return b, false // a Start in the middle of a run: stale, drop
		}
		return t.begin(b)
	case !t.started:
		return b, false // RFC 5216 2.1.1: the server opens with Start
	case len(d) == 0 && flags&eapTLSFlagM == 0:
		return t.ack(b)
	}
	return t.fragment(b, d, flags, total)
}

// begin starts the TLS client handshake: the ClientHello is the first flight.
func (t *eapTLS) begin(b []byte) ([]byte, bool) {
	t.started = true
	t.pipe = tlspipe.New()
	t.conn = tls.Client(t.pipe, t.tlsConfig())
	// A Client dropped mid-handshake (the SSTP connection died) must not
	// leave the handshake goroutine blocked in Read forever.
	t.cleanup = runtime.AddCleanup(t, closePipe, t.pipe)
	if t.cfg.InsecureSkipVerify {
		t.c.log.Warn("ppp: EAP-TLS server certificate NOT verified (insecure-skip-verify)")
	}
	t.c.log.Debug("ppp eap-tls start")
	t.pipe.Run(t.handshake(t.conn))
	return t.step(b)
}

func closePipe(p *tlspipe.Conn) { p.Close() }

// handshake returns the goroutine's body; it must not refer to t (see
// AddCleanup in begin).
func (t *eapTLS) handshake(conn *tls.Conn) func() error {
	return func() error { return conn.HandshakeContext(context.Background()) }
}

// tlsConfig is TLS 1.2 only: RFC 9190 (EAP-TLS 1.3) changes the key
// derivation and adds a commitment message, and NPS speaks 1.2 by default.
// The chain is verified by verifyServer so that ServerName may be empty.
func (t *eapTLS) tlsConfig() *tls.Config {
	cert := t.cfg.Certificate
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		MaxVersion:         tls.VersionTLS12,
		ServerName:         t.cfg.ServerName,
		InsecureSkipVerify: true,
		VerifyConnection:   t.verifier(),
		// Send our certificate even when the server's list of acceptable CAs
		// does not name its issuer: the server decides.
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &cert, nil
		},
		SessionTicketsDisabled: true,
	}
}

// systemCertPool is x509.SystemCertPool; tests replace it.
var systemCertPool = x509.SystemCertPool

// eapServerCheck is how the EAP server's certificate is verified (RFC 5216
// section 5.3): roots nil = the system roots; name "" = any name.
type eapServerCheck struct {
	roots *x509.CertPool
	name  string
	desc  string // for the log and errors
	none  bool   // nothing to check against: refuse
}

// serverCheck picks the check. Without --eap-server-name a publicly trusted
// certificate alone proves nothing (any web site has one): it must chain to
// RootCAs (--eap-ca, default --ca-cert), or carry the SSTP server's name.
func (t *eapTLS) serverCheck() eapServerCheck {
	cfg := t.cfg
	switch {
	case cfg.ServerName != "" && cfg.RootCAs != nil:
		return eapServerCheck{roots: cfg.RootCAs, name: cfg.ServerName,
			desc: "chain to --eap-ca and --eap-server-name " + strconv.Quote(cfg.ServerName)}
	case cfg.ServerName != "":
		return eapServerCheck{name: cfg.ServerName,
			desc: "system roots and --eap-server-name " + strconv.Quote(cfg.ServerName)}
	case cfg.RootCAs != nil:
		return eapServerCheck{roots: cfg.RootCAs, desc: "chain to --eap-ca (default --ca-cert)"}
	case cfg.SSTPServerName != "":
		return eapServerCheck{name: cfg.SSTPServerName,
			desc: "system roots and the SSTP server's name " + strconv.Quote(cfg.SSTPServerName)}
	}
	return eapServerCheck{none: true,
		desc: "no check possible: set --eap-ca or --eap-server-name"}
}

// verifier checks the EAP server's chain as serverCheck says, for server
// authentication.
func (t *eapTLS) verifier() func(tls.ConnectionState) error {
	chk, skip := t.serverCheck(), t.cfg.InsecureSkipVerify
	if !skip {
		t.c.log.Info("ppp: EAP-TLS server certificate check", "check", chk.desc)
	}
	return func(cs tls.ConnectionState) error {
		if skip {
			return nil
		}
		if len(cs.PeerCertificates) == 0 {
			return &eapTLSCertError{msg: "no certificate"}
		}
		subject := cs.PeerCertificates[0].Subject.String()
		if chk.none {
			return &eapTLSCertError{subject: subject, msg: chk.desc}
		}
		roots := chk.roots
		if roots == nil {
			var err error
			if roots, err = systemCertPool(); err != nil {
				return &eapTLSCertError{subject: subject, msg: "no system roots: " + err.Error()}
			}
		}
		opts := x509.VerifyOptions{Roots: roots, DNSName: chk.name, Intermediates: x509.NewCertPool(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		for _, ic := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(ic)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return &eapTLSCertError{subject: subject, err: fmt.Errorf("%s: %w", chk.desc, err)}
		}
		return nil
	}
}

// fragment takes one fragment of the server's flight (RFC 5216 2.1.5): with
// M set we acknowledge it, the last one completes the flight for TLS.
func (t *eapTLS) fragment(b, d []byte, flags byte, total int) ([]byte, bool) {
	if t.sent < len(t.out) {
		t.fail(&eapTLSError{msg: "server sent data before our flight was acknowledged"})
		return b, false
	}
	if total > eapTLSMaxMessage || len(t.in)+len(d) > eapTLSMaxMessage {
		t.fail(&eapTLSError{msg: "server's TLS message exceeds 64 KiB"})
		return b, false
	}
	t.in = append(t.in, d...)
	if flags&eapTLSFlagM != 0 {
		return append(b, eapTypeTLS, 0), true // ACK: no flags, no data
	}
	t.pipe.Feed(t.in)
	t.in = t.in[:0]
	return t.step(b)
}

// step collects the handshake's output and state after it ran.
func (t *eapTLS) step(b []byte) ([]byte, bool) {
	t.out, t.sent = t.pipe.Take(), 0
	if done, err := t.pipe.Result(); done && !t.finished {
		t.finish(err)
	}
	if len(t.out) > 0 {
		return t.nextFragment(b), true
	}
	return append(b, eapTypeTLS, 0), true // ACK of the server's last flight
}

// ack answers the server's ACK of our last fragment with the next one.
func (t *eapTLS) ack(b []byte) ([]byte, bool) {
	if t.sent >= len(t.out) {
		return b, false
	}
	return t.nextFragment(b), true
}

// nextFragment appends our next fragment: L and the total length on the
// first of several, M on all but the last (RFC 5216 2.1.5).
func (t *eapTLS) nextFragment(b []byte) []byte {
	n, flags := len(t.out)-t.sent, byte(0)
	if max := t.fragmentSize(); n > max {
		n, flags = max, eapTLSFlagM
	}
	if t.sent == 0 && flags != 0 {
		flags |= eapTLSFlagL
	}
	b = append(b, eapTypeTLS, flags)
	if flags&eapTLSFlagL != 0 {
		b = appendBE32(b, uint32(len(t.out)))
	}
	b = append(b, t.out[t.sent:t.sent+n]...)
	t.sent += n
	return b
}

func (t *eapTLS) fragmentSize() int {
	if t.cfg.FragmentSize > 0 {
		return t.cfg.FragmentSize
	}
	return max(t.c.PeerMRU()-eapTLSOverhead, 64)
}

// finish records the handshake's end: keys on success, the error otherwise.
func (t *eapTLS) finish(err error) {
	t.finished = true
	t.cleanup.Stop()
	if err != nil {
		t.fail(classifyTLSError(err))
		return
	}
	cs := t.conn.ConnectionState()
	km, err := cs.ExportKeyingMaterial(eapTLSKeyLabel, nil, 128)
	if err != nil {
		// crypto/tls refuses the TLS 1.2 exporter without the extended
		// master secret (RFC 7627).
		t.fail(&eapTLSError{msg: "no key material: " + err.Error()})
		return
	}
	t.ok, t.hlak = true, eapTLSHLAK(km)
	t.c.log.Info("ppp: EAP-TLS handshake done", "version", tls.VersionName(cs.Version),
		"cipher", tls.CipherSuiteName(cs.CipherSuite), "server", cs.PeerCertificates[0].Subject.String())
}

// eapTLSHLAK is the SSTP HLAK from the RFC 5216 section 2.3 Key_Material,
// whose first 64 octets are the MSK. MS-SSTP 3.2.5.2.2/3.2.5.2.4: for EAP-TLS
// the client HLAK is the client's MasterSendKey, the MS-MPPE-Send-Key of the
// peer = the first 32 octets of the MSK (RFC 2716 3.5 gives the authenticator
// MS-MPPE-Recv-Key = those same octets); "if the HLAK is more than 32 octets,
// the first 32 octets form the HLAK".
func eapTLSHLAK(keyMaterial []byte) [32]byte {
	return [32]byte(keyMaterial[:32])
}

// classifyTLSError says who ended a failed handshake: our check of the
// server's certificate (kept as is), a TLS alert from the server (which
// usually means it refused our certificate), or anything else.
func classifyTLSError(err error) error {
	var ce *eapTLSCertError
	var oe *net.OpError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.As(err, &oe) && oe.Op == "remote error":
		return &eapTLSError{msg: "the EAP server refused the TLS handshake (our certificate?)", err: err, refusal: true}
	}
	return &eapTLSError{msg: "TLS handshake failed", err: err}
}

// fail ends the run and the link with err, classified by eapTLSFailure.
func (t *eapTLS) fail(err error) {
	t.finished = true
	if t.err == nil {
		t.err = err
	}
	t.c.fatal(eapTLSFailure(err))
}

// eapTLSFailure: only an explicit refusal (a TLS alert from the server, or
// our rejection of its certificate) is an AuthError, which the CLI treats
// as final; a broken exchange (oversized or garbled flight, a handshake that
// fails without an alert) is ErrAuthProtocol, retried like a network fault.
func eapTLSFailure(err error) error {
	var te *eapTLSError
	if errors.Is(err, ErrEAPServerCert) || (errors.As(err, &te) && te.refusal) {
		return eapTLSAuthError(err)
	}
	return &authProtocolError{method: "EAP-TLS", err: err}
}

// stop aborts an unfinished handshake and waits for its goroutine.
func (t *eapTLS) stop() {
	if t.pipe != nil {
		t.cleanup.Stop()
		t.pipe.Abort()
	}
}

// identity is what EAP-Identity says with a certificate and no user name:
// the certificate's subject common name, as Windows does.
func (t *eapTLS) identity() string {
	if leaf := t.cfg.Certificate.Leaf; leaf != nil {
		return leaf.Subject.CommonName
	}
	if len(t.cfg.Certificate.Certificate) > 0 {
		if leaf, err := x509.ParseCertificate(t.cfg.Certificate.Certificate[0]); err == nil {
			return leaf.Subject.CommonName
		}
	}
	return ""
}

func appendBE32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
