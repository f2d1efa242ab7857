// Command sstptest-proxy runs sstptest.Proxy, a CONNECT-only HTTP proxy, for end-to-end tests:
//
//	sstptest-proxy --listen 0.0.0.0:3128 [--user NAME:PASSWORD] [--refuse]
//
// It resolves CONNECT targets with the system resolver (in a network namespace,
// /etc/netns/NAME/hosts). SIGINT or SIGTERM closes it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sstpgo/sstpgo/sstp/sstptest"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "sstptest-proxy:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("sstptest-proxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:3128", "TCP address to listen on")
	user := fs.String("user", "", "require Basic credentials NAME:PASSWORD")
	refuse := fs.Bool("refuse", false, "answer every CONNECT with 403 Forbidden")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := sstptest.ProxyOptions{Refuse: *refuse, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	if *user != "" {
		name, pass, ok := strings.Cut(*user, ":")
		if !ok || name == "" {
			return fmt.Errorf("--user %q: want NAME:PASSWORD", *user)
		}
		opts.User, opts.Password = name, pass
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	p := sstptest.NewUnstartedProxy(opts)
	p.StartListener(l)
	defer p.Close()
	opts.Logger.Info("listening", "addr", p.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	opts.Logger.Info("shutting down", "stats", p.Stats().String())
	return nil
}
