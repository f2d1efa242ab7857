package sstp

import (
	"crypto/tls"
	"testing"
)

// The client must not pin a cipher suite order: crypto/tls orders its offer
// by the CPU (AES-GCM with AES hardware, ChaCha20-Poly1305 without), which is
// what a MIPS or ARMv7 router needs for throughput.
func TestTLSConfigKeepsHardwareAwareCipherOrder(t *testing.T) {
	tc := (&Config{}).tlsConfig("vpn.example", false)
	if tc.CipherSuites != nil || tc.CurvePreferences != nil {
		t.Fatalf("CipherSuites %v, CurvePreferences %v: want both unset", tc.CipherSuites, tc.CurvePreferences)
	}
	if tc.MinVersion != tls.VersionTLS12 || tc.MaxVersion != 0 {
		t.Fatalf("versions %x-%x, want TLS 1.2 up to Go's newest", tc.MinVersion, tc.MaxVersion)
	}
}

// The legacy offer (a second dial after a server refused every suite) adds
// RSA key exchange with AES, and nothing weaker.
func TestLegacySuites(t *testing.T) {
	tc := (&Config{}).tlsConfig("vpn.example", true)
	has := map[uint16]bool{}
	for _, id := range tc.CipherSuites {
		has[id] = true
	}
	for _, id := range []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_CBC_SHA} {
		if !has[id] {
			t.Errorf("legacy offer lacks %s", tls.CipherSuiteName(id))
		}
	}
	for _, cs := range tls.InsecureCipherSuites() {
		switch cs.ID {
		case tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA:
			continue
		}
		if has[cs.ID] {
			t.Errorf("legacy offer has %s", cs.Name)
		}
	}
}
