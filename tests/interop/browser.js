// tests/interop/browser.js BROWSER - one page load through a proxy in a
// headless browser given the proxy credentials through its automation API,
// the way test suites configure it; prints the final status or
// "error: TEXT".
//
// BROWSER chromium: Debian's Chromium driven by playwright-core, proxy
// {server, username, password} (playwright answers the browser's
// credential request for any scheme; the browser computes the answer).
// BROWSER firefox: Debian's firefox-esr driven by puppeteer-core over
// WebDriver BiDi, the proxy set in preferences and page.authenticate()
// answering the credential request.
//
// Input from the environment: NPM_DIR (holds node_modules), PX_HOST,
// PX_PORT, PX_USER, PX_PASS, URL, PROFILE (a fresh directory), NEGOTIATE
// (the proxy host name Negotiate may be used with, or empty), NO_CREDS
// (non-empty: give the browser no credentials at all), BROWSER_TIMEOUT
// (ms for the page to load, default 20000).
const path = require('path');
const env = process.env;
const mod = (m) => require(path.join(env.NPM_DIR, 'node_modules', m));
const LAUNCH_TIMEOUT = 30000;   // ms
const TIMEOUT = Number(env.BROWSER_TIMEOUT || 20000);   // ms for the page
const creds = env.NO_CREDS ? null : { username: env.PX_USER, password: env.PX_PASS };
const say = (s) => console.log(String(s).replace(/\s+/g, ' ').slice(0, 300));

async function chromium() {
	const { chromium: c } = mod('playwright-core');
	const args = ['--no-sandbox', '--disable-gpu', '--disable-quic',
		'--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync',
		// Chromium sends loopback targets direct unless told not to.
		'--proxy-bypass-list=<-loopback>'];
	if (env.NEGOTIATE)
		args.push(`--auth-server-allowlist=${env.NEGOTIATE}`);
	const proxy = { server: `http://${env.PX_HOST}:${env.PX_PORT}` };
	if (creds)
		Object.assign(proxy, creds);
	const b = await c.launch({ executablePath: '/usr/bin/chromium', headless: true,
		args, proxy, timeout: LAUNCH_TIMEOUT });
	try {
		const ctx = await b.newContext({ ignoreHTTPSErrors: true });
		const page = await ctx.newPage();
		const r = await page.goto(env.URL, { timeout: TIMEOUT });
		return String(r.status());
	} finally {
		await b.close();
	}
}

async function firefox() {
	const puppeteer = mod('puppeteer-core');
	const prefs = {
		'network.proxy.type': 1,
		'network.proxy.http': env.PX_HOST,
		'network.proxy.http_port': Number(env.PX_PORT),
		'network.proxy.ssl': env.PX_HOST,
		'network.proxy.ssl_port': Number(env.PX_PORT),
		'network.proxy.no_proxies_on': '',
		// Firefox sends loopback targets direct unless told not to.
		'network.proxy.allow_hijacking_localhost': true,
		'network.negotiate-auth.trusted-uris': env.NEGOTIATE || '',
	};
	const b = await puppeteer.launch({ browser: 'firefox',
		executablePath: '/usr/bin/firefox-esr', headless: true,
		userDataDir: env.PROFILE, acceptInsecureCerts: true,
		extraPrefsFirefox: prefs, timeout: LAUNCH_TIMEOUT });
	try {
		const page = await b.newPage();
		if (creds)
			await page.authenticate(creds);
		const r = await page.goto(env.URL, { timeout: TIMEOUT });
		return r ? String(r.status()) : 'error: no response';
	} finally {
		await b.close();
	}
}

const run = { chromium, firefox }[process.argv[2]];
if (!run) {
	say('error: unknown browser ' + process.argv[2]);
	process.exit(0);
}
run().then(say, (e) => say('error: ' + (e && e.message ? e.message.split('\n')[0] : e)));
