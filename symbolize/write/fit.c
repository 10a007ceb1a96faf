/* Text that reads at 100 columns: source paths relative to the sources'
 * common directory, figures in compact units, long names cut in the middle.
 * `--wide` turns all of it off (the text writers then print what they
 * printed before: full paths, exact figures, nothing cut). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */

int rtprof_text_width(const char *s) {
  int w = 0;
  for (; *s; s++) w += ((unsigned char)*s & 0xc0) != 0x80;
  return w;
}

/* Byte offset of the column `col` of s (not inside a UTF-8 sequence). */
static size_t offset_of_column(const char *s, int col) {
  size_t i = 0;
  for (int c = 0; s[i]; i++) {
    if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == col) return i;
  }
  return i;
}

void rtprof_fit_cut(char *s, int width) {
  int w = rtprof_text_width(s);
  if (w <= width || width < 3) return;
  int head = width / 2, tail = width - 1 - head;
  size_t h = offset_of_column(s, head), t = offset_of_column(s, w - tail);
  memmove(s + h + sizeof ELLIPSIS - 1, s + t, strlen(s + t) + 1);
  memcpy(s + h, ELLIPSIS, sizeof ELLIPSIS - 1);
}

/* Folds the directory of one absolute source path into the common one. */
static void fold_root(char **root, const char *file) {
  if (!file || file[0] != '/') return;
  const char *slash = strrchr(file, '/');
  size_t dir = (size_t)(slash - file) + 1; /* with its '/' */
  if (!*root) {
    *root = rtprof_xstrndup(file, dir);
    return;
  }
  size_t i = 0, last = 0;
  while (i < dir && (*root)[i] && (*root)[i] == file[i]) {
    if (file[i] == '/') last = i + 1;
    i++;
  }
  (*root)[last] = '\0';
}

static void fold_frames(char **root, const rtprof_frame_t *f, size_t n) {
  for (size_t i = 0; i < n; i++) fold_root(root, f[i].file);
}

void rtprof_fit_init(rtprof_fit_t *fit, const rtprof_model_t *const *models, size_t n, bool wide) {
  memset(fit, 0, sizeof *fit);
  fit->wide = wide;
  if (wide) return;
  char *root = NULL;
  for (size_t k = 0; k < n; k++) {
    const rtprof_model_t *m = models[k];
    for (size_t i = 0; i < m->nsites; i++) {
      fold_frames(&root, m->sites[i].frames, m->sites[i].nframes);
      fold_frames(&root, m->sites[i].folded, m->sites[i].nfolded);
    }
    for (size_t i = 0; i < m->nerrors; i++) fold_frames(&root, m->errors[i].call, m->errors[i].ncall);
  }
  if (root && strlen(root) > 1) { /* "/" takes nothing off */
    fit->root = root;
    fit->root_len = strlen(root);
  } else {
    free(root);
  }
}

void rtprof_fit_free(rtprof_fit_t *fit) {
  free(fit->root);
  memset(fit, 0, sizeof *fit);
}

void rtprof_fit_sources(FILE *out, const rtprof_fit_t *fit) {
  if (fit->root) fprintf(out, "  sources  %s (file paths below are relative to it)\n", fit->root);
}

void rtprof_fit_label(const rtprof_fit_t *fit, const rtprof_symtab_t *st, const rtprof_frame_t *f, char *out,
                      size_t n, bool with_reason, int width) {
  if (fit->wide) {
    rtprof_frame_label(st, f, out, n, with_reason);
    return;
  }
  rtprof_frame_t g = *f;
  if (g.file && fit->root && strncmp(g.file, fit->root, fit->root_len) == 0 && g.file[fit->root_len])
    g.file += fit->root_len;
  if (with_reason && !g.file && g.module != RTPROF_NO_MODULE && g.status == RTPROF_SYM_MISMATCH) {
    /* the header names the rebuilt file in full; here its name is enough */
    rtprof_frame_label(st, &g, out, n, false);
    size_t k = strlen(out);
    snprintf(out + k, n - k, " (build-id mismatch: %s was rebuilt)", rtprof_basename(st->mods[g.module].path));
  } else {
    rtprof_frame_label(st, &g, out, n, with_reason);
  }
  int excess = rtprof_text_width(out) - width;
  if (excess <= 0) return;
  /* the function's middle first (templates and namespaces), file:line kept */
  if (g.function) {
    int fw = rtprof_text_width(g.function);
    if (fw - excess >= 12) {
      char *fn = rtprof_xstrndup(g.function, strlen(g.function));
      rtprof_fit_cut(fn, fw - excess);
      g.function = fn;
      rtprof_frame_label(st, &g, out, n, with_reason);
      free(fn);
    }
  }
  rtprof_fit_cut(out, width);
}

/* v in units of `base`: "9.94M", "67.6M", "192M" (3 digits, never 1024 of
 * a unit); below one unit exact, with unit0 ("512B"); 0 as "0". */
static void compact(char *out, size_t n, const char *sign, uint64_t v, double base, const char *const *units,
                    const char *unit0) {
  if (v < base) {
    snprintf(out, n, "%s%" PRIu64 "%s", sign, v, v ? unit0 : "");
    return;
  }
  double x = (double)v;
  int u = -1;
  do { /* up a unit while the figure would print as `base` or more */
    x /= base;
    u++;
  } while (u < 5 && x >= base - 0.5);
  snprintf(out, n, "%s%.*f%s", sign, x < 9.995 ? 2 : x < 99.95 ? 1 : 0, x, units[u]);
}

void rtprof_compact_bytes(char *out, size_t n, uint64_t v) {
  static const char *const units[] = {"K", "M", "G", "T", "P", "E"};
  compact(out, n, "", v, 1024, units, "B");
}

void rtprof_compact_signed(char *out, size_t n, int64_t v, const char *minus) {
  static const char *const units[] = {"K", "M", "G", "T", "P", "E"};
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  compact(out, n, v < 0 ? minus : v > 0 ? "+" : "", mag, 1024, units, "B");
}

void rtprof_compact_count(char *out, size_t n, uint64_t v) {
  static const char *const units[] = {"k", "M", "G", "T", "P", "E"};
  if (v < 100000) snprintf(out, n, "%" PRIu64, v); /* five digits stay exact */
  else compact(out, n, "", v, 1000, units, "");
}
