package daemon

import (
	"github.com/sstpgo/sstpgo/internal/sdnotify"
)

// notify tells systemd (Type=notify, sstpgo@.service) the state, shown by
// `systemctl status`. READY=1 goes with the first "up", or with the first
// failure that will be retried, so that `systemctl start` returns (its STATUS
// says the tunnel is not up) instead of hanging until the start timeout
// kills a daemon that would have connected once the network came.
func (d *Daemon) notify(state string, err error) {
	d.mu.Lock()
	text := state + " " + d.o.Server
	switch state {
	case "up":
		text = "up " + d.lastUp.IPv4.Local.String() + " via " + d.o.Server
	case "connecting":
		text = "connecting to " + d.o.Server
	}
	if err != nil {
		text += ": " + describe(err)
	}
	msgs := []string{sdnotify.Status(text)}
	if !d.ready && (state == "up" || state == "reconnecting" || (state == "failed" && d.o.Reconnect)) {
		d.ready = true
		msgs = append(msgs, sdnotify.Ready)
	}
	d.mu.Unlock()
	if err := sdnotify.Notify(msgs...); err != nil {
		d.log.Debug("sd_notify", "err", err)
	}
}
