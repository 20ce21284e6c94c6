/*
 * repl/choice.h - naming the bad item of a comma list typed at `scheme`
 * and `algorithm`, so the error says which word is wrong and what the
 * choices are, not only that the list failed.
 */
#ifndef LAB407_REPL_CHOICE_H
#define LAB407_REPL_CHOICE_H

#include <stdbool.h>
#include <stddef.h>

/* The schemes `scheme` accepts and the algorithms `algorithm` accepts. */
#define CHOICE_SCHEMES                                                         \
	"basic, digest, bearer, ntlm, negotiate (comma-separated; ntlm and "   \
	"negotiate on the proxy only) or none"
#define CHOICE_ALGS                                                            \
	"MD5, SHA-256, SHA-512-256, MD5-sess, SHA-256-sess, SHA-512-256-sess"

/*
 * Check a `scheme` list item by item: false with a sentence in err naming
 * the first unknown or repeated item and the choices.
 */
bool choice_schemes(const char *list, char *err, size_t err_cap);
/* The same for an `algorithm` list (RFC 7616 §3.3 algorithm names). */
bool choice_algorithms(const char *list, char *err, size_t err_cap);

#endif
