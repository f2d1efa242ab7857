package daemon

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// pageOutBinary asks the kernel (MADV_PAGEOUT, Linux 5.4+) to reclaim the
// resident pages of sstpgo's own read-only mappings: its code and constant
// data. They are clean file pages, so nothing is written anywhere; the ones
// the data path uses fault straight back in, the rest (x509, TLS handshake,
// CLI, config parsing) stay out until the next connect needs them. Older
// kernels answer EINVAL and nothing changes. The error is the first one met.
func pageOutBinary() error {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return err
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return err
	}
	defer f.Close()
	var first error
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 00400000-00722000 r-xp 00000000 fe:00 9977958   /path/to/sstpgo
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != exe || strings.Contains(fields[1], "w") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT)
		if errno != 0 && first == nil {
			first = errno
		}
	}
	if first == nil {
		first = sc.Err()
	}
	return first
}
