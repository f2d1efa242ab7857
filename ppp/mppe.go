package ppp

import "crypto/sha1"

// RFC 3079 section 3.4 constants.
const (
	mppeMagic1 = "This is the MPPE Master Key"
	mppeMagic2 = "On the client side, this is the send key; " +
		"on the server side, it is the receive key."
	mppeMagic3 = "On the client side, this is the receive key; " +
		"on the server side, it is the send key."
)

// SHSpad1 is 40 zero bytes, SHSpad2 is 40 bytes of 0xf2 (RFC 3079 section 3.4).
var (
	shsPad1 = [40]byte{}
	shsPad2 = [40]byte{
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
	}
)

// MPPEMasterKey is GetMasterKey (RFC 3079 section 3.4): the first 16 bytes of
// SHA-1(PasswordHashHash ‖ NT-Response ‖ Magic1).
func MPPEMasterKey(passwordHashHash [16]byte, ntResponse [24]byte) [16]byte {
	h := sha1.New()
	h.Write(passwordHashHash[:])
	h.Write(ntResponse[:])
	h.Write([]byte(mppeMagic1))
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	var out [16]byte
	copy(out[:], sum[:16])
	return out
}

// MPPEAsymmetricStartKey is GetAsymmetricStartKey (RFC 3079 section 3.4): the
// first keyLen bytes of SHA-1(MasterKey ‖ SHSpad1 ‖ Magic ‖ SHSpad2), where
// Magic2 gives the client's send key (= the server's receive key) and Magic3
// the client's receive key (= the server's send key). keyLen is 8 for 40- and
// 56-bit MPPE, 16 for 128-bit; a keyLen outside 1..20 returns nil.
func MPPEAsymmetricStartKey(masterKey [16]byte, keyLen int, isSend, isServer bool) []byte {
	if keyLen < 1 || keyLen > sha1.Size {
		return nil
	}
	var sum [sha1.Size]byte
	mppeStartKey(&sum, masterKey, isSend, isServer)
	return append([]byte(nil), sum[:keyLen]...)
}

func mppeStartKey(sum *[sha1.Size]byte, masterKey [16]byte, isSend, isServer bool) {
	magic := mppeMagic3
	if isSend != isServer { // client send or server receive
		magic = mppeMagic2
	}
	h := sha1.New()
	h.Write(masterKey[:])
	h.Write(shsPad1[:])
	h.Write([]byte(magic))
	h.Write(shsPad2[:])
	h.Sum(sum[:0])
}

// MSCHAPv2HLAK returns MasterSendKey ‖ MasterReceiveKey (16 bytes each, the
// 128-bit RFC 3079 section 3 keys) as seen from one side of the link.
//
// For the client (isServer false) this is exactly the SSTP Client HLAK of
// MS-SSTP section 3.2.5.2.2: ClientSend(Magic2) ‖ ClientReceive(Magic3).
//
// MS-SSTP defines the Server HLAK as MasterReceiveKey ‖ MasterSendKey from the
// server's own view. The server's receive key is the client's send key and
// vice versa, so that order yields the same 32 bytes as the client. Note that
// MSCHAPv2HLAK(…, true) returns the server's keys in send ‖ receive order: a
// server verifying a crypto binding must swap the two halves.
func MSCHAPv2HLAK(password string, ntResponse [24]byte, isServer bool) [32]byte {
	phh := HashNTPasswordHash(NTPasswordHash(password))
	mk := MPPEMasterKey(phh, ntResponse)
	var send, recv [sha1.Size]byte
	mppeStartKey(&send, mk, true, isServer)
	mppeStartKey(&recv, mk, false, isServer)
	var out [32]byte
	copy(out[:16], send[:16])
	copy(out[16:], recv[:16])
	return out
}
