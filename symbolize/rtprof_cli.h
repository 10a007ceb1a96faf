/* Private header of the rtprof command: the dump as read, the symbolizer's
 * frames, the merged report model, and the prototypes of each file, grouped
 * by the file that defines them. Nothing here is shared with the library
 * except include/rtprof-dump.h. */
#ifndef RTPROF_CLI_H
#define RTPROF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rtprof-dump.h"

#define RTPROF_EXIT_OK 0
#define RTPROF_EXIT_USAGE 2           /* bad usage or bad input */
#define RTPROF_NO_MODULE UINT32_MAX   /* a frame outside every module */
#define RTPROF_CLI_MAX_WARNINGS 4096  /* distinct warning kinds kept per dump */

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
/* Human-readable sizes: "512 B", "1.5 KiB"; signed adds "+" or "-". */
void rtprof_human_bytes(char *out, size_t n, uint64_t v);
void rtprof_human_signed(char *out, size_t n, int64_t v);
void rtprof_human_ns(char *out, size_t n, uint64_t ns);
const char *rtprof_basename(const char *path);

/* ---- "dump_read.c": the strict reader of docs/dump-format.md ------------ */
typedef struct rtprof_totals_s {
  uint64_t allocs, frees, alloc_bytes, freed_bytes;
  uint64_t live_blocks, live_bytes, peak_live_bytes, failed_allocs;
  uint64_t committed_bytes, peak_committed_bytes, rss_bytes, peak_rss_bytes;
  uint64_t mmap_bytes, overhead_bytes;
} rtprof_totals_t;

typedef struct rtprof_module_s {
  uint64_t base, lo, hi;   /* load bias; [lo, hi) covered by PT_LOAD */
  const char *buildid;     /* lower-case hex, or NULL for "-" */
  const char *path;        /* interned */
} rtprof_module_t;

typedef struct rtprof_site_s {
  uint64_t id;             /* 1 ... site_capacity */
  uint64_t allocs, alloc_bytes, frees, freed_bytes, peak_live_bytes;
  uint32_t frame_off;      /* first frame in rtprof_dump_t.frames */
  uint32_t nframes;        /* 1 ... 16, trailing 0x0 frames removed */
} rtprof_site_t;

typedef struct rtprof_overflow_s {
  uint64_t sites_dropped, pairs_dropped, allocs, alloc_bytes, frees, freed_bytes;
} rtprof_overflow_t;

typedef struct rtprof_phase_s {
  uint64_t id, parent;     /* parent 0: top level */
  uint64_t calls, open, wall_ns;
  int64_t committed_delta, committed_delta_max, live_delta;
  const char *name;        /* interned */
  const char *path;        /* interned; set once the whole dump is read */
} rtprof_phase_t;

typedef struct rtprof_pair_s {
  uint64_t phase, site;    /* site 0: the phase's overflow row */
  uint64_t allocs, alloc_bytes, frees, freed_bytes;
} rtprof_pair_t;

typedef struct rtprof_warning_s {
  const char *kind;        /* interned, e.g. "phase_end_without_begin" */
  const char *name;        /* interned, or NULL */
  uint64_t count;
} rtprof_warning_t;

typedef struct rtprof_dump_s {
  const char *file;        /* as named on the command line */
  uint64_t pid, depth, site_capacity, phase_capacity, pair_capacity;
  uint64_t start_ns, dump_ns;
  const char *reason, *exe;
  rtprof_totals_t totals;
  rtprof_overflow_t overflow;
  rtprof_module_t *modules; size_t nmodules, cap_modules;
  rtprof_site_t *sites; size_t nsites, cap_sites;       /* sorted by id */
  uint64_t *frames; size_t nframes, cap_frames;         /* all sites' frames */
  rtprof_phase_t *phases; size_t nphases, cap_phases;   /* sorted by id */
  rtprof_pair_t *pairs; size_t npairs, cap_pairs;
  rtprof_warning_t *warnings; size_t nwarnings, cap_warnings;
  uint64_t warnings_dropped;  /* warning records beyond the distinct limit */
  char **notes; size_t nnotes, cap_notes; /* inconsistencies worth a warning */
} rtprof_dump_t;

/* Reads and checks a whole dump. Returns 0, or -1 after printing
 * "rtprof: error: FILE:LINE: what was expected" on stderr. */
int rtprof_dump_read(const char *path, rtprof_dump_t *d);
void rtprof_dump_free(rtprof_dump_t *d);
/* Index of the site or phase with that id, or -1. */
long rtprof_dump_find_site(const rtprof_dump_t *d, uint64_t id);
long rtprof_dump_find_phase(const rtprof_dump_t *d, uint64_t id);

/* ---- "elf.c": the build-id note of an ELF file on disk ------------------ */
typedef enum rtprof_elf_status_e {
  RTPROF_ELF_OK,           /* *hex set, or NULL when it has no build-id */
  RTPROF_ELF_NOT_FOUND,
  RTPROF_ELF_UNREADABLE,   /* open/read failed for another reason */
  RTPROF_ELF_NOT_ELF       /* not a 64-bit little-endian ELF file */
} rtprof_elf_status_t;
rtprof_elf_status_t rtprof_elf_build_id(const char *path, char **hex);

/* ---- "addr2line.c": one addr2line process per module -------------------- */
typedef struct rtprof_loc_s {
  const char *function;    /* interned; NULL when unknown */
  const char *file;        /* interned; NULL when unknown */
  uint32_t line;           /* 0 when unknown */
} rtprof_loc_t;

/* Symbolizes the sorted, distinct offsets of one file. On success returns 0
 * and for each offset i fills locs[first[i] .. first[i]+count[i]) (the
 * inline chain, innermost first; appended to *locs). On failure returns -1
 * and writes a one-line reason into err. */
int rtprof_addr2line(const char *prog, const char *path, const uint64_t *offsets,
                     size_t n, uint32_t *first, uint32_t *count, rtprof_loc_t **locs,
                     size_t *nlocs, size_t *cap_locs, char *err, size_t errlen);

/* ---- "symbolize.c": addresses to frames --------------------------------- */
typedef enum rtprof_sym_status_e {
  RTPROF_SYM_OK,
  RTPROF_SYM_NO_LINE,      /* function known, no file:line */
  RTPROF_SYM_NO_SYMBOLS,   /* addr2line knew nothing */
  RTPROF_SYM_NO_MODULE,
  RTPROF_SYM_NOT_FOUND,
  RTPROF_SYM_UNREADABLE,
  RTPROF_SYM_NOT_ELF,
  RTPROF_SYM_MISMATCH,
  RTPROF_SYM_A2L_FAILED,
  RTPROF_SYM_STATUS_LAST
} rtprof_sym_status_t;

typedef struct rtprof_frame_s {   /* one frame as reported, inlines expanded */
  const char *function;    /* interned; NULL when unknown */
  const char *file;        /* interned; NULL when unknown */
  uint32_t line;           /* 0 when unknown */
  uint32_t module;         /* rtprof_symtab_t module index, or RTPROF_NO_MODULE */
  uint64_t offset;         /* ra-1-base; the raw address when no module */
  uint8_t status;          /* rtprof_sym_status_t */
  bool inlined;            /* inlined into the next frame */
} rtprof_frame_t;

typedef struct rtprof_smodule_s {  /* one file, shared by all dumps naming it */
  const char *path;        /* interned */
  const char *buildid;     /* as in the dump; NULL for "-" */
  uint8_t status;          /* module-wide: OK, NOT_FOUND, MISMATCH, ... */
  char *detail;            /* why, for the header ("exited with status 1") */
  uint64_t *offsets; size_t noffsets, cap_offsets; /* sorted, distinct */
  uint32_t *loc_first, *loc_count;                 /* per offset */
  uint64_t unresolved;     /* distinct addresses left unresolved */
} rtprof_smodule_t;

typedef struct rtprof_symtab_s {
  const char *addr2line;   /* program to run */
  rtprof_smodule_t *mods; size_t nmods, cap_mods;
  rtprof_loc_t *locs; size_t nlocs, cap_locs;
  uint32_t **dump_mod;     /* per dump: its module id -> mods index */
  uint32_t **dump_order;   /* per dump: its module ids sorted by lo, then
                              1 when some of them overlap, else 0 */
  size_t ndumps;
  uint64_t addresses, resolved, no_module; /* distinct addresses seen */
} rtprof_symtab_t;

/* Symbolizes every frame of every dump (one addr2line per distinct file). */
void rtprof_symbolize(rtprof_symtab_t *st, rtprof_dump_t *dumps, size_t ndumps);
/* Expands one raw frame of dump `di` into out[] (its inline chain, innermost
 * first); returns how many were written (at least 1, at most max). */
size_t rtprof_symbolize_frame(const rtprof_symtab_t *st, const rtprof_dump_t *dumps,
                              size_t di, uint64_t ra, rtprof_frame_t *out, size_t max);
const char *rtprof_sym_reason(rtprof_sym_status_t s);
/* "fn file:line", "fn mod+0x1c (no line info)", "mod+0x1c (file not found)" */
void rtprof_frame_label(const rtprof_symtab_t *st, const rtprof_frame_t *f, char *out,
                        size_t n, bool with_reason);
void rtprof_symtab_free(rtprof_symtab_t *st);

/* ---- "model.c": dumps merged into one report ---------------------------- */
typedef enum rtprof_sort_e { RTPROF_SORT_BYTES, RTPROF_SORT_COUNT, RTPROF_SORT_LIVE } rtprof_sort_t;

typedef struct rtprof_rsite_s {   /* a report site: dump sites merged */
  uint64_t id;             /* smallest member id (renumbered for several dumps) */
  uint64_t allocs, alloc_bytes, frees, freed_bytes, peak_live_bytes;
  uint64_t peak_cur;       /* peak sum of the dump being merged */
  size_t peak_dump;        /* which dump peak_cur belongs to */
  rtprof_frame_t *frames;  /* frames[0]: the attributed frame */
  uint32_t nframes;
  rtprof_frame_t *folded;  /* frames --skip folded away (first member's), innermost first */
  uint32_t nfolded;
  uint64_t hash;           /* of the identity */
  long hash_next;          /* next site with the same hash, or -1 */
} rtprof_rsite_t;

typedef struct rtprof_rpair_s {
  long site;               /* rsite index, or -1 for the overflow row */
  uint64_t allocs, alloc_bytes, frees, freed_bytes;
} rtprof_rpair_t;

typedef struct rtprof_rphase_s {
  const char *path, *name; /* interned */
  long parent;             /* rphase index, or -1 */
  uint32_t depth;          /* 0 for top level */
  uint64_t calls, open, wall_ns;
  int64_t committed_delta, committed_delta_max, live_delta;
  uint64_t allocs, alloc_bytes, frees, freed_bytes;          /* flat */
  uint64_t cum_allocs, cum_alloc_bytes, cum_frees, cum_freed_bytes;
  rtprof_rpair_t *pairs; size_t npairs, cap_pairs;
  long *children; size_t nchildren, cap_children;
} rtprof_rphase_t;

typedef struct rtprof_model_s {
  rtprof_dump_t *dumps; size_t ndumps;
  rtprof_symtab_t *st;
  rtprof_totals_t totals;
  rtprof_overflow_t overflow;
  rtprof_rsite_t *sites; size_t nsites, cap_sites;
  rtprof_rphase_t *phases; size_t nphases, cap_phases;
  long *phase_order; size_t nphase_order;   /* tree pre-order */
  rtprof_warning_t *warnings; size_t nwarnings, cap_warnings;
  uint64_t warnings_dropped;
  uint64_t id_merged;      /* dump sites merged into another by identity */
} rtprof_model_t;

/* Builds the model. skip: compiled --skip regex or NULL. */
void rtprof_model_build(rtprof_model_t *m, rtprof_dump_t *dumps, size_t ndumps,
                        rtprof_symtab_t *st, const void *skip);
/* Site indices sorted by `sort`, largest first, ties by id. */
size_t *rtprof_model_sorted_sites(const rtprof_model_t *m, rtprof_sort_t sort);
long rtprof_model_find_phase(const rtprof_model_t *m, const char *path);
bool rtprof_model_phase_in(const rtprof_model_t *m, long phase, long root);
void rtprof_model_free(rtprof_model_t *m);

/* ---- "report.c": text, JSON and collapsed output ------------------------ */
typedef enum rtprof_format_e { RTPROF_FMT_TEXT, RTPROF_FMT_JSON, RTPROF_FMT_COLLAPSED } rtprof_format_t;

typedef struct rtprof_report_opts_s {
  rtprof_format_t format;
  rtprof_sort_t sort;
  size_t top;              /* 0: all */
  bool top_given;          /* --top was on the command line */
  bool stacks;             /* --stacks */
  const char *phase;       /* --phase PATH, or NULL */
} rtprof_report_opts_t;

int rtprof_report_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o);

/* ---- "main.c" / "cmd_report.c": subcommands ----------------------------- */
int rtprof_cmd_report(int argc, char **argv);
int rtprof_cmd_run(int argc, char **argv);

#endif /* RTPROF_CLI_H */
