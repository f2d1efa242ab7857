package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// tlsServer accepts one connection, completes the TLS handshake and
// reports what the client sent after it.
func tlsServer(t *testing.T, cert tls.Certificate) (addr string, sent <-chan []byte) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan []byte, 1)
	go func() {
		defer ln.Close()
		c, err := ln.Accept()
		if err != nil {
			ch <- nil
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		b, _ := io.ReadAll(c)
		ch <- b
	}()
	return ln.Addr().String(), ch
}

func TestShowCert(t *testing.T) {
	cert, err := sstptest.SelfSignedCertificate("vpn.example.com")
	if err != nil {
		t.Fatal(err)
	}
	addr, sent := tlsServer(t, cert)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, code := showCert(ctx, addr, "vpn.example.com", "", time.Now())
	if code != exitOK || r.Error != "" || r.certInfo == nil {
		t.Fatalf("showCert = %d %+v", code, r)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	if r.SHA256 != hex.EncodeToString(sum[:]) || len(r.SHA256) != 64 {
		t.Errorf("sha256 %q, want %x", r.SHA256, sum)
	}
	if !strings.Contains(r.Subject, "vpn.example.com") && len(r.DNSNames) == 0 {
		t.Errorf("subject %q names %q", r.Subject, r.DNSNames)
	}
	if r.NotAfter == "" || r.Issuer == "" || !r.SelfSigned || r.Expired {
		t.Errorf("report %+v", r)
	}
	if r.VerifyError == "" {
		t.Error("a self-signed certificate must not look verified")
	}
	// nothing but the handshake reaches the server: no HTTP, no credentials
	if b := <-sent; len(b) != 0 {
		t.Errorf("client sent %d bytes after the handshake: %q", len(b), b)
	}
}

// A server that accepts TCP and never answers must not hold show-cert
// beyond its timeout.
func TestShowCertBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			io.Copy(io.Discard, c)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		_, code := showCert(ctx, ln.Addr().String(), "", "", time.Now())
		done <- code
	}()
	select {
	case code := <-done:
		if code != exitUnreachable {
			t.Errorf("exit code %d, want %d", code, exitUnreachable)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("show-cert did not honour its deadline")
	}
}

func TestShowCertBadServer(t *testing.T) {
	for _, s := range []string{"", "host:0", "host:99999", "host:x"} {
		if r, code := showCert(context.Background(), s, "", "", time.Now()); code != exitUsage || r.Error == "" {
			t.Errorf("%q: code %d error %q", s, code, r.Error)
		}
	}
}

const testKeyPEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIOzT\n-----END PRIVATE KEY-----"

func TestRPCDCertificates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sstpgo")
	var certPEM bytes.Buffer
	certPEM.WriteString("-----BEGIN CERTIFICATE-----\n")
	certPEM.WriteString("MIIB\n-----END CERTIFICATE-----\n")
	call := func(method string, args any) map[string]any {
		b, _ := json.Marshal(args)
		out := rpcdCall(context.Background(), dir, method, bytes.NewReader(b))
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("%s: %v: %s", method, err, out)
		}
		return m
	}
	r := call("setCertificate", map[string]string{"interface": "vpn", "option": "client_key", "pem": testKeyPEM + "\r\n"})
	want := filepath.Join(dir, "vpn.client.key")
	if r["path"] != want {
		t.Fatalf("setCertificate: %v", r)
	}
	fi, err := os.Stat(want)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stored key: %v %v", fi, err)
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %o", di.Mode().Perm())
	}
	// the key's path comes back, never the key
	got := call("getCertificates", map[string]string{"interface": "vpn"})
	if k, _ := got["client_key"].(map[string]any); k == nil || k["pem"] != nil || k["path"] != want {
		t.Errorf("getCertificates: %v", got)
	}
	certText := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
	call("setCertificate", map[string]string{"interface": "vpn", "option": "ca_cert", "pem": certText})
	got = call("getCertificates", map[string]string{"interface": "vpn"})
	if c, _ := got["ca_cert"].(map[string]any); c == nil || c["pem"] != certText+"\n" {
		t.Errorf("getCertificates: %v", got)
	}
	for _, bad := range []map[string]string{
		{"interface": "../etc", "option": "ca_cert", "pem": certPEM.String()},
		{"interface": "vpn", "option": "password", "pem": certPEM.String()},
		{"interface": "vpn", "option": "ca_cert", "pem": testKeyPEM},
		{"interface": "vpn", "option": "client_key", "pem": certPEM.String()},
		{"interface": "vpn", "option": "client_key", "pem": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----"},
		{"interface": "vpn", "option": "ca_cert", "pem": "secret"},
		{"interface": "vpn", "option": "ca_cert", "pem": certPEM.String() + "trailing"},
	} {
		if r := call("setCertificate", bad); r["error"] == nil {
			t.Errorf("setCertificate %v accepted: %v", bad, r)
		}
	}
	if r := call("setCertificate", map[string]string{"interface": "vpn", "option": "client_key", "pem": ""}); r["error"] != nil {
		t.Errorf("remove: %v", r)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Errorf("key not removed: %v", err)
	}
	if r := call("nosuch", nil); r["error"] == nil {
		t.Errorf("unknown method: %v", r)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".upload-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestRPCDSignatureIsJSON(t *testing.T) {
	var m map[string]map[string]string
	if err := json.Unmarshal([]byte(rpcdSignature), &m); err != nil || len(m) != 3 {
		t.Fatalf("signature: %v %v", m, err)
	}
}

func TestFlatJSONRoundTrip(t *testing.T) {
	in := `{"server":"vpn.example.com","port":4443,"sni":null,"pem":"a\nb\"\u00e9\ud83d\ude00","ok":true}`
	m, err := parseFlatJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if m["server"] != "vpn.example.com" || m["port"] != "4443" || m["ok"] != "true" || m["pem"] != "a\nb\"é😀" {
		t.Errorf("parsed %q", m)
	}
	if _, ok := m["sni"]; ok {
		t.Error("null must be skipped")
	}
	for _, bad := range []string{``, `[]`, `{"a":{}}`, `{"a":[1]}`, `{"a":"b"`, `{"a":"b"}x`, `{"a" "b"}`, `{"a":"\x"}`, `{"a":tru}`, "{\"a\":\"\x01\"}"} {
		if _, err := parseFlatJSON([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var o jsonObj
	o.str("s", "x\"\\\n\x01\u2028é")
	o.strs("l", []string{"a", "b"})
	o.boolean("b", false)
	var back map[string]any
	if err := json.Unmarshal(o.bytes(), &back); err != nil || back["s"] != "x\"\\\n\x01\u2028é" || len(back["l"].([]any)) != 2 {
		t.Errorf("%s: %v %v", o.bytes(), back, err)
	}
}

// FuzzFlatJSON: the rpcd arguments come from the browser; no input may
// panic, and what parses must survive a round trip through encoding/json.
func FuzzFlatJSON(f *testing.F) {
	f.Add([]byte(`{"interface":"vpn","option":"ca_cert","pem":"-----BEGIN"}`))
	f.Add([]byte(`{"a":1.5e3,"b":null,"c":"\ud800"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseFlatJSON(b)
		if err != nil {
			return
		}
		var o jsonObj
		for k, v := range m {
			o.str(k, v)
		}
		var back map[string]string
		if err := json.Unmarshal(o.bytes(), &back); err != nil {
			t.Fatalf("%q -> %s: %v", b, o.bytes(), err)
		}
	})
}

// TestShowCertProxyNoCredentials: through a proxy, show-cert sends a CONNECT
// without the user and password of the proxy URL.
func TestShowCertProxyNoCredentials(t *testing.T) {
	cert, err := sstptest.SelfSignedCertificate("vpn.example.com")
	if err != nil {
		t.Fatal(err)
	}
	target, sent := tlsServer(t, cert)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	reqs := make(chan string, 1)
	proxyDone := make(chan struct{})
	go func() {
		defer close(proxyDone)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		var req []byte
		buf := make([]byte, 1)
		for !bytes.HasSuffix(req, []byte("\r\n\r\n")) {
			if _, err := c.Read(buf); err != nil {
				return
			}
			req = append(req, buf[0])
		}
		reqs <- string(req)
		up, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer up.Close()
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() {
			io.Copy(up, c) // until show-cert hangs up
			up.Close()
		}()
		io.Copy(c, up)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, code := showCert(ctx, target, "vpn.example.com", "http://bob:s3cret@"+ln.Addr().String(), time.Now())
	if code != exitOK || r.certInfo == nil {
		t.Fatalf("through the proxy: %d %+v", code, r)
	}
	<-sent
	<-proxyDone
	req := <-reqs
	if !strings.HasPrefix(req, "CONNECT "+target+" ") || strings.Contains(strings.ToLower(req), "proxy-authorization") {
		t.Errorf("proxy saw:\n%s", req)
	}
}

// TestRPCDCommand runs the plugin as rpcd does: "rpcd-luci list", and
// "rpcd-luci call METHOD" with the arguments on stdin.
func TestRPCDCommand(t *testing.T) {
	run := func(stdin string, args ...string) string {
		t.Helper()
		inR, inW, _ := os.Pipe()
		outR, outW, _ := os.Pipe()
		oldIn, oldOut := os.Stdin, os.Stdout
		os.Stdin, os.Stdout = inR, outW
		io.WriteString(inW, stdin)
		inW.Close()
		err := newApp().Run(append([]string{"sstpgo"}, args...))
		os.Stdin, os.Stdout = oldIn, oldOut
		outW.Close()
		b, _ := io.ReadAll(outR)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return string(b)
	}
	if out := run("", "rpcd-luci", "list"); strings.TrimSpace(out) != rpcdSignature {
		t.Errorf("list: %q", out)
	}
	out := run(`{"server":"127.0.0.1","port":"1"}`, "rpcd-luci", "call", "showCert")
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil || m["server"] != "127.0.0.1:1" || m["error"] == nil {
		t.Errorf("call showCert: %q %v", out, err)
	}
}
