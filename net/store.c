/*
 * net/store.c - the credential store a running server checks against,
 * read again when its file changes (see store.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- One store ---- */

static void cache_lock(void *m)
{
	pthread_mutex_lock(m);
}

static void cache_unlock(void *m)
{
	pthread_mutex_unlock(m);
}

/* A store with an empty cache of its own, held once (the server's). */
static struct store_gen *gen_new(unsigned ttl)
{
	struct store_gen *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	if (credcache_init(&g->cache, ttl) != HTTP_OK) {
		free(g);
		return NULL;
	}
	pthread_mutex_init(&g->cache_lock, NULL);
	atomic_init(&g->refs, 1);
	return g;
}

struct store_gen *store_acquire(struct store *s)
{
	struct store_gen *g;

	pthread_mutex_lock(&s->lock);
	g = s->cur;
	atomic_fetch_add(&g->refs, 1);
	pthread_mutex_unlock(&s->lock);
	return g;
}

/* The last holder frees it, users, cache key and all. */
void store_release(struct store_gen *g)
{
	if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	if (g->owned)
		users_free(&g->own);
	credcache_free(&g->cache);
	pthread_mutex_destroy(&g->cache_lock);
	free(g);
}

void store_use(struct store_gen *g, struct guard_config *cfg)
{
	cfg->users = g->users;
	cfg->creds = g->cache.ttl > 0 ? &g->cache : NULL;
	cfg->creds_lock.lock = cache_lock;
	cfg->creds_lock.unlock = cache_unlock;
	cfg->creds_lock.arg = &g->cache_lock;
}

/* ---- Noticing a change ---- */

/* The file's identity now; false when it cannot be looked at. */
static bool identify(const char *path, struct store_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) != 0)
		return false;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime_s = (long long)st.st_mtim.tv_sec;
	id->mtime_ns = st.st_mtim.tv_nsec;
	id->ctime_s = (long long)st.st_ctim.tv_sec;
	id->ctime_ns = st.st_ctim.tv_nsec;
	return true;
}

static bool same_id(const struct store_id *a, const struct store_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
	       a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

enum http_err store_open(struct store *s, const struct users *first)
{
	pthread_mutex_init(&s->lock, NULL);
	s->cur = gen_new(s->ttl);
	if (s->cur == NULL) {
		pthread_mutex_destroy(&s->lock);
		return HTTP_E_NOMEM;
	}
	s->cur->users = first;
	atomic_init(&s->checked, 0);
	s->loading = false;
	if (s->users_file != NULL)
		(void)identify(s->users_file, &s->seen);
	return HTTP_OK;
}

bool store_check(struct store *s, uint64_t now)
{
	struct store_id id;
	bool changed = false;

	/* The common case, every request but one a second: no lock. */
	if (s->users_file == NULL ||
	    atomic_load_explicit(&s->checked, memory_order_relaxed) == now)
		return false;
	pthread_mutex_lock(&s->lock);
	if (s->loading || now == s->checked) {
		pthread_mutex_unlock(&s->lock);
		return false;
	}
	atomic_store_explicit(&s->checked, now, memory_order_relaxed);
	/* A file being replaced may be missing for a moment: keep the
	 * store we have and look again next second. */
	if (identify(s->users_file, &id) && !same_id(&id, &s->seen)) {
		s->seen = id; /* noted before reading: a later change shows */
		s->loading = true;
		changed = true;
	}
	pthread_mutex_unlock(&s->lock);
	return changed;
}

/* ---- Reading it again ---- */

bool store_reload(struct store *s, char *err, size_t err_cap)
{
	struct store_gen *g = gen_new(s->ttl), *old;
	bool plaintext = false;

	if (g == NULL) {
		snprintf(err, err_cap, "out of memory");
		goto refused;
	}
	if (guard_setup_users(s->guard, &g->own, s->side, s->users_file,
			      s->tokens_file, &plaintext, err,
			      err_cap) != HTTP_OK) {
		users_free(&g->own); /* whatever it had read */
		store_release(g);
		goto refused;
	}
	g->owned = true;
	g->users = &g->own;
	pthread_mutex_lock(&s->lock);
	old = s->cur;
	s->cur = g;
	s->loading = false;
	pthread_mutex_unlock(&s->lock);
	store_release(old);
	return true;
refused:
	pthread_mutex_lock(&s->lock);
	s->loading = false;
	pthread_mutex_unlock(&s->lock);
	return false;
}

void store_close(struct store *s)
{
	store_release(s->cur);
	s->cur = NULL;
	pthread_mutex_destroy(&s->lock);
}
