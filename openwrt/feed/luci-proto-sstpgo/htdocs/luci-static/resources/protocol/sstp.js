'use strict';
'require form';
'require network';
'require rpc';
'require ui';
'require tools.widgets as widgets';

// LuCI protocol view for proto 'sstp' served by sstpgo. Every option here is
// declared by /lib/netifd/proto/sstp.sh (proto_sstp_init_config), and the
// reverse, except defaultroute, peerdns, dns and metric, which LuCI renders
// itself for every protocol. The sstp-client options keep their names so
// existing configs work unchanged.
//
// Validation: each field has ONE path, a validate function. LuCI runs a
// datatype first and hands validate only what the datatype left behind
// (after 'cidr', the prefix length), so the two are never combined here.
//
// Works with the LuCI of OpenWrt 23.05, 24.10 and 25.12.

var callShowCert = rpc.declare({
	object: 'luci.sstpgo',
	method: 'showCert',
	params: [ 'server', 'port', 'sni', 'proxy' ],
	expect: { '': {} }
});

var callGetCertificates = rpc.declare({
	object: 'luci.sstpgo',
	method: 'getCertificates',
	params: [ 'interface' ],
	expect: { '': {} }
});

var callSetCertificate = rpc.declare({
	object: 'luci.sstpgo',
	method: 'setCertificate',
	params: [ 'interface', 'option', 'pem' ],
	expect: { '': {} }
});

network.registerPatternVirtual(/^sstp-.+$/);

// Every code /lib/netifd/proto/sstp.sh passes to proto_notify_error. LuCI
// knows some already (registerErrorCode then keeps its own text).
network.registerErrorCode('AUTH_FAILED', _('Authentication failed: check the username and password, or the client certificate and key'));
network.registerErrorCode('CERT_FAILED', _('The server certificate was rejected: trust it with the CA certificate or its SHA-256 fingerprint'));
network.registerErrorCode('PEER_RESOLVE_FAIL', _('Unable to resolve the server name'));
network.registerErrorCode('INVALID_OPTIONS', _('Invalid options: see the system log for the option sstpgo refused'));
network.registerErrorCode('INVALID_IFNAME', _('The interface name is too long: the tunnel device sstp-NAME must fit in 15 characters'));
network.registerErrorCode('CONNECT_FAILED', _('Connection to the server failed'));
network.registerErrorCode('INTERNAL_ERROR', _('sstpgo stopped on an internal error: see the system log'));
network.registerErrorCode('MISSING_PEER_ADDRESS', _('No SSTP server given'));

var authMethods = [ 'pap', 'chap', 'mschapv2', 'eap' ];

// the files the rpcd plugin keeps under /etc/sstpgo (0600), per option
var certFiles = {
	ca_cert: 'ca.pem',
	client_cert: 'client.pem',
	client_key: 'client.key',
	eap_ca: 'eapca.pem'
};

function isIPv4(v) {
	return /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v);
}

function isIPv6(v) {
	if (!/^[0-9a-fA-F:]+$/.test(v) && !/^[0-9a-fA-F:]+:\d+\.\d+\.\d+\.\d+$/.test(v))
		return false;
	var m = v.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/), words = 0, halves, i;
	if (m != null) {
		if (!isIPv4(m[2]))
			return false;
		v = m[1] + '0:0';
	}
	halves = v.split('::');
	if (halves.length > 2)
		return false;
	for (i = 0; i < halves.length; i++) {
		if (halves[i] === '')
			continue;
		var parts = halves[i].split(':');
		for (var j = 0; j < parts.length; j++)
			if (!/^[0-9a-fA-F]{1,4}$/.test(parts[j]))
				return false;
		words += parts.length;
	}
	return halves.length == 2 ? words <= 7 : words == 8;
}

function isHost(v) {
	if (/^[0-9.]+$/.test(v))
		return isIPv4(v);
	if (v.indexOf(':') >= 0)
		return isIPv6(v);
	return v.length <= 253 &&
		/^([A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/.test(v);
}

function isPort(v) {
	return /^\d{1,5}$/.test(v) && +v >= 1 && +v <= 65535;
}

// noControl: free text must stay on one line (the handler reads it from
// UCI as one value; a newline in a password would end it early).
function noControl(v) {
	return !/[\x00-\x1f\x7f]/.test(v.replace(/\t/g, ' '));
}

function validateServer(section_id, value) {
	var v = (value || '').trim(), m;
	if (v === '')
		return _('The server is required');
	if ((m = v.match(/^\[([^\]]+)\](?::(\d+))?$/)) != null) {
		if (!isIPv6(m[1]))
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

function validateText(section_id, value) {
	return noControl(value || '') ? true : _('Must be a single line without control characters');
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
	return _('Paste a PEM certificate (-----BEGIN CERTIFICATE----- …), upload one, or give the path of a PEM file');
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
	return _('Paste a PEM private key (-----BEGIN PRIVATE KEY----- …), upload one, or give the path of a PEM file');
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

// validateRoute: what the handler takes, a network in CIDR notation or a
// bare address (a /32 or /128).
function validateRoute(section_id, value) {
	var v = value || '', m;
	if (v === '')
		return true;
	m = v.match(/^([0-9a-fA-F:.]+)(?:\/(\d{1,3}))?$/);
	if (m != null && isIPv4(m[1]) && (m[2] == null || +m[2] <= 32))
		return true;
	if (m != null && m[1].indexOf(':') >= 0 && isIPv6(m[1]) && (m[2] == null || +m[2] <= 128))
		return true;
	return _('Expecting a network in CIDR notation (10.0.0.0/8, 2001:db8::/32) or an address');
}

// routeCIDR gives a bare address its host prefix, as the handler reads it.
function routeCIDR(v) {
	v = String(v).trim();
	if (v.indexOf('/') >= 0)
		return v;
	return v + (v.indexOf(':') >= 0 ? '/128' : '/32');
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

function validateMTU(section_id, value) {
	if (value == null || value === '')
		return true;
	return (/^\d+$/.test(value) && +value >= 576 && +value <= 9200) ? true : _('Expecting an MTU between 576 and 9200');
}

// pemOption: a certificate or key. Pasted or uploaded PEM text is stored by
// the rpcd plugin as /etc/sstpgo/<interface>.<file> (mode 0600) and UCI
// keeps only that path; a path typed by the user is kept as it is. PEM text
// that older versions kept in /etc/config/network moves to a file on save.
function pemOption(s, tab, name, title, description, validate, rows, certs) {
	var o = s.taboption(tab, form.TextValue, name, title, description);
	o.rows = rows;
	o.monospace = true;
	o.validate = validate;

	var managed = function(section_id, v) {
		return v === '/etc/sstpgo/' + section_id + '.' + certFiles[name];
	};

	o.load = function(section_id) {
		var v = form.TextValue.prototype.load.call(this, section_id);
		if (v != null && /-----BEGIN /.test(v))
			this.forcewrite = true;
		// a stored key is never read back into the browser: its path shows
		if (!managed(section_id, v) || name == 'client_key')
			return v;
		return certs(section_id).then(function(c) {
			return (c && c[name] && c[name].pem) || v;
		});
	};

	o.write = function(section_id, value) {
		var v = String(value).trim(), self = this;
		if (v.charAt(0) === '/')
			return form.TextValue.prototype.write.call(this, section_id, v);
		return callSetCertificate(section_id, name, v).then(function(r) {
			if (!r || r.error || !r.path)
				throw new Error(_('Storing %s failed: %s').format(title, (r && r.error) || _('no answer from rpcd')));
			return form.TextValue.prototype.write.call(self, section_id, r.path);
		});
	};

	o.remove = function(section_id) {
		var v = form.TextValue.prototype.load.call(this, section_id);
		form.TextValue.prototype.remove.call(this, section_id);
		if (managed(section_id, v))
			return callSetCertificate(section_id, name, '');
	};

	// an upload button beside the text area: the file's text lands in it
	o.renderWidget = function(section_id, option_index, cfgvalue) {
		var node = form.TextValue.prototype.renderWidget.apply(this, arguments), self = this;
		var input = E('input', { 'type': 'file', 'accept': '.pem,.crt,.cer,.key', 'style': 'display:none' });
		input.addEventListener('change', function(ev) {
			var f = ev.target.files && ev.target.files[0];
			if (!f)
				return;
			f.text().then(function(text) {
				self.getUIElement(section_id).setValue(text.trim());
				self.getUIElement(section_id).triggerValidation();
			});
		});
		return E([], [ node, E('div', {}, [
			input,
			E('button', {
				'class': 'cbi-button cbi-button-action',
				'click': function(ev) { ev.preventDefault(); input.click(); }
			}, [ _('Upload file…') ])
		]) ]);
	};
	return o;
}

function certRow(label, value) {
	return E('tr', { 'class': 'tr' }, [
		E('td', { 'class': 'td left', 'style': 'width:25%' }, [ label ]),
		E('td', { 'class': 'td left', 'style': 'word-break:break-all' }, [ value || '-' ])
	]);
}

// showCertificate fetches the certificate the server presents now (through
// rpcd: sstpgo show-cert, unverified, no credentials sent) into box, with a
// button that pins it. Inline, not in a modal: the interface editor already
// is one, and a second would close it with the user's changes.
function showCertificate(map, s, section_id, box) {
	var val = function(n) { var v = s.formvalue(section_id, n); return v == null ? '' : String(v).trim(); };
	var server = val('server');
	var show = function(children) {
		box.innerHTML = '';
		box.appendChild(E('div', { 'class': 'cbi-section' }, children));
	};
	if (server === '') {
		show([ E('p', {}, [ _('Enter the server first.') ]) ]);
		return Promise.resolve();
	}
	return callShowCert(server, val('port'), val('sni'), val('proxy')).then(function(r) {
		if (!r || r.error || !r.sha256) {
			show([ E('p', {}, [ _('Could not fetch the certificate of %s: %s').format(server, (r && r.error) || _('no answer')) ]) ]);
			return;
		}
		show([
			E('p', {}, [ _('The server %s presents this certificate. It was fetched without checking it: compare the fingerprint with the one the server administrator gives you before you trust it.').format(r.server) ]),
			E('table', { 'class': 'table' }, [
				certRow(_('Subject'), r.subject),
				certRow(_('Issuer'), r.issuer),
				certRow(_('Valid from'), r.not_before),
				certRow(_('Valid until'), r.not_after + (r.expired ? ' (' + _('expired') + ')' : '')),
				certRow(_('Names'), (r.dns_names || []).join(', ')),
				certRow(_('SHA-256'), E('code', {}, [ r.sha256 ])),
				certRow(_('Check against the system CAs'), r.verify_error ? _('fails: %s').format(r.verify_error) : _('passes'))
			]),
			E('button', {
				'class': 'cbi-button cbi-button-positive',
				'click': function(ev) {
					if (ev && ev.preventDefault)
						ev.preventDefault();
					var pin = map.lookupOption('pin_sha256', section_id);
					if (pin && pin[0]) {
						var el = pin[0].getUIElement(pin[1]);
						el.setValue(r.sha256);
						el.triggerValidation();
					}
					box.innerHTML = '';
					box.appendChild(E('p', {}, [ _('Fingerprint filled in: save the interface to use it.') ]));
				}
			}, [ _('Trust this certificate') ])
		]);
	});
}

return network.registerProtocol('sstp', {
	getI18n: function() {
		return _('SSTP');
	},

	getIfname: function() {
		return this._ubus('l3_device') || 'sstp-%s'.format(this.sid);
	},

	// LuCI before 25.12 asks getOpkgPackage, 25.12 (apk) getPackageName
	getOpkgPackage: function() {
		return 'sstpgo';
	},

	getPackageName: function() {
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

	// getErrors: LuCI's messages, but CERT_FAILED also names the fingerprint
	// the server presented (the handler's error data) and how to pin it;
	// other codes show their data (the name that did not resolve, the exit
	// code) after the message.
	getErrors: function() {
		var rv = this.super('getErrors', []), errors = this._ubus('errors'), j = 0;
		if (!Array.isArray(rv) || !Array.isArray(errors))
			return rv;
		for (var i = 0; i < errors.length; i++) {
			var e = errors[i];
			if (e == null || typeof(e) != 'object' || typeof(e.code) != 'string')
				continue;
			if (e.code == 'CERT_FAILED' && Array.isArray(e.data) && e.data.length)
				rv[j] = _('The server certificate was rejected. The server presented SHA-256 %s: if you trust it, edit the interface, press "Show certificate…" and "Trust this certificate", or put it in pin_sha256.').format(e.data.join(' '));
			else if (Array.isArray(e.data) && e.data.length && typeof(rv[j]) == 'string')
				rv[j] += ' (' + e.data.join(' ') + ')';
			j++;
		}
		return rv;
	},

	renderFormOptions: function(s) {
		var dev = this.getL3Device() || this.getDevice(), o, certsPromise = {};
		var certs = function(section_id) {
			certsPromise[section_id] = certsPromise[section_id] || callGetCertificates(section_id).catch(function() { return {}; });
			return certsPromise[section_id];
		};

		o = s.taboption('general', form.Value, 'server', _('SSTP Server'),
			_('Host name or IP address of the server, optionally with :port.'));
		o.rmempty = false;
		o.validate = validateServer;

		o = s.taboption('general', form.Value, 'port', _('Port'),
			_('TCP port of the server (default 443).'));
		o.placeholder = '443';
		o.validate = validatePort;

		o = s.taboption('general', form.Value, 'username', _('Username'),
			_('For SoftEther servers also <code>user@HUB</code> or <code>HUB\\user</code>.'));
		o.validate = validateText;

		o = s.taboption('general', form.Value, 'password', _('Password'),
			_('Kept in a root-only file while the tunnel is up; never put on a command line. Not needed with a client certificate.'));
		o.password = true;
		o.validate = validateText;

		o = s.taboption('general', form.DynamicList, 'routes', _('Routes through the tunnel'),
			_('Networks to reach through the tunnel, e.g. 10.0.0.0/8; an address alone is a /32 (or /128). Needed when "Use default gateway" (Advanced Settings) is off.'));
		o.validate = validateRoute;
		o.write = function(section_id, value) {
			var list = [].concat(value || []).map(routeCIDR);
			return form.DynamicList.prototype.write.call(this, section_id, list);
		};

		o = s.taboption('general', form.Value, 'pin_sha256', _('Certificate SHA-256 fingerprint'),
			_('Accept only a server certificate with this SHA-256 fingerprint (64 hexadecimal digits). Works with self-signed certificates: use "Show certificate…" below to fetch it.'));
		o.validate = validatePin;
		o.renderWidget = function(section_id, option_index, cfgvalue) {
			var node = form.Value.prototype.renderWidget.apply(this, arguments);
			var input = node && node.querySelector ? node.querySelector('input') : null;
			if (input) {
				// the 64 hex digits in one line (wider breaks the row in
				// LuCI's bootstrap theme)
				input.setAttribute('size', '66');
				input.style.width = '66ch';
				input.style.maxWidth = '100%';
				input.style.fontFamily = 'monospace';
			}
			return node;
		};

		o = s.taboption('general', form.DummyValue, '_show_cert', _('Server certificate'),
			_('Fetches the certificate the server presents now (nothing else is sent), shows its subject, issuer, validity and SHA-256 fingerprint, and can fill the fingerprint above.'));
		o.renderWidget = function(section_id) {
			var map = this.map, sec = this.section, box = E('div', { 'class': 'sstp-cert' });
			return E('div', {}, [
				E('button', {
					'class': 'cbi-button cbi-button-action',
					'click': ui.createHandlerFn(this, function(ev) {
						if (ev && ev.preventDefault)
							ev.preventDefault();
						return showCertificate(map, sec, section_id, box);
					})
				}, [ _('Show certificate…') ]),
				box
			]);
		};

		pemOption(s, 'general', 'ca_cert', _('CA certificate'),
			_('The CA (or self-signed server certificate) to trust: paste or upload PEM text (stored as /etc/sstpgo/INTERFACE.ca.pem, mode 0600) or give the path of a PEM file. Empty: the system CA bundle is used.'),
			validateCACert, 4, certs);

		o = s.taboption('general', form.Flag, 'insecure', _('Do not verify the server certificate'),
			_('<strong>Dangerous:</strong> anyone between this router and the server can pretend to be the server, read your password and all the traffic. Use a CA certificate or a fingerprint instead.'));
		o.default = o.disabled;

		pemOption(s, 'general', 'client_cert', _('Client certificate'),
			_('Authenticate with EAP-TLS: paste or upload the client certificate (and its chain), stored as /etc/sstpgo/INTERFACE.client.pem (mode 0600), or give the path of a PEM file. Needs the private key below; the password is then optional.'),
			validateCACert, 4, certs);

		pemOption(s, 'general', 'client_key', _('Client private key'),
			_('Paste or upload the unencrypted private key, stored as /etc/sstpgo/INTERFACE.client.key (mode 0600, never in /etc/config/network and never shown again: the field then holds its path), or give the path of a PEM file.'),
			validateKey, 4, certs);

		o = s.taboption('advanced', form.Flag, 'authfail', _('Stop after an authentication failure'),
			_('Leave the interface down when the server refuses the credentials. Unchecked, it is retried after 5 s, 10 s, 20 s … up to 5 min (a RADIUS server that fails now and then), at the risk of locking the account.'));
		o.default = o.enabled;

		o = s.taboption('advanced', form.Flag, 'require_pfs', _('Require forward secrecy'),
			_('Refuse servers that only take RSA key exchange (MikroTik with pfs=no, some old Windows servers). Without this sstpgo connects to them with a warning in the log.'));
		o.default = o.disabled;

		o = s.taboption('advanced', form.Value, 'sni', _('TLS server name'),
			_('Name sent in TLS SNI and checked against the certificate, when it differs from the server address.'));
		o.validate = validateName;

		pemOption(s, 'advanced', 'eap_ca', _('EAP-TLS server CA'),
			_('With a client certificate: the CA that signs the EAP server (e.g. NPS) certificate, pasted or uploaded (stored as /etc/sstpgo/INTERFACE.eapca.pem, mode 0600) or the path of a PEM file. Empty: the CA certificate above, else the system CA bundle.'),
			validateCACert, 3, certs);

		o = s.taboption('advanced', form.Value, 'eap_server_name', _('EAP-TLS server name'),
			_('With a client certificate: the name the EAP server certificate must carry. Empty: any name signed by the EAP-TLS server CA.'));
		o.validate = validateName;

		o = s.taboption('advanced', form.Value, 'auth', _('Authentication methods'),
			_('Comma-separated list of allowed methods: pap, chap, mschapv2, eap. Empty: all; the strongest the server offers is used.'));
		o.placeholder = 'mschapv2,eap,chap,pap';
		o.validate = validateAuth;

		o = s.taboption('advanced', form.Flag, 'ipv6', _('IPv6 support'),
			_('Negotiate IPv6 (IPV6CP) on the tunnel.'));

		o = s.taboption('advanced', form.Value, 'mtu', _('Override MTU'));
		o.placeholder = dev ? (dev.getMTU() || '1400') : '1400';
		o.validate = validateMTU;

		o = s.taboption('advanced', widgets.NetworkSelect, 'tunlink', _('Tunnel Link'),
			_('The uplink the server is reached through; the route to the server is pinned on it.'));
		o.nocreate = true;

		o = s.taboption('advanced', form.Value, 'proxy', _('HTTP proxy'),
			_('Connect through an HTTP proxy (CONNECT), e.g. http://proxy.lan:3128. A password in the URL is visible to local users: put only the user there and the password below.'));
		o.validate = validateProxy;

		o = s.taboption('advanced', form.Value, 'proxy_password', _('HTTP proxy password'),
			_('Password of the user in the proxy URL (http://user@proxy.lan:3128); kept in a root-only file while the tunnel is up, never on a command line.'));
		o.password = true;
		o.validate = validateText;

		o = s.taboption('advanced', form.Value, 'echo_interval', _('Dead peer detection interval'),
			_('Seconds of silence before an echo request is sent.'));
		o.placeholder = '10';
		o.validate = validateSeconds;

		o = s.taboption('advanced', form.Value, 'echo_timeout', _('Dead peer detection timeout'),
			_('Seconds to wait for the echo reply before reconnecting.'));
		o.placeholder = '20';
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
		o.validate = validateText;

		o = s.taboption('advanced', form.Value, 'pppd_options', _('Extra pppd options'),
			_('Accepted for compatibility with sstp-client: mtu, lcp-echo-*, refuse-*/require-*, +ipv6 and debug are used, the others are ignored and logged.'));
		o.validate = validateText;

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
