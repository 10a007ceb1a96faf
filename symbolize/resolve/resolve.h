/* Private header of the rtprof command, stage "resolve": addresses to
 * frames. Owns the addr2line processes (resolve/addr2line.c, one per file)
 * and the symbol table mapping each dump's raw addresses through its module
 * map to inline chains (resolve/symbolize.c). Uses read/ and common/. */
#ifndef RTPROF_RESOLVE_H
#define RTPROF_RESOLVE_H

#include "read/read.h"

#define RTPROF_NO_MODULE UINT32_MAX   /* a frame outside every module */

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
  RTPROF_SYM_NO_SYMBOLS,   /* no symbol's extent holds the address: no name */
  RTPROF_SYM_NO_MODULE,
  RTPROF_SYM_NOT_FOUND,
  RTPROF_SYM_UNREADABLE,
  RTPROF_SYM_NOT_ELF,
  RTPROF_SYM_MISMATCH,
  RTPROF_SYM_A2L_FAILED,
  RTPROF_SYM_NOT_REGULAR,  /* a FIFO, device or directory: never opened */
  RTPROF_SYM_STATUS_LAST
} rtprof_sym_status_t;

typedef struct rtprof_frame_s {   /* one frame as reported, inlines expanded */
  const char *function;    /* interned; NULL when unknown */
  const char *file;        /* interned; NULL when unknown */
  uint32_t line;           /* 0 when unknown */
  uint32_t module;         /* rtprof_symtab_t module index, or RTPROF_NO_MODULE */
  uint64_t offset;         /* ra-1-base (entry-base for an exact address); the raw
                              address when no module; 0 for a named site */
  uint8_t status;          /* rtprof_sym_status_t */
  bool inlined;            /* inlined into the next frame */
  bool named;              /* a named site (rt_site_named): no module, no address */
} rtprof_frame_t;

typedef struct rtprof_smodule_s {  /* one path, shared by all dumps naming it */
  const char *path;        /* interned */
  const char *buildid;     /* as in the dump; NULL for "-" */
  uint8_t status;          /* module-wide: OK, NOT_FOUND, MISMATCH, ... */
  char *detail;            /* why, for the header ("exited with status 1") */
  uint64_t *offsets; size_t noffsets, cap_offsets; /* this path's: sorted, distinct */
  uint32_t file;           /* the module whose answers serve this one: itself,
                              or the first spelling of the same file */
  uint64_t *queried; size_t nqueried;  /* the file's: all its spellings' offsets */
  uint32_t *loc_first, *loc_count;     /* per queried offset */
  char *debug;             /* the separate debug file used, or NULL */
  uint64_t unresolved;     /* distinct addresses left unresolved */
} rtprof_smodule_t;

typedef struct rtprof_segment_s { /* [start, next segment's start) */
  uint64_t start;
  long module;             /* the dump's module id, or -1 */
} rtprof_segment_t;

typedef struct rtprof_symtab_s {
  const char *addr2line;   /* program to run */
  rtprof_smodule_t *mods; size_t nmods, cap_mods;
  rtprof_loc_t *locs; size_t nlocs, cap_locs;
  uint32_t **dump_mod;     /* per dump: its module id -> mods index */
  rtprof_segment_t **dump_segs; /* per dump: which module owns each address */
  size_t *dump_nsegs;
  size_t ndumps;
  uint64_t addresses, resolved, no_module; /* distinct addresses seen */
} rtprof_symtab_t;

/* Symbolizes every frame of every dump (one addr2line per distinct file). */
void rtprof_symbolize(rtprof_symtab_t *st, rtprof_dump_t *dumps, size_t ndumps);
/* Expands one raw frame of dump `di` (its value and rtprof_frame_kind_t) into
 * out[] (its inline chain, innermost first); returns how many were written
 * (at least 1, at most max). */
size_t rtprof_symbolize_frame(const rtprof_symtab_t *st, const rtprof_dump_t *dumps,
                              size_t di, uint64_t ra, uint8_t kind, rtprof_frame_t *out, size_t max);
/* Index of offset off among the queried offsets of file f (an smodule
 * holding answers: st->mods[sm->file]), or -1. */
long rtprof_symtab_lookup(const rtprof_symtab_t *st, const rtprof_smodule_t *f, uint64_t off);
const char *rtprof_sym_reason(rtprof_sym_status_t s);
/* "fn file:line", "fn mod+0x1c (no line info)", "mod+0x1c (file not found)";
 * a named site: "fn file:line (named)", "Type (named)" */
void rtprof_frame_label(const rtprof_symtab_t *st, const rtprof_frame_t *f, char *out,
                        size_t n, bool with_reason);
void rtprof_symtab_free(rtprof_symtab_t *st);

#endif /* RTPROF_RESOLVE_H */
