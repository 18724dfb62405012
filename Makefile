# caisson: thin wrapper over CMake. `make demo` and `make test` install
# missing Debian packages first when run as root.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 30
# clang builds the libFuzzer harness samples caisson fuzz's tests run;
# nodejs and npm run the OSCAL schema validator (tests/oscal_validate.sh);
# npm only when none is on PATH: NodeSource's nodejs ships its own npm and
# conflicts with Debian's package.
# groff-base and man-db render and check the man pages (tests/man_check.sh);
# afl++ drives `caisson afl` in tests/afl_test.sh, llvm (llvm-symbolizer)
# names the frames of caisson fuzz's findings; libsystemd-dev: the header of
# caisson serve's sd_notify/sd_listen_fds (dlopen'ed); poppler-utils,
# ghostscript and imagemagick are the converters caisson exec wraps in the
# tests, the demo and the shipped profiles.
DEPS = cmake gcc clang pkg-config libseccomp-dev libevent-dev libinih-dev libcap-dev libjansson-dev libsystemd-dev \
       libpng-dev libxml2-dev zlib1g-dev util-linux curl file jq nodejs python3 \
       groff-base man-db afl++ llvm poppler-utils poppler-data ghostscript imagemagick \
       $(if $(shell command -v npm 2>/dev/null),,npm)
FUZZ_DEPS = clang
BENCH_DEPS = bubblewrap firejail netpbm

.PHONY: all deps build demo test bench asan tsan fuzz clean

all: build

deps:
	@missing=$$(for p in $(DEPS) $(EXTRA_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then \
	    echo "installing: $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing packages (run as root or install them): $$missing" >&2; exit 1; fi; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j2

demo: build
	samples/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure

# The benchmark suite (tests/bench, docs/benchmarks.md): every figure beside its
# floor and peers (bwrap, firejail, pngtopnm) in one run; table on stdout,
# JSON in $(BUILD)/bench.json.
bench: EXTRA_DEPS += $(BENCH_DEPS)
bench: build
	$(BUILD)/caisson_bench --json $(BUILD)/bench.json $(BUILD) .

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCAISSON_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j2
	cd $(ASAN_BUILD) && ctest --output-on-failure

# ThreadSanitizer over the library's cross-thread paths (8 submitting
# threads, one sync handle shared by 4).
tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCAISSON_SANITIZE=thread
	cmake --build $(TSAN_BUILD) -j2
	$(TSAN_BUILD)/test_pool $(TSAN_BUILD) $(CURDIR) threads

fuzz:
	$(MAKE) deps EXTRA_DEPS="$(FUZZ_DEPS)"
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCAISSON_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j2
	@want=$$(ls tests/fuzz/fuzz_*.c | wc -l); n=0; \
	for src in tests/fuzz/fuzz_*.c; do t=$$(basename $$src .c); f=$$(find $(FUZZ_BUILD) -name $$t -type f -perm -u+x | head -n 1); \
	  if [ -z "$$f" ]; then echo "fuzz: $$src has no fuzz target in $(FUZZ_BUILD)" >&2; exit 1; fi; n=$$((n + 1)); \
	  echo "== $$f for $(FUZZ_SECONDS)s"; mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=70000 $(FUZZ_BUILD)/corpus/$$t || exit 1; done; \
	echo "fuzz: $$n of $$want targets ran"; [ $$n -eq $$want ]

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
