package sstp

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sstpgo/sstpgo/ppp"
)

func (s *Session) start() {
	s.lastRecv.Store(time.Now().UnixNano())
	s.step.Store(int32(StepSSTP))
	s.ppp = ppp.NewClient(s.cfg.PPP)
	s.wg.Add(3)
	go s.readLoop()
	go s.loop()
	go s.watchdog()
}

// loop owns the SSTP call state and the PPP client.
func (s *Session) loop() {
	defer s.wg.Done()
	defer s.ppp.Release() // an EAP-TLS handshake cut short by the negotiation timer
	if err := s.sendControl(MsgCallConnectRequest, Attribute{ID: AttrEncapsulatedProtocolID, Value: []byte{0, 1}}); err != nil {
		s.fail(err)
		return
	}
	s.state = stateConnectRequestSent
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	closeReq := s.closeReq
	for {
		s.armTimer(t)
		select {
		case <-s.done:
			return
		case m := <-s.ctl:
			if m.err != nil {
				s.fail(s.readErr(m.err))
				return
			}
			s.handle(time.Now(), m.pkt)
		case <-t.C:
			s.timeout(time.Now())
		case <-closeReq:
			closeReq = nil
			s.closeRequested(time.Now())
		}
	}
}

func (s *Session) armTimer(t *time.Timer) {
	next, ok := time.Time{}, false
	if s.ppp != nil && s.state != stateConnectRequestSent && !s.state.ending() {
		next, ok = s.ppp.Deadline()
	}
	if s.state.ending() {
		next, ok = s.endDue, true
	}
	d := time.Hour
	if ok {
		d = max(time.Until(next), 0)
	}
	t.Reset(d)
}

func (s *Session) timeout(now time.Time) {
	if s.state.ending() {
		if !now.Before(s.endDue) {
			s.log.Debug("teardown timer ran out; closing", "state", int(s.state))
			s.fail(s.endErr)
		}
		return
	}
	if s.state != stateConnectRequestSent {
		s.ppp.Timeout(now)
		s.flushPPP(now)
	}
}

func (s *Session) handle(now time.Time, pkt []byte) {
	if pkt[1]&1 == 0 {
		if s.state == stateConnectRequestSent || s.state.ending() {
			return // no PPP before Call Connect Ack (MS-SSTP 3.2.5.1), nor in teardown
		}
		s.ppp.Input(now, pkt[HeaderLen:])
		s.flushPPP(now)
		return
	}
	msg, err := ParseControl(pkt)
	if err != nil {
		s.abort(err)
		return
	}
	s.log.Debug("sstp recv", "type", msg.Type.String())
	if s.state.ending() && msg.Type != MsgCallAbort && msg.Type != MsgCallDisconnect && msg.Type != MsgCallDisconnectAck {
		return // MS-SSTP 3.1.2.1: in teardown, the rest is ignored
	}
	switch msg.Type {
	case MsgCallConnectAck:
		s.connectAck(now, msg)
	case MsgCallConnectNak:
		s.fail(fmt.Errorf("%w%s", ErrConnectNak, statusText(msg)))
	case MsgEchoRequest:
		s.sendControl(MsgEchoResponse)
	case MsgEchoResponse:
	case MsgCallAbort:
		s.peerAbort(now, fmt.Errorf("%w%s", ErrAborted, statusText(msg)))
	case MsgCallDisconnect:
		s.peerDisconnect(now, fmt.Errorf("%w%s", ErrServerDisconnect, statusText(msg)))
	case MsgCallDisconnectAck:
		if s.state == stateDisconnecting {
			s.fail(s.endErr)
		}
	default:
		s.abort(fmt.Errorf("%w %s", ErrUnexpectedMessage, msg.Type))
	}
}

func statusText(msg Control) string {
	for _, a := range msg.Attrs {
		if a.ID != AttrStatusInfo {
			continue
		}
		if si, err := ParseStatusInfo(a.Value); err == nil {
			return ": " + si.Status.String() + " (attribute " + si.AttrID.String() + ")"
		}
	}
	return ""
}

func (s *Session) connectAck(now time.Time, msg Control) {
	if s.state != stateConnectRequestSent {
		s.abort(fmt.Errorf("%w: CALL_CONNECT_ACK in state %d", ErrUnexpectedMessage, s.state))
		return
	}
	var req CryptoBindingRequest
	found := false
	for _, a := range msg.Attrs {
		if a.ID == AttrCryptoBindingReq {
			r, err := ParseCryptoBindingRequest(a.Value)
			if err != nil {
				s.abort(err)
				return
			}
			req, found = r, true
		}
	}
	if !found {
		s.abort(fmt.Errorf("%w: CALL_CONNECT_ACK without CRYPTO_BINDING_REQ", ErrUnexpectedMessage))
		return
	}
	h, err := ChooseHash(req.HashBitmask)
	if err != nil {
		s.abort(err)
		return
	}
	s.hashProto, s.nonce = h, req.Nonce
	s.state = stateConnectAckReceived
	s.infoMu.Lock()
	s.info.HashProtocol = h
	s.infoMu.Unlock()
	s.cfg.step(StepSSTP, "call accepted, crypto binding "+hashName(h))
	s.step.Store(int32(StepLCP))
	s.ppp.Start(now)
	s.flushPPP(now)
}

func hashName(h uint8) string {
	if h == HashSHA256 {
		return "SHA-256"
	}
	return "SHA-1"
}

// flushPPP sends the PPP client's frames and acts on its events.
func (s *Session) flushPPP(now time.Time) {
	for _, f := range s.ppp.Output() {
		b := make([]byte, HeaderLen, HeaderLen+len(f))
		b = append(b, f...)
		PutDataHeader(b, len(b))
		if err := s.write(b); err != nil {
			s.fail(err)
			return
		}
	}
	if s.state.ending() {
		return
	}
	if st := s.ppp.Phase(); s.step.Load() == int32(StepLCP) && (st == ppp.PhaseAuthenticate || st == ppp.PhaseNetwork) {
		detail := "link open"
		if mru := s.ppp.PeerMRU(); mru > 0 {
			detail += ", server MRU " + strconv.Itoa(mru)
		}
		s.cfg.step(StepLCP, detail)
		s.step.Store(int32(StepAuth))
	}
	for _, ev := range s.ppp.Events() {
		switch ev.Kind {
		case ppp.EventAuthenticated:
			s.authenticated(ev)
		case ppp.EventIPv4Up:
			s.ipv4Up(ev)
		case ppp.EventIPv6Up:
			s.infoMu.Lock()
			s.info.IPv6, s.info.HasIPv6 = ev.IPv6, true
			s.infoMu.Unlock()
			s.v6once.Do(func() { close(s.v6up) })
			s.log.Info("IPv6 up", "local-id", fmt.Sprintf("%x", ev.IPv6.LocalID), "peer-id", fmt.Sprintf("%x", ev.IPv6.PeerID))
		case ppp.EventDown:
			err := ev.Err
			if err == nil {
				err = ppp.ErrPeerTerminated
			}
			s.endCall(now, err)
			return
		}
	}
}

// authenticated sends Call Connected with the crypto binding (MS-SSTP 3.2.5.2).
func (s *Session) authenticated(ev ppp.Event) {
	s.cfg.step(StepAuth, ev.Auth.String())
	s.infoMu.Lock()
	s.info.Auth = ev.Auth
	s.infoMu.Unlock()
	hlak, certHash := ev.HLAK, CertHash(s.hashProto, s.certDER)
	if h := s.cfg.hooks; h != nil {
		if h.hlak != nil {
			h.hlak(hlak[:])
		}
		if h.certHash != nil {
			h.certHash(&certHash)
		}
		if h.skipCallConnected {
			s.callConnected()
			return
		}
	}
	pkt := AppendCallConnected(nil, s.hashProto, s.nonce, certHash, hlak[:])
	if err := s.write(pkt); err != nil {
		s.fail(err)
		return
	}
	s.callConnected()
}

// callConnected enters Call_Connected: IP configuration follows, and the
// hello timer starts (watchdog).
func (s *Session) callConnected() {
	s.state = stateCallConnected
	s.step.Store(int32(StepIP))
	close(s.callUp)
}

func (s *Session) ipv4Up(ev ppp.Event) {
	mtu := s.ppp.PeerMRU()
	if mtu <= 0 || mtu > MaxIPPacket {
		mtu = min(1500, MaxIPPacket)
	}
	s.infoMu.Lock()
	s.info.IPv4 = ev.IPv4
	s.info.MTU = mtu
	s.infoMu.Unlock()
	dns := make([]string, len(ev.IPv4.DNS))
	for i, d := range ev.IPv4.DNS {
		dns[i] = d.String()
	}
	s.cfg.step(StepIP, "local "+ev.IPv4.Local.String()+" peer "+ev.IPv4.Peer.String()+" dns "+strings.Join(dns, ","))
	s.netUp.Store(true)
	s.upOnce.Do(func() { close(s.up) })
}

// write sends b from the loop. Behind a stuck data write it waits until the
// session fails (watchdog, Close's bound), which closes the connection and
// so ends the stuck write.
func (s *Session) write(b []byte) error {
	s.wmu.Lock()
	_, err := s.conn.Write(b)
	s.wmu.Unlock()
	s.writes.Add(1)
	return err
}

func (s *Session) sendControl(t MessageType, attrs ...Attribute) error {
	s.log.Debug("sstp send", "type", t.String())
	return s.write(AppendControl(make([]byte, 0, 64), t, attrs...))
}
