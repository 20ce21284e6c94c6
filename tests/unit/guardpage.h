/*
 * tests/unit/guardpage.h - put test input against a PROT_NONE page, so
 * that a parser reading one byte past the end crashes the test instead of
 * passing by luck (the picohttpparser way).  Include after <cmocka.h>;
 * the including file defines _GNU_SOURCE for MAP_ANONYMOUS.
 */
#ifndef LAB407_TESTS_GUARDPAGE_H
#define LAB407_TESTS_GUARDPAGE_H

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guarded {
	void *map; /* the whole mapping, for munmap */
	size_t map_len;
	char *data; /* the copy: its last byte touches the guard page */
};

/* Copy n bytes so they end exactly where a PROT_NONE page begins. */
static struct guarded guard_copy(const char *s, size_t n)
{
	struct guarded g;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (n + page - 1) / page + 1;
	char *guard;

	g.map_len = pages * page;
	g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g.map != MAP_FAILED);
	guard = (char *)g.map + (pages - 1) * page;
	assert_int_equal(mprotect(guard, page, PROT_NONE), 0);
	g.data = guard - n;
	if (n > 0)
		memcpy(g.data, s, n);
	return g;
}

/* Unmap a guard_copy(). */
static void guard_free(struct guarded *g)
{
	munmap(g->map, g->map_len);
}

#endif
