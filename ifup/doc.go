// Package ifup configures the Linux network stack for the tunnel: the TUN
// device (songgao/water, IFF_TUN|IFF_NO_PI), addresses, routes and link state
// over rtnetlink written directly on golang.org/x/sys/unix (no ip(8), no
// netlink library), /etc/resolv.conf with an exact restore, and the
// pppd-compatible up/down hook scripts.
//
// Link, address and route functions take the interface by name: link changes
// name it in the request (IFLA_IFNAME), address and route calls resolve its
// index with one RTM_GETLINK first. Every call opens its own netlink
// socket in the network namespace of the calling thread, so they are safe
// for concurrent use. Errors are *OpError values whose message names the
// operation, e.g. "ifup: add route 10.1.0.0/16 dev sstp0: file exists"; the
// kernel errno stays reachable with errors.Is (syscall.EEXIST, ...).
//
// On systems other than Linux every function returns ErrNotSupported, so the
// rest of the module builds and tests anywhere.
package ifup
