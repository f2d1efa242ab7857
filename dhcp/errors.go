package dhcp

import "errors"

// Errors returned by the parsers; each wraps with the field at fault.
var (
	ErrShort     = errors.New("dhcp: message too short")
	ErrNotReply  = errors.New("dhcp: not a BOOTREPLY")
	ErrXID       = errors.New("dhcp: transaction id does not match")
	ErrCookie    = errors.New("dhcp: no magic cookie")
	ErrOption    = errors.New("dhcp: option runs past the end")
	ErrNotAck    = errors.New("dhcp: not a DHCPACK")
	ErrRoute     = errors.New("dhcp: bad classless route")
	ErrName      = errors.New("dhcp: bad domain name")
	ErrNotInform = errors.New("dhcp: not a DHCPINFORM")
)
