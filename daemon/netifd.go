package daemon

import (
	"net/netip"

	"github.com/sstpgo/sstpgo/sstp"
)

// What the OpenWrt netifd handler (openwrt/files/lib/netifd) learns from
// sstpgo besides the hook variables ifup.HookEnv sets: the address the
// session reached (SERVER_ADDR, for the host dependency that follows a server
// whose name now resolves elsewhere) and, in the status file, the
// fingerprint of a certificate sstpgo refused (CERT_FAILED's data).

// serverIPEnv is SERVER_ADDR (the name the daemon branch gives it in
// ifup.HookEnv: drop this when that is merged), the address the TCP connection went
// to (the proxy's with --proxy: that is where its packets go).
func serverIPEnv(info sstp.Info) []string {
	ap, err := netip.ParseAddrPort(info.RemoteAddr)
	if err != nil {
		return nil
	}
	return []string{"SERVER_ADDR=" + ap.Addr().Unmap().String()}
}
