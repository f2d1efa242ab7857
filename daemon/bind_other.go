//go:build !linux

package daemon

import "syscall"

// bindToDevice does nothing on this OS (the daemon runs on Linux).
func bindToDevice(c syscall.RawConn, dev string) error { return nil }
