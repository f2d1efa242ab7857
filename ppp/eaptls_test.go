package ppp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/internal/tlspipe"
)

// testPKI is a CA with a server and a client certificate it issued.
type testPKI struct {
	pool           *x509.CertPool
	server, client tls.Certificate
}

func newTestPKI(t testing.TB, name string) *testPKI {
	t.Helper()
	caKey, caCert := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: name + " CA"}, IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}, nil, nil)
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	p.server = issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "nps." + name}, DNSNames: []string{"nps." + name},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, caCert, caKey)
	p.client = issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "alice@" + name},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, caCert, caKey)
	return p
}

func newCert(t testing.TB, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.BasicConstraintsValid = true
	if tmpl.KeyUsage == 0 {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, c
}

func issue(t testing.TB, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) tls.Certificate {
	key, c := newCert(t, tmpl, ca, caKey)
	return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: key, Leaf: c}
}

// eapTLSServer is an EAP-TLS authenticator written for the tests from RFC
// 5216 (crypto/tls server over a tlspipe), plugged in front of fakeServer:
// it takes the EAP frames, fakeServer the rest.
type eapTLSServer struct {
	t        *testing.T
	s        *fakeServer
	cfg      *tls.Config
	frag     int  // our fragment size
	askMS    bool // propose EAP-MSCHAPv2 first, expect a Nak to 13
	silent   bool // go quiet after the client's ClientHello
	early    bool // send EAP-Success right after the ClientHello
	huge     bool // answer the ClientHello with endless M fragments
	id       uint8
	pipe     *tlspipe.Conn
	conn     *tls.Conn
	in, out  []byte
	sent     int
	identity string
	nakked   []byte
	hlak     [32]byte
	ok       bool
	hsErr    error
	fragsIn  int // client fragments with M set
	fragsOut int // our fragments with M set
}

func newEAPTLSTest(t *testing.T, pki *testPKI, cfg EAPTLSConfig, mru uint16) (*fakeServer, *eapTLSServer) {
	t.Helper()
	s := newFakeServer(t, Config{EAPTLS: &cfg, MRU: mru})
	s.offer = []AuthMethod{AuthEAP}
	e := &eapTLSServer{t: t, s: s, frag: 1000, cfg: &tls.Config{
		Certificates: []tls.Certificate{pki.server}, ClientCAs: pki.pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MaxVersion: tls.VersionTLS12,
	}}
	return s, e
}

// stop ends the server's handshake goroutine.
func (e *eapTLSServer) stop() {
	if e.pipe != nil {
		e.pipe.Abort()
	}
}

// run starts the client and delivers frames until both sides are quiet.
func (e *eapTLSServer) run() {
	e.s.t0 = e.s.now
	e.s.c.Start(e.s.now)
	e.pump()
}

func (e *eapTLSServer) pump() {
	s := e.s
	for range 1000 {
		s.events = append(s.events, s.c.Events()...)
		out := s.c.Output()
		if len(out) == 0 {
			return
		}
		for _, f := range out {
			if len(f) > s.c.PeerMRU()+FrameHeaderLen {
				e.t.Errorf("client frame of %d bytes exceeds MRU %d", len(f), s.c.PeerMRU())
			}
			if be16(f[2:]) == ProtoEAP && s.lcpUp {
				p, err := ParsePacket(f[4:])
				if err != nil {
					e.t.Fatalf("bad EAP packet: %v", err)
				}
				e.handle(p)
				continue
			}
			s.handle(f)
		}
	}
	e.t.Fatal("never quiet")
}

func (e *eapTLSServer) send(code uint8, data []byte) {
	if code == eapRequest {
		e.id++
	}
	e.s.send(ProtoEAP, code, e.id, data)
}

func (e *eapTLSServer) handle(p Packet) {
	if e.id == 0 {
		e.id = e.s.authID // fakeServer sent the Identity request
	}
	if p.Code != eapResponse || p.ID != e.id || len(p.Data) < 1 {
		e.t.Fatalf("bad EAP response code %d id %d (want %d)", p.Code, p.ID, e.id)
	}
	switch d := p.Data; d[0] {
	case eapTypeIdentity:
		e.identity = string(d[1:])
		if e.askMS {
			e.send(eapRequest, []byte{eapTypeMSCHAPv2, eapMSChallenge, 1, 0, 21, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
			return
		}
		e.start()
	case eapTypeNak:
		e.nakked = d[1:]
		e.start()
	case eapTypeTLS:
		e.tls(d[1:])
	default:
		e.t.Fatalf("EAP response type %d", d[0])
	}
}

// start sends EAP-TLS/Start (RFC 5216 2.1.1) and readies the TLS server.
func (e *eapTLSServer) start() {
	e.pipe = tlspipe.New()
	e.conn = tls.Server(e.pipe, e.cfg)
	e.pipe.Run(e.conn.Handshake)
	e.send(eapRequest, []byte{eapTypeTLS, eapTLSFlagS})
}

func (e *eapTLSServer) tls(d []byte) {
	if len(d) < 1 {
		e.t.Fatal("EAP-TLS response without flags")
	}
	flags, d := d[0], d[1:]
	if flags&eapTLSFlagL != 0 {
		if len(d) < 4 || flags&eapTLSFlagM == 0 {
			e.t.Fatalf("L flag on an unfragmented message or short (% x)", d)
		}
		d = d[4:]
	}
	if len(d) == 0 {
		e.ack()
		return
	}
	if e.silent {
		return
	}
	if e.early {
		e.send(eapSuccess, nil)
		return
	}
	e.in = append(e.in, d...)
	if flags&eapTLSFlagM != 0 {
		e.fragsIn++
		e.send(eapRequest, []byte{eapTypeTLS, 0})
		return
	}
	if e.huge {
		e.send(eapRequest, append([]byte{eapTypeTLS, eapTLSFlagM}, make([]byte, 1000)...))
		return
	}
	e.pipe.Feed(e.in)
	e.in = nil
	e.out, e.sent = e.pipe.Take(), 0
	if done, err := e.pipe.Result(); done {
		e.finish(err)
	}
	if len(e.out) == 0 {
		e.send(eapFailure, nil) // the client's alert ended the handshake
		return
	}
	e.next()
}

// ack is the client's empty Response: the next fragment, or the outcome.
func (e *eapTLSServer) ack() {
	switch {
	case e.huge:
		e.send(eapRequest, append([]byte{eapTypeTLS, eapTLSFlagM}, make([]byte, 1000)...))
	case e.sent < len(e.out):
		e.next()
	case e.ok:
		e.send(eapSuccess, nil)
		e.s.startNCP()
	default:
		e.send(eapFailure, nil)
	}
}

func (e *eapTLSServer) next() {
	n, flags := len(e.out)-e.sent, byte(0)
	var hdr []byte
	if n > e.frag {
		n, flags = e.frag, eapTLSFlagM
		e.fragsOut++
		if e.sent == 0 {
			flags |= eapTLSFlagL
			hdr = appendBE32(hdr, uint32(len(e.out)))
		}
	}
	b := append(append([]byte{eapTypeTLS, flags}, hdr...), e.out[e.sent:e.sent+n]...)
	e.sent += n
	e.send(eapRequest, b)
}

// finish derives the server's HLAK: MS-MPPE-Recv-Key (RFC 2716 3.5) = the
// first 32 octets of Key_Material (RFC 5216 2.3), which MS-SSTP 3.2.5.2.2
// takes as the server HLAK.
func (e *eapTLSServer) finish(err error) {
	e.hsErr = err
	if err != nil {
		return
	}
	cs := e.conn.ConnectionState()
	km, err := cs.ExportKeyingMaterial("client EAP encryption", nil, 128)
	if err != nil {
		e.t.Fatal(err)
	}
	copy(e.hlak[:], km)
	e.ok = true
}

func authErr(t *testing.T, s *fakeServer) *AuthError {
	t.Helper()
	var ae *AuthError
	if err := downErr(t, s); !errors.As(err, &ae) || ae.Method != AuthEAP {
		t.Fatalf("down error %v, want an EAP AuthError", err)
	}
	return ae
}

// TestEAPTLS runs EAP-TLS to the Network phase with fragmentation in both
// directions and checks the HLAK both sides derive.
func TestEAPTLS(t *testing.T) {
	pki := newTestPKI(t, "corp")
	tests := []struct {
		name     string
		cfg      EAPTLSConfig
		srvFrag  int
		askMS    bool
		offerMS  bool
		wantFrag bool
		identity string
		withUser bool
		mru      uint16
	}{
		{name: "small fragments", cfg: EAPTLSConfig{FragmentSize: 100}, srvFrag: 120, wantFrag: true},
		{name: "fragments fit the MRU", srvFrag: 250, wantFrag: true, mru: 300},
		{name: "server name checked", cfg: EAPTLSConfig{ServerName: "nps.corp"}, srvFrag: 4000},
		{name: "nak mschapv2 toward tls", askMS: true, srvFrag: 4000},
		{name: "lcp nak toward eap", offerMS: true, srvFrag: 4000},
		{name: "identity is the user name", withUser: true, identity: "CORP\\alice", srvFrag: 4000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Certificate, cfg.RootCAs = pki.client, pki.pool
			s, e := newEAPTLSTest(t, pki, cfg, tt.mru)
			defer e.stop()
			if tt.withUser {
				s.c.cfg.Username, s.user = tt.identity, tt.identity
			} else {
				s.c.cfg.Username = ""
			}
			e.frag, e.askMS = tt.srvFrag, tt.askMS
			if tt.offerMS {
				s.offer = []AuthMethod{AuthMSCHAPv2, AuthEAP}
			}
			e.run()
			ev, ok := findEvent(s.events, EventAuthenticated)
			if !ok {
				t.Fatalf("not authenticated: events %v, down %v, server handshake %v", kinds(s.events), s.events, e.hsErr)
			}
			if ev.Auth != AuthEAP || ev.HLAK != e.hlak || ev.HLAK == [32]byte{} {
				t.Errorf("auth %v HLAK %x, server HLAK %x", ev.Auth, ev.HLAK, e.hlak)
			}
			if _, ok := findEvent(s.events, EventIPv4Up); !ok {
				t.Errorf("no IPv4 up: %v", kinds(s.events))
			}
			want := "alice@corp"
			if tt.withUser {
				want = tt.identity
			}
			if e.identity != want {
				t.Errorf("identity %q, want %q", e.identity, want)
			}
			if tt.wantFrag && (e.fragsIn == 0 || e.fragsOut == 0) {
				t.Errorf("fragments: client %d, server %d", e.fragsIn, e.fragsOut)
			}
			if tt.askMS && string(e.nakked) != "\x0d" {
				t.Errorf("Nak proposes % x, want 0d", e.nakked)
			}
		})
	}
}

// TestEAPTLSFailures: every way EAP-TLS fails ends the link with an EAP
// AuthError naming the cause.
func TestEAPTLSFailures(t *testing.T) {
	pki, other := newTestPKI(t, "corp"), newTestPKI(t, "evil")
	tests := []struct {
		name   string
		tweak  func(cfg *EAPTLSConfig, e *eapTLSServer)
		is     error
		substr string
		// transient: a broken exchange, not a refusal: retryable, so no
		// AuthError (exit 3 would stop a supervisor for good).
		transient bool
	}{
		{name: "client cert from another CA", tweak: func(c *EAPTLSConfig, _ *eapTLSServer) { c.Certificate = other.client },
			substr: "refused the TLS handshake"},
		{name: "server cert not trusted", tweak: func(c *EAPTLSConfig, _ *eapTLSServer) { c.RootCAs = other.pool },
			is: ErrEAPServerCert, substr: "unknown authority"},
		{name: "server name mismatch", tweak: func(c *EAPTLSConfig, _ *eapTLSServer) { c.ServerName = "radius.corp" },
			is: ErrEAPServerCert, substr: "radius.corp"},
		{name: "success before the handshake", tweak: func(_ *EAPTLSConfig, e *eapTLSServer) { e.early = true },
			is: ErrMutualAuth},
		{name: "message too large", tweak: func(_ *EAPTLSConfig, e *eapTLSServer) { e.huge = true },
			substr: "64 KiB", transient: true},
		{name: "server only speaks tls 1.3", tweak: func(_ *EAPTLSConfig, e *eapTLSServer) {
			e.cfg.MinVersion, e.cfg.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
		}, substr: "TLS handshake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := EAPTLSConfig{Certificate: pki.client, RootCAs: pki.pool}
			s, e := newEAPTLSTest(t, pki, cfg, 0)
			defer e.stop()
			tt.tweak(s.c.cfg.EAPTLS, e)
			e.run()
			if _, ok := findEvent(s.events, EventAuthenticated); ok {
				t.Fatal("authenticated")
			}
			if tt.transient {
				err := downErr(t, s)
				var ae *AuthError
				if errors.As(err, &ae) || !errors.Is(err, ErrAuthProtocol) || !strings.Contains(err.Error(), tt.substr) {
					t.Errorf("error %v: want ErrAuthProtocol saying %q, not an AuthError", err, tt.substr)
				}
				return
			}
			ae := authErr(t, s)
			if tt.is != nil && !errors.Is(ae, tt.is) {
				t.Errorf("error %v is not %v", ae, tt.is)
			}
			if !strings.Contains(ae.Error(), tt.substr) || !strings.Contains(ae.Error(), "EAP-TLS") {
				t.Errorf("error %q does not say %q", ae, tt.substr)
			}
			if tt.is == ErrEAPServerCert {
				var ua x509.UnknownAuthorityError
				var he x509.HostnameError
				if !errors.As(ae, &ua) && !errors.As(ae, &he) {
					t.Errorf("error %v carries no x509 error", ae)
				}
			}
		})
	}
}

// TestEAPTLSTimeout: a server that stops answering mid-handshake (RADIUS
// outage) is waited for until Config.AuthTimeout (the driver's bound), and
// then the link ends with a retryable error: not an AuthError (not exit 3).
// The handshake goroutine is gone. Without AuthTimeout there is no limit of
// our own.
func TestEAPTLSTimeout(t *testing.T) {
	pki := newTestPKI(t, "corp")
	s, e := newEAPTLSTest(t, pki, EAPTLSConfig{Certificate: pki.client, RootCAs: pki.pool}, 0)
	s.c.cfg.AuthTimeout = 90 * time.Second
	e.silent = true
	e.run()
	e.stop()
	hs := clientHandshake(t, s)
	if d, ok := s.c.Deadline(); !ok || d.Sub(s.t0) != 90*time.Second {
		t.Fatalf("deadline %v after start (%v), want 90s", d.Sub(s.t0), ok)
	}
	s.runTimers(5 * time.Minute)
	err := downErr(t, s)
	var ae *AuthError
	if !errors.Is(err, ErrAuthTimeout) || errors.As(err, &ae) {
		t.Errorf("error %v, want ErrAuthTimeout without AuthError", err)
	}
	if got := s.downAt.Sub(s.t0); got != 90*time.Second {
		t.Errorf("down after %v, want 90s", got)
	}
	if done, _ := hs.Result(); !done {
		t.Error("handshake goroutine still running after the timeout")
	}

	s2, e2 := newEAPTLSTest(t, pki, EAPTLSConfig{Certificate: pki.client, RootCAs: pki.pool}, 0)
	e2.silent = true
	e2.run()
	e2.stop()
	if d, ok := s2.c.Deadline(); ok {
		t.Errorf("EAP-TLS timer at %v without AuthTimeout: the driver bounds the wait", d.Sub(s2.t0))
	}
	s2.c.Close(s2.now)
}

// clientHandshake is the client's handshake pipe; Result's done means its
// goroutine has returned.
func clientHandshake(t *testing.T, s *fakeServer) *tlspipe.Conn {
	t.Helper()
	a, ok := s.c.auth.(*eapAuth)
	if !ok || a.tls == nil || a.tls.pipe == nil {
		t.Fatal("no EAP-TLS run")
	}
	return a.tls.pipe
}

// TestEAPTLSCloseMidHandshake: Close stops the handshake goroutine.
func TestEAPTLSCloseMidHandshake(t *testing.T) {
	pki := newTestPKI(t, "corp")
	s, e := newEAPTLSTest(t, pki, EAPTLSConfig{Certificate: pki.client, RootCAs: pki.pool}, 0)
	e.silent = true
	e.run()
	e.stop()
	hs := clientHandshake(t, s)
	if done, _ := hs.Result(); done {
		t.Fatal("handshake over before Close")
	}
	s.c.Close(s.now)
	s.pump()
	if done, _ := hs.Result(); !done {
		t.Error("handshake goroutine still running after Close")
	}
}

// TestEAPTLSDroppedClient: a Client abandoned mid-handshake (its connection
// died) does not leak the handshake goroutine once collected.
func TestEAPTLSDroppedClient(t *testing.T) {
	pki := newTestPKI(t, "corp")
	base := runtime.NumGoroutine()
	func() {
		_, e := newEAPTLSTest(t, pki, EAPTLSConfig{Certificate: pki.client, RootCAs: pki.pool}, 0)
		e.silent = true
		e.run()
		e.stop() // the server side only
	}()
	for i := 0; runtime.NumGoroutine() > base; i++ {
		if i == 200 {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), base)
		}
		runtime.GC()
		runtime.Gosched()
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEAPNakWithoutCertificate: with no certificate an EAP-TLS Start is
// Nak'ed toward EAP-MSCHAPv2, with one an EAP-MSCHAPv2 Challenge toward
// EAP-TLS.
func TestEAPNakWithoutCertificate(t *testing.T) {
	for _, tt := range []struct {
		name string
		cert bool
		req  []byte
		want byte
	}{
		{"no cert, tls start", false, []byte{eapTypeTLS, eapTLSFlagS}, eapTypeMSCHAPv2},
		{"cert, mschapv2", true, []byte{eapTypeMSCHAPv2, eapMSChallenge, 1, 0, 21, 16}, eapTypeTLS},
		{"cert, md5", true, []byte{4, 16}, eapTypeTLS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Username: "u", Password: "p"}
			if tt.cert {
				cfg.EAPTLS = &EAPTLSConfig{}
			}
			c := NewClient(cfg)
			a := newEAPAuth(c)
			a.input(Packet{Code: eapRequest, ID: 7, Data: tt.req})
			out := c.Output()
			if len(out) != 1 {
				t.Fatalf("%d frames", len(out))
			}
			p, _ := ParsePacket(out[0][4:])
			if p.ID != 7 || string(p.Data) != string([]byte{eapTypeNak, tt.want}) {
				t.Errorf("response id %d % x", p.ID, p.Data)
			}
		})
	}
}

// TestEAPTLSAllowedMethods: a certificate leaves EAP as the only method.
func TestEAPTLSAllowedMethods(t *testing.T) {
	c := NewClient(Config{EAPTLS: &EAPTLSConfig{}})
	if len(c.allowed) != 1 || c.allowed[0] != AuthEAP {
		t.Errorf("allowed %v", c.allowed)
	}
	c = NewClient(Config{EAPTLS: &EAPTLSConfig{}, Auth: []AuthMethod{AuthPAP}})
	if len(c.allowed) != 0 {
		t.Errorf("allowed %v", c.allowed)
	}
}
