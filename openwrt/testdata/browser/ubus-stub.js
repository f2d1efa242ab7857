// Serves a LuCI docroot (argv[3]) and answers ubus JSON-RPC with canned
// data: the network config with an sstp interface "vpn" whose netifd status
// carries errors, and the luci.sstpgo plugin's methods. GET /log lists the
// calls made. Used by scripts/luci-browser.sh.
const http = require('http'), fs = require('fs'), path = require('path');
const root = path.resolve(__dirname, process.argv[3] || 'www');
const log = [];
const network = {
	vpn: { '.name': 'vpn', '.type': 'interface', '.anonymous': false, '.index': 0,
		proto: 'sstp', server: 'vpn.example.com', username: 'alice', routes: ['10.0.0.0/8'],
		client_cert: '/etc/sstpgo/vpn.client.pem', ca_cert: '-----BEGIN CERTIFICATE-----\nMIIBlegacy\n-----END CERTIFICATE-----' },
	wan: { '.name': 'wan', '.type': 'interface', '.anonymous': false, '.index': 1, proto: 'dhcp', device: 'eth1' },
};
function answer(obj, method, args) {
	log.push([obj, method, args]);
	if (obj === 'session' && method === 'access') return { access: true };
	if (obj === 'uci' && method === 'get') return args.config === 'network' ? { values: network } : { values: {} };
	if (obj === 'uci' && method === 'changes') return { changes: {} };
	if (obj === 'luci.sstpgo' && method === 'showCert')
		return { server: args.server + ':' + (args.port || 443), subject: 'CN=vpn.example.com, O=Example VPN',
			issuer: 'CN=vpn.example.com, O=Example VPN', not_before: '2025-03-01T00:00:00Z', not_after: '2035-03-01T00:00:00Z',
			sha256: '3f2a9c0d7e5b41a8c6d2f0e9b7a5c3d1e8f6a4b2c0d9e7f5a3b1c8d6e4f2a0b9', self_signed: true,
			verify_error: 'x509: certificate signed by unknown authority' };
	if (obj === 'luci.sstpgo' && method === 'getCertificates')
		return { client_cert: { path: '/etc/sstpgo/vpn.client.pem', pem: '-----BEGIN CERTIFICATE-----\nMIIBstored\n-----END CERTIFICATE-----\n' } };
	if (obj === 'luci.sstpgo' && method === 'setCertificate') // named as certrpcd.go names them
		return { ok: true, path: '/etc/sstpgo/' + args.interface + '.' + { ca_cert: 'ca.pem', client_cert: 'client.pem', client_key: 'client.key', eap_ca: 'eapca.pem' }[args.option] };
	if (obj === 'network.interface' && method === 'dump') return { interface: [ { interface: 'vpn', proto: 'sstp', up: false, available: true,
		errors: [ { subsystem: 'sstp', code: 'CERT_FAILED', data: [ 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89' ] },
			{ subsystem: 'sstp', code: 'AUTH_FAILED' }, { subsystem: 'sstp', code: 'PEER_RESOLVE_FAIL' }, { subsystem: 'sstp', code: 'INVALID_OPTIONS' }, { subsystem: 'sstp', code: 'NOT_A_CODE' } ] } ] };
	if (obj === 'luci' && method === 'getFeatures') return {};
	return {};
}
http.createServer((req, res) => {
	if (req.method === 'POST') {
		let body = '';
		req.on('data', d => body += d);
		req.on('end', () => {
			let reqs;
			try { reqs = JSON.parse(body); } catch (e) { log.push(['POST', req.url, body.slice(0, 200)]); res.end('{}'); return; }
			const one = r => {
				if (!r.params) { log.push(['rpc', req.url, r]); return { jsonrpc: '2.0', id: r.id, result: r.method === 'list' ? {} : [0, {}] }; }
				return { jsonrpc: '2.0', id: r.id, result: [0, answer(r.params[1], r.params[2], r.params[3] || {})] };
			};
			const out = Array.isArray(reqs) ? reqs.map(one) : one(reqs);
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(out));
		});
		return;
	}
	const u = new URL(req.url, 'http://x');
	if (u.pathname === '/log') { res.end(JSON.stringify(log)); return; }
	let p = path.join(root, u.pathname === '/' ? 'index.html' : u.pathname);
	fs.readFile(p, (err, b) => {
		if (err) { log.push(['404', u.pathname + u.search]); res.writeHead(404); res.end(); return; }
		const ct = p.endsWith('.js') ? 'application/javascript' : p.endsWith('.css') ? 'text/css' : p.endsWith('.html') ? 'text/html' : 'application/octet-stream';
		res.writeHead(200, { 'Content-Type': ct });
		res.end(b);
	});
}).listen(+process.argv[2] || 8089, '127.0.0.1');
