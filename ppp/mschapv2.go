package ppp

import (
	"crypto/des"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/crypto/md4"
)

// MS-CHAP-V2 authenticator-response magic strings, RFC 2759 section 8.7.
const (
	authMagic1 = "Magic server to client signing constant"
	authMagic2 = "Pad to make it do more than one iteration"
)

// authRespLen is len("S=") + 40 hex digits of the SHA-1 digest (RFC 2759 section 5).
const authRespLen = 2 + 2*sha1.Size

// NTPasswordHash is MD4 over the UTF-16LE encoding of password (RFC 2759 section 8.3).
// Characters outside the BMP become surrogate pairs, as Windows does.
func NTPasswordHash(password string) [16]byte {
	u := utf16.Encode([]rune(password))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	h := md4.New()
	h.Write(b)
	var out [16]byte
	h.Sum(out[:0])
	return out
}

// HashNTPasswordHash is MD4 of an NT password hash (RFC 2759 section 8.4).
func HashNTPasswordHash(h [16]byte) [16]byte {
	m := md4.New()
	m.Write(h[:])
	var out [16]byte
	m.Sum(out[:0])
	return out
}

// MSCHAPv2Username returns the user name as it enters ChallengeHash: RFC 2759
// section 4 hashes "the user name ... excluding any prepended domain name", so
// everything up to the last backslash is dropped. "user@HUB" stays whole.
func MSCHAPv2Username(name string) string {
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// ChallengeHash is the first 8 bytes of SHA-1(peerChallenge ‖ authChallenge ‖
// user name) (RFC 2759 section 8.2). A DOMAIN\ prefix on username is stripped
// here, so callers may pass the name exactly as sent in the Response packet.
func ChallengeHash(peerChallenge, authChallenge [16]byte, username string) [8]byte {
	h := sha1.New()
	h.Write(peerChallenge[:])
	h.Write(authChallenge[:])
	h.Write([]byte(MSCHAPv2Username(username)))
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	var out [8]byte
	copy(out[:], sum[:8])
	return out
}

// ChallengeResponse DES-encrypts challenge three times with the three 7-byte
// pieces of the zero-padded 21-byte password hash (RFC 2759 section 8.5).
func ChallengeResponse(challenge [8]byte, passwordHash [16]byte) [24]byte {
	var z [21]byte
	copy(z[:], passwordHash[:])
	var out [24]byte
	for i := 0; i < 3; i++ {
		desEncrypt56(out[i*8:i*8+8], challenge[:], z[i*7:i*7+7])
	}
	return out
}

// desEncrypt56 encrypts one 8-byte block with a 56-bit key (RFC 2759 section 8.6).
func desEncrypt56(dst, clear, key7 []byte) {
	k := desKeyFrom56(key7)
	c, err := des.NewCipher(k[:])
	if err != nil { // unreachable: k is always 8 bytes
		return
	}
	c.Encrypt(dst, clear)
}

// desKeyFrom56 spreads 56 key bits over 8 bytes, 7 bits each in the high bits, and
// sets the low bit of each byte to odd parity (FIPS 46-3 key layout).
func desKeyFrom56(k []byte) [8]byte {
	var out [8]byte
	var acc uint64
	for _, b := range k[:7] {
		acc = acc<<8 | uint64(b)
	}
	for i := 0; i < 8; i++ {
		v := byte(acc>>(49-7*uint(i))) << 1
		out[i] = v | oddParityBit(v)
	}
	return out
}

func oddParityBit(v byte) byte {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	if n%2 == 0 {
		return 1
	}
	return 0
}

// GenerateNTResponse computes the 24-byte NT-Response (RFC 2759 section 8.1).
func GenerateNTResponse(authChallenge, peerChallenge [16]byte, username, password string) [24]byte {
	c := ChallengeHash(peerChallenge, authChallenge, username)
	return ChallengeResponse(c, NTPasswordHash(password))
}

// GenerateAuthenticatorResponse computes the "S=<40 upper-case hex>" string the
// authenticator returns in its Success packet (RFC 2759 section 8.7).
func GenerateAuthenticatorResponse(password string, ntResponse [24]byte, peerChallenge, authChallenge [16]byte, username string) string {
	var buf [authRespLen]byte
	appendAuthenticatorResponse(buf[:0], password, ntResponse, peerChallenge, authChallenge, username)
	return string(buf[:])
}

func appendAuthenticatorResponse(b []byte, password string, ntResponse [24]byte, peerChallenge, authChallenge [16]byte, username string) []byte {
	phh := HashNTPasswordHash(NTPasswordHash(password))
	h := sha1.New()
	h.Write(phh[:])
	h.Write(ntResponse[:])
	h.Write([]byte(authMagic1))
	var digest [sha1.Size]byte
	h.Sum(digest[:0])

	c := ChallengeHash(peerChallenge, authChallenge, username)
	h.Reset()
	h.Write(digest[:])
	h.Write(c[:])
	h.Write([]byte(authMagic2))
	h.Sum(digest[:0])

	b = append(b, 'S', '=')
	return appendHexUpper(b, digest[:])
}

func appendHexUpper(b, src []byte) []byte {
	const digits = "0123456789ABCDEF"
	for _, v := range src {
		b = append(b, digits[v>>4], digits[v&0x0f])
	}
	return b
}

// CheckAuthenticatorResponse reports whether received is the authenticator
// response the server must send for these credentials (RFC 2759 section 8.8).
// The hex digits are compared case-insensitively and in constant time; a
// received value that is not exactly 42 characters is rejected.
func CheckAuthenticatorResponse(password string, ntResponse [24]byte, peerChallenge, authChallenge [16]byte, username, received string) bool {
	if len(received) != authRespLen {
		return false
	}
	var want, got [authRespLen]byte
	appendAuthenticatorResponse(want[:0], password, ntResponse, peerChallenge, authChallenge, username)
	for i := 0; i < authRespLen; i++ {
		got[i] = upperASCII(received[i])
	}
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// upperASCII folds a-z to A-Z without branching on the value.
func upperASCII(c byte) byte {
	lower := subtle.ConstantTimeLessOrEq(int('a'), int(c)) & subtle.ConstantTimeLessOrEq(int(c), int('z'))
	return c - byte(lower)*('a'-'A')
}

// ParseMSCHAPv2Success reads the Message of an MS-CHAP-V2 Success packet,
// "S=<40 hex> M=<text>" (RFC 2759 section 5). authResp is the 42-character
// "S=..." string, ready for CheckAuthenticatorResponse. The " M=" part is
// optional: RRAS sends it, some SoftEther versions do not.
func ParseMSCHAPv2Success(msg []byte) (authResp string, message string, ok bool) {
	if len(msg) < authRespLen || upperASCII(msg[0]) != 'S' || msg[1] != '=' {
		return "", "", false
	}
	if !allHexDigits(msg[2:authRespLen]) {
		return "", "", false
	}
	rest := msg[authRespLen:]
	if len(rest) > 0 && rest[0] != ' ' && rest[0] != 0 {
		return "", "", false // more than 40 hex digits, or glued text
	}
	rest = skipSpaces(rest)
	if len(rest) >= 2 && upperASCII(rest[0]) == 'M' && rest[1] == '=' {
		rest = rest[2:]
	}
	return string(msg[:authRespLen]), sanitizeServerText(rest), true
}

func allHexDigits(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func skipSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
}

// sanitizeServerText turns server-supplied text into something safe to log: it drops
// trailing NULs and blanks (some servers NUL-terminate) and replaces control
// characters and invalid UTF-8 with '?'.
func sanitizeServerText(b []byte) string {
	s := strings.TrimRight(string(b), "\x00 \t\r\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return '?'
		}
		return r
	}, s)
}

// MSCHAPv2Failure is the parsed Message of an MS-CHAP-V2 Failure packet,
// "E=eeeeeeeeee R=r C=cccc... V=vvvvvvvvvv M=<msg>" (RFC 2759 section 6).
type MSCHAPv2Failure struct {
	Code         int      // E=: Windows error code, 0 if missing or malformed
	Retry        bool     // R=1: the server allows another attempt
	Challenge    [16]byte // C=: new authenticator challenge for a retry
	HasChallenge bool     // C= held exactly 32 hex digits
	Version      int      // V=: password-change protocol version, 0 if missing
	Message      string   // M=: free text, sanitized for logging
}

// ParseMSCHAPv2Failure reads a Failure Message leniently: any field may be
// missing, reordered or malformed; unknown fields are skipped. M= runs to the
// end of the message, spaces included. It never fails; a message that is not
// in this format at all yields Code 0 and no Message.
func ParseMSCHAPv2Failure(msg []byte) MSCHAPv2Failure {
	var f MSCHAPv2Failure
	for len(msg) > 0 {
		msg = skipSpaces(msg)
		if len(msg) >= 2 && upperASCII(msg[0]) == 'M' && msg[1] == '=' {
			f.Message = sanitizeServerText(msg[2:])
			break
		}
		var tok []byte
		tok, msg = cutFailureField(msg)
		f.setField(tok)
	}
	return f
}

func cutFailureField(b []byte) (tok, rest []byte) {
	for i, c := range b {
		if c == ' ' {
			return b[:i], b[i+1:]
		}
	}
	return b, nil
}

// setField stores one "X=value" token; malformed values leave the zero value.
func (f *MSCHAPv2Failure) setField(tok []byte) {
	if len(tok) < 2 || tok[1] != '=' {
		return
	}
	v := tok[2:]
	switch upperASCII(tok[0]) {
	case 'E':
		f.Code = parseFailureUint(v)
	case 'R':
		f.Retry = len(v) == 1 && v[0] == '1'
	case 'C':
		f.HasChallenge = len(v) == 32 && allHexDigits(v)
		if f.HasChallenge {
			hex.Decode(f.Challenge[:], v)
		} else {
			f.Challenge = [16]byte{}
		}
	case 'V':
		f.Version = parseFailureUint(v)
	}
}

// parseFailureUint parses up to 9 decimal digits; anything else gives 0.
func parseFailureUint(v []byte) int {
	if len(v) == 0 || len(v) > 9 {
		return 0
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Windows RAS error codes carried in E= (RFC 2759 section 6).
const (
	codeRestrictedLogonHours = 646 // ERROR_RESTRICTED_LOGON_HOURS
	codeAcctDisabled         = 647 // ERROR_ACCT_DISABLED
	codePasswdExpired        = 648 // ERROR_PASSWD_EXPIRED
	codeNoDialinPermission   = 649 // ERROR_NO_DIALIN_PERMISSION
	codeAuthFailure          = 691 // ERROR_AUTHENTICATION_FAILURE
	codeChangingPassword     = 709 // ERROR_CHANGING_PASSWORD
)

// Explain returns one admin-facing line saying why the server refused the
// login, with the server's own M= text appended when there is one.
func (f MSCHAPv2Failure) Explain() string {
	var s string
	switch f.Code {
	case codeRestrictedLogonHours:
		s = "account may not log in at this time (logon hours restriction, E=646)"
	case codeAcctDisabled:
		s = "account is disabled on the server (E=647)"
	case codePasswdExpired:
		s = "password has expired; change it on the server (E=648)"
	case codeNoDialinPermission:
		s = "account has no dial-in/VPN permission on the server (E=649)"
	case codeAuthFailure:
		s = "wrong user name or password (E=691)" // AuthError already says "authentication failed"
	case codeChangingPassword:
		s = "server could not change the password (E=709)"
	case 0:
		s = "server rejected the login (no error code)"
	default:
		s = "server rejected the login (E=" + strconv.Itoa(f.Code) + ")"
	}
	if f.Message != "" {
		s += ": server says \"" + f.Message + "\""
	}
	return s
}
