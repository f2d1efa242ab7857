package lan

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"
)

// resolvedDir exists while systemd-resolved runs (it holds its varlink
// socket and the stub resolv.conf); a variable for tests.
var resolvedDir = "/run/systemd/resolve"

// Resolved reports whether systemd-resolved manages DNS on this machine and
// resolvectl is there to configure it.
func Resolved() bool {
	if _, err := os.Stat(resolvedDir + "/io.systemd.Resolve"); err != nil {
		return false
	}
	_, err := exec.LookPath("resolvectl")
	return err == nil
}

// SetLinkDNS gives the tunnel device its own DNS servers and domains in
// systemd-resolved (split DNS: names under the domains go to the servers,
// everything else as before; the domains are also search domains, so short
// names work as on the office network), with `resolvectl dns` and
// `resolvectl domain`. The settings go away with the device.
func SetLinkDNS(ctx context.Context, ifname string, servers []netip.Addr, domains []string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	args := []string{"dns", ifname}
	for _, s := range servers {
		args = append(args, s.String())
	}
	if err := resolvectl(ctx, args...); err != nil {
		return err
	}
	if err := resolvectl(ctx, append([]string{"domain", ifname}, domains...)...); err != nil {
		return err
	}
	// Not the default route for DNS: only the domains go to the tunnel
	// (systemd 246 and later; older ones decide by the domains alone).
	resolvectl(ctx, "default-route", ifname, "false")
	return nil
}

func resolvectl(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "resolvectl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("resolvectl %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
