package ppp

import (
	"encoding/hex"
	"strings"
	"testing"
)

// RFC 2759 section 9.2 "Hash Example": intermediate values for user name
// "User" and password "clientPass".
var rfc2759 = struct {
	UserName               string
	Password               string
	AuthenticatorChallenge string
	PeerChallenge          string
	Challenge              string // 8-octet ChallengeHash
	PasswordHash           string
	NTResponse             string
	PasswordHashHash       string
	AuthenticatorResponse  string
}{
	UserName:               "User",                                             // 55 73 65 72
	Password:               "clientPass",                                       // 63 00 6C 00 69 00 65 00 6E 00 74 00 50 00 61 00 73 00 73 00
	AuthenticatorChallenge: "5B5D7C7D7B3F2F3E3C2C602132262628",                 // 16-octet AuthenticatorChallenge
	PeerChallenge:          "21402324255E262A28295F2B3A337C7E",                 // 16-octet PeerChallenge
	Challenge:              "D02E4386BCE91226",                                 // 8-octet Challenge
	PasswordHash:           "44EBBA8D5312B8D611474411F56989AE",                 // 16-octet PasswordHash
	NTResponse:             "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF", // 24 octet NT-Response
	PasswordHashHash:       "41C00C584BD2D91C4017A2A12FA59F3F",                 // 16-octet PasswordHashHash
	AuthenticatorResponse:  "S=407A5589115FD0D6209F510FE9C04566932CDA56",       // 42-octet AuthenticatorResponse
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func unhex16(t testing.TB, s string) (a [16]byte) {
	t.Helper()
	b := unhex(t, s)
	if len(b) != 16 {
		t.Fatalf("%q: %d bytes, want 16", s, len(b))
	}
	return [16]byte(b)
}

func unhex24(t testing.TB, s string) [24]byte {
	t.Helper()
	b := unhex(t, s)
	if len(b) != 24 {
		t.Fatalf("%q: %d bytes, want 24", s, len(b))
	}
	return [24]byte(b)
}

func hexUp(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

func TestRFC2759Vectors(t *testing.T) {
	v := rfc2759
	auth := unhex16(t, v.AuthenticatorChallenge)
	peer := unhex16(t, v.PeerChallenge)
	nt := unhex24(t, v.NTResponse)
	pwHash := NTPasswordHash(v.Password)
	ch := ChallengeHash(peer, auth, v.UserName)
	phh := HashNTPasswordHash(pwHash)
	cr := ChallengeResponse(ch, pwHash)
	gen := GenerateNTResponse(auth, peer, v.UserName, v.Password)

	tests := []struct {
		name, got, want string
	}{
		{"ChallengeHash (sec 8.2)", hexUp(ch[:]), v.Challenge},
		{"NtPasswordHash (sec 8.3)", hexUp(pwHash[:]), v.PasswordHash},
		{"HashNtPasswordHash (sec 8.4)", hexUp(phh[:]), v.PasswordHashHash},
		{"ChallengeResponse (sec 8.5)", hexUp(cr[:]), v.NTResponse},
		{"GenerateNTResponse (sec 8.1)", hexUp(gen[:]), v.NTResponse},
		{"GenerateAuthenticatorResponse (sec 8.7)",
			GenerateAuthenticatorResponse(v.Password, nt, peer, auth, v.UserName), v.AuthenticatorResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}
