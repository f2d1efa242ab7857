package sstp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// unhex decodes hex with any whitespace in it.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Golden control packets, each checked field by field against MS-SSTP 2.2.
var goldenControl = []struct {
	name    string
	section string
	hex     string
	typ     MessageType
	attrs   []Attribute
}{
	{
		name: "CALL_CONNECT_REQUEST", section: "MS-SSTP 2.2.9, 4.7",
		// 10 | 01 (C=1) | 000e | type 0001 | 1 attr | 00 01 0006 | protocol 0001 (PPP)
		hex:   "10 01 00 0e 00 01 00 01 00 01 00 06 00 01",
		typ:   MsgCallConnectRequest,
		attrs: []Attribute{{ID: AttrEncapsulatedProtocolID, Value: []byte{0x00, 0x01}}},
	},
	{
		name: "CALL_CONNECT_ACK", section: "MS-SSTP 2.2.10, 4.7",
		// 0x30 bytes: header, type 0002, 1 attr, 00 04 0028, 000000 | bitmask 02 | nonce (32)
		hex: `10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 02
			41 2B 48 9A EB D7 EC C7 D0 89 66 F2 6B E7 CD 72
			B2 31 A0 E9 21 0D 7C 91 B3 08 86 2B 03 44 C4 35`,
		typ: MsgCallConnectAck,
	},
	{
		name: "CALL_CONNECT_NAK", section: "MS-SSTP 2.2.12, 2.2.8",
		// STATUS_INFO about ENCAPSULATED_PROTOCOL_ID: VALUE_NOT_SUPPORTED, AttribValue 0002
		hex:   "10 01 00 16 00 03 00 01 00 02 00 0e 00 00 00 01 00 00 00 04 00 02",
		typ:   MsgCallConnectNak,
		attrs: []Attribute{{ID: AttrStatusInfo, Value: []byte{0, 0, 0, 1, 0, 0, 0, 4, 0, 2}}},
	},
	{
		name: "CALL_ABORT without STATUS_INFO", section: "MS-SSTP 2.2.13",
		hex: "10 01 00 08 00 05 00 00",
		typ: MsgCallAbort,
	},
	{
		name: "CALL_ABORT with STATUS_INFO", section: "MS-SSTP 2.2.13, 2.2.8",
		// STATUS_INFO: AttribID CRYPTO_BINDING (03), Status INVALID_FRAME_RECEIVED (7)
		hex:   "10 01 00 14 00 05 00 01 00 02 00 0c 00 00 00 03 00 00 00 07",
		typ:   MsgCallAbort,
		attrs: []Attribute{{ID: AttrStatusInfo, Value: []byte{0, 0, 0, 3, 0, 0, 0, 7}}},
	},
	{
		name: "CALL_DISCONNECT without STATUS_INFO", section: "MS-SSTP 2.2.14",
		hex: "10 01 00 08 00 06 00 00",
		typ: MsgCallDisconnect,
	},
	{
		name: "CALL_DISCONNECT with STATUS_INFO", section: "MS-SSTP 2.2.14, 2.2.8",
		// STATUS_INFO: AttribID NO_ERROR (00), Status NO_ERROR (0)
		hex:   "10 01 00 14 00 06 00 01 00 02 00 0c 00 00 00 00 00 00 00 00",
		typ:   MsgCallDisconnect,
		attrs: []Attribute{{ID: AttrStatusInfo, Value: make([]byte, 8)}},
	},
	{
		name: "CALL_DISCONNECT_ACK", section: "MS-SSTP 2.2.15",
		hex: "10 01 00 08 00 07 00 00",
		typ: MsgCallDisconnectAck,
	},
	{
		name: "ECHO_REQUEST", section: "MS-SSTP 2.2.16",
		hex: "10 01 00 08 00 08 00 00",
		typ: MsgEchoRequest,
	},
	{
		name: "ECHO_RESPONSE", section: "MS-SSTP 2.2.17",
		hex: "10 01 00 08 00 09 00 00",
		typ: MsgEchoResponse,
	},
}

func init() {
	// The ACK's attribute is easier to state as its parsed form.
	for i := range goldenControl {
		if goldenControl[i].typ == MsgCallConnectAck {
			r := CryptoBindingRequest{HashBitmask: HashSHA256}
			copy(r.Nonce[:], mustUnhex("412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435"))
			goldenControl[i].attrs = []Attribute{{ID: AttrCryptoBindingReq, Value: r.Append(nil)}}
		}
	}
}

func mustUnhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestGoldenControl(t *testing.T) {
	for _, tc := range goldenControl {
		t.Run(tc.name, func(t *testing.T) {
			pkt := unhex(t, tc.hex)
			c, err := ParseControl(pkt)
			if err != nil {
				t.Fatalf("%s: ParseControl: %v", tc.section, err)
			}
			if c.Type != tc.typ || len(c.Attrs) != len(tc.attrs) {
				t.Fatalf("%s: got %s with %d attrs, want %s with %d", tc.section, c.Type, len(c.Attrs), tc.typ, len(tc.attrs))
			}
			for i, a := range c.Attrs {
				if a.ID != tc.attrs[i].ID || !bytes.Equal(a.Value, tc.attrs[i].Value) {
					t.Errorf("attr %d: got %s %x, want %s %x", i, a.ID, a.Value, tc.attrs[i].ID, tc.attrs[i].Value)
				}
			}
			if got := AppendControl(nil, tc.typ, tc.attrs...); !bytes.Equal(got, pkt) {
				t.Errorf("%s: AppendControl\n got %x\nwant %x", tc.section, got, pkt)
			}
		})
	}
}

func TestAppendControlAppends(t *testing.T) {
	prefix := []byte("xyz")
	got := AppendControl(prefix, MsgEchoRequest)
	if want := "xyz\x10\x01\x00\x08\x00\x08\x00\x00"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestAppendControlTooLongPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a 4096-byte control packet")
		}
	}()
	AppendControl(nil, MsgCallAbort, Attribute{ID: 9, Value: make([]byte, MaxPacketLen-controlMinLen-attrHeaderLen+1)})
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name    string
		hex     string
		control bool
		length  int
		err     error
	}{
		// MS-SSTP 2.2.3: data packet, C=0.
		{name: "data packet", hex: "10 00 05 dc", length: 1500},
		{name: "data packet max length", hex: "10 00 0f ff", length: 4095},
		{name: "empty data packet", hex: "10 00 00 04", length: 4},
		{name: "control packet", hex: "10 01 00 08", control: true, length: 8},
		// 2.2.1: Reserved and R bits MUST be ignored on receipt.
		{name: "reserved bits ignored", hex: "10 fe f0 10", length: 16},
		{name: "reserved bits ignored control", hex: "10 ff f0 0e", control: true, length: 14},
		{name: "more than header given", hex: "10 00 00 06 ff 03", length: 6},
		{name: "empty", hex: "", err: ErrShortPacket},
		{name: "three bytes", hex: "10 00 00", err: ErrShortPacket},
		{name: "version 1.1", hex: "11 00 00 08", err: ErrBadVersion},
		{name: "version 0", hex: "00 00 00 08", err: ErrBadVersion},
		{name: "HTTP text", hex: "48 54 54 50", err: ErrBadVersion},
		{name: "length 0", hex: "10 00 00 00", err: ErrBadLength},
		{name: "length 3", hex: "10 00 00 03", err: ErrBadLength},
		{name: "length only in R bits", hex: "10 00 f0 00", err: ErrBadLength},
		{name: "control length 7", hex: "10 01 00 07", control: true, length: 7, err: ErrBadLength},
		{name: "control length 4", hex: "10 01 00 04", control: true, length: 4, err: ErrBadLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			control, length, err := ParseHeader(unhex(t, tc.hex))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if control != tc.control || length != tc.length {
				t.Fatalf("got control=%v length=%d, want %v %d", control, length, tc.control, tc.length)
			}
		})
	}
}

func TestPutDataHeader(t *testing.T) {
	b := []byte{0xaa, 0xaa, 0xaa, 0xaa, 0xff}
	PutDataHeader(b, 0x5dc)
	// MS-SSTP 2.2.3: 10 00 LL LL
	if want := unhex(t, "10 00 05 dc ff"); !bytes.Equal(b, want) {
		t.Fatalf("got %x, want %x", b, want)
	}
	control, n, err := ParseHeader(b)
	if err != nil || control || n != 0x5dc {
		t.Fatalf("ParseHeader = %v %d %v", control, n, err)
	}
	for _, bad := range []int{0, 3, 4096, 1 << 16} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("PutDataHeader(%d) did not panic", bad)
				}
			}()
			PutDataHeader(make([]byte, 4), bad)
		}()
	}
}

func TestParseControlMalformed(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		err  error
		msg  string // substring of the error text
	}{
		{name: "truncated header", hex: "10 01 00", err: ErrShortPacket},
		{name: "data packet", hex: "10 00 00 08 00 08 00 00", err: ErrNotControl},
		{name: "wrong version", hex: "20 01 00 08 00 08 00 00", err: ErrBadVersion},
		{name: "length below control minimum", hex: "10 01 00 06 00 08", err: ErrBadLength},
		{name: "length larger than data", hex: "10 01 00 0e 00 01 00 01 00 01 00 06", err: ErrShortPacket, msg: "length field 14, only 12 bytes"},
		{name: "data beyond length", hex: "10 01 00 08 00 08 00 00 00", err: ErrLengthMismatch},
		{name: "num attributes too big", hex: "10 01 00 0e 00 01 00 02 00 01 00 06 00 01", err: ErrAttrCount, msg: "Num Attributes 2, only 1 present"},
		{name: "num attributes 65535 no attrs", hex: "10 01 00 08 00 08 ff ff", err: ErrAttrCount},
		{name: "num attributes too small", hex: "10 01 00 0e 00 01 00 00 00 01 00 06 00 01", err: ErrAttrCount, msg: "6 bytes after the last of 0 attributes"},
		{name: "attribute header truncated", hex: "10 01 00 0b 00 01 00 01 00 01 00", err: ErrAttrLength, msg: "attribute 1 of CALL_CONNECT_REQUEST"},
		{name: "attribute length 0", hex: "10 01 00 0c 00 05 00 01 00 09 00 00", err: ErrAttrLength, msg: "length 0, want at least 4"},
		{name: "attribute length 3", hex: "10 01 00 0c 00 05 00 01 00 09 00 03", err: ErrAttrLength},
		{name: "attribute past packet", hex: "10 01 00 0e 00 01 00 01 00 01 00 07 00 01", err: ErrAttrLength, msg: "length 7, only 6 bytes left"},
		{name: "attribute lengths short of packet", hex: "10 01 00 12 00 05 00 02 00 09 00 05 aa 00 09 00 04 bb", err: ErrAttrCount, msg: "1 bytes after the last of 2 attributes"},
		{name: "attribute lengths overlap", hex: "10 01 00 12 00 05 00 02 00 09 00 06 aa 00 09 00 04 bb", err: ErrAttrLength, msg: "attribute 2 (NO_ERROR) of CALL_ABORT: length 1211, only 4 bytes left"},
		{name: "second attribute past packet", hex: "10 01 00 12 00 05 00 02 00 09 00 05 aa 00 09 00 06 bb", err: ErrAttrLength, msg: "sstp: attribute 2 (UNKNOWN(0x09)) of CALL_ABORT: length 6, only 5 bytes left"},
		{name: "ENCAPSULATED_PROTOCOL_ID length 8", hex: "10 01 00 10 00 01 00 01 00 01 00 08 00 01 00 00", err: ErrAttrLength, msg: "attribute 1 (ENCAPSULATED_PROTOCOL_ID) of CALL_CONNECT_REQUEST: length 8, want 6"},
		{name: "CRYPTO_BINDING_REQ length 30", hex: "10 01 00 26 00 02 00 01 00 04 00 1e" + strings.Repeat("00", 26), err: ErrAttrLength, msg: "sstp: attribute 1 (CRYPTO_BINDING_REQ) of CALL_CONNECT_ACK: length 30, want 40"},
		{name: "CRYPTO_BINDING length 100", hex: "10 01 00 6c 00 04 00 01 00 03 00 64" + strings.Repeat("00", 96), err: ErrAttrLength, msg: "want 104"},
		{name: "STATUS_INFO length 8", hex: "10 01 00 10 00 06 00 01 00 02 00 08 00 00 00 00", err: ErrAttrLength, msg: "want at least 12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkt := unhex(t, tc.hex)
			_, err := ParseControl(pkt)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

// Unknown types and attribute IDs parse; the engine decides (ErrUnknownMessage).
func TestParseControlUnknown(t *testing.T) {
	pkt := unhex(t, "10 01 00 0d 00 2a 00 01 00 77 00 05 99")
	c, err := ParseControl(pkt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != 0x2a || c.Type.Known() || c.Type.String() != "UNKNOWN(0x002a)" {
		t.Errorf("type %d %v %q", c.Type, c.Type.Known(), c.Type)
	}
	if len(c.Attrs) != 1 || c.Attrs[0].ID != 0x77 || c.Attrs[0].ID.String() != "UNKNOWN(0x77)" || !bytes.Equal(c.Attrs[0].Value, []byte{0x99}) {
		t.Errorf("attrs %+v", c.Attrs)
	}
}

// MS-SSTP 2.2.4: the attribute Reserved byte and R bits are ignored on receipt.
func TestParseControlReservedIgnored(t *testing.T) {
	pkt := unhex(t, "10 ff f0 0e 00 01 00 01 ff 01 f0 06 00 01")
	c, err := ParseControl(pkt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != MsgCallConnectRequest || len(c.Attrs) != 1 || c.Attrs[0].ID != AttrEncapsulatedProtocolID {
		t.Fatalf("got %+v", c)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"msg 1", MsgCallConnectRequest.String(), "CALL_CONNECT_REQUEST"},
		{"msg 2", MsgCallConnectAck.String(), "CALL_CONNECT_ACK"},
		{"msg 3", MsgCallConnectNak.String(), "CALL_CONNECT_NAK"},
		{"msg 4", MsgCallConnected.String(), "CALL_CONNECTED"},
		{"msg 5", MsgCallAbort.String(), "CALL_ABORT"},
		{"msg 6", MsgCallDisconnect.String(), "CALL_DISCONNECT"},
		{"msg 7", MsgCallDisconnectAck.String(), "CALL_DISCONNECT_ACK"},
		{"msg 8", MsgEchoRequest.String(), "ECHO_REQUEST"},
		{"msg 9", MsgEchoResponse.String(), "ECHO_RESPONSE"},
		{"msg 0", MessageType(0).String(), "UNKNOWN(0x0000)"},
		{"msg 10", MessageType(10).String(), "UNKNOWN(0x000a)"},
		{"msg ffff", MessageType(0xffff).String(), "UNKNOWN(0xffff)"},
		{"attr 0", AttrNoError.String(), "NO_ERROR"},
		{"attr 1", AttrEncapsulatedProtocolID.String(), "ENCAPSULATED_PROTOCOL_ID"},
		{"attr 2", AttrStatusInfo.String(), "STATUS_INFO"},
		{"attr 3", AttrCryptoBinding.String(), "CRYPTO_BINDING"},
		{"attr 4", AttrCryptoBindingReq.String(), "CRYPTO_BINDING_REQ"},
		{"attr 5", AttrID(5).String(), "UNKNOWN(0x05)"},
		{"status 0", StatusNoError.String(), "NO_ERROR"},
		{"status 1", StatusDuplicateAttribute.String(), "DUPLICATE_ATTRIBUTE"},
		{"status 2", StatusUnrecognizedAttribute.String(), "UNRECOGNIZED_ATTRIBUTE"},
		{"status 3", StatusInvalidAttribValueLength.String(), "INVALID_ATTRIB_VALUE_LENGTH"},
		{"status 4", StatusValueNotSupported.String(), "VALUE_NOT_SUPPORTED"},
		{"status 5", StatusUnacceptedFrameReceived.String(), "UNACCEPTED_FRAME_RECEIVED"},
		{"status 6", StatusRetryCountExceeded.String(), "RETRY_COUNT_EXCEEDED"},
		{"status 7", StatusInvalidFrameReceived.String(), "INVALID_FRAME_RECEIVED"},
		{"status 8", StatusNegotiationTimeout.String(), "NEGOTIATION_TIMEOUT"},
		{"status 9", StatusAttribNotSupportedInMsg.String(), "ATTRIB_NOT_SUPPORTED_IN_MSG"},
		{"status 10", StatusRequiredAttributeMissing.String(), "REQUIRED_ATTRIBUTE_MISSING"},
		{"status 11", StatusStatusInfoNotSupportedInMsg.String(), "STATUS_INFO_NOT_SUPPORTED_IN_MSG"},
		{"status 12", Status(12).String(), "UNKNOWN(0x0000000c)"},
		{"status big", Status(0xdeadbeef).String(), "UNKNOWN(0xdeadbeef)"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// Parsing a data or control header must not allocate (hot path).
func TestParseHeaderNoAlloc(t *testing.T) {
	b := unhex(t, "10 00 05 dc")
	if n := testing.AllocsPerRun(100, func() { ParseHeader(b) }); n != 0 {
		t.Fatalf("ParseHeader allocates %v times", n)
	}
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"10000008", "100105dc", "10010008", "1000000f", "11000008", "100000", "10fef010"} {
		f.Add(mustUnhex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		control, n, err := ParseHeader(b)
		if err != nil {
			return
		}
		if n < HeaderLen || n > MaxPacketLen || (control && n < controlMinLen) {
			t.Fatalf("accepted length %d control %v", n, control)
		}
		if !control {
			var h [4]byte
			PutDataHeader(h[:], n)
			if c2, n2, err := ParseHeader(h[:]); err != nil || c2 || n2 != n {
				t.Fatalf("PutDataHeader round trip: %v %d %v", c2, n2, err)
			}
		}
	})
}

// canonical returns pkt with the reserved bits MS-SSTP 2.2.1/2.2.4 tells the
// receiver to ignore cleared, for a packet ParseControl accepted.
func canonical(pkt []byte) []byte {
	c := bytes.Clone(pkt)
	c[1] = 1
	c[2] &= 0x0f
	for off := controlMinLen; off+attrHeaderLen <= len(c); {
		c[off] = 0
		c[off+2] &= 0x0f
		off += int(c[off+2])<<8 | int(c[off+3])
	}
	return c
}

func FuzzParseControl(f *testing.F) {
	for _, g := range goldenControl {
		f.Add(mustUnhex(strings.Join(strings.Fields(g.hex), "")))
	}
	f.Add(mustUnhex("10fff00e00010001ff01f0060001"))
	f.Add(mustUnhex("1001000d002a00010077000599"))
	f.Add(mustUnhex("1001001200050002000900050000090004bb"))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		c, err := ParseControl(pkt)
		if err != nil {
			return
		}
		out := AppendControl(nil, c.Type, c.Attrs...)
		if want := canonical(pkt); !bytes.Equal(out, want) {
			t.Fatalf("re-encoding differs\n got %x\nwant %x", out, want)
		}
		c2, err := ParseControl(out)
		if err != nil || c2.Type != c.Type || len(c2.Attrs) != len(c.Attrs) {
			t.Fatalf("re-parse: %+v %v", c2, err)
		}
	})
}

func BenchmarkPutDataHeader(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 1500)
	for i := 0; b.Loop(); i++ {
		PutDataHeader(buf, 4+i&1023)
	}
}
