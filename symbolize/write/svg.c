/* The timeline of one dump as a self-contained SVG chart: committed and live
 * bytes over time (the dump's snapshot records), the phase open at each
 * point as colored bands along the time axis, axes with human-readable
 * ticks, and markers for new committed peaks and for labels. No scripts, no
 * external references: it opens in any browser. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

#define W 960.0                /* picture width */
#define PLOT_L 90.0            /* plot area: left, right, top, height */
#define PLOT_R (W - 30.0)
#define PLOT_T 56.0
#define PLOT_H 320.0
#define PLOT_B (PLOT_T + PLOT_H)
#define LEGEND_Y (PLOT_B + 60) /* baseline of the legend's first row */
#define LEGEND_COLS 3
#define LEGEND_ROW 18.0
#define LEGEND_MAX_PHASES 30   /* phases listed under the chart; more are summed */
#define COLOR_COMMITTED "#1f77b4"
#define COLOR_LIVE "#ff7f0e"
#define COLOR_PEAK "#d62728"
#define COLOR_LABEL "#555555"

/* Tableau 10, for the phase bands */
static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define NCOLORS (sizeof palette / sizeof *palette)


/* A step of 1, 2 or 5 times a power of ten giving about `ticks` ticks. */
static double nice_step(double range, int ticks) {
  double raw = range / ticks, p = 1;
  if (raw <= 0) return 1;
  while (p * 10 <= raw) p *= 10;
  while (p > raw) p /= 10;
  double f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

typedef struct axis_s {    /* a scale in human units */
  double unit;             /* bytes or ns per unit */
  const char *name;        /* "MiB", "ms" */
  double step, top;        /* in units: tick step and the axis' end */
} axis_t;

static axis_t bytes_axis(uint64_t max) {
  static const char *names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  axis_t a = {1, names[0], 1, 1};
  int u = 0;
  while (u < 6 && (double)max >= a.unit * 1024) a.unit *= 1024, u++;
  a.name = names[u];
  double v = (double)max / a.unit;
  if (v <= 0) v = 1;
  a.step = nice_step(v, 5);
  if (u == 0 && a.step < 1) a.step = 1;
  a.top = a.step;
  while (a.top < v * (1 - 1e-12)) a.top += a.step;
  return a;
}

static axis_t time_axis(uint64_t max_ns) {
  axis_t a = {1, "ns", 1, 1};
  if (max_ns >= 1000000000) a.unit = 1e9, a.name = "s";
  else if (max_ns >= 1000000) a.unit = 1e6, a.name = "ms";
  else if (max_ns >= 1000) a.unit = 1e3, a.name = "us";
  double v = max_ns ? (double)max_ns / a.unit : 1;
  a.step = nice_step(v, 8);
  a.top = v;               /* time ends where the run ended */
  return a;
}

typedef struct chart_s {   /* state of one rtprof_svg_write */
  FILE *out;
  const rtprof_dump_t *d;
  axis_t x, y;
  uint64_t *colors;        /* phase ids in order of first appearance */
  size_t ncolors;
  rtprof_map_t color_index; /* phase id -> index in colors */
  const char *idp;         /* prefix of the element ids ("" standalone) */
} chart_t;

static double px(const chart_t *c, uint64_t t_ns) { return PLOT_L + (double)t_ns / c->x.unit / c->x.top * (PLOT_R - PLOT_L); }
static double py(const chart_t *c, uint64_t bytes) { return PLOT_B - (double)bytes / c->y.unit / c->y.top * PLOT_H; }

static const char *phase_path(const rtprof_dump_t *d, uint64_t id) {
  return d->phases[rtprof_dump_find_phase(d, id)].path;
}
static const char *phase_name(const rtprof_dump_t *d, uint64_t id) {
  return d->phases[rtprof_dump_find_phase(d, id)].name;
}

static size_t color_of(chart_t *c, uint64_t phase) {
  long k = rtprof_map_get(&c->color_index, phase);
  if (k >= 0) return (size_t)k;
  rtprof_map_put(&c->color_index, phase, c->ncolors);
  c->colors[c->ncolors] = phase;
  return c->ncolors++;
}

/* Drawing is thinned to the picture's resolution, so a dump of a million
 * snapshots draws as fast and as small as one of a few thousand: per
 * half-pixel column, a line keeps its first, lowest, highest and last
 * points (the peak always survives); bands, peak markers (the highest) and
 * labels (the first) keep at most one per pixel. */
static long column(double x) { return (long)((x - PLOT_L) * 2); }
static long pixel(double x) { return (long)(x - PLOT_L); }

static void fmt_time(char *out, size_t n, const chart_t *c, uint64_t t_ns) {
  snprintf(out, n, "%.4g %s", (double)t_ns / c->x.unit, c->x.name);
}

/* Contiguous runs of snapshots in one phase: the phase holds from its first
 * snapshot to the next snapshot in another phase (or the last one). */
static void draw_bands(chart_t *c) {
  const rtprof_dump_t *d = c->d;
  fprintf(c->out, "<g id=\"%sphases\" stroke=\"none\">\n", c->idp);
  long drawn_to = -1; /* the last pixel a band covers */
  for (size_t i = 0; i < d->nsnapshots;) {
    size_t j = i + 1;
    while (j < d->nsnapshots && d->snapshots[j].phase == d->snapshots[i].phase) j++;
    uint64_t phase = d->snapshots[i].phase;
    uint64_t t0 = d->snapshots[i].t_ns, t1 = d->snapshots[j < d->nsnapshots ? j : d->nsnapshots - 1].t_ns;
    i = j;
    if (!phase) continue;
    size_t k = color_of(c, phase);
    double x0 = px(c, t0), w = px(c, t1) - x0;
    if (pixel(x0 + w) <= drawn_to) continue; /* inside a pixel already drawn */
    drawn_to = pixel(x0 + w);
    if (w < 1) w = 1;
    char a[32], b[32];
    fmt_time(a, sizeof a, c, t0);
    fmt_time(b, sizeof b, c, t1);
    fprintf(c->out, "<rect class=\"phase\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
            "fill-opacity=\"0.22\"><title>", x0, PLOT_T, w, PLOT_H, palette[k % NCOLORS]);
    rtprof_markup_text(c->out, phase_path(d, phase));
    fprintf(c->out, ": %s to %s</title></rect>\n", a, b);
    const char *name = phase_name(d, phase);
    if (w >= 7.0 * (double)strlen(name) + 6) { /* the label fits the band */
      fprintf(c->out, "<text class=\"phase-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#333\">", x0 + 3,
              PLOT_T + 13);
      rtprof_markup_text(c->out, name);
      fputs("</text>\n", c->out);
    }
  }
  fputs("</g>\n", c->out);
}

static void draw_axes(chart_t *c) {
  FILE *out = c->out;
  fprintf(out, "<g id=\"%saxes\" font-size=\"11\" fill=\"#333\">\n", c->idp);
  for (double v = 0; v <= c->y.top * (1 + 1e-9); v += c->y.step) {
    double y = PLOT_B - v / c->y.top * PLOT_H;
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", PLOT_L, y, PLOT_R, y);
    if (v == 0) fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">0</text>\n", PLOT_L - 6, y + 4);
    else fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g %s</text>\n", PLOT_L - 6, y + 4, v, c->y.name);
  }
  for (double v = 0; v <= c->x.top * (1 + 1e-9); v += c->x.step) {
    double x = PLOT_L + v / c->x.top * (PLOT_R - PLOT_L);
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x, PLOT_B, x, PLOT_B + 5);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g %s</text>\n", x, PLOT_B + 18, v, c->x.name);
  }
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", PLOT_L, PLOT_B, PLOT_R, PLOT_B);
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", PLOT_L, PLOT_T, PLOT_L, PLOT_B);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time since profiling started</text>\n",
          (PLOT_L + PLOT_R) / 2, PLOT_B + 36);
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">bytes</text>\n",
          18.0, PLOT_T + PLOT_H / 2, 18.0, PLOT_T + PLOT_H / 2);
  fputs("</g>\n", out);
}

static void put_point(chart_t *c, bool *first, const rtprof_snapshot_t *s, bool live) {
  fprintf(c->out, "%s%.1f,%.1f", *first ? "" : " ", px(c, s->t_ns), py(c, live ? s->live : s->committed));
  *first = false;
}

static void draw_line(chart_t *c, const char *id, const char *color, bool live) {
  fprintf(c->out, "<polyline id=\"%s%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"",
          c->idp, id, color);
  const rtprof_snapshot_t *sn = c->d->snapshots;
  bool first = true;
  for (size_t i = 0; i < c->d->nsnapshots;) {
    long col = column(px(c, sn[i].t_ns));
    size_t j = i, lo = i, hi = i;
    for (; j < c->d->nsnapshots && column(px(c, sn[j].t_ns)) == col; j++) {
      uint64_t v = live ? sn[j].live : sn[j].committed;
      if (v < (live ? sn[lo].live : sn[lo].committed)) lo = j;
      if (v > (live ? sn[hi].live : sn[hi].committed)) hi = j;
    }
    size_t keep[4] = {i, lo < hi ? lo : hi, lo < hi ? hi : lo, j - 1}; /* in time order */
    for (int k = 0; k < 4; k++)
      if (k == 0 || keep[k] != keep[k - 1]) put_point(c, &first, &sn[keep[k]], live);
    i = j;
  }
  fputs("\"/>\n", c->out);
}

static void draw_markers(chart_t *c) {
  FILE *out = c->out;
  fprintf(out, "<g id=\"%smarkers\">\n", c->idp);
  const rtprof_snapshot_t *sn = c->d->snapshots;
  long label_px = -1;
  for (size_t i = 0; i < c->d->nsnapshots;) {
    long col = pixel(px(c, sn[i].t_ns));
    size_t j = i;
    long peak = -1; /* the pixel's highest peak */
    for (; j < c->d->nsnapshots && pixel(px(c, sn[j].t_ns)) == col; j++)
      if (sn[j].kind_id == RTPROF_SNAP_PEAK && (peak < 0 || sn[j].committed > sn[peak].committed)) peak = (long)j;
    for (size_t k = i; k < j; k++) {
      const rtprof_snapshot_t *s = &sn[k];
      if ((long)k != peak && (s->kind_id != RTPROF_SNAP_LABEL || col == label_px)) continue;
      char t[32], h[32];
      fmt_time(t, sizeof t, c, s->t_ns);
      double x = px(c, s->t_ns);
      if ((long)k == peak) {
        rtprof_human_bytes(h, sizeof h, s->committed);
        fprintf(out, "<circle class=\"peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>new committed peak %s "
                "at %s</title></circle>\n", x, py(c, s->committed), COLOR_PEAK, h, t);
      } else if (s->kind_id == RTPROF_SNAP_LABEL && col != label_px) { /* the pixel's first label */
        label_px = col;
        fprintf(out, "<g class=\"label\"><title>");
        rtprof_markup_text(out, s->name);
        fprintf(out, " at %s</title>\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-dasharray=\"4 3\"/>\n", t, x, PLOT_T, x, PLOT_B, COLOR_LABEL);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\" transform=\"rotate(-90 %.1f %.1f)\">", x - 3,
                PLOT_B - 4, COLOR_LABEL, x - 3, PLOT_B - 4);
        rtprof_markup_text(out, s->name);
        fputs("</text></g>\n", out);
      }
    }
    i = j;
  }
  if (c->d->peak.present) { /* the process's highest live bytes: the peak the report breaks down */
    char t[32], h[32];
    fmt_time(t, sizeof t, c, c->d->peak.t_ns);
    rtprof_human_bytes(h, sizeof h, c->d->peak.live_bytes);
    uint64_t last = c->d->snapshots[c->d->nsnapshots - 1].t_ns;
    double x = px(c, c->d->peak.t_ns < last ? c->d->peak.t_ns : last);
    fprintf(out, "<g class=\"livepeak\"><title>highest live bytes: %s at %s (see Live at the peak)</title>\n"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">live peak</text></g>\n",
            h, t, x, PLOT_T, x, PLOT_B, COLOR_LIVE, x + 3, PLOT_T + 10, COLOR_LIVE);
  }
  fputs("</g>\n", out);
}

/* The live bytes of the 3 sites that held the most in any snapshot's top
 * sites (snapshot_top), thin lines through the snapshots that name them. */
#define TOP_LINES 3
static void draw_top_sites(chart_t *c) {
  const rtprof_dump_t *d = c->d;
  uint64_t id[TOP_LINES] = {0}, max[TOP_LINES] = {0};
  for (size_t k = 0; k < d->nsnap_tops; k++) {
    const rtprof_id_bytes_t *t = &d->snap_tops[k];
    int slot = -1;
    for (int i = 0; i < TOP_LINES; i++)
      if (max[i] && id[i] == t->id) slot = i;
    if (slot >= 0) {
      if (t->live_bytes > max[slot]) max[slot] = t->live_bytes;
    } else {
      int low = 0;
      for (int i = 1; i < TOP_LINES; i++)
        if (max[i] < max[low]) low = i;
      if (t->live_bytes > max[low]) id[low] = t->id, max[low] = t->live_bytes;
    }
  }
  for (int i = 0; i < TOP_LINES; i++) {
    if (!max[i]) continue;
    fprintf(c->out, "<polyline class=\"topsite\" fill=\"none\" stroke=\"%s\" stroke-width=\"1\" "
            "stroke-dasharray=\"2 2\" points=\"", COLOR_LIVE);
    bool first = true;
    /* thinned as the other lines: per half-pixel column its first, lowest,
     * highest and last points, in time order */
    struct { double x; uint64_t v; } pt[4] = {{0}}; /* first, lowest, highest, last */
    long col = -1;
    for (size_t s = 0; s <= d->nsnapshots; s++) {
      const rtprof_snapshot_t *sn = s < d->nsnapshots ? &d->snapshots[s] : NULL;
      uint32_t k = 0;
      while (sn && k < sn->ntop && d->snap_tops[sn->top_off + k].id != id[i]) k++;
      if (sn && k == sn->ntop) continue;
      double x = sn ? px(c, sn->t_ns) : 0;
      if (col >= 0 && (!sn || column(x) != col)) {
        int lo = pt[1].x <= pt[2].x ? 1 : 2, order[4] = {0, lo, 3 - lo, 3};
        for (int q = 0; q < 4; q++) {
          if (q && pt[order[q]].x == pt[order[q - 1]].x && pt[order[q]].v == pt[order[q - 1]].v) continue;
          fprintf(c->out, "%s%.1f,%.1f", first ? "" : " ", pt[order[q]].x, py(c, pt[order[q]].v));
          first = false;
        }
        col = -1;
      }
      if (!sn) break;
      uint64_t v = d->snap_tops[sn->top_off + k].live_bytes;
      if (col < 0) {
        col = column(x);
        for (int q = 0; q < 4; q++) pt[q].x = x, pt[q].v = v;
      }
      if (v < pt[1].v) pt[1].x = x, pt[1].v = v;
      if (v > pt[2].v) pt[2].x = x, pt[2].v = v;
      pt[3].x = x, pt[3].v = v;
    }
    fprintf(c->out, "\"><title>live bytes of site %" PRIu64 " (one of the sites holding the most)</title></polyline>\n",
            id[i]);
  }
}

static void draw_legend(chart_t *c, double y) {
  FILE *out = c->out;
  fprintf(out, "<g id=\"%slegend\" font-size=\"11\" fill=\"#333\">\n", c->idp);
  static const struct { const char *what, *color; int shape; } keys[] = {
      {"committed bytes", COLOR_COMMITTED, 0}, {"live bytes", COLOR_LIVE, 0},
      {"new committed peak", COLOR_PEAK, 1},   {"label (rtprof_snapshot)", COLOR_LABEL, 2},
  };
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    double x = PLOT_L + (double)i * 200;
    if (keys[i].shape == 1)
      fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", x + 10, y - 4, keys[i].color);
    else
      fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", x,
              y - 4, x + 20, y - 4, keys[i].color, keys[i].shape == 2 ? " stroke-dasharray=\"4 3\"" : "");
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 26, y, keys[i].what);
  }
  y += LEGEND_ROW + 4;
  double colw = (PLOT_R - PLOT_L) / LEGEND_COLS;
  size_t shown = c->ncolors < LEGEND_MAX_PHASES ? c->ncolors : LEGEND_MAX_PHASES;
  for (size_t i = 0; i < shown; i++) {
    double x = PLOT_L + (double)(i % LEGEND_COLS) * colw, yy = y + (double)(i / LEGEND_COLS) * LEGEND_ROW;
    const char *path = phase_path(c->d, c->colors[i]);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\" fill-opacity=\"0.5\"/>\n", x,
            yy - 10, palette[i % NCOLORS]);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\"><title>", x + 18, yy);
    rtprof_markup_text(out, path);
    fputs("</title>", out);
    size_t len = strlen(path), max = (size_t)(colw / 6.5) - 4;
    if (len > max) { /* keep the end of a long path: the leaf names the phase */
      size_t k = len - max;
      while (k < len && ((unsigned char)path[k] & 0xc0) == 0x80) k++; /* not inside a character */
      fputs("...", out);
      rtprof_markup_text(out, path + k);
    } else {
      rtprof_markup_text(out, path);
    }
    fputs("</text>\n", out);
  }
  y += (double)((shown + LEGEND_COLS - 1) / LEGEND_COLS) * LEGEND_ROW;
  if (c->ncolors > shown) {
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">and %zu more phases (their bands carry their names)</text>\n", PLOT_L, y,
            c->ncolors - shown);
  }
  fputs("</g>\n", out);
}

void rtprof_svg_write(FILE *out, const rtprof_dump_t *d, const char *id_prefix) {
  chart_t c = {.out = out, .d = d, .idp = id_prefix ? id_prefix : ""};
  uint64_t ymax = 0, peak = 0;
  for (size_t i = 0; i < d->nsnapshots; i++) {
    const rtprof_snapshot_t *s = &d->snapshots[i];
    if (s->committed > ymax) ymax = s->committed;
    if (s->live > ymax) ymax = s->live;
    if (s->committed > peak) peak = s->committed;
  }
  c.y = bytes_axis(ymax);
  c.x = time_axis(d->snapshots[d->nsnapshots - 1].t_ns);
  c.colors = rtprof_xcalloc(d->nsnapshots + 1, sizeof *c.colors);
  for (size_t i = 0; i < d->nsnapshots; i++) /* colors in order of first appearance */
    if (d->snapshots[i].phase) color_of(&c, d->snapshots[i].phase);
  size_t listed = c.ncolors < LEGEND_MAX_PHASES ? c.ncolors : LEGEND_MAX_PHASES;
  size_t legend_rows = (listed + LEGEND_COLS - 1) / LEGEND_COLS + (c.ncolors > listed);
  double height = LEGEND_Y + LEGEND_ROW + 4 + (double)legend_rows * LEGEND_ROW + 10;

  if (!id_prefix) fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
  fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" %swidth=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
          "font-family=\"sans-serif\">\n", id_prefix ? "class=\"timeline\" " : "", W, height, W, height);
  fputs("<title>rtprof timeline: ", out);
  rtprof_markup_text(out, d->exe);
  fputs("</title>\n", out);
  fprintf(out, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", W, height);
  fprintf(out, "<text x=\"%.1f\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">", PLOT_L);
  rtprof_markup_text(out, rtprof_basename(d->exe));
  fputs(": committed and live bytes over time</text>\n", out);
  char h[32];
  rtprof_human_bytes(h, sizeof h, peak);
  fprintf(out, "<text x=\"%.1f\" y=\"40\" font-size=\"11\" fill=\"#555\">", PLOT_L);
  rtprof_markup_text(out, d->file);
  fprintf(out, " (pid %" PRIu64 ", written at ", d->pid);
  rtprof_markup_text(out, d->reason);
  fprintf(out, "): %zu snapshot%s", d->nsnapshots, d->nsnapshots == 1 ? "" : "s");
  if (d->interval_ms) fprintf(out, " every %" PRIu64 " ms", d->interval_ms);
  fprintf(out, ", highest committed %s</text>\n", h);

  draw_bands(&c);
  draw_axes(&c);
  draw_line(&c, "committed", COLOR_COMMITTED, false);
  draw_line(&c, "live", COLOR_LIVE, true);
  draw_top_sites(&c);
  draw_markers(&c);
  draw_legend(&c, LEGEND_Y);
  fputs("</svg>\n", out);
  free(c.colors);
  rtprof_map_free(&c.color_index);
}
