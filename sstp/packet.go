// Package sstp implements MS-SSTP (Secure Socket Tunneling Protocol): the
// packet codec, the crypto binding and the HTTP handshake, and the client
// engine that drives them over TLS.
//
// Decoding returns views into the caller's buffer (valid until the buffer is
// reused); encoding appends to a caller's buffer. All multi-byte fields are
// big-endian (MS-SSTP 2.2).
package sstp

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Packet limits, MS-SSTP 2.2.1.
const (
	Version      = 0x10 // major 1, minor 0
	HeaderLen    = 4    // Version, Reserved|C, R|Length
	MaxPacketLen = 4095 // Length is 12 bits and counts the header

	// controlMinLen: header + Message Type (2) + Num Attributes (2), MS-SSTP 2.2.2.
	controlMinLen = HeaderLen + 4
	lengthMask    = 0x0fff // the 4 R bits above Length are reserved
)

// MessageType is the Message Type of a control packet, MS-SSTP 2.2.2.
type MessageType uint16

// Control message types, MS-SSTP 2.2.2 and 2.2.9-2.2.17.
const (
	MsgCallConnectRequest MessageType = 0x0001
	MsgCallConnectAck     MessageType = 0x0002
	MsgCallConnectNak     MessageType = 0x0003
	MsgCallConnected      MessageType = 0x0004
	MsgCallAbort          MessageType = 0x0005
	MsgCallDisconnect     MessageType = 0x0006
	MsgCallDisconnectAck  MessageType = 0x0007
	MsgEchoRequest        MessageType = 0x0008
	MsgEchoResponse       MessageType = 0x0009
)

var msgNames = [...]string{
	MsgCallConnectRequest: "CALL_CONNECT_REQUEST",
	MsgCallConnectAck:     "CALL_CONNECT_ACK",
	MsgCallConnectNak:     "CALL_CONNECT_NAK",
	MsgCallConnected:      "CALL_CONNECTED",
	MsgCallAbort:          "CALL_ABORT",
	MsgCallDisconnect:     "CALL_DISCONNECT",
	MsgCallDisconnectAck:  "CALL_DISCONNECT_ACK",
	MsgEchoRequest:        "ECHO_REQUEST",
	MsgEchoResponse:       "ECHO_RESPONSE",
}

// Known reports whether t is one of the nine types MS-SSTP 2.2.2 defines.
func (t MessageType) Known() bool {
	return t >= MsgCallConnectRequest && t <= MsgEchoResponse
}

// String returns the MS-SSTP name without its SSTP_MSG_ prefix, or
// "UNKNOWN(0x....)" for a type the spec does not define.
func (t MessageType) String() string {
	if t.Known() {
		return msgNames[t]
	}
	return "UNKNOWN(0x" + hex4(uint64(t)) + ")"
}

// ParseHeader decodes the 4-byte packet header (MS-SSTP 2.2.1). length is the
// whole packet's length including the header. The 7 reserved bits and the 4 R
// bits are ignored on receipt, as 2.2.1 requires. b may hold more than the
// header; only b[:4] is read.
func ParseHeader(b []byte) (control bool, length int, err error) {
	if len(b) < HeaderLen {
		return false, 0, fmt.Errorf("sstp: header: %d bytes, want %d: %w", len(b), HeaderLen, ErrShortPacket)
	}
	if b[0] != Version {
		return false, 0, fmt.Errorf("sstp: header: version 0x%02x, want 0x%02x: %w", b[0], Version, ErrBadVersion)
	}
	control = b[1]&1 == 1
	length = int(binary.BigEndian.Uint16(b[2:]) & lengthMask)
	if length < HeaderLen {
		return control, length, fmt.Errorf("sstp: header: length %d, want at least %d: %w", length, HeaderLen, ErrBadLength)
	}
	if control && length < controlMinLen {
		return control, length, fmt.Errorf("sstp: control header: length %d, want at least %d: %w", length, controlMinLen, ErrBadLength)
	}
	return control, length, nil
}

// PutDataHeader writes the header of a data packet (C=0, MS-SSTP 2.2.3) of
// length bytes, header included, into b[:4]. It panics if length is outside
// [HeaderLen, MaxPacketLen]: the caller sizes its buffers so that cannot happen.
func PutDataHeader(b []byte, length int) {
	if length < HeaderLen || length > MaxPacketLen {
		panic("sstp: PutDataHeader: length " + strconv.Itoa(length) + " out of range")
	}
	_ = b[3]
	b[0] = Version
	b[1] = 0
	binary.BigEndian.PutUint16(b[2:], uint16(length))
}

// putControlHeader writes a control packet header (C=1, MS-SSTP 2.2.2).
func putControlHeader(b []byte, length int) {
	b[0] = Version
	b[1] = 1
	binary.BigEndian.PutUint16(b[2:], uint16(length))
}

// hex4 formats v as at least 4 lowercase hex digits.
func hex4(v uint64) string {
	s := strconv.FormatUint(v, 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
