package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
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
	PageOutAfter          duration `toml:"page_out_after"`
	NoPushedRoutes        bool     `toml:"no_pushed_routes"`
	NoMSSClamp            bool     `toml:"no_mss_clamp"`
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
		{Key: "page_out_after", Ptr: &fc.PageOutAfter},
		{Key: "no_pushed_routes", Ptr: &fc.NoPushedRoutes}, {Key: "no_mss_clamp", Ptr: &fc.NoMSSClamp},
	}
}

// duration reads TOML strings such as "10s" or "1m30s".
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q%s", b, durationHint(string(b)))
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
	var fc fileConfig
	if err := decodeConfigFile(path, &fc); err != nil {
		return nil, err
	}
	return &fc, nil
}

// decodeConfigFile sets the keys path has in fc, leaving the others alone.
func decodeConfigFile(path string, fc *fileConfig) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fileError("--config", path, err)
	}
	var seen fileConfig
	if err := flattoml.Decode(path, data, seen.keys()); err != nil {
		var fe *flattoml.Error
		if errors.As(err, &fe) && strings.HasPrefix(fe.Msg, "unknown key ") {
			key := strings.Trim(strings.TrimPrefix(fe.Msg, "unknown key "), `"`)
			if s := suggest(key, keyNames()); s != "" {
				return fmt.Errorf("%w: did you mean %q?", err, s)
			}
		}
		return err // "path:line: what"
	}
	if err := checkConfigPerm(path, &seen); err != nil {
		return err
	}
	for _, r := range seen.Routes {
		if _, err := netip.ParsePrefix(strings.TrimSpace(r)); err != nil {
			return fmt.Errorf("%s:%d: bad route %q: want CIDR like 10.1.0.0/16", path, keyLine(string(data), "routes"), r)
		}
	}
	return flattoml.Decode(path, data, fc.keys())
}

// checkConfigPerm refuses a file that others could change to make sstpgo,
// which runs as root, run or overwrite something, or read a secret from.
func checkConfigPerm(path string, fc *fileConfig) error {
	st, err := os.Stat(path)
	if err != nil {
		return fileError("--config", path, err)
	}
	perm := st.Mode().Perm()
	if fc.Password != "" || proxyURLHasPassword(fc.Proxy) {
		if perm&0o077 != 0 {
			return fmt.Errorf("%s holds a password but group or others can read it (mode %04o): chmod 600 %s", path, perm, path)
		}
		return nil
	}
	if perm&0o022 == 0 {
		return nil
	}
	for _, kv := range [][2]string{{"up_script", fc.UpScript}, {"down_script", fc.DownScript},
		{"resolv_conf", fc.ResolvConf}, {"status_file", fc.StatusFile}, {"tls_keylog", fc.TLSKeylog}} {
		if kv[1] != "" {
			return fmt.Errorf("%s sets %s (run or written as root) but group or others can write it (mode %04o): chmod go-w %s", path, kv[0], perm, path)
		}
	}
	return nil
}

// proxyURLHasPassword: http://user:pass@host holds a secret.
func proxyURLHasPassword(u string) bool {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		rest = u
	}
	userinfo, _, ok := strings.Cut(rest, "@")
	return ok && strings.Contains(userinfo, ":")
}

// configPath finds the configuration file: --config FILE, or NAME for
// /etc/sstpgo/NAME.toml, or without --config and --server the default
// /etc/sstpgo/sstpgo.toml if there is one; "" for none.
func configPath(arg string, serverGiven bool) (string, error) {
	if arg == "" {
		p := filepath.Join(defaultConfigDir, "sstpgo.toml")
		if serverGiven {
			return "", nil
		}
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		return "", nil
	}
	if !strings.ContainsRune(arg, '/') {
		if _, err := os.Stat(arg); errors.Is(err, fs.ErrNotExist) {
			p := filepath.Join(defaultConfigDir, strings.TrimSuffix(arg, ".toml")+".toml")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("--config %s: no such file (nor %s)", arg, p)
			}
			return p, nil
		}
	}
	return arg, nil
}

// setValue parses v, a flag's value or a default, into a field of fileConfig.
func setValue(ptr any, v string) string {
	switch d := ptr.(type) {
	case *string:
		*d = v
	case *int:
		n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
		if err != nil {
			return "want a whole number"
		}
		*d = n
	case *[]string:
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				*d = append(*d, e)
			}
		}
	case *bool, **bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "want true or false"
		}
		setBool(ptr, b)
	case *duration:
		t, err := time.ParseDuration(v)
		if err != nil {
			return "not a duration" + durationHint(v)
		}
		if t < 0 {
			return "must not be negative"
		}
		d.Duration = t
	default:
		return "unsupported field type"
	}
	return ""
}

func setBool(ptr any, b bool) {
	switch d := ptr.(type) {
	case *bool:
		*d = b
	case **bool:
		*d = &b
	}
}

// normalizeServer checks --server: HOST, HOST:PORT, [IPv6]:PORT, a bare IPv6
// address, or a pasted https://HOST[:PORT][/] URL. Anything else is a usage
// error here rather than a DNS or TCP failure later.
func normalizeServer(s string) (string, error) {
	in := s
	s = strings.TrimSpace(s)
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("--server %q: %s; want HOST[:PORT], e.g. vpn.example.com or vpn.example.com:4443", in, why)
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if !strings.EqualFold(scheme, "https") {
			return bad("SSTP runs over https, not " + scheme)
		}
		host, path, _ := strings.Cut(rest, "/")
		if path != "" {
			return bad("a path cannot be given (SSTP always uses its own)")
		}
		if strings.ContainsAny(host, "@?#") {
			return bad("user names and queries do not belong in the server address")
		}
		s = host
	}
	if s == "" {
		return bad("empty")
	}
	if strings.ContainsAny(s, "/ ?#@") {
		return bad("not a host name")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Count(s, ":") > 1 || strings.HasPrefix(s, "[") { // IPv6 without a port
			a, err := netip.ParseAddr(strings.Trim(s, "[]"))
			if err != nil {
				return bad("not an IPv6 address")
			}
			return "[" + a.String() + "]", nil
		}
		if strings.HasSuffix(s, ":") {
			return bad("port missing after ':'")
		}
		return s, nil
	}
	if host == "" {
		return bad("host missing")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return bad("port " + port + " is not a number from 1 to 65535")
	}
	return s, nil
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
