package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

// udpSend sends a sequence-numbered UDP stream at a fixed rate and keeps the
// number sent in a stats file (rewritten every second): "sent N".
func udpSend(args []string) error {
	fs := flag.NewFlagSet("udp-send", flag.ExitOnError)
	to := fs.String("to", "", "destination HOST:PORT")
	pps := fs.Int("pps", 1000, "packets per second")
	size := fs.Int("size", 1000, "payload bytes (≥ 8)")
	stats := fs.String("stats", "", "file to keep the count in")
	fs.Parse(args)
	if *to == "" || *pps <= 0 || *size < 8 {
		return errors.New("udp-send needs -to, -pps > 0 and -size ≥ 8")
	}
	c, err := net.Dial("udp", *to)
	if err != nil {
		return err
	}
	buf := make([]byte, *size)
	t := time.NewTicker(time.Second / time.Duration(*pps))
	defer t.Stop()
	var seq uint64
	last := time.Now()
	for range t.C {
		seq++
		binary.BigEndian.PutUint64(buf, seq)
		c.Write(buf) // errors (no route while the tunnel is down) count as losses
		if time.Since(last) >= time.Second {
			last = time.Now()
			writeStats(*stats, fmt.Sprintf("sent %d\n", seq))
		}
	}
	return nil
}

// udpRecv counts the stream: received, missing (gaps in the sequence not
// filled later would be lost), and out-of-order packets.
func udpRecv(args []string) error {
	fs := flag.NewFlagSet("udp-recv", flag.ExitOnError)
	listen := fs.String("listen", "", "UDP address to listen on")
	stats := fs.String("stats", "", "file to keep the counts in")
	fs.Parse(args)
	if *listen == "" {
		return errors.New("udp-recv needs -listen")
	}
	pc, err := net.ListenPacket("udp", *listen)
	if err != nil {
		return err
	}
	buf := make([]byte, 65536)
	var received, reordered, highest uint64
	last := time.Now()
	for {
		pc.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err == nil && n >= 8 {
			seq := binary.BigEndian.Uint64(buf)
			received++
			if seq < highest {
				reordered++
			} else {
				highest = seq
			}
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			writeStats(*stats, fmt.Sprintf("received %d highest %d reordered %d\n", received, highest, reordered))
		}
	}
}

func writeStats(path, s string) {
	if path == "" {
		return
	}
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(s), 0o644) == nil {
		os.Rename(tmp, path)
	}
}
