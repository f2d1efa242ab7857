package sstp

// A Session's code follows the call's phases, one file each:
//   dial.go       DNS and TCP (RFC 8305 fallback)
//   connect.go    Dial: the whole set-up under the negotiation timer
//   handshake.go  TLS and the HTTPS SSTP_DUPLEX_POST exchange
//   call.go       the SSTP call state machine and the PPP client (loop)
//   run.go        the running session: read loop and hello watchdog
//   datapath.go   IP packets in and out (no allocation per packet)
//   teardown.go   fail, Close, Call Disconnect and Call Abort

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sstpgo/sstpgo/logx"
	"github.com/sstpgo/sstpgo/ppp"
)

// Headroom is the space SendIP needs in front of an IP packet: the SSTP
// header (4) and the PPP address, control and protocol fields (4).
const Headroom = HeaderLen + 4

// MaxIPPacket is the largest IP packet one SSTP data packet can carry.
const MaxIPPacket = MaxPacketLen - Headroom

// readBufferSize is the session's one read buffer over TLS. tls.Conn.Read
// returns at most one record (up to 2^14 bytes of plaintext), so a buffer of
// two records takes each whole in one call, where 4 KiB needed four.
const readBufferSize = 2 * BatchTarget

// Info describes an established session.
type Info struct {
	Server      string
	RemoteAddr  string
	TLSVersion  string
	CipherSuite string
	CertSubject string
	CertSHA256  string
	// TLSResumed: the TLS session was resumed from Config.SessionCache.
	TLSResumed bool
	// LegacyTLS: the session uses RSA key exchange (no forward secrecy),
	// offered because the server refused every forward-secret suite (or
	// Config.OfferRSAKeyExchange).
	LegacyTLS    bool
	Auth         ppp.AuthMethod
	HashProtocol uint8
	IPv4         ppp.IPv4Config
	IPv6         ppp.IPv6Config
	HasIPv6      bool
	// MTU is the largest IP packet the server accepts from us.
	MTU int
}

// Stats counts IP traffic through the session.
type Stats struct {
	BytesIn, BytesOut, PacketsIn, PacketsOut uint64
}

// ErrNotUp is returned by SendIP before the network phase.
var ErrNotUp = errors.New("session not in the network phase")

type callState int

const (
	stateConnectRequestSent callState = iota
	stateConnectAckReceived
	stateCallConnected
	// Teardown states (ending): MS-SSTP's Call_Disconnect_Ack_Pending,
	// Call_Disconnect_Timeout_Pending, Call_Abort_Pending, Call_Abort_Timeout_Pending.
	stateDisconnecting   // Call Disconnect sent, waiting for the ack
	stateDisconnectAcked // the server's Call Disconnect acknowledged
	stateAborting        // Call Abort sent, waiting for the server's
	stateAbortAcked      // the server's Call Abort answered
)

// Session is one SSTP call. It is created by Dial and runs until Close or a
// failure; Done is closed then and Err tells why.
type Session struct {
	cfg     Config
	log     *logx.Logger
	raw     net.Conn
	conn    *tls.Conn
	br      *bufio.Reader
	certDER []byte
	ppp     *ppp.Client

	wmu    sync.Mutex    // serialises TLS writes: data path and control
	writes atomic.Uint32 // TLS writes completed: the watchdog tells a stuck write by it

	ctl      chan ctlMsg   // control packets and PPP control frames, reader → loop
	closeReq chan struct{} // Close asks the loop for a graceful disconnect
	up       chan struct{} // closed when the network phase is reached
	v6up     chan struct{} // closed when IPV6CP has opened (ipv6.go)
	callUp   chan struct{} // closed once Call Connected is sent: the hello timer starts
	done     chan struct{} // closed when the session has ended
	wg       sync.WaitGroup

	closeOnce, failOnce, upOnce sync.Once
	v6once                      sync.Once
	err                         error // set before done is closed

	netUp                              atomic.Bool
	step                               atomic.Int32
	lastRecv                           atomic.Int64 // unix nanoseconds of the last packet received
	bytesIn, bytesOut, pktsIn, pktsOut atomic.Uint64

	// loop-goroutine state
	state     callState
	hashProto uint8
	nonce     [32]byte
	endErr    error                 // why the call is ending (teardown states)
	ended     atomic.Pointer[error] // endErr for other goroutines: a timeout during teardown keeps the reason
	endDue    time.Time             // when a teardown state's timer runs out

	infoMu sync.Mutex
	info   Info
}

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err tells why the session ended: nil after Close.
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Info returns the session's negotiated parameters.
func (s *Session) Info() Info {
	s.infoMu.Lock()
	defer s.infoMu.Unlock()
	return s.info
}

// Stats returns the traffic counters.
func (s *Session) Stats() Stats {
	return Stats{s.bytesIn.Load(), s.bytesOut.Load(), s.pktsIn.Load(), s.pktsOut.Load()}
}
