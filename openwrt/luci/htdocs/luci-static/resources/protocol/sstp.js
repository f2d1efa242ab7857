'use strict';
'require form';
'require network';
'require tools.widgets as widgets';

// LuCI protocol view for proto 'sstp' served by sstpgo. Every option here is
// declared by /lib/netifd/proto/sstp.sh (proto_sstp_init_config), and the
// reverse; the sstp-client options keep their names so existing configs
// work unchanged.

network.registerPatternVirtual(/^sstp-.+$/);

var authMethods = [ 'pap', 'chap', 'mschapv2', 'eap' ];

function isHost(v) {
	if (/^[0-9.]+$/.test(v))
		return /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v);
	if (v.indexOf(':') >= 0)
		return /^[0-9a-fA-F:.]+$/.test(v) && v.split('::').length <= 2 && v.length >= 2;
	return v.length <= 253 &&
		/^([A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/.test(v);
}

function isPort(v) {
	return /^\d{1,5}$/.test(v) && +v >= 1 && +v <= 65535;
}

function validateServer(section_id, value) {
	var v = (value || '').trim(), m;
	if (v === '')
		return _('The server is required');
	if ((m = v.match(/^\[([^\]]+)\](?::(\d+))?$/)) != null) {
		if (!isHost(m[1]) || m[1].indexOf(':') < 0)
			return _('Expecting an IPv6 address in brackets');
		return (m[2] == null || isPort(m[2])) ? true : _('Port must be between 1 and 65535');
	}
	if ((m = v.match(/^([^:]+):(\d*)$/)) != null) {
		if (!isPort(m[2]))
			return _('Port must be between 1 and 65535');
		v = m[1];
	}
	return isHost(v) ? true : _('Expecting a host name or an IP address');
}

function validatePort(section_id, value) {
	if (value == null || value === '')
		return true;
	return isPort(value) ? true : _('Port must be between 1 and 65535');
}

// isPath: an absolute path of a file (not a directory), no spaces.
function isPath(v) {
	return /^\/[^\s]*[^\/\s]$/.test(v);
}

function validateCACert(section_id, value) {
	var v = (value || '').trim();
	if (v === '')
		return true;
	if (v.charAt(0) === '/')
		return isPath(v) ? true : _('Expecting the path of a PEM file');
	if (/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(v))
		return true;
	return _('Paste a PEM certificate (-----BEGIN CERTIFICATE----- …) or give the path of a PEM file');
}

// validateKey: PKCS#8, PKCS#1 or SEC 1 PEM text, or a path; sstpgo reads
// no encrypted keys.
function validateKey(section_id, value) {
	var v = (value || '').trim(), m;
	if (v === '')
		return true;
	if (v.charAt(0) === '/')
		return isPath(v) ? true : _('Expecting the path of a PEM file');
	if (/^-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(v) || /Proc-Type: 4,ENCRYPTED/.test(v))
		return _('Encrypted keys are not supported: store the key unencrypted (openssl pkey -in key.pem -out plain.pem)');
	if ((m = v.match(/^-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]+-----END ([A-Z ]+)-----$/)) != null && m[1] === m[2])
		return true;
	return _('Paste a PEM private key (-----BEGIN PRIVATE KEY----- …) or give the path of a PEM file');
}

function validateName(section_id, value) {
	var v = (value || '').trim();
	if (v === '')
		return true;
	return (isHost(v) && /[A-Za-z]/.test(v)) ? true : _('Expecting a host name, e.g. nps.example.com');
}

function validatePin(section_id, value) {
	var v = (value || '').trim();
	if (v === '')
		return true;
	if (/^[0-9a-fA-F]{64}$/.test(v) || /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){31}$/.test(v))
		return true;
	return _('Expecting a SHA-256 fingerprint: 64 hexadecimal digits (colons allowed)');
}

function validateAuth(section_id, value) {
	var v = (value || '').trim();
	if (v === '')
		return true;
	var parts = v.split(',');
	for (var i = 0; i < parts.length; i++)
		if (authMethods.indexOf(parts[i].trim()) < 0)
			return _('Expecting a comma-separated list of: pap, chap, mschapv2, eap');
	return true;
}

function validateCIDR(section_id, value) {
	var v = (value || '').trim(), m;
	if (v === '')
		return true;
	if ((m = v.match(/^([^\/]+)(?:\/(\d{1,3}))?$/)) == null || !isHost(m[1]) || !/^[0-9a-fA-F:.]+$/.test(m[1]))
		return _('Expecting a network in CIDR notation, e.g. 10.0.0.0/8');
	var max = m[1].indexOf(':') >= 0 ? 128 : 32;
	return (m[2] == null || +m[2] <= max) ? true : _('Expecting a network in CIDR notation, e.g. 10.0.0.0/8');
}

function validateProxy(section_id, value) {
	var v = (value || '').trim(), m;
	if (v === '')
		return true;
	if ((m = v.match(/^https?:\/\/(?:[^@\/\s]+@)?([^\/:\s]+|\[[0-9a-fA-F:.]+\])(?::(\d+))?\/?$/)) == null)
		return _('Expecting a proxy URL such as http://proxy.lan:3128');
	return (m[2] == null || isPort(m[2])) ? true : _('Port must be between 1 and 65535');
}

function validateSeconds(section_id, value) {
	if (value == null || value === '')
		return true;
	return (/^\d+$/.test(value) && +value >= 1 && +value <= 3600) ? true : _('Expecting seconds between 1 and 3600');
}

return network.registerProtocol('sstp', {
	getI18n: function() {
		return _('SSTP');
	},

	getIfname: function() {
		return this._ubus('l3_device') || 'sstp-%s'.format(this.sid);
	},

	getOpkgPackage: function() {
		return 'sstpgo';
	},

	isFloating: function() {
		return true;
	},

	isVirtual: function() {
		return true;
	},

	getDevices: function() {
		return null;
	},

	containsDevice: function(ifname) {
		return (network.getIfnameOf(ifname) == this.getIfname());
	},

	renderFormOptions: function(s) {
		var dev = this.getL3Device() || this.getDevice(), o;

		o = s.taboption('general', form.Value, 'server', _('SSTP Server'),
			_('Host name or IP address of the server, optionally with :port.'));
		o.rmempty = false;
		o.validate = validateServer;

		o = s.taboption('general', form.Value, 'port', _('Port'),
			_('TCP port of the server (default 443).'));
		o.placeholder = '443';
		o.datatype = 'port';
		o.validate = validatePort;

		o = s.taboption('general', form.Value, 'username', _('Username'),
			_('For SoftEther servers also <code>user@HUB</code> or <code>HUB\\user</code>.'));

		o = s.taboption('general', form.Value, 'password', _('Password'),
			_('Kept in a root-only file while the tunnel is up; never put on a command line. Not needed with a client certificate.'));
		o.password = true;

		o = s.taboption('general', form.TextValue, 'client_cert', _('Client certificate'),
			_('Authenticate with EAP-TLS: PEM text of the client certificate (and its chain) or the path of a PEM file. Needs the private key below; the password is then optional.'));
		o.rows = 4;
		o.monospace = true;
		o.validate = validateCACert;

		o = s.taboption('general', form.TextValue, 'client_key', _('Client private key'),
			_('Path of the PEM private key file (best: mode 0600, outside /etc/config), or its PEM text, which is kept in /etc/config/network and written to a root-only file while the tunnel is up. Unencrypted keys only.'));
		o.rows = 4;
		o.monospace = true;
		o.validate = validateKey;

		o = s.taboption('general', form.TextValue, 'ca_cert', _('CA certificate'),
			_('PEM text of the CA (or self-signed server certificate) to trust, or the path of a PEM file. Empty: the system CA bundle is used.'));
		o.rows = 4;
		o.monospace = true;
		o.validate = validateCACert;

		o = s.taboption('general', form.Value, 'pin_sha256', _('Certificate SHA-256 fingerprint'),
			_('Accept only a server certificate with this SHA-256 fingerprint (64 hexadecimal digits). Works with self-signed certificates.'));
		o.validate = validatePin;

		o = s.taboption('general', form.Flag, 'insecure', _('Do not verify the server certificate'),
			_('<strong>Dangerous:</strong> anyone between this router and the server can pretend to be the server, read your password and all the traffic. Use a CA certificate or a fingerprint instead.'));
		o.default = o.disabled;

		o = s.taboption('advanced', form.Flag, 'authfail', _('Stop after an authentication failure'),
			_('Leave the interface down when the server refuses the credentials. Unchecked, it is retried after 5 s, 10 s, 20 s … up to 5 min (a RADIUS server that fails now and then), at the risk of locking the account.'));
		o.default = o.enabled;

		o = s.taboption('advanced', form.Flag, 'require_pfs', _('Require forward secrecy'),
			_('Refuse servers that only take RSA key exchange (MikroTik with pfs=no, some old Windows servers). Without this sstpgo connects to them with a warning in the log.'));
		o.default = o.disabled;

		o = s.taboption('advanced', form.Value, 'sni', _('TLS server name'),
			_('Name sent in TLS SNI and checked against the certificate, when it differs from the server address.'));
		o.datatype = 'hostname';

		o = s.taboption('advanced', form.TextValue, 'eap_ca', _('EAP-TLS server CA'),
			_('With a client certificate: PEM text or path of the CA that signs the EAP server (e.g. NPS) certificate. Empty: the CA certificate above, else the system CA bundle.'));
		o.rows = 3;
		o.monospace = true;
		o.validate = validateCACert;

		o = s.taboption('advanced', form.Value, 'eap_server_name', _('EAP-TLS server name'),
			_('With a client certificate: the name the EAP server certificate must carry. Empty: any name signed by the EAP-TLS server CA.'));
		o.validate = validateName;

		o = s.taboption('advanced', form.Value, 'auth', _('Authentication methods'),
			_('Comma-separated list of allowed methods: pap, chap, mschapv2, eap. Empty: all; the strongest the server offers is used.'));
		o.placeholder = 'mschapv2,eap,chap,pap';
		o.validate = validateAuth;

		o = s.taboption('advanced', form.Flag, 'ipv6', _('IPv6 support'),
			_('Negotiate IPv6 (IPV6CP) on the tunnel.'));

		o = s.taboption('advanced', form.Flag, 'defaultroute', _('Use default gateway'),
			_('If unchecked, no default route is configured'));
		o.default = o.enabled;

		o = s.taboption('advanced', form.Value, 'metric', _('Use gateway metric'));
		o.placeholder = '0';
		o.datatype = 'uinteger';
		o.depends('defaultroute', '1');

		o = s.taboption('advanced', form.DynamicList, 'routes', _('Routes through the tunnel'),
			_('Networks (CIDR) to reach through the tunnel, e.g. when the default gateway is not used.'));
		o.datatype = 'cidr';
		o.validate = validateCIDR;

		o = s.taboption('advanced', form.Flag, 'peerdns', _('Use DNS servers advertised by peer'),
			_('If unchecked, the advertised DNS server addresses are ignored'));
		o.default = o.enabled;

		o = s.taboption('advanced', form.DynamicList, 'dns', _('Use custom DNS servers'));
		o.depends('peerdns', '0');
		o.datatype = 'ipaddr';

		o = s.taboption('advanced', form.Value, 'mtu', _('Override MTU'));
		o.placeholder = dev ? (dev.getMTU() || '1400') : '1400';
		o.datatype = 'range(576,9200)';

		o = s.taboption('advanced', widgets.NetworkSelect, 'tunlink', _('Tunnel Link'),
			_('The uplink the server is reached through; the route to the server is pinned on it.'));
		o.nocreate = true;

		o = s.taboption('advanced', form.Value, 'proxy', _('HTTP proxy'),
			_('Connect through an HTTP proxy (CONNECT), e.g. http://proxy.lan:3128. A password in the URL is visible to local users: put only the user there and the password below.'));
		o.validate = validateProxy;

		o = s.taboption('advanced', form.Value, 'proxy_password', _('HTTP proxy password'),
			_('Password of the user in the proxy URL (http://user@proxy.lan:3128); kept in a root-only file while the tunnel is up, never on a command line.'));
		o.password = true;

		o = s.taboption('advanced', form.Value, 'echo_interval', _('Dead peer detection interval'),
			_('Seconds of silence before an echo request is sent.'));
		o.placeholder = '60';
		o.datatype = 'range(1,3600)';
		o.validate = validateSeconds;

		o = s.taboption('advanced', form.Value, 'echo_timeout', _('Dead peer detection timeout'),
			_('Seconds to wait for the echo reply before reconnecting.'));
		o.placeholder = '60';
		o.datatype = 'range(1,3600)';
		o.validate = validateSeconds;

		o = s.taboption('advanced', form.ListValue, 'log_level', _('Log level'));
		o.value('', _('default (info)'));
		o.value('error', _('error'));
		o.value('warn', _('warning'));
		o.value('info', _('info'));
		o.value('debug', _('debug'));
		o.value('0', _('0 (sstp-client, error)'));
		o.value('1', _('1 (sstp-client, warning)'));
		o.value('2', _('2 (sstp-client, info)'));
		o.value('3', _('3 (sstp-client, debug)'));
		o.value('4', _('4 (sstp-client, debug)'));

		o = s.taboption('advanced', form.Value, 'sstp_options', _('Extra sstp-client options'),
			_('Accepted for compatibility with sstp-client: options with an sstpgo equivalent are used, the others are ignored and logged.'));

		o = s.taboption('advanced', form.Value, 'pppd_options', _('Extra pppd options'),
			_('Accepted for compatibility with sstp-client: mtu, lcp-echo-*, refuse-*/require-*, +ipv6 and debug are used, the others are ignored and logged.'));

		// LAN features (docs/LAN.md)
		o = s.taboption('advanced', form.Flag, 'pushed_routes', _('Routes and DNS domains from the server'),
			_('Ask the server for routes and DNS domains after connecting (DHCPINFORM, as Windows does): the routes go through the tunnel and dnsmasq sends names under the domains to the tunnel\'s DNS servers.'));
		o.default = o.enabled;

		o = s.taboption('advanced', form.Flag, 'mss_clamp', _('Clamp TCP MSS'),
			_('Fit the segment size of TCP connections through the tunnel to its MTU, so large transfers (file shares, remote desktop) work where ICMP is filtered.'));
		o.default = o.enabled;

		o = s.taboption('advanced', widgets.ZoneSelect, 'zone', _('Firewall zone'),
			_('Zone of the tunnel when the firewall configuration lists it in none; default wan (masquerading, MSS fix).'));
		o.nocreate = true;
	}
});
