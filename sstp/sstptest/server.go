// Package sstptest provides an SSTP server for tests, in the manner of net/http/httptest: real
// TLS, the SSTP control protocol and the server side of PPP (LCP, PAP, CHAP, MS-CHAPv2,
// EAP-MSCHAPv2, IPCP, IPV6CP), with personalities that imitate Windows RRAS and SoftEther and
// faults that imitate broken or hostile servers. The PPP server side is written here on purpose,
// independently of ppp.Client, so a mistake in the client is not mirrored by the server.
//
// Typical use:
//
//	srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.SoftEther})
//	defer srv.Close()
//	// Dial srv.Addr() with RootCAs srv.CertPool() (name "localhost"), user "user", "pass".
//	err := srv.WaitFor(ctx, func(s []sstptest.SessionInfo) bool { return len(s) == 1 && s[0].Up })
//
// Every session's progress and the reason it ended are in Sessions(); hostile behaviours are
// chosen with Options.Fault. Timers that real servers run for a minute (ConnectedTimeout,
// IdleTimeout, EchoInterval) are options so tests can make them short.
package sstptest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// Server is an SSTP server listening on a local address.
type Server struct {
	cfg     *config
	tlsConf *tls.Config
	cert    *x509.Certificate
	certPEM []byte

	mu       sync.Mutex
	l        net.Listener
	sessions []*Session
	byIP     map[netip.Addr]*Session
	changed  chan struct{} // closed and replaced on every SessionInfo change
	started  bool
	closed   bool
	quit     chan struct{}
	wg       sync.WaitGroup
}

// SessionInfo is a snapshot of one connection's progress.
type SessionInfo struct {
	ID               int
	User             string         // as sent by the client
	Host             string         // the HTTP request's Host header
	Auth             ppp.AuthMethod // the method the client answered (even if it failed)
	Authenticated    bool
	ClientIP         netip.Addr
	HashProtocol     uint8 // from CALL_CONNECTED
	CallConnected    bool
	BindingErr       error // result of sstp.VerifyCallConnected (nil = ok), or ErrNoCallConnected
	Up               bool  // reached the network phase (IPCP opened)
	IPv6Up           bool  // IPV6CP opened
	ClientDisconnect bool  // the client sent CALL_DISCONNECT
	// Received lists the control messages the client sent, in order, those
	// that came after the server ended the call included (teardown.go; the
	// latest 128 to 256 in a long session).
	Received     []sstp.MessageType
	AuthAttempts int
	EAPMethod    string // "eap-tls" after an EAP-TLS success
	ClientCert   string // the verified EAP-TLS client certificate's common name
	Done         bool
	Err          error // why the session ended (nil when the client disconnected cleanly)
}

// NewServer returns a started server listening on 127.0.0.1 with a random port. It panics if
// it cannot listen or create its certificate, as httptest.NewServer does.
func NewServer(opts Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a server that does not listen yet: call Start or StartListener.
func NewUnstartedServer(opts Options) *Server {
	s := &Server{
		cfg:     resolve(opts),
		byIP:    make(map[netip.Addr]*Session),
		changed: make(chan struct{}),
		quit:    make(chan struct{}),
	}
	if err := s.setupTLS(); err != nil {
		panic("sstptest: " + err.Error())
	}
	return s
}

// Start listens on 127.0.0.1:0 and serves.
func (s *Server) Start() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l, err = net.Listen("tcp6", "[::1]:0")
	}
	if err != nil {
		panic("sstptest: listen: " + err.Error())
	}
	s.StartListener(l)
}

// StartListener serves on l (for example a listener inside a network namespace). The server
// owns l and closes it on Close.
func (s *Server) StartListener(l net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		panic("sstptest: server already started or closed")
	}
	s.started = true
	s.l = l
	s.wg.Add(1)
	go s.acceptLoop(l)
}

// Addr returns the listening address as host:port.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.l == nil {
		return ""
	}
	return s.l.Addr().String()
}

// Certificate returns the server's leaf certificate.
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// CertPool returns a pool holding the server's certificate, for a client's RootCAs.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.cert)
	return p
}

// CertPEM returns the server's certificate in PEM form (for a client's --ca-cert file).
func (s *Server) CertPEM() []byte { return append([]byte(nil), s.certPEM...) }

// Close stops listening, drops every session and waits for all goroutines. It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.quit)
		if s.l != nil {
			s.l.Close()
		}
		for _, ss := range s.sessions {
			ss.raw.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// CloseClientConnections drops every live session abruptly (TCP close without TLS close_notify
// or SSTP messages), like a server crash. The server keeps listening.
func (s *Server) CloseClientConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		ss.kill()
	}
}

// Sessions returns a snapshot of every session, in start order.
func (s *Server) Sessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SessionInfo, len(s.sessions))
	for i, ss := range s.sessions {
		out[i] = ss.info
	}
	return out
}

// WaitFor blocks until pred returns true for a snapshot of the sessions, or ctx ends.
func (s *Server) WaitFor(ctx context.Context, pred func([]SessionInfo) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if pred(s.Sessions()) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Lookup returns the live session whose client was given addr, or nil.
func (s *Server) Lookup(addr netip.Addr) *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byIP[addr]
}

func (s *Server) acceptLoop(l net.Listener) {
	defer s.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		if !s.addSession(c) {
			c.Close()
			return
		}
	}
}

// addSession registers and starts a session for c; false once the server is closed.
func (s *Server) addSession(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	ss := newSession(s, len(s.sessions)+1, c)
	s.sessions = append(s.sessions, ss)
	s.notifyLocked()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ss.serve()
	}()
	return true
}

// update applies f to a session's info under the lock and wakes WaitFor.
func (s *Server) update(ss *Session, f func(*SessionInfo)) {
	s.mu.Lock()
	f(&ss.info)
	s.notifyLocked()
	s.mu.Unlock()
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// allocIP hands out a pool address for ss (RFC 1332 IP-Address): the one the
// client asked for if it is free (as RRAS gives a reconnecting client its old
// address back), else the lowest free one.
func (s *Server) allocIP(ss *Session, want netip.Addr) (netip.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.assignableLocked(want) {
		return s.takeIPLocked(ss, want), nil
	}
	p := s.cfg.Pool.Masked()
	for a := p.Addr().Next().Next(); a.IsValid() && p.Contains(a); a = a.Next() {
		if s.assignableLocked(a) {
			return s.takeIPLocked(ss, a), nil
		}
	}
	return netip.Addr{}, ErrPoolExhausted
}

// assignableLocked: a is a free pool address from .2 up, not the server's
// and not the broadcast address.
func (s *Server) assignableLocked(a netip.Addr) bool {
	p := s.cfg.Pool.Masked()
	if !a.Is4() || !p.Contains(a) || a.Less(p.Addr().Next().Next()) || a == s.cfg.ServerIP || isBroadcast(p, a) {
		return false
	}
	_, used := s.byIP[a]
	return !used
}

func (s *Server) takeIPLocked(ss *Session, a netip.Addr) netip.Addr {
	s.byIP[a] = ss
	ss.info.ClientIP = a
	s.notifyLocked()
	return a
}

func (s *Server) releaseIP(ss *Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := ss.info.ClientIP; a.IsValid() && s.byIP[a] == ss {
		delete(s.byIP, a)
	}
}

// isBroadcast reports whether a is the last address of an IPv4 prefix.
func isBroadcast(p netip.Prefix, a netip.Addr) bool {
	return a.Is4() && p.Bits() < 31 && !p.Contains(a.Next())
}

func (s *Server) setupTLS() error {
	if s.cfg.TLSConfig != nil {
		return s.useTLSConfig(s.cfg.TLSConfig.Clone())
	}
	cert, err := selfSigned(s.cfg.Hostnames)
	if err != nil {
		return err
	}
	return s.useTLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}})
}

func (s *Server) useTLSConfig(c *tls.Config) error {
	if len(c.Certificates) == 0 || len(c.Certificates[0].Certificate) == 0 {
		return errors.New("TLSConfig has no certificate")
	}
	leaf, err := x509.ParseCertificate(c.Certificates[0].Certificate[0])
	if err != nil {
		return err
	}
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	s.tlsConf, s.cert = c, leaf
	s.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	return nil
}

// selfSigned makes an ECDSA P-256 certificate that is its own CA, so a pool holding it
// verifies it, for localhost, 127.0.0.1, ::1 and the extra names.
func selfSigned(names []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "sstptest", Organization: []string{"sstpgo test server"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(5 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, n := range names {
		if ip, err := netip.ParseAddr(n); err == nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip.AsSlice())
		} else if n != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
