/* JSON output shared by report, diff and check: strings (escaped, invalid
 * UTF-8 replaced so the document stays valid; control characters, C1
 * controls and U+FFFE/U+FFFF written as \uXXXX, so the same JSON embedded in
 * the HTML page carries none of them raw), frame objects and the symbols
 * summary. */
#include <inttypes.h>
#include <string.h>

#include "write/write.h"

void rtprof_json_str(FILE *out, const char *s) {
  if (!s) {
    fputs("null", out);
    return;
  }
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  fputc('"', out);
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c == '\n') fputs("\\n", out);
    else if (c == '\t') fputs("\\t", out);
    else if (c < 0x20 || c == 0x7f) fprintf(out, "\\u%04x", c);
    else if (c < 0x80) fputc(c, out);
    else {
      size_t l = rtprof_utf8_len(p + i, n - i);
      if (l == 0) fputs("\\ufffd", out); /* paths are bytes: keep the JSON valid */
      else if (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) fprintf(out, "\\u%04x", p[i + 1]); /* C1 control */
      else if (l == 3 && p[i] == 0xef && p[i + 1] == 0xbf && p[i + 2] >= 0xbe) /* U+FFFE, U+FFFF */
        fprintf(out, "\\u%04x", 0xff00 | (p[i + 2] - 0x80 + 0xc0));
      else fwrite(p + i, 1, l, out);
      i += l ? l : 1;
      continue;
    }
    i++;
  }
  fputc('"', out);
}

void rtprof_json_frame(FILE *out, const rtprof_symtab_t *st, const rtprof_frame_t *f) {
  fputs("{\"function\": ", out);
  rtprof_json_str(out, f->function);
  fputs(", \"file\": ", out);
  rtprof_json_str(out, f->file);
  if (f->line) fprintf(out, ", \"line\": %u", f->line);
  else fputs(", \"line\": null", out);
  fputs(", \"module\": ", out);
  rtprof_json_str(out, f->module == RTPROF_NO_MODULE ? NULL : st->mods[f->module].path);
  fprintf(out, ", \"offset\": %" PRIu64 ", \"inlined\": %s, ", f->offset, f->inlined ? "true" : "false");
  if (f->named) fputs("\"named\": true, ", out); /* only then: older goldens and scripts stay valid */
  fputs("\"status\": ", out);
  rtprof_json_str(out, rtprof_sym_reason((rtprof_sym_status_t)f->status));
  fputc('}', out);
}

/* The "symbols" object: how many addresses resolved, and per module why the
 * rest did not. `pretty`: the report's spacing; else the HTML page's compact
 * form. */
void rtprof_json_symbols(FILE *out, const rtprof_symtab_t *st, bool pretty) {
  const char *colon = pretty ? ": " : ":", *comma = pretty ? ", " : ",";
  fprintf(out, "{\"addresses\"%s%" PRIu64 "%s\"resolved\"%s%" PRIu64 "%s\"no_module\"%s%" PRIu64
          "%s\"unresolved\"%s[", colon, st->addresses, comma, colon, st->resolved, comma, colon, st->no_module,
          comma, colon);
  bool first = true;
  for (size_t i = 0; i < st->nmods; i++) {
    const rtprof_smodule_t *sm = &st->mods[i];
    if (!sm->unresolved) continue;
    fprintf(out, "%s%s{\"module\"%s", first ? "" : ",", pretty ? "\n    " : "", colon);
    first = false;
    rtprof_json_str(out, sm->path);
    fprintf(out, "%s\"reason\"%s", comma, colon);
    rtprof_json_str(out, sm->status == RTPROF_SYM_OK ? "no symbol or no line info" : rtprof_sym_reason(sm->status));
    fprintf(out, "%s\"detail\"%s", comma, colon);
    rtprof_json_str(out, sm->detail);
    fprintf(out, "%s\"addresses\"%s%" PRIu64 "}", comma, colon, sm->unresolved);
  }
  fputs(pretty && !first ? "\n  ]}" : "]}", out);
}
