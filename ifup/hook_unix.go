//go:build unix

package ifup

import (
	"os"
	"syscall"
)

// hookSysProcAttr runs the hook in its own process group so that a timeout
// kills whatever the script started too, not only the shell.
func hookSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killHook kills the hook's whole process group (its pgid is its pid).
func killHook(p *os.Process) {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		p.Kill()
	}
}
