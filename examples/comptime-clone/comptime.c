/* comptime-clone: a small compiler that reproduces the bug rtprof was built
 * for. Its comptime evaluator deep-clones the whole source text on every call
 * and never frees the copy; run.sh profiles it and its --fix version, and
 * rtprof names the one line that does it (see README.md). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rtprof.h"

#define MIB (1024.0 * 1024.0)
#define PARSE_MAX_DEPTH 256 /* nesting the parser follows before it gives up */
#define EVAL_MAX_DEPTH 4096 /* nesting the evaluator follows before it gives up */
#define MEMO_SLOTS 256      /* constants one evaluation remembers */

/* ---- options and errors --------------------------------------------------- */

typedef struct options_s {
  unsigned evals;    /* comptime evaluations sema performs (--evals) */
  double size_mib;   /* size of the generated source (--size) */
  const char *input; /* read this file instead of generating one (--input) */
  bool fix;          /* share the source text instead of cloning it (--fix) */
  bool quiet;        /* print the result line only (--quiet) */
} options_t;

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("comptime: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

/* The program's allocation wrappers, as a runtime has them. They hand their
 * caller's address to rt_*_at, so the report names the line that called
 * xalloc rather than xalloc itself; noinline keeps that address meaning the
 * caller. Everything this program allocates goes through rt_*. */
static __attribute__((noinline)) void *xalloc(size_t size) {
  void *p = rt_alloc_at(size, __builtin_return_address(0));
  if (p == NULL) die("out of memory allocating %zu bytes", size);
  return p;
}

static __attribute__((noinline)) void *xcalloc(size_t n, size_t size) {
  void *p = rt_calloc_at(n, size, __builtin_return_address(0));
  if (p == NULL) die("out of memory allocating %zu x %zu bytes", n, size);
  return p;
}

static __attribute__((noinline)) void *xrealloc(void *old, size_t size) {
  void *p = rt_realloc_at(old, size, __builtin_return_address(0));
  if (p == NULL) die("out of memory growing a block to %zu bytes", size);
  return p;
}

/* ---- the source text ----------------------------------------------------- */

typedef struct source_s {
  char *text;       /* the module's text, not NUL-terminated */
  size_t len;       /* its size in bytes */
  const char *name; /* the file it came from, or "<generated>" */
} source_t;

typedef struct strbuf_s {
  char *p;    /* the text so far */
  size_t len; /* bytes used */
  size_t cap; /* bytes allocated */
} strbuf_t;

static __attribute__((format(printf, 2, 3))) void sb_printf(strbuf_t *b, const char *fmt, ...) {
  for (;;) {
    size_t room = b->cap - b->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) die("cannot format the generated source");
    if ((size_t)n < room) {
      b->len += (size_t)n;
      return;
    }
    b->cap = b->cap * 2 + (size_t)n + 1;
    b->p = xrealloc(b->p, b->cap);
  }
}

/* splitmix64: the generated module is the same on every run and machine. */
static uint64_t rng_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static unsigned rng_below(uint64_t *state, unsigned n) { return (unsigned)(rng_next(state) % n); }

/* One function of the generated module, with its constant K_i. Every
 * function returns through a comptime expression over earlier constants. */
static void gen_function(strbuf_t *b, uint64_t *rng, unsigned i) {
  sb_printf(b, "// f_%u: generated function %u of module main\n", i, i);
  sb_printf(b, "const K_%u: i64 = %u * %u + %u;\n", i, rng_below(rng, 100) + 1,
            rng_below(rng, 50) + 1, rng_below(rng, 1000));
  sb_printf(b, "fn f_%u(a: i64, b: i64) i64 {\n", i);
  sb_printf(b, "    var x: i64 = a * %u + b;\n", rng_below(rng, 9) + 2);
  sb_printf(b, "    var y: i64 = (x - %u) / %u;\n", rng_below(rng, 500), rng_below(rng, 7) + 1);
  unsigned stmts = 2 + rng_below(rng, 5);
  for (unsigned s = 0; s < stmts; s++) {
    unsigned callee = rng_below(rng, i + 1), k = rng_below(rng, i + 1);
    switch (rng_below(rng, 5)) {
    case 0:
      sb_printf(b, "    if (x > y) {\n        x = x - y * %u;\n    } else {\n"
                   "        y = f_%u(x, y + %u);\n    }\n",
                rng_below(rng, 9) + 1, callee, rng_below(rng, 100));
      break;
    case 1:
      sb_printf(b, "    while (y < %u) {\n        y = y + x %% %u + 1;\n    }\n",
                rng_below(rng, 5000), rng_below(rng, 97) + 1);
      break;
    case 2:
      sb_printf(b, "    var s%u: str = \"f_%u step %u\";\n    x = x + len(s%u);\n", s, i, s, s);
      break;
    case 3:
      sb_printf(b, "    x = x * K_%u + y %% %u;\n", k, rng_below(rng, 31) + 1);
      break;
    default:
      sb_printf(b, "    if (a == %u && b != %u) {\n        if (x <= y || y >= %u) {\n"
                   "            return f_%u(a - 1, b) + K_%u;\n        }\n    }\n",
                rng_below(rng, 64), rng_below(rng, 64), rng_below(rng, 1000), callee, k);
      break;
    }
  }
  sb_printf(b, "    return x + y + comptime (K_%u * %u + K_%u %% %u);\n}\n\n", i,
            rng_below(rng, 13) + 1, rng_below(rng, i + 1), rng_below(rng, 17) + 1);
}

/* A module of exactly `target` bytes: functions, then comment lines to fill. */
static source_t generate_source(size_t target) {
  enum { FUNCTION_MAX = 2048, LINE = 80 }; /* one function is under 2 KiB */
  strbuf_t b = {.p = NULL, .len = 0, .cap = target + FUNCTION_MAX + 1};
  b.p = xalloc(b.cap);
  uint64_t rng = 0x5eed;
  for (unsigned i = 0; b.len + 2 * FUNCTION_MAX < target; i++) gen_function(&b, &rng, i);
  while (b.len < target) {
    size_t n = target - b.len < LINE ? target - b.len : LINE;
    if (n < 3) {
      memset(b.p + b.len, '\n', n);
    } else {
      memcpy(b.p + b.len, "//", 2);
      memset(b.p + b.len + 2, '-', n - 3);
      b.p[b.len + n - 1] = '\n';
    }
    b.len += n;
  }
  b.p = xrealloc(b.p, b.len); /* exactly the text: live bytes add up to the byte */
  return (source_t){.text = b.p, .len = b.len, .name = "<generated>"};
}

static source_t read_source(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) die("cannot stat %s: %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode)) die("%s is not a regular file", path);
  if ((uint64_t)st.st_size >= UINT32_MAX) die("%s is too large (4 GiB at most)", path);
  size_t len = (size_t)st.st_size, got = 0;
  char *text = xalloc(len);
  while (got < len) {
    ssize_t n = read(fd, text + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("cannot read %s: %s", path, strerror(errno));
    if (n == 0) die("%s shrank while it was read", path);
    got += (size_t)n;
  }
  close(fd);
  return (source_t){.text = text, .len = len, .name = path};
}

/* ---- the compiler's state ------------------------------------------------ */

typedef enum tok_kind_e {
  TK_EOF, TK_IDENT, TK_NUMBER, TK_STRING, TK_PUNCT,
  TK_FN, TK_CONST, TK_VAR, TK_IF, TK_ELSE, TK_WHILE, TK_RETURN, TK_COMPTIME,
} tok_kind_t;

typedef struct token_s {
  uint32_t start; /* offset in the source */
  uint32_t len;   /* bytes */
  uint16_t kind;  /* tok_kind_t */
  uint16_t op;    /* TK_PUNCT: the character, or OP2(a, b) for two */
} token_t;

#define OP2(a, b) ((uint16_t)((a) << 8 | (b)))

typedef enum node_kind_e {
  NK_MODULE, NK_CONST, NK_FN, NK_PARAM, NK_TYPE, NK_BLOCK, NK_VAR, NK_IF, NK_WHILE,
  NK_RETURN, NK_ASSIGN, NK_EXPR, NK_BINARY, NK_UNARY, NK_COMPTIME, NK_CALL,
  NK_NUMBER, NK_IDENT, NK_STRING, NK_ERROR,
} node_kind_t;

typedef struct node_s {
  struct node_s *kids; /* first child */
  struct node_s *next; /* next sibling */
  uint32_t tok;        /* its first token; a declaration's name token */
  uint16_t kind;       /* node_kind_t */
  uint16_t op;         /* NK_BINARY, NK_UNARY: the operator */
} node_t;

typedef struct symbol_s {
  uint64_t hash;       /* FNV-1a of the name */
  const node_t *decl;  /* NK_CONST or NK_FN; NULL marks an empty slot */
} symbol_t;

/* A comptime evaluation's environment: what the evaluated code sees. */
typedef struct eval_env_s {
  const char *text;   /* the source text names and literals are read from */
  size_t len;         /* its size */
  const node_t *expr; /* the comptime expression evaluated */
  uint64_t value;     /* its result */
} eval_env_t;

typedef struct compiler_s {
  options_t opt;
  source_t src;       /* owned; freed at exit */
  token_t *toks;      /* lex: ntoks tokens, then one TK_EOF */
  size_t ntoks;
  node_t *ast;        /* parse: the NK_MODULE root */
  size_t nodes;       /* nodes allocated */
  symbol_t *syms;     /* check: top-level names, open addressing */
  size_t sym_mask;    /* slots - 1 (a power of two minus one) */
  size_t names, resolved, comptime_sites; /* sema's findings */
  eval_env_t *envs;   /* every evaluation's environment, kept for the
                         diagnostics that may quote it */
  size_t nenvs, envcap;
  uint64_t checksum;  /* of all comptime results: buggy and fixed agree */
} compiler_t;

/* ---- lex ----------------------------------------------------------------- */

static bool is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }
static bool is_ident_start(unsigned char ch) {
  return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}
static bool is_ident_char(unsigned char ch) { return is_ident_start(ch) || is_digit(ch); }

static tok_kind_t keyword_kind(const char *s, size_t n) {
  static const struct { const char *word; tok_kind_t kind; } words[] = {
      {"fn", TK_FN},       {"const", TK_CONST},   {"var", TK_VAR},
      {"if", TK_IF},       {"else", TK_ELSE},     {"while", TK_WHILE},
      {"return", TK_RETURN}, {"comptime", TK_COMPTIME},
  };
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strlen(words[i].word) == n && memcmp(words[i].word, s, n) == 0) return words[i].kind;
  return TK_IDENT;
}

static bool is_op2(char a, char b) {
  static const char pairs[][2] = {{'=', '='}, {'!', '='}, {'<', '='}, {'>', '='}, {'&', '&'},
                                  {'|', '|'}, {'-', '>'}, {'<', '<'}, {'>', '>'}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (pairs[i][0] == a && pairs[i][1] == b) return true;
  return false;
}

static void lex(compiler_t *c) {
  PROFILE_PHASE("lex");
  const char *s = c->src.text;
  size_t n = c->src.len, i = 0, count = 0, cap = 1024;
  token_t *toks = xalloc(cap * sizeof *toks);
  for (;;) {
    while (i < n) { /* white space and comments */
      if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
        i++;
      } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
        while (i < n && s[i] != '\n') i++;
      } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
        for (i += 2; i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'); i++) continue;
        i = i + 2 < n ? i + 2 : n;
      } else {
        break;
      }
    }
    if (i >= n) break;
    if (count + 2 > cap) { /* room for this token and the final TK_EOF */
      cap *= 2;
      toks = xrealloc(toks, cap * sizeof *toks);
    }
    token_t t = {.start = (uint32_t)i, .kind = TK_PUNCT};
    unsigned char ch = (unsigned char)s[i];
    if (is_ident_start(ch)) {
      while (i < n && is_ident_char((unsigned char)s[i])) i++;
      t.kind = (uint16_t)keyword_kind(s + t.start, i - t.start);
    } else if (is_digit(ch)) {
      while (i < n && is_ident_char((unsigned char)s[i])) i++;
      t.kind = TK_NUMBER;
    } else if (ch == '"') {
      for (i++; i < n && s[i] != '"' && s[i] != '\n'; i++)
        if (s[i] == '\\' && i + 1 < n) i++;
      if (i < n && s[i] == '"') i++;
      t.kind = TK_STRING;
    } else if (i + 1 < n && is_op2(s[i], s[i + 1])) {
      t.op = OP2(ch, (unsigned char)s[i + 1]);
      i += 2;
    } else {
      t.op = ch;
      i++;
    }
    t.len = (uint32_t)(i - t.start);
    toks[count++] = t;
  }
  toks[count] = (token_t){.start = (uint32_t)n, .len = 0, .kind = TK_EOF};
  c->toks = toks;
  c->ntoks = count;
}

/* ---- parse: one rt_alloc per AST node, as a naive compiler does ---------- */

typedef struct parser_s {
  compiler_t *c;
  size_t pos;     /* current token */
  unsigned depth; /* nesting, bounded by PARSE_MAX_DEPTH */
} parser_t;

static node_t *new_node(parser_t *p, node_kind_t kind, size_t tok) {
  node_t *n = xalloc(sizeof *n);
  *n = (node_t){.kids = NULL, .next = NULL, .tok = (uint32_t)tok, .kind = (uint16_t)kind};
  p->c->nodes++;
  return n;
}

static const token_t *peek(const parser_t *p) { return &p->c->toks[p->pos]; }
static bool at_kind(const parser_t *p, tok_kind_t kind) { return peek(p)->kind == kind; }
static bool at_op(const parser_t *p, uint16_t op) { return at_kind(p, TK_PUNCT) && peek(p)->op == op; }
static void advance(parser_t *p) { if (!at_kind(p, TK_EOF)) p->pos++; }

static bool accept_op(parser_t *p, uint16_t op) {
  if (!at_op(p, op)) return false;
  p->pos++;
  return true;
}

static bool accept_kind(parser_t *p, tok_kind_t kind) {
  if (!at_kind(p, kind)) return false;
  p->pos++;
  return true;
}

/* Loops that call these always consume a token or stop, so bad input (any
 * file given with --input) cannot make the parser spin. */
static node_t *parse_expr(parser_t *p, int min_prec);
static node_t *parse_stmt(parser_t *p);

static node_t *parse_primary(parser_t *p) {
  size_t at = p->pos;
  switch (peek(p)->kind) {
  case TK_NUMBER: advance(p); return new_node(p, NK_NUMBER, at);
  case TK_STRING: advance(p); return new_node(p, NK_STRING, at);
  case TK_IDENT:
    advance(p);
    if (accept_op(p, '(')) {
      node_t *call = new_node(p, NK_CALL, at), **tail = &call->kids;
      while (!at_op(p, ')') && !at_kind(p, TK_EOF)) {
        *tail = parse_expr(p, 1);
        tail = &(*tail)->next;
        if (!accept_op(p, ',')) break;
      }
      accept_op(p, ')');
      return call;
    }
    return new_node(p, NK_IDENT, at);
  case TK_PUNCT:
    if (accept_op(p, '(')) {
      node_t *e = parse_expr(p, 1);
      accept_op(p, ')');
      return e;
    }
    break;
  default: break;
  }
  return new_node(p, NK_ERROR, at); /* consumes nothing: the caller resyncs */
}

static node_t *parse_unary(parser_t *p) {
  size_t at = p->pos;
  if (p->depth >= PARSE_MAX_DEPTH) return new_node(p, NK_ERROR, at);
  node_t *n;
  p->depth++;
  if (at_op(p, '-') || at_op(p, '!')) {
    n = new_node(p, NK_UNARY, at);
    n->op = peek(p)->op;
    advance(p);
    n->kids = parse_unary(p);
  } else if (accept_kind(p, TK_COMPTIME)) {
    n = new_node(p, NK_COMPTIME, at);
    n->kids = parse_unary(p);
  } else {
    n = parse_primary(p);
  }
  p->depth--;
  return n;
}

static int binary_prec(const token_t *t) {
  if (t->kind != TK_PUNCT) return 0;
  switch (t->op) {
  case OP2('|', '|'): return 1;
  case OP2('&', '&'): return 2;
  case OP2('=', '='): case OP2('!', '='): return 3;
  case '<': case '>': case OP2('<', '='): case OP2('>', '='): return 4;
  case '+': case '-': return 5;
  case '*': case '/': case '%': return 6;
  default: return 0;
  }
}

static node_t *parse_expr(parser_t *p, int min_prec) {
  node_t *lhs = parse_unary(p);
  for (;;) {
    int prec = binary_prec(peek(p));
    if (prec == 0 || prec < min_prec) return lhs;
    size_t at = p->pos;
    uint16_t op = peek(p)->op;
    advance(p);
    node_t *bin = new_node(p, NK_BINARY, at);
    bin->op = op;
    bin->kids = lhs;
    lhs->next = parse_expr(p, prec + 1);
    lhs = bin;
  }
}

static node_t *parse_type(parser_t *p) {
  node_t *t = new_node(p, NK_TYPE, p->pos);
  accept_kind(p, TK_IDENT);
  return t;
}

static node_t *parse_block(parser_t *p) {
  node_t *b = new_node(p, NK_BLOCK, p->pos), **tail = &b->kids;
  accept_op(p, '{');
  while (!at_op(p, '}') && !at_kind(p, TK_EOF)) {
    size_t before = p->pos;
    *tail = parse_stmt(p);
    tail = &(*tail)->next;
    if (p->pos == before) advance(p);
  }
  accept_op(p, '}');
  return b;
}

/* `var NAME [: TYPE] [= EXPR];` and the same with `const`. */
static node_t *parse_binding(parser_t *p, node_kind_t kind) {
  advance(p); /* the keyword */
  node_t *n = new_node(p, kind, p->pos), **tail = &n->kids;
  accept_kind(p, TK_IDENT);
  if (accept_op(p, ':')) {
    *tail = parse_type(p);
    tail = &(*tail)->next;
  }
  if (accept_op(p, '=')) *tail = parse_expr(p, 1);
  accept_op(p, ';');
  return n;
}

/* `fn NAME(PARAM: TYPE, ...) [TYPE] { ... }` */
static node_t *parse_fn(parser_t *p) {
  advance(p); /* fn */
  node_t *fn = new_node(p, NK_FN, p->pos), **tail = &fn->kids;
  accept_kind(p, TK_IDENT);
  accept_op(p, '(');
  while (at_kind(p, TK_IDENT)) {
    node_t *param = new_node(p, NK_PARAM, p->pos);
    advance(p);
    if (accept_op(p, ':')) param->kids = parse_type(p);
    *tail = param;
    tail = &param->next;
    if (!accept_op(p, ',')) break;
  }
  accept_op(p, ')');
  if (at_kind(p, TK_IDENT)) {
    *tail = parse_type(p);
    tail = &(*tail)->next;
  }
  if (at_op(p, '{')) *tail = parse_block(p);
  else accept_op(p, ';');
  return fn;
}

static node_t *parse_stmt_inner(parser_t *p) {
  size_t at = p->pos;
  node_t *n;
  switch (peek(p)->kind) {
  case TK_VAR: return parse_binding(p, NK_VAR);
  case TK_CONST: return parse_binding(p, NK_CONST);
  case TK_FN: return parse_fn(p);
  case TK_IF:
  case TK_WHILE:
    n = new_node(p, at_kind(p, TK_IF) ? NK_IF : NK_WHILE, at);
    advance(p);
    accept_op(p, '(');
    n->kids = parse_expr(p, 1);
    accept_op(p, ')');
    n->kids->next = parse_block(p);
    if (n->kind == NK_IF && accept_kind(p, TK_ELSE))
      n->kids->next->next = at_kind(p, TK_IF) ? parse_stmt(p) : parse_block(p);
    return n;
  case TK_RETURN:
    n = new_node(p, NK_RETURN, at);
    advance(p);
    if (!at_op(p, ';') && !at_op(p, '}')) n->kids = parse_expr(p, 1);
    accept_op(p, ';');
    return n;
  default:
    if (at_op(p, '{')) return parse_block(p);
    node_t *e = parse_expr(p, 1);
    if (accept_op(p, '=')) {
      n = new_node(p, NK_ASSIGN, at);
      n->kids = e;
      e->next = parse_expr(p, 1);
    } else {
      n = new_node(p, NK_EXPR, at);
      n->kids = e;
    }
    accept_op(p, ';');
    return n;
  }
}

static node_t *parse_stmt(parser_t *p) {
  if (p->depth >= PARSE_MAX_DEPTH) return new_node(p, NK_ERROR, p->pos);
  p->depth++;
  node_t *n = parse_stmt_inner(p);
  p->depth--;
  return n;
}

static void parse(compiler_t *c) {
  PROFILE_PHASE("parse");
  parser_t p = {.c = c, .pos = 0, .depth = 0};
  node_t *module = new_node(&p, NK_MODULE, 0), **tail = &module->kids;
  while (!at_kind(&p, TK_EOF)) {
    size_t before = p.pos;
    *tail = parse_stmt(&p);
    tail = &(*tail)->next;
    if (p.pos == before) advance(&p);
  }
  c->ast = module;
}

/* Frees a tree without recursion (its depth is the input's to choose): seen
 * as a binary tree (kids left, next right), rotate right until the root has
 * no left child, then free the root and go right. */
static void ast_free(node_t *n) {
  while (n != NULL) {
    if (n->kids != NULL) {
      node_t *k = n->kids;
      n->kids = k->next;
      k->next = n;
      n = k;
    } else {
      node_t *next = n->next;
      rt_free(n);
      n = next;
    }
  }
}

/* ---- check: names, then sema, which runs the comptime evaluations -------- */

static uint64_t name_hash(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
  return h;
}

/* The top-level declaration named s[0..n), or NULL. */
static const node_t *symbol_find(const compiler_t *c, const char *s, size_t n) {
  uint64_t h = name_hash(s, n);
  for (size_t i = h & c->sym_mask;; i = (i + 1) & c->sym_mask) {
    const symbol_t *sym = &c->syms[i];
    if (sym->decl == NULL) return NULL;
    const token_t *t = &c->toks[sym->decl->tok];
    if (sym->hash == h && t->len == n && memcmp(c->src.text + t->start, s, n) == 0) return sym->decl;
  }
}

static void symbols_build(compiler_t *c) {
  size_t decls = 0, slots = 16;
  for (const node_t *d = c->ast->kids; d != NULL; d = d->next) decls += d->kind == NK_CONST || d->kind == NK_FN;
  while (slots < 2 * decls) slots *= 2;
  c->syms = xcalloc(slots, sizeof *c->syms);
  c->sym_mask = slots - 1;
  for (const node_t *d = c->ast->kids; d != NULL; d = d->next) {
    const token_t *t = &c->toks[d->tok];
    if ((d->kind != NK_CONST && d->kind != NK_FN) || t->kind != TK_IDENT) continue;
    const char *name = c->src.text + t->start;
    if (symbol_find(c, name, t->len) != NULL) continue; /* the first one wins */
    uint64_t h = name_hash(name, t->len);
    size_t i = h & c->sym_mask;
    while (c->syms[i].decl != NULL) i = (i + 1) & c->sym_mask;
    c->syms[i] = (symbol_t){.hash = h, .decl = d};
  }
}

/* Gives an evaluation environment its own copy of the whole source text, "so
 * comptime code can never observe the text changing under it". It is the
 * bug: 8 MiB per comptime evaluation, and env_list_free() below still treats
 * the environment's text as borrowed, so no copy is ever freed. */
static __attribute__((noinline)) char *clone_source(const source_t *src) {
  char *copy = rt_alloc(src->len); /* CLONE-SITE: the report must point here */
  if (copy == NULL) die("out of memory cloning the %zu-byte source", src->len);
  memcpy(copy, src->text, src->len);
  return copy;
}

static eval_env_t *env_push(compiler_t *c) {
  if (c->nenvs == c->envcap) {
    c->envcap = c->envcap ? 2 * c->envcap : 16;
    c->envs = xrealloc(c->envs, c->envcap * sizeof *c->envs);
  }
  return &c->envs[c->nenvs++];
}

/* Frees the environment list. env->text is borrowed from c->src: it was when
 * this was written, and it is again with --fix. */
static void env_list_free(compiler_t *c) {
  rt_free(c->envs);
  c->envs = NULL;
  c->nenvs = c->envcap = 0;
}

typedef struct memo_s {
  const node_t *decl; /* a constant already evaluated; NULL: empty */
  uint64_t value;     /* its value */
} memo_t;

typedef struct evaluator_s {
  const compiler_t *c;
  const eval_env_t *env; /* names and literals are read from env->text */
  memo_t *memo;          /* MEMO_SLOTS constants, open addressing */
} evaluator_t;

static uint64_t eval(evaluator_t *ev, const node_t *n, unsigned depth);

static uint64_t eval_const(evaluator_t *ev, const node_t *decl, unsigned depth) {
  size_t i = ((uintptr_t)decl >> 4) % MEMO_SLOTS, probes = 0;
  for (; ev->memo[i].decl != NULL && probes < MEMO_SLOTS; i = (i + 1) % MEMO_SLOTS, probes++)
    if (ev->memo[i].decl == decl) return ev->memo[i].value;
  const node_t *init = decl->kids;
  while (init != NULL && init->next != NULL) init = init->next; /* after the type */
  uint64_t v = init != NULL && init->kind != NK_TYPE ? eval(ev, init, depth + 1) : 0;
  if (probes < MEMO_SLOTS) ev->memo[i] = (memo_t){.decl = decl, .value = v};
  return v;
}

/* Integer arithmetic, wrapping; comparisons give 0 or 1; x / 0 gives 0. */
static uint64_t eval(evaluator_t *ev, const node_t *n, unsigned depth) {
  if (n == NULL || depth > EVAL_MAX_DEPTH) return 0;
  const token_t *t = &ev->c->toks[n->tok];
  const char *text = ev->env->text + t->start;
  uint64_t v = 0, l, r;
  switch (n->kind) {
  case NK_NUMBER:
    for (size_t i = 0; i < t->len && is_digit((unsigned char)text[i]); i++) v = v * 10 + (uint64_t)(text[i] - '0');
    return v;
  case NK_IDENT: {
    const node_t *decl = symbol_find(ev->c, text, t->len);
    if (decl == NULL) return 0;
    return decl->kind == NK_CONST ? eval_const(ev, decl, depth) : name_hash(text, t->len);
  }
  case NK_CALL:
    v = name_hash(text, t->len);
    for (const node_t *arg = n->kids; arg != NULL; arg = arg->next) v = v * 31 + eval(ev, arg, depth + 1);
    return v;
  case NK_COMPTIME: return eval(ev, n->kids, depth + 1);
  case NK_UNARY:
    v = eval(ev, n->kids, depth + 1);
    return n->op == '-' ? 0 - v : v == 0;
  case NK_BINARY:
    l = eval(ev, n->kids, depth + 1);
    r = n->kids != NULL ? eval(ev, n->kids->next, depth + 1) : 0;
    switch (n->op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return r ? (uint64_t)((int64_t)l / ((int64_t)r == -1 ? 1 : (int64_t)r)) : 0;
    case '%': return r && (int64_t)r != -1 ? (uint64_t)((int64_t)l % (int64_t)r) : 0;
    case '<': return (int64_t)l < (int64_t)r;
    case '>': return (int64_t)l > (int64_t)r;
    case OP2('<', '='): return (int64_t)l <= (int64_t)r;
    case OP2('>', '='): return (int64_t)l >= (int64_t)r;
    case OP2('=', '='): return l == r;
    case OP2('!', '='): return l != r;
    case OP2('&', '&'): return l && r;
    case OP2('|', '|'): return l || r;
    default: return 0;
    }
  case NK_MODULE: /* no comptime expression anywhere: fold the constants */
    for (const node_t *d = n->kids; d != NULL; d = d->next)
      if (d->kind == NK_CONST) v = v * 31 + eval_const(ev, d, depth);
    return v;
  default: return 0;
  }
}

/* One comptime evaluation: a fresh environment, then the expression. */
static uint64_t comptime_eval(compiler_t *c, const node_t *expr) {
  PROFILE_PHASE("comptime_eval");
  eval_env_t *env = env_push(c);
  env->expr = expr;
  env->len = c->src.len;
  env->text = c->opt.fix ? c->src.text /* the fix: share the read-only text */
                         : clone_source(&c->src);
  evaluator_t ev = {.c = c, .env = env, .memo = xcalloc(MEMO_SLOTS, sizeof(memo_t))};
  env->value = eval(&ev, expr, 0);
  rt_free(ev.memo);
  return env->value;
}

/* Walks the tree (iteratively: its depth is the input's), resolves names
 * against the top-level declarations and collects the comptime expressions;
 * then evaluates opt.evals of them, spread over the module. */
static void sema(compiler_t *c) {
  PROFILE_PHASE("sema");
  size_t depth = 0, cap = 256, nsites = 0, sitecap = 256;
  const node_t **stack = xalloc(cap * sizeof *stack);
  const node_t **sites = xalloc(sitecap * sizeof *sites);
  stack[depth++] = c->ast;
  while (depth > 0) {
    const node_t *n = stack[--depth];
    if (depth + 2 > cap) {
      cap *= 2;
      stack = xrealloc(stack, cap * sizeof *stack);
    }
    if (n->next != NULL) stack[depth++] = n->next;
    if (n->kids != NULL) stack[depth++] = n->kids; /* children first: source order */
    if (n->kind == NK_IDENT || n->kind == NK_CALL) {
      const token_t *t = &c->toks[n->tok];
      c->names++;
      c->resolved += symbol_find(c, c->src.text + t->start, t->len) != NULL;
    } else if (n->kind == NK_COMPTIME) {
      if (nsites == sitecap) {
        sitecap *= 2;
        sites = xrealloc(sites, sitecap * sizeof *sites);
      }
      sites[nsites++] = n;
    }
  }
  c->comptime_sites = nsites;
  for (unsigned i = 0; i < c->opt.evals; i++) {
    const node_t *expr = nsites ? sites[(uint64_t)i * nsites / c->opt.evals] : c->ast;
    c->checksum = c->checksum * 1000003u + comptime_eval(c, expr);
  }
  rt_free(sites);
  rt_free(stack);
}

static void check(compiler_t *c) {
  PROFILE_PHASE("check");
  symbols_build(c);
  sema(c);
  rt_free(c->syms);
  c->syms = NULL;
}

/* ---- the driver ---------------------------------------------------------- */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One line per phase: committed bytes now and since the previous line, live
 * bytes when profiling (rtprof counts them exactly; 0 when off). */
static void progress(const compiler_t *c, const char *when, double t0, const char *what) {
  static uint64_t last_committed;
  uint64_t committed = rt_alloc_committed_bytes();
  double ms = now_ms() - t0;
  if (!c->opt.quiet) {
    printf("%-12s committed %7.1f MiB (%+7.1f)", when, (double)committed / MIB,
           ((double)committed - (double)last_committed) / MIB);
    if (rtprof_enabled()) printf("  live %11" PRIu64 " B", rt_alloc_live_bytes());
    printf("  %5.0f ms  %s\n", ms, what);
  }
  last_committed = committed;
}

static void usage(FILE *to) {
  fputs("usage: comptime [--evals N] [--size MiB] [--input FILE] [--fix] [--quiet]\n"
        "  A compiler-shaped workload: lex, parse and check a module whose comptime\n"
        "  evaluations clone the whole source text and never free it.\n"
        "  --evals N     comptime evaluations in check/sema (default 24)\n"
        "  --size MiB    size of the generated source (default 8)\n"
        "  --input FILE  compile FILE instead of a generated source\n"
        "  --fix         evaluations share the read-only source: no clone\n"
        "  --quiet       print the result line only\n"
        "  Profile with RTPROF=1 [RTPROF_OUT=FILE]; see README.md.\n",
        to);
}

/* The value of option argv[*i] (`--opt VALUE` or `--opt=VALUE`), or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != '\0') return NULL;
  if (*i + 1 >= argc) die("%s needs a value", name);
  return argv[++*i];
}

static options_t parse_options(int argc, char **argv) {
  options_t o = {.evals = 24, .size_mib = 8.0, .input = NULL, .fix = false, .quiet = false};
  for (int i = 1; i < argc; i++) {
    const char *v;
    char *end;
    if (strcmp(argv[i], "--fix") == 0) {
      o.fix = true;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      o.quiet = true;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      exit(0);
    } else if ((v = option_value(argc, argv, &i, "--evals")) != NULL) {
      errno = 0;
      unsigned long n = strtoul(v, &end, 10);
      if (errno || end == v || *end || v[0] == '-' || n > 1000000)
        die("--evals wants a count from 0 to 1000000, not '%s'", v);
      o.evals = (unsigned)n;
    } else if ((v = option_value(argc, argv, &i, "--size")) != NULL) {
      errno = 0;
      double mib = strtod(v, &end);
      if (errno || end == v || *end || !(mib >= 0.001 && mib <= 3072))
        die("--size wants MiB from 0.001 to 3072, not '%s'", v);
      o.size_mib = mib;
    } else if ((v = option_value(argc, argv, &i, "--input")) != NULL) {
      o.input = v;
    } else {
      usage(stderr);
      die("unknown option '%s'", argv[i]);
    }
  }
  return o;
}

int main(int argc, char **argv) {
  compiler_t c = {.opt = parse_options(argc, argv)};
  double start = now_ms(), t0 = start;
  c.src = c.opt.input ? read_source(c.opt.input) : generate_source((size_t)(c.opt.size_mib * MIB));
  char what[64];
  if (!c.opt.quiet) {
    printf("comptime-clone: source %zu bytes (%.2f MiB, %s), %u comptime evaluations, %s\n",
           c.src.len, (double)c.src.len / MIB, c.src.name, c.opt.evals,
           c.opt.fix ? "fixed: evaluations share the source"
                     : "buggy: every evaluation clones the source and keeps it");
    printf("profiling %s\n", rtprof_enabled() ? "on (RTPROF=1)" : "off (set RTPROF=1 to profile)");
  }
  progress(&c, "source", t0, c.opt.input ? "read" : "generated");

  t0 = now_ms();
  lex(&c);
  snprintf(what, sizeof what, "%zu tokens", c.ntoks);
  progress(&c, "after lex", t0, what);

  t0 = now_ms();
  parse(&c);
  snprintf(what, sizeof what, "%zu AST nodes", c.nodes);
  progress(&c, "after parse", t0, what);

  t0 = now_ms();
  check(&c);
  snprintf(what, sizeof what, "%zu comptime sites, %zu/%zu names top-level", c.comptime_sites,
           c.resolved, c.names);
  progress(&c, "after check", t0, what);

  /* Everything is freed but the clones nobody knows they own. */
  t0 = now_ms();
  ast_free(c.ast);
  rt_free(c.toks);
  env_list_free(&c);
  size_t source_bytes = c.src.len;
  rt_free(c.src.text);
  progress(&c, "at exit", t0, c.opt.fix ? "all freed" : "all freed but the clones");

  rt_alloc_stats_t s;
  rt_alloc_stats(&s);
  uint64_t expected_live = c.opt.fix ? 0 : (uint64_t)c.opt.evals * source_bytes;
  if (!c.opt.quiet) {
    printf("peak committed %.1f MiB (%" PRIu64 " bytes)\n", (double)rt_alloc_peak_committed_bytes() / MIB,
           rt_alloc_peak_committed_bytes());
    printf("stats rss_bytes=%" PRIu64 " peak_rss_bytes=%" PRIu64 " committed_bytes=%" PRIu64
           " peak_committed_bytes=%" PRIu64 " live_bytes=%" PRIu64 " peak_live_bytes=%" PRIu64
           " live_blocks=%" PRIu64 " allocs=%" PRIu64 " frees=%" PRIu64 " failed_allocs=%" PRIu64
           " mmap_bytes=%" PRIu64 " overhead_bytes=%" PRIu64 " profiling=%d\n",
           s.rss_bytes, s.peak_rss_bytes, s.committed_bytes, s.peak_committed_bytes, s.live_bytes,
           s.peak_live_bytes, s.live_blocks, s.allocs, s.frees, s.failed_allocs, s.mmap_bytes,
           s.overhead_bytes, s.profiling);
    printf("total %.0f ms\n", now_ms() - start);
  }
  printf("result source_bytes=%zu evals=%u fix=%d profiling=%d expected_live_at_exit=%" PRIu64
         " live_at_exit=%" PRIu64 " peak_committed_bytes=%" PRIu64 " checksum=0x%016" PRIx64 "\n",
         source_bytes, c.opt.evals, c.opt.fix, s.profiling, expected_live, s.live_bytes,
         s.peak_committed_bytes, c.checksum);
  return 0;
}
