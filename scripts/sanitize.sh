#!/usr/bin/env bash
# Builds Oversight with clang under sanitizers and runs its tests there.
#
#   bash scripts/sanitize.sh            # address, then thread
#   bash scripts/sanitize.sh address    # AddressSanitizer + UndefinedBehaviorSanitizer, then fuzz
#   bash scripts/sanitize.sh thread     # ThreadSanitizer
#   bash scripts/sanitize.sh fuzz       # only the fuzz targets, in the address build
#
# address: build-asan (ASAN_BUILD_DIR=), every target instrumented with
#   -fsanitize=address,undefined and libFuzzer's coverage; runs the suites
#   of the event log, the projections, the services and the crash tests
#   (ASAN_TESTS= is the CTest -L expression) with leak checking on and
#   undefined behaviour fatal, then each fuzz target of tests/fuzz for
#   FUZZ_SECONDS (default 60) with scripts/fuzz.sh.
# thread: build-tsan (TSAN_BUILD_DIR=), -fsanitize=thread; first checks
#   that the setup sees races and sees absl::Mutex (tests/sanitizers/
#   tsan_selftest.cc), then runs the suites of the concurrent paths: the
#   event log (group commit, subscriptions, the live hub, backups, I/O
#   faults), the services (gRPC reactors, subscriptions and follows, the
#   projection host, the keyed sequencer, the executor) and the crash
#   tests (TSAN_TESTS= is the CTest -L expression).
#
# The Debian libraries (gRPC, RocksDB, Abseil, protobuf) are not
# instrumented. For ThreadSanitizer that matters: absl::Mutex's locking and
# gRPC's hand-offs between its threads are invisible to it, so
# tests/sanitizers/tsan_annotations.cc is preloaded to annotate them (see
# its header), ignore_noninstrumented_modules keeps the libraries' own
# memcpy and memcmp calls out of its reports, and tests/sanitizers/tsan.supp
# leaves out accesses made by gRPC's inline header code.
# docs/testing.md explains the runs and what they do not cover.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
case "$what" in
  all | address | thread | fuzz) ;;
  *)
    echo "usage: scripts/sanitize.sh [address|thread|fuzz]" >&2
    exit 2
    ;;
esac

bash scripts/install-deps.sh
jobs=$(nproc)
# The crash tests' rounds, fewer than the default suite's: every round
# restarts an instrumented server, several times slower.
export OVERSIGHT_CRASH_ROUNDS=${OVERSIGHT_CRASH_ROUNDS:-10}
export OVERSIGHT_SERVER_CRASH_ROUNDS=${OVERSIGHT_SERVER_CRASH_ROUNDS:-5}
# -O1 and line tables only: the reports keep file and line, the build is
# about a third quicker than RelWithDebInfo. Assertions stay on.
flags=(-G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only"
       -DOVERSIGHT_BUILD_TESTS=ON -DOVERSIGHT_BUILD_BENCH=OFF)

configure_address() {
  cmake -S . -B "$1" "${flags[@]}" \
    -DOVERSIGHT_SANITIZE=address,undefined -DOVERSIGHT_FUZZ=ON >/dev/null
}

# Each fuzz target for FUZZ_SECONDS, with AddressSanitizer and
# UndefinedBehaviorSanitizer.
run_fuzz() {
  local dir=${ASAN_BUILD_DIR:-build-asan}
  echo "sanitize: fuzz targets in $dir"
  configure_address "$dir"
  # shellcheck disable=SC2046  # one target per word
  ninja -C "$dir" -j"$jobs" $(fuzz_targets)
  bash scripts/fuzz.sh "$dir" "${FUZZ_SECONDS:-60}"
}

run_address() {
  local dir=${ASAN_BUILD_DIR:-build-asan}
  echo "sanitize: address,undefined in $dir"
  configure_address "$dir"
  # shellcheck disable=SC2046  # one target per word
  ninja -C "$dir" -j"$jobs" oversightd $(test_targets eventstore projections services crash) \
    $(fuzz_targets)
  ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 900 \
      -L "${ASAN_TESTS:-eventstore|projections|services|crash|format}"
  run_fuzz
}

run_thread() {
  local dir=${TSAN_BUILD_DIR:-build-tsan}
  echo "sanitize: thread in $dir"
  cmake -S . -B "$dir" "${flags[@]}" -DOVERSIGHT_SANITIZE=thread >/dev/null

  # The annotations of absl::Mutex and gRPC, and the check that the run
  # sees races where there are some and none where absl::Mutex orders the
  # accesses.
  local shim="$PWD/$dir/libtsan_annotations.so"
  clang++ -std=c++17 -O1 -shared -fPIC -Wall -Wextra \
    tests/sanitizers/tsan_annotations.cc -o "$shim" -ldl
  # shellcheck disable=SC2046  # pkg-config prints several flags
  clang++ -std=c++17 -O1 -g -fsanitize=thread tests/sanitizers/tsan_selftest.cc \
    -o "$dir/tsan_selftest" $(pkg-config --cflags --libs absl_synchronization)
  export LD_PRELOAD="$shim"
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ignore_noninstrumented_modules=1 suppressions=$PWD/tests/sanitizers/tsan.supp"
  if ! "$dir/tsan_selftest" locked; then
    echo "sanitize: ThreadSanitizer reports accesses ordered by absl::Mutex or absl::Notification as races: is $shim loaded?" >&2
    exit 1
  fi
  if "$dir/tsan_selftest" unlocked 2>"$dir/tsan_selftest.err"; then
    echo "sanitize: ThreadSanitizer did not report an unlocked race: its results cannot be trusted" >&2
    exit 1
  fi
  grep -q "WARNING: ThreadSanitizer: data race" "$dir/tsan_selftest.err"
  echo "sanitize: ThreadSanitizer sees races, and sees absl::Mutex and absl::Notification"

  # shellcheck disable=SC2046  # one target per word
  ninja -C "$dir" -j"$jobs" oversightd $(test_targets eventstore services crash)
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 900 \
    -L "${TSAN_TESTS:-eventstore|services|crash}"
}

# The test executables of the given folders of tests/ (one per *_test.cc,
# and the crash test's child), so a run builds only what it runs.
test_targets() {
  local folder f
  for folder in "$@"; do
    for f in tests/"$folder"/*_test.cc; do basename "$f" .cc; done
  done
  if [[ " $* " == *" crash "* ]]; then echo crash_child; fi
}

# The libFuzzer targets of tests/fuzz (one per *_fuzz.cc).
fuzz_targets() {
  local f
  for f in tests/fuzz/*_fuzz.cc; do basename "$f" .cc; done
}

case "$what" in
  address) run_address ;;
  thread) run_thread ;;
  fuzz) run_fuzz ;;
  all)
    run_address
    run_thread
    ;;
esac
echo "sanitize: $what clean"
