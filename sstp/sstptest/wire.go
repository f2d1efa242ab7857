package sstptest

import "github.com/sstpgo/sstpgo/sstp"

// The wire numbers below are written out here, not taken from package sstp or ppp, so that a
// wrong constant there makes the client and this server disagree (and a test fail) instead of
// agreeing on the mistake.

// SSTP message types (MS-SSTP 2.2.9 to 2.2.17).
const (
	msgCallConnectRequest = sstp.MessageType(0x0001)
	msgCallConnectAck     = sstp.MessageType(0x0002)
	msgCallConnectNak     = sstp.MessageType(0x0003)
	msgCallConnected      = sstp.MessageType(0x0004)
	msgCallAbort          = sstp.MessageType(0x0005)
	msgCallDisconnect     = sstp.MessageType(0x0006)
	msgCallDisconnectAck  = sstp.MessageType(0x0007)
	msgEchoRequest        = sstp.MessageType(0x0008)
	msgEchoResponse       = sstp.MessageType(0x0009)
)

// Attribute IDs (MS-SSTP 2.2.2).
const (
	attrNoError        = sstp.AttrID(0)
	attrEncapProtoID   = sstp.AttrID(1)
	attrStatusInfo     = sstp.AttrID(2)
	attrCryptoBinding  = sstp.AttrID(3)
	attrCryptoBindReq  = sstp.AttrID(4)
	encapProtoPPP      = 0x0001
	sstpVersion        = 0x10
	sstpMaxPacket      = 4095
	sstpHeaderLen      = 4
	pppHeaderLen       = 4 // FF 03 + 2-byte protocol
	ipv4Proto          = 0x0021
	ipv6Proto          = 0x0057
	lcpProto           = 0xc021
	papProto           = 0xc023
	chapProto          = 0xc223
	eapProto           = 0xc227
	ipcpProto          = 0x8021
	ipv6cpProto        = 0x8057
	chapAlgMD5         = 0x05
	chapAlgMSCHAPv2    = 0x81
	eapTypeIdentity    = 1
	eapTypeNak         = 3
	eapTypeMSCHAPv2    = 26
	mschapValueSize    = 49 // RFC 2759 4: Peer-Challenge 16, Reserved 8, NT-Response 24, Flags 1
	mschapChallengeLen = 16
)

// STATUS_INFO status codes (MS-SSTP 2.2.8).
const (
	statusNoError            = sstp.Status(0)
	statusValueNotSupported  = sstp.Status(4)
	statusInvalidFrame       = sstp.Status(7)
	statusNegotiationTimeout = sstp.Status(8)
)

// PPP codes (RFC 1661 5, RFC 1334 2.2, RFC 1994 4, RFC 3748 4).
const (
	codeConfReq  = 1
	codeConfAck  = 2
	codeConfNak  = 3
	codeConfRej  = 4
	codeTermReq  = 5
	codeTermAck  = 6
	codeCodeRej  = 7
	codeProtoRej = 8
	codeEchoReq  = 9
	codeEchoRep  = 10
	codeDiscard  = 11

	papAuthReq = 1
	papAuthAck = 2
	papAuthNak = 3

	chapChallenge = 1
	chapResponse  = 2
	chapSuccess   = 3
	chapFailure   = 4

	eapRequest  = 1
	eapResponse = 2
	eapSuccess  = 3
	eapFailure  = 4

	// EAP-MSCHAPv2 OpCodes (draft-kamath-pppext-eap-mschapv2 2).
	msOpChallenge = 1
	msOpResponse  = 2
	msOpSuccess   = 3
	msOpFailure   = 4
)

// LCP, IPCP and IPV6CP option types (RFC 1661 6, RFC 1332 3, RFC 1877 1, RFC 5072 4).
const (
	lcpMRU        = 1
	lcpAuth       = 3
	lcpMagic      = 5
	lcpPFC        = 7
	lcpACFC       = 8
	ipcpCompress  = 2
	ipcpAddress   = 3
	ipcpDNS1      = 129
	ipcpDNS2      = 131
	ipv6cpIfaceID = 1
)
