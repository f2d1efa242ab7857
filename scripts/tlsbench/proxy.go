package main

import (
	"errors"
	"flag"
	"net"
	"time"
)

func delayProxy(args []string) error {
	fs := flag.NewFlagSet("delay-proxy", flag.ExitOnError)
	listen := fs.String("listen", "", "TCP address to listen on")
	upstream := fs.String("upstream", "", "TCP address to forward to")
	delay := fs.Duration("delay", 50*time.Millisecond, "one-way delay added in each direction")
	fs.Parse(args)
	if *listen == "" || *upstream == "" || *delay < 0 {
		return errors.New("delay-proxy needs -listen, -upstream and a delay ≥ 0")
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go relay(c, *upstream, *delay)
	}
}

// relay joins one client connection to a new upstream connection. The
// kernel completed the client's TCP handshake here at once, so the relay
// forwards nothing for one round trip (2×delay) first: the handshake then
// costs the client a round trip as it would on a real path.
func relay(c net.Conn, upstream string, delay time.Duration) {
	time.Sleep(2 * delay)
	u, err := net.Dial("tcp", upstream)
	if err != nil {
		c.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { forward(u, c, delay); done <- struct{}{} }()
	go func() { forward(c, u, delay); done <- struct{}{} }()
	<-done
	<-done
	c.Close()
	u.Close()
}

type chunk struct {
	b  []byte    // nil: the source ended
	at time.Time // when it may be written
}

// forward copies src to dst, each chunk held until delay after it was read;
// the end of src is passed on as a half-close after the same delay.
func forward(dst, src net.Conn, delay time.Duration) {
	q := make(chan chunk, 4096)
	go func() {
		for {
			b := make([]byte, 32<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{b[:n], time.Now().Add(delay)}
			}
			if err != nil {
				q <- chunk{nil, time.Now().Add(delay)}
				close(q)
				return
			}
		}
	}()
	var werr error
	for ch := range q {
		if werr != nil {
			continue // drain, so the reader is not stuck
		}
		time.Sleep(time.Until(ch.at))
		if ch.b == nil {
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			continue
		}
		if _, werr = dst.Write(ch.b); werr != nil {
			src.Close()
		}
	}
}
