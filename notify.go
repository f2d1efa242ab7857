package main

import "github.com/sstpgo/sstpgo/internal/sdnotify"

// notifyStopping tells systemd that the stop has begun (STOPPING=1); the
// daemon reports the other states itself (daemon/notify.go).
func notifyStopping() {
	sdnotify.Notify(sdnotify.Stopping, sdnotify.Status("stopping: disconnecting"))
}
