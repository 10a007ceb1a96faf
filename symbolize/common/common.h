/* Private header of the rtprof command, stage "common": what every stage may
 * use. Owns the exit codes, the one error path ("rtprof: error:"), checked
 * allocation, the string intern table, the u64 map, saturating arithmetic,
 * human-readable figures, size parsing and the usage-error message.
 * Uses nothing of the other stages. */
#ifndef RTPROF_COMMON_H
#define RTPROF_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RTPROF_EXIT_OK 0
#define RTPROF_EXIT_BROKEN 1          /* check: a budget was broken */
#define RTPROF_EXIT_USAGE 2           /* bad usage or bad input */

/* ---- "util.c": errors, memory, strings --------------------------------- */
void rtprof_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rtprof_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void rtprof_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *rtprof_xmalloc(size_t n);
void *rtprof_xcalloc(size_t n, size_t size);
void *rtprof_xrealloc(void *p, size_t n, size_t size); /* n*size, checked */
char *rtprof_xstrndup(const char *s, size_t n);
/* Returns one shared copy per distinct string, valid until exit: equal
 * strings get equal pointers, so frames compare and hash by pointer. */
const char *rtprof_intern(const char *s, size_t n);
/* Grows *arr (of *cap elements of `size` bytes) to hold at least `need`. */
void rtprof_grow(void *arr, size_t *cap, size_t need, size_t size);
uint64_t rtprof_hash64(uint64_t h, uint64_t v);
typedef struct rtprof_map_s {  /* u64 key -> index, open addressing */
  uint64_t *keys;
  size_t *vals;            /* index + 1; 0: empty slot */
  size_t cap, used;        /* cap is a power of two */
} rtprof_map_t;
long rtprof_map_get(const rtprof_map_t *m, uint64_t key); /* -1: absent */
void rtprof_map_put(rtprof_map_t *m, uint64_t key, size_t index);
void rtprof_map_free(rtprof_map_t *m);
/* Saturating arithmetic: a dump's fields may hold any value their type
 * allows, and sums or differences of them must not overflow. */
int64_t rtprof_add_sat(int64_t a, int64_t b);
int64_t rtprof_sub_sat(int64_t a, int64_t b);      /* a - b */
int64_t rtprof_delta_u64(uint64_t before, uint64_t after); /* after - before */
/* Human-readable sizes: "512 B", "1.5 KiB"; signed adds "+" or "-". */
void rtprof_human_bytes(char *out, size_t n, uint64_t v);
void rtprof_human_signed(char *out, size_t n, int64_t v);
/* a - b in decimal, exact over the whole range of both (negative when b > a):
 * live figures are differences of counters that may hold any u64, and JSON
 * must state them exactly. Use as rtprof_dec_diff(a, b).s in one expression. */
typedef struct rtprof_dec_s { char s[24]; } rtprof_dec_t;
rtprof_dec_t rtprof_dec_diff(uint64_t a, uint64_t b);
void rtprof_human_ns(char *out, size_t n, uint64_t ns);
const char *rtprof_basename(const char *path);
/* Human-readable pairs "4.76 GiB → 2.51 GiB": both in the unit of the larger,
 * three significant digits on it, at least two on the smaller; a smaller
 * below 0.1 of that unit gets its own ("4.76 GiB → 25.0 MiB"). */
void rtprof_human_pair(char *out, size_t n, int64_t before, int64_t after, bool sign);
/* "+12%", "−47%" (U+2212), "0%", or "new" when before is 0 */
void rtprof_human_percent(char *out, size_t n, int64_t before, int64_t after);
/* Parses a size: plain bytes, or a number (fraction allowed) with K, M, G or
 * T (powers of 1024; "KiB", "KB" and lower case too). Returns 0, or -1 with
 * what was expected in err. */
int rtprof_parse_size(const char *s, uint64_t *out, char *err, size_t errlen);
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t rtprof_utf8_len(const unsigned char *s, size_t n);
void rtprof_markup_text(FILE *out, const char *s); /* escaped for XML and HTML */
/* A stream that passes text on to out with control characters, C1 controls
 * and invalid UTF-8 shown as \xHH (newlines and tabs kept): what text
 * output goes through. fclose() it to flush; out stays open. */
FILE *rtprof_text_open(FILE *out);
/* s as that stream would show it (interned; s itself when printable ASCII). */
const char *rtprof_text_safe(const char *s);
/* "CMD: message (see 'rtprof CMD --help')" on stderr; returns RTPROF_EXIT_USAGE. */
int rtprof_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* RTPROF_COMMON_H */
