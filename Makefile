# ft — one build for every tool. `make` builds bin/ft-*; the CUDA backend is compiled too
# whenever nvcc is found (also in CI, where nothing runs it). `make test` runs every test and
# ends with `N passed, N failed`. `make test SAN=1` does the same under AddressSanitizer and
# UndefinedBehaviorSanitizer, in a separate build tree.

PREFIX ?= /usr/local
CC ?= cc
NVCC ?= $(shell command -v nvcc 2>/dev/null)
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))

# -ffp-contract=off: the CPU oracle rounds every product and sum on its own, whatever -march a
# build adds (GCC's gnu11 default would fuse a*b+c into FMAs where the target has them), so the
# GPU kernels that mirror it bit for bit (the 8-bit AdamW) stay equal to it
CFLAGS_BASE = -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wvla -fopenmp -ffp-contract=off -Icommon
LDLIBS = -lyaml -lcjson -lzstd -lpcre2-8 -lm -lpthread -fopenmp

ifeq ($(SAN),1)
BUILD := build/san
CFLAGS ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD := build/rel
CFLAGS ?= -O2 -g
endif
BIN := $(if $(filter 1,$(SAN)),$(BUILD)/bin,bin)

# common/ and its wings (common/jinja/, common/tok/: one front header each) make libft.a
COMMON_SRC := $(wildcard common/*.c common/*/*.c)
COMMON_HDR := $(wildcard common/*.h common/*/*.h)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
TOOL_SRC := $(wildcard tools/ft-*.c)
TOOLS := $(TOOL_SRC:tools/%.c=$(BIN)/%)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

ifneq ($(NVCC),)
CU_SRC := $(wildcard kernels/*.cu)
CU_OBJ := $(CU_SRC:%.cu=$(BUILD)/%.o)
NVCCFLAGS ?= -O2 -std=c++17 -arch=sm_90 -Icommon -Ikernels
CUDA_LIBS = -L$(CUDA_HOME)/lib64 -L$(CUDA_HOME)/targets/x86_64-linux/lib -lcublasLt -lcublas -lcudart -lstdc++ -Wl,-rpath,$(CUDA_HOME)/lib64
endif

ALL_CFLAGS = $(CFLAGS_BASE) $(CFLAGS)

.PHONY: all test install clean demo deps fuzz gpu-tests
# Keep the objects of tools and tests (make would delete them as intermediates).
.SECONDARY:
all: $(TOOLS) $(UNITS)

# common/ is compiled with -Icommon only, so it cannot include kernels/ (backend.h is the one
# door). The GPU backend's objects are linked into each tool directly, not from the archive:
# common/backend.c refers to the backend (ft_gpu_backend) weakly, and a weak reference pulls
# no archive member in. Unit tests link without them (CPU only).
$(BUILD)/libft.a: $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(COMMON_HDR)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/kernels/%.o: kernels/%.cu $(wildcard common/*.h kernels/*.h kernels/*.cuh)
	@mkdir -p $(@D)
	$(NVCC) $(NVCCFLAGS) -c $< -o $@

$(BIN)/%: $(BUILD)/tools/%.o $(CU_OBJ) $(BUILD)/libft.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CU_OBJ) $(BUILD)/libft.a $(LDLIBS) $(CUDA_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libft.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libft.a $(LDLIBS)

# GPU tests: built here (nvcc needed), run on a GPU machine by scripts/gpu-check.sh; never
# part of `make test`, which runs where there is no GPU.
GPU_SRC := $(wildcard tests/gpu/*.c)
GPU_BINS := $(GPU_SRC:tests/gpu/%.c=$(BUILD)/gpu/%)
gpu-tests: $(GPU_BINS)
ifeq ($(NVCC),)
	@echo "gpu-tests: nvcc not found, nothing built" >&2; exit 2
endif

$(BUILD)/gpu/%: tests/gpu/%.c tests/gpu/gpu_check.h tests/unit/hf_fixture.h $(CU_OBJ) $(BUILD)/libft.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ikernels -I$(CUDA_HOME)/include $(LDFLAGS) -o $@ $< $(CU_OBJ) $(BUILD)/libft.a $(LDLIBS) $(CUDA_LIBS)

# `make test` and `make demo` work on a fresh Debian machine: deps installs what is missing.
deps:
	@sh scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory all
	@BIN=$(BIN) UNITS=$(BUILD)/tests sh tests/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(PREFIX)/share/man/man7/

demo:
	@sh scripts/demo.sh

# Fuzz targets (libFuzzer, clang): each runs FUZZ_SECONDS over a seed corpus from the
# repository's fixtures. A crash stops the run with the input saved in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -fopenmp -Icommon
FUZZ_LIB_SRC := $(COMMON_SRC)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build/fuzz/%: tests/fuzz/%.c $(COMMON_SRC) $(COMMON_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -DFT_FUZZ $< $(FUZZ_LIB_SRC) -o $@ $(filter-out -fopenmp,$(LDLIBS)) -fopenmp

fuzz: $(FUZZ_TARGETS)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build bin
