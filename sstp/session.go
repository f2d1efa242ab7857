package sstp

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
)

// Headroom is the space SendIP needs in front of an IP packet: the SSTP
// header (4) and the PPP address, control and protocol fields (4).
const Headroom = HeaderLen + 4

// MaxIPPacket is the largest IP packet one SSTP data packet can carry.
const MaxIPPacket = MaxPacketLen - Headroom

// readBufferSize is the session's one read buffer over TLS. tls.Conn.Read
// returns at most one record (up to 2^14 bytes of plaintext), so a buffer of
// two records takes each whole in one call, where 4 KiB needed four.
const readBufferSize = 2 * BatchTarget

// Info describes an established session.
type Info struct {
	Server      string
	RemoteAddr  string
	TLSVersion  string
	CipherSuite string
	CertSubject string
	CertSHA256  string
	// TLSResumed: the TLS session was resumed from Config.SessionCache.
	TLSResumed bool
	// LegacyTLS: the session uses RSA key exchange (no forward secrecy),
	// offered because the server refused every forward-secret suite (or
	// Config.OfferRSAKeyExchange).
	LegacyTLS    bool
	Auth         ppp.AuthMethod
	HashProtocol uint8
	IPv4         ppp.IPv4Config
	IPv6         ppp.IPv6Config
	HasIPv6      bool
	// MTU is the largest IP packet the server accepts from us.
	MTU int
}

// Stats counts IP traffic through the session.
type Stats struct {
	BytesIn, BytesOut, PacketsIn, PacketsOut uint64
}

// ErrNotUp is returned by SendIP before the network phase.
var ErrNotUp = errors.New("session not in the network phase")

type callState int

const (
	stateConnectRequestSent callState = iota
	stateConnectAckReceived
	stateCallConnected
	stateDisconnecting
)

// Session is one SSTP call. It is created by Dial and runs until Close or a
// failure; Done is closed then and Err tells why.
type Session struct {
	cfg     Config
	log     *logx.Logger
	raw     net.Conn
	conn    *tls.Conn
	br      *bufio.Reader
	certDER []byte
	ppp     *ppp.Client

	wmu sync.Mutex // serialises TLS writes: data path and control

	ctl      chan ctlMsg   // control packets and PPP control frames, reader → loop
	closeReq chan struct{} // Close asks the loop for a graceful disconnect
	up       chan struct{} // closed when the network phase is reached
	v6up     chan struct{} // closed when IPV6CP has opened (ipv6.go)
	done     chan struct{} // closed when the session has ended
	wg       sync.WaitGroup

	closeOnce, failOnce, upOnce sync.Once
	v6once                      sync.Once
	err                         error // set before done is closed

	netUp                              atomic.Bool
	step                               atomic.Int32
	lastRecv                           atomic.Int64 // unix nanoseconds of the last packet received
	bytesIn, bytesOut, pktsIn, pktsOut atomic.Uint64

	// loop-goroutine state
	state     callState
	hashProto uint8
	nonce     [32]byte
	discDue   time.Time

	infoMu sync.Mutex
	info   Info
}

// Dial connects to the server and returns once the PPP network phase is
// reached (IPv4 configured), or fails with an *Error naming the step.
func Dial(ctx context.Context, c Config) (*Session, error) {
	cfg := c.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.NegotiationTimeout)
	defer cancel()
	log := cfg.Logger

	host, port, err := SplitServer(cfg.Server)
	if err != nil {
		return nil, &Error{Step: StepDNS, Err: err, Hint: "set --server HOST[:PORT]"}
	}
	if cfg.InsecureSkipVerify && len(cfg.PinSHA256) == 0 {
		log.Warn("TLS certificate verification is DISABLED (--insecure-skip-verify): anyone on the path can impersonate the server and capture the credentials")
	}
	if cfg.KeyLogWriter != nil {
		log.Warn("TLS secrets are being written to the key log file (--tls-keylog): anyone with that file can decrypt this session")
	}
	legacy := cfg.OfferRSAKeyExchange && !cfg.RequireForwardSecrecy
	s, err := cfg.dialTLS(ctx, host, port, legacy)
	if err != nil && !legacy && !cfg.RequireForwardSecrecy && refusedSuites(err) {
		// MikroTik with pfs=no and old Windows setups take RSA key exchange only.
		log.Warn("the server refused every forward-secret TLS cipher suite: trying again with RSA key exchange", "err", err.Error())
		s, err = cfg.dialTLS(ctx, host, port, true)
	}
	if err != nil {
		return nil, err
	}
	raw := s.raw
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	s.start()
	select {
	case <-s.up:
	case <-s.done:
	case <-ctx.Done():
		s.fail(fmt.Errorf("%w after %v", ErrNegotiationTimout, cfg.NegotiationTimeout))
	}
	if !stop() && !s.netUp.Load() {
		s.fail(fmt.Errorf("%w after %v", ErrNegotiationTimout, cfg.NegotiationTimeout))
	}
	if !s.netUp.Load() {
		s.wg.Wait()
		return nil, s.err
	}
	raw.SetDeadline(time.Time{})
	return s, nil
}

// forwardSecret: TLS 1.3, or a TLS 1.2 ECDHE suite.
func forwardSecret(cs tls.ConnectionState) bool {
	return cs.Version >= tls.VersionTLS13 || strings.HasPrefix(tls.CipherSuiteName(cs.CipherSuite), "TLS_ECDHE_")
}

// dialTLS connects (DNS, TCP, see dial.go) and runs TLS and the HTTPS request;
// legacy adds the RSA key exchange suites to the offer (Config.tlsConfig).
func (cfg *Config) dialTLS(ctx context.Context, host, port string, legacy bool) (*Session, error) {
	raw, err := cfg.connect(ctx, host, port)
	if err != nil {
		return nil, err
	}
	s := &Session{
		cfg: *cfg, log: cfg.Logger, raw: raw,
		ctl:      make(chan ctlMsg, 16),
		closeReq: make(chan struct{}),
		up:       make(chan struct{}),
		v6up:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.info.Server = cfg.Server
	s.info.RemoteAddr = raw.RemoteAddr().String()
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := s.handshake(ctx, host, legacy); err != nil {
		raw.Close()
		return nil, err
	}
	return s, nil
}

func (c *Config) step(st Step, detail string) {
	c.Logger.Info(st.String()+" ok", "detail", detail)
	if c.OnStep != nil {
		c.OnStep(st, detail)
	}
}

// handshake runs TLS and the HTTPS SSTP_DUPLEX_POST exchange (MS-SSTP 3.2.4.1).
func (s *Session) handshake(ctx context.Context, host string, legacy bool) error {
	cfg := &s.cfg
	tc := tls.Client(s.raw, cfg.tlsConfig(host, legacy))
	if err := tc.HandshakeContext(ctx); err != nil {
		if isCertFailure(err) {
			return &Error{Step: StepTLS, Err: &CertError{Err: err}, Hint: certHint(err, host, cfg.SNI)}
		}
		hint := "the server did not complete a TLS 1.2+ handshake: is it an SSTP server on this port?"
		switch {
		case refusedSuites(err) && !legacy && cfg.RequireForwardSecrecy:
			hint = "the server refused the handshake: it may take no forward-secret cipher suite (RouterOS: pfs=yes enables ECDHE), or drop --require-forward-secrecy to allow RSA key exchange; check the TLS name too (--sni)"
		case refusedSuites(err):
			hint = "the server refused the handshake even with RSA key exchange offered: check its TLS version and cipher settings (sstpgo needs TLS 1.2+ with AES or ChaCha20) and the TLS name sent (--sni)"
		}
		return &Error{Step: StepTLS, Err: timeoutErr(ctx, err, cfg.NegotiationTimeout), Hint: hint}
	}
	s.conn = tc
	cs := tc.ConnectionState()
	leaf := cs.PeerCertificates[0]
	s.certDER = leaf.Raw
	s.info.TLSVersion = tls.VersionName(cs.Version)
	s.info.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	s.info.CertSubject = leaf.Subject.String()
	s.info.CertSHA256 = Fingerprint(leaf.Raw)
	s.info.TLSResumed = cs.DidResume
	if legacy && !forwardSecret(cs) {
		s.info.LegacyTLS = true
		s.log.Warn("TLS without forward secrecy (RSA key exchange): whoever gets the server's private key can decrypt recorded sessions; enable ECDHE on the server (RouterOS: pfs=yes)", "suite", s.info.CipherSuite)
	}
	resumed := ""
	if cs.DidResume {
		resumed = " (session resumed)"
	}
	cfg.step(StepTLS, s.info.TLSVersion+" "+s.info.CipherSuite+resumed+", certificate "+s.info.CertSubject+" SHA-256 "+s.info.CertSHA256)

	if d, ok := ctx.Deadline(); ok {
		s.raw.SetDeadline(d)
	}
	req := AppendRequest(nil, httpHost(host, cfg.SNI), NewCorrelationID(rand.Reader))
	if _, err := tc.Write(req); err != nil {
		return &Error{Step: StepHTTP, Err: err}
	}
	s.br = bufio.NewReaderSize(tc, readBufferSize)
	if err := ReadResponse(s.br); err != nil {
		return &Error{Step: StepHTTP, Err: timeoutErr(ctx, err, cfg.NegotiationTimeout), Hint: httpHint(err)}
	}
	cfg.step(StepHTTP, "SSTP_DUPLEX_POST accepted")
	return nil
}

// timeoutErr names a negotiation timeout as such.
func timeoutErr(ctx context.Context, err error, d time.Duration) error {
	var ne net.Error
	if ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w after %v (%v)", ErrNegotiationTimout, d, err)
	}
	return err
}

func httpHost(host, sni string) string {
	if sni != "" {
		return sni
	}
	return host
}

func httpHint(err error) string {
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case he.Code >= 300 && he.Code < 400:
			return "the server redirects (to " + he.Location + "): this is a web server, not SSTP, or SSTP lives on another host/port"
		case he.Code == 401 || he.Code == 403:
			return "the web server refused the SSTP request: SSTP may be disabled on this server"
		case he.Code == 404:
			return "no SSTP endpoint at this address: is SSTP enabled on the server?"
		}
		return "the server's web front end refused SSTP"
	}
	return "the server did not answer like an SSTP server"
}

func isCertFailure(err error) bool {
	var (
		ve  *tls.CertificateVerificationError
		hn  x509.HostnameError
		ua  x509.UnknownAuthorityError
		ci  x509.CertificateInvalidError
		ce  *CertError
		pin = errors.Is(err, ErrPinMismatch)
	)
	return pin || errors.As(err, &ve) || errors.As(err, &hn) || errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &ce)
}

func (s *Session) start() {
	s.lastRecv.Store(time.Now().UnixNano())
	s.step.Store(int32(StepSSTP))
	s.ppp = ppp.NewClient(s.cfg.PPP)
	s.wg.Add(3)
	go s.readLoop()
	go s.loop()
	go s.watchdog()
}

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

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err tells why the session ended: nil after Close.
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Info returns the session's negotiated parameters.
func (s *Session) Info() Info {
	s.infoMu.Lock()
	defer s.infoMu.Unlock()
	return s.info
}

// Stats returns the traffic counters.
func (s *Session) Stats() Stats {
	return Stats{s.bytesIn.Load(), s.bytesOut.Load(), s.pktsIn.Load(), s.pktsOut.Load()}
}

// Close sends Call Disconnect, waits briefly for the acknowledgement
// (MS-SSTP 3.2.5.4), closes the connection and waits for the goroutines.
// It is idempotent.
func (s *Session) Close() error {
	s.closeOnce.Do(func() { close(s.closeReq) })
	s.wg.Wait()
	return nil
}

// SendIP sends one IP packet that starts at buf[Headroom:]; the header is
// written in place, so the whole buffer goes out in one TLS write and
// nothing is allocated. buf may be reused when SendIP returns.
func (s *Session) SendIP(buf []byte) error {
	if !s.netUp.Load() {
		return ErrNotUp
	}
	if err := EncapIP(buf); err != nil {
		return err
	}
	s.wmu.Lock()
	_, err := s.conn.Write(buf)
	s.wmu.Unlock()
	if err != nil {
		return err
	}
	s.pktsOut.Add(1)
	s.bytesOut.Add(uint64(len(buf) - Headroom))
	return nil
}

// SendBatch sends SSTP data packets already encapsulated (by EncapIP or a
// Batch) back to back in buf, in one TLS write: a burst of packets costs one
// record (up to 2^14 bytes) and one write(2). Every packet header is checked
// first, so a malformed batch cannot desynchronise the stream; nothing is
// allocated. buf may be reused when SendBatch returns.
func (s *Session) SendBatch(buf []byte) error {
	if !s.netUp.Load() {
		return ErrNotUp
	}
	pkts, err := countData(buf)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	_, err = s.conn.Write(buf)
	s.wmu.Unlock()
	if err != nil {
		return err
	}
	s.pktsOut.Add(uint64(pkts))
	s.bytesOut.Add(uint64(len(buf) - pkts*Headroom))
	return nil
}

// countData walks back-to-back SSTP data packets (MS-SSTP 2.2.3) that each
// carry a PPP header, and counts them.
func countData(buf []byte) (int, error) {
	n := 0
	for off := 0; off < len(buf); n++ {
		b := buf[off:]
		if len(b) <= Headroom || b[0] != Version || b[1]&1 != 0 {
			return 0, errBadBatch
		}
		l := int(b[2]&0x0f)<<8 | int(b[3])
		if l <= Headroom || l > len(b) {
			return 0, errBadBatch
		}
		off += l
	}
	return n, nil
}

// EncapIP writes the SSTP data header and the PPP header (FF 03 + protocol,
// from the IP version) into buf[:Headroom] for the packet at buf[Headroom:].
func EncapIP(buf []byte) error {
	n := len(buf)
	if n <= Headroom || n > MaxPacketLen {
		return errTooBig
	}
	var proto uint16
	switch buf[Headroom] >> 4 {
	case 4:
		proto = ppp.ProtoIPv4
	case 6:
		proto = ppp.ProtoIPv6
	default:
		return errNotIP
	}
	PutDataHeader(buf, n)
	buf[4], buf[5], buf[6], buf[7] = 0xff, 0x03, byte(proto>>8), byte(proto)
	return nil
}

// DecapIP returns the IP packet carried by an SSTP data packet, or ok=false
// for anything else (control packets, PPP control frames).
func DecapIP(pkt []byte) (ip []byte, ok bool) {
	if len(pkt) <= HeaderLen || pkt[1]&1 != 0 {
		return nil, false
	}
	proto, payload, err := ppp.ParseFrame(pkt[HeaderLen:])
	if err != nil || (proto != ppp.ProtoIPv4 && proto != ppp.ProtoIPv6) {
		return nil, false
	}
	return payload, true
}

var (
	errTooBig = errors.New("packet too large for one SSTP data packet")
	errNotIP  = errors.New("not an IPv4 or IPv6 packet")
	// errBadBatch: SendBatch was given bytes that are not whole SSTP data packets.
	errBadBatch = errors.New("batch is not a sequence of whole SSTP data packets")
)

func (s *Session) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.conn.Write(b)
	return err
}

func (s *Session) sendControl(t MessageType, attrs ...Attribute) error {
	s.log.Debug("sstp send", "msg", t.String())
	return s.write(AppendControl(make([]byte, 0, 64), t, attrs...))
}

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

// loop owns the SSTP call state and the PPP client.
func (s *Session) loop() {
	defer s.wg.Done()
	if err := s.sendControl(MsgCallConnectRequest, Attribute{ID: AttrEncapsulatedProtocolID, Value: []byte{0, 1}}); err != nil {
		s.fail(err)
		return
	}
	s.state = stateConnectRequestSent
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	closeReq := s.closeReq
	for {
		s.armTimer(t)
		select {
		case <-s.done:
			return
		case m := <-s.ctl:
			if m.err != nil {
				s.fail(s.readErr(m.err))
				return
			}
			s.handle(time.Now(), m.pkt)
		case <-t.C:
			s.timeout(time.Now())
		case <-closeReq:
			closeReq = nil
			s.disconnect(time.Now())
		}
	}
}

func (s *Session) armTimer(t *time.Timer) {
	next, ok := time.Time{}, false
	if s.ppp != nil && s.state != stateConnectRequestSent {
		next, ok = s.ppp.Deadline()
	}
	if !s.discDue.IsZero() && (!ok || s.discDue.Before(next)) {
		next, ok = s.discDue, true
	}
	d := time.Hour
	if ok {
		d = max(time.Until(next), 0)
	}
	t.Reset(d)
}

func (s *Session) timeout(now time.Time) {
	if !s.discDue.IsZero() && !now.Before(s.discDue) {
		s.log.Debug("no CALL_DISCONNECT_ACK in time; closing")
		s.fail(nil)
		return
	}
	if s.state != stateConnectRequestSent {
		s.ppp.Timeout(now)
		s.flushPPP(now)
	}
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

func (s *Session) handle(now time.Time, pkt []byte) {
	if pkt[1]&1 == 0 {
		if s.state == stateConnectRequestSent || s.state == stateDisconnecting {
			return // no PPP before Call Connect Ack (MS-SSTP 3.2.5.1)
		}
		s.ppp.Input(now, pkt[HeaderLen:])
		s.flushPPP(now)
		return
	}
	msg, err := ParseControl(pkt)
	if err != nil {
		s.abort(err)
		return
	}
	s.log.Debug("sstp recv", "msg", msg.Type.String())
	switch msg.Type {
	case MsgCallConnectAck:
		s.connectAck(now, msg)
	case MsgCallConnectNak:
		s.fail(fmt.Errorf("%w%s", ErrConnectNak, statusText(msg)))
	case MsgEchoRequest:
		s.sendControl(MsgEchoResponse)
	case MsgEchoResponse:
	case MsgCallAbort:
		s.fail(fmt.Errorf("%w%s", ErrAborted, statusText(msg)))
	case MsgCallDisconnect:
		s.sendControl(MsgCallDisconnectAck)
		if s.state == stateDisconnecting {
			s.fail(nil)
			return
		}
		s.fail(fmt.Errorf("%w%s", ErrServerDisconnect, statusText(msg)))
	case MsgCallDisconnectAck:
		if s.state == stateDisconnecting {
			s.fail(nil)
		}
	default:
		s.abort(fmt.Errorf("%w %s", ErrUnexpectedMessage, msg.Type))
	}
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

func statusText(msg Control) string {
	for _, a := range msg.Attrs {
		if a.ID != AttrStatusInfo {
			continue
		}
		if si, err := ParseStatusInfo(a.Value); err == nil {
			return ": " + si.Status.String() + " (attribute " + si.AttrID.String() + ")"
		}
	}
	return ""
}

func (s *Session) connectAck(now time.Time, msg Control) {
	if s.state != stateConnectRequestSent {
		s.abort(fmt.Errorf("%w: CALL_CONNECT_ACK in state %d", ErrUnexpectedMessage, s.state))
		return
	}
	var req CryptoBindingRequest
	found := false
	for _, a := range msg.Attrs {
		if a.ID == AttrCryptoBindingReq {
			r, err := ParseCryptoBindingRequest(a.Value)
			if err != nil {
				s.abort(err)
				return
			}
			req, found = r, true
		}
	}
	if !found {
		s.abort(fmt.Errorf("%w: CALL_CONNECT_ACK without CRYPTO_BINDING_REQ", ErrUnexpectedMessage))
		return
	}
	h, err := ChooseHash(req.HashBitmask)
	if err != nil {
		s.abort(err)
		return
	}
	s.hashProto, s.nonce = h, req.Nonce
	s.state = stateConnectAckReceived
	s.infoMu.Lock()
	s.info.HashProtocol = h
	s.infoMu.Unlock()
	s.cfg.step(StepSSTP, "call accepted, crypto binding "+hashName(h))
	s.step.Store(int32(StepAuth))
	s.ppp.Start(now)
	s.flushPPP(now)
}

func hashName(h uint8) string {
	if h == HashSHA256 {
		return "SHA-256"
	}
	return "SHA-1"
}

// flushPPP sends the PPP client's frames and acts on its events.
func (s *Session) flushPPP(now time.Time) {
	for _, f := range s.ppp.Output() {
		b := make([]byte, HeaderLen, HeaderLen+len(f))
		b = append(b, f...)
		PutDataHeader(b, len(b))
		if err := s.write(b); err != nil {
			s.fail(err)
			return
		}
	}
	for _, ev := range s.ppp.Events() {
		switch ev.Kind {
		case ppp.EventAuthenticated:
			s.authenticated(ev)
		case ppp.EventIPv4Up:
			s.ipv4Up(ev)
		case ppp.EventIPv6Up:
			s.infoMu.Lock()
			s.info.IPv6, s.info.HasIPv6 = ev.IPv6, true
			s.infoMu.Unlock()
			s.v6once.Do(func() { close(s.v6up) })
			s.log.Info("IPv6 up", "local-id", fmt.Sprintf("%x", ev.IPv6.LocalID), "peer-id", fmt.Sprintf("%x", ev.IPv6.PeerID))
		case ppp.EventDown:
			if s.state == stateDisconnecting && ev.Err == nil {
				s.fail(nil)
			} else if ev.Err != nil {
				s.fail(ev.Err)
			} else {
				s.fail(ppp.ErrPeerTerminated)
			}
			return
		}
	}
}

// authenticated sends Call Connected with the crypto binding (MS-SSTP 3.2.5.2).
func (s *Session) authenticated(ev ppp.Event) {
	s.cfg.step(StepAuth, ev.Auth.String())
	s.infoMu.Lock()
	s.info.Auth = ev.Auth
	s.infoMu.Unlock()
	hlak, certHash := ev.HLAK, CertHash(s.hashProto, s.certDER)
	if h := s.cfg.hooks; h != nil {
		if h.hlak != nil {
			h.hlak(hlak[:])
		}
		if h.certHash != nil {
			h.certHash(&certHash)
		}
		if h.skipCallConnected {
			s.state = stateCallConnected
			s.step.Store(int32(StepIP))
			return
		}
	}
	pkt := AppendCallConnected(nil, s.hashProto, s.nonce, certHash, hlak[:])
	if err := s.write(pkt); err != nil {
		s.fail(err)
		return
	}
	s.state = stateCallConnected
	s.step.Store(int32(StepIP))
}

func (s *Session) ipv4Up(ev ppp.Event) {
	mtu := s.ppp.PeerMRU()
	if mtu <= 0 || mtu > MaxIPPacket {
		mtu = min(1500, MaxIPPacket)
	}
	s.infoMu.Lock()
	s.info.IPv4 = ev.IPv4
	s.info.MTU = mtu
	s.infoMu.Unlock()
	dns := make([]string, len(ev.IPv4.DNS))
	for i, d := range ev.IPv4.DNS {
		dns[i] = d.String()
	}
	s.cfg.step(StepIP, "local "+ev.IPv4.Local.String()+" peer "+ev.IPv4.Peer.String()+" dns "+strings.Join(dns, ","))
	s.netUp.Store(true)
	s.upOnce.Do(func() { close(s.up) })
}
