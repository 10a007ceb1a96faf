/* Private header of the rtprof command, stage "read": the dump as read.
 * Owns the strict reader of docs/dump-format.md (read/dump_read.c) and what
 * is read of an ELF file on disk: build-id, function symbols, separate debug
 * file (read/elf.c). Uses common/ and the record names of
 * include/rtprof-dump.h, the one thing shared with the library. */
#ifndef RTPROF_READ_H
#define RTPROF_READ_H

#include "common/common.h"
#include "rtprof-dump.h"

#define RTPROF_CLI_MAX_WARNINGS 4096  /* distinct warning kinds kept per dump */

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

/* What a site frame is (frames[] holds the value, frame_kinds[] the kind). */
typedef enum rtprof_frame_kind_e {
  RTPROF_FRAME_RA,         /* a return address: the call is at ra - 1 */
  RTPROF_FRAME_EXACT,      /* an exact code address (a function's entry) */
  RTPROF_FRAME_NAMED       /* a named site: the value indexes rtprof_dump_t.names */
} rtprof_frame_kind_t;

typedef struct rtprof_name_s {   /* a `name` record: a named site */
  uint64_t id;
  const char *function;    /* interned */
  const char *file;        /* interned, or NULL */
  uint32_t line;           /* 0: none */
} rtprof_name_t;

typedef struct rtprof_overflow_s {
  uint64_t sites_dropped, pairs_dropped, allocs, alloc_bytes, frees, freed_bytes;
} rtprof_overflow_t;

typedef struct rtprof_phase_s {
  uint64_t id, parent;     /* parent 0: top level */
  uint64_t calls, open, wall_ns;
  int64_t committed_delta, committed_delta_max, live_delta;
  int64_t blocks_delta;    /* optional: live blocks at end - at begin, summed */
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
  uint32_t top_off, ntop;  /* its `snapshot_top` sites: rtprof_dump_t.snap_tops[top_off ...] */
} rtprof_snapshot_t;

typedef struct rtprof_id_bytes_s {   /* a site's or a phase's live bytes */
  uint64_t id;             /* site id (0: the overflow row) or phase id */
  uint64_t live_bytes;
} rtprof_id_bytes_t;

typedef struct rtprof_dpeak_s {      /* the `peak` record: the highest live bytes */
  bool present;
  uint64_t live_bytes, live_blocks, t_ns;  /* t_ns as a snapshot's */
  uint64_t committed, rss, overhead;       /* read right after the capture */
  uint64_t phase;          /* innermost phase of the last phase event, 0: none */
} rtprof_dpeak_t;

typedef struct rtprof_pair_first_s { /* a `pair_first` record */
  uint64_t phase, site, live_bytes;
} rtprof_pair_first_t;

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
  uint8_t *frame_kinds; size_t cap_frame_kinds;          /* rtprof_frame_kind_t of each */
  rtprof_name_t *names; size_t nnames, cap_names;       /* as read */
  rtprof_phase_t *phases; size_t nphases, cap_phases;   /* sorted by id */
  rtprof_pair_t *pairs; size_t npairs, cap_pairs;
  rtprof_warning_t *warnings; size_t nwarnings, cap_warnings;
  uint64_t warnings_dropped;  /* warning records beyond the distinct limit */
  rtprof_heap_error_t *errors; size_t nerrors, cap_errors;
  rtprof_snapshot_t *snapshots; size_t nsnapshots, cap_snapshots; /* oldest first */
  rtprof_id_bytes_t *snap_tops; size_t nsnap_tops, cap_snap_tops; /* id: site */
  rtprof_dpeak_t peak;
  rtprof_id_bytes_t *peak_sites; size_t npeak_sites, cap_peak_sites;    /* id: site */
  rtprof_id_bytes_t *peak_phases; size_t npeak_phases, cap_peak_phases; /* id: phase */
  rtprof_pair_first_t *pair_firsts; size_t npair_firsts, cap_pair_firsts;
  char **notes; size_t nnotes, cap_notes; /* inconsistencies worth a warning */
} rtprof_dump_t;

/* Reads and checks a whole dump. Returns 0, or -1 after printing
 * "rtprof: error: FILE:LINE: what was expected" on stderr. */
int rtprof_dump_read(const char *path, rtprof_dump_t *d);
void rtprof_dump_free(rtprof_dump_t *d);
/* Index of the site or phase with that id, or -1. */
long rtprof_dump_find_site(const rtprof_dump_t *d, uint64_t id);
long rtprof_dump_find_phase(const rtprof_dump_t *d, uint64_t id);

/* ---- "elf.c": what rtprof reads of an ELF file on disk -------------------- */
typedef enum rtprof_elf_status_e {
  RTPROF_ELF_OK,           /* *hex set, or NULL when it has no build-id */
  RTPROF_ELF_NOT_FOUND,
  RTPROF_ELF_UNREADABLE,   /* open/read failed for another reason */
  RTPROF_ELF_NOT_ELF,      /* not a 64-bit little-endian ELF file */
  RTPROF_ELF_NOT_REGULAR   /* a FIFO, device or directory: never read */
} rtprof_elf_status_t;
rtprof_elf_status_t rtprof_elf_build_id(const char *path, char **hex);

typedef struct rtprof_elf_func_s {  /* one FUNC or IFUNC symbol's extent */
  uint64_t lo, hi;         /* [st_value, st_value + st_size) */
  const char *name;        /* as in the string table (mangled) */
} rtprof_elf_func_t;
typedef struct rtprof_elf_funcs_s {
  rtprof_elf_func_t *v; size_t n;  /* sorted by lo */
  uint64_t max_size;       /* of the largest symbol */
  char *strings;           /* the string table the names point into */
  bool from_symtab;        /* .symtab (else .dynsym, or none) */
} rtprof_elf_funcs_t;
/* The function symbols of .symtab, else .dynsym (none: n == 0). */
rtprof_elf_status_t rtprof_elf_funcs(const char *path, rtprof_elf_funcs_t *out);
/* The names of the symbols whose extent holds addr (at most max). */
size_t rtprof_elf_funcs_at(const rtprof_elf_funcs_t *f, uint64_t addr, const char **names, size_t max);
void rtprof_elf_funcs_free(rtprof_elf_funcs_t *f);
/* The separate debug file of the module at path (build-id hex or NULL), as
 * a new string, or NULL: /usr/lib/debug/.build-id/xx/rest.debug, then the
 * .gnu_debuglink name in the file's directory, its .debug/ and
 * /usr/lib/debug/DIR/; the file must carry the same build-id (or, without
 * one, the CRC32 the link names). */
char *rtprof_elf_debug_file(const char *path, const char *buildid);

#endif /* RTPROF_READ_H */
