package daemon

import (
	"runtime/debug"
	"time"
)

// Memory that only connecting needs is given back in two steps.
//
// At every "tunnel up" freeHeap returns the heap that the TLS handshake,
// certificate checks and PPP negotiation left behind (a forced GC, then the
// freed spans handed to the kernel): real anonymous memory, at the cost of
// one GC per connect.
//
// Once the tunnel has stayed up for --page-out-after (10 minutes), the pages
// of the binary holding code and constants that run once per connect (x509,
// the TLS handshake, urfave/cli, the config parser) are dropped as well
// (pageOutBinary). They are clean file pages, which the kernel would evict
// under memory pressure anyway; dropping them early is what keeps sstpgo's
// resident set at the size of its data path (about 3 MiB instead of 8 on
// amd64). The price is paid on the next reconnect, which reads them back
// from flash (on a squashfs root, decompressing a few MB), so a link that
// drops every few minutes never waits for it: the timer starts over at
// every "tunnel up".
func freeHeap() { debug.FreeOSMemory() }

// schedulePageOut arranges for pageOutBinary after d (0: never); the
// returned func cancels it.
func schedulePageOut(d time.Duration) (cancel func()) {
	if d <= 0 {
		return func() {}
	}
	t := time.AfterFunc(d, func() {
		pageOutBinary() // best effort: nothing to tell the admin either way
	})
	return func() { t.Stop() }
}
