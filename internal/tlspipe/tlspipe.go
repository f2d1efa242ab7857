// Package tlspipe runs a crypto/tls handshake inside a sans-IO state machine.
//
// crypto/tls needs a net.Conn and blocks in Read. A Conn is an in-memory
// net.Conn whose Read is fed by Feed and whose Write is collected for Take;
// the handshake runs in a goroutine that only ever works while its owner is
// inside Run or Feed: both return once the handshake has consumed all input
// and blocks for more, or has returned. So the owner stays single-threaded
// and deterministic (EAP-TLS, RFC 5216, carries the TLS records in EAP
// packets that the owner sends and receives itself).
package tlspipe

import (
	"errors"
	"net"
	"sync"
	"time"
)

// ErrAborted is what a handshake's Read returns after Abort or Close.
var ErrAborted = errors.New("tlspipe: aborted")

// Conn is the in-memory connection. Its methods are safe for concurrent use,
// but Run, Feed and Abort are meant for one owner goroutine.
type Conn struct {
	mu      sync.Mutex
	cond    sync.Cond
	in, out []byte
	waiting bool // the handshake blocks in Read with no input left
	closed  bool
	started bool
	done    bool  // the handshake function returned
	err     error // and what it returned
}

// New returns an idle Conn.
func New() *Conn {
	c := &Conn{}
	c.cond.L = &c.mu
	return c
}

// Run starts fn (typically a tls.Conn's Handshake over c) in a goroutine and
// returns when it waits for input or has returned. Run works once.
func (c *Conn) Run(fn func() error) {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return
	}
	c.started = true
	c.mu.Unlock()
	go func() {
		err := fn()
		c.mu.Lock()
		c.done, c.err = true, err
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
	c.mu.Lock()
	c.settleLocked()
	c.mu.Unlock()
}

// settleLocked waits until the handshake needs input or has returned.
func (c *Conn) settleLocked() {
	for !c.done && !(c.waiting && len(c.in) == 0) {
		c.cond.Wait()
	}
}

// Feed hands b to the handshake and returns when it has consumed all of it
// and waits for more, or has returned. b is copied.
func (c *Conn) Feed(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done || c.closed || !c.started {
		return
	}
	c.in = append(c.in, b...)
	c.cond.Broadcast()
	c.settleLocked()
}

// Take returns what the handshake wrote since the last Take; the caller
// owns it.
func (c *Conn) Take() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.out
	c.out = nil
	return out
}

// Result reports whether the handshake function returned, and its error.
func (c *Conn) Result() (done bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done, c.err
}

// Abort fails the handshake's pending Read with ErrAborted and waits until
// the handshake function has returned (at once: between calls it only ever
// blocks in Read). Idempotent.
func (c *Conn) Abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.cond.Broadcast()
	for c.started && !c.done {
		c.cond.Wait()
	}
}

// Read blocks until Feed supplies data or the Conn is closed.
func (c *Conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.in) == 0 && !c.closed {
		c.waiting = true
		c.cond.Broadcast()
		c.cond.Wait()
	}
	c.waiting = false
	if len(c.in) == 0 {
		return 0, ErrAborted
	}
	n := copy(p, c.in)
	c.in = c.in[n:]
	if len(c.in) == 0 {
		c.in = nil
	}
	return n, nil
}

// Write collects p for Take; it never blocks.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, ErrAborted
	}
	c.out = append(c.out, p...)
	return len(p), nil
}

// Close makes pending and later Reads and Writes fail; it does not wait
// (it may be called from the handshake goroutine itself).
func (c *Conn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.cond.Broadcast()
	c.mu.Unlock()
	return nil
}

type addr struct{}

func (addr) Network() string { return "tlspipe" }
func (addr) String() string  { return "tlspipe" }

func (c *Conn) LocalAddr() net.Addr              { return addr{} }
func (c *Conn) RemoteAddr() net.Addr             { return addr{} }
func (c *Conn) SetDeadline(time.Time) error      { return nil }
func (c *Conn) SetReadDeadline(time.Time) error  { return nil }
func (c *Conn) SetWriteDeadline(time.Time) error { return nil }
