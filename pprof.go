//go:build pprof

package main

import (
	"os"
	"runtime/pprof"
)

// A `-tags pprof` build (scripts/bench.sh's profiling runs, never a release)
// writes a CPU profile to $SSTPGO_CPUPROFILE until the process exits.
func init() {
	path := os.Getenv("SSTPGO_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
}
