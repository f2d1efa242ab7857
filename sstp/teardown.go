package sstp

import (
	"errors"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

// Teardown (MS-SSTP 3.1.2.1, 3.1.2.2, 3.2.5.3): every way the call ends is
// bounded, so a stop fits well inside the 5 s netifd gives a handler's
// daemon before SIGKILL, even with the server unreachable.
const (
	// peerEndWait is TIMER_VAL_ABORT_STATE_TIMER_2 and
	// TIMER_VAL_DISCONNECT_STATE_TIMER_2 (1 s): after answering the server's
	// Call Abort or acknowledging its Call Disconnect, the time it gets to
	// close the connection first, so our answer reaches it.
	peerEndWait = time.Second
	// closeNotifyWait bounds the TLS close_notify on a connection that no
	// longer drains (crypto/tls would give it 5 s).
	closeNotifyWait = 250 * time.Millisecond
)

// ending reports whether the call is being torn down: only the teardown
// messages count then (MS-SSTP 3.2.5.3).
func (st callState) ending() bool { return st >= stateDisconnecting }

// fail ends the session with err (the first call wins), unblocks every
// goroutine and closes the connection, with TLS close_notify when the
// connection still drains.
func (s *Session) fail(err error) {
	first := false
	if e := s.ended.Load(); e != nil {
		err = *e // the call was already ending for this reason
	}
	s.failOnce.Do(func() {
		s.err = s.classify(err)
		s.netUp.Store(false)
		close(s.done)
		first = true
	})
	if first {
		s.closeConn()
	}
}

// classify gives err the step it happened at and a hint, as an *Error; a
// call that ends after the network phase is at StepTunnel.
func (s *Session) classify(err error) error {
	var se *Error
	if err == nil || errors.As(err, &se) {
		return err
	}
	st := Step(s.step.Load())
	select {
	case <-s.up:
		st = StepTunnel
	default:
	}
	return &Error{Step: st, Err: err, Hint: s.stepHint(st, err)}
}

// closeConn sends TLS close_notify (RFC 8446 6.1) and closes the
// connection. crypto/tls skips the alert while a write is stuck; a socket
// that takes the alert but not in time is closed after closeNotifyWait.
func (s *Session) closeConn() {
	if s.conn == nil {
		s.raw.Close()
		return
	}
	t := time.AfterFunc(closeNotifyWait, func() { s.raw.Close() })
	s.conn.Close()
	t.Stop()
	s.raw.Close()
}

func (s *Session) stepHint(st Step, err error) string {
	switch {
	case errors.Is(err, ErrAborted) && st == StepIP:
		return "the server dropped the call right after authentication: it may have rejected the crypto binding (Call Connected)"
	case errors.Is(err, ppp.ErrEAPServerCert):
		return "the EAP server's certificate did not verify: give its CA with --eap-ca (and --eap-server-name if it names another host)"
	case IsAuthError(err) && errors.Is(err, ppp.ErrMutualAuth):
		return "the server could not prove it knows the password (MS-CHAPv2 authenticator response): this may not be the server you think"
	case IsAuthError(err) && s.cfg.PPP.EAPTLS != nil:
		return "the server refused the client certificate: check --client-cert/--client-key and that its CA is trusted by the server"
	case IsAuthError(err):
		return "check the user name and password, and which methods the server allows (--auth)"
	case st == StepAuth && errors.Is(err, ErrNegotiationTimout):
		return "the server did not finish authentication in time: an MFA approval or a slow RADIUS server may need a longer --connect-timeout"
	case st == StepSSTP:
		return "the server does not speak SSTP as expected"
	case st == StepLCP:
		return "the PPP link did not come up (LCP): the server refused or ignored sstpgo's link options; --log-level debug shows the exchange"
	case st == StepIP && errors.Is(err, ppp.ErrNoAddress):
		return "the server did not assign an IPv4 address: check its address pool"
	case st == StepIP && errors.Is(err, ppp.ErrNegotiation):
		return "IP configuration (IPCP) did not converge: the server kept refusing an option (address or DNS); --log-level debug shows which"
	case st == StepIP:
		return "IP configuration (IPCP) did not complete: the server kept Nak'ing or ignoring an option (address, DNS); --log-level debug shows which"
	case st == StepTunnel && errors.Is(err, ErrPeerDead):
		return "the server stopped answering: the path (uplink, NAT, firewall) or the server is down"
	}
	return ""
}

// Close sends Call Disconnect, waits briefly for the acknowledgement
// (MS-SSTP 3.2.5.4, DefaultDisconnectWait), closes the connection with TLS
// close_notify and waits for the goroutines. It is idempotent and bounded:
// a server that is unreachable or has stopped reading costs at most
// DefaultDisconnectWait + closeNotifyWait.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		// The loop may itself wait behind a stuck data write (answering an
		// echo): the write deadline ends that write, and the timer ends the
		// session whatever the loop is doing.
		s.raw.SetWriteDeadline(time.Now().Add(DefaultDisconnectWait))
		bound := time.AfterFunc(DefaultDisconnectWait+closeNotifyWait, func() { s.fail(nil) })
		defer bound.Stop()
		close(s.closeReq)
		s.wg.Wait()
	})
	s.wg.Wait()
	return nil
}

// closeRequested runs Close on the loop: a call already being torn down ends now.
func (s *Session) closeRequested(now time.Time) {
	if s.state.ending() {
		s.fail(s.endErr)
		return
	}
	s.log.Info("disconnecting")
	s.endCall(now, nil)
}

// endCall ends the call cleanly: Call Disconnect, then the session ends with
// err when the server acknowledges, closes, or DefaultDisconnectWait has
// passed (MS-SSTP 3.2.5.4, 3.1.2.2). After a PPP failure (authentication
// refused, LCP Terminate) too, so the server logs a clean end.
func (s *Session) endCall(now time.Time, err error) {
	if s.state.ending() {
		s.fail(s.endErr)
		return
	}
	s.startEnd(stateDisconnecting, err)
	s.sendEnd(now.Add(DefaultDisconnectWait), MsgCallDisconnect)
}

// abort reports a protocol violation to the server with Call Abort and
// waits (DefaultAbortWait) for its Call Abort (MS-SSTP 3.2.5.3, 3.1.2.1).
func (s *Session) abort(err error) {
	s.log.Warn("protocol error, aborting call", "err", err)
	if s.state.ending() {
		s.fail(err)
		return
	}
	s.startEnd(stateAborting, err)
	s.sendEnd(time.Now().Add(DefaultAbortWait), MsgCallAbort)
}

// peerAbort answers the server's Call Abort with a Call Abort (MS-SSTP
// 3.2.5.3.4) and gives the server peerEndWait to close.
func (s *Session) peerAbort(now time.Time, err error) {
	switch s.state {
	case stateAborting: // the answer to ours
		s.state = stateAbortAcked
		s.endDue = now.Add(peerEndWait)
	case stateAbortAcked, stateDisconnectAcked:
	default:
		s.startEnd(stateAbortAcked, err)
		s.sendEnd(now.Add(peerEndWait), MsgCallAbort)
	}
}

// peerDisconnect acknowledges the server's Call Disconnect (MS-SSTP
// 3.2.5.3.5) and gives the server peerEndWait to close.
func (s *Session) peerDisconnect(now time.Time, err error) {
	switch s.state {
	case stateDisconnecting: // both ended at once: acknowledge and go
		s.sendEnd(now.Add(peerEndWait), MsgCallDisconnectAck)
		s.fail(s.endErr)
	case stateAborting, stateAbortAcked, stateDisconnectAcked:
	default:
		s.startEnd(stateDisconnectAcked, err)
		s.sendEnd(now.Add(peerEndWait), MsgCallDisconnectAck)
	}
}

// startEnd enters a teardown state; the session will end with err (the
// first reason is kept if the call was already ending).
func (s *Session) startEnd(st callState, err error) {
	if !s.state.ending() {
		s.endErr = err
		if err != nil {
			s.ended.Store(&err)
		}
	}
	s.state = st
	s.netUp.Store(false)
}

// sendEnd sends a teardown message and ends the session by deadline; a
// connection that cannot take the message by then ends at once.
func (s *Session) sendEnd(deadline time.Time, t MessageType) {
	s.log.Debug("sstp send", "type", t.String())
	if err := s.writeBy(deadline, AppendControl(make([]byte, 0, 8), t)); err != nil {
		s.fail(s.endErr)
		return
	}
	s.endDue = deadline
}

// writeBy writes b from the loop, giving up at deadline: the write
// deadline also ends a data write stuck ahead of it, which releases the lock
// (TLS cannot write after that: the call is ending anyway).
func (s *Session) writeBy(deadline time.Time, b []byte) error {
	s.raw.SetWriteDeadline(deadline)
	s.wmu.Lock()
	_, err := s.conn.Write(b)
	s.wmu.Unlock()
	return err
}
