package ppp

import "strings"

// AuthMethod is an authentication protocol the server may ask for in its LCP
// Auth-Protocol option (RFC 1661 section 6.2).
type AuthMethod uint8

const (
	AuthNone     AuthMethod = iota // the server asked for no authentication
	AuthPAP                        // RFC 1334, Auth-Protocol C023
	AuthCHAP                       // RFC 1994 CHAP with MD5, C223 algorithm 05
	AuthMSCHAPv2                   // RFC 2759, C223 algorithm 81
	AuthEAP                        // RFC 3748 with EAP-MSCHAPv2 or EAP-TLS, C227
)

// CHAP algorithm octets of the Auth-Protocol option (RFC 1994 section 3,
// RFC 2759 section 2).
const (
	chapAlgMD5      = 0x05
	chapAlgMSCHAPv2 = 0x81
)

var authNames = [...]string{"none", "pap", "chap", "mschapv2", "eap"}

func (m AuthMethod) String() string {
	if int(m) < len(authNames) {
		return authNames[m]
	}
	return "unknown"
}

// strength orders methods for Nak'ing the server's Auth-Protocol:
// mschapv2 > eap > chap > pap. MS-CHAPv2 comes first because it is the only
// one that proves the server knows the password and yields MPPE keys for the
// SSTP crypto binding without an extra EAP round trip.
func (m AuthMethod) strength() int {
	switch m {
	case AuthMSCHAPv2:
		return 4
	case AuthEAP:
		return 3
	case AuthCHAP:
		return 2
	case AuthPAP:
		return 1
	}
	return 0
}

// allMethods is every method we implement, strongest first.
var allMethods = []AuthMethod{AuthMSCHAPv2, AuthEAP, AuthCHAP, AuthPAP}

// ParseAuthMethods reads a comma-separated list such as "pap,chap,mschapv2,eap"
// (case and spaces ignored, duplicates dropped). An empty string gives nil,
// which Config treats as "all methods allowed".
func ParseAuthMethods(s string) ([]AuthMethod, error) {
	var out []AuthMethod
	for f := range strings.SplitSeq(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		m, ok := authByName(f)
		if !ok {
			return nil, &unknownAuthError{name: f}
		}
		if !containsMethod(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

func authByName(s string) (AuthMethod, bool) {
	switch s {
	case "pap":
		return AuthPAP, true
	case "chap", "chap-md5", "md5":
		return AuthCHAP, true
	case "mschapv2", "ms-chapv2", "ms-chap-v2", "mschap-v2":
		return AuthMSCHAPv2, true
	case "eap", "eap-mschapv2", "eap-tls":
		return AuthEAP, true
	}
	return AuthNone, false
}

func containsMethod(list []AuthMethod, m AuthMethod) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// parseAuthProtocol maps an Auth-Protocol option value to a method. Unknown
// protocols and algorithms (MS-CHAPv1 0x80, SHA-1 CHAP …) give AuthNone.
func parseAuthProtocol(v []byte) AuthMethod {
	if len(v) < 2 {
		return AuthNone
	}
	switch be16(v) {
	case ProtoPAP:
		if len(v) == 2 {
			return AuthPAP
		}
	case ProtoEAP:
		if len(v) == 2 {
			return AuthEAP
		}
	case ProtoCHAP:
		if len(v) == 3 && v[2] == chapAlgMD5 {
			return AuthCHAP
		}
		if len(v) == 3 && v[2] == chapAlgMSCHAPv2 {
			return AuthMSCHAPv2
		}
	}
	return AuthNone
}

// appendAuthProtocol appends the Auth-Protocol option value for m.
func appendAuthProtocol(b []byte, m AuthMethod) []byte {
	switch m {
	case AuthPAP:
		return append(b, ProtoPAP>>8, ProtoPAP&0xff)
	case AuthEAP:
		return append(b, ProtoEAP>>8, ProtoEAP&0xff)
	case AuthCHAP:
		return append(b, ProtoCHAP>>8, ProtoCHAP&0xff, chapAlgMD5)
	case AuthMSCHAPv2:
		return append(b, ProtoCHAP>>8, ProtoCHAP&0xff, chapAlgMSCHAPv2)
	}
	return b
}

// describeAuthProtocol names an Auth-Protocol value for error messages,
// including protocols we do not implement.
func describeAuthProtocol(v []byte) string {
	if m := parseAuthProtocol(v); m != AuthNone {
		return m.String()
	}
	if len(v) == 3 && be16(v) == ProtoCHAP && v[2] == 0x80 {
		return "mschap(v1)"
	}
	const hexdig = "0123456789abcdef"
	s := make([]byte, 0, 2*8+3)
	for i, c := range v {
		if i == 8 {
			s = append(s, "..."...) // a name, not a dump: at most 8 bytes
			break
		}
		s = append(s, hexdig[c>>4], hexdig[c&15])
	}
	return "auth-protocol " + string(s)
}
