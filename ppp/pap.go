package ppp

import "time"

// PAP codes (RFC 1334 section 2.2).
const (
	papAuthRequest = 1
	papAuthAck     = 2
	papAuthNak     = 3
)

// papAuth sends Authenticate-Request until the server Acks or Naks,
// retransmitting on the restart timer (RFC 1334 section 2.2.1).
type papAuth struct {
	c       *Client
	id      uint8
	retries int
	timerOn bool
	due     time.Time
	done    bool
}

func (a *papAuth) proto() uint16 { return ProtoPAP }

func (a *papAuth) start() {
	if len(a.c.cfg.Username) > 255 || len(a.c.cfg.Password) > 255 {
		a.c.fatal(&AuthError{Method: AuthPAP, Message: ErrCredentials.Error()})
		return
	}
	a.retries = a.c.fsmCfg.MaxConfigure
	a.send()
}

// send transmits a new Authenticate-Request; "the Identifier field MUST be
// changed each time an Authenticate-Request packet is issued" (2.2.1).
func (a *papAuth) send() {
	c := a.c
	a.id++
	a.retries--
	a.timerOn, a.due = true, c.now.Add(c.fsmCfg.Restart)
	b := append(c.scratch[:0], byte(len(c.cfg.Username)))
	b = append(b, c.cfg.Username...)
	b = append(b, byte(len(c.cfg.Password)))
	c.scratch = append(b, c.cfg.Password...)
	c.sendPacket(ProtoPAP, papAuthRequest, a.id, c.scratch)
	clear(c.scratch) // do not keep the password around
}

func (a *papAuth) input(p Packet) {
	if a.done || p.ID != a.id || (p.Code != papAuthAck && p.Code != papAuthNak) {
		return
	}
	a.done, a.timerOn = true, false
	msg := papMessage(p.Data)
	if p.Code == papAuthNak {
		a.c.fatal(&AuthError{Method: AuthPAP, Message: nakText(msg)})
		return
	}
	a.c.log.Debug("ppp pap ack", "msg", msg)
	a.c.authSucceeded(AuthPAP, [32]byte{})
}

// papMessage reads Msg-Length and Message (2.2.2), leniently.
func papMessage(d []byte) string {
	if len(d) == 0 {
		return ""
	}
	n := int(d[0])
	d = d[1:]
	if n < len(d) {
		d = d[:n]
	}
	return printableText(d)
}

func nakText(msg string) string {
	if msg == "" {
		return "server rejected the user name or password"
	}
	return "server rejected the user name or password: server says \"" + msg + "\""
}

func (a *papAuth) timeout(now time.Time) {
	if !a.timerOn || now.Before(a.due) {
		return
	}
	if a.retries <= 0 {
		a.timerOn = false
		a.c.fatal(ErrAuthTimeout)
		return
	}
	a.send()
}

func (a *papAuth) deadline() (time.Time, bool) { return a.due, a.timerOn }
