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
	if s.state == stateDisconnecting {
		return nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		// The only read deadline is the negotiation bound set by Dial.
		return fmt.Errorf("%w after %v", ErrNegotiationTimout, s.cfg.NegotiationTimeout)
	}
	if errors.Is(err, io.EOF) {
		return errors.New("server closed the connection")
	}
	return fmt.Errorf("reading from server: %w", err)
}

// watchdog is the SSTP hello timer (MS-SSTP 3.2.2): after HelloInterval of
// silence it sends an Echo Request; no packet within HelloTimeout means the
// path is dead. It never blocks on a stuck writer: a writer that cannot get
// rid of its data is itself a sign of a dead path.
func (s *Session) watchdog() {
	defer s.wg.Done()
	interval, timeout := s.cfg.HelloInterval, s.cfg.HelloTimeout
	t := time.NewTimer(interval)
	defer t.Stop()
	var sentAt int64
	outstanding := false
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		now := time.Now().UnixNano()
		last := s.lastRecv.Load()
		if outstanding && last > sentAt {
			outstanding = false
		}
		if outstanding {
			if left := sentAt + int64(timeout) - now; left > 0 {
				t.Reset(time.Duration(left))
				continue
			}
			s.log.Warn("no answer to SSTP echo", "silence", time.Duration(now-last).Round(time.Millisecond))
			s.fail(ErrPeerDead)
			return
		}
		if idle := now - last; idle < int64(interval) {
			t.Reset(time.Duration(int64(interval) - idle))
			continue
		}
		s.tryEcho()
		sentAt, outstanding = now, true
		t.Reset(timeout)
	}
}

func (s *Session) tryEcho() {
	pkt := AppendControl(make([]byte, 0, 8), MsgEchoRequest)
	for i := 0; i < 200; i++ {
		if s.wmu.TryLock() {
			s.conn.Write(pkt)
			s.wmu.Unlock()
			s.log.Debug("sstp send", "msg", "ECHO_REQUEST")
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
