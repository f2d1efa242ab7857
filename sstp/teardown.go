package sstp

import (
	"errors"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

// fail ends the session with err (the first call wins) and unblocks every goroutine.
func (s *Session) fail(err error) {
	s.failOnce.Do(func() {
		if err != nil && !s.netUp.Load() {
			var se *Error
			if !errors.As(err, &se) {
				err = &Error{Step: Step(s.step.Load()), Err: err, Hint: s.stepHint(Step(s.step.Load()), err)}
			}
		}
		s.err = err
		s.netUp.Store(false)
		close(s.done)
		s.raw.Close()
	})
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
	case st == StepSSTP:
		return "the server does not speak SSTP as expected"
	case st == StepIP:
		return "the server did not assign an IPv4 address: check its address pool"
	}
	return ""
}

// Close sends Call Disconnect, waits briefly for the acknowledgement
// (MS-SSTP 3.2.5.4), closes the connection and waits for the goroutines.
// It is idempotent.
func (s *Session) Close() error {
	s.closeOnce.Do(func() { close(s.closeReq) })
	s.wg.Wait()
	return nil
}

func (s *Session) disconnect(now time.Time) {
	if s.state == stateDisconnecting {
		return
	}
	s.state = stateDisconnecting
	s.netUp.Store(false)
	s.log.Info("disconnecting")
	// A data write stuck on a server that stopped reading holds wmu; the
	// deadline ends it, so Close takes at most the acknowledgement wait
	// (MS-SSTP 3.2.2) here too instead of hanging until the hello timer.
	s.raw.SetWriteDeadline(now.Add(DefaultDisconnectWait))
	if err := s.sendControl(MsgCallDisconnect); err != nil {
		s.fail(nil)
		return
	}
	s.discDue = now.Add(DefaultDisconnectWait)
}

// abort reports a protocol violation to the server (MS-SSTP 3.2.5.3) and ends.
func (s *Session) abort(err error) {
	s.log.Warn("protocol error, aborting call", "err", err)
	if s.wmu.TryLock() {
		s.raw.SetWriteDeadline(time.Now().Add(DefaultAbortWait))
		s.conn.Write(AppendControl(nil, MsgCallAbort))
		s.wmu.Unlock()
	}
	s.fail(err)
}
