//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C at any point of the demo leaves nothing behind: no namespaces, no
// process of the demo, no temporary directory (it holds the demo's key and
// password). The demo runs as from a terminal, in its own process group, and
// SIGINT goes to the whole group as the terminal sends it.
func TestDemoInterruptCleansUp(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if testing.Short() {
		t.Skip("runs the demo several times")
	}
	script, err := filepath.Abs("../scripts/demo.sh")
	if err != nil {
		t.Fatal(err)
	}
	// The binaries test.sh built: the demo must not rebuild them under the
	// other e2e packages running them.
	bin(t, "sstpgo")
	bin(t, "sstptest-server")
	// Interrupt when the demo prints the header of this step (after the
	// delay), i.e. while the previous step's processes run or this one starts.
	for i, at := range []struct {
		header string
		delay  time.Duration
	}{
		{"topology", 0},
		{"topology", 150 * time.Millisecond},       // inside topology.sh up
		{"corporate side", 300 * time.Millisecond}, // LAN steps: DNS servers, samba starting
		{"SSTP server", 100 * time.Millisecond},
		{"router: sstpgo connect", 100 * time.Millisecond},
		{"LAN host pings", 300 * time.Millisecond},
		{"LAN host copies", 100 * time.Millisecond},      // during the SMB copy
		{"LAN host sends data", 1500 * time.Millisecond}, // during iperf3
		{"the tunnel device", 0},
	} {
		t.Run(fmt.Sprintf("%d-%s+%s", i, strings.Fields(at.header)[0], at.delay), func(t *testing.T) {
			prefix := fmt.Sprintf("sgd%d%d", os.Getpid()%10000, i)
			tmp := t.TempDir()
			cmd := exec.Command(script)
			cmd.Env = append(os.Environ(), "DEMO_PREFIX="+prefix, "TMPDIR="+tmp, "DEMO_NO_BUILD=1")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			cmd.Stderr = &log
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pgid := cmd.Process.Pid
			t.Cleanup(func() { // whatever the outcome, leave the machine clean
				syscall.Kill(-pgid, syscall.SIGKILL)
				exec.Command("../scripts/topology.sh", "down", prefix).Run()
			})
			sent := false
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				log.WriteString(line + "\n")
				if !sent && strings.HasPrefix(strings.TrimLeft(line, "\x1b[1m"), "== "+at.header) {
					time.Sleep(at.delay)
					syscall.Kill(-pgid, syscall.SIGINT)
					sent = true
				}
			}
			err = cmd.Wait()
			if !sent {
				t.Fatalf("never saw %q; demo ended with %v:\n%s", at.header, err, log.String())
			}
			if err == nil {
				t.Errorf("demo exited 0 after SIGINT")
			}
			// Nothing left: namespaces, processes of the group, files.
			nss, _ := exec.Command("ip", "netns", "list").Output()
			for _, l := range strings.Split(string(nss), "\n") {
				if strings.HasPrefix(l, prefix+"-") {
					t.Errorf("namespace left: %s", l)
				}
			}
			if pids, _ := exec.Command("pgrep", "-g", fmt.Sprint(pgid)).Output(); len(pids) > 0 {
				ps, _ := exec.Command("ps", "-o", "pid,stat,args", "-g", fmt.Sprint(pgid)).Output()
				t.Errorf("processes of the demo left after it exited:\n%s", ps)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
				t.Errorf("left in TMPDIR: %v", ents)
			}
			if _, err := os.Stat("/etc/netns/" + prefix + "-lan"); err == nil {
				t.Errorf("/etc/netns/%s-lan left (the LAN host's resolv.conf)", prefix)
			}
			if t.Failed() {
				t.Logf("demo output:\n%s", log.String())
			}
		})
	}
}
