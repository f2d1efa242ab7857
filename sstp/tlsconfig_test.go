package sstp

import (
	"crypto/tls"
	"testing"
)

// The client must not pin a cipher suite order: crypto/tls orders its offer
// by the CPU (AES-GCM with AES hardware, ChaCha20-Poly1305 without), which is
// what a MIPS or ARMv7 router needs for throughput.
func TestTLSConfigKeepsHardwareAwareCipherOrder(t *testing.T) {
	tc := (&Config{}).tlsConfig("vpn.example")
	if tc.CipherSuites != nil || tc.CurvePreferences != nil {
		t.Fatalf("CipherSuites %v, CurvePreferences %v: want both unset", tc.CipherSuites, tc.CurvePreferences)
	}
	if tc.MinVersion != tls.VersionTLS12 || tc.MaxVersion != 0 {
		t.Fatalf("versions %x-%x, want TLS 1.2 up to Go's newest", tc.MinVersion, tc.MaxVersion)
	}
}
