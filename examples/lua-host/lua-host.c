/* lua-host: a small program embedding Debian's Lua 5.4 whose allocator
 * charges every allocation to the Lua line running at the time, as an
 * rtprof named site (`function source:line`), and whose own C objects are
 * charged to their type (`Session`). A report then answers "which script
 * line allocates, which one leaks, which type is left live" with no log
 * parser. Usage: lua-host SCRIPT.lua */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>

#include "rtprof.h"

/* ---- the allocator: each block charged to the running Lua line ---------- */

#define LINE_CACHE 1024 /* (source, line) -> site; a script has few hot lines */

typedef struct line_site_s {
  const char *source;         /* the chunk's source string (owned by Lua) */
  int line;
  rt_site_t site;
} line_site_t;

typedef struct host_s {
  lua_State *L;               /* NULL while lua_newstate builds the state */
  int in_lookup;              /* a lookup is running: never nest one */
  line_site_t cache[LINE_CACHE];
} host_t;

/* The innermost Lua function's line. Level 0 is a C function when a library
 * call (string.format, table.insert) allocates: its Lua caller is the line.
 * Safe from inside the allocator in Lua 5.4: lua_getstack only walks the
 * CallInfo list, and lua_getinfo with "nSl" (no 'f', 'L' or 't') neither
 * pushes on the stack nor allocates. The list is consistent at every
 * allocation: a new CallInfo is linked only after it is allocated, and
 * Lua 5.4.4 grows the stack by allocating the new one before moving. */
static rt_site_t lua_line_site(host_t *h) {
  lua_State *L = h->L;
  if (L == NULL || h->in_lookup || lua_status(L) != LUA_OK) return 0;
  h->in_lookup = 1;
  rt_site_t site = 0;
  lua_Debug ar;
  for (int level = 0; level < 8 && lua_getstack(L, level, &ar); level++) {
    if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue; /* a C function */
    unsigned slot = (unsigned)(((uintptr_t)ar.source >> 4) * 31u + (unsigned)ar.currentline) % LINE_CACHE;
    line_site_t *c = &h->cache[slot];
    if (c->source == ar.source && c->line == ar.currentline) {
      site = c->site;
      break;
    }
    lua_getinfo(L, "n", &ar); /* the function's name, where its caller tells it */
    const char *fn = strcmp(ar.what, "main") == 0 ? "main chunk" : ar.name ? ar.name : "?";
    site = rt_site_named(fn, ar.short_src, (unsigned)ar.currentline);
    *c = (line_site_t){ar.source, ar.currentline, site};
    break;
  }
  h->in_lookup = 0;
  return site;
}

static void *host_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)osize;
  if (nsize == 0) {
    rt_free(ptr);
    return NULL;
  }
  /* No Lua line (state creation, the C API): charged to this call, and at
   * RTPROF_DEPTH > 1 to the interpreter's C path beneath it. */
  return rt_realloc_site(ptr, nsize, lua_line_site(ud));
}

/* ---- a C type the script uses: sessions, charged to their type ---------- */

typedef struct session_s {
  struct session_s *next;
  int id;
  char user[64];
} session_t;

static session_t *sessions;
static rt_site_t session_type;

static int l_session_open(lua_State *L) {
  const char *user = luaL_checkstring(L, 1);
  session_t *s = rt_alloc_site(sizeof *s, session_type);
  if (s == NULL) return luaL_error(L, "out of memory");
  static int next_id = 1;
  *s = (session_t){sessions, next_id++, ""};
  snprintf(s->user, sizeof s->user, "%s", user);
  sessions = s;
  lua_pushinteger(L, s->id);
  return 1;
}

static int l_session_close(lua_State *L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  for (session_t **p = &sessions; *p; p = &(*p)->next) {
    if ((*p)->id != id) continue;
    session_t *s = *p;
    *p = s->next;
    rt_free(s);
    return 0;
  }
  return luaL_error(L, "no session %d", (int)id);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: lua-host SCRIPT.lua\n");
    return 2;
  }
  static host_t host;
  session_type = rt_site_named("Session", NULL, 0);
  lua_State *L = lua_newstate(host_alloc, &host);
  if (L == NULL) return 1;
  luaL_openlibs(L);
  host.L = L;
  static const luaL_Reg session_lib[] = {{"open", l_session_open}, {"close", l_session_close}, {NULL, NULL}};
  luaL_newlib(L, session_lib);
  lua_setglobal(L, "session");
  if (luaL_dofile(L, argv[1]) != LUA_OK) {
    fprintf(stderr, "lua-host: %s\n", lua_tostring(L, -1));
    return 1;
  }
  /* A long-lived host keeps its state: what the script left reachable is
   * still live at exit, which is what the report's leak table shows. */
  lua_gc(L, LUA_GCCOLLECT);
  printf("lua-host: %s done, Lua heap %d KiB\n", argv[1], lua_gc(L, LUA_GCCOUNT, 0));
  return 0;
}
