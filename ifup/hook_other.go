//go:build !unix

package ifup

import (
	"os"
	"syscall"
)

func hookSysProcAttr() *syscall.SysProcAttr { return nil }

func killHook(p *os.Process) { p.Kill() }
