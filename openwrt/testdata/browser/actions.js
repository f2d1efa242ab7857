// scripted actions on the rendered form, results into #result
(function() {
	var step = new URLSearchParams(location.search).get('step');
	var out = [];
	function done() { document.getElementById('result').textContent = out.join('\n'); document.title = 'done'; }
	function wait(cond, then, n) {
		n = n || 0;
		if (cond()) return then();
		if (n > 300) { var c = document.querySelector('.sstp-cert'); out.push('timeout' + (c ? ': ' + c.textContent : '')); return done(); }
		setTimeout(function() { wait(cond, then, n + 1); }, 100);
	}
	function fire(el, type) { el.dispatchEvent(new Event(type, { bubbles: true })); }
	// the form is bound to its widgets a moment after it is in the DOM
	wait(function() { return document.querySelector('#cbi-network-vpn-routes'); }, function() { setTimeout(function() {
		if (step === 'routes') {
			var row = document.querySelector('#cbi-network-vpn-routes');
			var inputs = row.querySelectorAll('input[type="text"]');
			var input = inputs[inputs.length - 1];
			['192.168.30.0/24', '10.1.2.3', '2001:db8::/32', '10.0.0.0/33', 'example.com'].forEach(function(v) {
				input.value = v;
				fire(input, 'keyup'); fire(input, 'blur');
				var bad = input.classList.contains('cbi-input-invalid');
				out.push(v + ' -> ' + (bad ? 'REFUSED: ' + (input.getAttribute('data-tooltip') || '') : 'accepted'));
			});
			input.value = '192.168.30.0/24'; fire(input, 'keyup');
			done();
		} else if (step === 'cert') {
			var btn = Array.prototype.find.call(document.querySelectorAll('button'), function(b) { return /Show certificate/.test(b.textContent); });
			btn.click();
			wait(function() { return document.querySelector('.sstp-cert table'); }, function() {
				out.push('shown: ' + document.querySelector('.sstp-cert').textContent.replace(/\s+/g, ' ').slice(0, 400));
				out.push('modal open: ' + document.body.classList.contains('modal-overlay-active'));
				if (new URLSearchParams(location.search).get('trust')) {
					var t = Array.prototype.find.call(document.querySelectorAll('.sstp-cert button'), function(b) { return /Trust/.test(b.textContent); });
					t.click();
					var pin = document.querySelector('#cbi-network-vpn-pin_sha256 input');
					out.push('pin after trust: ' + pin.value + (pin.classList.contains('cbi-input-invalid') ? ' (invalid)' : ' (valid)'));
					out.push('then: ' + document.querySelector('.sstp-cert').textContent);
				}
				done();
			});
		} else if (step === 'errors') {
			L.require('network').then(function(network) { return network.getNetwork('vpn'); }).then(function(n) {
				out.push('protocol ' + n.getProtocol() + ', package ' + (n.getPackageName ? n.getPackageName() : n.getOpkgPackage()));
				(n.getErrors() || []).forEach(function(e) { out.push('error: ' + e); });
				done();
			});
		} else if (step === 'pem') {
			['client_cert', 'ca_cert', 'client_key'].forEach(function(n) {
				out.push(n + ': ' + JSON.stringify(document.querySelector('#cbi-network-vpn-' + n + ' textarea').value));
			});
			done();
		} else if (step === 'advanced') {
			document.querySelector('li[data-tab="advanced"] a').click();
			out.push('advanced tab'); done();
		} else if (step === 'save') {
			var r = document.querySelector('#cbi-network-vpn-routes');
			var inputs = r.querySelectorAll('input[type="text"]');
			var input = inputs[inputs.length - 1];
			input.value = '10.1.2.3'; fire(input, 'keyup');
			var pin = document.querySelector('#cbi-network-vpn-pin_sha256 input');
			pin.value = '3f2a9c0d7e5b41a8c6d2f0e9b7a5c3d1e8f6a4b2c0d9e7f5a3b1c8d6e4f2a0b9'; fire(pin, 'keyup');
			var ta = document.querySelector('#cbi-network-vpn-client_key textarea');
			ta.value = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIOzT\n-----END PRIVATE KEY-----'; fire(ta, 'keyup');
			// save, then show what reached ubus: the key goes to the rpcd
			// plugin, UCI gets its path; the bare address became a /32
			window.__map.save(null, true);
			var polls = 0;
			(function poll() {
				fetch('/log').then(function(r) { return r.json(); }).then(function(log) {
					var calls = log.filter(function(c) { return (c[0] === 'uci' && c[1] === 'set') || (c[0] === 'luci.sstpgo' && c[1] === 'setCertificate'); });
					if (calls.some(function(c) { return c[1] === 'set'; }) || ++polls > 50) {
						calls.forEach(function(c) { out.push(c[0] + ' ' + c[1] + ' ' + JSON.stringify(c[2])); });
						done();
					} else setTimeout(poll, 100);
				});
			})();
		} else {
			done();
		}
	}, 500); });
})();
