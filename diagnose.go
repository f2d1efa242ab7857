package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/sstpgo/sstpgo/sstp"
)

// runDiagnose walks the connection steps once, printing one line per step:
// ✓ with what was found, or ✗ with the exact reason and a hint.
func runDiagnose(c *cli.Context) error {
	o, err := loadOptions(c)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	log, err := newLogger(o.LogLevel, io.Discard)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	if o.LogLevel == "debug" {
		log, _ = newLogger("debug", os.Stderr)
	}
	cfg, err := o.sstpConfig(log)
	if err != nil {
		return cli.Exit(err.Error(), exitUsage)
	}
	code := diagnose(context.Background(), cfg, os.Stdout)
	if code != exitOK {
		return cli.Exit("", code)
	}
	return nil
}

// diagnose runs the steps against cfg.Server, writes the report to w and
// returns the exit code.
func diagnose(ctx context.Context, cfg sstp.Config, w io.Writer) int {
	next := sstp.StepDNS
	cfg.OnStep = func(st sstp.Step, detail string) {
		if st < next { // Dial's one retry: a server that refused every forward-secret suite
			fmt.Fprintln(w, "! the server refused the TLS handshake: trying again with RSA key exchange offered")
		}
		fmt.Fprintf(w, "✓ %-18s %s\n", st.String(), detail)
		next = st + 1
	}
	if cfg.InsecureSkipVerify {
		fmt.Fprintln(w, "! certificate verification is disabled (--insecure-skip-verify)")
	}
	sess, err := sstp.Dial(ctx, cfg)
	if err == nil {
		info := sess.Info()
		sess.Close()
		if info.LegacyTLS {
			fmt.Fprintf(w, "! no forward secrecy: the server refused every ECDHE suite and took %s;\n"+
				"  enable ECDHE on the server (RouterOS: pfs=yes), or --require-forward-secrecy refuses it\n", info.CipherSuite)
		}
		fmt.Fprintln(w, "all steps passed: the tunnel can be established")
		return exitOK
	}
	var se *sstp.Error
	st, reason, hint := next, err.Error(), ""
	if errors.As(err, &se) {
		st, reason, hint = se.Step, se.Err.Error(), se.Hint
	}
	fmt.Fprintf(w, "✗ %-18s %s\n", st.String(), reason)
	if hint != "" {
		fmt.Fprintf(w, "  hint: %s\n", hint)
	}
	for s := st + 1; s <= sstp.StepIP; s++ {
		fmt.Fprintf(w, "- %-18s not reached\n", s.String())
	}
	return exitCodeFor(err)
}
