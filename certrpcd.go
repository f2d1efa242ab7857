package main

// The rpcd exec plugin behind LuCI's SSTP view: /usr/libexec/rpcd/luci.sstpgo
// runs "sstpgo rpcd-luci list|call METHOD" (rpcd's exec plugin protocol:
// "list" prints the methods and their arguments, "call" reads the arguments
// as JSON on stdin and prints the result). The ACL in
// /usr/share/rpcd/acl.d/luci-proto-sstpgo.json grants it to LuCI's
// administrators only.
//
// showCert runs show-cert; getCertificates and setCertificate keep the PEM
// files LuCI uploads under /etc/sstpgo/ with mode 0600, as
// luci-proto-openconnect does, so that no key or certificate sits in
// /etc/config/network.

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// certDir holds the uploaded PEM files.
const certDir = "/etc/sstpgo"

// certKinds maps the UCI option of each uploadable file to its file name
// suffix: /etc/sstpgo/<interface>.<suffix>.
var certKinds = map[string]string{
	"ca_cert":     "ca.pem",
	"client_cert": "client.pem",
	"client_key":  "client.key",
	"eap_ca":      "eapca.pem",
}

const rpcdSignature = `{"showCert":{"server":"str","port":"str","sni":"str","proxy":"str"},` +
	`"getCertificates":{"interface":"str"},` +
	`"setCertificate":{"interface":"str","option":"str","pem":"str"}}`

func rpcdCommand() *cli.Command {
	return &cli.Command{
		Name:      "rpcd-luci",
		Usage:     "rpcd exec plugin for LuCI (list | call METHOD, arguments as JSON on stdin)",
		ArgsUsage: "list | call METHOD",
		Hidden:    true,
		Action: func(c *cli.Context) error {
			switch c.Args().First() {
			case "list":
				_, err := io.WriteString(os.Stdout, rpcdSignature+"\n")
				return err
			case "call":
				out := rpcdCall(c.Context, certDir, c.Args().Get(1), io.LimitReader(os.Stdin, 1<<20))
				_, err := os.Stdout.Write(append(out, '\n'))
				return err
			}
			return cli.Exit("usage: sstpgo rpcd-luci list | call METHOD", exitUsage)
		},
	}
}

func rpcdError(err string) []byte {
	var o jsonObj
	o.str("error", err)
	return o.bytes()
}

// rpcdCall runs method with the JSON arguments in in; every answer is a
// JSON object, failures {"error": "..."}.
func rpcdCall(ctx context.Context, dir, method string, in io.Reader) []byte {
	a := map[string]string{}
	if b, _ := io.ReadAll(in); len(strings.TrimSpace(string(b))) > 0 {
		var err error
		if a, err = parseFlatJSON(b); err != nil {
			return rpcdError("arguments: " + err.Error())
		}
	}
	switch method {
	case "showCert":
		server, port := strings.TrimSpace(a["server"]), a["port"]
		if port != "" && !strings.HasSuffix(server, "]") && strings.Count(server, ":") == 0 {
			server = net.JoinHostPort(server, port)
		} else if port != "" && strings.HasPrefix(server, "[") && strings.HasSuffix(server, "]") {
			server += ":" + port
		}
		ctx, cancel := context.WithTimeout(ctx, showCertTimeout)
		defer cancel()
		r, _ := showCert(ctx, server, a["sni"], a["proxy"], time.Now())
		return r.json()
	case "getCertificates":
		return getCertificates(dir, a["interface"])
	case "setCertificate":
		p, err := setCertificate(dir, a["interface"], a["option"], a["pem"])
		if err != nil {
			return rpcdError(err.Error())
		}
		var o jsonObj
		o.boolean("ok", true)
		o.str("path", p)
		return o.bytes()
	}
	return rpcdError(fmt.Sprintf("unknown method %q", method))
}

// isUCIName: what UCI takes as a section name, so no path can be built from it.
func isUCIName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// certPath is where the file of option for iface lives.
func certPath(dir, iface, option string) (string, error) {
	suffix, ok := certKinds[option]
	if !ok {
		return "", fmt.Errorf("unknown option %q", option)
	}
	if !isUCIName(iface) {
		return "", fmt.Errorf("bad interface name %q", iface)
	}
	return filepath.Join(dir, iface+"."+suffix), nil
}

// getCertificates returns, for each option with a stored file, its path
// and PEM text; for the private key only the path: a key goes into the
// router, never back out to a browser.
func getCertificates(dir, iface string) []byte {
	var o jsonObj
	for _, option := range []string{"ca_cert", "client_cert", "client_key", "eap_ca"} {
		p, err := certPath(dir, iface, option)
		if err != nil {
			return rpcdError(err.Error())
		}
		var f jsonObj
		if option == "client_key" {
			if _, err := os.Stat(p); err != nil {
				continue
			}
			f.str("path", p)
		} else {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			f.str("path", p)
			f.str("pem", string(b))
		}
		o.obj(option, &f)
	}
	return o.bytes()
}

// setCertificate stores text as the file of option for iface, mode 0600,
// replacing it atomically; empty text removes the file. It returns the
// path to put in the UCI option.
func setCertificate(dir, iface, option, text string) (string, error) {
	p, err := certPath(dir, iface, option)
	if err != nil {
		return "", err
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		return "", nil
	}
	if err := checkPEM(option, text); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return "", err
	}
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return p, os.Rename(f.Name(), p)
}

// checkPEM accepts one or more PEM blocks of the kind option needs and
// nothing else: certificates, or one unencrypted private key.
func checkPEM(option, text string) error {
	rest := []byte(text)
	n := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		n++
		switch {
		case option == "client_key" && (b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] != ""):
			return errors.New("encrypted keys are not supported: store the key unencrypted")
		case option == "client_key" && !strings.HasSuffix(b.Type, "PRIVATE KEY"):
			return fmt.Errorf("want a private key, got %s", b.Type)
		case option != "client_key" && b.Type != "CERTIFICATE":
			return fmt.Errorf("want certificates, got %s", b.Type)
		}
	}
	if n == 0 || strings.TrimSpace(string(rest)) != "" {
		return errors.New("not PEM text")
	}
	if option == "client_key" && n > 1 {
		return errors.New("want one private key")
	}
	return nil
}
