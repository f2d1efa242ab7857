//go:build !unix

package ifup

import "os/exec"

func setProcessGroup(cmd *exec.Cmd) {}
