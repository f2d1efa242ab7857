package main

import (
	"crypto/tls"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

// --eap-tls-ca turns on EAP-TLS with client certificates required; a file
// without a certificate, or no file, is an error.
func TestEAPTLSCAFlag(t *testing.T) {
	dir := t.TempDir()
	cert, err := sstptest.SelfSignedCertificate()
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "ca.pem")
	os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644)
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("not a certificate\n"), 0o644)
	for _, tc := range []struct {
		name string
		file string
		bad  bool
	}{
		{"ca file", good, false},
		{"no certificate in it", empty, true},
		{"missing file", filepath.Join(dir, "nope.pem"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseFlags([]string{"--eap-tls-ca", tc.file})
			if err != nil {
				t.Fatal(err)
			}
			o, err := f.options(nil)
			if tc.bad {
				if err == nil {
					t.Error("accepted")
				}
				return
			}
			if err != nil || o.EAPTLS == nil || o.EAPTLS.ClientAuth != tls.RequireAndVerifyClientCert ||
				len(o.EAPTLS.ClientCAs.Subjects()) != 1 {
				t.Errorf("options %+v, %v", o.EAPTLS, err)
			}
		})
	}
}
