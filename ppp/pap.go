package ppp

import "time"

// PAP codes (RFC 1334 section 2.2).
const (
	papAuthRequest = 1
	papAuthAck     = 2
	papAuthNak     = 3
)

// papAuth sends Authenticate-Request until the server Acks or Naks,
// retransmitting at a growing interval (RFC 1334 section 2.2.1): a server
// waiting on RADIUS or an MFA push may stay silent for a minute. There is no
// retry limit here; Config.AuthTimeout or the driver bounds the wait.
type papAuth struct {
	c        *Client
	id       uint8
	sent     [4]uint64 // bit per Identifier already used in a request
	interval time.Duration
	timerOn  bool
	due      time.Time
	done     bool
}

func (a *papAuth) proto() uint16 { return ProtoPAP }

func (a *papAuth) start() {
	if len(a.c.cfg.Username) > 255 || len(a.c.cfg.Password) > 255 {
		a.c.fatal(&AuthError{Method: AuthPAP, Message: ErrCredentials.Error()})
		return
	}
	a.send()
}

// send transmits a new Authenticate-Request; "the Identifier field MUST be
// changed each time an Authenticate-Request packet is issued" (2.2.1).
func (a *papAuth) send() {
	c := a.c
	a.id++
	a.sent[a.id/64] |= 1 << (a.id % 64)
	a.interval = nextAuthInterval(a.interval, c.fsmCfg.Restart)
	a.timerOn, a.due = true, c.now.Add(a.interval)
	b := append(c.scratch[:0], byte(len(c.cfg.Username)))
	b = append(b, c.cfg.Username...)
	b = append(b, byte(len(c.cfg.Password)))
	c.scratch = append(b, c.cfg.Password...)
	c.sendPacket(ProtoPAP, papAuthRequest, a.id, c.scratch)
	clear(c.scratch) // do not keep the password around
}

// nextAuthInterval is the wait before the next retransmission: the restart
// timer, doubled each time up to four times it (3, 6, 12, 12 … s), so a
// slow server is not flooded and a lost request costs little.
func nextAuthInterval(cur, restart time.Duration) time.Duration {
	if cur <= 0 {
		return restart
	}
	return min(2*cur, 4*restart)
}

// wasSent tells whether id is the Identifier of one of our requests: a
// server that ignores retransmissions while RADIUS is pending answers the
// first one, and pppd takes any Ack/Nak in its AUTHREQ state.
func (a *papAuth) wasSent(id uint8) bool { return a.sent[id/64]&(1<<(id%64)) != 0 }

func (a *papAuth) input(p Packet) {
	if a.done || !a.wasSent(p.ID) || (p.Code != papAuthAck && p.Code != papAuthNak) {
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
	if a.timerOn && !now.Before(a.due) {
		a.send()
	}
}

func (a *papAuth) deadline() (time.Time, bool) { return a.due, a.timerOn }
