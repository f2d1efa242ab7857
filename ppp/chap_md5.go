package ppp

import "crypto/md5"

// CHAPMD5Response is the CHAP Response Value for algorithm 5 (MD5):
// MD5(Identifier ‖ secret ‖ Challenge Value) (RFC 1994 section 4.1).
func CHAPMD5Response(id uint8, secret string, challenge []byte) [16]byte {
	h := md5.New()
	h.Write([]byte{id})
	h.Write([]byte(secret))
	h.Write(challenge)
	var out [16]byte
	h.Sum(out[:0])
	return out
}
