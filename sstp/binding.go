package sstp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
)

// Layout of the CALL_CONNECTED packet (MS-SSTP 2.2.11): header (4), Message
// Type and Num Attributes (4), CRYPTO_BINDING attribute header (4), then the
// 100-byte CRYPTO_BINDING value (2.2.7).
const (
	callConnectedLen = controlMinLen + attrLenCryptoBinding // 112 = 0x70
	offHashProtocol  = 15
	offNonce         = 16
	offCertHash      = 48
	offCompoundMAC   = 80
	hlakLen          = 32
)

// cmkSeed is the PRF+ seed of MS-SSTP 3.2.5.2.2 / 3.2.5.2.4.
const cmkSeed = "SSTP inner method derived CMK"

// ChooseHash picks the hash protocol for the crypto binding from the
// server's Hash Protocol Bitmask (MS-SSTP 2.2.6), preferring SHA-256.
func ChooseHash(bitmask uint8) (uint8, error) {
	switch {
	case bitmask&HashSHA256 != 0:
		return HashSHA256, nil
	case bitmask&HashSHA1 != 0:
		return HashSHA1, nil
	}
	return 0, fmt.Errorf("sstp: server offers hash bitmask 0x%02x, neither SHA-1 nor SHA-256: %w", bitmask, ErrBindingHashProtocol)
}

// hashFor returns the hash of a single hash-protocol bit, nil if unknown.
func hashFor(hashProto uint8) func() hash.Hash {
	switch hashProto {
	case HashSHA256:
		return sha256.New
	case HashSHA1:
		return sha1.New
	}
	return nil
}

// mustHash is hashFor for values the caller got from ChooseHash.
func mustHash(hashProto uint8) func() hash.Hash {
	h := hashFor(hashProto)
	if h == nil {
		panic(fmt.Sprintf("sstp: hash protocol 0x%02x is neither HashSHA1 nor HashSHA256", hashProto))
	}
	return h
}

// CertHash hashes the server certificate's DER encoding for the Cert Hash
// field (MS-SSTP 2.2.7): SHA-256, or SHA-1 zero-padded to 32 bytes. An
// unknown hashProto gives all zeroes.
func CertHash(hashProto uint8, certDER []byte) [32]byte {
	var out [32]byte
	switch hashProto {
	case HashSHA256:
		out = sha256.Sum256(certDER)
	case HashSHA1:
		s := sha1.Sum(certDER)
		copy(out[:], s[:])
	}
	return out
}

// ComputeCMK derives the Compound MAC Key from the Higher-Layer
// Authentication Key (MS-SSTP 3.2.5.2.2 for SHA-1, 3.2.5.2.4 for SHA-256):
//
//	CMK = PRF+(HLAK, seed, L) truncated to L = T1 = HMAC-H(HLAK, seed | LEN | 0x01)
//
// with seed "SSTP inner method derived CMK" (no NUL) and LEN the output
// length L (20 or 32) as 2 bytes, little-endian; checked against the worked
// example of MS-SSTP 4.7. An HLAK longer than 32 bytes is cut to 32, a
// shorter one is zero-padded (3.2.5.2.2), which HMAC's own key padding does.
// It panics if hashProto is not HashSHA1 or HashSHA256.
func ComputeCMK(hashProto uint8, hlak []byte) []byte {
	newHash := mustHash(hashProto)
	if len(hlak) > hlakLen {
		hlak = hlak[:hlakLen]
	}
	m := hmac.New(newHash, hlak)
	size := m.Size()
	m.Write([]byte(cmkSeed))
	m.Write([]byte{byte(size), byte(size >> 8), 0x01})
	return m.Sum(nil)
}

// compoundMAC computes HMAC-H(CMK, pkt) where pkt is the whole CALL_CONNECTED
// packet with its Compound MAC field zeroed (MS-SSTP 3.2.5.2.1, 3.2.5.2.3).
func compoundMAC(hashProto uint8, hlak, pkt []byte) []byte {
	m := hmac.New(mustHash(hashProto), ComputeCMK(hashProto, hlak))
	m.Write(pkt)
	return m.Sum(nil)
}

// AppendCallConnected appends the complete CALL_CONNECTED packet (MS-SSTP
// 2.2.11): one CRYPTO_BINDING attribute with hashProto, the server's nonce,
// certHash (from CertHash) and the Compound MAC computed over the packet
// itself. hlak is the client's HLAK (32 zero bytes when the PPP
// authentication made no keys). It panics if hashProto is not HashSHA1 or
// HashSHA256 (use ChooseHash).
func AppendCallConnected(b []byte, hashProto uint8, nonce, certHash [32]byte, hlak []byte) []byte {
	mustHash(hashProto)
	start := len(b)
	b = appendControlHeader(b, MsgCallConnected, callConnectedLen, 1)
	b = appendAttrHeader(b, AttrCryptoBinding, cryptoBindingValLen)
	b = CryptoBinding{HashProtocol: hashProto, Nonce: nonce, CertHash: certHash}.Append(b)
	pkt := b[start:]
	copy(pkt[offCompoundMAC:], compoundMAC(hashProto, hlak, pkt))
	return b
}

// VerifyCallConnected checks a CALL_CONNECTED packet the way the server does
// (MS-SSTP 3.3.5.2): exactly one CRYPTO_BINDING attribute, a Hash Protocol
// that is one bit the server offered in bitmask, the nonce it sent, the hash
// of its certificate certDER, and the Compound MAC under the server's HLAK
// (for MS-CHAPv2: MasterReceiveKey | MasterSendKey from the server's side).
// Padding after SHA-1 results is not compared. The errors are distinct:
// ErrBindingMissing, ErrBindingHashProtocol, ErrBindingNonce,
// ErrBindingCertHash, ErrBindingMAC, or a parse error.
func VerifyCallConnected(pkt []byte, hlak []byte, nonce [32]byte, certDER []byte, bitmask uint8) error {
	cb, err := parseCallConnected(pkt)
	if err != nil {
		return err
	}
	h := cb.HashProtocol
	if hashFor(h) == nil || bitmask&h == 0 {
		return fmt.Errorf("sstp: CALL_CONNECTED: hash protocol 0x%02x, offered 0x%02x: %w", h, bitmask, ErrBindingHashProtocol)
	}
	if !hmac.Equal(cb.Nonce[:], nonce[:]) {
		return fmt.Errorf("sstp: CALL_CONNECTED: %w", ErrBindingNonce)
	}
	n := hashFor(h)().Size()
	want := CertHash(h, certDER)
	if !hmac.Equal(cb.CertHash[:n], want[:n]) {
		return fmt.Errorf("sstp: CALL_CONNECTED: %w", ErrBindingCertHash)
	}
	var zeroed [callConnectedLen]byte
	copy(zeroed[:], pkt[:offCompoundMAC])
	if !hmac.Equal(cb.CompoundMAC[:n], compoundMAC(h, hlak, zeroed[:])) {
		return fmt.Errorf("sstp: CALL_CONNECTED: %w", ErrBindingMAC)
	}
	return nil
}

// parseCallConnected checks the message type and its single CRYPTO_BINDING
// attribute (MS-SSTP 2.2.11), so the packet has the fixed 112-byte layout.
func parseCallConnected(pkt []byte) (CryptoBinding, error) {
	c, err := ParseControl(pkt)
	if err != nil {
		return CryptoBinding{}, err
	}
	if c.Type != MsgCallConnected {
		return CryptoBinding{}, fmt.Errorf("sstp: got %s, want CALL_CONNECTED: %w", c.Type, ErrBindingMissing)
	}
	if len(c.Attrs) != 1 || c.Attrs[0].ID != AttrCryptoBinding {
		return CryptoBinding{}, fmt.Errorf("sstp: CALL_CONNECTED with %d attributes, want one CRYPTO_BINDING: %w", len(c.Attrs), ErrBindingMissing)
	}
	// ParseControl checked the attribute length is 104, so this cannot fail
	// and len(pkt) == callConnectedLen.
	return ParseCryptoBinding(c.Attrs[0].Value)
}
