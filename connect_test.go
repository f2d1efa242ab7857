package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/sstpgo/sstpgo/daemon"
	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// Issue 11 point 10: with --reconnect=false, the errors a session ends with
// when the server ends the call exit 5 (unreachable or protocol error), as
// the README documents, not 1 (internal error); only failures of this
// machine exit 1. The errors are the ones sstp.Session.Err gives.
func TestSessionEndExitCodes(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"call abort", fmt.Errorf("%w (status 0x1)", sstp.ErrAborted), exitUnreachable},
		{"call disconnect", fmt.Errorf("%w (status 0x1)", sstp.ErrServerDisconnect), exitUnreachable},
		{"lcp terminate", ppp.ErrPeerTerminated, exitUnreachable},
		{"tcp closed", errors.New("server closed the connection"), exitUnreachable},
		{"tcp reset", fmt.Errorf("reading from server: %w", reset), exitUnreachable},
		{"dead peer", sstp.ErrPeerDead, exitUnreachable},
		{"connect failed", &sstp.Error{Step: sstp.StepTCP, Err: reset}, exitUnreachable},
		{"tun busy", &daemon.LocalError{Err: syscall.EBUSY}, exitInternal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := runExitCode(tt.err); got != tt.want {
				t.Errorf("runExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
