// Test harness for the LuCI protocol view: loads it the way LuCI's module
// loader does (the 'require' lines become function parameters), with
// stand-ins for form, network and tools.widgets; calls renderFormOptions
// and every validate function on the cases given, and prints JSON.
'use strict';
const fs = require('fs');

const [viewPath, casesPath] = process.argv.slice(2);
const src = fs.readFileSync(viewPath, 'utf8');
const cases = (casesPath && JSON.parse(fs.readFileSync(casesPath, 'utf8'))) || {};

function _(s) { return s; }
String.prototype.format = function() {
	let i = 0, args = arguments;
	return this.replace(/%s/g, () => String(args[i++]));
};

function optionClass(type) {
	return class {
		constructor(section, name, title, description) {
			this.type = type;
			this.name = name;
			this.title = title;
			this.description = description;
			this.deps = [];
			this.values = [];
			this.enabled = '1';
			this.disabled = '0';
		}
		depends(k, v) { this.deps.push([k, v]); }
		value(k, v) { this.values.push(k); }
	};
}

const form = {};
for (const t of ['Value', 'Flag', 'ListValue', 'DynamicList', 'TextValue', 'MultiValue', 'DummyValue'])
	form[t] = optionClass(t);
const widgets = { NetworkSelect: optionClass('NetworkSelect'), ZoneSelect: optionClass('ZoneSelect') };

let proto = null, proto_name = null;
const network = {
	registerProtocol(name, methods) { proto_name = name; proto = methods; return methods; },
	registerPatternVirtual(re) { network.virtual = String(re); },
	getIfnameOf(x) { return x; },
};

// 'require a.b as c' / 'require a' directives, as LuCI's loader reads them
const modules = { form, network, 'tools.widgets': widgets };
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
	taboption(tab, cls, name, title, description) {
		const o = new cls(this, name, title, description);
		o.tab = tab;
		options.push(o);
		return o;
	},
	option(cls, name, title, description) { return this.taboption('', cls, name, title, description); },
};
const self = Object.assign(Object.create(proto), {
	sid: 'vpn',
	_ubus() { return null; },
	getL3Device() { return null; },
	getDevice() { return null; },
});
proto.renderFormOptions.call(self, section);

const validate = {};
for (const [name, list] of Object.entries(cases)) {
	const o = options.find(o => o.name === name);
	validate[name] = list.map(v => (o && o.validate) ? o.validate('vpn', v) === true : null);
}

console.log(JSON.stringify({
	returned_same: ret === proto,
	name: proto_name,
	virtual: network.virtual,
	i18n: self.getI18n(),
	ifname: self.getIfname(),
	pkg: self.getOpkgPackage(),
	floating: self.isFloating(),
	is_virtual: self.isVirtual(),
	devices: self.getDevices(),
	contains: self.containsDevice('sstp-vpn'),
	options: options.map(o => ({ name: o.name, tab: o.tab, type: o.type, datatype: o.datatype || '',
		password: !!o.password, validate: typeof o.validate === 'function', deps: o.deps,
		values: o.values, description: o.description || '' })),
	validate,
}));
