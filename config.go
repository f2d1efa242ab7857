package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// fileConfig is the TOML configuration file; every key has a flag of the
// same name with '_' written as '-'. Flags given on the command line win.
type fileConfig struct {
	Server             string   `toml:"server"`
	User               string   `toml:"user"`
	Password           string   `toml:"password"`
	PasswordFile       string   `toml:"password_file"`
	CACert             string   `toml:"ca_cert"`
	SNI                string   `toml:"sni"`
	PinSHA256          string   `toml:"pin_sha256"`
	InsecureSkipVerify bool     `toml:"insecure_skip_verify"`
	TLSKeylog          string   `toml:"tls_keylog"`
	ClientCert         string   `toml:"client_cert"`
	ClientKey          string   `toml:"client_key"`
	EAPCA              string   `toml:"eap_ca"`
	EAPServerName      string   `toml:"eap_server_name"`
	Auth               []string `toml:"auth"`
	Ifname             string   `toml:"ifname"`
	MTU                int      `toml:"mtu"`
	IPv6               bool     `toml:"ipv6"`
	LogLevel           string   `toml:"log_level"`
	Routes             []string `toml:"routes"`
	DefaultRoute       bool     `toml:"default_route"`
	Metric             int      `toml:"metric"`
	UsePeerDNS         bool     `toml:"use_peer_dns"`
	ResolvConf         string   `toml:"resolv_conf"`
	UpScript           string   `toml:"up_script"`
	DownScript         string   `toml:"down_script"`
	StatusFile         string   `toml:"status_file"`
	Proxy              string   `toml:"proxy"`
	ProxyPasswordFile  string   `toml:"proxy_password_file"`
	Reconnect          *bool    `toml:"reconnect"`
	EchoInterval       duration `toml:"echo_interval"`
	EchoTimeout        duration `toml:"echo_timeout"`
	ConnectTimeout     duration `toml:"connect_timeout"`
	Netifd             bool     `toml:"netifd"`
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
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		return nil, fmt.Errorf("%s:%d: unknown key %q", path, keyLine(string(data), und[0][len(und[0])-1]), k)
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
