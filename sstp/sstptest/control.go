package sstptest

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
)

// httpPhase reads the SSTP_DUPLEX_POST request and answers it (MS-SSTP 3.2.4.1, 3.3.4.1);
// false when the session ends here.
func (s *Session) httpPhase() bool {
	s.raw.SetReadDeadline(time.Now().Add(handshakeTimeout))
	req, err := sstp.ReadRequest(s.br)
	s.raw.SetReadDeadline(time.Time{})
	if err != nil {
		s.end(fmt.Errorf("%w: %w", ErrHTTP, err))
		return false
	}
	s.srv.update(s, func(i *SessionInfo) { i.Host = req.Host })
	if code, reason := checkRequest(req); code != 200 {
		s.write(sstp.AppendResponse(nil, code, reason))
		s.end(fmt.Errorf("%w: %s %s: %d %s", ErrHTTP, req.Method, req.Path, code, reason))
		return false
	}
	if resp := faultResponse(s.cfg.Fault); resp != nil {
		s.write(resp)
		s.end(fmt.Errorf("%w: %s", ErrFault, s.cfg.Fault))
		return false
	}
	if s.cfg.Fault == FaultEndlessHeader {
		s.endlessHeader()
		return false
	}
	if err := s.write(sstp.AppendResponse(nil, 200, "OK")); err != nil {
		s.end(fmt.Errorf("%w: %w", ErrConnectionLost, err))
		return false
	}
	return true
}

// checkRequest applies the rules HTTP.sys applies to the request line and Host header.
func checkRequest(r sstp.Request) (int, string) {
	switch {
	case r.Method != "SSTP_DUPLEX_POST":
		return 400, "Bad Request"
	case !strings.EqualFold(r.Path, "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/"):
		return 404, "Not Found"
	case r.Proto == "HTTP/1.1" && r.Host == "":
		return 400, "Bad Request" // RFC 9112 3.2: Host is required in HTTP/1.1
	}
	return 200, "OK"
}

// handlePacket dispatches one SSTP packet.
func (s *Session) handlePacket(now time.Time, pkt []byte) {
	if s.st == stateHold || s.st == stateStopped {
		return
	}
	control, _, err := sstp.ParseHeader(pkt)
	if err != nil {
		s.end(fmt.Errorf("%w: %w", ErrProtocol, err))
		return
	}
	if !control {
		s.handleData(now, pkt[sstpHeaderLen:])
		return
	}
	c, err := sstp.ParseControl(pkt)
	if err != nil {
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusInvalidFrame}, fmt.Errorf("%w: %w", ErrProtocol, err))
		return
	}
	s.log.Debug("recv", "type", c.Type.String())
	s.handleControl(now, c, pkt)
}

func (s *Session) handleData(now time.Time, frame []byte) {
	if s.st != stateAcked {
		// MS-SSTP 3.3.5.2: data is only valid once the call is acknowledged.
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusInvalidFrame},
			fmt.Errorf("%w: data packet before CALL_CONNECT_ACK", ErrProtocol))
		return
	}
	s.lastPPP = now
	s.ppp.input(now, frame)
}

func (s *Session) handleControl(now time.Time, c sstp.Control, pkt []byte) {
	switch c.Type {
	case msgCallConnectRequest:
		s.connectRequest(now, c)
	case msgCallConnected:
		s.callConnected(now, pkt)
	case msgCallAbort:
		s.end(ErrClientAbort)
	case msgCallDisconnect:
		// MS-SSTP 3.3.5.2.5: acknowledge, then close.
		s.sendControl(msgCallDisconnectAck)
		s.srv.update(s, func(i *SessionInfo) { i.ClientDisconnect = true })
		s.end(s.ppp.failErr)
	case msgCallDisconnectAck:
		if s.st == stateDisconnecting {
			s.end(s.ppp.failErr)
		}
	case msgEchoRequest:
		if s.earlyEcho() {
			return
		}
		if s.cfg.Fault != FaultDropEchoes {
			s.sendControl(msgEchoResponse)
		}
	case msgEchoResponse:
	default:
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusInvalidFrame},
			fmt.Errorf("%w: unexpected %s", ErrProtocol, c.Type))
	}
}

// connectRequest answers CALL_CONNECT_REQUEST (MS-SSTP 3.3.5.2.1) with CALL_CONNECT_ACK and a
// CRYPTO_BINDING_REQ, or with CALL_CONNECT_NAK.
func (s *Session) connectRequest(now time.Time, c sstp.Control) {
	if s.st != stateWaitConnect {
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusInvalidFrame},
			fmt.Errorf("%w: second CALL_CONNECT_REQUEST", ErrProtocol))
		return
	}
	if s.connectFault() {
		return
	}
	if v, ok := encapProtocol(c); !ok {
		s.nak(v)
		return
	}
	rand.Read(s.nonce[:])
	s.write(s.connectAck())
	s.st = stateAcked
	if s.cfg.echoInterval > 0 {
		s.echoAt = now.Add(s.cfg.echoInterval)
	}
	s.log.Info("call connect ack", "hash_bitmask", s.cfg.bitmask)
	s.ppp.lowerUp(now)
}

func (s *Session) connectAck() []byte {
	req := sstp.CryptoBindingRequest{HashBitmask: s.cfg.bitmask, Nonce: s.nonce}
	return sstp.AppendControl(nil, msgCallConnectAck, sstp.Attribute{ID: attrCryptoBindReq, Value: req.Append(nil)})
}

// encapProtocol checks for exactly one ENCAPSULATED_PROTOCOL_ID of PPP (MS-SSTP 2.2.9, 2.2.5)
// and returns the offending value otherwise.
func encapProtocol(c sstp.Control) ([]byte, bool) {
	if len(c.Attrs) != 1 || c.Attrs[0].ID != attrEncapProtoID {
		return nil, false
	}
	v := c.Attrs[0].Value
	return v, len(v) == 2 && binary.BigEndian.Uint16(v) == encapProtoPPP
}

// nak answers CALL_CONNECT_NAK with STATUS_INFO VALUE_NOT_SUPPORTED; after three the call is
// aborted (MS-SSTP 3.3.5.2.1, retry count).
func (s *Session) nak(v []byte) {
	s.connectNaks++
	if s.connectNaks > 3 {
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: sstp.Status(6)},
			fmt.Errorf("%w: too many unacceptable CALL_CONNECT_REQUESTs", ErrProtocol))
		return
	}
	si := sstp.StatusInfo{AttrID: attrEncapProtoID, Status: statusValueNotSupported, Value: v}
	s.write(sstp.AppendControl(nil, msgCallConnectNak, sstp.Attribute{ID: attrStatusInfo, Value: si.Append(nil)}))
	s.log.Info("call connect nak", "value", fmt.Sprintf("%x", v))
}

// callConnected checks the crypto binding of CALL_CONNECTED (MS-SSTP 3.3.5.2.3) as Windows
// does: against the server's HLAK, its nonce, its certificate and its bitmask.
func (s *Session) callConnected(now time.Time, pkt []byte) {
	if s.callConn {
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusInvalidFrame},
			fmt.Errorf("%w: second CALL_CONNECTED", ErrProtocol))
		return
	}
	s.callConn = true
	s.connectedBy = time.Time{}
	var hash uint8
	if c, err := sstp.ParseControl(pkt); err == nil && len(c.Attrs) == 1 && len(c.Attrs[0].Value) >= 4 {
		hash = c.Attrs[0].Value[3]
	}
	err := ErrEarlyCallConnected
	if s.authed {
		err = sstp.VerifyCallConnected(pkt, s.hlak[:], s.nonce, s.srv.cert.Raw, s.cfg.bitmask)
	}
	s.srv.update(s, func(i *SessionInfo) { i.CallConnected, i.HashProtocol, i.BindingErr = true, hash, err })
	if err == nil {
		s.log.Info("crypto binding ok", "hash", hash)
		s.updateDataPath()
		return
	}
	s.log.Info("crypto binding wrong", "hash", hash, "err", err.Error(), "enforced", s.cfg.verify)
	if s.cfg.verify {
		s.abort(sstp.StatusInfo{AttrID: attrCryptoBinding, Status: statusInvalidFrame}, fmt.Errorf("crypto binding: %w", err))
	}
}

// noCallConnected drops a call whose CALL_CONNECTED did not come in time (MS-SSTP 3.3.2,
// negotiation timer).
func (s *Session) noCallConnected(now time.Time) {
	s.srv.update(s, func(i *SessionInfo) { i.BindingErr = ErrNoCallConnected })
	s.log.Info("crypto binding missing", "timeout", s.cfg.connectedTimeout.String())
	s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusNegotiationTimeout}, ErrNoCallConnected)
}

// authenticated is called by the PPP side when the client passed authentication.
func (s *Session) authenticated(now time.Time) {
	s.authed = true
	if s.cfg.verify && !s.callConn {
		s.connectedBy = now.Add(s.cfg.connectedTimeout)
	}
}

// abort sends CALL_ABORT with one STATUS_INFO and ends the session (MS-SSTP 3.1.5.1).
func (s *Session) abort(si sstp.StatusInfo, err error) {
	s.write(sstp.AppendControl(nil, msgCallAbort, sstp.Attribute{ID: attrStatusInfo, Value: si.Append(nil)}))
	s.log.Info("call abort", "reason", err.Error())
	s.end(err)
}

// disconnect sends CALL_DISCONNECT and waits (up to the grace period) for the ACK.
func (s *Session) disconnect(now time.Time) {
	s.sendControl(msgCallDisconnect)
	s.st = stateDisconnecting
	s.closeAt = now.Add(s.cfg.grace)
}

// graceOver runs when a Terminate-Ack or CALL_DISCONNECT_ACK did not come in time.
func (s *Session) graceOver(now time.Time) {
	if s.st == stateDisconnecting {
		s.end(s.ppp.failErr)
		return
	}
	s.disconnect(now)
}

func (s *Session) sendControl(t sstp.MessageType) {
	if err := s.write(sstp.AppendControl(nil, t)); err != nil {
		s.writeFailed(err)
	}
}

// writeFailed ends the session after a failed write: with the reason the
// server was already ending it for, if any (the client may close first).
func (s *Session) writeFailed(err error) {
	if s.ppp.failErr != nil {
		s.end(s.ppp.failErr)
		return
	}
	s.end(fmt.Errorf("%w: %w", ErrConnectionLost, err))
}

// dataAllowed reports whether IP may flow: when the binding is enforced, only once
// CALL_CONNECTED was verified (MS-SSTP 3.3.5: data only in Server_Call_Connected); data before
// that is dropped, as Windows does.
func (s *Session) dataAllowed() bool {
	return !s.cfg.verify || (s.callConn && s.authed)
}

// updateDataPath publishes which directions of IP traffic WriteIP may use.
func (s *Session) updateDataPath() {
	ok := s.dataAllowed()
	s.up.Store(ok && s.ppp.ipcp.opened)
	s.ipv6Up.Store(ok && s.ppp.ipv6.opened)
}
