// tests/integration/repl_firefox.js - Firefox through bin/repl --listen:
// load one page through the lab's proxy with the lab's credentials,
// driven over WebDriver BiDi by puppeteer-core.
// Usage: node repl_firefox.js PROXY-PORT URL USER PASS PROFILE-DIR [URL...]
// The proxy is set in the profile's prefs (puppeteer writes them to its
// user.js); page.authenticate() answers the browser's credential prompt.
// Prints "status N" and the page's text for each URL ("failed ..." for
// one that did not load); exits 1 on any other failure.
const puppeteer = require('puppeteer-core');

(async () => {
	const [port, url, username, password, profile, ...more] =
		process.argv.slice(2);
	const browser = await puppeteer.launch({
		browser: 'firefox',
		executablePath: '/usr/bin/firefox-esr',
		headless: true,
		userDataDir: profile,
		timeout: 60000,
		extraPrefsFirefox: {
			'network.proxy.type': 1, // manual
			'network.proxy.http': '127.0.0.1',
			'network.proxy.http_port': Number(port),
			'network.proxy.ssl': '127.0.0.1',
			'network.proxy.ssl_port': Number(port),
			// Firefox sends loopback URLs direct unless told not to
			'network.proxy.allow_hijacking_localhost': true,
			'network.proxy.no_proxies_on': '',
			'network.captive-portal-service.enabled': false,
			'network.connectivity-service.enabled': false,
			'browser.safebrowsing.malware.enabled': false,
			'browser.safebrowsing.phishing.enabled': false,
		},
	});
	try {
		const page = await browser.newPage();
		await page.authenticate({ username, password });
		for (const u of [url, ...more]) {
			const resp = await page.goto(u, { timeout: 30000 })
				.catch((e) => { console.log(`failed ${e}`); });
			if (!resp)
				continue;
			console.log(`status ${resp.status()}`);
			console.log(await page.evaluate(() =>
				document.body.innerText));
		}
	} finally {
		await browser.close();
	}
})().catch((e) => { console.error(String(e)); process.exit(1); });
