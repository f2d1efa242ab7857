package daemon

import (
	"errors"
	"os"
	"syscall"
)

// LocalError is a failure of this machine (the TUN device, addresses,
// routes), as opposed to one of the connection: main exits with "internal
// error" for it and passes every other error on to the connection's exit
// codes. Hint, if set, says what to do about it.
type LocalError struct {
	Err  error
	Hint string
}

func (e *LocalError) Error() string {
	if e.Hint != "" {
		return e.Err.Error() + ": " + e.Hint
	}
	return e.Err.Error()
}

func (e *LocalError) Unwrap() error { return e.Err }

// tunError explains why the TUN device named name could not be opened.
func tunError(name string, err error) error {
	hint := ""
	switch {
	case errors.Is(err, syscall.EBUSY):
		hint = name + " is in use by another sstpgo or another program (stop it, or choose another --ifname)"
	case errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES):
		hint = "creating a TUN device needs root or the CAP_NET_ADMIN capability"
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENODEV):
		hint = "no /dev/net/tun: load the tun module (modprobe tun; OpenWrt: kmod-tun)"
	}
	return &LocalError{Err: err, Hint: hint}
}
