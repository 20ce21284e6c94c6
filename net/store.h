/*
 * net/store.h - the credential store a running server checks against,
 * read again when its file changes.
 *
 * At most once a second a decision's thread looks at the users file
 * (device, inode, size, modification and change times); when it has
 * changed, the file is read again off the loop (it may hash a dummy
 * password: users_load) and the new store replaces the old one.  A bad
 * new file leaves the old store in place.  Each store comes with its own
 * verified-credentials cache (http/credcache.h), so whatever was
 * remembered against the old file is forgotten with it.
 *
 * A decision holds the store it started with (store_acquire ..
 * store_release), so a store is freed only when the last decision using
 * it is done.  Thread-safe.
 */
#ifndef LAB407_NET_STORE_H
#define LAB407_NET_STORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../http/credcache.h"
#include "../http/guard.h"
#include "../http/users.h"

/* One store and its cache. */
struct store_gen {
	const struct users *users; /* what decisions check against */
	struct users own;	/* the file read again; unused for the first */
	bool owned;		/* users == &own */
	struct credcache cache; /* this store's verified credentials */
	pthread_mutex_t cache_lock; /* around each use of cache */
	atomic_uint refs;	    /* the server's, plus one per decision */
};

/* A file's identity, to notice that it changed. */
struct store_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct store {
	/* Set by the caller before store_open(): */
	const struct guard_config
	    *guard; /* the schemes a new file must serve */
	enum users_side side;
	const char *users_file;	 /* NULL: the lab defaults, never reread */
	const char *tokens_file; /* read again with it; NULL: none */
	unsigned ttl;		 /* --credentials-ttl; 0: no cache */

	/* Private: */
	pthread_mutex_t lock; /* around cur, seen, checked, loading */
	struct store_gen *cur;
	struct store_id seen;	  /* the file when it was last read */
	_Atomic uint64_t checked; /* second of the last look (read without
				      the lock first: one look a second) */
	bool loading;		  /* a store_reload() is on its way */
};

/*
 * Start with `first` (already loaded and checked by the caller; not
 * owned, it must outlive the store).  HTTP_E_NOMEM, or HTTP_E_CONFIG
 * when the cache's key cannot be drawn.
 */
enum http_err store_open(struct store *s, const struct users *first);
/* The current store, held until store_release(). */
struct store_gen *store_acquire(struct store *s);
void store_release(struct store_gen *g);
/* Point cfg at g's users and cache (cfg is a per-decision copy). */
void store_use(struct store_gen *g, struct guard_config *cfg);
/*
 * Has the users file changed?  Looks at most once per second (`now`, in
 * seconds); true at most once per change: the caller then runs
 * store_reload(), on a worker thread.
 */
bool store_check(struct store *s, uint64_t now);
/*
 * Read the users (and tokens) file again and make it current.  False,
 * with the reason in why, when the new file is refused: the old store
 * stays.
 */
bool store_reload(struct store *s, char *err, size_t err_cap);
/* Drop the current store (after every decision is done). */
void store_close(struct store *s);

#endif
