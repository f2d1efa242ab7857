package daemon

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sstpgo/sstpgo/sstp"
)

// The netifd handler reads the fingerprint of a rejected certificate from
// the status file (CERT_FAILED's data, "pin it with ..."); a later error
// that is not a certificate rejection clears it.
func TestStatusRejectedCertificate(t *testing.T) {
	const sha = "4F:7A:5E:8D:C3:60:0E:C6:A8:7F:1D:9A:60:C5:BB:D5:8A:F7:F1:FD:2F:E3:F3:22:AD:F7:AB:5B:AE:91:FA:6C"
	d := New(&Options{}, sstp.Config{}, nil)
	rejected := func() any {
		var m map[string]any
		if err := json.Unmarshal(d.statusJSON(), &m); err != nil {
			t.Fatalf("%v: %s", err, d.statusJSON())
		}
		return m["rejected_certificate_sha256"]
	}
	d.setState("failed", &sstp.Error{Step: sstp.StepTLS, Err: &sstp.CertError{Err: &sstp.PinMismatchError{Seen: sha}}})
	if got := rejected(); got != sha {
		t.Errorf("after a pin mismatch: %v, want %s", got, sha)
	}
	// sstp.sh reads it with sed, not a JSON parser: keep the compact form
	if js := d.statusJSON(); !bytes.Contains(js, []byte(`"rejected_certificate_sha256":"`+sha+`"`)) || bytes.Count(js, []byte("\n")) != 1 {
		t.Errorf("status file not one compact line: %s", js)
	}
	d.setState("failed", errors.New("connection refused"))
	if got := rejected(); got != nil {
		t.Errorf("after another error: %v", got)
	}
}
