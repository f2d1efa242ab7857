package lan

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"
)

// resolvedDir exists while systemd-resolved runs (it holds its varlink
// socket and the stub resolv.conf); a variable for tests.
var resolvedDir = "/run/systemd/resolve"

// resolvectlPaths are where resolvectl may be; a variable for tests.
var resolvectlPaths = []string{"/usr/bin/resolvectl", "/bin/resolvectl"}

// resolvectlPath is where resolvectl is found, if anywhere.
func resolvectlPath() string {
	for _, p := range resolvectlPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Resolved reports whether systemd-resolved manages DNS on this machine and
// resolvectl is there to configure it.
func Resolved() bool {
	_, err := os.Stat(resolvedDir + "/io.systemd.Resolve")
	return err == nil && resolvectlPath() != ""
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

// resolvectl runs resolvectl with args, killed when ctx ends. os.StartProcess
// instead of os/exec, which the router binary does not otherwise link (about
// 128 KiB of flash; ifup.RunHook does the same).
func resolvectl(ctx context.Context, args ...string) error {
	fail := func(err error, out []byte) error {
		return fmt.Errorf("resolvectl %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fail(err, nil)
	}
	defer r.Close()
	path := resolvectlPath()
	p, err := os.StartProcess(path, append([]string{path}, args...), &os.ProcAttr{Files: []*os.File{nil, w, w}})
	w.Close()
	if err != nil {
		return fail(err, nil)
	}
	stop := context.AfterFunc(ctx, func() { p.Kill() })
	defer stop()
	out, _ := io.ReadAll(io.LimitReader(r, 4096))
	st, err := p.Wait()
	if err == nil && !st.Success() {
		err = fmt.Errorf("%v", st)
	}
	if err != nil {
		return fail(err, out)
	}
	return nil
}
