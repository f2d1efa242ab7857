package ppp

import "testing"

// RFC 1994 prints no sample values; these were computed independently with
// Python's hashlib.md5 over Identifier ‖ secret ‖ Challenge (section 4.1).
func TestCHAPMD5Response(t *testing.T) {
	seq64 := make([]byte, 64)
	for i := range seq64 {
		seq64[i] = byte(i)
	}
	tests := []struct {
		name      string
		id        uint8
		secret    string
		challenge []byte
		want      string
	}{
		{"16-byte challenge", 1, "secret", vecHex(t, "00112233445566778899aabbccddeeff"), "204BB003332F6932B63B47C2C4E1A547"},
		{"empty secret and challenge", 0xff, "", nil, "00594FD4F42BA43FC1CA0427A0576295"},
		{"UTF-8 secret, 64-byte challenge", 0x2a, "pässwörd", seq64, "5174D41864405C2ADADA17B23B79EF96"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CHAPMD5Response(tt.id, tt.secret, tt.challenge)
			if upperHex(got[:]) != tt.want {
				t.Errorf("CHAPMD5Response = %X, want %s", got, tt.want)
			}
		})
	}
}
