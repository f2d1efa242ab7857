//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A fatal error reaches the log once, as one line without repeated words
// (issue 11): the daemon used to log "connect failed" and main print the same
// error again, and MS-CHAPv2's reason repeated "authentication failed".
func TestFatalErrorPrintedOnce(t *testing.T) {
	for _, tc := range []struct {
		name, say string
		code      int
		adjust    func(tp *topo, args []string) []string
	}{
		{"wrong password", "wrong user name or password", 3, func(tp *topo, args []string) []string {
			os.WriteFile(filepath.Join(tp.dir, "password"), []byte("wrong\n"), 0o600)
			return args
		}},
		{"certificate for another name", "certificate rejected", 4, func(tp *topo, args []string) []string {
			for i, a := range args {
				if a == sniName {
					args[i] = "other.example.test"
				}
			}
			return args
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTopo(t)
			tp.startServer()
			args := tc.adjust(tp, tp.clientArgs())
			cli := tp.rtr.start("sstpgo", nil, args...)
			if code := cli.wait(30 * time.Second); code != tc.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tc.code, cli.Output())
			}
			// clientArgs logs at debug level, which traces every step on
			// purpose; the levels a user runs at must say it once.
			var lines []string
			for _, l := range strings.Split(cli.Output(), "\n") {
				if !strings.Contains(l, "level=DEBUG") {
					lines = append(lines, l)
				}
			}
			out := strings.Join(lines, "\n")
			if n := strings.Count(out, tc.say); n != 1 {
				t.Errorf("%q printed %d times, want once:\n%s", tc.say, n, out)
			}
			if n := strings.Count(out, "authentication failed"); n > 1 {
				t.Errorf("\"authentication failed\" %d times:\n%s", n, out)
			}
			last := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
			if !strings.HasPrefix(last, "sstpgo: ") || !strings.Contains(last, tc.say) || !strings.Contains(last, "hint:") {
				t.Errorf("last line %q: want the error with its hint", last)
			}
		})
	}
}
