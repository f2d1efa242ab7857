package sstp

// Test-only knobs for the external tests, which play a broken client.

// CorruptHLAK makes the client flip a bit of the HLAK in its crypto binding.
func CorruptHLAK(c *Config) { c.hooks = &testHooks{hlak: func(h []byte) { h[0] ^= 1 }} }

// CorruptCertHash makes the client send a wrong certificate hash.
func CorruptCertHash(c *Config) { c.hooks = &testHooks{certHash: func(h *[32]byte) { h[0] ^= 1 }} }

// SkipCallConnected makes the client never send Call Connected.
func SkipCallConnected(c *Config) { c.hooks = &testHooks{skipCallConnected: true} }

// HostHeader is the Host header sent for a server host, port and SNI.
func HostHeader(host, port, sni string) string { return httpHost(host, port, sni) }
