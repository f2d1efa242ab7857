package sstp_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// A PAP server busy with RADIUS ignores the retransmissions and answers with
// the first request's Identifier (PROTOCOL.md, Field facts). A wrong
// password must then be an authentication failure (exit 3, no retry that
// locks the account), and a right one must bring the tunnel up. The PAP
// restart timer is scaled down to 20 ms.
func TestPAPAnswerToFirstIdentifier(t *testing.T) {
	for _, tc := range []struct {
		name, pass string
		ok         bool
	}{{"wrong password", "wrong", false}, {"right password", "s3cret", true}} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.Generic,
				Auth: []ppp.AuthMethod{ppp.AuthPAP}, Users: map[string]string{"alice": "s3cret"},
				PPPQuirks: sstptest.PPPQuirks{PAPAnswerFirstID: 4}})
			defer srv.Close()
			cfg := clientConfig(srv, "alice", tc.pass, ppp.AuthPAP)
			cfg.PPP.Restart = 20 * time.Millisecond
			s, err := sstp.Dial(context.Background(), cfg)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("wrong password accepted")
			}
			if !sstp.IsAuthError(err) {
				t.Fatalf("error %v is not an auth error", err)
			}
			t.Logf("%v", err)
		})
	}
}

// A server that Naks the DNS options with 0.0.0.0 forever costs the DNS
// servers, not the call: the tunnel comes up without DNS and the log names
// the options dropped (RFC 1661 Max-Failure, pppd's maxnakloops).
func TestNakDNSForeverComesUpWithoutDNS(t *testing.T) {
	checkGoroutines(t)
	srv := sstptest.NewServer(sstptest.Options{Personality: sstptest.Generic,
		PPPQuirks: sstptest.PPPQuirks{NakDNSForever: true}})
	defer srv.Close()
	var buf bytes.Buffer
	cfg := clientConfig(srv, "user", "pass")
	cfg.Logger = logx.New(&buf, logx.LevelInfo)
	s, err := sstp.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, buf.String())
	}
	defer s.Close()
	info := s.Info()
	if !info.IPv4.Local.IsValid() || len(info.IPv4.DNS) != 0 {
		t.Errorf("IPv4 %+v, want an address and no DNS", info.IPv4)
	}
	for _, want := range []string{"option=Primary-DNS", "option=Secondary-DNS"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}
