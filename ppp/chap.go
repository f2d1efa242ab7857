package ppp

import (
	"bytes"
	"time"
)

// CHAP codes (RFC 1994 section 4).
const (
	chapChallenge = 1
	chapResponse  = 2
	chapSuccess   = 3
	chapFailure   = 4
)

// mschapv2ResponseLen is the MS-CHAPv2 Response value: Peer-Challenge (16),
// Reserved (8), NT-Response (24), Flags (1) (RFC 2759 section 4).
const mschapv2ResponseLen = 49

// chapAuth answers CHAP challenges with MD5 (RFC 1994) or MS-CHAPv2
// (RFC 2759). The authenticator drives retransmission; we only answer.
type chapAuth struct {
	c    *Client
	ms   bool
	ms2  mschapv2Run
	have bool   // a Response was sent
	id   uint8  // its Identifier
	chal []byte // the challenge it answered
	resp []byte // its Data, resent for a retransmitted Challenge
	done bool
}

func (a *chapAuth) proto() uint16 { return ProtoCHAP }
func (a *chapAuth) start()        {}

func (a *chapAuth) method() AuthMethod {
	if a.ms {
		return AuthMSCHAPv2
	}
	return AuthCHAP
}

func (a *chapAuth) input(p Packet) {
	switch p.Code {
	case chapChallenge:
		a.challenge(p)
	case chapSuccess:
		if a.have && p.ID == a.id && !a.done {
			a.success(p.Data)
		}
	case chapFailure:
		if a.have && p.ID == a.id {
			a.failure(p.Data)
		}
	}
}

// challenge reads Value-Size, Value, Name (RFC 1994 section 4.1) and sends
// a Response with our user name in the Name field.
func (a *chapAuth) challenge(p Packet) {
	d := p.Data
	if len(d) < 1 || len(d) < 1+int(d[0]) {
		return
	}
	value := d[1 : 1+int(d[0])]
	if a.have && p.ID == a.id && bytes.Equal(value, a.chal) {
		a.c.sendPacket(ProtoCHAP, chapResponse, a.id, a.resp) // retransmission
		return
	}
	c := a.c
	if len(c.cfg.Username) > 255 {
		c.fatal(&AuthError{Method: a.method(), Message: ErrCredentials.Error()})
		return
	}
	var b []byte
	if a.ms {
		if len(value) != 16 {
			return
		}
		b = append(a.resp[:0], mschapv2ResponseLen)
		b = a.ms2.appendResponse(c, b, [16]byte(value))
	} else {
		r := CHAPMD5Response(p.ID, c.cfg.Password, value)
		b = append(append(a.resp[:0], byte(len(r))), r[:]...)
	}
	a.resp = append(b, c.cfg.Username...)
	a.chal = append(a.chal[:0], value...)
	a.have, a.id = true, p.ID
	c.sendPacket(ProtoCHAP, chapResponse, p.ID, a.resp)
}

// success: for MS-CHAPv2 the Message must carry the right authenticator
// response, or the server does not know our password (RFC 2759 section 5).
func (a *chapAuth) success(msg []byte) {
	if !a.ms {
		a.done = true
		a.c.authSucceeded(AuthCHAP, [32]byte{})
		return
	}
	hlak, err := a.ms2.checkSuccess(a.c, AuthMSCHAPv2, msg)
	if err != nil {
		a.c.fatal(err)
		return
	}
	a.done = true
	a.c.authSucceeded(AuthMSCHAPv2, hlak)
}

func (a *chapAuth) failure(msg []byte) {
	if a.ms {
		a.c.fatal(mschapv2FailureError(AuthMSCHAPv2, msg))
		return
	}
	a.c.fatal(&AuthError{Method: AuthCHAP, Message: nakText(printableText(msg))})
}

func (a *chapAuth) timeout(time.Time)           {}
func (a *chapAuth) deadline() (time.Time, bool) { return time.Time{}, false }

// mschapv2Run is one MS-CHAPv2 exchange, shared by CHAP and EAP-MSCHAPv2.
type mschapv2Run struct {
	authChal, peerChal [16]byte
	ntResp             [24]byte
	ok                 bool // a Response was computed
}

// appendResponse picks a fresh Peer-Challenge and appends the 49-byte
// Response value (RFC 2759 section 4). The NT-Response hashes the user name
// without a DOMAIN\ prefix; the Name field carries it whole.
func (r *mschapv2Run) appendResponse(c *Client, b []byte, authChal [16]byte) []byte {
	r.authChal = authChal
	c.random(r.peerChal[:])
	user := MSCHAPv2Username(c.cfg.Username)
	r.ntResp = GenerateNTResponse(r.authChal, r.peerChal, user, c.cfg.Password)
	r.ok = true
	b = append(b, r.peerChal[:]...)
	b = append(b, make([]byte, 8)...)
	b = append(b, r.ntResp[:]...)
	return append(b, 0) // Flags
}

// checkSuccess verifies "S=<authenticator response>" and returns the HLAK
// for the SSTP crypto binding (MS-SSTP 3.2.5.2: MasterSendKey‖MasterReceiveKey
// as the client).
func (r *mschapv2Run) checkSuccess(c *Client, m AuthMethod, msg []byte) ([32]byte, error) {
	authResp, text, ok := ParseMSCHAPv2Success(msg)
	switch {
	case !r.ok:
		return [32]byte{}, &AuthError{Method: m, Message: "Success before any Response", Err: ErrMutualAuth}
	case !ok:
		return [32]byte{}, &AuthError{Method: m, Message: "Success without an authenticator response", Err: ErrMutualAuth}
	case !CheckAuthenticatorResponse(c.cfg.Password, r.ntResp, r.peerChal, r.authChal,
		MSCHAPv2Username(c.cfg.Username), authResp):
		return [32]byte{}, &AuthError{Method: m, Message: "wrong authenticator response", Err: ErrMutualAuth}
	}
	c.log.Debug("ppp mschapv2 success", "msg", text)
	return MSCHAPv2HLAK(c.cfg.Password, r.ntResp, false), nil
}

// mschapv2FailureError turns "E=691 R=0 C=... V=3 M=..." into an AuthError.
func mschapv2FailureError(m AuthMethod, msg []byte) error {
	f := ParseMSCHAPv2Failure(msg)
	return &AuthError{Method: m, Code: f.Code, Retry: f.Retry, Message: f.Explain()}
}
