/*
 * client/options.h - bin/client's command line: curl's option names and
 * meanings, read into one struct options, and the machine's configuration
 * made from it.
 *
 * This is bin/client's shell, like main.c: on --help, --version and a bad
 * option it prints and exits (status 2, or 26 when -d @FILE cannot be
 * read), as curl does.
 */
#ifndef LAB407_CLIENT_OPTIONS_H
#define LAB407_CLIENT_OPTIONS_H

#include <stdbool.h>

#include "../http/buf.h"
#include "../http/message.h"
#include "../http/url.h"
#include "machine.h"

#define CLIENT_VERSION "0.1.0"
#define CLIENT_PROG "client"	    /* the name in messages */
#define CLIENT_MAX_EXTRA 65536	    /* all -H lines together */
#define CLIENT_MAX_DATA (16u << 20) /* all -d data together */

/* Exit codes: curl's. */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 2,
	EXIT_URL = 3,
	EXIT_PROXY_DNS = 5,
	EXIT_HOST_DNS = 6,
	EXIT_CONNECT = 7,
	EXIT_HTTP = 22,
	EXIT_WRITE = 23,
	EXIT_READ = 26,
	EXIT_EMPTY = 52,
	EXIT_RECV = 56
};

/* What the command line said of one party's credentials. */
struct options_party {
	char *user;	  /* owned copy, split at ':' */
	const char *pass; /* inside user's copy */
	char *token;	  /* owned copy of the Bearer token */
	unsigned allowed; /* the scheme options; 0: curl's default Basic */
};

/* Everything the command line said. */
struct options {
	const char *url;
	const char *proxy; /* -x as given */
	char proxy_host[HTTP_MAX_HOST + 1];
	unsigned proxy_port;
	struct options_party proxy_auth;  /* -U, --proxy-bearer, --proxy-* */
	struct options_party origin_auth; /* -u, --oauth2-bearer, --basic.. */
	bool tunnel, verbose, silent, show_error, include, fail, insecure;
	const char *method, *output, *write_out, *cacert;
	bool proxy_tls;		  /* -x https://: TLS to the proxy */
	bool proxy_insecure;	  /* --proxy-insecure */
	const char *proxy_cacert; /* --proxy-cacert FILE, or NULL */
	struct http_buf extra;	  /* -H lines */
	struct http_buf data;	  /* -d data */
	bool have_data;
	bool user_content_type;
};

/*
 * Read the command line into o (zeroed here; owns copies of the secrets,
 * blanked in argv).  Exits on --help, --version and errors.
 */
void options_parse(int argc, char **argv, struct options *o);
/*
 * The machine's configuration from the options, for a URL whose scheme
 * is https (or not).  cfg points into o, which must outlive it.
 */
void options_config(struct options *o, bool https, struct client_config *cfg);
/* Wipe the secrets and free what options_parse() allocated. */
void options_free(struct options *o);

#endif
