// The server key the page token fuzz target reads tokens with, shared with
// the corpus generator so that the seed tokens are real ones.

#ifndef OVERSIGHT_TESTS_FUZZ_PAGE_TOKEN_KEY_H_
#define OVERSIGHT_TESTS_FUZZ_PAGE_TOKEN_KEY_H_

namespace oversight::fuzz {

inline constexpr char kPageTokenKey[] = "fuzz page token key, 32 bytes.!!";
// The review whose ListHistory filter digest seed tokens are issued for.
inline constexpr char kPageTokenReview[] = "r";

}  // namespace oversight::fuzz

#endif  // OVERSIGHT_TESTS_FUZZ_PAGE_TOKEN_KEY_H_
