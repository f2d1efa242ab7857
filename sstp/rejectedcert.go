package sstp

import (
	"crypto/tls"
	"errors"
)

// PinMismatchError is ErrPinMismatch naming the certificate the server
// presented, so the admin can compare it and pin it (errors.Is matches
// ErrPinMismatch).
type PinMismatchError struct {
	Seen string // SHA-256 of the server's certificate, as Fingerprint
}

func (e *PinMismatchError) Error() string {
	return ErrPinMismatch.Error() + " (the server's is " + e.Seen + ")"
}

// Is makes errors.Is(err, ErrPinMismatch) true.
func (e *PinMismatchError) Is(target error) bool { return target == ErrPinMismatch }

// RejectedCertificate returns the SHA-256 fingerprint (Fingerprint's form)
// of the server certificate that err rejected, or "" when err is not a
// certificate rejection or the certificate is unknown.
func RejectedCertificate(err error) string {
	var pe *PinMismatchError
	if errors.As(err, &pe) {
		return pe.Seen
	}
	// chain and name checks: crypto/tls keeps the certificates it refused
	var ve *tls.CertificateVerificationError
	if IsCertError(err) && errors.As(err, &ve) && len(ve.UnverifiedCertificates) > 0 {
		return Fingerprint(ve.UnverifiedCertificates[0].Raw)
	}
	return ""
}
