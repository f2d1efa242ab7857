package daemon

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

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

// Once schedulePageOut's delay has passed, the test binary's own code and
// constants are mostly out of memory: what runs faults back in, the rest
// stays out. A zero delay schedules nothing.
func TestSchedulePageOut(t *testing.T) {
	schedulePageOut(0)() // a no-op cancel
	page, err := unix.Mmap(-1, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(page)
	if err := unix.Madvise(page, unix.MADV_PAGEOUT); errors.Is(err, unix.EINVAL) {
		t.Skip("kernel without MADV_PAGEOUT (Linux < 5.4)")
	}
	before := rssFileKiB(t)
	if before < 2048 {
		t.Skipf("only %d KiB of the binary resident: nothing to measure", before)
	}
	cancel := schedulePageOut(20 * time.Millisecond)
	defer cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		after := rssFileKiB(t)
		if after <= before/2 {
			t.Logf("RssFile %d KiB -> %d KiB", before, after)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("RssFile %d KiB -> %d KiB 5 s after a 20 ms page-out: MADV_PAGEOUT did not reclaim the binary's pages", before, after)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
