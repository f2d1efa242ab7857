package openwrt_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	luciPkg  = "feed/luci-proto-sstpgo"
	luciView = luciPkg + "/htdocs/luci-static/resources/protocol/sstp.js"
	luciACL  = luciPkg + "/root/usr/share/rpcd/acl.d/luci-proto-sstpgo.json"
	luciRPCD = luciPkg + "/root/usr/libexec/rpcd/luci.sstpgo"
	luciPOT  = luciPkg + "/po/templates/sstpgo.pot"

	luciPEM    = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
	luciPEM2   = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----"
	luciKeyPEM = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----"
)

// luciGeneric are interface options that current LuCI (luci-mod-network)
// renders itself for every protocol, replacing a protocol's own: the view
// must not define them a second time.
var luciGeneric = []string{"defaultroute", "peerdns", "dns", "metric"}

type luciOption struct {
	Name, Tab, Type, Datatype, Description, Placeholder string
	Password, Validate                                  bool
	Deps                                                [][]string
	Values                                              []string
}

type luciResult struct {
	ReturnedSame bool `json:"returned_same"`
	Name         string
	Virtual      string
	I18n         string
	Ifname       string
	Pkg          string
	PkgName      string `json:"pkg_name"`
	Floating     bool
	IsVirtual    bool `json:"is_virtual"`
	Devices      any
	Contains     bool
	Errors       []string
	ErrorCodes   map[string]string `json:"error_codes"`
	Options      []luciOption
	Validate     map[string][]any // true, or the message LuCI shows
	Widths       map[string]*struct{ Size, Width string }
	PEM          map[string]any
	RPCDeclares  []string `json:"rpc_declares"`
	RPCCalls     [][]any  `json:"rpc_calls"`
	Shown        *struct {
		Text    string
		Pressed bool
		PinSet  []string `json:"pin_set"`
		Modals  int
	}
}

// runLuCI loads the view in node through testdata/luci_harness.js.
func runLuCI(t *testing.T, view string, cases map[string][]string) luciResult {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed (apt-get install nodejs)")
	}
	cf := filepath.Join(t.TempDir(), "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(cf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", "testdata/luci_harness.js", view, cf).CombinedOutput()
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
	r := runLuCI(t, luciView, nil)
	if !r.ReturnedSame || r.Name != "sstp" {
		t.Errorf("view must return network.registerProtocol('sstp', …): name %q same %v", r.Name, r.ReturnedSame)
	}
	// LuCI 23.05/24.10 ask getOpkgPackage, 25.12 (apk) getPackageName
	if r.I18n != "SSTP" || r.Ifname != "sstp-vpn" || r.Pkg != "sstpgo" || r.PkgName != "sstpgo" || !r.Floating || !r.IsVirtual ||
		r.Devices != nil || !r.Contains || r.Virtual != "/^sstp-.+$/" {
		t.Errorf("protocol methods: %+v", r)
	}
}

// TestLuCIMatchesHandler checks every option the handler declares has a
// LuCI field (or one LuCI supplies), and every field is declared by the
// handler.
func TestLuCIMatchesHandler(t *testing.T) {
	declared, _ := handlerOptions(t)
	r := runLuCI(t, luciView, nil)
	fields := map[string]luciOption{}
	for _, o := range r.Options {
		if o.Type == "Button" || o.Type == "DummyValue" {
			continue // not a UCI option
		}
		if _, dup := fields[o.Name]; dup {
			t.Errorf("field %q rendered twice", o.Name)
		}
		fields[o.Name] = o
	}
	for name := range declared {
		if _, ok := fields[name]; !ok && !slices.Contains(luciGeneric, name) {
			t.Errorf("handler option %q has no LuCI field", name)
		}
	}
	for _, name := range luciGeneric {
		if _, ok := fields[name]; ok {
			t.Errorf("field %q is defined by the view, but LuCI renders its own (defined twice)", name)
		}
	}
	for name := range fields {
		if _, ok := declared[name]; !ok {
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
	// one validation path: LuCI runs the datatype first and hands validate
	// what the datatype left behind (for cidr: the prefix length)
	for name, o := range fields {
		if o.Datatype != "" && o.Validate {
			t.Errorf("%s has both datatype %q and a validate function", name, o.Datatype)
		}
		switch o.Type {
		case "Value", "TextValue", "DynamicList":
			if o.Datatype == "" && !o.Validate {
				t.Errorf("%s is not validated", name)
			}
		}
	}
	// routes where a user looks for it: with the server, not among the
	// dead-peer timers
	if o := fields["routes"]; o.Tab != "general" {
		t.Errorf("routes on tab %q, want general", o.Tab)
	}
}

// TestLuCIValidation runs every case through the harness's model of LuCI
// (datatype first, then validate on what it leaves): valid values must pass,
// invalid ones must fail with a message.
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
		{"client_cert", luciPEM, true},
		{"client_cert", luciPEM + "\n" + luciPEM2, true},
		{"client_cert", luciKeyPEM, false},
		{"client_cert", "client.pem", false},
		{"client_key", "", true},
		{"client_key", "/etc/sstpgo/client.key", true},
		{"client_key", luciKeyPEM + "\n", true},
		{"client_key", "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----", true},
		{"client_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", true},
		{"client_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END EC PRIVATE KEY-----", false},
		{"client_key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----", false},
		{"client_key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMIIE\n-----END RSA PRIVATE KEY-----", false},
		{"client_key", luciPEM, false},
		{"client_key", "/etc/sstpgo/", false},
		{"client_key", "secret", false},
		{"eap_ca", "", true},
		{"eap_ca", "/etc/sstpgo/nps-ca.pem", true},
		{"eap_ca", luciPEM2, true},
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
		{"routes", "192.168.30.0/24", true}, // refused by LuCI's datatype-then-validate order before
		{"routes", "10.1.2.3", true},        // a bare address is a /32, as the handler takes it
		{"routes", "2001:db8::1", true},     // and a /128
		{"routes", "10.0.0.0/0", true},
		{"routes", "2001:db8::/129", false},
		{"routes", "10.0.0.0/8/8", false},
		{"routes", "300.0.0.0/8", false},
		{"routes", " 10.0.0.0/8", false},
		{"routes", "192.0.2.1", true},
		{"routes", "2001:db8::/32", true},
		{"routes", "10.0.0.0/33", false},
		{"routes", "example.com/24", false},
		{"proxy", "http://proxy.lan:3128", true},
		{"proxy", "http://user:pw@proxy.lan:3128/", true},
		{"proxy", "socks5://proxy.lan:1080", false},
		{"proxy", "http://proxy.lan:99999", false},
		{"echo_interval", "10", true},
		{"mtu", "1400", true},
		{"mtu", "", true},
		{"mtu", "100", false},
		{"mtu", "15OO", false},
		{"username", "alice", true},
		{"username", "HUB\\alice", true},
		{"username", "alice\nbob", false},
		{"password", "pa ss'\"$(x)", true},
		{"password", "pa\nss", false},
		{"proxy_password", "x\ty", true},
		{"proxy_password", "x\ny", false},
		{"sni", "vpn.example.com", true},
		{"sni", "bad name", false},
		{"sstp_options", "--cert-warn", true},
		{"sstp_options", "--a\n--b", false},
		{"pppd_options", "mtu 1400 debug", true},
		{"pppd_options", "x\ny", false},
		{"echo_interval", "0", false},
		{"echo_timeout", "3601", false},
		{"echo_timeout", "ten", false},
	}
	cases := map[string][]string{}
	for _, tc := range tests {
		cases[tc.option] = append(cases[tc.option], tc.value)
	}
	r := runLuCI(t, luciView, cases)
	idx := map[string]int{}
	for _, tc := range tests {
		i := idx[tc.option]
		idx[tc.option]++
		got := r.Validate[tc.option][i]
		if got == nil {
			t.Errorf("%s has no field", tc.option)
			continue
		}
		msg, failed := got.(string)
		switch {
		case tc.ok && failed:
			t.Errorf("%s=%q refused: %s", tc.option, tc.value, msg)
		case !tc.ok && !failed:
			t.Errorf("%s=%q accepted, want a refusal with a message", tc.option, tc.value)
		case !tc.ok && strings.TrimSpace(msg) == "":
			t.Errorf("%s=%q refused without a message", tc.option, tc.value)
		}
	}
}

// luciHandlerCodes are the codes the handler passes to proto_notify_error
// (directly or through its sstp_block helper).
func luciHandlerCodes(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("files/lib/netifd/proto/sstp.sh")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, m := range regexp.MustCompile(`(?:proto_notify_error|sstp_block)\s+"?\$\{?[a-z]+\}?"?\s+"?([A-Z_0-9]+)`).FindAllStringSubmatch(string(b), -1) {
		if !slices.Contains(codes, m[1]) {
			codes = append(codes, m[1])
		}
	}
	if len(codes) == 0 {
		t.Fatal("no proto_notify_error in the handler")
	}
	return codes
}

func TestLuCIErrorCodes(t *testing.T) {
	r := runLuCI(t, luciView, nil)
	// the handler's codes, and those of the netifd branch's handler
	want := append(luciHandlerCodes(t), "AUTH_FAILED", "CERT_FAILED", "CONNECT_FAILED", "INTERNAL_ERROR",
		"INVALID_OPTIONS", "MISSING_PEER_ADDRESS", "PEER_RESOLVE_FAIL")
	for _, c := range want {
		if r.ErrorCodes[c] == "" {
			t.Errorf("error code %s is not registered (LuCI shows \"Unknown error (%s)\")", c, c)
		}
	}
	// and nothing else: a code the handler never raises is dead text to
	// translate, and a stale one may carry a wrong meaning
	for c := range r.ErrorCodes {
		if !slices.Contains(want, c) {
			t.Errorf("error code %s is registered but the handler never raises it", c)
		}
	}
	// MISSING_PEER_ADDRESS is netifd's code for "no server configured"
	// (proto_notify_error in sstp.sh), as GRE and PPtP use it
	if got := r.ErrorCodes["MISSING_PEER_ADDRESS"]; got != "No SSTP server given" {
		t.Errorf("MISSING_PEER_ADDRESS reads %q, want \"No SSTP server given\"", got)
	}
	// CERT_FAILED names the fingerprint the server presented and how to pin it
	var cert string
	for _, e := range r.Errors {
		if strings.Contains(e, "AB:CD:EF") {
			cert = e
		}
	}
	if cert == "" || !strings.Contains(cert, "pin") {
		t.Errorf("CERT_FAILED with data: errors %q, want the fingerprint and how to pin it", r.Errors)
	}
	if len(r.Errors) != 3 || r.Errors[2] != "Unable to resolve the server name (vpn.example.com)" {
		t.Errorf("errors %q", r.Errors)
	}
}

func TestLuCIPinFieldWidth(t *testing.T) {
	r := runLuCI(t, luciView, nil)
	w := r.Widths["pin_sha256"]
	if w == nil {
		t.Fatal("pin_sha256 renders no input")
	}
	var n int
	if m := regexp.MustCompile(`(\d+)ch`).FindStringSubmatch(w.Width); m != nil {
		n = atoi(m[1])
	}
	if n < 64 || atoi(w.Size) < 64 {
		t.Errorf("pin_sha256 input: size %q width %q, want room for 64 hex digits", w.Size, w.Width)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestLuCICertificateFiles: PEM text goes to files under /etc/sstpgo (0600,
// written by the rpcd plugin); UCI holds only the path.
func TestLuCICertificateFiles(t *testing.T) {
	r := runLuCI(t, luciView, nil)
	p := r.PEM
	get := func(name, key string) any {
		m, _ := p[name].(map[string]any)
		return m[key]
	}
	if get("client_cert", "loaded") != "STORED CERT\n" {
		t.Errorf("a stored certificate is shown as %v, want its PEM text", get("client_cert", "loaded"))
	}
	if get("ca_cert", "loaded") != luciPEM || get("ca_cert", "forcewrite") != true {
		t.Errorf("PEM text in /etc/config/network must be moved to a file on save: %v", p["ca_cert"])
	}
	if get("client_key", "loaded") != "/etc/sstpgo/vpn.client.key" {
		t.Errorf("a stored key shows as %v, want its path (never the key)", get("client_key", "loaded"))
	}
	if get("eap_ca", "loaded") != "/root/ca.pem" {
		t.Errorf("a path given by the user is kept: %v", p["eap_ca"])
	}
	if p["after_write"] != "/etc/sstpgo/vpn.client.key" {
		t.Errorf("after writing the key UCI holds %v, want the path the plugin returned", p["after_write"])
	}
	if p["after_remove"] != nil {
		t.Errorf("after removing the key UCI holds %v", p["after_remove"])
	}
	if p["path_write"] != "/etc/ssl/my-ca.pem" {
		t.Errorf("a path is stored as is: %v", p["path_write"])
	}
	var sets [][]any
	for _, c := range r.RPCCalls {
		if c[1] == "setCertificate" {
			sets = append(sets, c[2].([]any))
		}
	}
	if len(sets) != 2 || sets[0][1] != "client_key" || sets[1][2] != "" {
		t.Errorf("setCertificate calls %v, want the key written then removed", sets)
	}
}

// TestLuCIShowCertificate: the button fetches the certificate through rpcd
// with the form's server, port, sni and proxy, shows it inline, and "Trust
// this certificate" fills pin_sha256.
func TestLuCIShowCertificate(t *testing.T) {
	r := runLuCI(t, luciView, nil)
	var args []any
	for _, c := range r.RPCCalls {
		if c[1] == "showCert" {
			args = c[2].([]any)
		}
	}
	if len(args) < 2 || args[0] != "vpn.example.com" || args[1] != "4443" {
		t.Fatalf("showCert called with %v", args)
	}
	if r.Shown == nil {
		t.Fatal("no show-certificate button")
	}
	for _, want := range []string{"CN=vpn", "2035-01-01", strings.Repeat("ab", 32)} {
		if !strings.Contains(r.Shown.Text, want) {
			t.Errorf("dialog lacks %q: %s", want, r.Shown.Text)
		}
	}
	if !r.Shown.Pressed || !slices.Equal(r.Shown.PinSet, []string{strings.Repeat("ab", 32)}) {
		t.Errorf("trust button: pressed %v, pin set to %q", r.Shown.Pressed, r.Shown.PinSet)
	}
	// the interface editor is a modal already: a second one would close it
	if r.Shown.Modals != 0 {
		t.Errorf("the certificate opened %d modal dialogs, want it shown inline", r.Shown.Modals)
	}
}

// TestLuCIRPCACL: every rpc method the view declares is granted by the ACL
// file and served by the exec plugin, and nothing more is granted.
func TestLuCIRPCACL(t *testing.T) {
	r := runLuCI(t, luciView, nil)
	b, err := os.ReadFile(luciACL)
	if err != nil {
		t.Fatal(err)
	}
	var acl map[string]struct {
		Description string
		Read, Write struct {
			Ubus map[string][]string
			UCI  []string `json:"uci"`
		}
	}
	if err := json.Unmarshal(b, &acl); err != nil {
		t.Fatalf("ACL: %v", err)
	}
	g, ok := acl["luci-proto-sstpgo"]
	if !ok || g.Description == "" {
		t.Fatalf("ACL group luci-proto-sstpgo missing: %s", b)
	}
	var granted []string
	for obj, ms := range g.Read.Ubus {
		for _, m := range ms {
			granted = append(granted, obj+"."+m)
		}
	}
	if len(granted) != 0 {
		t.Errorf("read access grants %v: showing certificates, reading keys and connecting out need write access", granted)
	}
	for obj, ms := range g.Write.Ubus {
		for _, m := range ms {
			granted = append(granted, obj+"."+m)
		}
	}
	slices.Sort(granted)
	declared := slices.Clone(r.RPCDeclares)
	slices.Sort(declared)
	if !slices.Equal(granted, declared) {
		t.Errorf("ACL grants %v, the view calls %v", granted, declared)
	}
	plugin, err := os.ReadFile(luciRPCD)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(luciRPCD); fi.Mode().Perm() != 0o755 {
		t.Errorf("%s mode %o, want 0755", luciRPCD, fi.Mode().Perm())
	}
	if !strings.Contains(string(plugin), "/usr/sbin/sstpgo rpcd-luci") {
		t.Errorf("rpcd plugin does not run sstpgo rpcd-luci:\n%s", plugin)
	}
	checkScript(t, luciRPCD, plugin)
}

// TestLuCITranslations: every string the view translates is in the .pot,
// which must parse as a gettext template.
func TestLuCITranslations(t *testing.T) {
	view, err := os.ReadFile(luciView)
	if err != nil {
		t.Fatal(err)
	}
	pot, err := os.ReadFile(luciPOT)
	if err != nil && os.Getenv("SSTPGO_UPDATE_POT") == "" {
		t.Fatalf("%v (SSTPGO_UPDATE_POT=1 go test -run TestLuCITranslations ./openwrt/ writes it)", err)
	}
	if os.Getenv("SSTPGO_UPDATE_POT") != "" {
		pot = writePOT(t, view)
	}
	ids := potMsgids(t, string(pot))
	n := 0
	for _, m := range luciStringRE.FindAllStringSubmatch(string(view), -1) {
		n++
		s := jsUnquote(m[1])
		if !ids[s] {
			t.Errorf("%q is not in %s", s, luciPOT)
		}
	}
	if n < 50 {
		t.Errorf("found only %d translated strings in the view", n)
	}
	// translations: no msgid that the view no longer has
	pos, _ := filepath.Glob(luciPkg + "/po/*/*.po")
	for _, p := range pos {
		if strings.Contains(p, "/templates/") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for id := range potMsgids(t, string(b)) {
			if id != "" && !ids[id] {
				t.Errorf("%s translates %q, which the view does not use", p, id)
			}
		}
	}
	if len(pos) == 0 {
		t.Error("no translation in po/")
	}
	if strings.Contains(string(view), `_("`) {
		t.Error("translated strings must use single quotes (the .pot test reads those)")
	}
}

func jsUnquote(s string) string {
	r := strings.NewReplacer(`\'`, `'`, `\\`, `\`, `\n`, "\n", `\"`, `"`)
	return r.Replace(s)
}

// potMsgids parses msgid entries (with continuation lines) of a .pot file.
func potMsgids(t *testing.T, pot string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	var cur *strings.Builder
	flush := func() {
		if cur != nil {
			ids[cur.String()] = true
			cur = nil
		}
	}
	unq := func(l string) string {
		var s string
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("pot line %q: %v", l, err)
		}
		return s
	}
	for _, l := range strings.Split(pot, "\n") {
		switch {
		case strings.HasPrefix(l, "msgid "):
			flush()
			cur = &strings.Builder{}
			cur.WriteString(unq(strings.TrimPrefix(l, "msgid ")))
		case strings.HasPrefix(l, `"`) && cur != nil:
			cur.WriteString(unq(l))
		case strings.HasPrefix(l, "msgstr"):
			flush()
		}
	}
	flush()
	return ids
}

var luciStringRE = regexp.MustCompile(`\b_\(\s*'((?:[^'\\]|\\.)*)'\s*\)`)

// writePOT regenerates the template from the view's _('...') strings, in
// order of appearance, as LuCI's i18n-scan does.
func writePOT(t *testing.T, view []byte) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\"\n")
	seen := map[string]bool{}
	for _, m := range luciStringRE.FindAllStringSubmatch(string(view), -1) {
		s := jsUnquote(m[1])
		if seen[s] {
			continue
		}
		seen[s] = true
		q, _ := json.Marshal(s)
		qs := strings.ReplaceAll(string(q), `\u003c`, "<")
		qs = strings.ReplaceAll(qs, `\u003e`, ">")
		qs = strings.ReplaceAll(qs, `\u0026`, "&")
		b.WriteString("\n#: " + strings.TrimPrefix(luciView, luciPkg+"/") + "\nmsgid " + qs + "\nmsgstr \"\"\n")
	}
	if err := os.MkdirAll(filepath.Dir(luciPOT), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(luciPOT, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

// An empty dead-peer field leaves sstpgo's own default (the handler passes
// nothing), so the placeholder must show that default, not pppd's.
func TestLuCIEchoPlaceholdersAreSstpgoDefaults(t *testing.T) {
	r := runLuCI(t, luciView, nil)
	want := map[string]string{"echo_interval": "10", "echo_timeout": "20"} // flaglist.go: 10s, 20s
	for _, o := range r.Options {
		if w, ok := want[o.Name]; ok && o.Placeholder != w {
			t.Errorf("%s placeholder %q, want sstpgo's default %q seconds", o.Name, o.Placeholder, w)
		}
	}
}
