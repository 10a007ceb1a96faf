/* A POSIX extended regular expression matcher that never allocates, for
 * RTPROF_SKIP: the pattern is compiled once into a small program (a fixed
 * array), and a name is matched by simulating all threads of that program
 * at once (Pike's VM without captures): linear in the name's length, no
 * recursion, no malloc, so it can run inside the profiled malloc. Only
 * "does it match anywhere" is answered (REG_NOSUB), for which POSIX's
 * leftmost-longest rule makes no difference. Supported: literals, `.`,
 * bracket expressions with ranges, `^` negation and [:class:] (ASCII), `^`,
 * `$`, groups, `|`, `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}`, `\` before any
 * character, and GNU's `\w \W \s \S`. */
#include <string.h>

#include "internal.h"

enum { OP_CHAR, OP_ANY, OP_CLASS, OP_SPLIT, OP_JMP, OP_BOL, OP_EOL, OP_MATCH };

/* ---- parsing into a tree --------------------------------------------------- */

enum { N_EMPTY, N_CHAR, N_ANY, N_CLASS, N_BOL, N_EOL, N_CAT, N_ALT, N_REP };
#define RT_ERE_NODES 4096
#define RT_ERE_INF 0xffff

typedef struct rt_ere_node_s {
  uint8_t type;
  uint8_t ch;                 /* N_CHAR */
  uint16_t a, b;              /* children (N_CAT, N_ALT; N_REP uses a), class index */
  uint16_t min, max;          /* N_REP */
} rt_ere_node_t;

typedef struct rt_ere_parser_s {
  const char *p;
  rt_ere_t *re;
  rt_ere_node_t nodes[RT_ERE_NODES];
  uint32_t n;
  const char *err;
  int depth;                  /* open groups */
  bool group;                 /* the last atom was a group */
} rt_ere_parser_t;

static int node(rt_ere_parser_t *ps, uint8_t type) {
  if (ps->n >= RT_ERE_NODES) {
    ps->err = "pattern too long";
    return -1;
  }
  ps->nodes[ps->n] = (rt_ere_node_t){.type = type};
  return (int)ps->n++;
}

static int new_class(rt_ere_parser_t *ps) {
  if (ps->re->nclasses >= RT_ERE_CLASSES) {
    ps->err = "too many bracket expressions";
    return -1;
  }
  memset(ps->re->classes[ps->re->nclasses], 0, 32);
  return (int)ps->re->nclasses++;
}

static void class_set(rt_ere_t *re, int k, unsigned c) { re->classes[k][c >> 3] |= (uint8_t)(1u << (c & 7)); }

static bool in_named(const char *name, size_t n, unsigned c) {
#define IS(s) (n == sizeof s - 1 && memcmp(name, s, n) == 0)
  bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
  if (IS("alpha")) return upper || lower;
  if (IS("digit")) return digit;
  if (IS("alnum")) return upper || lower || digit;
  if (IS("upper")) return upper;
  if (IS("lower")) return lower;
  if (IS("space")) return c == ' ' || (c >= '\t' && c <= '\r');
  if (IS("blank")) return c == ' ' || c == '\t';
  if (IS("punct")) return c > ' ' && c < 0x7f && !upper && !lower && !digit;
  if (IS("print")) return c >= ' ' && c < 0x7f;
  if (IS("graph")) return c > ' ' && c < 0x7f;
  if (IS("cntrl")) return c < ' ' || c == 0x7f;
  if (IS("xdigit")) return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return false;
#undef IS
}

static bool known_class(const char *name, size_t n) {
  static const char *const names[] = {"alpha", "digit", "alnum", "upper", "lower", "space",
                                      "blank", "punct", "print", "graph", "cntrl", "xdigit"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0) return true;
  return false;
}

/* After '[': the bracket expression, up to and including its ']'. */
static int parse_bracket(rt_ere_parser_t *ps) {
  int k = new_class(ps), at = k < 0 ? -1 : node(ps, N_CLASS);
  if (at < 0) return -1;
  ps->nodes[at].a = (uint16_t)k;
  bool negate = *ps->p == '^';
  if (negate) ps->p++;
  bool first = true;
  for (;;) {
    const char *s = ps->p;
    if (*s == '\0') {
      ps->err = "unmatched [";
      return -1;
    }
    if (*s == ']' && !first) {
      ps->p++;
      break;
    }
    first = false;
    unsigned lo;
    if (s[0] == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
      char kind = s[1];
      const char *e = strchr(s + 2, kind);
      if (e == NULL || e[1] != ']') {
        ps->err = "unterminated [: :], [. .] or [= =]";
        return -1;
      }
      size_t n = (size_t)(e - (s + 2));
      ps->p = e + 2;
      if (kind == ':') {
        if (!known_class(s + 2, n)) {
          ps->err = "unknown character class";
          return -1;
        }
        for (unsigned c = 1; c < 256; c++)
          if (in_named(s + 2, n, c)) class_set(ps->re, k, c);
        continue;
      }
      if (n != 1) {
        ps->err = "multi-character collating element";
        return -1;
      }
      lo = (unsigned char)s[2];
    } else {
      lo = (unsigned char)*s;
      ps->p++;
    }
    unsigned hi = lo;
    if (ps->p[0] == '-' && ps->p[1] != ']' && ps->p[1] != '\0') {
      const char *s2 = ps->p + 1;
      if (s2[0] == '[' && (s2[1] == '.' || s2[1] == '=') && s2[2] && s2[3] == s2[1] && s2[4] == ']') {
        hi = (unsigned char)s2[2];
        ps->p = s2 + 5;
      } else {
        hi = (unsigned char)*s2;
        ps->p = s2 + 1;
      }
      if (hi < lo) {
        ps->err = "invalid range end";
        return -1;
      }
    }
    for (unsigned c = lo; c <= hi; c++) class_set(ps->re, k, c);
  }
  if (negate)
    for (int i = 0; i < 32; i++) ps->re->classes[k][i] = (uint8_t)~ps->re->classes[k][i];
  ps->re->classes[k][0] &= (uint8_t)~1u; /* never NUL */
  return at;
}

static int parse_alt(rt_ere_parser_t *ps);

static int class_node(rt_ere_parser_t *ps, const char *name, bool negate) {
  int k = new_class(ps), at = k < 0 ? -1 : node(ps, N_CLASS);
  if (at < 0) return -1;
  ps->nodes[at].a = (uint16_t)k;
  for (unsigned c = 1; c < 256; c++) {
    bool in = strcmp(name, "w") == 0 ? in_named("alnum", 5, c) || c == '_' : in_named("space", 5, c);
    if (in != negate) class_set(ps->re, k, c);
  }
  return at;
}

static int parse_atom(rt_ere_parser_t *ps) {
  char c = *ps->p;
  int at;
  ps->group = c == '(';
  switch (c) {
    case '(':
      if (++ps->depth > 64) {
        ps->err = "groups nested too deep";
        return -1;
      }
      ps->p++;
      at = parse_alt(ps);
      if (at < 0) return -1;
      if (*ps->p != ')') {
        ps->err = "unmatched (";
        return -1;
      }
      ps->p++;
      ps->depth--;
      ps->group = true; /* "($)*" repeats a group, which glibc allows */
      return at;
    case '.': ps->p++; return node(ps, N_ANY);
    case '^': ps->p++; return node(ps, N_BOL);
    case '$': ps->p++; return node(ps, N_EOL);
    case '[': ps->p++; return parse_bracket(ps);
    case '*': case '+': case '?':
      ps->err = "nothing to repeat";
      return -1;
    case '{':
      if ((ps->p[1] >= '0' && ps->p[1] <= '9') || ps->p[1] == ',') {
        ps->err = "nothing to repeat";
        return -1;
      }
      break;
    case '\\':
      c = ps->p[1];
      if (c == '\0') {
        ps->err = "trailing backslash";
        return -1;
      }
      ps->p += 2;
      if (c == 'w' || c == 'W') return class_node(ps, "w", c == 'W');
      if (c == 's' || c == 'S') return class_node(ps, "s", c == 'S');
      if (strchr("bB<>`'", c) || (c >= '1' && c <= '9')) {
        ps->err = "anchors like \\b and back-references are not supported";
        return -1;
      }
      break;
    default: ps->p++; break;
  }
  at = node(ps, N_CHAR);
  if (at >= 0) ps->nodes[at].ch = (uint8_t)c;
  return at;
}

static bool parse_count(rt_ere_parser_t *ps, uint32_t *out) {
  if (*ps->p < '0' || *ps->p > '9') return false;
  uint32_t v = 0;
  while (*ps->p >= '0' && *ps->p <= '9' && v <= 255) v = v * 10 + (uint32_t)(*ps->p++ - '0');
  *out = v;
  return v <= 255; /* RE_DUP_MAX is 255 in POSIX's minimum, 32767 in glibc */
}

static int parse_piece(rt_ere_parser_t *ps) {
  int at = parse_atom(ps);
  while (at >= 0) {
    uint32_t min = 0, max;
    char c = *ps->p;
    bool interval = c == '{' && ((ps->p[1] >= '0' && ps->p[1] <= '9') || ps->p[1] == ',');
    if ((c == '*' || c == '+' || c == '?' || interval) &&
        !ps->group && (ps->nodes[at].type == N_BOL || ps->nodes[at].type == N_EOL)) {
      ps->err = "nothing to repeat"; /* as glibc: an anchor cannot be repeated */
      return -1;
    }
    if (c == '*') min = 0, max = RT_ERE_INF;
    else if (c == '+') min = 1, max = RT_ERE_INF;
    else if (c == '?') min = 0, max = 1;
    else if (interval) { /* {m}, {m,}, {m,n}, and GNU's {,n} */
      ps->p++;
      if (*ps->p != ',' && !parse_count(ps, &min)) break;
      max = min;
      if (*ps->p == ',') {
        ps->p++;
        max = RT_ERE_INF;
        if (*ps->p != '}' && !parse_count(ps, &max)) break;
      }
      if (*ps->p != '}' || max < min) break;
    } else {
      return at;
    }
    ps->p++;
    ps->group = false;
    int rep = node(ps, N_REP);
    if (rep < 0) return -1;
    ps->nodes[rep].a = (uint16_t)at;
    ps->nodes[rep].min = (uint16_t)min, ps->nodes[rep].max = (uint16_t)max;
    at = rep;
  }
  if (at >= 0) ps->err = "invalid interval {m,n}";
  return -1;
}

static int parse_branch(rt_ere_parser_t *ps) {
  int at = -2; /* none yet */
  /* a ')' with no group open is an ordinary character, as in glibc */
  while (*ps->p && *ps->p != '|' && !(*ps->p == ')' && ps->depth > 0)) {
    int piece = parse_piece(ps);
    if (piece < 0) return -1;
    if (at == -2) {
      at = piece;
      continue;
    }
    int cat = node(ps, N_CAT);
    if (cat < 0) return -1;
    ps->nodes[cat].a = (uint16_t)at, ps->nodes[cat].b = (uint16_t)piece;
    at = cat;
  }
  return at == -2 ? node(ps, N_EMPTY) : at;
}

static int parse_alt(rt_ere_parser_t *ps) {
  int at = parse_branch(ps);
  while (at >= 0 && *ps->p == '|') {
    ps->p++;
    int b = parse_branch(ps), alt = b < 0 ? -1 : node(ps, N_ALT);
    if (alt < 0) return -1;
    ps->nodes[alt].a = (uint16_t)at, ps->nodes[alt].b = (uint16_t)b;
    at = alt;
  }
  return at;
}

/* ---- compiling the tree into a program ------------------------------------ */

static int emit(rt_ere_parser_t *ps, uint8_t op, uint16_t x, uint16_t y) {
  rt_ere_t *re = ps->re;
  if (re->n >= RT_ERE_PROG) {
    ps->err = "pattern too long once repetitions are expanded";
    return -1;
  }
  re->prog[re->n] = (rt_ere_inst_t){op, x, y};
  return (int)re->n++;
}

static bool compile(rt_ere_parser_t *ps, int at) {
  const rt_ere_node_t *nd = &ps->nodes[at];
  rt_ere_t *re = ps->re;
  switch (nd->type) {
    case N_EMPTY: return true;
    case N_CHAR: return emit(ps, OP_CHAR, nd->ch, 0) >= 0;
    case N_ANY: return emit(ps, OP_ANY, 0, 0) >= 0;
    case N_CLASS: return emit(ps, OP_CLASS, nd->a, 0) >= 0;
    case N_BOL: return emit(ps, OP_BOL, 0, 0) >= 0;
    case N_EOL: return emit(ps, OP_EOL, 0, 0) >= 0;
    case N_CAT: return compile(ps, nd->a) && compile(ps, nd->b);
    case N_ALT: {
      int split = emit(ps, OP_SPLIT, 0, 0);
      if (split < 0) return false;
      re->prog[split].x = (uint16_t)re->n;
      if (!compile(ps, nd->a)) return false;
      int jmp = emit(ps, OP_JMP, 0, 0);
      if (jmp < 0) return false;
      re->prog[split].y = (uint16_t)re->n;
      if (!compile(ps, nd->b)) return false;
      re->prog[jmp].x = (uint16_t)re->n;
      return true;
    }
    case N_REP: {
      for (uint32_t i = 0; i < nd->min; i++)
        if (!compile(ps, nd->a)) return false;
      if (nd->max == RT_ERE_INF) { /* L: split body, out; body; jmp L */
        int loop = emit(ps, OP_SPLIT, 0, 0);
        if (loop < 0) return false;
        re->prog[loop].x = (uint16_t)re->n;
        if (!compile(ps, nd->a) || emit(ps, OP_JMP, (uint16_t)loop, 0) < 0) return false;
        re->prog[loop].y = (uint16_t)re->n;
        return true;
      }
      int splits[256], nsplits = 0; /* each optional copy may end the repetition */
      for (uint32_t i = nd->min; i < nd->max; i++) {
        int s = emit(ps, OP_SPLIT, 0, 0);
        if (s < 0) return false;
        re->prog[s].x = (uint16_t)re->n;
        splits[nsplits++] = s;
        if (!compile(ps, nd->a)) return false;
      }
      for (int i = 0; i < nsplits; i++) re->prog[splits[i]].y = (uint16_t)re->n;
      return true;
    }
  }
  return false;
}

bool rt_ere_compile(rt_ere_t *re, const char *pattern, const char **err) {
  static rt_ere_parser_t ps; /* large; callers compile under a lock or at start */
  memset(re, 0, sizeof *re);
  memset(&ps, 0, sizeof ps);
  ps.p = pattern, ps.re = re;
  int root = parse_alt(&ps);
  if (root < 0 || ps.err || !compile(&ps, root) || emit(&ps, OP_MATCH, 0, 0) < 0) {
    *err = ps.err ? ps.err : "invalid pattern";
    re->n = 0;
    return false;
  }
  return true;
}

/* ---- matching ------------------------------------------------------------- */

typedef struct rt_ere_list_s {
  uint16_t pc[RT_ERE_PROG];
  uint32_t n;
} rt_ere_list_t;

typedef struct rt_ere_run_s {
  const rt_ere_t *re;
  uint32_t mark[RT_ERE_PROG]; /* generation a pc was last added in */
  uint32_t gen;
  uint16_t stack[2 * RT_ERE_PROG + 1]; /* each pc, popped once, pushes two at most */
} rt_ere_run_t;

/* Adds pc and everything it reaches without consuming a character (splits,
 * jumps, anchors that hold at position i of s); true when MATCH is reached. */
static bool add(rt_ere_run_t *r, rt_ere_list_t *l, uint16_t pc, const char *s, size_t i) {
  uint32_t top = 0;
  r->stack[top++] = pc;
  while (top > 0) {
    pc = r->stack[--top];
    if (r->mark[pc] == r->gen) continue;
    r->mark[pc] = r->gen;
    const rt_ere_inst_t *in = &r->re->prog[pc];
    switch (in->op) {
      case OP_MATCH: return true;
      case OP_JMP: r->stack[top++] = in->x; break;
      case OP_SPLIT: r->stack[top++] = in->y, r->stack[top++] = in->x; break;
      case OP_BOL: if (i == 0) r->stack[top++] = (uint16_t)(pc + 1); break;
      case OP_EOL: if (s[i] == '\0') r->stack[top++] = (uint16_t)(pc + 1); break;
      default: l->pc[l->n++] = pc; break;
    }
  }
  return false;
}

bool rt_ere_match(const rt_ere_t *re, const char *s) {
  static rt_ere_run_t run;        /* callers match under a lock */
  static rt_ere_list_t lists[2];
  if (re->n == 0) return false;
  rt_ere_run_t *r = &run;
  r->re = re;
  memset(r->mark, 0, sizeof r->mark);
  r->gen = 1;
  rt_ere_list_t *cur = &lists[0], *next = &lists[1];
  cur->n = 0;
  for (size_t i = 0;; i++) {
    /* a new thread at every position: the match may start anywhere */
    if (add(r, cur, 0, s, i)) return true;
    if (s[i] == '\0') return false;
    unsigned char c = (unsigned char)s[i];
    next->n = 0;
    r->gen++;
    for (uint32_t k = 0; k < cur->n; k++) {
      const rt_ere_inst_t *in = &re->prog[cur->pc[k]];
      bool ok = in->op == OP_ANY || (in->op == OP_CHAR && in->x == c) ||
                (in->op == OP_CLASS && (re->classes[in->x][c >> 3] >> (c & 7) & 1));
      if (ok && add(r, next, (uint16_t)(cur->pc[k] + 1), s, i + 1)) return true;
    }
    rt_ere_list_t *t = cur;
    cur = next, next = t;
  }
}
