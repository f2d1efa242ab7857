package ppp

import (
	"bytes"
	"testing"
)

// RFC 3079 section 3.5 "Sample Key Derivations" (MS-CHAP-2). The initial
// values are those of RFC 2759 section 9.2 (rfc2759 in mschapv2_test.go).
var rfc3079 = struct {
	PasswordHashHash string
	NTResponse       string
	MasterKey        string // 3.5.1, 3.5.2, 3.5.3 "MasterKey"
	SendStartKey40   string // 3.5.1 "SendStartKey40"
	SendStartKey56   string // 3.5.2 "SendStartKey56"
	SendStartKey128  string // 3.5.3 "SendStartKey128"
}{
	PasswordHashHash: "41C00C584BD2D91C4017A2A12FA59F3F",
	NTResponse:       "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF",
	MasterKey:        "FDECE3717A8C838CB388E527AE3CDD31",
	SendStartKey40:   "8B7CDC149B993A1B",
	SendStartKey56:   "8B7CDC149B993A1B",
	SendStartKey128:  "8B7CDC149B993A1BA118CB153F56DCCB",
}

// clientSendKey128 is not printed in RFC 3079: it is the Magic2 key for the
// same inputs, computed independently (Python hashlib) as a regression value.
const clientSendKey128 = "D5F0E9521E3EA9589645E86051C82226"

func TestRFC3079MasterKey(t *testing.T) {
	v := rfc3079
	phh := vecHex16(t, v.PasswordHashHash)
	mk := MPPEMasterKey(phh, vecHex24(t, v.NTResponse))
	if upperHex(mk[:]) != v.MasterKey {
		t.Errorf("GetMasterKey = %X, want %s", mk, v.MasterKey)
	}
	// The chain from the password must agree with the RFC 2759 values.
	if got := HashNTPasswordHash(NTPasswordHash(rfc2759.Password)); upperHex(got[:]) != v.PasswordHashHash {
		t.Errorf("PasswordHashHash = %X", got)
	}
}

// The RFC samples are computed on the server (IsServer TRUE): the server's
// send key uses Magic3, which makes it the client's receive key.
func TestRFC3079AsymmetricStartKey(t *testing.T) {
	mk := vecHex16(t, rfc3079.MasterKey)
	tests := []struct {
		name             string
		keyLen           int
		isSend, isServer bool
		want             string
	}{
		{"3.5.1 SendStartKey40 (server send)", 8, true, true, rfc3079.SendStartKey40},
		{"3.5.2 SendStartKey56 (server send)", 8, true, true, rfc3079.SendStartKey56},
		{"3.5.3 SendStartKey128 (server send)", 16, true, true, rfc3079.SendStartKey128},
		{"client receive = server send", 16, false, false, rfc3079.SendStartKey128},
		{"client send (Magic2)", 16, true, false, clientSendKey128},
		{"server receive = client send", 16, false, true, clientSendKey128},
		{"40-bit client send is the 128-bit prefix", 8, true, false, clientSendKey128[:16]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MPPEAsymmetricStartKey(mk, tt.keyLen, tt.isSend, tt.isServer)
			if upperHex(got) != tt.want {
				t.Errorf("GetAsymmetricStartKey(len %d, send %v, server %v) = %X, want %s",
					tt.keyLen, tt.isSend, tt.isServer, got, tt.want)
			}
		})
	}
}

func TestMPPEAsymmetricStartKeyLength(t *testing.T) {
	var mk [16]byte
	tests := []struct {
		name    string
		keyLen  int
		wantLen int
	}{
		{"zero", 0, 0},
		{"negative", -1, 0},
		{"whole SHA-1", 20, 20},
		{"beyond SHA-1", 21, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MPPEAsymmetricStartKey(mk, tt.keyLen, true, false); len(got) != tt.wantLen {
				t.Errorf("len = %d, want %d", len(got), tt.wantLen)
			}
		})
	}
}

// MS-SSTP 3.2.5.2.2: Client HLAK = MasterSendKey ‖ MasterReceiveKey and
// Server HLAK = MasterReceiveKey ‖ MasterSendKey, each from its own view.
func TestMSCHAPv2HLAK(t *testing.T) {
	nt := vecHex24(t, rfc2759.NTResponse)
	client := MSCHAPv2HLAK(rfc2759.Password, nt, false)
	want := clientSendKey128 + rfc3079.SendStartKey128
	if upperHex(client[:]) != want {
		t.Fatalf("client HLAK = %X, want %s", client, want)
	}

	server := MSCHAPv2HLAK(rfc2759.Password, nt, true)
	serverSend, serverRecv := server[:16], server[16:]
	if upperHex(serverSend) != rfc3079.SendStartKey128 {
		t.Errorf("server MasterSendKey = %X, want RFC 3079 SendStartKey128", serverSend)
	}
	// What Windows RRAS checks the crypto binding with.
	serverHLAK := append(append([]byte{}, serverRecv...), serverSend...)
	if !bytes.Equal(serverHLAK, client[:]) {
		t.Errorf("server HLAK (recv‖send) %X != client HLAK %X", serverHLAK, client)
	}
	if bytes.Equal(server[:], client[:]) {
		t.Error("server send‖recv equals client HLAK: sides are not distinguished")
	}
}
