// FUZZ_CHECK: the property a fuzz target asserts. A violation prints the
// condition and where, then traps, which libFuzzer reports as a crash (and
// keeps the input) and the replay run as a failed test.

#ifndef OVERSIGHT_TESTS_FUZZ_FUZZ_CHECK_H_
#define OVERSIGHT_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>

#define FUZZ_CHECK(cond)                                               \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, \
                   __LINE__, #cond);                                   \
      std::fflush(stderr);                                             \
      __builtin_trap();                                                \
    }                                                                  \
  } while (0)

#endif  // OVERSIGHT_TESTS_FUZZ_FUZZ_CHECK_H_
