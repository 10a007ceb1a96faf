/* alloc/ere.c (RTPROF_SKIP's matcher, which never allocates) against glibc's
 * regcomp/regexec with REG_EXTENDED | REG_NOSUB: the same patterns must
 * compile, and match the same names. Fixed cases first, then random
 * patterns over a small alphabet. Prints each disagreement; exits 1 on any. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static rt_ere_t ere;
static int bad, checked, glibc_only;

static void check(const char *pattern, const char *const *names, size_t n) {
  regex_t re;
  const char *why = NULL;
  bool ours = rt_ere_compile(&ere, pattern, &why);
  bool theirs = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0;
  if (ours != theirs) {
    /* glibc accepts some things POSIX leaves undefined; we may refuse those */
    if (ours) printf("compiles here, not in glibc: '%s'\n", pattern), bad++;
    if (theirs) { /* refused here: RTPROF_SKIP warns and keeps the default */
      regfree(&re), glibc_only++;
      if (getenv("ERE_SHOW")) printf("glibc only: '%s' (%s)\n", pattern, why);
    }
    return;
  }
  if (!ours) return;
  for (size_t i = 0; i < n; i++) {
    bool a = rt_ere_match(&ere, names[i]), b = regexec(&re, names[i], 0, NULL, 0) == 0;
    checked++;
    if (a != b) {
      printf("'%s' on '%s': ere %d, glibc %d\n", pattern, names[i], a, b);
      bad++;
    }
  }
  regfree(&re);
}

int main(void) {
  static const char *const names[] = {
      "", "a", "ab", "abc", "xmalloc", "vec_grow", "_Znwm", "_ZnamRKSt9nothrow_t", "strdup",
      "__strdup", "g_malloc0_n", "sqlite3Malloc", "sqlite3DbMallocRaw", "operator new",
      "a.b", "a+b", "x{2}", "[x]", "aaaa", "abab", "Tab\tin", "ÿé", "-", "]", "^$", "a|b", "A9_z"};
  size_t nn = sizeof names / sizeof names[0];
  static const char *const patterns[] = {
      "", "a", "^a", "a$", "^a$", "^$", "a|b", "^(xmalloc|vec_grow)$", "^_Zn[wa]m", "^_Zn[wa]m.*$",
      "dup$", "^(__)?str(n)?dup$", "g_(malloc|realloc)(0)?(_n)?$", "sqlite3(Db)?Malloc", "a*", "a+",
      "a?b", "(ab)*", "(ab)+$", "^(a|ab)(c|bcd)?$", "a{2}", "a{2,}", "^a{1,3}$", "x\\{2\\}", "x{2}",
      "[abc]", "[^abc]", "[a-c]+$", "[]x]", "[^]x]", "[x-]", "[[:alpha:]]+", "^[[:alnum:]_]+$",
      "[[:space:]]", "[[:digit:]]", "[[:upper:]]", "[[:punct:]]", "\\.", "a\\+b", "\\[x\\]", "\\w+",
      "^\\w+$", "\\s", "\\S", "\\W", "operator new", "operator new(\\[\\])?$", "((a))", "(a|)", "(|a)",
      "()", "a**", "(a*)*b", "(a|b)*c", ".*", "^.$", "...", "[.]", "[*]", "[[.a.]]", "[[=a=]]",
      "(", ")", "a)", "[a", "[[:nope:]]", "a{1", "a{2,1}", "*a", "+", "\\", "a{,2}", "{", "a{x}",
      "[z-a]", "^(_Zn[wa]m.*|strdup|__strdup|g_(malloc|malloc0))$"};
  for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) check(patterns[i], names, nn);
  /* random patterns and names over a small alphabet */
  static const char *const atoms[] = {"a", "b", ".", "[ab]", "[^a]", "^", "$", "(", ")", "|", "*",
                                      "+", "?", "{1,2}", "{2}", "\\.", "[[:alpha:]]", "x", "\\w",
                                      "[a-b]", "{,2}", "{0}", "()", "b*", "[^[:alpha:]x]"};
  srand(12345);
  for (int t = 0; t < 40000; t++) {
    char pat[64] = "";
    int len = 1 + rand() % 7;
    for (int k = 0; k < len; k++) strcat(pat, atoms[rand() % (sizeof atoms / sizeof atoms[0])]);
    char subj[8][12];
    const char *subjects[8];
    for (int s = 0; s < 8; s++) {
      int sl = rand() % 10;
      for (int k = 0; k < sl; k++) subj[s][k] = "abx."[rand() % 4];
      subj[s][sl] = '\0';
      subjects[s] = subj[s];
    }
    check(pat, subjects, 8);
  }
  printf("%d matches compared, %d disagreements; %d patterns only glibc accepts\n", checked, bad, glibc_only);
  return bad != 0;
}
