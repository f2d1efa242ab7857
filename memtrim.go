package main

import "runtime/debug"

// trimMemory gives back, once a tunnel is up, the memory that only
// connecting needed: the heap the TLS handshake, certificate checks and
// PPP negotiation left behind (a forced GC, then the freed spans returned to
// the kernel), and the pages of the binary holding code that runs once per
// connect (pageOutBinary). On a router with 64 MB of RAM this is what keeps
// sstpgo's resident set at the size of its data path, not of its start-up;
// the pages come back from flash on the next reconnect.
func trimMemory() {
	debug.FreeOSMemory()
	pageOutBinary() // best effort: nothing to tell the admin either way
}
