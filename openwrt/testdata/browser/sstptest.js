'use strict';
'require view';
'require form';
'require network';
'require ui';

// test page: the SSTP protocol form as luci-mod-network's interface dialog
// builds it (tabs, renderFormOptions, then LuCI's generic options)
return view.extend({
	load: function() {
		return Promise.all([ network.getNetworks(), L.require('protocol.sstp') ]);
	},
	render: function() {
		var m = new form.Map('network', 'SSTP (sstpgo) form test');
		var s = m.section(form.NamedSection, 'vpn', 'interface', 'Interface vpn');
		s.tab('general', _('General Settings'));
		s.tab('advanced', _('Advanced Settings'));
		var proto = network.getProtocol('sstp', 'vpn');
		proto.renderFormOptions(s);
		var o = s.taboption('advanced', form.Flag, 'defaultroute', _('Use default gateway'));
		o.default = o.enabled;
		o = s.taboption('advanced', form.Value, 'metric', _('Use gateway metric'));
		o.datatype = 'uinteger';
		window.__proto = proto;
		window.__map = m;
		return m.render();
	}
});
