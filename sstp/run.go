package sstp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// ctlMsg carries a packet, or the error that ended reading, to the loop, in
// order: a Call Abort followed by EOF is reported as the abort.
type ctlMsg struct {
	pkt []byte
	err error
}

// readLoop reads SSTP packets in place in the TLS read buffer
// (packetReader); IP data goes straight to Deliver, everything else is copied
// to the loop goroutine.
//
// The receive time and the counters are published once per TLS record (when
// the read buffer runs dry), not per packet: on 32-bit MIPS a 64-bit atomic
// takes a spinlock and time.Now is a system call (no vDSO), and a record of
// the server's can hold a dozen packets.
func (s *Session) readLoop() {
	defer s.wg.Done()
	r := packetReader{br: s.br}
	var pkts, bytes uint64
	pending := 0 // packets read since the last publish
	for {
		pkt, err := r.next()
		if err != nil {
			s.pktsIn.Add(pkts)
			s.bytesIn.Add(bytes)
			select {
			case s.ctl <- ctlMsg{err: err}:
			case <-s.done:
			}
			return
		}
		var ip []byte
		data := false
		if s.netUp.Load() {
			if ip, data = DecapIP(pkt); data {
				pkts++
				bytes += uint64(len(ip))
			}
		}
		// A server whose records do not end on packet boundaries keeps the
		// buffer from running dry while busy: publish every 32 packets too.
		if pending++; pending == 32 || r.drained() {
			s.lastRecv.Store(time.Now().UnixNano())
			s.pktsIn.Add(pkts)
			s.bytesIn.Add(bytes)
			pkts, bytes, pending = 0, 0, 0
		}
		if data {
			if s.cfg.Deliver != nil {
				s.cfg.Deliver(ip)
			}
			continue
		}
		select {
		case s.ctl <- ctlMsg{pkt: append([]byte(nil), pkt...)}:
		case <-s.done:
			return
		}
	}
}

// readErr turns the error that ended reading into the session's error.
func (s *Session) readErr(err error) error {
	if s.state.ending() {
		return s.endErr // the server closed first, as it should
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		// The only read deadline is the negotiation bound set by Dial.
		return s.negotiationTimeout()
	}
	if errors.Is(err, io.EOF) {
		return ErrConnectionClosed
	}
	return fmt.Errorf("%w: %w", ErrConnectionLost, err)
}

// watchdog is the SSTP hello timer (MS-SSTP 3.2.2): after HelloInterval of
// silence it sends an Echo Request; no packet within HelloTimeout means the
// path is dead, and so does a write stuck for HelloTimeout (a server that
// still talks but no longer takes our data). It never blocks on the socket:
// the echo goes out only when no other write is under way, and one that
// cannot leave by the end of the timeout fails the session, which closes
// the connection. Detection takes at most HelloInterval + HelloTimeout.
//
// The timer starts once the call is connected (MS-SSTP 3.2.2: "after a
// successful Call Connect Request, Call Connect Acknowledge, and Call
// Connected message exchange"). Before that the negotiation timer (Dial's
// deadline) bounds the call: authentication may be silent for a minute
// while the server waits for an MFA approval, and accel-ppp aborts the call
// on an Echo Request received before Call Connected.
func (s *Session) watchdog() {
	defer s.wg.Done()
	select {
	case <-s.done:
		return
	case <-s.callUp:
	}
	s.lastRecv.Store(time.Now().UnixNano())
	interval, timeout := s.cfg.HelloInterval, s.cfg.HelloTimeout
	t := time.NewTimer(interval)
	defer t.Stop()
	var sentAt, stuckAt int64 // stuckAt: when a write was first seen holding the lock
	var stuckWrites uint32
	outstanding := false
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		now := time.Now().UnixNano()
		next := int64(interval)
		// A write that has not completed since stuckAt is stuck.
		if s.wmu.TryLock() {
			s.wmu.Unlock()
			stuckAt = 0
		} else if w := s.writes.Load(); stuckAt == 0 || w != stuckWrites {
			stuckAt, stuckWrites = now, w
		} else if now-stuckAt >= int64(timeout) {
			s.log.Warn("a write to the server has been stuck", "for", time.Duration(now-stuckAt).Round(time.Millisecond))
			s.fail(fmt.Errorf("%w (nothing sent for %v)", ErrPeerDead, time.Duration(now-stuckAt).Round(time.Millisecond)))
			return
		}
		if stuckAt != 0 {
			next = min(next, stuckAt+int64(timeout)-now)
		}
		last := s.lastRecv.Load()
		if outstanding && last >= sentAt {
			outstanding = false
		}
		switch {
		case outstanding && now-sentAt >= int64(timeout):
			s.log.Warn("no answer to SSTP echo", "silence", time.Duration(now-last).Round(time.Millisecond))
			s.fail(ErrPeerDead)
			return
		case outstanding:
			next = min(next, sentAt+int64(timeout)-now)
		case now-last < int64(interval):
			next = min(next, last+int64(interval)-now)
		default:
			sentAt, outstanding = now, true
			s.sendEcho(timeout)
			next = min(next, int64(timeout))
		}
		t.Reset(time.Duration(next))
	}
}

// sendEcho sends an Echo Request unless another write is under way (then
// the server's silence alone decides). A socket that does not take it
// within timeout ends the session: the write is then unblocked by the
// connection's close.
func (s *Session) sendEcho(timeout time.Duration) {
	if !s.wmu.TryLock() {
		return
	}
	stuck := time.AfterFunc(timeout, func() {
		s.log.Warn("SSTP echo could not be sent: the connection is stuck")
		s.fail(fmt.Errorf("%w (the echo request could not be sent)", ErrPeerDead))
	})
	s.conn.Write(AppendControl(make([]byte, 0, 8), MsgEchoRequest))
	stuck.Stop()
	s.wmu.Unlock()
	s.writes.Add(1)
	s.log.Debug("sstp send", "type", "ECHO_REQUEST")
}
