package sstptest

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
)

const (
	handshakeTimeout = 10 * time.Second
	writeTimeout     = 10 * time.Second
)

// sstpState is the server's SSTP call state (MS-SSTP 3.3.1, simplified).
type sstpState uint8

const (
	stateWaitConnect   sstpState = iota // waiting for CALL_CONNECT_REQUEST
	stateAcked                          // CALL_CONNECT_ACK sent, PPP running
	stateHold                           // a fault ran: input is read and discarded
	stateStopped                        // FaultStopReading: nothing read or written
	stateDisconnecting                  // CALL_DISCONNECT sent, waiting for the ACK
)

// Session is one client connection. Its exported methods are safe for concurrent use.
type Session struct {
	srv  *Server
	cfg  *config
	id   int
	raw  net.Conn
	conn net.Conn // the *tls.Conn (a stand-in in fuzz tests)
	br   *bufio.Reader
	log  *slog.Logger
	info SessionInfo // guarded by srv.mu

	wmu      sync.Mutex
	wbuf     []byte
	up       atomic.Bool   // IPv4 data may flow (IPCP open, binding verified if enforced)
	ipv6Up   atomic.Bool   // IPv6 data may flow
	lastData atomic.Int64  // unix nanoseconds of the last data packet taken by fastIP
	dead     chan struct{} // closed when the session ends
	killCh   chan struct{}
	killed   sync.Once

	in            chan []byte
	free          chan struct{}
	rerr          chan error
	rwg           sync.WaitGroup
	readerStarted bool
	ended         bool
	err           error

	// Loop-owned state.
	st          sstpState
	nonce       [32]byte
	hlak        [32]byte
	authed      bool
	callConn    bool
	connectedBy time.Time // CALL_CONNECTED deadline (zero: none)
	echoAt      time.Time // next SSTP ECHO_REQUEST
	lcpEchoAt   time.Time // next LCP Echo-Request
	lastRecv    time.Time
	lastPPP     time.Time // last PPP frame through handleData (fastIP's are in lastData)
	closeAt     time.Time // end of a grace period (Terminate-Ack, DISCONNECT_ACK)
	connectNaks int
	ppp         pppServer
	authHold    authHold // Options.AuthDelay (timing.go)
}

func newSession(srv *Server, id int, c net.Conn) *Session {
	s := &Session{
		srv:    srv,
		cfg:    srv.cfg,
		id:     id,
		raw:    c,
		log:    srv.cfg.log.With("session", id, "remote", c.RemoteAddr().String()),
		info:   SessionInfo{ID: id},
		dead:   make(chan struct{}),
		killCh: make(chan struct{}),
		in:     make(chan []byte),
		free:   make(chan struct{}, 1),
		rerr:   make(chan error, 1),
	}
	s.ppp.init(s)
	return s
}

// ID returns the session's number (1 for the first connection).
func (s *Session) ID() int { return s.id }

// ClientIP returns the address given to the client, invalid before IPCP.
func (s *Session) ClientIP() netip.Addr {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	return s.info.ClientIP
}

// Info returns a snapshot of the session's progress.
func (s *Session) Info() SessionInfo {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	return s.info
}

// WriteIP sends an IPv4 or IPv6 packet to the client as a PPP data frame (RFC 1661 2,
// MS-SSTP 2.2.3). It fails before the network phase and after the session ended.
func (s *Session) WriteIP(pkt []byte) error {
	if err := s.QueueIP(pkt); err != nil {
		return err
	}
	return s.Flush()
}

// batchMax bounds what QueueIP gathers before it writes: one full TLS record.
const batchMax = 16 << 10

// QueueIP frames pkt like WriteIP but only appends it to the session's batch,
// which Flush (or a batch reaching one TLS record) writes as one TLS record,
// as a server bridging a busy TUN device does. Errors are WriteIP's.
func (s *Session) QueueIP(pkt []byte) error {
	select {
	case <-s.dead:
		return ErrSessionClosed
	default:
	}
	proto := uint16(ipv4Proto)
	if len(pkt) > 0 && pkt[0]>>4 == 6 {
		proto = ipv6Proto
		if !s.ipv6Up.Load() {
			return ErrNotUp
		}
	} else if !s.up.Load() {
		return ErrNotUp
	}
	n := len(pkt) + sstpHeaderLen + pppHeaderLen
	if n > sstpMaxPacket {
		return ErrTooLong
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if len(s.wbuf)+n > batchMax {
		if err := s.flushLocked(); err != nil {
			return err
		}
	}
	at := len(s.wbuf)
	b := appendDataHeader(s.wbuf, proto)
	b = append(b, pkt...)
	sstp.PutDataHeader(b[at:], n)
	s.wbuf = b
	return nil
}

// WriteRaw writes b to the client as it is, in one TLS record (up to 16 KiB):
// for tests of clients reading a stream whose records do not end on SSTP
// packet boundaries. Nothing checks that b makes sense.
func (s *Session) WriteRaw(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.writeLocked(b)
}

// Flush writes what QueueIP gathered, if anything.
func (s *Session) Flush() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.flushLocked()
}

func (s *Session) flushLocked() error {
	if len(s.wbuf) == 0 {
		return nil
	}
	err := s.writeLocked(s.wbuf)
	s.wbuf = s.wbuf[:0]
	return err
}

// appendDataHeader appends a data packet header with a zero length and FF 03 proto.
func appendDataHeader(b []byte, proto uint16) []byte {
	return append(b, sstpVersion, 0, 0, 0, 0xff, 0x03, byte(proto>>8), byte(proto))
}

func (s *Session) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.writeLocked(b)
}

func (s *Session) writeLocked(b []byte) error {
	s.raw.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := s.conn.Write(b)
	return err
}

// kill drops the connection like a crash (CloseClientConnections).
func (s *Session) kill() {
	s.killed.Do(func() {
		close(s.killCh)
		s.raw.Close()
	})
}

func (s *Session) wasKilled() bool {
	select {
	case <-s.killCh:
		return true
	default:
		return false
	}
}

// end records why the session ends; the first reason wins.
func (s *Session) end(err error) {
	if !s.ended {
		s.ended, s.err = true, err
	}
}

// serve runs the whole connection: TLS, HTTP, then the SSTP/PPP loop.
func (s *Session) serve() {
	defer s.finish()
	s.log.Info("connect")
	if err := s.handshake(); err != nil {
		s.end(fmt.Errorf("TLS handshake: %w", err))
		return
	}
	if s.cfg.Fault == FaultSilent {
		s.log.Info("fault", "fault", s.cfg.Fault.String(), "action", "never answering")
		_, err := io.Copy(io.Discard, s.conn)
		s.end(fmt.Errorf("%w: %s: %v", ErrFault, s.cfg.Fault, err))
		return
	}
	if !s.httpPhase() {
		return
	}
	s.rwg.Add(1)
	s.readerStarted = true
	go s.readLoop()
	s.loop()
}

func (s *Session) handshake() error {
	tc := tls.Server(s.raw, s.srv.tlsConf)
	s.conn = tc
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return err
	}
	s.br = bufio.NewReaderSize(s.conn, 4096)
	return nil
}

// finish closes the connection, waits for the reader and publishes the result.
func (s *Session) finish() {
	switch {
	case s.wasKilled():
		s.err = ErrKilled
	case !s.ended:
		s.err = ErrServerClosed
	}
	close(s.dead)
	s.up.Store(false)
	s.ipv6Up.Store(false)
	s.srv.releaseIP(s)
	s.srv.update(s, func(i *SessionInfo) { i.Done, i.Err = true, s.err })
	if s.err != nil {
		s.log.Info("disconnect", "reason", s.err.Error())
	} else {
		s.log.Info("disconnect", "reason", "client disconnected")
	}
	if s.lingers() {
		// A lingering close: close_notify and FIN first, then read until the client closes
		// too (bounded), so data it sent meanwhile does not turn our close into a TCP reset
		// that could destroy our last message (CALL_ABORT, CALL_DISCONNECT) in flight.
		if cw, ok := s.conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		s.raw.SetReadDeadline(time.Now().Add(s.cfg.grace))
		if !s.readerStarted {
			io.Copy(io.Discard, s.br)
		}
		s.rwg.Wait()
	}
	s.raw.Close()
	s.rwg.Wait()
}

// lingers reports whether the server itself ended a live TLS connection.
func (s *Session) lingers() bool {
	return s.br != nil && !s.wasKilled() && !errors.Is(s.err, ErrServerClosed) && !errors.Is(s.err, ErrConnectionLost)
}

// readLoop reads SSTP packets and hands each to the loop, one at a time; it never reads
// more than one packet ahead, so FaultStopReading really stops reading.
func (s *Session) readLoop() {
	defer s.rwg.Done()
	buf := make([]byte, sstp.MaxPacketLen)
	for {
		pkt, err := sstp.ReadPacket(s.br, buf)
		if err != nil {
			select {
			case s.rerr <- err:
			case <-s.dead:
			}
			return
		}
		s.recordControl(pkt)
		if s.fastIP(pkt) {
			continue
		}
		select {
		case s.in <- pkt:
		case <-s.dead:
			s.drain(buf) // until EOF, the linger deadline or Close
			return
		}
		select {
		case <-s.free:
		case <-s.dead:
			s.drain(buf)
			return
		}
	}
}

// fastIP delivers an IP data packet straight from the reader once the data path is open, so
// bulk traffic does not pay two goroutine switches per packet. Order is kept: the reader only
// gets here when the loop has finished with the previous packet.
func (s *Session) fastIP(pkt []byte) bool {
	if len(pkt) < sstpHeaderLen+pppHeaderLen || pkt[1]&1 != 0 || pkt[4] != 0xff || pkt[5] != 0x03 || pkt[6] != 0 {
		return false
	}
	switch {
	case pkt[7] == ipv4Proto && s.up.Load(), pkt[7] == ipv6Proto && s.ipv6Up.Load():
	default:
		return false
	}
	s.lastData.Store(time.Now().UnixNano())
	ip := pkt[sstpHeaderLen+pppHeaderLen:]
	if s.answerDHCP(ip) {
		return true
	}
	if h := s.cfg.HandleIP; h != nil {
		h(s, ip)
	} else if reply := echoReply(ip, s.cfg.ServerIP); reply != nil {
		s.WriteIP(reply)
	}
	return true
}

// loop is the session's event loop: packets, read errors, timers and shutdown.
func (s *Session) loop() {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	s.lastRecv = time.Now()
	for !s.ended {
		if d, ok := s.deadline(); ok {
			t.Reset(time.Until(d))
		} else {
			t.Stop()
		}
		select {
		case pkt := <-s.in:
			s.lastRecv = time.Now()
			s.handlePacket(s.lastRecv, pkt)
			if s.st != stateStopped {
				s.free <- struct{}{}
			}
		case err := <-s.rerr:
			s.readFailed(err)
		case <-t.C:
			s.timeout(time.Now())
		case <-s.srv.quit:
			s.end(ErrServerClosed)
		case <-s.killCh:
			s.end(ErrKilled)
		}
	}
}

func (s *Session) readFailed(err error) {
	switch {
	case s.ppp.failErr != nil:
		s.end(s.ppp.failErr) // the server was already ending the call
	case s.ppp.peerTerm && errors.Is(err, io.EOF):
		s.end(nil) // LCP Terminate then close: clean enough
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		s.end(ErrConnectionLost)
	case errors.Is(err, sstp.ErrBadVersion), errors.Is(err, sstp.ErrBadLength):
		// MS-SSTP 3.1.5.1: a stream that cannot be delineated is aborted without a message.
		s.end(fmt.Errorf("%w: %w", ErrProtocol, err))
	default:
		s.end(fmt.Errorf("%w: %w", ErrConnectionLost, err))
	}
}

// deadline is the earliest pending timer.
func (s *Session) deadline() (time.Time, bool) {
	var d time.Time
	for _, t := range []time.Time{s.connectedBy, s.echoAt, s.lcpEchoAt, s.closeAt, s.idleAt(), s.pppIdleAt(), s.ppp.deadline(), s.authHold.until} {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	return d, !d.IsZero()
}

func (s *Session) idleAt() time.Time {
	if s.cfg.idleTimeout <= 0 || s.st == stateWaitConnect || s.st == stateHold || s.st == stateStopped {
		return time.Time{}
	}
	last := s.lastRecv
	if d := time.Unix(0, s.lastData.Load()); d.After(last) {
		last = d
	}
	return last.Add(s.cfg.idleTimeout)
}

// pppIdleAt is when SoftEther's "no PPP frame" timer fires: it runs only in the
// network phase, from the later of the last PPP frame and the last fast-path packet.
func (s *Session) pppIdleAt() time.Time {
	if s.cfg.pppIdleTimeout <= 0 || !s.up.Load() || s.ppp.phase == phaseTerminate || s.st == stateStopped {
		return time.Time{}
	}
	last := s.lastPPP
	if d := time.Unix(0, s.lastData.Load()); d.After(last) {
		last = d
	}
	return last.Add(s.cfg.pppIdleTimeout)
}

// timeout runs every timer that is due.
func (s *Session) timeout(now time.Time) {
	if s.st == stateStopped || s.st == stateHold {
		return
	}
	if due(s.closeAt, now) {
		s.closeAt = time.Time{}
		s.graceOver(now)
		return
	}
	if due(s.connectedBy, now) {
		s.connectedBy = time.Time{}
		s.noCallConnected(now)
		return
	}
	if due(s.authHold.until, now) {
		s.releaseAuth(now)
	}
	if at := s.idleAt(); due(at, now) {
		s.abort(sstp.StatusInfo{AttrID: attrNoError, Status: statusNegotiationTimeout}, ErrIdle)
		return
	}
	if at := s.pppIdleAt(); due(at, now) {
		s.ppp.terminate(now, ErrPPPIdle)
		return
	}
	if due(s.echoAt, now) {
		s.echoAt = now.Add(s.cfg.echoInterval)
		s.sendControl(msgEchoRequest)
	}
	if due(s.lcpEchoAt, now) {
		s.lcpEchoAt = now.Add(s.cfg.lcpEchoInterval)
		s.ppp.sendEcho()
	}
	s.ppp.timeout(now)
}

func due(t, now time.Time) bool { return !t.IsZero() && !now.Before(t) }
