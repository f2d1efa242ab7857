package sstptest

import (
	"io"

	"github.com/sstpgo/sstpgo/sstp"
)

// maxReceived bounds SessionInfo.Received (echoes every few seconds add up
// in cmd/sstptest-server).
const maxReceived = 256

// recordControl notes a control message from the client in SessionInfo.Received.
func (s *Session) recordControl(pkt []byte) {
	if len(pkt) < 6 || pkt[1]&1 == 0 {
		return
	}
	t := sstp.MessageType(uint16(pkt[4])<<8 | uint16(pkt[5]))
	s.srv.update(s, func(i *SessionInfo) {
		if len(i.Received) >= maxReceived { // a long-running server: keep the latest
			i.Received = append([]sstp.MessageType(nil), i.Received[len(i.Received)-maxReceived/2:]...)
		}
		i.Received = append(i.Received, t)
	})
}

// drain reads what the client still sends once the session has ended (until
// EOF, the linger deadline or Close), recording its control messages: how a
// client answers the server's Call Abort or Call Disconnect is seen here.
func (s *Session) drain(buf []byte) {
	for {
		pkt, err := sstp.ReadPacket(s.br, buf)
		if err != nil {
			io.Copy(io.Discard, s.br) // garbage: discard the rest as before
			return
		}
		s.recordControl(pkt)
	}
}
