// Test harness for the LuCI protocol view: loads it the way LuCI's module
// loader does (the 'require' lines become function parameters), with
// stand-ins for form, network, rpc, ui and tools.widgets; calls
// renderFormOptions and validates the cases given the way LuCI does.
//
// LuCI's order (luci-base validation.js, Validator.validate): an empty value
// only checks "optional"; otherwise the datatype expression runs first and
// may replace the value it checks (each nested type is applied to a part of
// it: cidr4 leaves the prefix length behind); only then does the option's
// validate function run, on that possibly replaced value. The model below
// keeps that behaviour for the datatypes a view may use; a datatype it does
// not know fails the run, so a new one cannot slip past untested.
'use strict';
const fs = require('fs');

const [viewPath, casesPath] = process.argv.slice(2);
const src = fs.readFileSync(viewPath, 'utf8');
const cases = (casesPath && JSON.parse(fs.readFileSync(casesPath, 'utf8'))) || {};

const strings = new Set();
function _(s) { strings.add(s); return s; }
String.prototype.format = function() {
	let i = 0, args = arguments;
	return this.replace(/%[sdf]/g, () => String(args[i++]));
};

// ---- a model of LuCI's Validator: apply() stores the part it checks
const parseIPv4 = x => {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(x);
	return m && m.slice(1).every(n => +n <= 255) ? m.slice(1).map(Number) : null;
};
const parseIPv6 = x => {
	if (!/^[0-9a-fA-F:]+$/.test(x)) return null;
	const halves = x.split('::');
	if (halves.length > 2) return null;
	const words = halves.map(h => h === '' ? [] : h.split(':'));
	const n = words.reduce((a, w) => a + w.length, 0);
	if (halves.length === 1 ? n !== 8 : n > 7) return null;
	return words.flat().every(w => w.length >= 1 && w.length <= 4) ? words.flat() : null;
};
const types = {
	port() { return this.assert(/^\d+$/.test(this.value) && +this.value <= 65535, 'valid port value'); },
	uinteger() { return this.assert(/^\d+$/.test(this.value), 'positive integer value'); },
	range(min, max) { const v = /^-?\d+(\.\d+)?$/.test(this.value) ? +this.value : NaN; return this.assert(v >= min && v <= max, 'value between ' + min + ' and ' + max); },
	hostname() { return this.assert(this.value.length <= 253 && (/^[a-zA-Z0-9_]+$/.test(this.value) || (/^[a-zA-Z0-9_][a-zA-Z0-9_\-.]*[a-zA-Z0-9]\.?$/.test(this.value) && /[^0-9.]/.test(this.value))), 'valid hostname'); },
	ip4prefix() { return this.assert(!isNaN(this.value) && this.value >= 0 && this.value <= 32, 'valid IPv4 prefix value (0-32)'); },
	ip6prefix() { return this.assert(!isNaN(this.value) && this.value >= 0 && this.value <= 128, 'valid IPv6 prefix value (0-128)'); },
	cidr4() { const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\/(\d{1,2})$/.exec(this.value); return this.assert(m && parseIPv4(m[1]) && this.apply('ip4prefix', m[2]), 'valid IPv4 CIDR'); },
	cidr6() { const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(this.value); return this.assert(m && parseIPv6(m[1]) && this.apply('ip6prefix', m[2]), 'valid IPv6 CIDR'); },
	cidr() { return this.assert(this.apply('cidr4') || this.apply('cidr6'), 'valid IPv4 or IPv6 CIDR'); },
	ip4addr() { return this.assert(parseIPv4(this.value) != null, 'valid IPv4 address'); },
	ip6addr() { return this.assert(parseIPv6(this.value) != null, 'valid IPv6 address'); },
	ipaddr() { return this.assert(this.apply('ip4addr') || this.apply('ip6addr'), 'valid IP address'); },
};
class Validator {
	constructor(value, datatype, optional, vfunc) {
		Object.assign(this, { value, datatype, optional, vfunc, error: null });
	}
	assert(cond, msg) { this.error = cond ? null : msg; return !!cond; }
	apply(name, value, args) {
		if (value != null) this.value = value;
		return types[name].apply(this, args || []);
	}
	// validate returns true or the message LuCI would show
	validate() {
		if (this.value.length === 0)
			return this.optional ? true : 'Expecting: non-empty value';
		if (this.datatype) {
			const m = /^(\w+)(?:\((.*)\))?$/.exec(this.datatype);
			if (!m || !types[m[1]])
				throw new Error('datatype not modelled by the harness: ' + this.datatype);
			const args = m[2] ? m[2].split(',').map(a => isNaN(a) ? a.trim() : +a) : [];
			if (!this.apply(m[1], null, args))
				return 'Expecting: ' + this.error;
		}
		if (typeof this.vfunc == 'function') {
			const r = this.vfunc(this.value);
			return r === true ? true : (typeof r == 'string' && r !== '' ? r : '(validate returned no message)');
		}
		return true;
	}
}

// ---- DOM stand-ins, enough for renderWidget overrides
function node(tag, attrs, children) {
	const n = { tag, attrs: Object.assign({}, attrs || {}), style: {}, children: [].concat(children || []), listeners: {} };
	n.setAttribute = (k, v) => { n.attrs[k] = String(v); };
	n.getAttribute = k => n.attrs[k];
	n.appendChild = c => { n.children.push(c); return c; };
	n.addEventListener = (ev, fn) => { n.listeners[ev] = fn; };
	Object.defineProperty(n, 'innerHTML', { set() { n.children = []; } });
	n.querySelector = sel => {
		const want = sel.replace(/[^a-z]/g, '');
		for (const c of n.children) {
			if (c && c.tag === want) return c;
			const d = c && c.querySelector && c.querySelector(sel);
			if (d) return d;
		}
		return null;
	};
	return n;
}
global.E = function(tag, attrs, children) {
	if (Array.isArray(tag)) return node('fragment', {}, tag.concat(attrs || []));
	if (Array.isArray(attrs) || typeof attrs == 'string') return node(tag, {}, attrs);
	return node(tag, attrs, children);
};
global.L = { bind: (fn, self, ...a) => fn.bind(self, ...a), isObject: v => v != null && typeof v == 'object' };

// ---- form, network, rpc, ui stand-ins
const uciData = {};
function optionClass(type) {
	const C = class {
		constructor(section, name, title, description) {
			Object.assign(this, { type, section, option: name, name, title, description,
				deps: [], values: [], enabled: '1', disabled: '0', rmempty: true, optional: false });
			this.map = { data: {
				get: (c, s, o) => (uciData[s] || {})[o],
				set: (c, s, o, v) => { (uciData[s] = uciData[s] || {})[o] = v; },
				unset: (c, s, o) => { delete (uciData[s] || {})[o]; },
			} };
		}
		depends(k, v) { this.deps.push([k, v]); }
		value(k, v) { this.values.push(k); }
		load(sid) { return this.map.data.get('network', sid, this.option); }
		write(sid, v) { this.map.data.set('network', sid, this.option, v); }
		remove(sid) { this.map.data.unset('network', sid, this.option); }
		renderWidget() { return node('div', {}, [node('input', { type: 'text' })]); }
	};
	return C;
}
const form = {};
for (const t of ['Value', 'Flag', 'ListValue', 'DynamicList', 'TextValue', 'MultiValue', 'DummyValue', 'Button'])
	form[t] = optionClass(t);
const widgets = { NetworkSelect: optionClass('NetworkSelect'), ZoneSelect: optionClass('ZoneSelect') };

let proto = null, proto_name = null;
const errorCodes = {};
const network = {
	registerProtocol(name, methods) { proto_name = name; proto = methods; return methods; },
	registerPatternVirtual(re) { network.virtual = String(re); },
	registerErrorCode(code, msg) {
		if (typeof code != 'string' || typeof msg != 'string') throw new Error('registerErrorCode(' + code + ')');
		if (errorCodes[code]) return false;
		errorCodes[code] = msg;
		return true;
	},
	getIfnameOf(x) { return x; },
};

const rpcCalls = [];
const rpcAnswers = {
	getCertificates: () => ({ client_cert: { path: '/etc/sstpgo/vpn.client.pem', pem: 'STORED CERT\n' },
		client_key: { path: '/etc/sstpgo/vpn.client.key' } }),
	// as certrpcd.go names the files
	setCertificate: (iface, option, pem) => pem ? { path: '/etc/sstpgo/' + iface + '.' +
		{ ca_cert: 'ca.pem', client_cert: 'client.pem', client_key: 'client.key', eap_ca: 'eapca.pem' }[option] } : {},
	showCert: () => ({ server: 'vpn.example.com:443', subject: 'CN=vpn', issuer: 'CN=vpn', not_before: '2025-01-01T00:00:00Z',
		not_after: '2035-01-01T00:00:00Z', sha256: 'ab'.repeat(32), sha256_colons: 'AB', self_signed: true }),
};
const rpc = {
	declares: [],
	declare(d) {
		rpc.declares.push(d);
		return (...args) => {
			rpcCalls.push([d.object, d.method, args]);
			return Promise.resolve(rpcAnswers[d.method] ? rpcAnswers[d.method](...args) : {});
		};
	},
};
const modals = [];
const ui = {
	showModal(title, children) { modals.push({ title, children }); return node('div'); },
	hideModal() { modals.push('hidden'); },
	addNotification(title, children) { modals.push({ notification: title, children }); },
	createHandlerFn(ctx, fn, ...args) { return ev => fn.call(ctx, ev, ...args); },
};

// 'require a.b as c' / 'require a' directives, as LuCI's loader reads them
const modules = { form, network, rpc, ui, 'tools.widgets': widgets };
const names = [], values = [];
for (const m of src.matchAll(/^\s*'require\s+([\w.]+)(?:\s+as\s+(\w+))?';/mg)) {
	const mod = modules[m[1]];
	if (!mod) throw new Error('unknown module ' + m[1]);
	names.push(m[2] || m[1].replace(/.*\./, ''));
	values.push(mod);
}
const fn = new Function('_', 'N_', ...names, src);
const ret = fn(_, _, ...values);

const options = [];
const section = {
	tabs: {},
	taboption(tab, cls, name, title, description) {
		const o = new cls(this, name, title, description);
		o.tab = tab;
		options.push(o);
		return o;
	},
	option(cls, name, title, description) { return this.taboption('', cls, name, title, description); },
	formvalue(sid, name) { return (formValues[name] != null) ? formValues[name] : null; },
};
const formValues = { server: 'vpn.example.com', port: '4443', sni: '', proxy: '' };
const ubusErrors = [
	{ subsystem: 'sstp', code: 'CERT_FAILED', data: ['AB:CD:EF'] },
	{ subsystem: 'sstp', code: 'AUTH_FAILED' },
	{ subsystem: 'sstp', code: 'PEER_RESOLVE_FAIL', data: ['vpn.example.com'] },
];
const self = Object.assign(Object.create(proto), {
	sid: 'vpn',
	_ubus(k) { return k === 'errors' ? ubusErrors : null; },
	getL3Device() { return null; },
	getDevice() { return null; },
	// LuCI's Protocol.getErrors, reached through baseclass's super()
	super(name, args) {
		if (name !== 'getErrors') throw new Error('super(' + name + ') not modelled');
		const errors = this._ubus('errors');
		if (!Array.isArray(errors)) return null;
		return errors.filter(e => e && typeof e.code == 'string').map(e => errorCodes[e.code] || 'Unknown error (' + e.code + ')');
	},
});
proto.renderFormOptions.call(self, section);

function luciValidate(o, v) {
	const optional = o.optional || o.rmempty;
	const check = x => new Validator(x, o.datatype, optional, o.validate ? (val => o.validate('vpn', val)) : null).validate();
	return check(v);
}

async function main() {
	const validate = {};
	for (const [name, list] of Object.entries(cases)) {
		const o = options.find(o => o.option === name);
		validate[name] = list.map(v => o ? luciValidate(o, v) : null);
	}

	// widths and other rendered details
	const widths = {};
	for (const o of options) {
		if (o.type !== 'Value') continue;
		const n = o.renderWidget('vpn', 0, '');
		const input = n && n.querySelector && n.querySelector('input');
		widths[o.option] = input ? { size: input.attrs.size || '', width: input.style.width || '' } : null;
	}

	// PEM options: load, write and remove through rpc, files under /etc/sstpgo
	uciData.vpn = { client_cert: '/etc/sstpgo/vpn.client.pem', ca_cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', eap_ca: '/root/ca.pem',
		client_key: '/etc/sstpgo/vpn.client.key' };
	const pem = {};
	for (const name of ['client_cert', 'client_key', 'ca_cert', 'eap_ca']) {
		const o = options.find(o => o.option === name);
		if (!o) continue;
		pem[name] = { loaded: await o.load('vpn'), forcewrite: !!o.forcewrite };
	}
	const k = options.find(o => o.option === 'client_key');
	if (k) {
		await k.write('vpn', '-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----');
		pem.after_write = uciData.vpn.client_key;
		await k.remove('vpn');
		pem.after_remove = uciData.vpn.client_key === undefined ? null : uciData.vpn.client_key;
	}
	const c = options.find(o => o.option === 'ca_cert');
	if (c) {
		await c.write('vpn', '/etc/ssl/my-ca.pem');
		pem.path_write = uciData.vpn.ca_cert;
	}

	// the show-certificate button, the certificate it shows inline and the
	// "trust" button under it
	let shown = null;
	const pinSet = [];
	const pinOpt = options.find(o => o.option === 'pin_sha256');
	if (pinOpt) pinOpt.getUIElement = () => ({ setValue: v => pinSet.push(v), triggerValidation() {} });
	const certOpt = options.find(o => o.option === '_show_cert');
	if (certOpt && certOpt.renderWidget) {
		certOpt.map.lookupOption = name => [options.find(o => o.option === name), 'vpn'];
		certOpt.section = section;
		const w = certOpt.renderWidget('vpn', 0, null);
		const find = (n, pred) => {
			if (n == null || typeof n != 'object') return null;
			if (pred(n)) return n;
			for (const c of n.children || []) { const f = find(c, pred); if (f) return f; }
			return null;
		};
		const text = n => n == null ? '' : typeof n == 'string' ? n : (n.children || []).map(text).join(' | ');
		const label = n => (n.children || []).filter(c => typeof c == 'string').join('');
		const show = find(w, n => n.tag === 'button' && /Show certificate/.test(label(n)));
		if (show) await show.attrs.click({});
		const box = find(w, n => n.attrs && n.attrs.class === 'sstp-cert');
		const shownText = text(box);
		const trust = find(box, n => n.tag === 'button' && /Trust/.test(label(n)));
		if (trust) trust.attrs.click({});
		shown = { text: shownText, pressed: !!trust, pin_set: pinSet, modals: modals.length };
	}

	console.log(JSON.stringify({
		returned_same: ret === proto,
		name: proto_name,
		virtual: network.virtual,
		i18n: self.getI18n(),
		ifname: self.getIfname(),
		pkg: self.getOpkgPackage ? self.getOpkgPackage() : null,
		pkg_name: self.getPackageName ? self.getPackageName() : null,
		floating: self.isFloating(),
		is_virtual: self.isVirtual(),
		devices: self.getDevices(),
		contains: self.containsDevice('sstp-vpn'),
		errors: self.getErrors ? self.getErrors() : null,
		error_codes: errorCodes,
		options: options.map(o => ({ name: o.option, tab: o.tab, type: o.type, datatype: o.datatype || '',
			password: !!o.password, validate: typeof o.validate === 'function', deps: o.deps,
			values: o.values, description: o.description || '', placeholder: o.placeholder == null ? '' : String(o.placeholder) })),
		validate,
		widths,
		pem,
		rpc_declares: rpc.declares.map(d => d.object + '.' + d.method),
		rpc_calls: rpcCalls,
		shown,
		strings: Array.from(strings),
	}));
}
main().catch(e => { console.error(e && e.stack || e); process.exit(1); });
