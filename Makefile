# SPDX-License-Identifier: GPL-2.0
#
# gcheap: the kernel module (module/, kunit/ through Kbuild), the user
# library and tools (userlib/), the user-space tests (tests/), and the
# QEMU test harness (scripts/).
#
#   make            gcheap.ko and the KUnit module for KDIR, libgcheap, tools
#   make deps       install the Debian packages the rest needs (scripts/deps)
#   make check      every test layer on the debug and the distro kernel
#   make run        the demo, in the debug guest
#   make bench      the benchmarks, in a guest without checkers
#   make coverage   the debug guest's tests on a gcov kernel: build/coverage/
#   make race       the concurrent tests on a KCSAN kernel

TOP := $(CURDIR)
BUILD := $(TOP)/build

# The kernel to build against: KDIR=..., else the running kernel's headers,
# else gcheap's debug test kernel (built once into ~/.cache/gcheap, which
# takes minutes: the modules target says so before it starts).
ifeq ($(origin KDIR),undefined)
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
ifeq ($(KDIR),)
KDIR_IS_DEBUG := 1
KDIR = $(shell $(TOP)/scripts/kernel/build-kernel debug)
endif
endif

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
USER_CFLAGS = $(CFLAGS) $(WARN) -I$(TOP)/uapi -I$(TOP)/userlib -D_GNU_SOURCE
# The kselftest harness is -Wall clean, not -Wextra clean: tests use its flags.
TEST_CFLAGS = $(CFLAGS) -Wall -Werror -I$(TOP)/uapi -I$(TOP)/userlib -D_GNU_SOURCE

LIB_SRCS := $(wildcard userlib/src/*.c)
LIB_OBJS := $(LIB_SRCS:userlib/src/%.c=$(BUILD)/userlib/%.o)
LIB_SOVER := 1
LIB_SO := userlib/libgcheap.so.$(LIB_SOVER)
TOOLS := userlib/gcheap-demo userlib/gcheapstat

TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_compat32
# built -m32 too (see $(BUILD)/tests32 below)
TESTS32 := heap share batch gc weak hostile
TEST32_BINS := $(TESTS32:%=$(BUILD)/tests32/test_%_m32)
KSFT_DIR = $(shell $(TOP)/scripts/kernel/build-kernel --source)/tools/testing/selftests

.PHONY: all deps modules lib tools tests kmod-debug kmod-distro kmod-coverage \
	kmod-race check run clean overhead bench fuzz stress coverage race install modules_install dkms-install dkms-remove deb \
	FORCE

all: modules lib tools

deps:
	scripts/deps

modules:
ifdef KDIR_IS_DEBUG
	@echo "make: no kernel headers for $$(uname -r) (/lib/modules/$$(uname -r)/build):" \
		"building gcheap.ko against gcheap's debug test kernel, built once" \
		"into ~/.cache/gcheap by scripts/kernel/build-kernel (minutes the first time;" \
		"needs make deps; KDIR=... builds against another kernel)" >&2
endif
	@[ -n "$(KDIR)" ] || { echo "make: no kernel to build against" >&2; exit 2; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# The same sources, built for each test kernel in its own shadow tree:
# the debug kernel, and its coverage (gcov) and race (KCSAN) flavours.
kmod-debug kmod-coverage kmod-race: kmod-%:
	scripts/kernel/shadow-tree $(BUILD)/$*
	$(MAKE) -C $$(scripts/kernel/build-kernel $*) M=$(BUILD)/$* modules

kmod-distro:
	scripts/kernel/shadow-tree $(BUILD)/distro
	$(MAKE) -C /lib/modules/$(shell scripts/kernel/distro-kver)/build \
		M=$(BUILD)/distro modules

lib: userlib/libgcheap.a $(LIB_SO) userlib/libgcheap-uninstalled.pc

$(BUILD)/userlib/%.o: userlib/src/%.c userlib/gcheap.h uapi/linux/gcheap.h \
		$(wildcard userlib/src/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

userlib/libgcheap.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS) userlib/libgcheap.map
	$(CC) -shared -Wl,-soname,libgcheap.so.$(LIB_SOVER) \
		-Wl,--version-script=userlib/libgcheap.map -o $@ $(LIB_OBJS)
	ln -sf libgcheap.so.$(LIB_SOVER) userlib/libgcheap.so

userlib/libgcheap-uninstalled.pc: userlib/libgcheap.pc.in Makefile
	sed -e 's|@PREFIX@|$(TOP)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@INCLUDEDIR@|$(TOP)/userlib -I$(TOP)/uapi|' \
	    -e 's|@LIBDIR@|$(TOP)/userlib -Wl,-rpath,$(TOP)/userlib|' \
	    $< >$@

tools: $(TOOLS)

userlib/gcheap-demo: userlib/demo.c userlib/libgcheap.a
	$(CC) $(USER_CFLAGS) -o $@ $< userlib/libgcheap.a

userlib/gcheapstat: userlib/gcheapstat.c
	$(CC) $(USER_CFLAGS) -o $@ $<

tests: $(TEST_BINS) $(TEST32_BINS) $(BUILD)/tests/test_python

# The Python package's tests (userlib/python/tests), run by guest-tests as
# one more test program: a wrapper that finds them from where it is.  The
# modules are byte-compiled here: the guests' root is read-only, and
# compiling them at every run costs seconds under emulation.
PY_SRCS := $(wildcard userlib/python/gcheap/*.py userlib/python/tests/*.py)
$(BUILD)/tests/test_python: $(PY_SRCS) $(LIB_SO)
	@mkdir -p $(@D)
	$(PYTHON) -m compileall -q userlib/python/gcheap userlib/python/tests
	printf '%s\n' '#!/bin/sh' \
		'# The gcheap Python tests (userlib/python/tests/run.py), KTAP.' \
		'exec python3 "$$(dirname "$$0")/../../userlib/python/tests/run.py" "$$@"' >$@
	chmod 755 $@

$(BUILD)/tests/%: tests/%.c tests/gch_test.h userlib/libgcheap.a
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(KSFT_DIR) -Itests -o $@ $< \
		userlib/libgcheap.a -lpthread

# The 32-bit test: libgcheap built -m32 beside it, linked static so that
# it needs nothing 32-bit at run time; its ioctls take the compat path.
# (The kselftest harness casts what it compares to intmax_t, pointers too.)
LIB32_OBJS := $(LIB_SRCS:userlib/src/%.c=$(BUILD)/userlib32/%.o)
$(BUILD)/userlib32/%.o: userlib/src/%.c userlib/gcheap.h uapi/linux/gcheap.h \
		$(wildcard userlib/src/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -m32 -c -o $@ $<

TEST32_CC = $(CC) $(TEST_CFLAGS) -m32 -static -Wno-pointer-to-int-cast \
	-I$(KSFT_DIR) -Itests

$(BUILD)/tests/test_compat32: tests/compat/test_compat32.c tests/gch_test.h \
		$(LIB32_OBJS)
	@mkdir -p $(@D)
	$(TEST32_CC) -o $@ $< $(LIB32_OBJS)

# Six of the tests again as 32-bit programs, every call through the
# kernel's compat_ioctl: the distro guest runs them (guest-tests with
# GCHEAP_TESTS32=1).  Not the debug guest: its kernel has no
# CONFIG_COMPAT_32BIT_TIME, and a 32-bit glibc's threads fail on their
# futex calls there.
$(BUILD)/tests32/test_%_m32: tests/test_%.c tests/gch_test.h $(LIB32_OBJS)
	@mkdir -p $(@D)
	$(TEST32_CC) -o $@ $< $(LIB32_OBJS) -lpthread

check:
	scripts/deps
	$(MAKE) all kmod-debug kmod-distro tests
	scripts/test/check

# The C demo, then the Python one (userlib/python/demo.py), in one guest.
# Like check, it installs what it needs first: it is a fresh machine's
# first command.
run:
	scripts/deps
	$(MAKE) all kmod-debug
	scripts/vm/vm-run --kernel debug -- \
		env GCHEAPSTAT=$(TOP)/userlib/gcheapstat \
		GCHEAP_LIBRARY=$(TOP)/$(LIB_SO) sh -c \
		'userlib/gcheap-demo && printf "\n== Python: %s\n" \
		"python3 userlib/python/demo.py" && python3 userlib/python/demo.py'

# The kernel memory one object costs, measured through its memory cgroup
# on the distro kernel (no debug metadata in its slabs).
$(BUILD)/bench/%: bench/%.c userlib/libgcheap.a
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< userlib/libgcheap.a

overhead: lib kmod-distro $(BUILD)/bench/overhead
	scripts/vm/vm-run --kernel distro -- $(BUILD)/bench/overhead

BENCH_BINS := $(BUILD)/bench/gchbench $(BUILD)/bench/overhead \
	$(BUILD)/bench/binarytrees_gcheap $(BUILD)/bench/binarytrees_malloc

$(BUILD)/bench/gchbench: bench/gchbench.c userlib/libgcheap.a
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< userlib/libgcheap.a -luring -lpthread

# The benchmarks (not part of make check): see BENCHMARKS.md.
bench: lib kmod-distro $(BENCH_BINS)
	scripts/deps
	scripts/bench

clean:
	rm -rf $(BUILD) userlib/*.a userlib/*.so* userlib/*.pc $(TOOLS) \
		userlib/python/*/__pycache__
	-[ -z "$(wildcard $(KDIR))" ] || $(MAKE) -C $(KDIR) M=$(TOP) clean

# The fuzzers, longer than make check runs them, in the debug guest: the
# ioctl fuzzer (FUZZ_ITERS calls), then the graph fuzzer (FUZZ_ITERS
# operations across its processes, at least 200 a second), on one seed.
FUZZ_ITERS ?= 1000000
FUZZ_SEED ?= $(shell date +%s)
fuzz: all kmod-debug tests
	seed=$(FUZZ_SEED); \
	scripts/vm/vm-run --kernel debug --timeout 7200 -- env \
		GCH_FUZZ_ITERS=$(FUZZ_ITERS) GCH_FUZZ_SEED=$$seed \
		$(BUILD)/tests/test_fuzz && \
	scripts/vm/vm-run --kernel debug \
		--timeout $$(($(FUZZ_ITERS) / 200 + 900)) -- env \
		GCH_GFUZZ_ITERS=$(FUZZ_ITERS) GCH_GFUZZ_SEED=$$seed \
		$(BUILD)/tests/test_graphfuzz

# The stress mix, longer than make check runs it, in the debug guest.
STRESS_ITERS ?= 100000
STRESS_CSEEDS ?= 4000
STRESS_SEED ?= $(shell date +%s)
stress: all kmod-debug tests
	scripts/vm/vm-run --kernel debug --timeout 7200 -- env \
		GCH_STRESS_ITERS=$(STRESS_ITERS) GCH_STRESS_SEED=$(STRESS_SEED) \
		GCH_STRESS_THREADS=4 $(BUILD)/tests/test_stress
	scripts/vm/vm-run --kernel debug --timeout 7200 -- env \
		GCH_CSEEDS_FROM=2000 GCH_CSEEDS=$(STRESS_CSEEDS) \
		$(BUILD)/tests/test_gc_random -t concurrent_collections_match_the_model

# Line and branch coverage of module/*.c by every test the debug guest runs,
# on the debug kernel with gcov: build/coverage/index.html and a table.
coverage:
	scripts/deps
	$(MAKE) all kmod-coverage tests
	scripts/test/coverage

# The concurrent tests, the stress mix and the graph fuzzer on the debug
# kernel with KCSAN instead of KASAN; any data-race report fails the run.
race:
	scripts/deps
	$(MAKE) all kmod-race tests
	scripts/test/race

# ---- installation (GNU conventions: PREFIX, DESTDIR) ----
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UDEVDIR ?= /lib/udev/rules.d
# The Python package goes where Debian's python3 looks: /usr/lib/python3/
# dist-packages for PREFIX=/usr, PREFIX/lib/python3.X/dist-packages for
# any other prefix (as for /usr/local).
PYTHON ?= python3
ifeq ($(PREFIX),/usr)
PYTHONDIR ?= /usr/lib/python3/dist-packages
else
PYTHONDIR ?= $(PREFIX)/lib/python$(shell $(PYTHON) -c \
	'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages
endif
DKMS_SRC := $(DESTDIR)/usr/src/gcheap-$(VERSION)

install: lib tools
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(UDEVDIR) \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4 \
		$(DESTDIR)$(MANDIR)/man8
	install -m 644 userlib/libgcheap.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libgcheap.so.$(LIB_SOVER) $(DESTDIR)$(LIBDIR)/libgcheap.so
	install -m 644 userlib/gcheap.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 uapi/linux/gcheap.h $(DESTDIR)$(INCLUDEDIR)/linux/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    userlib/libgcheap.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/libgcheap.pc
	install -m 755 userlib/gcheapstat $(DESTDIR)$(SBINDIR)/
	install -m 644 userlib/60-gcheap.rules $(DESTDIR)$(UDEVDIR)/
	install -m 644 man/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 man/*.4 $(DESTDIR)$(MANDIR)/man4/
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(PYTHONDIR)/gcheap
	install -m 644 $(filter-out %/_paths.py,$(wildcard userlib/python/gcheap/*.py)) \
		$(DESTDIR)$(PYTHONDIR)/gcheap/
	printf '%s\n' '# Written by make install: where libgcheap.so.1 went.' \
		"LIBDIR = '$(LIBDIR)'" >$(DESTDIR)$(PYTHONDIR)/gcheap/_paths.py

# The module for KDIR's kernel, under DESTDIR if given, then depmod.
modules_install: modules
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(shell cat $(KDIR)/include/config/kernel.release)

# The module's sources where DKMS wants them, then dkms add/build/install.
dkms-src:
	install -d $(DKMS_SRC)/module $(DKMS_SRC)/kunit $(DKMS_SRC)/uapi/linux
	install -m 644 dkms.conf Kbuild $(DKMS_SRC)/
	install -m 644 module/Kbuild $(filter-out %.mod.c,$(wildcard module/*.[ch])) \
		$(DKMS_SRC)/module/
	install -m 644 kunit/Kbuild $(wildcard kunit/*.[ch]) $(DKMS_SRC)/kunit/
	install -m 644 uapi/linux/gcheap.h $(DKMS_SRC)/uapi/linux/

dkms-install: dkms-src
	dkms add -m gcheap -v $(VERSION)
	dkms build -m gcheap -v $(VERSION)
	dkms install -m gcheap -v $(VERSION)

dkms-remove:
	dkms remove -m gcheap -v $(VERSION) --all
	rm -rf /usr/src/gcheap-$(VERSION)

# Debian packages: gcheap-dkms, libgcheap1, libgcheap-dev, gcheap-tools,
# python3-gcheap.
# Built from a copy of the tree in build/deb/src, so the .debs land in build/deb.
deb:
	scripts/deps
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -co --exclude-standard | tar -cf - -T - | \
		tar -xf - -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b
