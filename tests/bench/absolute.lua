-- tests/bench/absolute.lua - wrk script for make bench.
--
-- wrk writes the path of its URL as the request-target (origin-form), as
-- a client talking to a server does.  A client talking to a forward proxy
-- writes the absolute-form instead (RFC 9112 §3.2.2), and Host names the
-- origin, not the proxy.  wrk connects to the URL on its command line
-- (the proxy); this sets the request line to GET http://ORIGIN/ and Host
-- to ORIGIN, where ORIGIN is $BENCH_ORIGIN ("127.0.0.1:PORT").  Other
-- fields (Proxy-Authorization, Connection) come from wrk -H.
--
-- At the end it prints one line that tests/bench/run.sh reads:
--   BENCH requests=N seconds=S p50_us=X p99_us=Y non2xx=N connect=N
--         read=N write=N timeout=N
-- non2xx is wrk's count of responses outside 200-399.

local origin = os.getenv("BENCH_ORIGIN") or "127.0.0.1:8080"
wrk.path = "http://" .. origin .. "/"
wrk.headers["Host"] = origin

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"BENCH requests=%d seconds=%.3f p50_us=%d p99_us=%d " ..
		"non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
		summary.requests, summary.duration / 1e6,
		latency:percentile(50), latency:percentile(99),
		e.status, e.connect, e.read, e.write, e.timeout))
end
