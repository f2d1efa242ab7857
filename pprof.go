//go:build pprof

package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// A `-tags pprof` build (profiling runs, never a release) writes a CPU
// profile to $SSTPGO_CPUPROFILE and, with every allocation sampled, an
// allocation profile to $SSTPGO_MEMPROFILE, when the process exits.
func init() {
	var stops []func()
	if path := os.Getenv("SSTPGO_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if path := os.Getenv("SSTPGO_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 1
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				panic(err)
			}
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		})
	}
	stopProfile = func() {
		for _, s := range stops {
			s()
		}
	}
}
