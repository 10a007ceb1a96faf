/* Private header of the rtprof command, stage "model": the dumps merged
 * into one report model (model/model.c) and the analyses on it: two runs
 * matched (model/diff.c), budgets parsed (model/budget.c) and held against
 * a run (model/check.c). Uses resolve/, read/ and common/; writes no report
 * (check.c prints only its own ok/FAIL lines). */
#ifndef RTPROF_MODEL_H
#define RTPROF_MODEL_H

#include "resolve/resolve.h"

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
  uint64_t at_peak;        /* live bytes at the process's peak (model/peak.c) */
  bool suppressed;         /* matched a suppression (model/suppress.c) */
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
  int64_t blocks_delta;    /* live blocks at end - at begin, summed over calls */
  uint64_t at_peak;        /* live bytes of its blocks (flat) at the process's peak */
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
  uint64_t at_peak;        /* live bytes at the process's peak, summed */
} rtprof_sgroup_t;

typedef struct rtprof_mpeak_s {  /* the process's peak (model/peak.c) */
  bool present;
  size_t dump;             /* the dump it comes from: the one with the highest peak */
  uint64_t live_bytes, live_blocks, t_ns, committed, rss, overhead;
  long phase;              /* rphase innermost at the capture, or -1 */
  uint64_t overflow_bytes; /* held by sites that did not fit the table */
  uint64_t suppressed_bytes; /* held by suppressed sites */
  uint64_t outside_phases; /* held by blocks allocated outside every phase */
} rtprof_mpeak_t;

typedef struct rtprof_growth_s {  /* a site whose live bytes grow (model/peak.c) */
  long site;               /* rsite index */
  long phase;              /* rphase: across its calls; -1: across the run (snapshots) */
  uint64_t calls;          /* the phase's completed calls */
  uint64_t first, last;    /* live bytes: after the first call and at the dump, or
                              at the first and last snapshot that names the site */
  uint64_t t_first, t_last; /* snapshots' times (across the run) */
  uint32_t points, rises, falls; /* snapshots naming it; rises and falls between them */
  int64_t per_call;        /* (last - first) / (calls - 1); 0 across the run */
} rtprof_growth_t;

typedef struct rtprof_suppressed_s {  /* what suppressions set aside */
  uint64_t sites, allocs, alloc_bytes, frees, freed_bytes;
  uint64_t live_blocks, live_bytes;
  uint64_t by_default;     /* sites matched by the built-in list only */
} rtprof_suppressed_t;

/* Where the memory is (model/peak.c): RSS split into live requested bytes,
 * allocator slack, rtprof's own memory and the rest, by their definitions
 * (docs/report.md): live + tags + slack = committed; overhead = tags +
 * tables; rest = rss - committed - tables (negative when committed or
 * mapped pages were never touched). */
typedef struct rtprof_memsplit_s {
  bool known;              /* the figures were in the dump */
  uint64_t rss, committed, live, tags, overhead;
  int64_t slack, tables, rest;
} rtprof_memsplit_t;

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
  bool saturated;          /* some merged sum reached 2^64-1 and was held there */
  uint64_t id_merged;      /* dump sites merged into another by identity */
  rtprof_mpeak_t peak;
  rtprof_growth_t *growth; size_t ngrowth;  /* largest growth first */
  long **snap_top_site;    /* [dump][k]: rsite of dumps[dump].snap_tops[k], -1: overflow */
  rtprof_suppressed_t suppressed;
} rtprof_model_t;

/* Builds the model. skip: compiled --skip regex or NULL. */
void rtprof_model_build(rtprof_model_t *m, rtprof_dump_t *dumps, size_t ndumps,
                        rtprof_symtab_t *st, const void *skip);
/* Site indices sorted by `sort`, largest first, ties by id; the suppressed
 * ones last (the first rtprof_model_shown_sites are the others). */
size_t *rtprof_model_sorted_sites(const rtprof_model_t *m, rtprof_sort_t sort);
size_t rtprof_model_shown_sites(const rtprof_model_t *m);
long rtprof_model_find_phase(const rtprof_model_t *m, const char *path);
/* Sites grouped by attributed frame (frames[0]: function, file and line, or
 * module and offset), largest alloc_bytes first; *out is malloc'ed. */
size_t rtprof_model_site_groups(const rtprof_model_t *m, rtprof_sgroup_t **out);
bool rtprof_frame_is_resolved(const rtprof_frame_t *f);
bool rtprof_frame_equal(const rtprof_frame_t *a, const rtprof_frame_t *b);
bool rtprof_model_phase_in(const rtprof_model_t *m, long phase, long root);
void rtprof_model_free(rtprof_model_t *m);
rtprof_rpair_t *rtprof_sorted_pairs(const rtprof_rphase_t *p); /* largest first; free() it */

/* ---- "peak.c": the peak's composition, growing sites, the RSS split ------- */
/* Called by rtprof_model_build. */
void rtprof_model_peak(rtprof_model_t *m, const long *const *smaps, const long *const *pmaps);
void rtprof_model_growth(rtprof_model_t *m, const long *const *smaps, const long *const *pmaps);
/* Sites with bytes at the peak (not suppressed), largest first; *out is malloc'ed. */
size_t rtprof_peak_sites(const rtprof_model_t *m, size_t **out);
size_t rtprof_peak_phases(const rtprof_model_t *m, size_t **out);
rtprof_memsplit_t rtprof_memsplit_exit(const rtprof_model_t *m);
rtprof_memsplit_t rtprof_memsplit_peak(const rtprof_model_t *m);
/* A phase's deltas: live, tags and slack (committed - live - tags). */
void rtprof_memsplit_phase(const rtprof_rphase_t *p, int64_t *live, int64_t *tags, int64_t *slack);
#define RTPROF_TAG_BYTES 16 /* the library's tag before each live block */

/* ---- "suppress.c": leak triage --------------------------------------------- */
typedef struct rtprof_suppressions_s {
  char **pat; size_t n, cap;   /* globs: FUNCTION or FILE:LINE */
  bool *builtin;               /* [i]: from the built-in list */
  bool no_defaults;            /* --no-default-suppressions */
} rtprof_suppressions_t;
/* Adds a pattern; returns -1 with what was expected in err. */
int rtprof_suppress_add(rtprof_suppressions_t *s, const char *pattern, char *err, size_t errlen);
/* Reads a file of patterns (one a line, # comments, optional "leak:" prefix
 * as LeakSanitizer writes them). Returns 0, or -1 after a message. */
int rtprof_suppress_read(rtprof_suppressions_t *s, const char *path);
void rtprof_suppress_defaults(rtprof_suppressions_t *s); /* unless no_defaults */
/* Marks the sites whose frames match and sums them into m->suppressed;
 * also takes them out of the peak's figures. */
void rtprof_model_suppress(rtprof_model_t *m, const rtprof_suppressions_t *s);
void rtprof_suppressions_free(rtprof_suppressions_t *s);

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
  uint64_t at_peak;        /* live bytes at the process's peak */
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

/* Sums of counters from several dumps, held at 2^64-1 rather than wrapped
 * (a dump's fields may hold any value their type allows); *flag says so. */
static inline uint64_t rtprof_sat_add(bool *flag, uint64_t a, uint64_t b) {
  if (a > UINT64_MAX - b) {
    *flag = true;
    return UINT64_MAX;
  }
  return a + b;
}

/* What the writers say when rtprof_model_t.saturated is set. */
#define RTPROF_SATURATED_NOTE "merged counts reached 2^64-1 and were held there (saturated): sums shown as 18446744073709551615 are lower bounds"

#endif /* RTPROF_MODEL_H */
