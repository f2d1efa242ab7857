package sstptest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

const serverName = "sstptest"

// EAP stages of the server.
const (
	stageIdentity  = iota // Request/Identity sent
	stageChallenge        // EAP-MSCHAPv2 Challenge sent
	stageSuccess          // EAP-MSCHAPv2 Success-Request sent
	stageFailure          // EAP-MSCHAPv2 Failure-Request sent
	stageTLS              // EAP-TLS running (eaptls.go)
)

// authServer is the authenticator side of PAP, CHAP-MD5, MS-CHAPv2 and EAP-MSCHAPv2.
type authServer struct {
	method    ppp.AuthMethod
	id        uint8
	challenge [16]byte
	lastProto uint16 // last request, resent by the restart timer
	lastCode  uint8
	lastData  []byte
	retries   int
	resendAt  time.Time
	done      bool   // succeeded
	doneCode  uint8  // the success packet, resent if the client repeats its response
	doneData  []byte //
	eapStage  int
	msID      uint8
	msOK      bool
	user      string
	password  string
	nt        [24]byte
	tls       *eapTLSServer // EAP-TLS run, nil before stageTLS
	papQuirk  papQuirk      // PPPQuirks.PAPAnswerFirstID (pppquirks.go)
}

func (a *authServer) start(now time.Time, p *pppServer, m ppp.AuthMethod) {
	a.method = m
	rand.Read(a.challenge[:])
	switch m {
	case ppp.AuthPAP:
		// RFC 1334 2: the peer sends Authenticate-Request; bound the wait all the same.
		a.resendAt = now.Add(p.cfg.restart * time.Duration(p.cfg.maxConfigure))
	case ppp.AuthCHAP, ppp.AuthMSCHAPv2:
		a.request(now, p, chapProto, chapChallenge, a.chapChallenge())
	case ppp.AuthEAP:
		a.request(now, p, eapProto, eapRequest, []byte{eapTypeIdentity})
	}
}

// chapChallenge is the Challenge data: Value-Size, Value, Name (RFC 1994 4.1, RFC 2759 3).
func (a *authServer) chapChallenge() []byte {
	b := append([]byte{16}, a.challenge[:]...)
	return append(b, serverName...)
}

// request sends a new request with the next Identifier and arms the restart timer.
func (a *authServer) request(now time.Time, p *pppServer, proto uint16, code uint8, data []byte) {
	a.id++
	a.lastProto, a.lastCode, a.lastData = proto, code, data
	a.retries = 0
	a.resendAt = now.Add(p.cfg.restart)
	p.send(proto, code, a.id, data)
}

func (a *authServer) timeout(now time.Time, p *pppServer) {
	a.retries++
	if a.lastData == nil || a.retries >= p.cfg.maxConfigure {
		a.resendAt = time.Time{}
		p.terminate(now, fmt.Errorf("%w: no %s answer from the client", ErrAuthFailed, a.method))
		return
	}
	a.resendAt = now.Add(p.cfg.restart)
	p.send(a.lastProto, a.lastCode, a.id, a.lastData)
}

func (a *authServer) input(now time.Time, p *pppServer, proto uint16, b []byte) {
	pk, err := ppp.ParsePacket(b)
	if err != nil {
		p.s.log.Warn("bad auth packet", "err", err.Error())
		return
	}
	switch {
	case proto == papProto && a.method == ppp.AuthPAP && pk.Code == papAuthReq:
		a.pap(now, p, pk)
	case proto == chapProto && (a.method == ppp.AuthCHAP || a.method == ppp.AuthMSCHAPv2) && pk.Code == chapResponse:
		a.chap(now, p, pk)
	case proto == eapProto && a.method == ppp.AuthEAP && pk.Code == eapResponse:
		a.eap(now, p, pk)
	default:
		p.s.log.Warn("unexpected auth packet", "proto", fmt.Sprintf("0x%04x", proto), "code", pk.Code, "method", a.method.String())
	}
}

// pap checks an Authenticate-Request: Peer-ID Length, Peer-ID, Passwd-Length, Password
// (RFC 1334 2.2.1).
func (a *authServer) pap(now time.Time, p *pppServer, pk ppp.Packet) {
	if a.done {
		p.send(papProto, a.doneCode, pk.ID, a.doneData)
		return
	}
	if !a.papHold(p, &pk) {
		return
	}
	d := pk.Data
	if len(d) < 1 || len(d) < 1+int(d[0])+1 || len(d) < 2+int(d[0])+int(d[1+int(d[0])]) {
		p.s.log.Warn("malformed PAP Authenticate-Request")
		return
	}
	name := string(d[1 : 1+d[0]])
	pw := d[2+int(d[0]) : 2+int(d[0])+int(d[1+int(d[0])])]
	want, known := lookupUser(p.cfg.Users, name)
	ok := known && subtle.ConstantTimeCompare(pw, []byte(want)) == 1
	a.attempt(p, name)
	if !ok {
		p.send(papProto, papAuthNak, pk.ID, msgField("Authentication failure"))
		a.failed(now, p, name)
		return
	}
	a.doneCode, a.doneData = papAuthAck, msgField("Welcome")
	p.send(papProto, a.doneCode, pk.ID, a.doneData)
	a.succeeded(now, p, name, [32]byte{})
}

// msgField is PAP's Msg-Length + Message (RFC 1334 2.2.2).
func msgField(s string) []byte { return append([]byte{byte(len(s))}, s...) }

// chap checks a CHAP Response: Value-Size, Value, Name (RFC 1994 4.1); for MS-CHAPv2 the Value
// is Peer-Challenge, Reserved, NT-Response, Flags (RFC 2759 4).
func (a *authServer) chap(now time.Time, p *pppServer, pk ppp.Packet) {
	if pk.ID != a.id {
		return // RFC 1994 4.1: a Response must match the current Challenge
	}
	if a.done {
		p.send(chapProto, a.doneCode, pk.ID, a.doneData)
		return
	}
	d := pk.Data
	if len(d) < 1 || len(d) < 1+int(d[0]) {
		p.s.log.Warn("malformed CHAP Response")
		return
	}
	value, name := d[1:1+d[0]], string(d[1+d[0]:])
	a.resendAt = time.Time{}
	a.attempt(p, name)
	if a.method == ppp.AuthCHAP {
		a.chapMD5(now, p, pk.ID, value, name)
		return
	}
	ok, msg := a.verifyMSCHAPv2(p, value, name)
	if !ok {
		p.send(chapProto, chapFailure, pk.ID, msg)
		a.failed(now, p, name)
		return
	}
	a.doneCode, a.doneData = chapSuccess, msg
	p.send(chapProto, chapSuccess, pk.ID, msg)
	a.succeeded(now, p, name, serverHLAK(a.password, a.nt))
}

func (a *authServer) chapMD5(now time.Time, p *pppServer, id uint8, value []byte, name string) {
	pw, known := lookupUser(p.cfg.Users, name)
	want := ppp.CHAPMD5Response(id, pw, a.challenge[:])
	if !known || subtle.ConstantTimeCompare(value, want[:]) != 1 {
		p.send(chapProto, chapFailure, id, []byte("Authentication failure"))
		a.failed(now, p, name)
		return
	}
	a.doneCode, a.doneData = chapSuccess, []byte("Welcome")
	p.send(chapProto, chapSuccess, id, a.doneData)
	a.succeeded(now, p, name, [32]byte{})
}

// verifyMSCHAPv2 checks the 49-byte MS-CHAPv2 response (RFC 2759 4, 8.1) and returns the
// Success message "S=<authenticator response> M=Welcome" (RFC 2759 5) or the Failure message
// "E=691 R=0 C=<new challenge> V=3 M=..." (RFC 2759 6).
func (a *authServer) verifyMSCHAPv2(p *pppServer, value []byte, name string) (bool, []byte) {
	pw, known := lookupUser(p.cfg.Users, name)
	if len(value) == mschapValueSize && known {
		peerCh := [16]byte(value[0:16])
		a.nt = [24]byte(value[24:48])
		user := ppp.MSCHAPv2Username(name)
		want := ppp.GenerateNTResponse(a.challenge, peerCh, user, pw)
		if subtle.ConstantTimeCompare(a.nt[:], want[:]) == 1 {
			a.password = pw
			return true, []byte(ppp.GenerateAuthenticatorResponse(pw, a.nt, peerCh, a.challenge, user) + " M=Welcome")
		}
	}
	var next [16]byte
	rand.Read(next[:])
	return false, []byte("E=691 R=0 C=" + strings.ToUpper(hex.EncodeToString(next[:])) + " V=3 M=Authentication failure")
}

// eap runs EAP (RFC 3748) with EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2, MS-CHAP 2.2).
func (a *authServer) eap(now time.Time, p *pppServer, pk ppp.Packet) {
	if pk.ID != a.id || len(pk.Data) < 1 {
		return // RFC 3748 4.1: a Response must match the pending Request
	}
	a.resendAt = time.Time{}
	typ, d := pk.Data[0], pk.Data[1:]
	if a.eapQuiet(p, typ) { // PPPQuirks.EAPQuiet (pppquirks.go)
		return
	}
	switch {
	case a.eapStage == stageIdentity && typ == eapTypeIdentity && p.cfg.EAPTLS != nil:
		a.user = string(d)
		a.attempt(p, a.user)
		a.startEAPTLS(now, p)
	case a.eapStage == stageTLS && typ == eapTypeTLS:
		a.eapTLS(now, p, d)
	case a.eapStage == stageTLS && typ == eapTypeNak && len(d) > 0 && d[0] == eapTypeMSCHAPv2:
		// A client without a certificate: EAP-MSCHAPv2 instead, as NPS does when its
		// policy allows both.
		a.tls.pipe.Abort()
		fallthrough
	case a.eapStage == stageIdentity && typ == eapTypeIdentity:
		if a.eapStage == stageIdentity {
			a.user = string(d)
		}
		a.eapStage = stageChallenge
		a.msID = a.id + 1
		a.request(now, p, eapProto, eapRequest, a.eapMSCHAPv2(msOpChallenge, a.chapChallenge()))
	case a.eapStage == stageChallenge && typ == eapTypeNak:
		p.send(eapProto, eapFailure, pk.ID, nil)
		a.failedWith(now, p, a.user, fmt.Errorf("%w: client Nak'ed EAP-MSCHAPv2", ErrNoAuthMethod))
	case a.eapStage == stageChallenge && typ == eapTypeMSCHAPv2:
		a.eapResponse(now, p, d)
	case a.eapStage == stageSuccess && typ == eapTypeMSCHAPv2 && len(d) >= 1 && d[0] == msOpSuccess:
		p.send(eapProto, eapSuccess, pk.ID, nil)
		a.resendAt = time.Time{}
		a.succeeded(now, p, a.user, serverHLAK(a.password, a.nt))
	case a.eapStage == stageFailure && typ == eapTypeMSCHAPv2 && len(d) >= 1 && d[0] == msOpFailure:
		p.send(eapProto, eapFailure, pk.ID, nil)
		a.failed(now, p, a.user)
	default:
		p.s.log.Warn("unexpected EAP response", "type", typ, "stage", a.eapStage)
	}
}

// eapResponse checks the EAP-MSCHAPv2 Response: OpCode 2, MS-CHAPv2-ID, MS-Length,
// Value-Size, Response (49), Name.
func (a *authServer) eapResponse(now time.Time, p *pppServer, d []byte) {
	if len(d) < 5 || d[0] != msOpResponse || d[1] != a.msID || int(d[4]) != mschapValueSize || len(d) < 5+mschapValueSize {
		p.s.log.Warn("malformed EAP-MSCHAPv2 Response")
		return
	}
	name := string(d[5+mschapValueSize:])
	a.attempt(p, name)
	ok, msg := a.verifyMSCHAPv2(p, d[5:5+mschapValueSize], name)
	if ok {
		a.user, a.eapStage = name, stageSuccess
		a.request(now, p, eapProto, eapRequest, a.eapMSCHAPv2(msOpSuccess, msg))
		return
	}
	a.eapStage = stageFailure
	a.request(now, p, eapProto, eapRequest, a.eapMSCHAPv2(msOpFailure, msg))
}

// eapMSCHAPv2 builds the Type-Data of an EAP-MSCHAPv2 request: Type 26, OpCode,
// MS-CHAPv2-ID, MS-Length (from OpCode to the end), data.
func (a *authServer) eapMSCHAPv2(op uint8, data []byte) []byte {
	n := 4 + len(data)
	b := []byte{eapTypeMSCHAPv2, op, a.msID, byte(n >> 8), byte(n)}
	return append(b, data...)
}

func (a *authServer) attempt(p *pppServer, name string) {
	p.s.srv.update(p.s, func(i *SessionInfo) { i.AuthAttempts++; i.User, i.Auth = name, a.method })
}

func (a *authServer) succeeded(now time.Time, p *pppServer, name string, hlak [32]byte) {
	a.done, a.resendAt = true, time.Time{}
	s := p.s
	s.hlak = hlak
	s.srv.update(s, func(i *SessionInfo) { i.User, i.Auth, i.Authenticated = name, a.method, true })
	s.log.Info("auth ok", "method", a.method.String(), "user", name)
	s.authenticated(now)
	p.startNetwork(now)
}

func (a *authServer) failed(now time.Time, p *pppServer, name string) {
	a.failedWith(now, p, name, fmt.Errorf("%w: %s for %q", ErrAuthFailed, a.method, name))
}

// failedWith ends the link after a failed authentication: LCP Terminate-Request, then
// CALL_DISCONNECT (PROTOCOL.md 4).
func (a *authServer) failedWith(now time.Time, p *pppServer, name string, err error) {
	a.resendAt = time.Time{}
	p.s.log.Info("auth failed", "method", a.method.String(), "user", name)
	p.terminate(now, err)
}

// lookupUser finds a password by the name as sent, then by the bare user of "HUB\user" or
// "user@HUB" (SoftEther's hub syntax, Windows' DOMAIN\user).
func lookupUser(users map[string]string, name string) (string, bool) {
	if pw, ok := users[name]; ok {
		return pw, true
	}
	bare := name
	if i := strings.LastIndexByte(bare, '\\'); i >= 0 {
		bare = bare[i+1:]
	}
	if i := strings.IndexByte(bare, '@'); i >= 0 {
		bare = bare[:i]
	}
	pw, ok := users[bare]
	return pw, ok
}

// serverHLAK is the server's HLAK for MS-CHAPv2 and EAP-MSCHAPv2 (MS-SSTP 3.3.5.2.3 and
// PROTOCOL.md 2): MasterReceiveKey ‖ MasterSendKey as the server derives them (RFC 3079 3.3,
// 3.4), composed here from the RFC 3079 primitives rather than ppp.MSCHAPv2HLAK so a wrong
// order there is caught.
func serverHLAK(password string, nt [24]byte) [32]byte {
	mk := ppp.MPPEMasterKey(ppp.HashNTPasswordHash(ppp.NTPasswordHash(password)), nt)
	var h [32]byte
	copy(h[:16], ppp.MPPEAsymmetricStartKey(mk, 16, false, true)) // server receive key
	copy(h[16:], ppp.MPPEAsymmetricStartKey(mk, 16, true, true))  // server send key
	return h
}
