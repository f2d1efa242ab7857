package daemon

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
)

// The TUN errors people meet say what to do; every one is a LocalError
// (exit 1), whatever the cause.
func TestTUNErrorHints(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"busy", os.NewSyscallError("ioctl", syscall.EBUSY), "sstp0 is in use by another sstpgo or another program"},
		{"not root", os.NewSyscallError("ioctl", syscall.EPERM), "needs root or the CAP_NET_ADMIN capability"},
		{"no access", &os.PathError{Op: "open", Path: "/dev/net/tun", Err: syscall.EACCES}, "needs root or the CAP_NET_ADMIN capability"},
		{"no module", &os.PathError{Op: "open", Path: "/dev/net/tun", Err: syscall.ENOENT}, "load the tun module"},
		{"other", os.NewSyscallError("ioctl", syscall.EINVAL), "invalid argument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tunError("sstp0", tt.err)
			if !strings.Contains(err.Error(), tt.want) || !errors.As(err, new(*LocalError)) || !errors.Is(err, tt.err) {
				t.Errorf("tunError = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
