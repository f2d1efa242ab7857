package ppp

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseFrame(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		proto   uint16
		payload []byte
		err     error
	}{
		{"full header", []byte{0xff, 0x03, 0xc0, 0x21, 1, 2}, ProtoLCP, []byte{1, 2}, nil},
		{"no address/control (ACFC)", []byte{0xc0, 0x21, 1}, ProtoLCP, []byte{1}, nil},
		{"compressed protocol (PFC)", []byte{0xff, 0x03, 0x21, 0x45}, ProtoIPv4, []byte{0x45}, nil},
		{"ACFC and PFC", []byte{0x57, 0x60}, ProtoIPv6, []byte{0x60}, nil},
		{"empty payload", []byte{0xff, 0x03, 0x80, 0x21}, ProtoIPCP, []byte{}, nil},
		{"empty", nil, 0, nil, ErrShortFrame},
		{"header only", []byte{0xff, 0x03}, 0, nil, ErrShortFrame},
		{"half protocol", []byte{0xff, 0x03, 0xc0}, 0, nil, ErrShortFrame},
		{"ff alone is a 1-byte protocol", []byte{0xff}, 0xff, []byte{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proto, payload, err := ParseFrame(tt.in)
			if !errors.Is(err, tt.err) || proto != tt.proto || !bytes.Equal(payload, tt.payload) {
				t.Errorf("got %#x % x %v, want %#x % x %v", proto, payload, err, tt.proto, tt.payload, tt.err)
			}
		})
	}
}

func TestAppendFrame(t *testing.T) {
	got := AppendFrame([]byte{9}, ProtoIPV6CP)
	if want := []byte{9, 0xff, 0x03, 0x80, 0x57}; !bytes.Equal(got, want) {
		t.Errorf("got % x", got)
	}
}

func TestParseFrameAllocs(t *testing.T) {
	f := []byte{0xff, 0x03, 0x00, 0x21, 0x45, 0, 0, 20}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = ParseFrame(f) }); n != 0 {
		t.Errorf("ParseFrame allocates %v times", n)
	}
	p := []byte{1, 2, 0, 8, 1, 4, 5, 0x78}
	if n := testing.AllocsPerRun(100, func() { _, _ = ParsePacket(p) }); n != 0 {
		t.Errorf("ParsePacket allocates %v times", n)
	}
}

func TestParsePacket(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want Packet
		err  error
	}{
		{"echo", []byte{9, 7, 0, 8, 0, 0, 0, 0}, Packet{Code: 9, ID: 7, Data: []byte{0, 0, 0, 0}}, nil},
		{"header only", []byte{6, 1, 0, 4}, Packet{Code: 6, ID: 1, Data: []byte{}}, nil},
		{"padding ignored", []byte{5, 1, 0, 5, 'x', 0, 0, 0}, Packet{Code: 5, ID: 1, Data: []byte{'x'}}, nil},
		{"short", []byte{1, 1, 0}, Packet{}, ErrShortPacket},
		{"length below header", []byte{1, 1, 0, 3}, Packet{}, ErrBadLength},
		{"length beyond data", []byte{1, 1, 0, 9, 1, 2}, Packet{}, ErrBadLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePacket(tt.in)
			if !errors.Is(err, tt.err) || p.Code != tt.want.Code || p.ID != tt.want.ID || !bytes.Equal(p.Data, tt.want.Data) {
				t.Errorf("got %+v %v, want %+v %v", p, err, tt.want, tt.err)
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []Option
		err  error
	}{
		{"mru+magic", []byte{1, 4, 5, 0x78, 5, 6, 1, 2, 3, 4},
			[]Option{{1, []byte{5, 0x78}}, {5, []byte{1, 2, 3, 4}}}, nil},
		{"empty value", []byte{7, 2}, []Option{{7, []byte{}}}, nil},
		{"none", nil, nil, nil},
		{"length 0", []byte{1, 0}, nil, ErrBadOption},
		{"length 1", []byte{1, 1, 0}, nil, ErrBadOption},
		{"overrun", []byte{1, 4, 5}, nil, ErrBadOption},
		{"lone type", []byte{1, 4, 5, 0x78, 3}, nil, ErrBadOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOptions(tt.in)
			if !errors.Is(err, tt.err) || len(got) != len(tt.want) {
				t.Fatalf("got %v %v, want %v %v", got, err, tt.want, tt.err)
			}
			for i := range got {
				if got[i].Type != tt.want[i].Type || !bytes.Equal(got[i].Value, tt.want[i].Value) {
					t.Errorf("option %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestAppendPacketAndOption(t *testing.T) {
	b := AppendPacket(nil, CodeConfigureRequest, 3, AppendOption(nil, 1, []byte{5, 0x78}))
	if want := []byte{1, 3, 0, 8, 1, 4, 5, 0x78}; !bytes.Equal(b, want) {
		t.Errorf("got % x", b)
	}
	b, start := beginPacket([]byte{0xff}, CodeEchoReply, 2)
	b = endPacket(append(b, 1, 2), start)
	if want := []byte{0xff, 10, 2, 0, 6, 1, 2}; !bytes.Equal(b, want) {
		t.Errorf("back-filled % x", b)
	}
}

func TestParseAuthMethods(t *testing.T) {
	tests := []struct {
		in   string
		want []AuthMethod
		err  bool
	}{
		{"", nil, false},
		{"pap,chap,mschapv2,eap", []AuthMethod{AuthPAP, AuthCHAP, AuthMSCHAPv2, AuthEAP}, false},
		{" MSCHAPv2 , ms-chapv2,pap,", []AuthMethod{AuthMSCHAPv2, AuthPAP}, false},
		{"mschapv1", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAuthMethods(tt.in)
			if (err != nil) != tt.err || len(got) != len(tt.want) {
				t.Fatalf("got %v %v", got, err)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %v", got)
				}
			}
			if err != nil && !errors.Is(err, ErrUnknownAuthMethod) {
				t.Errorf("err %v", err)
			}
		})
	}
	if AuthMSCHAPv2.String() != "mschapv2" || AuthMethod(99).String() != "unknown" {
		t.Errorf("String")
	}
}

func TestAuthProtocolCodec(t *testing.T) {
	tests := []struct {
		name string
		v    []byte
		m    AuthMethod
		desc string
	}{
		{"pap", []byte{0xc0, 0x23}, AuthPAP, "pap"},
		{"chap-md5", []byte{0xc2, 0x23, 0x05}, AuthCHAP, "chap"},
		{"mschapv2", []byte{0xc2, 0x23, 0x81}, AuthMSCHAPv2, "mschapv2"},
		{"eap", []byte{0xc2, 0x27}, AuthEAP, "eap"},
		{"mschapv1", []byte{0xc2, 0x23, 0x80}, AuthNone, "mschap(v1)"},
		{"chap no algorithm", []byte{0xc2, 0x23}, AuthNone, "auth-protocol c223"},
		{"pap with data", []byte{0xc0, 0x23, 1}, AuthNone, "auth-protocol c02301"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m := parseAuthProtocol(tt.v); m != tt.m {
				t.Errorf("parse = %v", m)
			}
			if d := describeAuthProtocol(tt.v); d != tt.desc {
				t.Errorf("describe = %q", d)
			}
			if tt.m != AuthNone && !bytes.Equal(appendAuthProtocol(nil, tt.m), tt.v) {
				t.Errorf("append = % x", appendAuthProtocol(nil, tt.m))
			}
		})
	}
}
