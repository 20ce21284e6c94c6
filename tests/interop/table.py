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
    "wget": "wget (`http(s)_proxy` with user:pass)",
    "git": "git `ls-remote` (`http.proxy` with user:pass, dumb HTTP)",
    "urllib_url": "Python urllib, user:pass in ProxyHandler URL",
    "urllib_handlers": "Python urllib, Proxy{Basic,Digest}AuthHandler",
    "requests": "requests (`proxies=` with user:pass)",
    "httpx": "httpx (`proxies=` with user:pass)",
    "aiohttp": "aiohttp (`proxy=` with user:pass)",
    "pip": "pip download `--proxy` (local index)",
    "go_env": "Go net/http, `HTTP(S)_PROXY` (ProxyFromEnvironment)",
    "go_proxyurl": "Go net/http, `http.ProxyURL`",
    "java_httpclient": "Java 17 HttpClient + Authenticator",
    "java_urlconnection": "Java 17 HttpURLConnection + Authenticator",
    "java_tunnelbasic": "Java 17 HttpClient, `-Djdk.http.auth.tunneling.disabledSchemes=`",
    "node_fetch": "Node built-in fetch, `HTTP(S)_PROXY` set",
    "undici": "Node, undici ProxyAgent (user:pass in uri)",
    "chromium": "Chromium headless `--proxy-server`, `--proxy-bypass-list='<-loopback>'` (no credentials)",
    "chromium_loopback": "Chromium headless `--proxy-server` alone",
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
    "wrongpw-http": "Basic, wrong password",
    "special-http": "Basic, `p@ss:w0rd%` encoded",
    "rawspecial-http": "Basic, `p@ss:w0rd%` not encoded",
    "post5m-http": "Basic, 5 MB POST",
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
versions = [
    ("curl", run("curl", "--version")),
    ("wget", run("wget", "--version")),
    ("git", run("git", "--version")),
    ("Python (urllib)", run(py, "--version")),
    ("requests", pymod("requests")),
    ("httpx", pymod("httpx")),
    ("aiohttp", pymod("aiohttp")),
    ("pip", run(py, "-m", "pip", "--version").split(" from ")[0]),
    ("Go", run("go", "version")),
    ("Java", run("java", "-version")),
    ("Node", run("node", "--version")),
    ("undici", run("node", "-p", f"require('{undici}').version")),
    ("Chromium", run("chromium", "--version")),
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
      "certificate TLS origin through CONNECT (git and pip use a static "
      "server holding a dumb-protocol repository and a simple index).\n")
print("Each cell: the client's final status (`200`, `407`), `no proxy` "
      "(a 200 the proxy never saw), `error` (the client's own words "
      "follow) or `not installed`; then the requests the proxy logged "
      "and on how many connections; `creds first` when the first "
      "request already carried Proxy-Authorization, before any "
      "challenge; `proxy said N` is the status of the proxy's last "
      "logged answer.  `—`: not run (some rows answer one question "
      "only; the 5 MB POST is run for four clients).\n")
print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
print(f"- Machine: {os.cpu_count()} cores, Debian {debian}, "
      f"{platform.machine()}, Linux {platform.release()}")
for name, v in versions:
    print(f"- {name}: {v}")
print("- Not measured in this version (no driver yet, so no cells): "
      "apt (a run with a private sources list and `-o Dir::...` that "
      "leaves the system's apt state untouched), npm (needs a local "
      "registry stub), Firefox headless (Debian's firefox-esr), "
      "playwright with proxy credentials for Chromium, and Negotiate "
      "(it needs a KDC and each client's Kerberos set-up).\n")
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
