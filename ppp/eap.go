package ppp

import "time"

// EAP codes and types (RFC 3748 sections 4 and 5).
const (
	eapRequest  = 1
	eapResponse = 2
	eapSuccess  = 3
	eapFailure  = 4

	eapTypeIdentity     = 1
	eapTypeNotification = 2
	eapTypeNak          = 3
	eapTypeMSCHAPv2     = 26 // eapTypeTLS (13) is in eaptls.go
)

// EAP-MSCHAPv2 OpCodes (draft-kamath-pppext-eap-mschapv2 section 2).
const (
	eapMSChallenge = 1
	eapMSResponse  = 2
	eapMSSuccess   = 3
	eapMSFailure   = 4
)

// eapAuth is the peer side of EAP with one method: EAP-TLS (13) when
// Config.EAPTLS is set, else EAP-MSCHAPv2 (26). We answer Identity, Nak any
// other method toward ours, and accept EAP-Success only after our method
// proved the server (MS-CHAPv2 Success, or the TLS handshake) (RFC 3748
// section 7.2: no success without the method finishing).
type eapAuth struct {
	c        *Client
	tls      *eapTLS // nil without a client certificate
	ms2      mschapv2Run
	msOK     bool
	hlak     [32]byte
	lastID   uint8
	lastResp []byte // Type and Type-Data of our last Response
	answered bool
	done     bool
}

func newEAPAuth(c *Client) *eapAuth {
	a := &eapAuth{c: c}
	if c.cfg.EAPTLS != nil {
		a.tls = newEAPTLS(c)
	}
	return a
}

func (a *eapAuth) proto() uint16 { return ProtoEAP }
func (a *eapAuth) start()        {}

// method is the EAP type we run, for Naks and logs.
func (a *eapAuth) method() (uint8, string) {
	if a.tls != nil {
		return eapTypeTLS, "eap-tls"
	}
	return eapTypeMSCHAPv2, "eap-mschapv2"
}

// EAP has no timer of its own: the authenticator retransmits Requests and
// the peer only answers them (RFC 3748 section 4.1); a server that goes
// quiet is bounded by Config.AuthTimeout or the driver, as a retryable
// ErrAuthTimeout, never an AuthError.
func (a *eapAuth) timeout(time.Time)           {}
func (a *eapAuth) deadline() (time.Time, bool) { return time.Time{}, false }

// stop ends a running EAP-TLS handshake (the link is going down).
func (a *eapAuth) stop() {
	if a.tls != nil {
		a.tls.stop()
	}
}

func (a *eapAuth) input(p Packet) {
	switch p.Code {
	case eapRequest:
		a.request(p)
	case eapSuccess:
		a.success()
	case eapFailure:
		if !a.done {
			_, name := a.method()
			a.c.fatal(&AuthError{Method: AuthEAP, Message: "server sent EAP-Failure (" + name + ")"})
		}
	}
}

// request answers one EAP-Request; a retransmitted Request (same
// Identifier) gets the original Response again (RFC 3748 section 4.1).
func (a *eapAuth) request(p Packet) {
	if len(p.Data) < 1 || a.done {
		return
	}
	if a.answered && p.ID == a.lastID {
		a.c.sendPacket(ProtoEAP, eapResponse, p.ID, a.lastResp)
		return
	}
	typ, data := p.Data[0], p.Data[1:]
	b := a.lastResp[:0]
	switch typ {
	case eapTypeIdentity:
		b = append(append(b, eapTypeIdentity), a.identity()...)
	case eapTypeNotification:
		a.c.log.Info("ppp: EAP notification", "text", printableText(data))
		b = append(b, eapTypeNotification)
	case eapTypeNak:
		return // only valid in a Response
	case eapTypeTLS, eapTypeMSCHAPv2:
		var ok bool
		if b, ok = a.method1(b, typ, data); !ok {
			return
		}
	default:
		b = a.nak(b, typ)
	}
	a.lastResp, a.lastID, a.answered = b, p.ID, true
	a.c.sendPacket(ProtoEAP, eapResponse, p.ID, b)
}

// method1 runs our method's Type-Data, or Naks the other one.
func (a *eapAuth) method1(b []byte, typ uint8, data []byte) ([]byte, bool) {
	switch {
	case typ == eapTypeTLS && a.tls != nil:
		return a.tls.request(b, data)
	case typ == eapTypeMSCHAPv2 && a.tls == nil:
		return a.mschapv2(b, data)
	}
	return a.nak(b, typ), true
}

// nak appends a legacy Nak (RFC 3748 5.3.1) proposing our method.
func (a *eapAuth) nak(b []byte, typ uint8) []byte {
	want, name := a.method()
	a.c.log.Debug("ppp eap nak", "proposed", int(typ), "want", name)
	return append(b, eapTypeNak, want)
}

// identity is the EAP-Identity: the user name, or with a certificate and
// no user name the certificate's common name.
func (a *eapAuth) identity() string {
	if a.c.cfg.Username == "" && a.tls != nil {
		return a.tls.identity()
	}
	return a.c.cfg.Username
}

// mschapv2 handles the EAP-MSCHAPv2 Type-Data: OpCode, MS-CHAPv2-ID,
// MS-Length, then per OpCode a Challenge or a Success/Failure message. It
// appends our Response Type-Data to b, or returns false to drop the Request.
func (a *eapAuth) mschapv2(b, d []byte) ([]byte, bool) {
	if len(d) < 4 {
		return b, false
	}
	op, msID, body := d[0], d[1], d[4:]
	switch op {
	case eapMSChallenge:
		return a.msChallenge(b, msID, body)
	case eapMSSuccess:
		hlak, err := a.ms2.checkSuccess(a.c, AuthEAP, body)
		if err != nil {
			a.c.fatal(err)
			return b, false
		}
		a.msOK, a.hlak = true, hlak
		return append(b, eapTypeMSCHAPv2, eapMSSuccess), true
	case eapMSFailure:
		a.c.fatal(mschapv2FailureError(AuthEAP, body))
		return append(b, eapTypeMSCHAPv2, eapMSFailure), true
	}
	return b, false
}

// msChallenge reads Value-Size (16), Challenge, Name and builds the
// Response: OpCode 2, the same MS-CHAPv2-ID, MS-Length, Value-Size 49,
// Response, our Name.
func (a *eapAuth) msChallenge(b []byte, msID uint8, body []byte) ([]byte, bool) {
	if len(body) < 17 || body[0] != 16 {
		return b, false
	}
	user := a.c.cfg.Username
	if len(user) > 255 {
		a.c.fatal(&AuthError{Method: AuthEAP, Message: ErrCredentials.Error()})
		return b, false
	}
	msLen := 4 + 1 + mschapv2ResponseLen + len(user)
	b = append(b, eapTypeMSCHAPv2, eapMSResponse, msID, byte(msLen>>8), byte(msLen), mschapv2ResponseLen)
	b = a.ms2.appendResponse(a.c, b, [16]byte(body[1:17]))
	return append(b, user...), true
}

// success ends EAP, but only after our method verified the server.
func (a *eapAuth) success() {
	if a.done {
		return
	}
	a.done = true
	if a.tls != nil {
		a.tlsSuccess()
		return
	}
	if !a.msOK {
		a.c.fatal(&AuthError{Method: AuthEAP, Message: "EAP-Success before EAP-MSCHAPv2 finished", Err: ErrMutualAuth})
		return
	}
	a.c.authSucceeded(AuthEAP, a.hlak)
}

// tlsSuccess accepts EAP-Success after a completed EAP-TLS handshake.
func (a *eapAuth) tlsSuccess() {
	if !a.tls.ok {
		a.tls.stop()
		a.c.fatal(eapTLSAuthError(&eapTLSError{msg: "EAP-Success before the TLS handshake finished", err: ErrMutualAuth}))
		return
	}
	a.c.authSucceeded(AuthEAP, a.tls.hlak)
}
