package sstp_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// pipeListener is a net.Listener over net.Pipe: in a synctest bubble the
// client and the test server then run in fake time, so a test of a 45 s
// authentication or a 30 s dead-peer timer takes milliseconds.
type pipeListener struct {
	wrap      func(net.Conn) net.Conn // if set, wraps the server's end
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial is a Config.DialContext that connects to the listener.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c, s := net.Pipe()
	if l.wrap != nil {
		s = l.wrap(s)
	}
	select {
	case l.conns <- s:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "127.0.0.1:443" }

// pipeServer starts a test server on a pipeListener, inside the caller's
// synctest bubble, and returns it with a client configuration for it.
func pipeServer(t *testing.T, opts sstptest.Options) (*sstptest.Server, sstp.Config) {
	t.Helper()
	return pipeServerWrap(t, opts, nil)
}

// pipeServerWrap is pipeServer with the server's end of each connection wrapped.
func pipeServerWrap(t *testing.T, opts sstptest.Options, wrap func(net.Conn) net.Conn) (*sstptest.Server, sstp.Config) {
	t.Helper()
	l := newPipeListener()
	l.wrap = wrap
	srv := sstptest.NewUnstartedServer(opts)
	srv.StartListener(l)
	t.Cleanup(srv.Close)
	return srv, sstp.Config{
		Server:      "127.0.0.1:443",
		SNI:         "localhost",
		RootCAs:     srv.CertPool(),
		DialContext: l.dial,
		PPP:         ppp.Config{Username: "user", Password: "pass"},
	}
}
