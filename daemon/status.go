package daemon

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sstpgo/sstpgo/ifup"
	"github.com/sstpgo/sstpgo/sstp"
)

// status is what --status-file and SIGUSR1 report.
type status struct {
	State      string
	Server     string
	Since      time.Time
	LastError  string
	Reconnects int
	// RejectedCert: SHA-256 of the certificate the last error refused; the
	// netifd handler passes it with CERT_FAILED (openwrt/files/lib/netifd)
	RejectedCert string
}

func (d *Daemon) setState(state string, err error) {
	d.mu.Lock()
	if d.status.State != state {
		d.status.Since = time.Now()
	}
	d.status.State = state
	if err != nil {
		d.status.LastError = describe(err)
		d.status.RejectedCert = sstp.RejectedCertificate(err)
	}
	js := d.statusJSON()
	d.mu.Unlock()
	d.writeStatus(js)
	d.notify(state, err) // systemd (notify.go)
}

// statusEvery is how often the status file is rewritten while the tunnel is
// up, so its byte counters and goroutine count stay current (documented in
// --help and the README; SIGUSR1 rewrites it at once). A tmpfs write of a
// few hundred bytes every 10 s costs nothing measurable.
const statusEvery = 10 * time.Second

// waitSession waits until the session or ctx ends, refreshing the status file.
func (d *Daemon) waitSession(ctx context.Context, sess *sstp.Session) {
	t := time.NewTicker(statusEvery)
	defer t.Stop()
	for {
		select {
		case <-sess.Done():
			return
		case <-ctx.Done():
			return
		case <-t.C:
			d.mu.Lock()
			js := d.statusJSON()
			d.mu.Unlock()
			d.writeStatus(js)
		}
	}
}

func (d *Daemon) writeStatus(js []byte) {
	if d.o.StatusFile == "" {
		return
	}
	if err := writeFileAtomic(d.o.StatusFile, js); err != nil {
		d.log.Warn("status file", "err", err)
	}
}

// LogStatus logs the status (on SIGUSR1) as key=value fields and rewrites
// the status file with the live counters.
func (d *Daemon) LogStatus() {
	d.mu.Lock()
	js := d.statusJSON()
	kv := []any{"state", d.status.State, "server", d.status.Server,
		"since", d.status.Since.UTC().Format(time.RFC3339), "reconnects", d.status.Reconnects}
	if d.hasUp {
		kv = append(kv, "local", d.lastUp.IPv4.Local.String(), "remote", d.lastUp.IPv4.Peer.String())
		if d.lastUp.HasIPv6 {
			kv = append(kv, "local6", ifup.LinkLocal(d.lastUp.IPv6.LocalID).String(), "remote6", ifup.LinkLocal(d.lastUp.IPv6.PeerID).String())
		}
	}
	if s := d.cur.Load(); s != nil {
		st := s.Stats()
		kv = append(kv, "bytes_in", st.BytesIn, "bytes_out", st.BytesOut, "packets_in", st.PacketsIn, "packets_out", st.PacketsOut)
	}
	kv = append(kv, "last_error", d.status.LastError)
	d.mu.Unlock()
	d.writeStatus(js)
	d.log.Info("status", kv...)
}

// statusJSON renders the status by hand: no reflection in the router binary (d.mu held).
func (d *Daemon) statusJSON() []byte {
	var w jsonWriter
	w.b = append(w.b, '{')
	w.str("state", d.status.State)
	w.str("server", d.status.Server)
	w.str("since", d.status.Since.UTC().Format(time.RFC3339))
	if !d.status.Since.IsZero() {
		w.num("seconds_in_state", int64(time.Since(d.status.Since)/time.Second))
	}
	if d.tun != nil {
		w.str("ifname", d.tun.Name())
	}
	if d.hasUp {
		info := d.lastUp
		if a := serverAddr(info); a.IsValid() {
			w.str("server_addr", a.String())
		}
		w.str("local", info.IPv4.Local.String())
		w.str("remote", info.IPv4.Peer.String())
		if info.HasIPv6 {
			w.str("local6", ifup.LinkLocal(info.IPv6.LocalID).String())
			w.str("remote6", ifup.LinkLocal(info.IPv6.PeerID).String())
		}
		dns := make([]string, len(info.IPv4.DNS))
		for i, a := range info.IPv4.DNS {
			dns[i] = a.String()
		}
		w.strs("dns", dns)
		w.num("mtu", int64(info.MTU))
		w.str("auth", info.Auth.String())
		w.str("tls", info.TLSVersion+" "+info.CipherSuite)
		w.str("certificate_sha256", info.CertSHA256)
	}
	if s := d.cur.Load(); s != nil {
		st := s.Stats()
		w.num("bytes_in", int64(st.BytesIn))
		w.num("bytes_out", int64(st.BytesOut))
		w.num("packets_in", int64(st.PacketsIn))
		w.num("packets_out", int64(st.PacketsOut))
	}
	w.num("reconnects", int64(d.status.Reconnects))
	w.num("goroutines", int64(runtime.NumGoroutine()))
	w.str("last_error", d.status.LastError)
	if d.status.RejectedCert != "" {
		w.str("rejected_certificate_sha256", d.status.RejectedCert)
	}
	w.b = append(w.b, '}', '\n')
	return w.b
}

type jsonWriter struct{ b []byte }

func (w *jsonWriter) key(k string) {
	if len(w.b) > 1 {
		w.b = append(w.b, ',')
	}
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
}

func (w *jsonWriter) str(k, v string) { w.key(k); w.b = appendJSONString(w.b, v) }
func (w *jsonWriter) num(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}
func (w *jsonWriter) strs(k string, v []string) {
	w.key(k)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, s)
	}
	w.b = append(w.b, ']')
}

// appendJSONString quotes s per RFC 8259.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}
