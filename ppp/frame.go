package ppp

// PPP protocol numbers (RFC 1661 section 2, IANA PPP DLL protocol numbers).
const (
	ProtoIPv4   = 0x0021
	ProtoIPv6   = 0x0057
	ProtoLCP    = 0xc021
	ProtoPAP    = 0xc023
	ProtoCHAP   = 0xc223
	ProtoEAP    = 0xc227
	ProtoIPCP   = 0x8021
	ProtoIPV6CP = 0x8057
	ProtoCCP    = 0x80fd
)

// HDLC-like framing bytes (RFC 1662 section 3.1): all-stations address and
// unnumbered-information control. SSTP carries them but no flags or FCS.
const (
	frameAddress = 0xff
	frameControl = 0x03
)

// FrameHeaderLen is the size of the header AppendFrame writes.
const FrameHeaderLen = 4

// AppendFrame appends FF 03 and the 2-byte protocol field to b. We never
// negotiate ACFC or PFC, so the header is always the full 4 bytes.
func AppendFrame(b []byte, proto uint16) []byte {
	return append(b, frameAddress, frameControl, byte(proto>>8), byte(proto))
}

// ParseFrame splits a received PPP frame into protocol and payload. It accepts
// frames with or without the FF 03 header (RFC 1661 section 6.6, ACFC) and a
// 1-byte protocol field (section 6.5, PFC: a first octet with the low bit set
// is the whole field). payload aliases b. It does not allocate.
func ParseFrame(b []byte) (proto uint16, payload []byte, err error) {
	if len(b) >= 2 && b[0] == frameAddress && b[1] == frameControl {
		b = b[2:]
	}
	if len(b) == 0 {
		return 0, nil, ErrShortFrame
	}
	if b[0]&1 == 1 {
		return uint16(b[0]), b[1:], nil
	}
	if len(b) < 2 {
		return 0, nil, ErrShortFrame
	}
	return uint16(b[0])<<8 | uint16(b[1]), b[2:], nil
}
