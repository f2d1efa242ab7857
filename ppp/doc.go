// Package ppp is a sans-IO PPP client stack for SSTP: frame and packet
// codecs (RFC 1661, RFC 1662 framing without flags or FCS), the RFC 1661
// option negotiation automaton (FSM, reusable by a server), LCP, PAP
// (RFC 1334), CHAP-MD5 (RFC 1994), MS-CHAPv2 (RFC 2759), EAP with
// EAP-MSCHAPv2 (RFC 3748, draft-kamath-pppext-eap-mschapv2), IPCP
// (RFC 1332, RFC 1877) and IPV6CP (RFC 5072).
//
// Nothing here does I/O, starts goroutines or reads the clock: Client takes
// received frames and the current time, and hands back frames to send,
// events, and the time its next timer is due.
package ppp
