package openwrt_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const luciView = "luci/htdocs/luci-static/resources/protocol/sstp.js"

// netifdGeneric are interface options netifd itself handles that a proto
// view may show without the handler declaring them.
var netifdGeneric = []string{"dns"}

type luciOption struct {
	Name, Tab, Type, Datatype, Description string
	Password, Validate                     bool
	Deps                                   [][]string
	Values                                 []string
}

type luciResult struct {
	ReturnedSame bool `json:"returned_same"`
	Name         string
	Virtual      string
	I18n         string
	Ifname       string
	Pkg          string
	Floating     bool
	IsVirtual    bool `json:"is_virtual"`
	Devices      any
	Contains     bool
	Options      []luciOption
	Validate     map[string][]*bool
}

// runLuCI loads the view in node through testdata/luci_harness.js.
func runLuCI(t *testing.T, cases map[string][]string) luciResult {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed (apt-get install nodejs)")
	}
	cf := filepath.Join(t.TempDir(), "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(cf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", "testdata/luci_harness.js", luciView, cf).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var r luciResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("harness output: %v\n%s", err, out)
	}
	return r
}

func TestLuCIViewShape(t *testing.T) {
	r := runLuCI(t, nil)
	if !r.ReturnedSame || r.Name != "sstp" {
		t.Errorf("view must return network.registerProtocol('sstp', …): name %q same %v", r.Name, r.ReturnedSame)
	}
	if r.I18n != "SSTP" || r.Ifname != "sstp-vpn" || r.Pkg != "sstpgo" || !r.Floating || !r.IsVirtual ||
		r.Devices != nil || !r.Contains || r.Virtual != "/^sstp-.+$/" {
		t.Errorf("protocol methods: %+v", r)
	}
}

// TestLuCIMatchesHandler checks every option the handler declares has a
// LuCI field, and every field is declared by the handler (or is netifd's).
func TestLuCIMatchesHandler(t *testing.T) {
	declared, _ := handlerOptions(t)
	r := runLuCI(t, nil)
	fields := map[string]luciOption{}
	for _, o := range r.Options {
		if _, dup := fields[o.Name]; dup {
			t.Errorf("field %q rendered twice", o.Name)
		}
		fields[o.Name] = o
	}
	for name := range declared {
		if _, ok := fields[name]; !ok {
			t.Errorf("handler option %q has no LuCI field", name)
		}
	}
	for name := range fields {
		if _, ok := declared[name]; !ok && !slices.Contains(netifdGeneric, name) {
			t.Errorf("LuCI field %q is not declared by the handler", name)
		}
	}
	// types that must agree with the handler's declarations
	for name, typ := range declared {
		o, ok := fields[name]
		if !ok {
			continue
		}
		switch {
		case typ == "boolean" && o.Type != "Flag":
			t.Errorf("%s: boolean option shown as %s", name, o.Type)
		case typ == "array" && o.Type != "DynamicList":
			t.Errorf("%s: array option shown as %s", name, o.Type)
		case typ != "array" && o.Type == "DynamicList":
			t.Errorf("%s: %s option shown as a list", name, typ)
		}
	}
	for _, name := range []string{"password", "proxy_password"} {
		if !fields[name].Password {
			t.Errorf("%s field is not masked", name)
		}
	}
	// PEM text is multi-line: a password input would drop its newlines
	for _, name := range []string{"ca_cert", "client_cert", "client_key", "eap_ca"} {
		if o := fields[name]; o.Type != "TextValue" || !o.Validate {
			t.Errorf("%s: %s field (validated %v), want a validated TextValue", name, o.Type, o.Validate)
		}
	}
	if d := fields["insecure"].Description; !strings.Contains(d, "Dangerous") {
		t.Errorf("insecure has no warning: %q", d)
	}
}

func TestLuCIValidation(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	colons := strings.TrimSuffix(strings.Repeat("AB:", 32), ":")
	tests := []struct {
		option string
		value  string
		ok     bool
	}{
		{"server", "vpn.example.com", true},
		{"server", "vpn", true},
		{"server", "192.0.2.1", true},
		{"server", "192.0.2.1:4433", true},
		{"server", "[2001:db8::1]:443", true},
		{"server", "2001:db8::1", true},
		{"server", "", false},
		{"server", "bad host", false},
		{"server", "192.0.2.1:0", false},
		{"server", "192.0.2.1:65536", false},
		{"server", "300.1.1.1", false},
		{"server", "-bad.example.com", false},
		{"port", "1", true},
		{"port", "65535", true},
		{"port", "", true},
		{"port", "0", false},
		{"port", "65536", false},
		{"port", "https", false},
		{"ca_cert", "", true},
		{"ca_cert", "/etc/sstpgo/ca.pem", true},
		{"ca_cert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", true},
		{"ca_cert", "-----BEGIN CERTIFICATE-----\nMIIB", false},
		{"ca_cert", "ca.pem", false},
		{"ca_cert", "/etc/", false},
		{"client_cert", "", true},
		{"client_cert", "/etc/sstpgo/client.pem", true},
		{"client_cert", pem, true},
		{"client_cert", pem + "\n" + eapPEM, true},
		{"client_cert", keyPEM, false},
		{"client_cert", "client.pem", false},
		{"client_key", "", true},
		{"client_key", "/etc/sstpgo/client.key", true},
		{"client_key", keyPEM + "\n", true},
		{"client_key", "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----", true},
		{"client_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", true},
		{"client_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END EC PRIVATE KEY-----", false},
		{"client_key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----", false},
		{"client_key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMIIE\n-----END RSA PRIVATE KEY-----", false},
		{"client_key", pem, false},
		{"client_key", "/etc/sstpgo/", false},
		{"client_key", "secret", false},
		{"eap_ca", "", true},
		{"eap_ca", "/etc/sstpgo/nps-ca.pem", true},
		{"eap_ca", eapPEM, true},
		{"eap_ca", "nps-ca.pem", false},
		{"eap_server_name", "", true},
		{"eap_server_name", "nps.example.com", true},
		{"eap_server_name", "nps", true},
		{"eap_server_name", "192.0.2.1", false},
		{"eap_server_name", "bad name", false},
		{"pin_sha256", hex, true},
		{"pin_sha256", colons, true},
		{"pin_sha256", "", true},
		{"pin_sha256", hex[:62], false},
		{"pin_sha256", hex + "00", false},
		{"pin_sha256", strings.Repeat("zz", 32), false},
		{"auth", "mschapv2", true},
		{"auth", "mschapv2,eap", true},
		{"auth", "pap, chap", true},
		{"auth", "mschap", false},
		{"auth", "pap,,chap", false},
		{"routes", "10.0.0.0/8", true},
		{"routes", "192.0.2.1", true},
		{"routes", "2001:db8::/32", true},
		{"routes", "10.0.0.0/33", false},
		{"routes", "example.com/24", false},
		{"proxy", "http://proxy.lan:3128", true},
		{"proxy", "http://user:pw@proxy.lan:3128/", true},
		{"proxy", "socks5://proxy.lan:1080", false},
		{"proxy", "http://proxy.lan:99999", false},
		{"echo_interval", "10", true},
		{"echo_interval", "0", false},
		{"echo_timeout", "3601", false},
		{"echo_timeout", "ten", false},
	}
	cases := map[string][]string{}
	for _, tc := range tests {
		cases[tc.option] = append(cases[tc.option], tc.value)
	}
	r := runLuCI(t, cases)
	idx := map[string]int{}
	for _, tc := range tests {
		i := idx[tc.option]
		idx[tc.option]++
		got := r.Validate[tc.option][i]
		if got == nil {
			t.Errorf("%s has no validate function", tc.option)
			continue
		}
		if *got != tc.ok {
			t.Errorf("validate %s=%q = %v, want %v", tc.option, tc.value, *got, tc.ok)
		}
	}
}
