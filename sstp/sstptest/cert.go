package sstptest

import "crypto/tls"

// SelfSignedCertificate makes the kind of certificate NewServer generates
// (ECDSA P-256, its own CA, for localhost, 127.0.0.1, ::1 and names), for a
// caller that wants to keep it across server restarts.
func SelfSignedCertificate(names ...string) (tls.Certificate, error) {
	return selfSigned(names)
}
