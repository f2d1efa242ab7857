package sstp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"hash"
	"os"
	"testing"
)

// The worked example of MS-SSTP 4.7 "Crypto Binding": the HLAK, the server
// nonce and cert hash, and the CALL_CONNECTED packet a Windows client sent.
var spec47 = []struct {
	name string
	hash uint8
	hlak string
	pkt  string
}{
	{
		name: "SHA-256",
		hash: HashSHA256,
		hlak: `2A 1B B4 0D 55 AB 0F 5E F3 2F 06 F2 B3 CC 73 C4
			8F D3 FA C4 1D 7A 13 15 A1 92 28 D9 02 4C A1 64`,
		pkt: `10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 02
			41 2B 48 9A EB D7 EC C7 D0 89 66 F2 6B E7 CD 72
			B2 31 A0 E9 21 0D 7C 91 B3 08 86 2B 03 44 C4 35
			79 93 EF 31 4C 49 3D AC E9 F0 2D 60 E7 E6 1C 84
			B6 69 0A AF E9 D7 AE EA 92 CB BE 8A D5 99 42 2D
			52 A6 8E FD 8C FF BF 52 77 0B 8F 0F E8 EC 73 71
			65 83 AF 6D 61 1E B6 D1 79 B3 B2 08 40 98 54 49`,
	},
	{
		name: "SHA-1",
		hash: HashSHA1,
		hlak: `4B 31 28 F4 39 25 D9 00 6E EF B1 C4 E8 65 15 A1
			D8 8E 56 BA B3 CA 2B DF 03 73 B7 F5 A8 A1 3B 19`,
		pkt: `10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 01
			0F 1A 2D 58 D4 A3 E3 00 0F AD 3C E4 90 6E 07 B7
			07 AA 9E 44 1C CE AC 5C BD 7B 2C C1 C9 D8 6C DF
			58 26 B6 29 BD A5 9B 8E 6F D8 DC D2 62 2F D3 4C
			53 48 05 A5 00 00 00 00 00 00 00 00 00 00 00 00
			69 91 5D D5 83 D8 06 2F EF 16 F6 1D B2 F0 32 90
			EC 27 CB 6C 00 00 00 00 00 00 00 00 00 00 00 00`,
	},
}

func TestCallConnectedSpecExample(t *testing.T) {
	for _, tc := range spec47 {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.pkt)
			nonce := [32]byte(want[offNonce : offNonce+32])
			certHash := [32]byte(want[offCertHash : offCertHash+32])
			got := AppendCallConnected(nil, tc.hash, nonce, certHash, unhex(t, tc.hlak))
			if !bytes.Equal(got, want) {
				t.Fatalf("MS-SSTP 4.7 CALL_CONNECTED\n got %x\nwant %x", got, want)
			}
			if want[offHashProtocol] != tc.hash {
				t.Fatalf("hash protocol offset wrong")
			}
		})
	}
}

func testCert(t testing.TB) []byte {
	der, err := os.ReadFile("testdata/server-cert.der")
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Our own golden binding: nonce 00..1f, HLAK 40..5f, testdata/server-cert.der.
var bindingGolden = []struct {
	name string
	hash uint8
	pkt  string
}{
	{
		name: "SHA-256",
		hash: HashSHA256,
		pkt: `10010070 00040001 00030068 00000002
			000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
			39eff9f7c8d2d86e59629ca1d8765017fbf25ddb210d4d080edbdf3bd8d3e64f
			dadf1a0c61fbe0703387fed76314dd031c4e432bfee286b9ad74c4eb5fef714e`,
	},
	{
		name: "SHA-1",
		hash: HashSHA1,
		pkt: `10010070 00040001 00030068 00000001
			000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
			ebdf76960c3a2095b9c951b5c9c4abdec227e523 000000000000000000000000
			4e348ba895a3e4b40337738460da856ccc5bd788 000000000000000000000000`,
	},
}

// independentMAC recomputes the Compound MAC step by step from the text of
// MS-SSTP 3.2.5.2.1-3.2.5.2.4, without the package's helpers.
func independentMAC(t *testing.T, newHash func() hash.Hash, hlak, certDER []byte, pkt []byte) (certHash, mac []byte) {
	h := newHash()
	h.Write(certDER)
	certHash = h.Sum(nil)
	// CMK = T1 = HMAC(HLAK, "SSTP inner method derived CMK" | LEN (2 bytes, LE) | 0x01)
	seed := []byte("SSTP inner method derived CMK")
	if len(seed) != 29 {
		t.Fatal("seed length")
	}
	size := newHash().Size()
	seed = append(seed, byte(size), 0x00, 0x01)
	m := hmac.New(newHash, hlak)
	m.Write(seed)
	cmk := m.Sum(nil)
	// Compound MAC = HMAC(CMK, CALL_CONNECTED with the Compound MAC field zeroed).
	zeroed := bytes.Clone(pkt)
	clear(zeroed[80:112])
	m = hmac.New(newHash, cmk)
	m.Write(zeroed)
	return certHash, m.Sum(nil)
}

func TestCallConnectedGolden(t *testing.T) {
	der := testCert(t)
	nonce := [32]byte(seq(0, 32))
	hlak := seq(0x40, 32)
	for _, tc := range bindingGolden {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.pkt)
			got := AppendCallConnected(nil, tc.hash, nonce, CertHash(tc.hash, der), hlak)
			if !bytes.Equal(got, want) {
				t.Fatalf("got  %x\nwant %x", got, want)
			}
			newHash := sha256.New
			if tc.hash == HashSHA1 {
				newHash = sha1.New
			}
			certHash, mac := independentMAC(t, newHash, hlak, der, want)
			n := len(mac)
			if !bytes.Equal(want[48:48+n], certHash) || !bytes.Equal(want[80:80+n], mac) {
				t.Fatalf("independent computation disagrees:\ncert %x\nmac  %x", certHash, mac)
			}
			if !allZero(want[48+n:80]) || !allZero(want[80+n:]) {
				t.Fatal("SHA-1 results not zero-padded")
			}
			if err := VerifyCallConnected(want, hlak, nonce, der, tc.hash); err != nil {
				t.Fatalf("VerifyCallConnected: %v", err)
			}
		})
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func TestVerifyCallConnected(t *testing.T) {
	der := testCert(t)
	nonce := [32]byte(seq(0, 32))
	hlak := seq(0x40, 32)
	good := AppendCallConnected(nil, HashSHA256, nonce, CertHash(HashSHA256, der), hlak)
	goodSHA1 := AppendCallConnected(nil, HashSHA1, nonce, CertHash(HashSHA1, der), hlak)
	flip := func(p []byte, i int) []byte { p = bytes.Clone(p); p[i] ^= 0x01; return p }
	badHLAK := bytes.Clone(hlak)
	badHLAK[31] ^= 0x80
	otherCert := append(bytes.Clone(der), 0)

	tests := []struct {
		name    string
		pkt     []byte
		hlak    []byte
		cert    []byte
		bitmask uint8
		err     error
	}{
		{name: "good SHA-256", pkt: good, bitmask: HashSHA256},
		{name: "good SHA-256, both offered", pkt: good, bitmask: HashSHA1 | HashSHA256},
		{name: "good SHA-1", pkt: goodSHA1, bitmask: HashSHA1 | HashSHA256},
		{name: "nonce flipped", pkt: flip(good, offNonce+7), bitmask: HashSHA256, err: ErrBindingNonce},
		{name: "cert hash flipped", pkt: flip(good, offCertHash+31), bitmask: HashSHA256, err: ErrBindingCertHash},
		{name: "MAC flipped", pkt: flip(good, offCompoundMAC), bitmask: HashSHA256, err: ErrBindingMAC},
		{name: "MAC flipped SHA-1", pkt: flip(goodSHA1, offCompoundMAC+19), bitmask: HashSHA1, err: ErrBindingMAC},
		{name: "SHA-1 MAC padding ignored", pkt: flip(goodSHA1, offCompoundMAC+20), bitmask: HashSHA1},
		{name: "HLAK flipped", pkt: good, hlak: badHLAK, bitmask: HashSHA256, err: ErrBindingMAC},
		{name: "zero HLAK", pkt: good, hlak: make([]byte, 32), bitmask: HashSHA256, err: ErrBindingMAC},
		{name: "HLAK key order swapped", pkt: good, hlak: append(bytes.Clone(hlak[16:]), hlak[:16]...), bitmask: HashSHA256, err: ErrBindingMAC},
		{name: "other certificate", pkt: good, cert: otherCert, bitmask: HashSHA256, err: ErrBindingCertHash},
		{name: "SHA-256 not offered", pkt: good, bitmask: HashSHA1, err: ErrBindingHashProtocol},
		{name: "SHA-1 not offered", pkt: goodSHA1, bitmask: HashSHA256, err: ErrBindingHashProtocol},
		{name: "two hash bits", pkt: setByte(good, offHashProtocol, 3), bitmask: 3, err: ErrBindingHashProtocol},
		{name: "no hash bit", pkt: setByte(good, offHashProtocol, 0), bitmask: 3, err: ErrBindingHashProtocol},
		{name: "unknown hash bit", pkt: setByte(good, offHashProtocol, 4), bitmask: 0xff, err: ErrBindingHashProtocol},
		{name: "not CALL_CONNECTED", pkt: setByte(good, 5, byte(MsgCallAbort)), bitmask: HashSHA256, err: ErrBindingMissing},
		{name: "echo request", pkt: AppendControl(nil, MsgEchoRequest), bitmask: HashSHA256, err: ErrBindingMissing},
		{name: "no attributes", pkt: AppendControl(nil, MsgCallConnected), bitmask: HashSHA256, err: ErrBindingMissing},
		{name: "STATUS_INFO instead", pkt: AppendControl(nil, MsgCallConnected, Attribute{ID: AttrStatusInfo, Value: make([]byte, 8)}), bitmask: HashSHA256, err: ErrBindingMissing},
		{name: "two attributes", pkt: AppendControl(nil, MsgCallConnected, Attribute{ID: AttrCryptoBinding, Value: good[12:]}, Attribute{ID: AttrStatusInfo, Value: make([]byte, 8)}), bitmask: HashSHA256, err: ErrBindingMissing},
		{name: "truncated", pkt: good[:100], bitmask: HashSHA256, err: ErrShortPacket},
		{name: "data packet", pkt: setByte(good, 1, 0), bitmask: HashSHA256, err: ErrNotControl},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, c := hlak, der
			if tc.hlak != nil {
				k = tc.hlak
			}
			if tc.cert != nil {
				c = tc.cert
			}
			err := VerifyCallConnected(tc.pkt, k, nonce, c, tc.bitmask)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

func setByte(p []byte, i int, v byte) []byte {
	p = bytes.Clone(p)
	p[i] = v
	return p
}

func TestChooseHash(t *testing.T) {
	tests := []struct {
		name    string
		bitmask uint8
		want    uint8
		err     error
	}{
		{name: "SHA-256 only (SoftEther, Windows)", bitmask: 0x02, want: HashSHA256},
		{name: "both prefers SHA-256", bitmask: 0x03, want: HashSHA256},
		{name: "SHA-1 only (old Windows)", bitmask: 0x01, want: HashSHA1},
		{name: "reserved bits ignored", bitmask: 0xfd, want: HashSHA1},
		{name: "none", bitmask: 0x00, err: ErrBindingHashProtocol},
		{name: "only unknown bits", bitmask: 0xfc, err: ErrBindingHashProtocol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ChooseHash(tc.bitmask)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("ChooseHash(0x%02x) = %d, %v; want %d, %v", tc.bitmask, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestComputeCMKHLAKLength(t *testing.T) {
	hlak := seq(0x40, 32)
	base := ComputeCMK(HashSHA256, hlak)
	if len(base) != 32 || len(ComputeCMK(HashSHA1, hlak)) != 20 {
		t.Fatal("CMK sizes")
	}
	// MS-SSTP 3.2.5.2.2: a longer HLAK is cut to 32 octets...
	if !bytes.Equal(ComputeCMK(HashSHA256, append(bytes.Clone(hlak), 1, 2, 3)), base) {
		t.Error("HLAK longer than 32 not truncated")
	}
	// ...a shorter one is zero-padded, and no keys means 32 zero octets.
	short := seq(0x40, 16)
	if !bytes.Equal(ComputeCMK(HashSHA1, short), ComputeCMK(HashSHA1, append(bytes.Clone(short), make([]byte, 16)...))) {
		t.Error("short HLAK not zero-padded")
	}
	if !bytes.Equal(ComputeCMK(HashSHA256, nil), ComputeCMK(HashSHA256, make([]byte, 32))) {
		t.Error("nil HLAK differs from 32 zero bytes")
	}
}

func TestCertHashUnknown(t *testing.T) {
	if CertHash(0x04, []byte("x")) != ([32]byte{}) {
		t.Fatal("unknown hash protocol should give zeroes")
	}
}

func TestAppendCallConnectedBadHashPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	AppendCallConnected(nil, 3, [32]byte{}, [32]byte{}, nil)
}

func TestAppendCallConnectedAppends(t *testing.T) {
	der := testCert(t)
	nonce := [32]byte(seq(0, 32))
	p := AppendCallConnected([]byte("abc"), HashSHA256, nonce, CertHash(HashSHA256, der), seq(0x40, 32))
	if string(p[:3]) != "abc" || !bytes.Equal(p[3:], unhex(t, bindingGolden[0].pkt)) {
		t.Fatalf("prefix handling wrong: %x", p)
	}
}
