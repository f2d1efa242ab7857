//go:build unix

package ifup

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup runs the hook in its own process group so that a timeout
// kills whatever the script started too, not only the shell.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if err == syscall.ESRCH {
			return os.ErrProcessDone
		}
		return err
	}
}
