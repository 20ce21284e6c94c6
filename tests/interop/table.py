#!/usr/bin/env python3
"""tests/interop/table.py TSV "CLIENTS" "COLUMNS" - the Markdown page of
the interop matrix (docs/interop.md) from run.sh's cells, with the date,
each client's version and the machine.  Writes to stdout."""
import datetime
import os
import platform
import subprocess
import sys

tsv, clients, cols = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
cells = {}
for line in open(tsv, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if len(f) >= 7:
        cells[(f[0], f[1])] = f[2:]

NAMES = {
    "curl_default": "curl -x (user:pass in the URL)",
    "curl_anyauth": "curl `--proxy-anyauth`",
    "curl_bearer": "curl `--proxy-header 'Proxy-Authorization: Bearer …'`",
    "curl_negotiate": "curl `--proxy-negotiate -U :` (ticket, no password)",
    "wget": "wget (`http(s)_proxy` with user:pass)",
    "git": "git `ls-remote` (`http.proxy` with user:pass, dumb HTTP)",
    "urllib_url": "Python urllib, user:pass in ProxyHandler URL",
    "urllib_handlers": "Python urllib, Proxy{Basic,Digest}AuthHandler",
    "requests": "requests (`proxies=` with user:pass)",
    "requests_kerberos": "requests + requests-kerberos `HTTPKerberosAuth` (ticket)",
    "httpx": "httpx (`proxies=` with user:pass)",
    "aiohttp": "aiohttp (`proxy=` with user:pass)",
    "pip": "pip download `--proxy` (local index)",
    "apt": "apt-get update, `Acquire::http(s)::Proxy` with user:pass",
    "npm": "npm view, `--proxy`/`--https-proxy` with user:pass (registry stub)",
    "go_env": "Go net/http, `HTTP(S)_PROXY` (ProxyFromEnvironment)",
    "go_proxyurl": "Go net/http, `http.ProxyURL`",
    "java_httpclient": "Java 17 HttpClient + Authenticator",
    "java_urlconnection": "Java 17 HttpURLConnection + Authenticator",
    "java_tunnelbasic": "Java 17 HttpClient, `-Djdk.http.auth.tunneling.disabledSchemes=`",
    "node_fetch": "Node built-in fetch, `HTTP(S)_PROXY` set",
    "undici": "Node, undici ProxyAgent (user:pass in uri)",
    "chromium": "Chromium headless `--proxy-server`, `--proxy-bypass-list='<-loopback>'` (no credentials)",
    "chromium_loopback": "Chromium headless `--proxy-server` alone",
    "chromium_auth": "Chromium headless, playwright-core `proxy: {server, username, password}`",
    "firefox": "Firefox ESR headless, puppeteer-core (WebDriver BiDi) `page.authenticate()`",
    "firefox_nocreds": "Firefox ESR headless, puppeteer-core, no credentials",
}
HEAD = {
    "basic-http": "Basic, http", "basic-https": "Basic, CONNECT",
    "md5-http": "Digest MD5, http", "md5-https": "Digest MD5, CONNECT",
    "sha256-http": "Digest SHA-256, http",
    "sha256-https": "Digest SHA-256, CONNECT",
    "sha256basic-http": "SHA-256 + Basic, http",
    "sha256basic-https": "SHA-256 + Basic, CONNECT",
    "bearer-http": "Bearer, http", "bearer-https": "Bearer, CONNECT",
    "ntlm-http": "NTLM, http", "ntlm-https": "NTLM, CONNECT",
    "negotiate-http": "Negotiate, http", "negotiate-https": "Negotiate, CONNECT",
    "wrongpw-http": "Basic, wrong password",
    "special-http": "Basic, `p@ss:w0rd%` encoded",
    "rawspecial-http": "Basic, `p@ss:w0rd%` not encoded",
    "post5m-http": "Basic, 5 MB POST",
    "post5mwrong-http": "Basic, wrong password, 5 MB POST",
}


def run(*cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=30)
        text = (out.stdout + out.stderr).strip().splitlines()
        return text[0].strip() if text else "?"
    except (OSError, subprocess.SubprocessError):
        return "not installed"


py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"


def pymod(m):
    return run(py, "-c", f"import {m}; print('{m}', {m}.__version__)")


undici = os.path.abspath(os.path.join(os.path.dirname(tsv), "node_modules/undici/package.json"))
npm_dir = os.path.abspath(os.path.join(os.path.dirname(tsv), "..", "npm", "node_modules"))


def npmver(m):
    return run("node", "-p", f"require('{npm_dir}/{m}/package.json').version")


versions = [
    ("curl", run("curl", "--version")),
    ("wget", run("wget", "--version")),
    ("git", run("git", "--version")),
    ("Python (urllib)", run(py, "--version")),
    ("requests", pymod("requests")),
    ("httpx", pymod("httpx")),
    ("aiohttp", pymod("aiohttp")),
    ("pip", run(py, "-m", "pip", "--version").split(" from ")[0]),
    ("requests-kerberos", pymod("requests_kerberos")),
    ("apt", run("apt-get", "--version")),
    ("npm", run("npm", "--version")),
    ("Go", run("go", "version")),
    ("Java", run("java", "-version")),
    ("Node", run("node", "--version")),
    ("undici", run("node", "-p", f"require('{undici}').version")),
    ("Chromium", run("chromium", "--version")),
    ("playwright-core", npmver("playwright-core")),
    ("Firefox", run("firefox-esr", "--version")),
    ("puppeteer-core", npmver("puppeteer-core")),
    ("MIT Kerberos (the private KDC)", run("krb5-config", "--version")),
]
debian = run("cat", "/etc/debian_version")


def cell(c, col):
    v = cells.get((c, col))
    if v is None:
        return "—"
    st, reqs, conns, pre, note = v
    if st == "not installed":
        return f"not installed ({note})"
    if st not in ("200", "407", "no proxy", "not installed"):
        st = "error"
    s = st
    if reqs != "-":
        s += f" · {reqs} req/{conns} conn"
        if pre == "yes":
            s += " · creds first"
    if note.startswith("accepted "):
        used, _, note = note.partition(";")
        s += " · " + used.split()[1]
        note = note.strip()
    said = f"proxy said {st};"
    if note.startswith(said):
        note = note[len(said):]   # the same as the status: say it once
    note = note.strip("; ")
    if note:
        s += " · " + note.replace("|", "/")
    return s


print("# Real clients against bin/proxy's 407: the interop matrix\n")
print("Written by `make interop` (tests/interop/run.sh); do not edit by "
      "hand.  Every client runs against a fresh `bin/proxy -v` on "
      "127.0.0.1, configured as its users configure it, with the "
      "credentials alice:wonderland unless the column says otherwise.  "
      "Targets: bin/origin's `/` over plain HTTP, and a throw-away-"
      "certificate TLS origin through CONNECT (git, pip, apt, npm and "
      "the browsers use a static server holding a dumb-protocol "
      "repository, a simple index, a Debian-style Release/Packages, a "
      "registry stub and a page).  Negotiate: a private Kerberos realm "
      "on loopback (tests/kdc/kdc.sh), alice's ticket in a credential "
      "cache of the run, the proxy reached as `localhost` (its service "
      "principal is HTTP/localhost); curl, requests-kerberos, Java "
      "(`-Djavax.security.auth.useSubjectCredsOnly=false`), Chromium "
      "(`--auth-server-allowlist=localhost`) and Firefox "
      "(`network.negotiate-auth.trusted-uris`) are set up for it as "
      "their documentation says.  An ACL refuses names under .com, .net "
      "and .org (403), so the browsers' own background requests never "
      "leave loopback.\n")
print("Each cell: the client's final status (`200`, `407`), `no proxy` "
      "(a 200 the proxy never saw), `error` (the client's own words "
      "follow) or `not installed`; then the requests the proxy logged "
      "and on how many connections; `creds first` when the first "
      "request already carried Proxy-Authorization, before any "
      "challenge; then the scheme the proxy last accepted credentials "
      "in (`Basic`, `Digest`, `NTLM`, `Negotiate`), when it did; "
      "`proxy said N` is the status of the proxy's last logged answer "
      "(for a browser, often one of its background requests).  `—`: not "
      "run (some rows answer one question only; the two 5 MB POST columns are run "
      "for four clients).\n")
# The date of the measurement: when run.sh last wrote a cell.
when = datetime.datetime.fromtimestamp(os.path.getmtime(tsv), datetime.timezone.utc)
print(f"- Date: {when:%Y-%m-%d %H:%M} UTC (the run of `make interop` this page comes from)")
print(f"- Machine: {os.cpu_count()} cores, Debian {debian}, "
      f"{platform.machine()}, Linux {platform.release()}")
for name, v in versions:
    print(f"- {name}: {v}")
print()
print("| client | " + " | ".join(HEAD[c] for c in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for c in clients:
    print(f"| {NAMES.get(c, c)} | " +
          " | ".join(cell(c, col) for col in cols) + " |")
print()
extra = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "surprises.md")
if os.path.exists(extra):
    print(open(extra, encoding="utf-8").read().rstrip())
