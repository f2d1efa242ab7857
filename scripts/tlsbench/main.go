// Command tlsbench measures what a raw TLS stream achieves on a link, as the
// yardstick for the tunnel's goodput, and adds delay to a TCP path:
//
//	tlsbench server -listen ADDR
//	tlsbench client -connect ADDR [-duration 5s] [-size 16384]
//	tlsbench delay-proxy -listen ADDR -upstream ADDR -delay 50ms
//	tlsbench udp-send -to ADDR [-pps 1000] [-size 1000] -stats FILE
//	tlsbench udp-recv -listen ADDR -stats FILE
//
// The client writes for -duration over TLS 1.3 with Go's default cipher
// preference (the one sstpgo's own handshake makes), then half-closes; the
// server counts what arrived until EOF and sends back one line, which the
// client prints: "bytes seconds MB/s cipher client-CPU-seconds" (user+system
// time of the client process, for CPU per MB next to sstpgo's).
//
// delay-proxy forwards every TCP connection to -upstream and holds each chunk
// for -delay in each direction (a fixed one-way delay, RTT = 2×delay), and
// holds a new connection for one RTT before forwarding, standing in for the
// TCP handshake; kernel netem is not needed. It changes nothing else.
//
// udp-send and udp-recv are a sequence-numbered UDP stream for
// scripts/soak.sh: the sender counts what it sent, the receiver what arrived
// (and out of order); the difference is what was lost.
//
// It is a test tool for scripts/bench.sh, not part of the router binary.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = server(os.Args[2:])
	case "client":
		err = client(os.Args[2:])
	case "delay-proxy":
		err = delayProxy(os.Args[2:])
	case "udp-send":
		err = udpSend(os.Args[2:])
	case "udp-recv":
		err = udpRecv(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: tlsbench server|client|delay-proxy|udp-send|udp-recv [flags] (-h for flags)")
	os.Exit(2)
}

func server(args []string) error {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	listen := fs.String("listen", ":4433", "TCP address to listen on")
	fs.Parse(args)
	cert, err := selfSigned()
	if err != nil {
		return err
	}
	l, err := tls.Listen("tcp", *listen, &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return err
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go sink(c.(*tls.Conn))
	}
}

// sink counts the bytes until EOF and answers with the rate.
func sink(c *tls.Conn) {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return
	}
	buf := make([]byte, 64<<10)
	n, err := c.Read(buf) // the clock starts at the first byte, not at accept
	start := time.Now()
	total := int64(n)
	for err == nil {
		n, err = c.Read(buf)
		total += int64(n)
	}
	if !errors.Is(err, io.EOF) {
		return
	}
	sec := time.Since(start).Seconds()
	cs := tls.CipherSuiteName(c.ConnectionState().CipherSuite)
	fmt.Fprintf(c, "%d %.3f %.1f %s\n", total, sec, float64(total)/sec/1e6, cs)
}

func client(args []string) error {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	addr := fs.String("connect", "", "server address HOST:PORT")
	dur := fs.Duration("duration", 5*time.Second, "how long to send")
	size := fs.Int("size", 16384, "bytes per write (16384 = one full TLS record)")
	fs.Parse(args)
	if *addr == "" || *size <= 0 {
		return errors.New("client needs -connect HOST:PORT and a positive -size")
	}
	c, err := tls.Dial("tcp", *addr, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, *size)
	for end := time.Now().Add(*dur); time.Now().Before(end); {
		if _, err := c.Write(buf); err != nil {
			return err
		}
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("no result from the server: %w", err)
	}
	fmt.Printf("%s %.3f\n", strings.TrimSpace(line), cpuSeconds())
	return nil
}

// cpuSeconds is this process's user+system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlsbench"},
		DNSNames:  []string{"tlsbench"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
