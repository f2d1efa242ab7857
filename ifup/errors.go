package ifup

import (
	"errors"
	"syscall"
)

// ErrNotSupported is returned by every device and routing function on
// systems other than Linux.
var ErrNotSupported = errors.New("ifup: not supported on this OS")

// Parser and encoder errors for netlink messages and arguments.
var (
	errShortMessage = errors.New("netlink message too short")
	errBadLength    = errors.New("netlink length field out of range")
	errShortAttr    = errors.New("netlink attribute too short")
	errBadAddress   = errors.New("invalid address")
	errFamilyMix    = errors.New("gateway and destination are of different families")
	errNoDevice     = errors.New("route needs a gateway or an interface")
	errBadName      = errors.New("invalid interface name")
	errBadNumber    = errors.New("metric, table or MTU out of range")
	errTruncated    = errors.New("netlink reply truncated")
	errNoReply      = errors.New("no answer in netlink reply")
	errBadDNS       = errors.New("invalid nameserver or search domain")
	errNoUplink     = errors.New("no route outside the routes skipped")
)

// OpError is what every ifup operation returns on failure: Op names the
// operation and its arguments ("add route 10.1.0.0/16 dev sstp0"), Err is
// the cause, usually a syscall.Errno from the kernel's netlink ACK.
type OpError struct {
	Op  string
	Err error
	// Msg is the kernel's extended ACK text (NLMSGERR_ATTR_MSG), if any.
	Msg string
}

func (e *OpError) Error() string {
	s := "ifup: " + e.Op + ": " + e.Err.Error()
	if e.Msg != "" {
		s += " (" + e.Msg + ")"
	}
	return s
}

func (e *OpError) Unwrap() error { return e.Err }

// nlError is the decoded NLMSG_ERROR of a failed request.
type nlError struct {
	Errno syscall.Errno
	Msg   string
}

func (e *nlError) Error() string { return e.Errno.Error() }
func (e *nlError) Unwrap() error { return e.Errno }

// opErr wraps err with the operation name, lifting the kernel's extended ACK
// message into the OpError.
func opErr(op string, err error) error {
	if err == nil {
		return nil
	}
	e := &OpError{Op: op, Err: err}
	var ne *nlError
	if errors.As(err, &ne) {
		e.Err, e.Msg = ne.Errno, ne.Msg
	}
	return e
}
