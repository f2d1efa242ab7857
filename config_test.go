package main

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/sstpgo/sstpgo/internal/flattoml"
)

// Every toml tag of fileConfig has its entry in keys, bound to that field.
func TestConfigKeysCoverEveryField(t *testing.T) {
	var fc fileConfig
	keys := fc.keys()
	typ := reflect.TypeOf(fc)
	if len(keys) != typ.NumField() {
		t.Errorf("%d keys for %d fields", len(keys), typ.NumField())
	}
	v := reflect.ValueOf(&fc).Elem()
	for i := range typ.NumField() {
		tag := typ.Field(i).Tag.Get("toml")
		j := slices.IndexFunc(keys, func(k flattoml.Field) bool { return k.Key == tag })
		if j < 0 {
			t.Errorf("no key %q in fileConfig.keys (config.go)", tag)
			continue
		}
		if reflect.ValueOf(keys[j].Ptr).Pointer() != v.Field(i).Addr().Pointer() {
			t.Errorf("key %q bound to another field", tag)
		}
	}
}

// The shipped examples parse, and mean the same to BurntSushi/toml.
func TestConfigExamplesParse(t *testing.T) {
	for _, path := range []string{"sstpgo.toml", "openwrt/files/etc/sstpgo/sstpgo.toml.example"} {
		t.Run(path, func(t *testing.T) {
			fc, err := loadConfigFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want fileConfig
			md, err := toml.DecodeFile(path, &want)
			if err != nil || len(md.Undecoded()) > 0 {
				t.Fatalf("BurntSushi: %v %v", err, md.Undecoded())
			}
			if !reflect.DeepEqual(*fc, want) {
				t.Errorf("got %+v\nBurntSushi %+v", *fc, want)
			}
			if fc.Server == "" || fc.Ifname != "sstp0" {
				t.Errorf("%+v", fc)
			}
		})
	}
}

// A file using every key decodes as BurntSushi/toml decodes it.
func TestConfigEveryKeySameAsBurntSushi(t *testing.T) {
	in := `server = "vpn.example.com:443"
user = 'DOMAIN\alice'
password_file = "/etc/sstpgo/password"
ca_cert = "/etc/ca.pem"
sni = "vpn"
pin_sha256 = "AB:CD"
insecure_skip_verify = false
tls_keylog = "/tmp/k"
auth = ["mschapv2", "eap",]
ifname = "sstp0"
mtu = 1_400
ipv6 = true
log_level = "debug"
routes = [
  "10.0.0.0/8", # corp
  "192.168.50.0/24",
]
default_route = true
metric = 10
use_peer_dns = true
resolv_conf = "/tmp/resolv.conf"
up_script = "/etc/up.sh"
down_script = "/etc/down.sh"
status_file = "/run/s.json"
proxy = "http://proxy.lan:3128"
proxy_password_file = "/etc/sstpgo/proxy-password"
reconnect = false
echo_interval = "10s"
echo_timeout = "1m30s"
connect_timeout = "30s"
netifd = true
`
	p := writeFile(t, "c.toml", in, 0o600)
	fc, err := loadConfigFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var want fileConfig
	if _, err := toml.Decode(in, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*fc, want) {
		t.Errorf("got %+v\nBurntSushi %+v", *fc, want)
	}
	if strings.Join(fc.Routes, " ") != "10.0.0.0/8 192.168.50.0/24" || fc.Reconnect == nil || *fc.Reconnect || fc.EchoTimeout.Seconds() != 90 {
		t.Errorf("%+v", fc)
	}
}
