/*
 * repl/reference.c - looking things up: `status CODE` from the status
 * table (http/status.c) and `lesson [N]` from lessons/NN-*.md.
 */
#define _POSIX_C_SOURCE 200809L

#include "reference.h"
#include "repl.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../http/status.h"

#define REFERENCE_MAX_LESSONS 64

/* ---- Status codes ---- */

#define REFERENCE_WIDTH 78 /* wrap long sentences for a terminal */

/* "  label      text", the text wrapped at word boundaries. */
static void row(struct repl *r, const char *label, const char *v)
{
	const size_t indent = 13, room = REFERENCE_WIDTH - indent;

	if (v == NULL)
		return;
	fprintf(r->out, "  %-10s ", label);
	while (strlen(v) > room) {
		size_t cut = room;
		while (cut > 0 && v[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = room;
		fprintf(r->out, "%.*s\n%*s", (int)cut, v, (int)indent, "");
		v += cut;
		while (*v == ' ')
			v++;
	}
	fprintf(r->out, "%s\n", v);
}

/* `status CODE`.  Lesson 09: it prints one row of http/status.c. */
enum repl_rc reference_status(struct repl *r, int argc, char **argv)
{
	char *end;
	long code = strtol(argv[1], &end, 10);
	const struct http_status_info *s;
	static const char *const class_names[] = {"",
						  "1xx informational",
						  "2xx successful",
						  "3xx redirection",
						  "4xx client error",
						  "5xx server error"};

	(void)argc;
	if (*end != '\0' || code < 100 || code > 999) {
		repl_error(r, "status: '%s' is not a status code (100..999)",
			   argv[1]);
		return REPL_USAGE;
	}
	s = http_status_lookup((int)code);
	if (s == NULL && http_status_class((int)code) == 0) {
		/* RFC 9110 §15: 600..999 are not HTTP status codes at all. */
		fprintf(r->out,
			"%ld is not a valid HTTP status code: valid codes are "
			"100 to 599 (RFC 9110 §15); a client treats an "
			"invalid one as a 5xx\n",
			code);
		return REPL_OK;
	}
	if (s == NULL) {
		/* RFC 9110 §15: an unknown code means the x00 of its class. */
		fprintf(r->out,
			"%ld is not in lab407's table (class %s: a client "
			"that does not know it treats it as %d)\n",
			code, class_names[http_status_class((int)code)],
			(int)(code / 100 * 100));
		return REPL_OK;
	}
	fprintf(r->out, "%s%d %s%s\n", repl_color(r, "step"), s->code,
		s->reason, repl_color(r, "off"));
	row(r, "class", class_names[http_status_class(s->code)]);
	row(r, "defined", s->rfc);
	row(r, "when", s->when);
	row(r, "versus", s->versus);
	if (s->rails || s->python || s->go) {
		fprintf(r->out, "  in code:\n");
		row(r, "Rails", s->rails);
		row(r, "Python", s->python);
		row(r, "Python 2", s->python2);
		row(r, "Symfony", s->symfony);
		row(r, "Go", s->go);
		row(r, "Java", s->java);
		row(r, "Node.js", s->node);
		row(r, ".NET", s->dotnet);
	}
	return REPL_OK;
}

/* ---- Lessons ---- */

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* EXE_DIR/../lessons (found through /proc/self/exe), else ./lessons. */
bool reference_lessons_dir(char *out, size_t cap)
{
	char exe[REPL_MAX_PATH];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(out, cap, "%s/../lessons", exe);
			if (is_dir(out))
				return true;
		}
	}
	snprintf(out, cap, "lessons");
	return is_dir(out);
}

/* True when an executable called name is on $PATH. */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[REPL_MAX_PATH];

	while (path != NULL && *path != '\0') {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (n > 0 && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/*
 * The pager for a lesson: $PAGER, else `less -R` (it passes colour
 * escapes through), else `more`; NULL when there is none, and whenever
 * the output is not a terminal (a pipe, a file, --check), so scripts and
 * tests get the text itself.
 */
static const char *lesson_pager(const struct repl *r)
{
	const char *p = getenv("PAGER");

	if (r->ask == NULL || !isatty(fileno(r->out)))
		return NULL;
	if (p != NULL && *p != '\0')
		return p;
	if (on_path("less"))
		return "less -R";
	if (on_path("more"))
		return "more";
	return NULL;
}

/* Copy f to out, through the pager when there is one. */
static void page_file(struct repl *r, FILE *f)
{
	const char *pager = lesson_pager(r);
	FILE *out = r->out;
	char buf[4096];
	size_t got;

	fflush(r->out);
	if (pager != NULL)
		out = popen(pager, "w");
	if (out == NULL)
		out = r->out;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, got, out) != got)
			break; /* the pager was quit early: fine */
	if (out != r->out)
		pclose(out);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* `lesson [N]`: list lessons/NN-*.md, or print lesson N. */
enum repl_rc reference_lesson(struct repl *r, int argc, char **argv)
{
	char dir[REPL_MAX_PATH], path[REPL_MAX_PATH * 2];
	char *names[REFERENCE_MAX_LESSONS];
	size_t n = 0, i;
	struct dirent *e;
	DIR *d;
	enum repl_rc rc = REPL_OK;
	char want[8] = "";

	if (!reference_lessons_dir(dir, sizeof(dir))) {
		repl_error(r, "no lessons directory (looked beside the program "
			      "in ../lessons and in ./lessons)");
		return REPL_FAIL;
	}
	if (argc > 1)
		snprintf(want, sizeof(want), "%02d-", atoi(argv[1]));
	d = opendir(dir);
	if (d == NULL) {
		repl_error(r, "cannot open %s", dir);
		return REPL_FAIL;
	}
	while ((e = readdir(d)) != NULL && n < REFERENCE_MAX_LESSONS) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 3, ".md") != 0 ||
		    e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		names[n] = strdup(e->d_name);
		if (names[n] != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	if (argc == 1) {
		for (i = 0; i < n; i++)
			fprintf(r->out, "  %.*s\n", (int)(strlen(names[i]) - 3),
				names[i]);
		fprintf(r->out, "lesson N prints one\n");
	} else {
		FILE *f = NULL;
		for (i = 0; i < n && f == NULL; i++) {
			if (strncmp(names[i], want, 3) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			f = fopen(path, "r");
		}
		if (f == NULL) {
			repl_error(r, "no lesson %s (type lesson for the list)",
				   argv[1]);
			rc = REPL_FAIL;
		} else {
			page_file(r, f);
			fclose(f);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
