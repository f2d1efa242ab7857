package ppp

// LCP-style packet codes (RFC 1661 section 5). IPCP and IPV6CP use 1-7.
const (
	CodeConfigureRequest = 1
	CodeConfigureAck     = 2
	CodeConfigureNak     = 3
	CodeConfigureReject  = 4
	CodeTerminateRequest = 5
	CodeTerminateAck     = 6
	CodeCodeReject       = 7
	CodeProtocolReject   = 8
	CodeEchoRequest      = 9
	CodeEchoReply        = 10
	CodeDiscardRequest   = 11
	CodeIdentification   = 12 // RFC 1570 section 2.1
	CodeTimeRemaining    = 13 // RFC 1570 section 2.2
)

// PacketHeaderLen is Code, Identifier and Length (RFC 1661 section 5).
const PacketHeaderLen = 4

// Packet is a control packet: Code, Identifier and the Data after the
// 4-byte header. Data aliases the buffer it was parsed from.
type Packet struct {
	Code, ID uint8
	Data     []byte
}

// ParsePacket reads one control packet. The Length field must cover the
// header and fit in b; octets after Length are padding and ignored (RFC 1661
// section 5: "Octets outside the range of the Length field are treated as
// padding"). It does not allocate.
func ParsePacket(b []byte) (Packet, error) {
	if len(b) < PacketHeaderLen {
		return Packet{}, ErrShortPacket
	}
	n := int(b[2])<<8 | int(b[3])
	if n < PacketHeaderLen || n > len(b) {
		return Packet{}, ErrBadLength
	}
	return Packet{Code: b[0], ID: b[1], Data: b[PacketHeaderLen:n]}, nil
}

// AppendPacket appends a packet with the given code, identifier and data.
func AppendPacket(b []byte, code, id uint8, data []byte) []byte {
	n := PacketHeaderLen + len(data)
	b = append(b, code, id, byte(n>>8), byte(n))
	return append(b, data...)
}

// beginPacket appends a header with a zero Length and returns where it
// starts; endPacket back-fills the Length once the data is written.
func beginPacket(b []byte, code, id uint8) ([]byte, int) {
	return append(b, code, id, 0, 0), len(b)
}

func endPacket(b []byte, start int) []byte {
	n := len(b) - start
	b[start+2] = byte(n >> 8)
	b[start+3] = byte(n)
	return b
}

// Option is one Type-Length-Value configuration option (RFC 1661 section 6).
// Value excludes the 2-byte header and aliases the input.
type Option struct {
	Type  uint8
	Value []byte
}

// ParseOption reads the first option of b and returns the rest. An option's
// Length counts its 2-byte header, so it is at least 2 and must fit in b.
func ParseOption(b []byte) (Option, []byte, error) {
	if len(b) < 2 {
		return Option{}, nil, ErrBadOption
	}
	n := int(b[1])
	if n < 2 || n > len(b) {
		return Option{}, nil, ErrBadOption
	}
	return Option{Type: b[0], Value: b[2:n]}, b[n:], nil
}

// ParseOptions reads a whole option list, as found in Configure-Request,
// -Ack, -Nak and -Reject. Values alias b.
func ParseOptions(b []byte) ([]Option, error) {
	var opts []Option
	for len(b) > 0 {
		o, rest, err := ParseOption(b)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
		b = rest
	}
	return opts, nil
}

// validOptions reports whether b is a well-formed option list.
func validOptions(b []byte) bool {
	for len(b) > 0 {
		var err error
		if _, b, err = ParseOption(b); err != nil {
			return false
		}
	}
	return true
}

// AppendOption appends one option. value must be at most 253 bytes.
func AppendOption(b []byte, typ uint8, value []byte) []byte {
	b = append(b, typ, byte(2+len(value)))
	return append(b, value...)
}

// appendOptionRaw appends o exactly as received, header included.
func appendOptionRaw(b []byte, o Option) []byte {
	return AppendOption(b, o.Type, o.Value)
}

// appendOption16 and appendOption32 append options with a fixed-size value.
func appendOption16(b []byte, typ uint8, v uint16) []byte {
	return append(b, typ, 4, byte(v>>8), byte(v))
}

func appendOption32(b []byte, typ uint8, v uint32) []byte {
	return append(b, typ, 6, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
