package sstp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

// Hints name the real step: an IPCP that does not converge (a server that
// Naks DNS forever) after the address was given must not send the admin to
// the address pool; only "no address assigned" does.
func TestIPConfigurationHints(t *testing.T) {
	s := &Session{}
	for _, tc := range []struct {
		err  error
		pool bool
	}{
		{fmt.Errorf("%w: IPCP: no Configure-Ack after 10 requests", ppp.ErrNegotiation), false},
		{&timeoutError{step: StepIP, after: 90 * time.Second}, false},
		{ppp.ErrNoAddress, true},
	} {
		h := s.stepHint(StepIP, tc.err)
		if strings.Contains(h, "address pool") != tc.pool {
			t.Errorf("%v: hint %q", tc.err, h)
		}
	}
}
