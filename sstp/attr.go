package sstp

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// AttrID is an SSTP attribute ID, MS-SSTP 2.2.4 and 2.2.8.
type AttrID uint8

// Attribute IDs. AttrNoError (0) appears only inside STATUS_INFO (2.2.8).
const (
	AttrNoError                AttrID = 0x00
	AttrEncapsulatedProtocolID AttrID = 0x01
	AttrStatusInfo             AttrID = 0x02
	AttrCryptoBinding          AttrID = 0x03
	AttrCryptoBindingReq       AttrID = 0x04
)

// Hash protocol bits of CRYPTO_BINDING_REQ and CRYPTO_BINDING (MS-SSTP 2.2.6, 2.2.7).
const (
	HashSHA1   = 0x01 // CERT_HASH_PROTOCOL_SHA1
	HashSHA256 = 0x02 // CERT_HASH_PROTOCOL_SHA256
)

// EncapsulatedProtocolPPP is the only ENCAPSULATED_PROTOCOL_ID value (MS-SSTP 2.2.5).
const EncapsulatedProtocolPPP = 0x0001

// Attribute lengths, header included (MS-SSTP 2.2.5-2.2.8).
const (
	attrHeaderLen          = 4
	attrLenEncapsulated    = 6
	attrLenCryptoBindReq   = 40
	attrLenCryptoBinding   = 104
	attrLenStatusInfoMin   = 12
	cryptoBindingReqValLen = attrLenCryptoBindReq - attrHeaderLen
	cryptoBindingValLen    = attrLenCryptoBinding - attrHeaderLen
	statusInfoValMin       = attrLenStatusInfoMin - attrHeaderLen
)

var attrNames = [...]string{
	AttrNoError:                "NO_ERROR",
	AttrEncapsulatedProtocolID: "ENCAPSULATED_PROTOCOL_ID",
	AttrStatusInfo:             "STATUS_INFO",
	AttrCryptoBinding:          "CRYPTO_BINDING",
	AttrCryptoBindingReq:       "CRYPTO_BINDING_REQ",
}

// String returns the MS-SSTP name without its SSTP_ATTRIB_ prefix, or
// "UNKNOWN(0x..)".
func (a AttrID) String() string {
	if int(a) < len(attrNames) {
		return attrNames[a]
	}
	return "UNKNOWN(0x" + hex2(uint64(a)) + ")"
}

// Attribute is one SSTP attribute (MS-SSTP 2.2.4). Value excludes the 4-byte
// attribute header; after parsing it aliases the packet.
type Attribute struct {
	ID    AttrID
	Value []byte
}

// Control is a decoded control packet (MS-SSTP 2.2.2).
type Control struct {
	Type  MessageType
	Attrs []Attribute
}

// ParseControl decodes a whole control packet, header included. pkt must be
// exactly the packet (as ReadPacket returns it). Every length is checked:
// the packet Length against len(pkt), Num Attributes against the attributes
// present, each attribute Length against the bytes left and, for the four
// known attributes, against the length MS-SSTP fixes for it.
//
// An unknown Message Type is not an error here (see ErrUnknownMessage);
// unknown attribute IDs are returned as they are. Attribute values alias pkt.
func ParseControl(pkt []byte) (Control, error) {
	control, n, err := ParseHeader(pkt)
	if err != nil {
		return Control{}, err
	}
	if !control {
		return Control{}, fmt.Errorf("sstp: ParseControl: %w", ErrNotControl)
	}
	if len(pkt) < n {
		return Control{}, fmt.Errorf("sstp: control packet: length field %d, only %d bytes: %w", n, len(pkt), ErrShortPacket)
	}
	if len(pkt) > n {
		return Control{}, fmt.Errorf("sstp: control packet: length field %d, %d bytes given: %w", n, len(pkt), ErrLengthMismatch)
	}
	c := Control{Type: MessageType(binary.BigEndian.Uint16(pkt[4:]))}
	num := int(binary.BigEndian.Uint16(pkt[6:]))
	c.Attrs, err = parseAttrs(c.Type, pkt[controlMinLen:], num)
	return c, err
}

// parseAttrs decodes num attributes that must fill b exactly (MS-SSTP 2.2.4).
func parseAttrs(t MessageType, b []byte, num int) ([]Attribute, error) {
	if num == 0 && len(b) == 0 {
		return nil, nil
	}
	// Each attribute takes at least 4 bytes, which bounds the allocation.
	attrs := make([]Attribute, 0, min(num, len(b)/attrHeaderLen))
	for i := 1; i <= num; i++ {
		if len(b) == 0 {
			return nil, fmt.Errorf("sstp: %s: Num Attributes %d, only %d present: %w", t, num, i-1, ErrAttrCount)
		}
		if len(b) < attrHeaderLen {
			return nil, fmt.Errorf("sstp: attribute %d of %s: %d bytes left, want a %d-byte header: %w", i, t, len(b), attrHeaderLen, ErrAttrLength)
		}
		a, rest, err := parseAttr(b)
		if err != nil {
			return nil, fmt.Errorf("sstp: attribute %d (%s) of %s: %w", i, AttrID(b[1]), t, err)
		}
		attrs = append(attrs, a)
		b = rest
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("sstp: %s: %d bytes after the last of %d attributes: %w", t, len(b), num, ErrAttrCount)
	}
	return attrs, nil
}

// parseAttr decodes the attribute at the start of b, len(b) >= 4 (MS-SSTP
// 2.2.4). The Reserved byte and the 4 R bits are ignored on receipt.
func parseAttr(b []byte) (Attribute, []byte, error) {
	id := AttrID(b[1])
	n := int(binary.BigEndian.Uint16(b[2:]) & lengthMask)
	if n < attrHeaderLen {
		return Attribute{}, nil, fmt.Errorf("length %d, want at least %d: %w", n, attrHeaderLen, ErrAttrLength)
	}
	if n > len(b) {
		return Attribute{}, nil, fmt.Errorf("length %d, only %d bytes left: %w", n, len(b), ErrAttrLength)
	}
	if err := checkAttrLen(id, n); err != nil {
		return Attribute{}, nil, err
	}
	return Attribute{ID: id, Value: b[attrHeaderLen:n]}, b[n:], nil
}

// checkAttrLen enforces the fixed lengths of MS-SSTP 2.2.5-2.2.8.
func checkAttrLen(id AttrID, n int) error {
	want := 0
	switch id {
	case AttrEncapsulatedProtocolID:
		want = attrLenEncapsulated
	case AttrCryptoBindingReq:
		want = attrLenCryptoBindReq
	case AttrCryptoBinding:
		want = attrLenCryptoBinding
	case AttrStatusInfo:
		if n < attrLenStatusInfoMin {
			return fmt.Errorf("length %d, want at least %d: %w", n, attrLenStatusInfoMin, ErrAttrLength)
		}
		return nil
	default:
		return nil
	}
	if n != want {
		return fmt.Errorf("length %d, want %d: %w", n, want, ErrAttrLength)
	}
	return nil
}

// AppendControl appends a control packet of type t with attrs (MS-SSTP
// 2.2.2, 2.2.4), reserved fields zero. It panics if the packet would exceed
// MaxPacketLen: control packets are small and built by this program.
func AppendControl(b []byte, t MessageType, attrs ...Attribute) []byte {
	n := controlMinLen
	for _, a := range attrs {
		n += attrHeaderLen + len(a.Value)
	}
	if n > MaxPacketLen {
		panic("sstp: AppendControl: " + t.String() + " of " + strconv.Itoa(n) + " bytes exceeds MaxPacketLen")
	}
	b = appendControlHeader(b, t, n, len(attrs))
	for _, a := range attrs {
		b = appendAttrHeader(b, a.ID, len(a.Value))
		b = append(b, a.Value...)
	}
	return b
}

// appendControlHeader appends the packet header, Message Type and Num Attributes.
func appendControlHeader(b []byte, t MessageType, length, num int) []byte {
	b = append(b, Version, 1, 0, 0)
	binary.BigEndian.PutUint16(b[len(b)-2:], uint16(length))
	b = binary.BigEndian.AppendUint16(b, uint16(t))
	return binary.BigEndian.AppendUint16(b, uint16(num))
}

// appendAttrHeader appends Reserved, Attribute ID and Length (value + 4).
func appendAttrHeader(b []byte, id AttrID, valueLen int) []byte {
	b = append(b, 0, byte(id))
	return binary.BigEndian.AppendUint16(b, uint16(attrHeaderLen+valueLen))
}

// CryptoBindingRequest is the value of CRYPTO_BINDING_REQ (MS-SSTP 2.2.6),
// sent by the server in CALL_CONNECT_ACK.
type CryptoBindingRequest struct {
	HashBitmask uint8 // HashSHA1 | HashSHA256
	Nonce       [32]byte
}

// ParseCryptoBindingRequest decodes an attribute value (the 36 bytes after
// the attribute header): Reserved1 (3), Hash Protocol Bitmask (1), Nonce (32).
// Reserved bits, in Reserved1 and in the bitmask, are not interpreted; use
// ChooseHash to pick a hash.
func ParseCryptoBindingRequest(v []byte) (CryptoBindingRequest, error) {
	if len(v) != cryptoBindingReqValLen {
		return CryptoBindingRequest{}, fmt.Errorf("sstp: %s value: %d bytes, want %d: %w", AttrCryptoBindingReq, len(v), cryptoBindingReqValLen, ErrAttrLength)
	}
	r := CryptoBindingRequest{HashBitmask: v[3]}
	copy(r.Nonce[:], v[4:])
	return r, nil
}

// Append appends the attribute value (not the attribute header), ready for
// Attribute{ID: AttrCryptoBindingReq, Value: ...}.
func (r CryptoBindingRequest) Append(b []byte) []byte {
	b = append(b, 0, 0, 0, r.HashBitmask)
	return append(b, r.Nonce[:]...)
}

// CryptoBinding is the value of CRYPTO_BINDING (MS-SSTP 2.2.7), sent by the
// client in CALL_CONNECTED. CertHash and CompoundMAC hold SHA-1 results in
// their first 20 bytes, zero-padded.
type CryptoBinding struct {
	HashProtocol uint8
	Nonce        [32]byte
	CertHash     [32]byte
	CompoundMAC  [32]byte
}

// ParseCryptoBinding decodes an attribute value (the 100 bytes after the
// attribute header): Reserved1 (3), Hash Protocol (1), Nonce (32),
// Cert Hash (32), Compound MAC (32). The Hash Protocol is not validated here.
func ParseCryptoBinding(v []byte) (CryptoBinding, error) {
	if len(v) != cryptoBindingValLen {
		return CryptoBinding{}, fmt.Errorf("sstp: %s value: %d bytes, want %d: %w", AttrCryptoBinding, len(v), cryptoBindingValLen, ErrAttrLength)
	}
	c := CryptoBinding{HashProtocol: v[3]}
	copy(c.Nonce[:], v[4:36])
	copy(c.CertHash[:], v[36:68])
	copy(c.CompoundMAC[:], v[68:100])
	return c, nil
}

// Append appends the attribute value (not the attribute header).
func (c CryptoBinding) Append(b []byte) []byte {
	b = append(b, 0, 0, 0, c.HashProtocol)
	b = append(b, c.Nonce[:]...)
	b = append(b, c.CertHash[:]...)
	return append(b, c.CompoundMAC[:]...)
}

// Status is the Status field of STATUS_INFO (MS-SSTP 2.2.8).
type Status uint32

// Status values, MS-SSTP 2.2.8 (ATTRIB_STATUS_*).
const (
	StatusNoError                     Status = 0x00000000
	StatusDuplicateAttribute          Status = 0x00000001
	StatusUnrecognizedAttribute       Status = 0x00000002
	StatusInvalidAttribValueLength    Status = 0x00000003
	StatusValueNotSupported           Status = 0x00000004
	StatusUnacceptedFrameReceived     Status = 0x00000005
	StatusRetryCountExceeded          Status = 0x00000006
	StatusInvalidFrameReceived        Status = 0x00000007
	StatusNegotiationTimeout          Status = 0x00000008
	StatusAttribNotSupportedInMsg     Status = 0x00000009
	StatusRequiredAttributeMissing    Status = 0x0000000a
	StatusStatusInfoNotSupportedInMsg Status = 0x0000000b
)

var statusNames = [...]string{
	StatusNoError:                     "NO_ERROR",
	StatusDuplicateAttribute:          "DUPLICATE_ATTRIBUTE",
	StatusUnrecognizedAttribute:       "UNRECOGNIZED_ATTRIBUTE",
	StatusInvalidAttribValueLength:    "INVALID_ATTRIB_VALUE_LENGTH",
	StatusValueNotSupported:           "VALUE_NOT_SUPPORTED",
	StatusUnacceptedFrameReceived:     "UNACCEPTED_FRAME_RECEIVED",
	StatusRetryCountExceeded:          "RETRY_COUNT_EXCEEDED",
	StatusInvalidFrameReceived:        "INVALID_FRAME_RECEIVED",
	StatusNegotiationTimeout:          "NEGOTIATION_TIMEOUT",
	StatusAttribNotSupportedInMsg:     "ATTRIB_NOT_SUPPORTED_IN_MSG",
	StatusRequiredAttributeMissing:    "REQUIRED_ATTRIBUTE_MISSING",
	StatusStatusInfoNotSupportedInMsg: "STATUS_INFO_NOT_SUPPORTED_IN_MSG",
}

// String returns the MS-SSTP name without its ATTRIB_STATUS_ prefix, or
// "UNKNOWN(0x........)".
func (s Status) String() string {
	if uint64(s) < uint64(len(statusNames)) {
		return statusNames[s]
	}
	v := strconv.FormatUint(uint64(s), 16)
	for len(v) < 8 {
		v = "0" + v
	}
	return "UNKNOWN(0x" + v + ")"
}

// StatusInfo is the value of STATUS_INFO (MS-SSTP 2.2.8): which attribute a
// status is about, the status, and (for a NAK) the offending attribute value.
type StatusInfo struct {
	AttrID AttrID
	Status Status
	Value  []byte // AttribValue; aliases the packet after parsing
}

// ParseStatusInfo decodes an attribute value (the bytes after the attribute
// header): Reserved1 (3), AttribID (1), Status (4), AttribValue (rest).
func ParseStatusInfo(v []byte) (StatusInfo, error) {
	if len(v) < statusInfoValMin {
		return StatusInfo{}, fmt.Errorf("sstp: %s value: %d bytes, want at least %d: %w", AttrStatusInfo, len(v), statusInfoValMin, ErrAttrLength)
	}
	s := StatusInfo{AttrID: AttrID(v[3]), Status: Status(binary.BigEndian.Uint32(v[4:]))}
	if len(v) > statusInfoValMin {
		s.Value = v[statusInfoValMin:]
	}
	return s, nil
}

// Append appends the attribute value (not the attribute header).
func (s StatusInfo) Append(b []byte) []byte {
	b = append(b, 0, 0, 0, byte(s.AttrID))
	b = binary.BigEndian.AppendUint32(b, uint32(s.Status))
	return append(b, s.Value...)
}

// hex2 formats v as at least 2 lowercase hex digits.
func hex2(v uint64) string {
	s := strconv.FormatUint(v, 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}
