package dhcp

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseClasslessRoutes reads option 121 or 249 (RFC 3442 section 3): each
// route is the prefix width, then only the significant octets of the
// destination ("the number of significant octets ... is the width of the
// subnet mask divided by eight, rounding up"), then the router's 4 octets.
func ParseClasslessRoutes(v []byte) ([]Route, error) {
	var out []Route
	for len(v) > 0 {
		width := int(v[0])
		if width > 32 {
			return nil, fmt.Errorf("%w: width %d", ErrRoute, width)
		}
		n := (width + 7) / 8
		if len(v) < 1+n+4 {
			return nil, fmt.Errorf("%w: %d bytes left for a /%d", ErrRoute, len(v), width)
		}
		var dst [4]byte
		copy(dst[:], v[1:1+n])
		p := netip.PrefixFrom(netip.AddrFrom4(dst), width).Masked()
		gw := netip.AddrFrom4([4]byte(v[1+n : 5+n]))
		out = append(out, Route{Dst: p, Gateway: gw})
		v = v[5+n:]
	}
	return out, nil
}

// AppendClasslessRoutes appends routes in the option 121 encoding (for
// servers and tests); IPv6 destinations are skipped.
func AppendClasslessRoutes(b []byte, routes []Route) []byte {
	for _, r := range routes {
		if !r.Dst.Addr().Is4() {
			continue
		}
		d := r.Dst.Masked().Addr().As4()
		b = append(b, byte(r.Dst.Bits()))
		b = append(b, d[:(r.Dst.Bits()+7)/8]...)
		gw := netip.IPv4Unspecified()
		if r.Gateway.Is4() {
			gw = r.Gateway
		}
		g := gw.As4()
		b = append(b, g[:]...)
	}
	return b
}

// ParseDomainSearch reads option 119 (RFC 3397 section 2): names in DNS
// encoding (RFC 1035 3.1) back to back, compressed with pointers (RFC 1035
// 4.1.4) that are offsets into the option's joined data. A pointer must go
// back before the name it is part of, so no walk loops.
func ParseDomainSearch(v []byte) ([]string, error) {
	var out []string
	for off := 0; off < len(v); {
		name, next, err := readName(v, off)
		if err != nil {
			return nil, err
		}
		if name != "" {
			out = append(out, name)
		}
		off = next
	}
	return out, nil
}

// readName reads the name at off; next is the offset after it in v (after
// the first pointer, if any).
func readName(v []byte, off int) (name string, next int, err error) {
	var labels []string
	size, next, jumped, limit := 0, -1, false, off
	for pos := off; ; {
		if pos >= len(v) {
			return "", 0, fmt.Errorf("%w: runs past the option at %d", ErrName, pos)
		}
		l := int(v[pos])
		switch {
		case l == 0:
			if !jumped {
				next = pos + 1
			}
			return strings.Join(labels, "."), next, nil
		case l&0xc0 == 0xc0:
			if pos+1 >= len(v) {
				return "", 0, fmt.Errorf("%w: cut pointer at %d", ErrName, pos)
			}
			ptr := (l&0x3f)<<8 | int(v[pos+1])
			// Each pointer must go before where the name (or the last
			// pointer's target) began: the walk cannot loop.
			if ptr >= limit {
				return "", 0, fmt.Errorf("%w: pointer at %d to %d does not go backwards", ErrName, pos, ptr)
			}
			limit = ptr
			if !jumped {
				next, jumped = pos+2, true
			}
			pos = ptr
		case l&0xc0 != 0:
			return "", 0, fmt.Errorf("%w: label type %#x at %d", ErrName, l&0xc0, pos)
		default:
			if pos+1+l > len(v) {
				return "", 0, fmt.Errorf("%w: label runs past the option at %d", ErrName, pos)
			}
			size += l + 1
			if size > 255 {
				return "", 0, fmt.Errorf("%w: longer than 255 bytes", ErrName)
			}
			label := string(v[pos+1 : pos+1+l])
			if !validLabel(label) {
				return "", 0, fmt.Errorf("%w: label %q", ErrName, label)
			}
			labels = append(labels, label)
			pos += 1 + l
		}
	}
}

// AppendDomainSearch appends names in the option 119 encoding, without
// compression (for servers and tests).
func AppendDomainSearch(b []byte, names []string) []byte {
	for _, n := range names {
		for _, l := range strings.Split(strings.TrimSuffix(n, "."), ".") {
			if l == "" {
				continue
			}
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
		b = append(b, 0)
	}
	return b
}
