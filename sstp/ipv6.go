package sstp

// IPv6Up is closed once IPV6CP has opened (RFC 5072): Info().IPv6 then holds
// the interface identifiers. It may close before or after Dial returns, and
// never if the server does not do IPv6; watch Done as well.
func (s *Session) IPv6Up() <-chan struct{} { return s.v6up }
