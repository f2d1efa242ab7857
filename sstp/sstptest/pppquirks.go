package sstptest

import "github.com/sstpgo/sstpgo/ppp"

// PPPQuirks are PPP-side behaviours of real servers (PROTOCOL.md, "Field
// facts"), kept apart from the SSTP-side options. The zero value is off.
type PPPQuirks struct {
	// PAPAnswerFirstID, when N > 0, makes PAP ignore the client's
	// Authenticate-Requests until the Nth and answer that one with the
	// Identifier of the first, as a server busy with RADIUS does: it ignores
	// retransmissions and answers the request it started with.
	PAPAnswerFirstID int
	// EAPQuiet makes EAP go silent after the client's Identity, as a
	// server whose RADIUS back end is down: no Challenge, no
	// retransmission, no Failure.
	EAPQuiet bool
	// EAPTLSQuiet makes EAP go silent in the middle of EAP-TLS: the
	// client's first TLS message (its ClientHello) is never answered.
	EAPTLSQuiet bool
	// NakDNSForever Configure-Naks the client's Primary- and Secondary-DNS
	// options with 0.0.0.0 on every IPCP request, however often it asks.
	NakDNSForever bool
}

// papQuirk is the state of PAPAnswerFirstID.
type papQuirk struct {
	seen    int
	firstID uint8
}

// papHold applies PAPAnswerFirstID to a request: false drops it; else the
// Identifier to answer with.
func (a *authServer) papHold(p *pppServer, pk *ppp.Packet) bool {
	n := p.cfg.PAPAnswerFirstID
	if n <= 0 {
		return true
	}
	q := &a.papQuirk
	q.seen++
	if q.seen == 1 {
		q.firstID = pk.ID
	}
	if q.seen < n {
		p.s.log.Info("PAP request ignored (pap-answer-first-id)", "id", pk.ID)
		return false
	}
	pk.ID = q.firstID
	return true
}

// eapQuiet applies EAPQuiet to a Response of type typ; true drops it.
func (a *authServer) eapQuiet(p *pppServer, typ uint8) bool {
	switch {
	case p.cfg.EAPQuiet && typ == eapTypeIdentity:
		p.s.log.Info("EAP Identity left unanswered (eap-quiet)")
		return true
	case p.cfg.EAPTLSQuiet && typ == eapTypeTLS && a.eapStage == stageTLS:
		p.s.log.Info("EAP-TLS left unanswered (eap-tls-quiet)")
		return true
	}
	return false
}

// nakDNS applies NakDNSForever; true when it answered the option.
func (p *pppServer) nakDNS(r *reply, o ppp.Option) bool {
	if !p.cfg.NakDNSForever {
		return false
	}
	r.nakWith(o.Type, make([]byte, 4))
	return true
}
