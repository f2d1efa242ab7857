package main

// show-cert: fetch the server's certificate without verifying it and print
// it as JSON, so that a user migrating from sstp-client (which never checks
// certificates) can see what the server presents and pin it. LuCI runs it
// through the rpcd plugin in certrpcd.go. Nothing but a TLS ClientHello is
// sent: no HTTP request, no credentials.

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/sstp"
)

// certInfo is one certificate as show-cert prints it.
type certInfo struct {
	Subject, Issuer     string
	NotBefore, NotAfter string // RFC 3339, UTC
	SHA256              string // 64 lower-case hex digits, the form pin_sha256 takes
	SHA256Colons        string
	DNSNames            []string
	SelfSigned          bool
}

func (c *certInfo) json(o *jsonObj) {
	o.str("subject", c.Subject)
	o.str("issuer", c.Issuer)
	o.str("not_before", c.NotBefore)
	o.str("not_after", c.NotAfter)
	o.str("sha256", c.SHA256)
	o.str("sha256_colons", c.SHA256Colons)
	o.strs("dns_names", c.DNSNames)
	o.boolean("self_signed", c.SelfSigned)
}

// certReport is show-cert's output.
type certReport struct {
	Server, Address, SNI string
	*certInfo
	Expired bool
	// VerifyError is what a verification against the system roots and the
	// server name would say; empty when the certificate would be accepted.
	VerifyError string
	Chain       []certInfo
	Error       string
}

func (r *certReport) json() []byte {
	var o jsonObj
	o.str("server", r.Server)
	o.str("address", r.Address)
	o.str("sni", r.SNI)
	if r.certInfo != nil {
		r.certInfo.json(&o)
		o.boolean("expired", r.Expired)
	}
	o.str("verify_error", r.VerifyError)
	var chain []*jsonObj
	for i := range r.Chain {
		c := new(jsonObj)
		r.Chain[i].json(c)
		chain = append(chain, c)
	}
	o.objs("chain", chain)
	o.str("error", r.Error)
	return o.bytes()
}

const showCertTimeout = 10 * time.Second

func showCertCommand() *cli.Command {
	return &cli.Command{
		Name:      "show-cert",
		Usage:     "print the server's certificate (subject, issuer, validity, SHA-256) as JSON, unverified, sending no credentials",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "server", Usage: "SSTP server (port 443 by default)", Required: true},
			&cli.StringFlag{Name: "sni", Usage: "TLS server name to send (default: the host of --server)"},
			&cli.StringFlag{Name: "proxy", Usage: "HTTP proxy to connect through (credentials in it are not sent)"},
			&cli.DurationFlag{Name: "timeout", Usage: "give up after this DURATION (default 10s, at most 30s)", Value: showCertTimeout},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit("show-cert takes no arguments: use --server HOST[:PORT]", exitUsage)
			}
			timeout := min(max(c.Duration("timeout"), time.Second), 30*time.Second)
			ctx, cancel := context.WithTimeout(c.Context, timeout)
			defer cancel()
			r, code := showCert(ctx, c.String("server"), c.String("sni"), c.String("proxy"), time.Now())
			if _, err := os.Stdout.Write(append(r.json(), '\n')); err != nil {
				return err
			}
			if code != exitOK {
				return cli.Exit("", code)
			}
			return nil
		},
	}
}

// showCert connects to server (through proxyURL when set) and reports the
// certificate it presents; on failure the report carries the error and the
// exit code says which kind it was.
func showCert(ctx context.Context, server, sni, proxyURL string, now time.Time) (certReport, int) {
	r := certReport{Server: server}
	fail := func(code int, err error) (certReport, int) {
		r.Error = err.Error()
		return r, code
	}
	host, port, err := sstp.SplitServer(strings.TrimSpace(server))
	if err != nil || host == "" || !validPort(port) {
		return fail(exitUsage, fmt.Errorf("bad server %q: want HOST[:PORT]", server))
	}
	target := net.JoinHostPort(host, port)
	r.Server = target
	if sni == "" {
		if _, err := netip.ParseAddr(host); err != nil {
			sni = host
		}
	}
	r.SNI = sni
	var d net.Dialer
	var conn net.Conn
	if proxyURL != "" {
		p, err := sstp.ParseProxyURL(proxyURL)
		if err != nil {
			return fail(exitUsage, err)
		}
		p.User, p.Password = "", "" // never send credentials from here
		conn, err = p.Dial(ctx, d.DialContext, target)
		if err != nil {
			return fail(exitUnreachable, err)
		}
	} else if conn, err = d.DialContext(ctx, "tcp", target); err != nil {
		return fail(exitUnreachable, err)
	}
	defer conn.Close()
	r.Address = conn.RemoteAddr().String()
	tc := tls.Client(conn, showCertTLSConfig(sni))
	if err := tc.HandshakeContext(ctx); err != nil {
		return fail(exitUnreachable, fmt.Errorf("TLS handshake: %w", err))
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return fail(exitUnreachable, errors.New("the server sent no certificate"))
	}
	leaf := describeCert(certs[0])
	r.certInfo = &leaf
	r.Expired = now.After(certs[0].NotAfter) || now.Before(certs[0].NotBefore)
	for _, c := range certs[1:] {
		r.Chain = append(r.Chain, describeCert(c))
	}
	if err := verifyLikeConnect(certs, sni, now); err != nil {
		r.VerifyError = err.Error()
	}
	return r, exitOK
}

// showCertTLSConfig offers every suite Go has, RSA key exchange and TLS 1.0
// included: the handshake only has to get as far as the certificate, and
// the servers people migrate from are often old (MikroTik with pfs=no).
func showCertTLSConfig(sni string) *tls.Config {
	var suites []uint16
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	return &tls.Config{
		ServerName:         sni,
		InsecureSkipVerify: true, // the point: show what is there, trust nothing
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       suites,
	}
}

func describeCert(c *x509.Certificate) certInfo {
	sum := sha256.Sum256(c.Raw)
	return certInfo{
		Subject:      nameString(c.Subject),
		Issuer:       nameString(c.Issuer),
		NotBefore:    c.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:     c.NotAfter.UTC().Format(time.RFC3339),
		SHA256:       hex.EncodeToString(sum[:]),
		SHA256Colons: sstp.Fingerprint(c.Raw),
		DNSNames:     c.DNSNames,
		SelfSigned:   c.CheckSignatureFrom(c) == nil && c.Subject.String() == c.Issuer.String(),
	}
}

// nameString is "CN=…, OU=…, O=…, L=…, ST=…, C=…": what a user compares,
// without pkix.Name.String's encoder for every other attribute.
func nameString(n pkix.Name) string {
	var parts []string
	add := func(k string, vs ...string) {
		for _, v := range vs {
			parts = append(parts, k+"="+v)
		}
	}
	add("CN", n.CommonName)
	add("OU", n.OrganizationalUnit...)
	add("O", n.Organization...)
	add("L", n.Locality...)
	add("ST", n.Province...)
	add("C", n.Country...)
	if n.CommonName == "" {
		parts = parts[1:]
	}
	return strings.Join(parts, ", ")
}

// verifyLikeConnect says whether connect, without ca_cert or a pin, would
// accept the chain: system roots and the server name.
func verifyLikeConnect(certs []*x509.Certificate, name string, now time.Time) error {
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{DNSName: name, Intermediates: inter, CurrentTime: now})
	return err
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && strconv.Itoa(n) == p && n >= 1 && n <= 65535
}
