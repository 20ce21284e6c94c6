#!/usr/bin/env python3
"""tests/interop/pyclient.py MODE - one request through a proxy, as a Python
library's users write it; prints the final status, or "error: TEXT".

MODE: urllib-url (credentials in the proxy URL), urllib-handlers
(ProxyBasicAuthHandler + ProxyDigestAuthHandler), requests, requests-kerberos
(requests with requests_kerberos.HTTPKerberosAuth and the proxy URL without
credentials: the ticket is in the credential cache), httpx, aiohttp.
Input from the environment: PX_URL (proxy URL with percent-encoded
credentials), PX_BARE (proxy URL without them), PX_USER, PX_PASS, URL,
CAFILE, POST_BYTES (send a POST with that many bytes, else GET).
"""
import os
import ssl
import sys

mode = sys.argv[1]
env = os.environ
url, px, bare = env["URL"], env["PX_URL"], env["PX_BARE"]
user, pw = env["PX_USER"], env["PX_PASS"]
body = b"x" * int(env.get("POST_BYTES") or "0") or None
ctx = ssl.create_default_context(cafile=env["CAFILE"])
TIMEOUT = 15


def one_line(e):
    return " ".join(f"{type(e).__name__}: {e}".split())[:300]


def run_urllib(handlers):
    import urllib.request
    import urllib.error
    op = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ctx), *handlers)
    try:
        with op.open(urllib.request.Request(url, data=body),
                     timeout=TIMEOUT) as r:
            return str(r.status)
    except urllib.error.HTTPError as e:
        return str(e.code)


def main():
    if mode == "urllib-url":
        import urllib.request
        return run_urllib([urllib.request.ProxyHandler(
            {"http": px, "https": px})])
    if mode == "urllib-handlers":
        import urllib.request
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, bare, user, pw)
        return run_urllib([
            urllib.request.ProxyHandler({"http": bare, "https": bare}),
            urllib.request.ProxyBasicAuthHandler(mgr),
            urllib.request.ProxyDigestAuthHandler(mgr)])
    if mode == "requests":
        import requests
        r = requests.request("POST" if body else "GET", url, data=body,
                             proxies={"http": px, "https": px},
                             verify=env["CAFILE"], timeout=TIMEOUT)
        return str(r.status_code)
    if mode == "requests-kerberos":
        import requests
        from requests_kerberos import HTTPKerberosAuth, OPTIONAL
        r = requests.get(url, proxies={"http": bare, "https": bare},
                         auth=HTTPKerberosAuth(mutual_authentication=OPTIONAL),
                         verify=env["CAFILE"], timeout=TIMEOUT)
        return str(r.status_code)
    if mode == "httpx":
        import httpx
        try:
            c = httpx.Client(proxies=px, verify=ctx, timeout=TIMEOUT)
        except TypeError:
            c = httpx.Client(proxy=px, verify=ctx, timeout=TIMEOUT)
        with c:
            r = c.request("POST" if body else "GET", url, content=body)
            return str(r.status_code)
    if mode == "aiohttp":
        import asyncio
        import aiohttp

        async def go():
            t = aiohttp.ClientTimeout(total=TIMEOUT)
            async with aiohttp.ClientSession(timeout=t) as s:
                async with s.request("POST" if body else "GET", url,
                                     data=body, proxy=px, ssl=ctx) as r:
                    return str(r.status)
        return asyncio.run(go())
    return "error: unknown mode " + mode


if __name__ == "__main__":
    try:
        print(main())
    except ImportError as e:
        print("not installed: " + one_line(e))
    except Exception as e:  # the client's own words are the measurement
        print("error: " + one_line(e))
