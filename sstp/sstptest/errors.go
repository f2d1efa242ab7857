package sstptest

import "errors"

// Reasons a session ended, as recorded in SessionInfo.Err and SessionInfo.BindingErr.
var (
	// ErrServerClosed: Server.Close ended the session.
	ErrServerClosed = errors.New("sstptest: server closed")
	// ErrKilled: CloseClientConnections dropped the session.
	ErrKilled = errors.New("sstptest: connection dropped by CloseClientConnections")
	// ErrConnectionLost: the client closed the TCP/TLS connection without CALL_DISCONNECT.
	ErrConnectionLost = errors.New("sstptest: connection lost")
	// ErrClientAbort: the client sent CALL_ABORT.
	ErrClientAbort = errors.New("sstptest: client sent CALL_ABORT")
	// ErrAuthFailed: the client's credentials were wrong (or it refused every offered method).
	ErrAuthFailed = errors.New("sstptest: authentication failed")
	// ErrNoAuthMethod: the client refused every authentication method the server offers.
	ErrNoAuthMethod = errors.New("sstptest: no acceptable authentication method")
	// ErrNegotiation: a PPP negotiation did not converge within Max-Configure.
	ErrNegotiation = errors.New("sstptest: PPP negotiation did not converge")
	// ErrNoCallConnected: CALL_CONNECTED did not arrive within ConnectedTimeout after
	// authentication (recorded in BindingErr and Err).
	ErrNoCallConnected = errors.New("sstptest: no CALL_CONNECTED within the timeout")
	// ErrEarlyCallConnected: CALL_CONNECTED arrived before authentication succeeded.
	ErrEarlyCallConnected = errors.New("sstptest: CALL_CONNECTED before authentication")
	// ErrProtocol: the client broke the SSTP or PPP rules (the wrapped text says how).
	ErrProtocol = errors.New("sstptest: protocol violation")
	// ErrIdle: nothing was received for IdleTimeout.
	ErrIdle = errors.New("sstptest: idle timeout")
	// ErrPPPIdle: no PPP frame was received for PPPIdleTimeout in the network phase.
	ErrPPPIdle = errors.New("sstptest: no PPP frame within the PPP idle timeout")
	// ErrEarlyEcho: the client sent ECHO_REQUEST before CALL_CONNECTED (Options.AbortEarlyEcho).
	ErrEarlyEcho = errors.New("sstptest: ECHO_REQUEST before CALL_CONNECTED")
	// ErrFault: the session ended the way the configured Fault makes it end.
	ErrFault = errors.New("sstptest: fault injected")
	// ErrHTTP: the HTTP request was not a valid SSTP_DUPLEX_POST.
	ErrHTTP = errors.New("sstptest: bad HTTP request")
	// ErrPoolExhausted: no client address left in Options.Pool.
	ErrPoolExhausted = errors.New("sstptest: address pool exhausted")
	// ErrSessionClosed is returned by Session.WriteIP once the session has ended.
	ErrSessionClosed = errors.New("sstptest: session closed")
	// ErrNotUp is returned by Session.WriteIP before the network phase.
	ErrNotUp = errors.New("sstptest: session not in the network phase")
	// ErrTooLong is returned by Session.WriteIP for packets that do not fit one SSTP packet.
	ErrTooLong = errors.New("sstptest: packet too long for one SSTP packet")
)
