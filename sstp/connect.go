package sstp

import (
	"context"
	"errors"
	"time"
)

// Dial connects to the server and returns once the PPP network phase is
// reached (IPv4 configured), or fails with an *Error naming the step.
func Dial(ctx context.Context, c Config) (*Session, error) {
	cfg := c.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.NegotiationTimeout)
	defer cancel()
	log := cfg.Logger

	host, port, err := SplitServer(cfg.Server)
	if err != nil {
		return nil, &Error{Step: StepDNS, Err: err, Hint: "set --server HOST[:PORT]"}
	}
	if cfg.InsecureSkipVerify && len(cfg.PinSHA256) == 0 {
		log.Warn("TLS certificate verification is DISABLED (--insecure-skip-verify): anyone on the path can impersonate the server and capture the credentials")
	}
	if cfg.KeyLogWriter != nil {
		log.Warn("TLS secrets are being written to the key log file (--tls-keylog): anyone with that file can decrypt this session")
	}
	legacy := cfg.OfferRSAKeyExchange && !cfg.RequireForwardSecrecy
	dctx, dcancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer dcancel()
	s, err := cfg.dialTLS(dctx, host, port, legacy)
	if err != nil && !legacy && !cfg.RequireForwardSecrecy && refusedSuites(err) {
		// MikroTik with pfs=no and old Windows setups take RSA key exchange only.
		log.Warn("the server refused every forward-secret TLS cipher suite: trying again with RSA key exchange", "err", err.Error())
		s, err = cfg.dialTLS(dctx, host, port, true)
	}
	dcancel()
	if err != nil {
		return nil, err
	}
	raw := s.raw
	// From here on the negotiation timer alone bounds reads (authentication
	// may wait for a person): replace the dial deadline the handshake set.
	if d, ok := ctx.Deadline(); ok {
		raw.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() {
		s.fail(s.stopped(ctx)) // the reason first: the deadline below fails reads too
		raw.SetDeadline(time.Unix(1, 0))
	})
	defer stop()
	s.start()
	select {
	case <-s.up:
	case <-s.done:
	case <-ctx.Done():
		s.fail(s.stopped(ctx))
	}
	if !stop() && !s.netUp.Load() {
		s.fail(s.stopped(ctx))
	}
	if !s.netUp.Load() {
		s.wg.Wait()
		return nil, s.err
	}
	raw.SetDeadline(time.Time{})
	return s, nil
}

// stopped is the error for Dial's context ending: the caller's cancellation
// (a stop signal) as such, else the negotiation timer.
func (s *Session) stopped(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return s.negotiationTimeout()
}

// dialTLS connects (DNS, TCP, see dial.go) and runs TLS and the HTTPS request;
// legacy adds the RSA key exchange suites to the offer (Config.tlsConfig).
func (cfg *Config) dialTLS(ctx context.Context, host, port string, legacy bool) (*Session, error) {
	raw, err := cfg.connect(ctx, host, port)
	if err != nil {
		return nil, err
	}
	s := &Session{
		cfg: *cfg, log: cfg.Logger, raw: raw,
		ctl:      make(chan ctlMsg, 16),
		closeReq: make(chan struct{}),
		up:       make(chan struct{}),
		v6up:     make(chan struct{}),
		callUp:   make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.info.Server = cfg.Server
	s.info.RemoteAddr = raw.RemoteAddr().String()
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := s.handshake(ctx, host, port, legacy); err != nil {
		raw.Close()
		return nil, err
	}
	return s, nil
}

func (c *Config) step(st Step, detail string) {
	c.Logger.Info(st.String()+" ok", "detail", detail)
	if c.OnStep != nil {
		c.OnStep(st, detail)
	}
}
