/*
 * repl/kdc.c - `kdc [start|stop]`: let the lab speak Negotiate (lesson 12)
 * with the lab's own Kerberos realm.
 *
 * The realm is the one `make lab-kdc` (mk/lab-kdc.sh) keeps in
 * build/lab-kdc (or $LAB_KDC_DIR): its krb5.conf, the proxy's keytab
 * (HTTP/localhost) and alice's credential cache.  `kdc start` runs that
 * script's --kdc-only mode in the background and waits for it; `kdc`
 * alone uses a realm that is already running.  The REPL then points GSS-API at
 * those files (KRB5_CONFIG, KRB5CCNAME, KRB5RCACHEDIR), the embedded proxy
 * accepts with the keytab, and the client may answer a Negotiate challenge.
 */
#define _POSIX_C_SOURCE 200809L

#include "kdc.h"
#include "repl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../http/negotiate.h"
#include "lab_set.h"
#include "reference.h"

#define KDC_WAIT_MS 15000 /* for `kdc start` to have a realm */
#define KDC_POLL_MS 100

/* The lab's root (the directory above lessons/), or false. */
static bool lab_root(char *out, size_t cap)
{
	char lessons[REPL_MAX_PATH];
	char *slash;

	if (!reference_lessons_dir(lessons, sizeof(lessons)))
		return false;
	slash = strrchr(lessons, '/');
	if (slash == NULL)
		snprintf(out, cap, ".");
	else
		snprintf(out, cap, "%.*s", (int)(slash - lessons), lessons);
	return true;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Run mk/lab-kdc.sh --kdc-only in the background; wait for "ready". */
static bool start_kdc(struct repl *r, const char *root, const char *dir)
{
	char script[REPL_MAX_PATH * 2], bin[REPL_MAX_PATH * 2];
	char ready[REPL_MAX_PATH * 2], log[REPL_MAX_PATH * 2];
	pid_t pid;

	snprintf(script, sizeof(script), "%s/mk/lab-kdc.sh", root);
	snprintf(bin, sizeof(bin), "%s/bin", root);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(log, sizeof(log), "%s/../lab-kdc.log", dir);
	if (!exists(script)) {
		repl_error(r, "kdc start: %s is missing", script);
		return false;
	}
	unlink(ready);
	/* The child would otherwise write out its copy of what is still
	 * buffered here (all of it, when stdout is a pipe or a file). */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		repl_error(r, "kdc start: cannot fork");
		return false;
	}
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);

		(void)f;
		dup2(STDOUT_FILENO, STDERR_FILENO);
		setsid();
		execlp("bash", "bash", script, bin, "--kdc-only", (char *)NULL);
		_exit(127);
	}
	r->kdc_pid = pid;
	for (int waited = 0; waited < KDC_WAIT_MS; waited += KDC_POLL_MS) {
		struct timespec ts = {0, KDC_POLL_MS * 1000000L};
		int status;

		if (exists(ready))
			return true;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			char first[512] = "";
			FILE *f = fopen(log, "r");

			if (f != NULL) {
				if (fgets(first, sizeof(first), f) == NULL)
					first[0] = '\0';
				fclose(f);
			}
			first[strcspn(first, "\n")] = '\0';
			r->kdc_pid = 0;
			repl_error(r,
				   "kdc start: the KDC did not start: %s "
				   "(see %s)",
				   first[0] ? first : "no reason given", log);
			return false;
		}
		nanosleep(&ts, NULL);
	}
	repl_error(r, "kdc start: no realm after %d ms (see %s)", KDC_WAIT_MS,
		   log);
	return false;
}

/* Stop a KDC this REPL started. */
void kdc_stop_child(struct repl *r)
{
	if (r->kdc_pid > 0) {
		kill(r->kdc_pid, SIGTERM);
		waitpid(r->kdc_pid, NULL, 0);
		r->kdc_pid = 0;
	}
}

/* `kdc [start|stop]` */
enum repl_rc kdc_cmd(struct repl *r, int argc, char **argv)
{
	char root[REPL_MAX_PATH], dir[REPL_MAX_PATH + 32];
	char conf[REPL_MAX_PATH * 2], keytab[REPL_MAX_PATH * 2];
	char cc[REPL_MAX_PATH * 2], rc[REPL_MAX_PATH * 2];
	char why[NEGOTIATE_MAX_REASON];
	const char *env_dir = getenv("LAB_KDC_DIR"); /* tests: their own */

	if (argc > 1 && strcmp(argv[1], "stop") == 0) {
		kdc_stop_child(r);
		lab_set_kdc(r->lab, false);
		fprintf(r->out,
			"kdc: the client no longer answers Negotiate\n");
		return REPL_OK;
	}
	if (!lab_root(root, sizeof(root))) {
		repl_error(r, "kdc: cannot find the lab's directory");
		return REPL_FAIL;
	}
	if (env_dir != NULL && env_dir[0] != '\0')
		snprintf(dir, sizeof(dir), "%s", env_dir);
	else
		snprintf(dir, sizeof(dir), "%s/build/lab-kdc", root);
	if (argc > 1 && strcmp(argv[1], "start") == 0 &&
	    !start_kdc(r, root, dir))
		return REPL_FAIL;
	snprintf(conf, sizeof(conf), "%s/krb5.conf", dir);
	snprintf(keytab, sizeof(keytab), "%s/http.keytab", dir);
	snprintf(cc, sizeof(cc), "FILE:%s/ccache", dir);
	snprintf(rc, sizeof(rc), "%s/rcache", dir);
	if (!exists(conf) || !exists(keytab)) {
		repl_error(r,
			   "kdc: no lab realm in %s: run `kdc start`, or "
			   "`make lab-kdc` in another shell",
			   dir);
		return REPL_FAIL;
	}
	setenv("KRB5_CONFIG", conf, 1);
	setenv("KRB5CCNAME", cc, 1);
	setenv("KRB5RCACHEDIR", rc, 1);
	if (negotiate_server_init(keytab, why, sizeof(why)) != HTTP_OK) {
		repl_error(r, "kdc: %s", why);
		return REPL_FAIL;
	}
	lab_set_kdc(r->lab, true);
	if (!r->in_outcomes)
		fprintf(r->out,
			"kdc: realm LAB407.TEST from %s; the proxy accepts "
			"with the HTTP/localhost key, the client has alice's "
			"ticket.  Try: scheme proxy negotiate, get /, run, "
			"explain 3\n",
			dir);
	return REPL_OK;
}
