package main

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/sstpgo/sstpgo/internal/flattoml"
)

// fileConfig is the TOML configuration file; every key has a flag of the
// same name with '_' written as '-'. Flags given on the command line win.
// The toml tags are for tests (BurntSushi/toml decodes the same file);
// the parser itself uses the table in keys.
type fileConfig struct {
	Server                string   `toml:"server"`
	User                  string   `toml:"user"`
	Password              string   `toml:"password"`
	PasswordFile          string   `toml:"password_file"`
	CACert                string   `toml:"ca_cert"`
	SNI                   string   `toml:"sni"`
	PinSHA256             string   `toml:"pin_sha256"`
	InsecureSkipVerify    bool     `toml:"insecure_skip_verify"`
	RequireForwardSecrecy bool     `toml:"require_forward_secrecy"`
	TLSKeylog             string   `toml:"tls_keylog"`
	ClientCert            string   `toml:"client_cert"`
	ClientKey             string   `toml:"client_key"`
	EAPCA                 string   `toml:"eap_ca"`
	EAPServerName         string   `toml:"eap_server_name"`
	Auth                  []string `toml:"auth"`
	Ifname                string   `toml:"ifname"`
	MTU                   int      `toml:"mtu"`
	IPv6                  bool     `toml:"ipv6"`
	LogLevel              string   `toml:"log_level"`
	Routes                []string `toml:"routes"`
	DefaultRoute          bool     `toml:"default_route"`
	Metric                int      `toml:"metric"`
	UsePeerDNS            bool     `toml:"use_peer_dns"`
	ResolvConf            string   `toml:"resolv_conf"`
	UpScript              string   `toml:"up_script"`
	DownScript            string   `toml:"down_script"`
	StatusFile            string   `toml:"status_file"`
	Proxy                 string   `toml:"proxy"`
	ProxyPasswordFile     string   `toml:"proxy_password_file"`
	Reconnect             *bool    `toml:"reconnect"`
	EchoInterval          duration `toml:"echo_interval"`
	EchoTimeout           duration `toml:"echo_timeout"`
	ConnectTimeout        duration `toml:"connect_timeout"`
	Netifd                bool     `toml:"netifd"`
}

// keys binds every key of the file to its field (no reflection in the router binary).
func (fc *fileConfig) keys() []flattoml.Field {
	return []flattoml.Field{
		{Key: "server", Ptr: &fc.Server}, {Key: "user", Ptr: &fc.User},
		{Key: "password", Ptr: &fc.Password}, {Key: "password_file", Ptr: &fc.PasswordFile},
		{Key: "ca_cert", Ptr: &fc.CACert}, {Key: "sni", Ptr: &fc.SNI},
		{Key: "pin_sha256", Ptr: &fc.PinSHA256}, {Key: "insecure_skip_verify", Ptr: &fc.InsecureSkipVerify},
		{Key: "require_forward_secrecy", Ptr: &fc.RequireForwardSecrecy},
		{Key: "tls_keylog", Ptr: &fc.TLSKeylog}, {Key: "auth", Ptr: &fc.Auth},
		{Key: "client_cert", Ptr: &fc.ClientCert}, {Key: "client_key", Ptr: &fc.ClientKey},
		{Key: "eap_ca", Ptr: &fc.EAPCA}, {Key: "eap_server_name", Ptr: &fc.EAPServerName},
		{Key: "ifname", Ptr: &fc.Ifname}, {Key: "mtu", Ptr: &fc.MTU},
		{Key: "ipv6", Ptr: &fc.IPv6}, {Key: "log_level", Ptr: &fc.LogLevel},
		{Key: "routes", Ptr: &fc.Routes}, {Key: "default_route", Ptr: &fc.DefaultRoute},
		{Key: "metric", Ptr: &fc.Metric}, {Key: "use_peer_dns", Ptr: &fc.UsePeerDNS},
		{Key: "resolv_conf", Ptr: &fc.ResolvConf}, {Key: "up_script", Ptr: &fc.UpScript},
		{Key: "down_script", Ptr: &fc.DownScript}, {Key: "status_file", Ptr: &fc.StatusFile},
		{Key: "proxy", Ptr: &fc.Proxy}, {Key: "proxy_password_file", Ptr: &fc.ProxyPasswordFile},
		{Key: "reconnect", Ptr: &fc.Reconnect},
		{Key: "echo_interval", Ptr: &fc.EchoInterval}, {Key: "echo_timeout", Ptr: &fc.EchoTimeout},
		{Key: "connect_timeout", Ptr: &fc.ConnectTimeout}, {Key: "netifd", Ptr: &fc.Netifd},
	}
}

// duration reads TOML strings such as "10s" or "1m30s".
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q (want e.g. \"10s\")", b)
	}
	if v < 0 {
		return fmt.Errorf("duration %q must not be negative", b)
	}
	d.Duration = v
	return nil
}

// loadConfigFile parses path strictly: unknown keys and bad values are errors
// naming the file and the line.
func loadConfigFile(path string) (*fileConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fc fileConfig
	if err := flattoml.Decode(path, data, fc.keys()); err != nil {
		return nil, err // "path:line: what"
	}
	if fc.Password != "" {
		if err := checkSecretFile(path); err != nil {
			return nil, err
		}
	}
	for _, r := range fc.Routes {
		if _, err := netip.ParsePrefix(r); err != nil {
			return nil, fmt.Errorf("%s:%d: bad route %q: want CIDR like 10.1.0.0/16", path, keyLine(string(data), "routes"), r)
		}
	}
	return &fc, nil
}

// keyLine finds the first line that assigns key; 0 if none.
func keyLine(data, key string) int {
	for i, line := range strings.Split(data, "\n") {
		l := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(l, key); ok {
			if r := strings.TrimSpace(rest); strings.HasPrefix(r, "=") {
				return i + 1
			}
		}
	}
	return 0
}

// checkSecretFile refuses a file holding the password that others can read.
func checkSecretFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s holds the password but is readable by group or others (mode %04o): chmod 600 %s", path, st.Mode().Perm(), path)
	}
	return nil
}

// readPasswordFile reads the first line of a password file.
func readPasswordFile(path string) (string, error) {
	if err := checkSecretFile(path); err != nil {
		return "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	pw, _, _ := strings.Cut(string(b), "\n")
	pw = strings.TrimSuffix(pw, "\r")
	if pw == "" {
		return "", fmt.Errorf("%s: empty password", path)
	}
	return pw, nil
}
