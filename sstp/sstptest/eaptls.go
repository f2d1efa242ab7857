package sstptest

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/sstpgo/sstpgo/internal/tlspipe"
)

// EAP-TLS (RFC 5216 3.1, 3.2): Type 13, Flags, TLS Message Length when L is set.
const (
	eapTypeTLS = 13
	tlsFlagL   = 0x80 // length included
	tlsFlagM   = 0x40 // more fragments
	tlsFlagS   = 0x20 // start

	eapTLSFragment   = 1024     // TLS bytes per EAP-Request; forces fragmenting real chains
	eapTLSMaxMessage = 64 << 10 // bound on a reassembled client flight
)

// eapTLSServer is the EAP server's side of one EAP-TLS run: a crypto/tls server over a
// tlspipe.Conn, driven in lockstep by the session loop.
type eapTLSServer struct {
	pipe    *tlspipe.Conn
	conn    *tls.Conn
	in, out []byte
	sent    int
	done    bool
	err     error
	hlak    [32]byte
}

// eapTLSConfig is Options.EAPTLS for one session: the HTTPS certificate when it has none,
// TLS 1.2 at most (RFC 9190's TLS 1.3 variant is not implemented), no session tickets.
func (p *pppServer) eapTLSConfig() *tls.Config {
	c := p.cfg.EAPTLS.Clone()
	if len(c.Certificates) == 0 && c.GetCertificate == nil {
		c.Certificates = p.s.srv.tlsConf.Certificates
	}
	c.MinVersion, c.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	c.SessionTicketsDisabled = true
	return c
}

// startEAPTLS sends EAP-TLS/Start (RFC 5216 2.1.1) and readies the TLS server.
func (a *authServer) startEAPTLS(now time.Time, p *pppServer) {
	t := &eapTLSServer{pipe: tlspipe.New()}
	t.conn = tls.Server(t.pipe, p.eapTLSConfig())
	t.pipe.Run(t.conn.Handshake)
	go func() { <-p.s.dead; t.pipe.Abort() }() // the session ended mid-handshake
	a.tls, a.eapStage = t, stageTLS
	a.request(now, p, eapProto, eapRequest, []byte{eapTypeTLS, tlsFlagS})
}

// eapTLS handles one EAP-TLS Response (Type-Data after the Type octet).
func (a *authServer) eapTLS(now time.Time, p *pppServer, d []byte) {
	t := a.tls
	if len(d) < 1 {
		p.s.log.Warn("EAP-TLS response without flags")
		return
	}
	flags, d := d[0], d[1:]
	if flags&tlsFlagL != 0 {
		if len(d) < 4 {
			p.s.log.Warn("EAP-TLS response with L and no length")
			return
		}
		d = d[4:]
	}
	switch {
	case len(d) == 0 && flags&tlsFlagM == 0:
		a.eapTLSAck(now, p)
	case t.sent < len(t.out):
		p.s.log.Warn("EAP-TLS data before our flight was acknowledged")
	case len(t.in)+len(d) > eapTLSMaxMessage:
		a.eapTLSEnd(now, p, errors.New("client TLS message over 64 KiB"))
	default:
		t.in = append(t.in, d...)
		if flags&tlsFlagM != 0 {
			a.request(now, p, eapProto, eapRequest, []byte{eapTypeTLS, 0}) // ACK (RFC 5216 2.1.5)
			return
		}
		a.eapTLSFlight(now, p)
	}
}

// eapTLSFlight feeds a complete client flight to TLS and sends what it answers.
func (a *authServer) eapTLSFlight(now time.Time, p *pppServer) {
	t := a.tls
	t.pipe.Feed(t.in)
	t.in = t.in[:0]
	t.out, t.sent = t.pipe.Take(), 0
	if done, err := t.pipe.Result(); done && !t.done {
		t.done, t.err = true, err
		if err == nil {
			t.hlak = eapTLSServerHLAK(t.conn)
		}
	}
	if len(t.out) > 0 {
		a.eapTLSNext(now, p)
		return
	}
	a.eapTLSAck(now, p) // the client's alert ended it: nothing to send but the outcome
}

// eapTLSAck answers an empty Response: our next fragment, or the outcome once the handshake
// is over (RFC 5216 2.1.3: Success after the client acknowledged our Finished, Failure after
// an alert).
func (a *authServer) eapTLSAck(now time.Time, p *pppServer) {
	t := a.tls
	switch {
	case t.sent < len(t.out):
		a.eapTLSNext(now, p)
	case t.done && t.err == nil:
		a.resendAt = time.Time{}
		a.doneCode, a.doneData = eapSuccess, nil
		p.send(eapProto, eapSuccess, a.id, nil)
		a.eapTLSClientInfo(p)
		a.succeeded(now, p, a.user, t.hlak)
	case t.done:
		a.eapTLSEnd(now, p, t.err)
	}
}

// eapTLSEnd sends EAP-Failure and ends the link.
func (a *authServer) eapTLSEnd(now time.Time, p *pppServer, err error) {
	a.tls.pipe.Abort()
	p.send(eapProto, eapFailure, a.id, nil)
	a.failedWith(now, p, a.user, fmt.Errorf("%w: EAP-TLS for %q: %v", ErrAuthFailed, a.user, err))
}

// eapTLSNext sends our next fragment: L and the total on the first of several, M on all but
// the last (RFC 5216 2.1.5).
func (a *authServer) eapTLSNext(now time.Time, p *pppServer) {
	t := a.tls
	n, flags := len(t.out)-t.sent, byte(0)
	b := []byte{eapTypeTLS, 0}
	if n > eapTLSFragment {
		n, flags = eapTLSFragment, tlsFlagM
		if t.sent == 0 {
			flags |= tlsFlagL
			b = binary.BigEndian.AppendUint32(b, uint32(len(t.out)))
		}
	}
	b[1] = flags
	b = append(b, t.out[t.sent:t.sent+n]...)
	t.sent += n
	a.request(now, p, eapProto, eapRequest, b)
}

// eapTLSServerHLAK is the server HLAK for EAP-TLS (MS-SSTP 3.2.5.2.2): the server's
// MasterReceiveKey, which RFC 2716 3.5 gives the authenticator as MS-MPPE-Recv-Key = the
// first 32 octets of Key_Material = TLS-PRF(master secret, "client EAP encryption",
// client.random || server.random) (RFC 5216 2.3, the RFC 5705 exporter without context).
func eapTLSServerHLAK(conn *tls.Conn) [32]byte {
	var h [32]byte
	cs := conn.ConnectionState()
	km, err := cs.ExportKeyingMaterial("client EAP encryption", nil, 64)
	if err == nil {
		copy(h[:], km[:32])
	}
	return h
}

// eapTLSClientInfo records the verified client certificate's subject.
func (a *authServer) eapTLSClientInfo(p *pppServer) {
	cs := a.tls.conn.ConnectionState()
	if len(cs.PeerCertificates) == 0 {
		return
	}
	subj := cs.PeerCertificates[0].Subject.CommonName
	p.s.srv.update(p.s, func(i *SessionInfo) { i.EAPMethod, i.ClientCert = "eap-tls", subj })
}
