package dhcp

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// Ports (RFC 2131 section 4.1).
const (
	ServerPort = 67
	ClientPort = 68
)

// Message types (option 53, RFC 2132 section 9.6).
const (
	TypeAck    = 5
	TypeNak    = 6
	TypeInform = 8
)

// Option codes used here (RFC 2132, RFC 3397, RFC 3442, MS-DHCPE 2.2.8).
const (
	OptSubnetMask     = 1
	OptRouter         = 3
	OptDNS            = 6
	OptDomainName     = 15
	OptOverload       = 52
	OptMessageType    = 53
	OptServerID       = 54
	OptParamRequest   = 55
	OptVendorClass    = 60
	OptClientID       = 61
	OptDomainSearch   = 119
	OptClasslessRoute = 121
	OptMSClassless    = 249
	optPad            = 0
	optEnd            = 255
)

// fixedLen is the BOOTP header before the options (RFC 2131 section 2,
// figure 1): op .. file, then the 4-byte magic cookie (section 3).
const (
	fixedLen  = 236
	cookieLen = 4
)

var magicCookie = [4]byte{99, 130, 83, 99}

// Route is a classless static route (RFC 3442): Gateway 0.0.0.0 means the
// destination is on the link itself.
type Route struct {
	Dst     netip.Prefix
	Gateway netip.Addr
}

func (r Route) String() string {
	if !r.Gateway.IsValid() || r.Gateway.IsUnspecified() {
		return r.Dst.String()
	}
	return r.Dst.String() + " via " + r.Gateway.String()
}

// Ack is the configuration a DHCPACK carries.
type Ack struct {
	XID    uint32
	Server netip.Addr   // option 54; else the IP source, filled in by ParseReply
	Routes []Route      // option 121, or 249 when 121 is absent
	Domain string       // option 15
	Search []string     // option 119
	DNS    []netip.Addr // option 6
	Router []netip.Addr // option 3 (ignored when routes are present, RFC 3442)
}

// Domains is the search list, or the domain name alone when the server sent
// no list; without duplicates.
func (a Ack) Domains() []string {
	var out []string
	for _, d := range append([]string{a.Domain}, a.Search...) {
		d = strings.TrimSuffix(strings.ToLower(d), ".")
		if d == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == d
		}
		if !dup {
			out = append(out, d)
		}
	}
	return out
}

// HWAddr is the client hardware address sstpgo puts in chaddr: PPP has none,
// so a locally administered MAC made from the tunnel address, stable across
// reconnects that keep it (servers key leases and logs on it).
func HWAddr(ciaddr netip.Addr) [6]byte {
	a := ciaddr.As4()
	return [6]byte{0x02, 0x53, a[0], a[1], a[2], a[3]}
}

// AppendInform appends a DHCPINFORM message (the UDP payload) to b. RFC 2131
// section 4.4.3: "The client sets 'ciaddr' to its own IP address" and the
// server answers with a DHCPACK "directly to the address given in 'ciaddr'";
// no address is leased. secs is the time since the first try (RFC 2131
// section 2: "seconds elapsed since client began address acquisition"):
// relay agents such as RRAS's hold back requests below their boot
// threshold (RFC 1542 section 4.1.1; RRAS: 4 s by default). Options: 53, 61
// (client id = hardware type + chaddr), 60 "MSFT 5.0" as Windows sends so
// servers' Windows policies match, and 55 asking for what sstpgo applies.
func AppendInform(b []byte, xid uint32, ciaddr netip.Addr, secs uint16) []byte {
	hw := HWAddr(ciaddr)
	start := len(b)
	b = append(b, make([]byte, fixedLen)...)
	m := b[start:]
	m[0], m[1], m[2] = 1, 1, 6 // BOOTREQUEST, Ethernet, 6-byte address
	binary.BigEndian.PutUint32(m[4:], xid)
	binary.BigEndian.PutUint16(m[8:], secs)
	ca := ciaddr.As4()
	copy(m[12:16], ca[:])
	copy(m[28:34], hw[:])
	b = append(b, magicCookie[:]...)
	b = append(b, OptMessageType, 1, TypeInform)
	b = append(b, OptClientID, 7, 1)
	b = append(b, hw[:]...)
	b = append(b, OptVendorClass, 8)
	b = append(b, "MSFT 5.0"...)
	b = append(b, OptParamRequest, 7, OptSubnetMask, OptRouter, OptDNS, OptDomainName,
		OptDomainSearch, OptClasslessRoute, OptMSClassless)
	return append(b, optEnd)
}

// options holds the values of one message's options, each joined over its
// instances (RFC 3396 section 5); views into the message unless joined.
type options [256][]byte

// parseOptions reads an options area into o. It stops at End; Pad is
// skipped; an option running past the area is an error.
func (o *options) parse(b []byte) error {
	for len(b) > 0 {
		code := b[0]
		if code == optEnd {
			return nil
		}
		if code == optPad {
			b = b[1:]
			continue
		}
		if len(b) < 2 || len(b) < 2+int(b[1]) {
			return fmt.Errorf("%w: option %d", ErrOption, code)
		}
		v := b[2 : 2+int(b[1])]
		if o[code] == nil {
			o[code] = v[:len(v):len(v)]
		} else {
			o[code] = append(o[code], v...) // cap was clipped: copies
		}
		b = b[2+int(b[1]):]
	}
	return nil
}

// parseMessage checks the fixed header and reads all options, including
// those overloaded into 'file' and 'sname' (RFC 2132 section 9.3, in the
// order RFC 3396 section 6 gives).
func parseMessage(m []byte, op byte) (*options, error) {
	if len(m) < fixedLen+cookieLen {
		return nil, fmt.Errorf("%w: %d bytes", ErrShort, len(m))
	}
	if m[0] != op {
		if op == 2 {
			return nil, fmt.Errorf("%w: op %d", ErrNotReply, m[0])
		}
		return nil, fmt.Errorf("%w: op %d", ErrNotInform, m[0])
	}
	if [4]byte(m[fixedLen:]) != magicCookie {
		return nil, ErrCookie
	}
	o := new(options)
	if err := o.parse(m[fixedLen+cookieLen:]); err != nil {
		return nil, err
	}
	if ov := o[OptOverload]; len(ov) == 1 {
		if ov[0]&1 != 0 {
			if err := o.parse(m[108:236]); err != nil {
				return nil, fmt.Errorf("file: %w", err)
			}
		}
		if ov[0]&2 != 0 {
			if err := o.parse(m[44:108]); err != nil {
				return nil, fmt.Errorf("sname: %w", err)
			}
		}
	}
	return o, nil
}

// ParseAck parses a DHCP message (the UDP payload) answering xid. A DHCPNAK
// or any other type is ErrNotAck. Malformed options that sstpgo would apply
// are errors rather than half-applied.
func ParseAck(m []byte, xid uint32) (Ack, error) {
	o, err := parseMessage(m, 2)
	if err != nil {
		return Ack{}, err
	}
	a := Ack{XID: binary.BigEndian.Uint32(m[4:])}
	if a.XID != xid {
		return Ack{}, fmt.Errorf("%w: %#x, sent %#x", ErrXID, a.XID, xid)
	}
	if t := o[OptMessageType]; len(t) != 1 || t[0] != TypeAck {
		return Ack{}, fmt.Errorf("%w: type %v", ErrNotAck, t)
	}
	if v := o[OptServerID]; len(v) == 4 {
		a.Server = netip.AddrFrom4([4]byte(v))
	}
	// RFC 3442 section 3: "If the DHCP server returns both a Classless
	// Static Routes option and a Router option, the DHCP client MUST
	// ignore the Router option."
	rv := o[OptClasslessRoute]
	if rv == nil {
		rv = o[OptMSClassless]
	}
	if rv != nil {
		if a.Routes, err = ParseClasslessRoutes(rv); err != nil {
			return Ack{}, err
		}
	}
	if a.DNS, err = addrs(o[OptDNS], "dns"); err != nil {
		return Ack{}, err
	}
	if a.Routes == nil {
		if a.Router, err = addrs(o[OptRouter], "router"); err != nil {
			return Ack{}, err
		}
	}
	if v := o[OptDomainName]; v != nil {
		// RFC 2132 3.17: the domain name, in ASCII; some servers add a NUL.
		d := strings.TrimRight(string(v), "\x00")
		if !validName(d) {
			return Ack{}, fmt.Errorf("%w: domain name %q", ErrName, d)
		}
		a.Domain = d
	}
	if v := o[OptDomainSearch]; v != nil {
		if a.Search, err = ParseDomainSearch(v); err != nil {
			return Ack{}, err
		}
	}
	return a, nil
}

func addrs(v []byte, what string) ([]netip.Addr, error) {
	if len(v)%4 != 0 {
		return nil, fmt.Errorf("%w: %s option length %d", ErrOption, what, len(v))
	}
	var out []netip.Addr
	for ; len(v) >= 4; v = v[4:] {
		out = append(out, netip.AddrFrom4([4]byte(v)))
	}
	return out, nil
}

// validName accepts host names as resolvers take them: letters, digits,
// '-', '_', dots between non-empty labels of at most 63 bytes, 253 in all.
func validName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !validLabel(l) {
			return false
		}
	}
	return true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
