package sstp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// An LCP that never opens is reported as the PPP link's failure, not as
// authentication (which never started), and the hint does not send the
// admin to the password.
func TestLCPFailureNamesLCPStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, cfg := pipeServer(t, sstptest.Options{Fault: sstptest.FaultLCPNeverConverges})
		cfg.NegotiationTimeout = 90 * time.Second
		_, err := sstp.Dial(context.Background(), cfg)
		var se *sstp.Error
		if !errors.As(err, &se) {
			t.Fatalf("error %v is not an *sstp.Error", err)
		}
		t.Logf("%v (hint: %s)", err, se.Hint)
		if se.Step != sstp.StepLCP || strings.Contains(err.Error(), "authentication") {
			t.Errorf("step %v (%q), want %v", se.Step, err, sstp.StepLCP)
		}
		if strings.Contains(se.Hint, "password") {
			t.Errorf("hint %q blames the password", se.Hint)
		}
	})
}
