/* Private header of the rtprof command: the dump as read, the symbolizer's
 * frames, the merged report model, and the prototypes of each file, grouped
 * by the file that defines them. Nothing here is shared with the library
 * except include/rtprof-dump.h. */
#ifndef RTPROF_CLI_H
#define RTPROF_CLI_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rtprof-dump.h"

#define RTPROF_EXIT_OK 0
#define RTPROF_EXIT_BROKEN 1          /* check: a budget was broken */
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
/* Saturating arithmetic: a dump's fields may hold any value their type
 * allows, and sums or differences of them must not overflow. */
int64_t rtprof_add_sat(int64_t a, int64_t b);
int64_t rtprof_sub_sat(int64_t a, int64_t b);      /* a - b */
int64_t rtprof_delta_u64(uint64_t before, uint64_t after); /* after - before */
/* Human-readable sizes: "512 B", "1.5 KiB"; signed adds "+" or "-". */
void rtprof_human_bytes(char *out, size_t n, uint64_t v);
void rtprof_human_signed(char *out, size_t n, int64_t v);
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
/* "CMD: message (see 'rtprof CMD --help')" on stderr; returns RTPROF_EXIT_USAGE. */
int rtprof_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "--opt VALUE" or "--opt=VALUE" at argv[*i]: *matched when it is that
 * option; returns the value (advancing *i past it), or NULL with *err set
 * when the value is missing. */
const char *rtprof_opt_value(int argc, char **argv, int *i, const char *name, bool *matched, bool *err);

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

typedef struct rtprof_heap_error_s {  /* an `error` record: heap misuse */
  const char *kind;        /* interned, e.g. "double_free" */
  uint64_t count;          /* >= 1 */
  uint64_t addr;           /* the block of the first occurrence */
  uint64_t site;           /* the allocating site's id, 0: unknown */
  uint64_t call;           /* return address of the bad call */
} rtprof_heap_error_t;

typedef enum rtprof_snap_kind_e {
  RTPROF_SNAP_INTERVAL, RTPROF_SNAP_PEAK, RTPROF_SNAP_LABEL, RTPROF_SNAP_EXIT,
  RTPROF_SNAP_OTHER        /* a kind this reader does not know (a later writer) */
} rtprof_snap_kind_t;

typedef struct rtprof_snapshot_s {   /* a `snapshot` record: one timeline point */
  uint64_t t_ns;           /* since profiling started, non-decreasing */
  uint64_t committed, live, rss;
  uint64_t phase;          /* phase id, 0: none */
  const char *kind;        /* interned, as written */
  rtprof_snap_kind_t kind_id;
  const char *name;        /* interned; a label's name, else NULL */
} rtprof_snapshot_t;

typedef struct rtprof_dump_s {
  const char *file;        /* as named on the command line */
  uint64_t pid, depth, site_capacity, phase_capacity, pair_capacity;
  uint64_t start_ns, dump_ns;
  uint64_t interval_ms;    /* the snapshot interval; 0: off or not written */
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
  rtprof_heap_error_t *errors; size_t nerrors, cap_errors;
  rtprof_snapshot_t *snapshots; size_t nsnapshots, cap_snapshots; /* oldest first */
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

typedef struct rtprof_rerror_s {  /* heap-misuse records merged */
  const char *kind;        /* interned */
  uint64_t count;
  uint64_t addr;           /* the block of the first record */
  long site;               /* rsite index, or -1 when unknown */
  rtprof_frame_t *call;    /* the bad call's inline chain, innermost first */
  uint32_t ncall;
} rtprof_rerror_t;

typedef struct rtprof_sgroup_s {  /* report sites sharing their attributed frame */
  const rtprof_frame_t *frame;    /* frames[0] of its largest site */
  uint64_t first_id;       /* that site's id */
  uint32_t nsites;
  uint64_t allocs, alloc_bytes, frees, freed_bytes;
  uint64_t peak_live_bytes;        /* summed: an upper bound */
} rtprof_sgroup_t;

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
  rtprof_rerror_t *errors; size_t nerrors, cap_errors;  /* by count, largest first */
  uint64_t id_merged;      /* dump sites merged into another by identity */
} rtprof_model_t;

/* Builds the model. skip: compiled --skip regex or NULL. */
void rtprof_model_build(rtprof_model_t *m, rtprof_dump_t *dumps, size_t ndumps,
                        rtprof_symtab_t *st, const void *skip);
/* Site indices sorted by `sort`, largest first, ties by id. */
size_t *rtprof_model_sorted_sites(const rtprof_model_t *m, rtprof_sort_t sort);
long rtprof_model_find_phase(const rtprof_model_t *m, const char *path);
/* Sites grouped by attributed frame (frames[0]: function, file and line, or
 * module and offset), largest alloc_bytes first; *out is malloc'ed. */
size_t rtprof_model_site_groups(const rtprof_model_t *m, rtprof_sgroup_t **out);
bool rtprof_frame_is_resolved(const rtprof_frame_t *f);
bool rtprof_frame_equal(const rtprof_frame_t *a, const rtprof_frame_t *b);
bool rtprof_model_phase_in(const rtprof_model_t *m, long phase, long root);
void rtprof_model_free(rtprof_model_t *m);
rtprof_rpair_t *rtprof_sorted_pairs(const rtprof_rphase_t *p); /* largest first; free() it */

/* ---- "json.c": JSON pieces ------------------------------------------------ */
void rtprof_json_str(FILE *out, const char *s);  /* NULL: null */
/* {"function", "file", "line", "module", "offset", "inlined", "status"} */
void rtprof_json_frame(FILE *out, const rtprof_symtab_t *st, const rtprof_frame_t *f);

/* ---- "report.c": text, JSON and collapsed output ------------------------ */
typedef enum rtprof_format_e { RTPROF_FMT_TEXT, RTPROF_FMT_JSON, RTPROF_FMT_COLLAPSED, RTPROF_FMT_PPROF } rtprof_format_t;

typedef struct rtprof_report_opts_s {
  rtprof_format_t format;
  rtprof_sort_t sort;
  size_t top;              /* 0: all */
  bool top_given;          /* --top was on the command line */
  bool stacks;             /* --stacks */
  const char *phase;       /* --phase PATH, or NULL */
  bool timeline;           /* --timeline: text gets the snapshots' table */
  const char *skip;        /* --skip REGEX, or NULL (named in the HTML page) */
} rtprof_report_opts_t;

int rtprof_report_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o);
/* What a kind of heap misuse means ("a block freed twice"), or NULL. */
const char *rtprof_error_meaning(const char *kind);

/* ---- "pprof.c": the report as a pprof profile ------------------------------- */
/* profile.proto, gzip-wrapped: one sample per (site, phase) pair and one for
 * the rest of each site. Returns 0, or -1 after a message (out is a tty). */
int rtprof_pprof_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o);

/* ---- "svg.c": the timeline chart --------------------------------------------- */
/* Committed and live bytes over time, phase bands, peak and label markers:
 * one self-contained SVG document, or with id_prefix an <svg> element for an
 * HTML page whose ids start with id_prefix. d has at least one snapshot. */
void rtprof_svg_write(FILE *out, const rtprof_dump_t *d, const char *id_prefix);

/* ---- "html.c": the report as one self-contained HTML page ------------------- */
/* Timeline charts, phase tree, sortable site and leak tables, flame graph of
 * the stacks, errors: inline CSS, JS and data, nothing fetched. Returns 0, or
 * -1 after a message (an unknown --phase). */
int rtprof_html_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o);

/* ---- "diff.c": two runs matched ---------------------------------------------- */
typedef enum rtprof_change_e {
  RTPROF_CHANGE_GREW, RTPROF_CHANGE_SHRANK, RTPROF_CHANGE_APPEARED, RTPROF_CHANGE_DISAPPEARED,
  RTPROF_CHANGE_UNCHANGED, RTPROF_CHANGE_LAST
} rtprof_change_t;
const char *rtprof_change_name(rtprof_change_t c);

typedef struct rtprof_dside_s {   /* one side of a diff's site */
  const rtprof_frame_t *frame;    /* the attributed frame; NULL: absent */
  uint64_t first_id;       /* report site id of its largest member */
  uint32_t nsites;         /* report sites it gathers */
  uint64_t allocs, alloc_bytes, frees, freed_bytes;
} rtprof_dside_t;

typedef struct rtprof_dsite_s {   /* a site in both runs, or in one */
  rtprof_dside_t side[2];  /* 0: before, 1: after */
  const char *key;         /* interned identity (for a stable order) */
  bool by_file_name;       /* matched by file name: the paths differ */
  int64_t change;          /* bytes: the larger in magnitude of the changes of
                              alloc bytes and live bytes */
  rtprof_change_t status;
} rtprof_dsite_t;

typedef struct rtprof_dphase_s {  /* a phase path in both runs, or in one */
  const char *path;        /* interned */
  const rtprof_rphase_t *side[2]; /* NULL: absent */
  int64_t change;          /* the largest in magnitude of the changes of the
                              committed delta, the live delta, and the bytes
                              allocated (cum) and still live at exit (cum) */
  rtprof_change_t status;
} rtprof_dphase_t;

typedef struct rtprof_diff_s {
  const rtprof_model_t *m[2];
  rtprof_dsite_t *sites; size_t nsites;     /* by |change|, largest first */
  rtprof_dphase_t *phases; size_t nphases;  /* by |change|, largest first */
  size_t by_file_name;     /* sites matched by file name */
} rtprof_diff_t;

void rtprof_diff_build(rtprof_diff_t *df, const rtprof_model_t *before, const rtprof_model_t *after);
void rtprof_diff_free(rtprof_diff_t *df);
/* A phase's committed delta per completed call (0 without calls). */
int64_t rtprof_phase_per_call(const rtprof_rphase_t *p);

/* ---- "diff_write.c": text and JSON of a diff ----------------------------------- */
typedef struct rtprof_diff_opts_s {
  bool json;
  size_t top;              /* rows per table; 0: all */
  bool top_given;          /* JSON lists everything unless --top is given */
} rtprof_diff_opts_t;
void rtprof_diff_write(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o);

/* ---- "budget.c": the budgets of rtprof check ---------------------------------- */
typedef enum rtprof_budget_kind_e {
  RTPROF_BUDGET_PEAK_COMMITTED,  /* max-peak-committed SIZE */
  RTPROF_BUDGET_LIVE,            /* max-live SIZE */
  RTPROF_BUDGET_SITE_BYTES,      /* max-site-bytes PATTERN=SIZE */
  RTPROF_BUDGET_PHASE_BYTES,     /* max-phase-bytes PATH=SIZE */
  RTPROF_BUDGET_PHASE_DELTA,     /* max-phase-delta PATH=SIZE */
  RTPROF_BUDGET_GROWTH,          /* max-growth PERCENT (needs a baseline) */
  RTPROF_BUDGET_LAST
} rtprof_budget_kind_t;

typedef struct rtprof_budget_s {
  rtprof_budget_kind_t kind;
  char *value;             /* as written ("64M", "parse_*=1M", "5%") */
  char *what;              /* PATTERN or PATH; NULL for the others */
  uint64_t limit;          /* bytes */
  double percent;          /* max-growth */
  const char *origin;      /* the budget file, or NULL: the command line */
  uint64_t line;           /* in origin */
} rtprof_budget_t;

typedef struct rtprof_budgets_s {
  rtprof_budget_t *v; size_t n, cap;
} rtprof_budgets_t;

const char *rtprof_budget_name(rtprof_budget_kind_t k);  /* "max-live" */
/* The kind named (without dashes), or -1. */
int rtprof_budget_kind(const char *name, size_t len);
/* Appends one budget; returns -1 with what was expected in err. */
int rtprof_budget_add(rtprof_budgets_t *bs, rtprof_budget_kind_t k, const char *value, const char *origin,
                      uint64_t line, char *err, size_t errlen);
/* Reads a budget file (one budget per line, # comments). Returns 0, or -1
 * after "rtprof: error: FILE:LINE: what was expected". */
int rtprof_budgets_read(rtprof_budgets_t *bs, const char *path);
void rtprof_budgets_free(rtprof_budgets_t *bs);

/* ---- "check.c": budgets held against a run ------------------------------------- */
/* Prints one line per budget ("ok   ..." or "FAIL ..."; only the FAIL lines
 * when quiet) and returns how many were broken. baseline: NULL without one. */
size_t rtprof_check_run(FILE *out, const rtprof_budgets_t *bs, const rtprof_model_t *m, const rtprof_model_t *baseline,
                        bool quiet);

/* ---- "load.c": dumps read, symbolized and merged --------------------------- */
typedef struct rtprof_load_s {
  rtprof_dump_t *dumps; size_t ndumps;
  rtprof_symtab_t st;
  rtprof_model_t m;
  regex_t skip; bool has_skip;  /* --skip, compiled */
  bool built;              /* st and m are set */
} rtprof_load_t;
/* Returns 0, or -1 after a message ("CMD: --skip: ...", or the reader's). */
int rtprof_load(rtprof_load_t *l, const char *cmd, char *const *files, size_t nfiles, const char *addr2line,
                const char *skip);
void rtprof_load_free(rtprof_load_t *l);

/* ---- "main.c", "cmd_*.c": subcommands -------------------------------------- */
int rtprof_cmd_report(int argc, char **argv);
int rtprof_cmd_run(int argc, char **argv);
int rtprof_cmd_diff(int argc, char **argv);
int rtprof_cmd_check(int argc, char **argv);

#endif /* RTPROF_CLI_H */
