// Package leakcheck fails a test binary whose goroutines outlive its tests.
package leakcheck

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// Main runs the tests, then waits (polling, up to about 5 s) for the
// goroutine count to fall back to where it was before them; if it does not,
// it prints every stack and exits 1. Use it as TestMain's body. Fuzzing runs
// are exempt: the fuzz engine keeps workers alive.
func Main(m *testing.M) {
	base := runtime.NumGoroutine()
	code := m.Run()
	if f := flag.Lookup("test.fuzz"); code == 0 && (f == nil || f.Value.String() == "") {
		code = wait(base)
	}
	os.Exit(code)
}

func wait(base int) int {
	for i := 0; runtime.NumGoroutine() > base; i++ {
		if i == 500 {
			buf := make([]byte, 1<<20)
			fmt.Fprintf(os.Stderr, "leakcheck: %d goroutines outlived the tests:\n%s\n",
				runtime.NumGoroutine()-base, buf[:runtime.Stack(buf, true)])
			return 1
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0
}
