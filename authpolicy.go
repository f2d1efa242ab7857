package main

import (
	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
)

// secureAuth is the security default for the allowed PPP methods: with
// certificate verification off (--insecure-skip-verify and no pin) the
// server may be anyone, and PAP would hand it the password, CHAP-MD5 a
// hash it can crack offline. Unless --auth names the methods, only
// MS-CHAPv2 (the server must prove it knows the password) and EAP remain.
func (o *options) secureAuth(auth []ppp.AuthMethod, log *logx.Logger) []ppp.AuthMethod {
	if !o.InsecureSkipVerify || o.PinSHA256 != "" || len(auth) > 0 {
		return auth
	}
	log.Warn("certificate verification is off: PAP and CHAP are refused (name them in --auth to allow them)")
	return []ppp.AuthMethod{ppp.AuthMSCHAPv2, ppp.AuthEAP}
}
