/*
 * repl/command_table.c - the one table of the REPL's commands: name,
 * usage, the line `help` lists, the paragraph `help NAME` prints, the
 * argument counts, the words to complete, and the handler.  Splitting,
 * finding, checking and running a line are repl/command.c.
 */
#include "command_table.h"

#include <stddef.h>

#include "breaker.h"
#include "drive.h"
#include "explain.h"
#include "export.h"
#include "export_dot.h"
#include "intercept.h"
#include "kdc.h"
#include "mystery.h"
#include "outcomes.h"
#include "predict.h"
#include "reference.h"
#include "script.h"
#include "setup.h"
#include "show.h"
#include "tlsleg.h"

/* ---- The table ---- */

#define PARTIES                                                                \
	{                                                                      \
		"proxy", "origin", NULL                                        \
	}

/*
 * One row per command, fields in struct command's order: name, usage,
 * summary, help, min_args, max_args, first_is_word, completion words for
 * arguments 1 and 2, handler.
 */
const struct command command_table[] = {
    {"get",
     "get PATH",
     "start a new exchange: GET PATH on the lab's origin, through the proxy",
     "Starts a new exchange.  The client asks the proxy for\n"
     "http://127.0.0.1:ORIGIN-PORT/PATH with the credentials set by `user`.\n"
     "Press Enter (or `step`) to move one message, `run` to go to the end.\n"
     "Paths of the default lab: / (public), /private (any user), /admin "
     "(alice).",
     1,
     1,
     false,
     {{"/", "/private", "/admin", NULL}},
     drive_get},
    {"request",
     "request METHOD URL [BODY]",
     "start a new exchange: any method, URL or path, body; CONNECT origin",
     "Like `get`, with a method (GET, POST, PUT, OPTIONS, ...), a URL or a\n"
     "path on the lab's origin, and an optional body (quote it).  A body\n"
     "makes the client send Content-Length.\n"
     "`request CONNECT HOST:PORT` asks the proxy for a tunnel (lesson 07);\n"
     "`request CONNECT origin` is the lab origin's 127.0.0.1:PORT.  The\n"
     "proxy answers 407, 403 or 200 Connection established; after the 200\n"
     "only opaque bytes (TLS) would follow, so the exchange ends there.\n"
     "The lab's proxy opens tunnels only to the lab's origin (else 403).",
     2,
     3,
     false,
     {{"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "CONNECT", NULL},
      {"/", "/private", "/admin", "origin", NULL}},
     drive_request},
    {"step",
     "step",
     "move one message along one leg (Enter does the same)",
     "Moves the next message of the exchange: the REPL writes it into one\n"
     "end of a loopback TCP connection, reads it out of the other end, and\n"
     "hands the bytes to the receiver's machine (proxy_decide, origin_decide\n"
     "or client_next).  It prints the bytes and the receiver's reason.",
     0,
     0,
     false,
     {{NULL}},
     drive_step},
    {"run",
     "run",
     "run the exchange to its end",
     "Steps until the client has its answer (or gives up).",
     0,
     0,
     false,
     {{NULL}},
     drive_run},
    {"reset",
     "reset",
     "back to the default lab: Basic on both sides, alice, no breaks",
     "Clears the exchange and every change made with scheme, algorithm,\n"
     "qop, user, break and connect.  The servers keep their ports.",
     0,
     0,
     false,
     {{NULL}},
     drive_reset},
    {"show",
     "show [N]",
     "show message N again (default: the last one)",
     "Prints a message of the current exchange again, as it crossed the\n"
     "socket.  `raw` toggles whether \\r and \\n are shown.",
     0,
     1,
     false,
     {{NULL}},
     show_cmd},
    {"raw",
     "raw [on|off]",
     "toggle showing \\r\\n visibly",
     "With raw on, every CR is shown as \\r and every LF as \\n, so you can\n"
     "see that HTTP/1.1 lines end in CRLF (RFC 9112 §2.2) and that the head\n"
     "ends with an empty line.",
     0,
     1,
     true,
     {{"on", "off", NULL}},
     show_raw},
    {"explain",
     "explain [N]",
     "annotate every header of message N: meaning, RFC, decoded credentials",
     "Explains message N (default: the last one) header by header, with the\n"
     "RFC section.  Basic credentials are decoded to user:password (an\n"
     "encoding is not encryption); Digest credentials are recomputed with\n"
     "the lab password: A1, HA1, A2, HA2 and the response, with real values.",
     0,
     1,
     false,
     {{NULL}},
     explain_cmd},
    {"scheme",
     "scheme proxy|origin basic|digest|bearer|ntlm|negotiate|none[,...]",
     "choose the schemes a server offers (in order)",
     "Sets which authentication schemes the proxy (407, Proxy-Authenticate)\n"
     "or the origin (401, WWW-Authenticate) offers.  Several, comma\n"
     "separated, mean several challenges in one response, one field each\n"
     "(lesson 08); none turns authentication off.  The lab's client ranks\n"
     "the schemes itself, whatever their order, by a lab choice: on the\n"
     "lab's plain-HTTP connections Digest > NTLM > Bearer > Basic, as a\n"
     "token travels in clear (RFC 6750 §5.3 requires TLS for Bearer);\n"
     "lesson 08 says what RFC 9110 and RFC 7616 leave to a client.\n"
     "ntlm is the proxy's only: it authenticates the connection (lesson\n"
     "11).  negotiate (proxy only) needs a Kerberos ticket: without `kdc`\n"
     "the lab's client answers another scheme or gets 407 (lesson 12).",
     2,
     2,
     true,
     {PARTIES,
      {"basic", "digest", "bearer", "ntlm", "none", "digest,basic",
       "basic,digest", NULL}},
     setup_scheme},
    {"algorithm",
     "algorithm proxy|origin MD5|SHA-256|SHA-512-256[-sess][,...]",
     "choose the Digest algorithms a server offers",
     "One Digest challenge is sent per algorithm, in the order given.\n"
     "RFC 7616 §3.7 asks a client to use the first one it supports unless\n"
     "a local policy says otherwise; the lab's client's policy is the\n"
     "strongest algorithm offered (lesson 08).",
     2,
     2,
     true,
     {PARTIES,
      {"MD5", "SHA-256", "SHA-512-256", "MD5-sess", "SHA-256-sess",
       "SHA-512-256-sess", "SHA-256,MD5", NULL}},
     setup_algorithm},
    {"qop",
     "qop proxy|origin auth|auth-int|auth,auth-int|none",
     "choose the Digest qop a server offers",
     "qop=auth protects the method and URI; auth-int also the body; none is\n"
     "the old RFC 2069 form without cnonce and nonce count (RFC 7616 §3.3).",
     2,
     2,
     true,
     {PARTIES, {"auth", "auth-int", "auth,auth-int", "none", NULL}},
     setup_qop},
    {"user",
     "user proxy|origin NAME:PASSWORD|none",
     "set the credentials the client sends to the proxy or the origin",
     "`user proxy` is curl's -U (Proxy-Authorization), `user origin` is\n"
     "curl's -u (Authorization).  Lab users: alice:wonderland,\n"
     "bob:builder, mallory:letmein (the proxy's ACL denies mallory).\n"
     "For Bearer the password is the token (alice-token).",
     2,
     2,
     true,
     {PARTIES,
      {"alice:wonderland", "bob:builder", "mallory:letmein", "alice:wrong",
       "none", NULL}},
     setup_user},
    {"break",
     "break [proxy|origin] WHAT",
     "corrupt the next credential the client sends to one party",
     "WHAT is one of:\n"
     "  password  a wrong password            -> 407 (origin: 401)\n"
     "  user      an unknown user             -> 407 (origin: 401)\n"
     "  scheme    the scheme becomes Basix    -> 407 (origin: 401)\n"
     "  header    Authorization instead of Proxy-Authorization -> 407\n"
     "            (the proxy's credential only)\n"
     "  base64    Basic token not base64      -> 400\n"
     "  realm     Digest realm changed        -> 407 or 400\n"
     "  nonce     Digest nonce changed        -> 407\n"
     "  nc        the last Digest credentials sent again (replay) -> 407\n"
     "  response  Digest response hash changed -> 407\n"
     "  stale     the proxy's clock jumps past the nonce lifetime:\n"
     "            407 stale=true, and the client retries silently\n"
     "            (the proxy's credential only)\n"
     "  close     NTLM: the connection closes between CHALLENGE and\n"
     "            AUTHENTICATE -> 407, the handshake starts over\n"
     "  replay    NTLM: the last AUTHENTICATE sent again on a new\n"
     "            connection -> 407 (then a fresh handshake)\n"
     "`break proxy WHAT` corrupts only Proxy-Authorization, `break origin\n"
     "WHAT` only Authorization.  Plain `break WHAT` targets the proxy when\n"
     "it asks for credentials and the client has some for it, else the\n"
     "origin; the armed message names the party.  One break is pending at\n"
     "a time: a second `break` replaces the first and says which it\n"
     "replaced.  A break applies once; `fix` cancels it.",
     1,
     2,
     true,
     {{"proxy", "origin", "password", "user", "scheme", "header", "base64",
       "realm", "nonce", "nc", "response", "stale", "close", "replay", NULL},
      {"password", "user", "scheme", "header", "base64", "realm", "nonce", "nc",
       "response", "stale", "close", "replay", NULL}},
     breaker_break},
    {"fix",
     "fix",
     "cancel a pending break",
     "Cancels what `break` prepared, if it has not been used yet.",
     0,
     0,
     false,
     {{NULL}},
     breaker_fix},
    {"kdc",
     "kdc [start|stop]",
     "use the lab's Kerberos realm for Negotiate (lesson 12)",
     "kdc start runs the lab's private KDC (realm LAB407.TEST, everything\n"
     "under build/lab-kdc, as make lab-kdc does) and gets alice a ticket;\n"
     "kdc alone uses one already running.  Then the proxy accepts Kerberos\n"
     "tickets for HTTP/localhost and the client answers Negotiate:\n"
     "scheme proxy negotiate, get /, run, explain 3.  kdc stop ends it.",
     0,
     1,
     false,
     {{"start", "stop", NULL}},
     kdc_cmd},
    {"outcomes",
     "outcomes [--quiz]",
     "run every row of the outcomes table live and print the results",
     "Runs lessons/outcomes.lab, one section per row of the\n"
     "outcomes table (lesson 05), against the embedded servers, and prints "
     "scenario,\n"
     "expected, got, who answered and pass/fail.  Resets the lab after.\n"
     "--quiz hides the expected column (\"?\"): say it before you look.\n"
     "While `connect`ed to an external proxy it refuses: the rows are the\n"
     "embedded proxy's.",
     0,
     1,
     false,
     {{NULL}},
     outcomes_cmd},
    {"predict",
     "predict on|off | proxy|origin STATUS | strict on|off | score",
     "predict, then see: guess who answers the next response, and how",
     "predict on       at a terminal, before each response the REPL asks\n"
     "                 who will answer (proxy or origin) and with which\n"
     "                 status; then it shows the message, the why-line\n"
     "                 and the score.  Enter skips a question.\n"
     "predict proxy 407   a guess for the next response, as a line of a\n"
     "                 lab script: graded and counted, never blocking\n"
     "predict strict on   a wrong guess fails `bin/repl --check`\n"
     "predict score    right guesses so far\n"
     "`bin/repl --check FILE --predictions OUT` writes each graded guess\n"
     "to OUT, one line each, and a summary line.",
     1,
     2,
     true,
     {{"on", "off", "proxy", "origin", "strict", "score", NULL},
      {"407", "401", "403", "400", "200", "on", "off", NULL}},
     predict_cmd},
    {"mystery",
     "mystery [N|off]",
     "start a hidden set-up to diagnose by experiment",
     "mystery lists them; mystery N starts one (1 to 9), mystery off ends\n"
     "it.  The servers are then set up in a way `settings` and `curl` do\n"
     "not reveal (\"hidden: mystery N\"); reset keeps it.  Find what\n"
     "differs from the default lab with get, request, user, break,\n"
     "explain, wait and outcomes, then write a lab script that starts\n"
     "with `mystery N` and whose expect lines prove it: bin/repl --check\n"
     "grades it.  bin/repl --mystery N starts with one.",
     0,
     1,
     false,
     {{"off", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL}},
     mystery_cmd},
    {"wait",
     "wait SECONDS",
     "move the servers' clocks on (nonces age)",
     "The proxy's and the origin's clocks jump SECONDS ahead (1 to 3600):\n"
     "a Digest nonce older than its lifetime is then stale (RFC 7616\n"
     "§3.3, stale=true).  Nothing sleeps.  reset does not undo it.",
     1,
     1,
     false,
     {{NULL}},
     mystery_wait},
    {"why",
     "why on|off",
     "show or hide the why-lines",
     "With why off, each message is shown without the receiver's reason:\n"
     "say it yourself first, then `explain` or `why on`.",
     0,
     1,
     true,
     {{"on", "off", NULL}},
     predict_why},
    {"trace",
     "trace",
     "the exchange so far, one line a message",
     "One line per message: step, leg, request or status line.",
     0,
     0,
     false,
     {{NULL}},
     show_trace},
    {"dot",
     "dot FILE",
     "write the exchange as a Graphviz sequence diagram",
     "Writes a .dot file; render it with `dot -Tsvg FILE -o out.svg`.",
     1,
     1,
     false,
     {{NULL}},
     export_dot},
    {"save",
     "save FILE",
     "write the exchange as a Markdown transcript",
     "Writes every message of the exchange with its why line as Markdown.",
     1,
     1,
     false,
     {{NULL}},
     export_save},
    {"curl",
     "curl",
     "the curl command line for the current set-up",
     "Prints the curl command that makes the same request through the\n"
     "lab's proxy, and the bin/proxy and bin/origin lines that start the\n"
     "same set-up as daemons: the lab's own ports move one message per\n"
     "step, so run curl against those to compare with a real client.",
     0,
     0,
     false,
     {{NULL}},
     export_curl},
    {"status",
     "status CODE",
     "a status code: name, class, RFC, and its name in common frameworks",
     "Explains a status code from the table in http/status.c: when a\n"
     "client sees it, how 401, 403 and 407 differ, and the constant for it\n"
     "in Rails, Python, Symfony, Go, Java, Node.js and .NET.",
     1,
     1,
     false,
     {{"400", "401", "403", "407", "200", "502", NULL}},
     reference_status},
    {"lesson",
     "lesson [N]",
     "list the lessons, or print lesson N",
     "Without N lists lessons/NN-*.md; with N prints that lesson.  At a\n"
     "terminal it goes through a pager: $PAGER, else `less -R`, else\n"
     "`more` (q leaves it); into a pipe or a file it is printed as is.",
     0,
     1,
     false,
     {{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", NULL}},
     reference_lesson},
    {"connect",
     "connect proxy HOST:PORT|embedded",
     "use an external proxy (a real Squid, say) instead of the embedded one",
     "The client then talks to that proxy, which talks to the lab's origin.\n"
     "Only the client <-> proxy legs are visible: the REPL cannot see\n"
     "inside another program.  `connect proxy embedded` goes back.",
     2,
     2,
     true,
     {{"proxy", NULL}, {"embedded", NULL}},
     setup_connect},
    {"listen",
     "listen HOST:PORT|off",
     "let outside clients (curl, a browser) in through the lab's proxy",
     "listen 127.0.0.1:0 picks a free loopback port and prints it.  Point\n"
     "curl (-x http://HOST:PORT) or a browser at it: every message of its\n"
     "exchange is held until Enter, shown with #N (the connection).  See\n"
     "hold, auto, edit, held, await; lesson 13.",
     1,
     1,
     false,
     {{"127.0.0.1:0", "off", NULL}},
     intercept_listen},
    {"tls",
     "tls proxy on|off",
     "run the client -> proxy leg over TLS (lesson 03's fix for Basic)",
     "tls proxy on: the lab's client and proxy speak TLS over their\n"
     "socket; each step shows the TLS records that crossed it, whether\n"
     "Proxy-Authorization was visible in them, then the HTTP decrypted at\n"
     "the other end.  bin/proxy --tls-cert does the same for real clients.",
     2,
     2,
     true,
     {{"proxy", NULL}, {"on", "off", NULL}},
     tlsleg_cmd},
    {"hold",
     "hold all | host H | method M | path PREFIX | rest release|deny | show",
     "which outside requests are held; the rest released or answered 403",
     "A browser sends requests of its own (update checks, preconnects).\n"
     "hold host 127.0.0.1 holds only requests for that host; hold path\n"
     "/private only paths starting so; hold method GET.  They combine.\n"
     "hold rest deny answers the others 403 at once; hold rest release\n"
     "(the default) passes them unshown.  hold all clears the filter.",
     1,
     2,
     true,
     {{"all", "host", "method", "path", "rest", "show", NULL},
      {"release", "deny", NULL}},
     intercept_hold},
    {"auto",
     "auto on|off",
     "release outside messages at once, still printing each",
     "auto on: nothing is held, every outside message is printed as it\n"
     "passes.  auto off: held until Enter again.",
     1,
     1,
     true,
     {{"on", "off", NULL}},
     intercept_auto},
    {"reach",
     "reach loopback|any",
     "where outside clients' requests may go (default loopback)",
     "reach loopback (the default): an outside client's request goes only\n"
     "to servers on loopback (the lab's origin, or your own on 127.0.0.1);\n"
     "others get the lab's 403.  reach any: to any origin the client names,\n"
     "as bin/proxy does, so a browser's real pages load through the lab\n"
     "(the lab's ACL and CONNECT ports still apply; the listener stays on\n"
     "loopback).",
     1,
     1,
     true,
     {{"loopback", "any", NULL}},
     intercept_reach},
    {"held",
     "held",
     "the outside connections and what each has held",
     "Lists #N, the held message and its leg, and the hold filter.",
     0,
     0,
     false,
     {{NULL}},
     intercept_held},
    {"edit",
     "edit set NAME VALUE | edit remove NAME",
     "change a header of the held outside message before Enter",
     "edit set Proxy-Authorization \"Basic bm9ib2R5Onh4\" replaces the\n"
     "field (or adds it); edit remove Proxy-Authorization takes it out.\n"
     "`break` kinds apply to a held outside request too.",
     2,
     3,
     true,
     {{"set", "remove", NULL}, {"Proxy-Authorization", NULL}},
     intercept_edit},
    {"await",
     "await request|closed|quiet SECS",
     "wait (at most SECS) for an outside request, or for all to close",
     "For lab scripts driving a real client: await request 10 waits for\n"
     "the next outside request to be held; await closed 10 relays tunnels\n"
     "until a client has come and every outside connection has closed.\n"
     "Both fail after SECS.  await quiet 5 relays for 5 s and fails if\n"
     "a request the hold filter holds comes meanwhile (\"the client did\n"
     "not try again\").",
     2,
     2,
     true,
     {{"request", "closed", "quiet", NULL}},
     intercept_await},
    {"settings",
     "settings",
     "what the lab is set to now",
     "Schemes, algorithms, qop, users, pending break, proxy in use.",
     0,
     0,
     false,
     {{NULL}},
     setup_settings},
    {"expect",
     "expect STATUS | from proxy|origin | header NAME TEXT | no-header NAME | "
     "seen TEXT | not-seen TEXT | why TEXT",
     "check the last response (lab scripts); runs the exchange to its end",
     "expect 407                         the final status\n"
     "expect from proxy                  who answered: proxy or origin\n"
     "expect header Proxy-Authenticate Basic   a field contains TEXT\n"
     "expect no-header Proxy-Authorization     a field is absent\n"
     "expect seen stale=true             some message of the exchange\n"
     "                                   contains TEXT\n"
     "expect not-seen 407                no message of the exchange does\n"
     "expect why unknown user            some receiver's why line contains\n"
     "                                   TEXT\n"
     "In `bin/repl --check` the first failed expect ends the run (exit 1).",
     1,
     REPL_MAX_ARGS - 1,
     true,
     {{"200", "400", "401", "403", "407", "from", "header", "no-header", "seen",
       "not-seen", "why", NULL},
      {"proxy", "origin", NULL}},
     script_expect},
    {"help",
     "help [COMMAND]",
     "list commands, or explain one",
     "help lists every command; help NAME explains one.",
     0,
     1,
     false,
     {{NULL}},
     command_help},
    {"quit",
     "quit",
     "leave (Ctrl-D does the same)",
     "Leaves the REPL.",
     0,
     0,
     false,
     {{NULL}},
     command_quit},
};

const size_t command_table_len =
    sizeof(command_table) / sizeof(command_table[0]);
