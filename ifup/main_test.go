package ifup

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestMain fails the run if goroutines outlive the tests (hook pipe copiers,
// namespace threads, TUN readers).
func TestMain(m *testing.M) {
	base := runtime.NumGoroutine()
	code := m.Run()
	if f := flag.Lookup("test.fuzz"); code == 0 && (f == nil || f.Value.String() == "") {
		for i := 0; runtime.NumGoroutine() > base; i++ {
			if i == 500 { // polled, not timed: goroutines may need a moment to exit
				buf := make([]byte, 1<<16)
				fmt.Fprintf(os.Stderr, "goroutines leaked:\n%s\n", buf[:runtime.Stack(buf, true)])
				code = 1
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(code)
}
