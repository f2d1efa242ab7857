package main

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// rssFileKiB is this process's resident file-backed memory (/proc/self/status).
func rssFileKiB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// After pageOutBinary the test binary's own code and constants are mostly
// out of memory: what runs faults back in, the rest stays out.
func TestPageOutBinary(t *testing.T) {
	before := rssFileKiB(t)
	if before < 2048 {
		t.Skipf("only %d KiB of the binary resident: nothing to measure", before)
	}
	if err := pageOutBinary(); errors.Is(err, unix.EINVAL) {
		t.Skip("kernel without MADV_PAGEOUT (Linux < 5.4)")
	} else if err != nil {
		t.Fatal(err)
	}
	after := rssFileKiB(t)
	t.Logf("RssFile %d KiB -> %d KiB", before, after)
	if after > before/2 {
		t.Errorf("RssFile %d KiB -> %d KiB: MADV_PAGEOUT did not reclaim the binary's pages", before, after)
	}
}
