package ppp

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/md4"
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

func vecHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func vecHex16(t testing.TB, s string) (a [16]byte) {
	t.Helper()
	b := vecHex(t, s)
	if len(b) != 16 {
		t.Fatalf("%q: %d bytes, want 16", s, len(b))
	}
	return [16]byte(b)
}

func vecHex24(t testing.TB, s string) [24]byte {
	t.Helper()
	b := vecHex(t, s)
	if len(b) != 24 {
		t.Fatalf("%q: %d bytes, want 24", s, len(b))
	}
	return [24]byte(b)
}

func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

func TestRFC2759Vectors(t *testing.T) {
	v := rfc2759
	auth := vecHex16(t, v.AuthenticatorChallenge)
	peer := vecHex16(t, v.PeerChallenge)
	nt := vecHex24(t, v.NTResponse)
	pwHash := NTPasswordHash(v.Password)
	ch := ChallengeHash(peer, auth, v.UserName)
	phh := HashNTPasswordHash(pwHash)
	cr := ChallengeResponse(ch, pwHash)
	gen := GenerateNTResponse(auth, peer, v.UserName, v.Password)

	tests := []struct {
		name, got, want string
	}{
		{"ChallengeHash (sec 8.2)", upperHex(ch[:]), v.Challenge},
		{"NtPasswordHash (sec 8.3)", upperHex(pwHash[:]), v.PasswordHash},
		{"HashNtPasswordHash (sec 8.4)", upperHex(phh[:]), v.PasswordHashHash},
		{"ChallengeResponse (sec 8.5)", upperHex(cr[:]), v.NTResponse},
		{"GenerateNTResponse (sec 8.1)", upperHex(gen[:]), v.NTResponse},
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

func TestNTPasswordHashEncoding(t *testing.T) {
	tests := []struct {
		name     string
		password string
		utf16le  string // the bytes RFC 2759 section 8.3 feeds to MD4
	}{
		{"empty", "", ""},
		{"ascii", "clientPass", "63006C00690065006E0074005000610073007300"},
		{"latin1", "pä", "7000E400"},
		{"outside BMP as surrogate pair", "\U0001F600", "3DD800DE"},
		{"invalid UTF-8 as U+FFFD", "\xff", "FDFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := md4.New()
			h.Write(vecHex(t, tt.utf16le))
			want := h.Sum(nil)
			got := NTPasswordHash(tt.password)
			if upperHex(got[:]) != upperHex(want) {
				t.Errorf("NTPasswordHash(%q) = %X, want MD4(%s) = %X", tt.password, got, tt.utf16le, want)
			}
		})
	}
	// MD4 of the empty string, RFC 1320 appendix A.5.
	if got := NTPasswordHash(""); upperHex(got[:]) != "31D6CFE0D16AE931B73C59D7E0C089C0" {
		t.Errorf("NTPasswordHash(\"\") = %X", got)
	}
}

func TestDESKeyParity(t *testing.T) {
	tests := []struct {
		name, key7, want string
	}{
		{"zeros get odd parity bit", "00000000000000", "0101010101010101"},
		{"ones already odd", "FFFFFFFFFFFFFF", "FEFEFEFEFEFEFEFE"},
		{"bit spreading", "80000000000001", "8001010101010102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := desKeyFrom56(vecHex(t, tt.key7))
			if upperHex(got[:]) != tt.want {
				t.Errorf("desKeyFrom56(%s) = %X, want %s", tt.key7, got, tt.want)
			}
		})
	}
}

func TestMSCHAPv2Username(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "User", "User"},
		{"domain prefix", `ACME\User`, "User"},
		{"nested prefix: last backslash wins", `A\B\User`, "User"},
		{"SoftEther hub suffix stays", "user@HUB", "user@HUB"},
		{"UPN stays", "user@example.com", "user@example.com"},
		{"domain and hub", `ACME\user@HUB`, "user@HUB"},
		{"only domain", `ACME\`, ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MSCHAPv2Username(tt.in); got != tt.want {
				t.Errorf("MSCHAPv2Username(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// RFC 2759 section 4: the domain is not part of the challenge hash, so a
// DOMAIN\User login must produce the same NT-Response as User.
func TestChallengeHashIgnoresDomain(t *testing.T) {
	v := rfc2759
	auth, peer := vecHex16(t, v.AuthenticatorChallenge), vecHex16(t, v.PeerChallenge)
	got := GenerateNTResponse(auth, peer, `WORKGROUP\User`, v.Password)
	if upperHex(got[:]) != v.NTResponse {
		t.Errorf("NT-Response with domain = %X, want %s", got, v.NTResponse)
	}
	nt := vecHex24(t, v.NTResponse)
	if r := GenerateAuthenticatorResponse(v.Password, nt, peer, auth, `WORKGROUP\User`); r != v.AuthenticatorResponse {
		t.Errorf("authenticator response with domain = %s", r)
	}
}

func TestCheckAuthenticatorResponse(t *testing.T) {
	v := rfc2759
	good := v.AuthenticatorResponse
	tests := []struct {
		name     string
		password string
		received string
		want     bool
	}{
		{"exact", v.Password, good, true},
		{"lowercase hex", v.Password, "S=" + strings.ToLower(good[2:]), true},
		{"lowercase s=", v.Password, strings.ToLower(good), true},
		{"first nibble differs", v.Password, "S=507A5589115FD0D6209F510FE9C04566932CDA56", false},
		{"last nibble differs", v.Password, "S=407A5589115FD0D6209F510FE9C04566932CDA57", false},
		{"wrong prefix", v.Password, "T=" + good[2:], false},
		{"truncated", v.Password, good[:41], false},
		{"trailing text", v.Password, good + " M=ok", false},
		{"empty", v.Password, "", false},
		{"wrong password", "clientpass", good, false},
		{"non-hex letters", v.Password, "S=407A5589115FD0D6209F510FE9C04566932CDAZ6", false},
	}
	auth, peer := vecHex16(t, v.AuthenticatorChallenge), vecHex16(t, v.PeerChallenge)
	nt := vecHex24(t, v.NTResponse)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckAuthenticatorResponse(tt.password, nt, peer, auth, v.UserName, tt.received)
			if got != tt.want {
				t.Errorf("CheckAuthenticatorResponse(%q) = %v, want %v", tt.received, got, tt.want)
			}
		})
	}
}

// Every single-nibble change anywhere in the 40 hex digits must be rejected.
func TestCheckAuthenticatorResponseEveryNibble(t *testing.T) {
	v := rfc2759
	auth, peer := vecHex16(t, v.AuthenticatorChallenge), vecHex16(t, v.PeerChallenge)
	nt := vecHex24(t, v.NTResponse)
	for i := 2; i < len(v.AuthenticatorResponse); i++ {
		b := []byte(v.AuthenticatorResponse)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		if CheckAuthenticatorResponse(v.Password, nt, peer, auth, v.UserName, string(b)) {
			t.Errorf("accepted %s (digit %d changed)", b, i-2)
		}
	}
}

func TestParseMSCHAPv2Success(t *testing.T) {
	const s = "S=407A5589115FD0D6209F510FE9C04566932CDA56"
	tests := []struct {
		name     string
		in       string
		wantResp string
		wantMsg  string
		wantOK   bool
	}{
		{"RRAS with message", s + " M=Access granted", s, "Access granted", true},
		{"no message (SoftEther)", s, s, "", true},
		{"empty message", s + " M=", s, "", true},
		{"extra spaces before M", s + "   M=hi", s, "hi", true},
		{"text without M=", s + " welcome", s, "welcome", true},
		{"NUL terminated", s + "\x00", s, "", true},
		{"message with NUL tail", s + " M=ok\x00\x00", s, "ok", true},
		{"control chars sanitized", s + " M=a\x1b[31mb", s, "a?[31mb", true},
		{"lowercase hex kept as sent", strings.ToLower(s), strings.ToLower(s), "", true},
		{"41 hex digits", s + "7", "", "", false},
		{"39 hex digits", s[:41], "", "", false},
		{"non-hex digit", "S=407A5589115FD0D6209F510FE9C04566932CDAXX", "", "", false},
		{"missing S=", "407A5589115FD0D6209F510FE9C04566932CDA56AB", "", "", false},
		{"empty", "", "", "", false},
		{"only S=", "S=", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, msg, ok := ParseMSCHAPv2Success([]byte(tt.in))
			if resp != tt.wantResp || msg != tt.wantMsg || ok != tt.wantOK {
				t.Errorf("ParseMSCHAPv2Success(%q) = (%q, %q, %v), want (%q, %q, %v)",
					tt.in, resp, msg, ok, tt.wantResp, tt.wantMsg, tt.wantOK)
			}
		})
	}
}

func TestParseMSCHAPv2Failure(t *testing.T) {
	c := "6CAF8E0D3B3A8B4E36B2A1E5E2F0A9C1"
	var ch [16]byte
	hex.Decode(ch[:], []byte(c))
	tests := []struct {
		name string
		in   string
		want MSCHAPv2Failure
	}{
		{"RFC 2759 section 6 form",
			"E=691 R=1 C=" + c + " V=3 M=Authentication failure",
			MSCHAPv2Failure{Code: 691, Retry: true, Challenge: ch, HasChallenge: true, Version: 3, Message: "Authentication failure"}},
		{"no retry", "E=648 R=0 V=3", MSCHAPv2Failure{Code: 648, Version: 3}},
		{"lowercase challenge", "E=691 R=1 C=" + strings.ToLower(c) + " V=3",
			MSCHAPv2Failure{Code: 691, Retry: true, Challenge: ch, HasChallenge: true, Version: 3}},
		{"only E", "E=649", MSCHAPv2Failure{Code: 649}},
		{"reordered", "M=x y z", MSCHAPv2Failure{Message: "x y z"}},
		{"message keeps '=' and spaces", "E=691 M=E=1 R=1  done", MSCHAPv2Failure{Code: 691, Message: "E=1 R=1  done"}},
		{"short challenge", "E=691 C=ABCD", MSCHAPv2Failure{Code: 691}},
		{"non-hex challenge", "E=691 C=" + c[:31] + "G", MSCHAPv2Failure{Code: 691}},
		{"non-numeric code", "E=abc R=1", MSCHAPv2Failure{Retry: true}},
		{"huge code", "E=99999999999999999999", MSCHAPv2Failure{}},
		{"negative code", "E=-5", MSCHAPv2Failure{}},
		{"R other than 1", "R=2", MSCHAPv2Failure{}},
		{"unknown fields skipped", "X=1 E=709 garbage V=2", MSCHAPv2Failure{Code: 709, Version: 2}},
		{"NUL terminated message", "E=691 M=bad\x00", MSCHAPv2Failure{Code: 691, Message: "bad"}},
		{"multiple spaces", "E=646   R=0", MSCHAPv2Failure{Code: 646}},
		{"lowercase keys", "e=647 r=1", MSCHAPv2Failure{Code: 647, Retry: true}},
		{"empty", "", MSCHAPv2Failure{}},
		{"free text only", "Access denied", MSCHAPv2Failure{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseMSCHAPv2Failure([]byte(tt.in)); got != tt.want {
				t.Errorf("ParseMSCHAPv2Failure(%q) =\n %+v, want\n %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestMSCHAPv2FailureExplain(t *testing.T) {
	tests := []struct {
		name string
		f    MSCHAPv2Failure
		want []string // substrings
	}{
		{"646", MSCHAPv2Failure{Code: 646}, []string{"logon hours", "E=646"}},
		{"647", MSCHAPv2Failure{Code: 647}, []string{"disabled", "E=647"}},
		{"648", MSCHAPv2Failure{Code: 648}, []string{"password has expired", "E=648"}},
		{"649", MSCHAPv2Failure{Code: 649}, []string{"dial-in", "E=649"}},
		{"691", MSCHAPv2Failure{Code: 691}, []string{"wrong user name or password", "E=691"}},
		{"709", MSCHAPv2Failure{Code: 709}, []string{"change the password", "E=709"}},
		{"other code", MSCHAPv2Failure{Code: 1234}, []string{"rejected", "E=1234"}},
		{"no code", MSCHAPv2Failure{}, []string{"rejected", "no error code"}},
		{"server text appended", MSCHAPv2Failure{Code: 691, Message: "Bad login"}, []string{"E=691", `server says "Bad login"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.f.Explain()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Explain() = %q, missing %q", got, w)
				}
			}
			if tt.f.Message == "" && strings.Contains(got, "server says") {
				t.Errorf("Explain() = %q mentions server text that is absent", got)
			}
		})
	}
}

func TestMagicLengths(t *testing.T) {
	tests := []struct {
		name  string
		magic string
		want  int
	}{
		{"RFC 2759 8.7 Magic1", authMagic1, 39},
		{"RFC 2759 8.7 Magic2", authMagic2, 41},
		{"RFC 3079 3.4 Magic1", mppeMagic1, 27},
		{"RFC 3079 3.4 Magic2", mppeMagic2, 84},
		{"RFC 3079 3.4 Magic3", mppeMagic3, 84},
	}
	for _, tt := range tests {
		if len(tt.magic) != tt.want {
			t.Errorf("%s: %d bytes, want %d", tt.name, len(tt.magic), tt.want)
		}
	}
}

func FuzzParseMSCHAPv2Success(f *testing.F) {
	const s = "S=407A5589115FD0D6209F510FE9C04566932CDA56"
	for _, seed := range []string{s, s + " M=Access granted", s + " M=", s + "\x00", strings.ToLower(s) + " hi", "S=", "", s + "7"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		resp, text, ok := ParseMSCHAPv2Success(msg)
		if !ok {
			if resp != "" || text != "" {
				t.Fatalf("not ok but returned %q %q", resp, text)
			}
			return
		}
		if len(resp) != authRespLen || !allHexDigits([]byte(resp[2:])) {
			t.Fatalf("bad authResp %q", resp)
		}
		checkServerText(t, text)
		// Formatting the parsed fields the RRAS way must parse back the same.
		r2, t2, ok2 := ParseMSCHAPv2Success([]byte(resp + " M=" + text))
		if !ok2 || r2 != resp || t2 != text {
			t.Fatalf("round trip (%q, %q) -> (%q, %q, %v)", resp, text, r2, t2, ok2)
		}
	})
}

func FuzzParseMSCHAPv2Failure(f *testing.F) {
	for _, seed := range []string{
		"E=691 R=1 C=6CAF8E0D3B3A8B4E36B2A1E5E2F0A9C1 V=3 M=Authentication failure",
		"E=648 R=0 V=3", "E=649", "M=x y z", "E=-1 C=zz", "", "E=691 M=bad\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		fl := ParseMSCHAPv2Failure(msg)
		if fl.Code < 0 || fl.Version < 0 {
			t.Fatalf("negative field %+v", fl)
		}
		if !fl.HasChallenge && fl.Challenge != ([16]byte{}) {
			t.Fatalf("challenge without HasChallenge %+v", fl)
		}
		checkServerText(t, fl.Message)
		_ = fl.Explain()
		if got := ParseMSCHAPv2Failure([]byte(formatMSCHAPv2Failure(fl))); got != fl {
			t.Fatalf("round trip %+v -> %+v", fl, got)
		}
	})
}

// formatMSCHAPv2Failure writes f in the RFC 2759 section 6 form.
func formatMSCHAPv2Failure(f MSCHAPv2Failure) string {
	s := "E=" + strconv.Itoa(f.Code) + " R=0"
	if f.Retry {
		s = "E=" + strconv.Itoa(f.Code) + " R=1"
	}
	if f.HasChallenge {
		s += " C=" + upperHex(f.Challenge[:])
	}
	return s + " V=" + strconv.Itoa(f.Version) + " M=" + f.Message
}

func checkServerText(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("message not valid UTF-8: %q", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			t.Fatalf("control character in message %q", s)
		}
	}
}
