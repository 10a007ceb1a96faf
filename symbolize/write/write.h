/* Private header of the rtprof command, stage "write": the writers. Owns
 * text, JSON and collapsed output (write/report.c, write/json.c), pprof
 * (write/pprof.c), the SVG timeline (write/svg.c), the HTML page
 * (write/html.c; its style and script are write/report.css and report.js,
 * embedded at build time) and the diff's text and JSON (write/diff_write.c).
 * Uses model/ and the stages below; reads no file. */
#ifndef RTPROF_WRITE_H
#define RTPROF_WRITE_H

#include "model/model.h"

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

/* ---- "memory.c": suppressed sites, the peak, growing sites, the RSS split -- */
void rtprof_text_suppressed(FILE *out, const rtprof_model_t *m);
void rtprof_text_memory(FILE *out, const rtprof_model_t *m, const rtprof_report_opts_t *o);
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
} rtprof_diff_opts_t;
void rtprof_diff_write(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o);

/* ---- "diff_peak.c": the peak's composition, before -> after ---------------- */
void rtprof_diff_text_peak(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o);
void rtprof_diff_json_peak(FILE *out, const rtprof_diff_t *df, const rtprof_diff_opts_t *o);

#endif /* RTPROF_WRITE_H */
