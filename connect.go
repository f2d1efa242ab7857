package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/daemon"
)

// runConnect wires the parts together: options, logger, engine
// configuration, signals, and the daemon (package daemon) that keeps the
// tunnel up.
func runConnect(c *cli.Context) error {
	o, err := loadOptions(c)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	log, err := newLogger(o.LogLevel, os.Stderr)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	cfg, err := o.sstpConfig(log)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1)
	d := daemon.New(o.daemonOptions(), cfg, log)
	go func() {
		stopping := false
		for s := range sigs {
			if s == syscall.SIGUSR1 {
				d.LogStatus()
				continue
			}
			if stopping {
				log.Warn("second signal: exiting at once")
				os.Exit(exitInternal)
			}
			stopping = true
			notifyStopping() // systemd (notify.go)
			log.Info("stopping", "signal", s.String())
			cancel()
		}
	}()
	err = d.Run(ctx)
	signal.Stop(sigs)
	if err != nil {
		return cli.Exit(describe(err), runExitCode(err))
	}
	return nil
}

// runExitCode is the exit code for the error that stopped the daemon: a
// failure of this machine (TUN device, addresses, routes) is internal; any
// other is the connection's, passed through as the engine gave it: a call
// the server ended (Call Abort, Call Disconnect, LCP Terminate, a closed or
// reset TCP connection) is "unreachable or protocol error" like a failed
// connect, not an internal error.
func runExitCode(err error) int {
	if errors.As(err, new(*daemon.LocalError)) {
		return exitInternal
	}
	return exitCodeFor(err)
}

// daemonOptions is the daemon's part of the options.
func (o *options) daemonOptions() *daemon.Options {
	return &daemon.Options{
		Server: o.Server, Ifname: o.Ifname, MTU: o.MTU, IPv6: o.IPv6,
		Routes: o.routes, DefaultRoute: o.DefaultRoute, Metric: o.Metric,
		UsePeerDNS: o.UsePeerDNS, ResolvConf: o.ResolvConf,
		UpScript: o.UpScript, DownScript: o.DownScript, StatusFile: o.StatusFile,
		Reconnect: o.Reconnect, PageOutAfter: o.PageOutAfter, Netifd: o.Netifd,
		NoPushedRoutes: o.NoPushedRoutes, NoMSSClamp: o.NoMSSClamp,
	}
}
