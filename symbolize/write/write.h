/* Private header of the rtprof command, stage "write": the writers. Owns
 * text, JSON and collapsed output (write/report.c, write/json.c), pprof
 * (write/pprof.c), the SVG timeline (write/svg.c), the HTML page
 * (write/html.c; its style and script are write/report.css and report.js,
 * embedded at build time), the diff's text and JSON (write/diff_write.c) and
 * what makes text fit 100 columns (write/fit.c).
 * Uses model/ and the stages below; reads no file. */
#ifndef RTPROF_WRITE_H
#define RTPROF_WRITE_H

#include "model/model.h"

/* ---- "json.c": JSON pieces ------------------------------------------------ */
void rtprof_json_str(FILE *out, const char *s);  /* NULL: null */
/* {"function", "file", "line", "module", "offset", "inlined", "status"} */
void rtprof_json_frame(FILE *out, const rtprof_symtab_t *st, const rtprof_frame_t *f);
void rtprof_json_symbols(FILE *out, const rtprof_symtab_t *st, bool pretty); /* the "symbols" object */

/* ---- "fit.c": text that reads at 100 columns ---------------------------- */
#define RTPROF_TEXT_WIDTH 100
typedef struct rtprof_fit_s {
  bool wide;               /* --wide: full paths, exact figures, nothing cut */
  char *root;              /* the sources' common directory with its '/', or NULL */
  size_t root_len;
} rtprof_fit_t;
/* The common directory of the absolute source files in the models' frames
 * (none when it is "/"); nothing with wide. */
void rtprof_fit_init(rtprof_fit_t *fit, const rtprof_model_t *const *models, size_t n, bool wide);
void rtprof_fit_free(rtprof_fit_t *fit);
/* "  sources  ROOT (file paths below are relative to it)" when there is a root */
void rtprof_fit_sources(FILE *out, const rtprof_fit_t *fit);
/* rtprof_frame_label with the root taken off the file and, past `width`
 * columns, the function then the whole label cut in the middle. */
void rtprof_fit_label(const rtprof_fit_t *fit, const rtprof_symtab_t *st, const rtprof_frame_t *f, char *out,
                      size_t n, bool with_reason, int width);
int rtprof_text_width(const char *s);      /* columns: UTF-8 continuation bytes take none */
void rtprof_fit_cut(char *s, int width);   /* the middle replaced by one '…' */
/* "0", "512B", "9.94K", "67.6M", "192M" (powers of 1024, as check's SIZE) */
void rtprof_compact_bytes(char *out, size_t n, uint64_t v);
void rtprof_compact_signed(char *out, size_t n, int64_t v, const char *minus); /* "+67.6M" */
/* exact below 100000, then "460k", "1.66M" (powers of 1000) */
void rtprof_compact_count(char *out, size_t n, uint64_t v);

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
  bool wide;               /* --wide: text as wide as it needs (write/fit.c) */
} rtprof_report_opts_t;

int rtprof_report_write(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o);
/* What a kind of heap misuse means ("a block freed twice"), or NULL. */
const char *rtprof_error_meaning(const char *kind);

/* ---- "memory.c": suppressed sites, the peak, growing sites, the RSS split -- */
void rtprof_text_suppressed(FILE *out, const rtprof_model_t *m);
void rtprof_text_memory(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o, const rtprof_fit_t *fit);
/* "peak", "suppressed", "growing", "memory"; shown: sites listed in "sites". */
void rtprof_json_memory(FILE *out, const rtprof_model_t *m, const bool *shown);

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

/* ---- "diff_write.c": text and JSON of a diff ----------------------------------- */
typedef struct rtprof_diff_opts_s {
  bool json;
  size_t top;              /* rows per table; 0: all */
  bool top_given;          /* JSON lists everything unless --top is given */
  bool wide;               /* --wide: text as wide as it needs (write/fit.c) */
} rtprof_diff_opts_t;
void rtprof_diff_write(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o);

/* ---- "diff_peak.c": the peak's composition, before -> after ---------------- */
typedef struct rtprof_prow_s {
  long i;                  /* dsite or phase-path index */
  uint64_t b, a;           /* at the peak, before and after */
} rtprof_prow_t;
/* Rows held at either peak, largest change first (free *out). */
size_t rtprof_diff_peak_sites(const rtprof_diff_t *df, rtprof_prow_t **out);
size_t rtprof_diff_peak_phases(const rtprof_diff_t *df, rtprof_prow_t **out);
void rtprof_diff_json_peak(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o);

#endif /* RTPROF_WRITE_H */
