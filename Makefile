# The conventional build: librtprof (shared, versioned, and static), the
# malloc interposer, the rtprof command, and their installation. ./build.sh
# calls it; packagers may call it directly:
#   make [PREFIX=/usr/local] [LIBDIR=$(PREFIX)/lib] [CC=...] [CFLAGS=...]
#   make install [DESTDIR=...] [PREFIX=...] [LIBDIR=...]
# CFLAGS, CPPFLAGS and LDFLAGS default to Debian's hardening flags; the
# project's own flags (warnings, visibility, frame pointers) are always added.
# WERROR=-Werror turns warnings into errors (./build.sh test sets it).
# Run from the tree's top: report.js and report.css are assembled into the
# command by a path relative to it.

VERSION    := 0.1.0
SOVERSION  := 0

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# the interposer is a plugin, not a library to link with: a private directory
PKGLIBDIR  ?= $(LIBDIR)/rtprof
DESTDIR    ?=
BUILDDIR   ?= build

CFLAGS   ?= -O2 -g -fstack-protector-strong -Wformat -Werror=format-security
CPPFLAGS ?= -D_FORTIFY_SOURCE=2
LDFLAGS  ?= -Wl,-z,relro,-z,now
WERROR   ?=
# make's built-in CC is "cc"; keep a CC given by the environment or command line
ifeq ($(origin CC),default)
CC := cc
endif

# Flags the code needs whatever the packager's: C11 with GNU extensions,
# frame pointers for the unwinder, direct calls through the GOT.
PROJECT_CFLAGS := -std=gnu11 -Wall -Wextra $(WERROR) -fno-omit-frame-pointer -fno-plt
LIB_CFLAGS := -fPIC -fvisibility=hidden
LIB_LIBS   := -lmimalloc -lunwind -lpthread

# The interposer's path as installed, absolute and relative to the command,
# so `rtprof run` finds it in the installed tree, wherever that tree was
# unpacked (DESTDIR, dpkg -x), and at the absolute path otherwise.
PRELOAD_REL := $(shell realpath -m --relative-to=$(BINDIR) $(PKGLIBDIR))
CMD_CPPFLAGS := -Isymbolize -DRTPROF_VERSION='"$(VERSION)"' \
  -DRTPROF_PKGLIBDIR='"$(PKGLIBDIR)"' -DRTPROF_PKGLIBDIR_REL='"$(PRELOAD_REL)"'

LIB_SRCS     := $(filter-out alloc/preload.c,$(wildcard alloc/*.c bracket/*.c))
PRELOAD_SRCS := $(wildcard alloc/*.c bracket/*.c)
CMD_SRCS     := $(wildcard symbolize/*/*.c)
HEADERS      := $(wildcard include/*.h alloc/*.h bracket/*.h symbolize/*/*.h)

O := $(BUILDDIR)/obj
LIB_OBJS     := $(LIB_SRCS:%.c=$(O)/lib/%.o)
PRELOAD_OBJS := $(PRELOAD_SRCS:%.c=$(O)/preload/%.o)
CMD_OBJS     := $(CMD_SRCS:%.c=$(O)/%.o)

SONAME   := librtprof.so.$(SOVERSION)
REALNAME := librtprof.so.$(VERSION)
L := $(BUILDDIR)/lib
OUTPUTS := $(BUILDDIR)/bin/rtprof $(L)/$(REALNAME) $(L)/$(SONAME) $(L)/librtprof.so \
  $(L)/librtprof.a $(L)/librtprof-preload.so $(L)/rtprof.pc

all: $(OUTPUTS)

# Every object depends on the flags it was built with: changing CFLAGS,
# WERROR or a directory rebuilds, an unchanged command line does not.
FLAGS_NOW := $(CC) $(CPPFLAGS) $(CFLAGS) $(PROJECT_CFLAGS) $(LDFLAGS) $(CMD_CPPFLAGS) $(PREFIX)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(file <$(O)/flags),$(FLAGS_NOW))
$(shell mkdir -p $(O))
$(file >$(O)/flags,$(FLAGS_NOW))
endif
endif

$(O)/lib/%.o: %.c $(HEADERS) $(O)/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude $(PROJECT_CFLAGS) $(LIB_CFLAGS) $(CFLAGS) -c $< -o $@

$(O)/preload/%.o: %.c $(HEADERS) $(O)/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude -DRTPROF_PRELOAD $(PROJECT_CFLAGS) $(LIB_CFLAGS) $(CFLAGS) -c $< -o $@

$(O)/symbolize/%.o: symbolize/%.c $(HEADERS) $(O)/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iinclude $(CMD_CPPFLAGS) $(PROJECT_CFLAGS) $(CFLAGS) -c $< -o $@

# Files a source assembles in with RTPROF_EMBED(sym, "path") are inputs too.
$(foreach s,$(CMD_SRCS),$(eval $(s:%.c=$(O)/%.o): \
  $(shell sed -n 's/^RTPROF_EMBED([^,]*, "\([^"]*\)");$$/\1/p' $(s))))

$(L)/$(REALNAME): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,-soname,$(SONAME) -o $@ $^ $(LIB_LIBS)
$(L)/$(SONAME): $(L)/$(REALNAME)
	ln -sf $(REALNAME) $@
$(L)/librtprof.so: $(L)/$(SONAME)
	ln -sf $(SONAME) $@
$(L)/librtprof.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(L)/librtprof-preload.so: $(PRELOAD_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) -ldl

$(BUILDDIR)/bin/rtprof: $(CMD_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# rtprof.pc ARGS: prefix, libdir, includedir. No rpath: where the library is
# found at run time is the system's business (or the program's own -Wl,-rpath).
define PC
# pkg-config file for librtprof
prefix=$(1)
libdir=$(2)
includedir=$(3)

Name: rtprof
Description: mimalloc-backed debug allocator with call-site accounting and phase brackets
Version: $(VERSION)
Cflags: -I$${includedir}
Libs: -L$${libdir} -lrtprof
Libs.private: $(LIB_LIBS)
endef
# ${prefix}/lib when LIBDIR is under PREFIX, else LIBDIR as given
pcdir = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}/$(patsubst $(PREFIX)/%,%,$(1)),$(1))

# The in-tree file points at the source and build tree (README: PKG_CONFIG_PATH=build/lib).
$(L)/rtprof.pc: export PC_TEXT := $(call PC,$(abspath .),$(abspath $(L)),$${prefix}/include)
$(L)/rtprof.pc: Makefile
	@mkdir -p $(@D)
	printf '%s\n' "$$PC_TEXT" > $@
$(BUILDDIR)/rtprof.pc.install: export PC_TEXT := $(call PC,$(PREFIX),$(call pcdir,$(LIBDIR)),$(call pcdir,$(INCLUDEDIR)))
$(BUILDDIR)/rtprof.pc.install: Makefile $(O)/flags
	@mkdir -p $(@D)
	printf '%s\n' "$$PC_TEXT" > $@

$(BUILDDIR)/man/%: docs/man/% Makefile
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/g' $< > $@

MANPAGES := $(BUILDDIR)/man/rtprof.1 $(BUILDDIR)/man/rtprof.3

install: all $(BUILDDIR)/rtprof.pc.install $(MANPAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PKGLIBDIR) \
	  $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BUILDDIR)/bin/rtprof $(DESTDIR)$(BINDIR)/rtprof
	install -m 644 $(L)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(REALNAME)
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/librtprof.so
	install -m 644 $(L)/librtprof.a $(DESTDIR)$(LIBDIR)/librtprof.a
	install -m 644 $(L)/librtprof-preload.so $(DESTDIR)$(PKGLIBDIR)/librtprof-preload.so
	install -m 644 include/rtprof.h include/rtprof-dump.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(BUILDDIR)/rtprof.pc.install $(DESTDIR)$(LIBDIR)/pkgconfig/rtprof.pc
	install -m 644 $(BUILDDIR)/man/rtprof.1 $(DESTDIR)$(MANDIR)/man1/rtprof.1
	install -m 644 $(BUILDDIR)/man/rtprof.3 $(DESTDIR)$(MANDIR)/man3/rtprof.3
	install -m 644 symbolize/rtprof.bash-completion $(DESTDIR)$(BASHCOMPDIR)/rtprof

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/rtprof $(DESTDIR)$(LIBDIR)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/librtprof.so $(DESTDIR)$(LIBDIR)/librtprof.a \
	  $(DESTDIR)$(PKGLIBDIR)/librtprof-preload.so $(DESTDIR)$(INCLUDEDIR)/rtprof.h \
	  $(DESTDIR)$(INCLUDEDIR)/rtprof-dump.h $(DESTDIR)$(LIBDIR)/pkgconfig/rtprof.pc \
	  $(DESTDIR)$(MANDIR)/man1/rtprof.1 $(DESTDIR)$(MANDIR)/man3/rtprof.3 $(DESTDIR)$(BASHCOMPDIR)/rtprof
	-rmdir $(DESTDIR)$(PKGLIBDIR)

clean:
	rm -rf $(BUILDDIR)

.PHONY: all install uninstall clean
.DELETE_ON_ERROR:
