package sstptest

import (
	"fmt"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
)

// authHold is Options.AuthDelay at work: the client's authentication packet
// waits, as at a server whose RADIUS back end waits for an MFA approval.
type authHold struct {
	until    time.Time // when the held packet is answered; zero: nothing held
	proto    uint16
	pkt      []byte // the latest packet the client sent meanwhile
	released bool   // the delay has run; later packets go straight through
}

// holdAuth takes the client's authentication packet while AuthDelay runs;
// false: the packet is to be handled now.
func (s *Session) holdAuth(now time.Time, proto uint16, pkt []byte) bool {
	h := &s.authHold
	if s.cfg.AuthDelay <= 0 || h.released {
		return false
	}
	if h.until.IsZero() {
		h.until = now.Add(s.cfg.AuthDelay)
		s.ppp.auth.resendAt = time.Time{} // a server waiting for RADIUS does not retransmit
		s.log.Info("authentication held", "for", s.cfg.AuthDelay.String())
	}
	h.proto, h.pkt = proto, append(h.pkt[:0], pkt...)
	return true
}

// releaseAuth answers the held packet once AuthDelay has passed.
func (s *Session) releaseAuth(now time.Time) {
	h := &s.authHold
	h.until, h.released = time.Time{}, true
	if s.ppp.phase == phaseAuthenticate {
		s.ppp.auth.input(now, &s.ppp, h.proto, h.pkt)
	}
}

// earlyEcho aborts the call on an ECHO_REQUEST before CALL_CONNECTED when
// Options.AbortEarlyEcho asks for accel-ppp's behaviour; true when it did.
func (s *Session) earlyEcho() bool {
	if !s.cfg.AbortEarlyEcho || s.callConn {
		return false
	}
	s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusInvalidFrame},
		fmt.Errorf("%w", ErrEarlyEcho))
	return true
}
