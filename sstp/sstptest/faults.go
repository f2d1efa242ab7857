package sstptest

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
)

// faultResponse is the HTTP answer of the HTTP faults, nil for the others.
func faultResponse(f Fault) []byte {
	switch f {
	case FaultHTTP302:
		return sstp.AppendResponseWith(nil, 302, "Found", "Location: https://sstp.invalid/elsewhere/")
	case FaultHTTP401:
		return sstp.AppendResponseWith(nil, 401, "Unauthorized", "WWW-Authenticate: Negotiate")
	case FaultHTTP500:
		return sstp.AppendResponse(nil, 500, "Internal Server Error")
	}
	return nil
}

// endlessHeader streams header lines after a 200 status line until a write fails (the client
// closed, the server was closed, or the client stopped reading for writeTimeout).
func (s *Session) endlessHeader() {
	b := []byte("HTTP/1.1 200 OK\r\nServer: Microsoft-HTTPAPI/2.0\r\n")
	for i := 0; ; i++ {
		b = append(b, "X-Sstptest-Filler-"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ": endless header, see FaultEndlessHeader\r\n"...)
		if len(b) < 1024 {
			continue
		}
		if err := s.write(b); err != nil {
			s.end(fmt.Errorf("%w: %s: %w", ErrFault, s.cfg.Fault, err))
			return
		}
		b = b[:0]
	}
}

// connectFault runs the faults that replace the answer to CALL_CONNECT_REQUEST; true when one
// did.
func (s *Session) connectFault() bool {
	f := s.cfg.Fault
	var b []byte
	switch f {
	case FaultNoConnectAck:
		s.hold("connect request not answered")
		return true
	case FaultConnectNak:
		s.connectNaks = 0 // Nak forever, never abort
		s.nak([]byte{0, encapProtoPPP})
		return true
	case FaultTruncatedPacket:
		b = s.connectAck()
		putLength(b, len(b)+20) // MS-SSTP 2.2.1 Length covers more than is sent
		s.write(b)
		s.end(fmt.Errorf("%w: %s", ErrFault, f))
		return true
	case FaultLengthTooLong:
		b = s.connectAck()
		putLength(b, sstpMaxPacket)
	case FaultBadVersion:
		b = s.connectAck()
		b[0] = 0x20
	case FaultUnknownMessage:
		b = sstp.AppendControl(nil, sstp.MessageType(0x00ff))
	case FaultBadAttrLength:
		b = s.connectAck()
		binary.BigEndian.PutUint16(b[10:], 0x0ff0) // the CRYPTO_BINDING_REQ attribute's Length
	default:
		return false
	}
	s.write(b)
	s.hold("sent a broken answer")
	return true
}

// putLength overwrites the 12-bit Length of an SSTP packet header.
func putLength(b []byte, n int) {
	binary.BigEndian.PutUint16(b[2:], uint16(n)&0x0fff)
}

// hold makes the session read and discard its input until the client or the server closes.
func (s *Session) hold(why string) {
	s.st = stateHold
	s.echoAt, s.lcpEchoAt, s.connectedBy, s.closeAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	s.log.Info("fault", "fault", s.cfg.Fault.String(), "action", why)
}

// networkUp is called when IPCP opened: the faults that strike a working tunnel run here.
func (s *Session) networkUp(now time.Time) {
	if s.cfg.DisconnectAfterUp {
		s.disconnect(now)
		return
	}
	switch s.cfg.Fault {
	case FaultStopReading:
		s.st = stateStopped
		s.echoAt, s.lcpEchoAt, s.connectedBy = time.Time{}, time.Time{}, time.Time{}
		s.log.Info("fault", "fault", s.cfg.Fault.String(), "action", "stopped reading")
	case FaultAbortAfterConnect:
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusNoError}, fmt.Errorf("%w: %s", ErrFault, s.cfg.Fault))
	}
}
