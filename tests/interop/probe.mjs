// tests/interop/probe.mjs MODE - one GET from Node; prints the final status
// or "error: TEXT".  MODE fetch: the built-in fetch with HTTP(S)_PROXY set
// (it does not read them); undici: undici's ProxyAgent with the proxy URL
// (credentials in it).  URL is the target, PX_URL the proxy, CAFILE the TLS
// origin's certificate.
import { readFileSync } from 'node:fs';
const mode = process.argv[2];
const url = process.env.URL;
const ca = readFileSync(process.env.CAFILE);
const say = (e) => console.log(('error: ' + (e.cause ? e.message + ': ' + (e.cause.code || '') + ' ' + e.cause.message : e.message)).replace(/\s+/g, ' '));
try {
	let r;
	if (mode === 'fetch') {
		r = await fetch(url, { signal: AbortSignal.timeout(15000) });
	} else {
		const { ProxyAgent, fetch: ufetch } = await import(process.env.UNDICI);
		const dispatcher = new ProxyAgent({ uri: process.env.PX_URL, requestTls: { ca }, connect: { ca } });
		r = await ufetch(url, { dispatcher, signal: AbortSignal.timeout(15000) });
	}
	console.log(String(r.status));
} catch (e) {
	say(e);
}
