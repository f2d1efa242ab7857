package sstp

import (
	"bytes"
	"errors"
	"testing"
)

func seq(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func TestCryptoBindingRequest(t *testing.T) {
	// MS-SSTP 2.2.6: Reserved1 (3) | Hash Protocol Bitmask (1) | Nonce (32).
	v := append([]byte{0, 0, 0, 0x03}, seq(0, 32)...)
	tests := []struct {
		name string
		v    []byte
		want CryptoBindingRequest
		err  error
	}{
		{name: "both hashes", v: v, want: CryptoBindingRequest{HashBitmask: 3, Nonce: [32]byte(seq(0, 32))}},
		{name: "reserved ignored", v: append([]byte{0xff, 0xff, 0xff, 0x02}, seq(0, 32)...), want: CryptoBindingRequest{HashBitmask: 2, Nonce: [32]byte(seq(0, 32))}},
		{name: "empty", v: nil, err: ErrAttrLength},
		{name: "35 bytes", v: v[:35], err: ErrAttrLength},
		{name: "37 bytes", v: append(bytes.Clone(v), 0), err: ErrAttrLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCryptoBindingRequest(tc.v)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := (CryptoBindingRequest{HashBitmask: 3, Nonce: [32]byte(seq(0, 32))}).Append([]byte{9}); !bytes.Equal(got, append([]byte{9}, v...)) {
		t.Fatalf("Append = %x", got)
	}
}

func TestCryptoBinding(t *testing.T) {
	// MS-SSTP 2.2.7: Reserved1 (3) | Hash Protocol (1) | Nonce | Cert Hash | Compound MAC.
	v := append([]byte{0, 0, 0, HashSHA1}, seq(0, 96)...)
	want := CryptoBinding{HashProtocol: HashSHA1, Nonce: [32]byte(seq(0, 32)), CertHash: [32]byte(seq(32, 32)), CompoundMAC: [32]byte(seq(64, 32))}
	tests := []struct {
		name string
		v    []byte
		want CryptoBinding
		err  error
	}{
		{name: "fields", v: v, want: want},
		{name: "99 bytes", v: v[:99], err: ErrAttrLength},
		{name: "101 bytes", v: append(bytes.Clone(v), 0), err: ErrAttrLength},
		{name: "CRYPTO_BINDING_REQ value", v: v[:36], err: ErrAttrLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCryptoBinding(tc.v)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := want.Append(nil); !bytes.Equal(got, v) {
		t.Fatalf("Append = %x", got)
	}
}

func TestStatusInfo(t *testing.T) {
	tests := []struct {
		name string
		v    []byte
		want StatusInfo
		err  error
	}{
		// MS-SSTP 2.2.8: Reserved1 (3) | AttribID (1) | Status (4) | AttribValue.
		{name: "no value", v: []byte{0, 0, 0, 3, 0, 0, 0, 7}, want: StatusInfo{AttrID: AttrCryptoBinding, Status: StatusInvalidFrameReceived}},
		{name: "with value", v: []byte{0, 0, 0, 1, 0, 0, 0, 4, 0, 2}, want: StatusInfo{AttrID: AttrEncapsulatedProtocolID, Status: StatusValueNotSupported, Value: []byte{0, 2}}},
		{name: "unknown status", v: []byte{0xff, 0, 0, 0, 0x12, 0x34, 0x56, 0x78}, want: StatusInfo{Status: 0x12345678}},
		{name: "7 bytes", v: []byte{0, 0, 0, 3, 0, 0, 0}, err: ErrAttrLength},
		{name: "empty", v: nil, err: ErrAttrLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseStatusInfo(tc.v)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got.AttrID != tc.want.AttrID || got.Status != tc.want.Status || !bytes.Equal(got.Value, tc.want.Value) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if tc.err == nil && tc.v[0] == 0 && !bytes.Equal(got.Append(nil), tc.v) {
				t.Fatalf("Append = %x, want %x", got.Append(nil), tc.v)
			}
		})
	}
}

func FuzzParseCryptoBindingRequest(f *testing.F) {
	f.Add(append([]byte{0, 0, 0, 2}, seq(0, 32)...))
	f.Add([]byte{0, 0, 0, 3})
	f.Fuzz(func(t *testing.T, v []byte) {
		r, err := ParseCryptoBindingRequest(v)
		if err != nil {
			return
		}
		if got := r.Append(nil); !bytes.Equal(got[3:], v[3:]) || len(got) != len(v) {
			t.Fatalf("round trip %x -> %x", v, got)
		}
	})
}

func FuzzParseCryptoBinding(f *testing.F) {
	f.Add(append([]byte{0, 0, 0, 2}, seq(0, 96)...))
	f.Add(append([]byte{0, 0, 0, 1}, seq(0, 95)...))
	f.Fuzz(func(t *testing.T, v []byte) {
		c, err := ParseCryptoBinding(v)
		if err != nil {
			return
		}
		if got := c.Append(nil); !bytes.Equal(got[3:], v[3:]) || len(got) != len(v) {
			t.Fatalf("round trip %x -> %x", v, got)
		}
	})
}

func FuzzParseStatusInfo(f *testing.F) {
	f.Add([]byte{0, 0, 0, 3, 0, 0, 0, 7})
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 4, 0, 2})
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, v []byte) {
		s, err := ParseStatusInfo(v)
		if err != nil {
			return
		}
		_ = s.Status.String() + s.AttrID.String()
		if got := s.Append(nil); !bytes.Equal(got[3:], v[3:]) || len(got) != len(v) {
			t.Fatalf("round trip %x -> %x", v, got)
		}
	})
}
