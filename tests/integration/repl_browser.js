// tests/integration/repl_browser.js - Chromium through bin/repl --listen:
// load one page through the lab's proxy with the lab's credentials.
// Usage: node repl_browser.js PROXY-PORT URL USER PASS PROFILE-DIR [URL...]
// Prints "status N" and the page's text for each URL ("failed ..." for
// one that did not load); exits 1 on any other failure.
const { chromium } = require('playwright-core');

(async () => {
	const [port, url, username, password, profile, ...more] =
		process.argv.slice(2);
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		       '--disable-quic', '--no-first-run',
		       '--disable-background-networking',
		       '--disable-component-update', '--disable-sync',
		       // Chromium sends loopback URLs direct unless told not to
		       '--proxy-bypass-list=<-loopback>'],
		proxy: { server: `http://127.0.0.1:${port}`, username, password },
		timeout: 30000,
	});
	try {
		const page = await ctx.newPage();
		for (const u of [url, ...more]) {
			const resp = await page.goto(u, { timeout: 30000 })
				.catch((e) => { console.log(`failed ${e}`); });
			if (!resp)
				continue;
			console.log(`status ${resp.status()}`);
			console.log(await page.innerText('body'));
		}
	} finally {
		await ctx.close();
	}
})().catch((e) => { console.error(String(e)); process.exit(1); });
