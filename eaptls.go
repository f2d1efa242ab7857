package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
	"github.com/sstpgo/sstpgo/sstp"
)

// eapTLS fills cfg.PPP.EAPTLS from --client-cert and --client-key (PEM): PPP then
// authenticates with EAP-TLS (RFC 5216) and needs no password. The EAP server's
// certificate (NPS, not the SSTP server's) is checked against --eap-ca, by default the
// --ca-cert pool, and --eap-server-name when given; with neither, it must chain to the
// system roots and carry the SSTP server's name. cfg.RootCAs must be set already.
func (o *options) eapTLS(cfg *sstp.Config) error {
	if o.ClientCert == "" && o.ClientKey == "" {
		if o.EAPCA != "" || o.EAPServerName != "" {
			return errors.New("--eap-ca and --eap-server-name need --client-cert and --client-key")
		}
		return nil
	}
	if o.ClientCert == "" || o.ClientKey == "" {
		return errors.New("--client-cert and --client-key go together")
	}
	if len(cfg.PPP.Auth) > 0 && !containsAuth(cfg.PPP.Auth, ppp.AuthEAP) {
		return errors.New("a client certificate is used with EAP only: add eap to --auth")
	}
	cert, err := loadClientCert(o.ClientCert, o.ClientKey)
	if err != nil {
		return err
	}
	roots := cfg.RootCAs
	if o.EAPCA != "" {
		if roots, err = loadCAFile(o.EAPCA); err != nil {
			return err
		}
	}
	cfg.PPP.EAPTLS = &ppp.EAPTLSConfig{
		Certificate: cert,
		RootCAs:     roots,
		ServerName:  o.EAPServerName,
		// Without --eap-ca/--ca-cert and --eap-server-name, a publicly trusted
		// EAP server certificate must carry the SSTP server's name.
		SSTPServerName: sstpServerName(cfg),
		// --insecure-skip-verify covers the EAP server too, unless it has its own CA.
		InsecureSkipVerify: o.InsecureSkipVerify && o.EAPCA == "",
	}
	return nil
}

// sstpServerName is the name the SSTP server's certificate is checked
// against: --sni, else the host of --server.
func sstpServerName(cfg *sstp.Config) string {
	if cfg.SNI != "" {
		return cfg.SNI
	}
	host, _, err := sstp.SplitServer(cfg.Server)
	if err != nil {
		return ""
	}
	return host
}

// loadClientCert reads the PEM certificate (chain) and private key; the key file must not
// be readable by group or others, like the password file.
func loadClientCert(certFile, keyFile string) (tls.Certificate, error) {
	st, err := os.Stat(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return tls.Certificate{}, fmt.Errorf("%s holds the private key but is readable by group or others (mode %04o): chmod 600 %s",
			keyFile, st.Mode().Perm(), keyFile)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return cert, fmt.Errorf("client certificate %s / key %s: %w", certFile, keyFile, err)
	}
	if leaf := cert.Leaf; leaf != nil && time.Now().After(leaf.NotAfter) {
		return cert, fmt.Errorf("client certificate %s expired on %s", certFile, leaf.NotAfter.Format(time.DateOnly))
	}
	return cert, nil
}

// loadCAFile reads a PEM file of CA certificates into a pool.
func loadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s: no PEM certificate found", path)
	}
	return pool, nil
}

func containsAuth(list []ppp.AuthMethod, m ppp.AuthMethod) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}
