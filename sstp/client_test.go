package sstp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

func clientConfig(srv *sstptest.Server, user, pass string, auth ...ppp.AuthMethod) sstp.Config {
	return sstp.Config{
		Server:             srv.Addr(),
		SNI:                "localhost",
		RootCAs:            srv.CertPool(),
		NegotiationTimeout: 20 * time.Second,
		PPP:                ppp.Config{Username: user, Password: pass, Auth: auth},
	}
}

// checkGoroutines fails the test if goroutines started during it are still running.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

func waitServer(t *testing.T, srv *sstptest.Server, what string, pred func(sstptest.SessionInfo) bool) sstptest.SessionInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got sstptest.SessionInfo
	err := srv.WaitFor(ctx, func(ss []sstptest.SessionInfo) bool {
		for _, s := range ss {
			if pred(s) {
				got = s
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("server never saw %s: %+v", what, srv.Sessions())
	}
	return got
}

// Every authentication method that each personality allows reaches the
// network phase with an address and DNS, and the server accepts the binding.
func TestClientReachesNetworkPhase(t *testing.T) {
	allowed := map[sstptest.Personality][]ppp.AuthMethod{
		sstptest.RRAS:      {ppp.AuthMSCHAPv2, ppp.AuthEAP},
		sstptest.SoftEther: {ppp.AuthPAP, ppp.AuthMSCHAPv2},
		sstptest.Generic:   {ppp.AuthPAP, ppp.AuthCHAP, ppp.AuthMSCHAPv2, ppp.AuthEAP},
	}
	for _, pers := range []sstptest.Personality{sstptest.RRAS, sstptest.SoftEther, sstptest.Generic} {
		for _, m := range allowed[pers] {
			t.Run(pers.String()+"/"+m.String(), func(t *testing.T) {
				checkGoroutines(t)
				srv := sstptest.NewServer(sstptest.Options{Personality: pers, Users: map[string]string{"alice": "s3cret"}})
				defer srv.Close()
				user := "alice"
				if pers == sstptest.SoftEther {
					user = "alice@HUB"
				}
				s, err := sstp.Dial(context.Background(), clientConfig(srv, user, "s3cret", m))
				if err != nil {
					t.Fatal(err)
				}
				info := s.Info()
				if !info.IPv4.Local.IsValid() || len(info.IPv4.DNS) == 0 {
					t.Errorf("no address or DNS: %+v", info.IPv4)
				}
				if info.Auth != m {
					t.Errorf("auth %v, want %v", info.Auth, m)
				}
				got := waitServer(t, srv, "network phase", func(si sstptest.SessionInfo) bool { return si.Up && si.CallConnected })
				if got.Auth != m || got.BindingErr != nil || got.ClientIP != info.IPv4.Local {
					t.Errorf("server side: %+v", got)
				}
				s.Close()
				waitServer(t, srv, "Call Disconnect", func(si sstptest.SessionInfo) bool { return si.ClientDisconnect })
				if err := s.Err(); err != nil {
					t.Errorf("Err after Close = %v", err)
				}
			})
		}
	}
}

// The RRAS personality checks the binding like Windows with SHA-1 and SHA-256.
func TestRRASAcceptsBindingBothHashes(t *testing.T) {
	for _, tc := range []struct {
		bitmask uint8
		want    uint8
	}{{0x01, sstp.HashSHA1}, {0x02, sstp.HashSHA256}, {0x03, sstp.HashSHA256}} {
		t.Run(fmt.Sprintf("bitmask%d", tc.bitmask), func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.RRAS, HashBitmask: tc.bitmask})
			defer srv.Close()
			s, err := sstp.Dial(context.Background(), clientConfig(srv, "user", "pass"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Info().HashProtocol != tc.want {
				t.Errorf("hash %d, want %d", s.Info().HashProtocol, tc.want)
			}
			got := waitServer(t, srv, "binding", func(si sstptest.SessionInfo) bool { return si.CallConnected })
			if got.BindingErr != nil || got.HashProtocol != tc.want {
				t.Errorf("server: %+v", got)
			}
		})
	}
}

// A wrong HLAK, a wrong certificate hash or a missing Call Connected make
// the RRAS personality drop the call, and the client says so.
func TestRRASDropsBadBinding(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func(*sstp.Config)
		want    error
	}{
		{"wrong-hlak", sstp.CorruptHLAK, sstp.ErrBindingMAC},
		{"wrong-cert-hash", sstp.CorruptCertHash, sstp.ErrBindingCertHash},
		{"no-call-connected", sstp.SkipCallConnected, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.RRAS, ConnectedTimeout: 500 * time.Millisecond})
			defer srv.Close()
			cfg := clientConfig(srv, "user", "pass")
			tc.corrupt(&cfg)
			s, err := sstp.Dial(context.Background(), cfg)
			if err == nil {
				select {
				case <-s.Done():
					err = s.Err()
				case <-time.After(10 * time.Second):
					t.Fatal("call not dropped")
				}
				s.Close()
			}
			if !errors.Is(err, sstp.ErrAborted) {
				t.Errorf("client error %v, want the server's abort", err)
			}
			t.Logf("client reports: %v", err)
			got := waitServer(t, srv, "binding failure", func(si sstptest.SessionInfo) bool { return si.Done })
			if got.BindingErr == nil || (tc.want != nil && !errors.Is(got.BindingErr, tc.want)) {
				t.Errorf("server BindingErr = %v, want %v", got.BindingErr, tc.want)
			}
		})
	}
}

// Hostile or broken servers: each ends with a specific error within a bounded
// time, with no panic and no goroutine left.
func TestHostileServers(t *testing.T) {
	for _, tc := range []struct {
		fault sstptest.Fault
		check func(error) bool
	}{
		{sstptest.FaultTruncatedPacket, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) }},
		{sstptest.FaultLengthTooLong, func(err error) bool { return errors.Is(err, sstp.ErrNegotiationTimout) }},
		{sstptest.FaultBadVersion, func(err error) bool { return errors.Is(err, sstp.ErrBadVersion) }},
		{sstptest.FaultUnknownMessage, func(err error) bool {
			return errors.Is(err, sstp.ErrUnknownMessage) || errors.Is(err, sstp.ErrUnexpectedMessage)
		}},
		{sstptest.FaultBadAttrLength, func(err error) bool { return errors.Is(err, sstp.ErrAttrLength) }},
		{sstptest.FaultHTTP302, httpCode(302)},
		{sstptest.FaultHTTP401, httpCode(401)},
		{sstptest.FaultHTTP500, httpCode(500)},
		{sstptest.FaultEndlessHeader, func(err error) bool { return errors.Is(err, sstp.ErrHTTPHeaderTooLong) }},
		{sstptest.FaultSilent, func(err error) bool { return errors.Is(err, sstp.ErrNegotiationTimout) }},
		{sstptest.FaultNoConnectAck, func(err error) bool { return errors.Is(err, sstp.ErrNegotiationTimout) }},
		{sstptest.FaultConnectNak, func(err error) bool { return errors.Is(err, sstp.ErrConnectNak) }},
		{sstptest.FaultLCPNeverConverges, func(err error) bool {
			return errors.Is(err, ppp.ErrNegotiation) || errors.Is(err, sstp.ErrNegotiationTimout)
		}},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{Fault: tc.fault})
			defer srv.Close()
			cfg := clientConfig(srv, "user", "pass")
			cfg.NegotiationTimeout = 3 * time.Second
			start := time.Now()
			s, err := sstp.Dial(context.Background(), cfg)
			if err == nil {
				s.Close()
				t.Fatal("Dial succeeded against a broken server")
			}
			var se *sstp.Error
			if !errors.As(err, &se) {
				t.Errorf("error %T is not an *sstp.Error with a step", err)
			}
			if !tc.check(err) {
				t.Errorf("error = %v", err)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("took %v", d)
			}
			t.Logf("%v", err)
		})
	}
}

func httpCode(code int) func(error) bool {
	return func(err error) bool {
		var he *sstp.HTTPError
		return errors.As(err, &he) && he.Code == code
	}
}

// Failures after the network phase end the session with a clear error.
func TestSessionFailuresAfterUp(t *testing.T) {
	for _, tc := range []struct {
		fault sstptest.Fault
		want  error
	}{
		{sstptest.FaultDropEchoes, sstp.ErrPeerDead},
		{sstptest.FaultStopReading, sstp.ErrPeerDead},
		{sstptest.FaultAbortAfterConnect, sstp.ErrAborted},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{Fault: tc.fault})
			defer srv.Close()
			cfg := clientConfig(srv, "user", "pass")
			cfg.HelloInterval, cfg.HelloTimeout = 300*time.Millisecond, 700*time.Millisecond
			s, err := sstp.Dial(context.Background(), cfg)
			if err != nil {
				if errors.Is(err, tc.want) {
					return // the abort raced the network phase
				}
				t.Fatal(err)
			}
			defer s.Close()
			select {
			case <-s.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("session did not end")
			}
			if !errors.Is(s.Err(), tc.want) {
				t.Errorf("Err = %v, want %v", s.Err(), tc.want)
			}
		})
	}
}

// Wrong credentials are an authentication error, not a network one.
func TestWrongPasswordIsAuthError(t *testing.T) {
	for _, m := range []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthPAP} {
		t.Run(m.String(), func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.Generic})
			defer srv.Close()
			_, err := sstp.Dial(context.Background(), clientConfig(srv, "user", "wrong", m))
			if !sstp.IsAuthError(err) {
				t.Fatalf("error %v is not an auth error", err)
			}
			t.Logf("%v", err)
		})
	}
}

// A certificate that does not match fails before any PPP packet is sent,
// and the error names the rejected certificate by its SHA-256 so an admin
// (or LuCI, through the netifd handler) can check it and pin it.
func TestCertificateMismatch(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	want := sstp.Fingerprint(srv.Certificate().Raw)
	for _, tc := range []struct {
		name   string
		adjust func(*sstp.Config)
	}{
		{"wrong-name", func(c *sstp.Config) { c.SNI = "vpn.example.com" }},
		{"unknown-ca", func(c *sstp.Config) { c.RootCAs = nil }},
		{"wrong-pin", func(c *sstp.Config) { c.RootCAs = nil; c.PinSHA256 = make([]byte, 32) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := clientConfig(srv, "user", "pass")
			tc.adjust(&cfg)
			_, err := sstp.Dial(context.Background(), cfg)
			if !sstp.IsCertError(err) {
				t.Fatalf("error %v is not a certificate error", err)
			}
			var se *sstp.Error
			if errors.As(err, &se) && se.Hint == "" {
				t.Errorf("no hint for %v", err)
			}
			if got := sstp.RejectedCertificate(err); got != want {
				t.Errorf("RejectedCertificate = %q, want %q (%v)", got, want, err)
			}
			t.Logf("%v (hint: %s)", err, se.Hint)
		})
	}
	for _, si := range srv.Sessions() {
		if si.AuthAttempts > 0 {
			t.Errorf("credentials reached the server: %+v", si)
		}
	}
	if got := sstp.RejectedCertificate(sstp.ErrPeerDead); got != "" {
		t.Errorf("RejectedCertificate(ErrPeerDead) = %q", got)
	}
}

// A matching pin is enough without a CA.
func TestPinnedCertificate(t *testing.T) {
	srv := sstptest.NewServer(sstptest.Options{})
	defer srv.Close()
	cfg := clientConfig(srv, "user", "pass")
	cfg.RootCAs = nil
	pin, err := sstp.ParsePin(sstp.Fingerprint(srv.Certificate().Raw))
	if err != nil {
		t.Fatal(err)
	}
	cfg.PinSHA256 = pin
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
