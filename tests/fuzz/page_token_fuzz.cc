// Fuzzes the page tokens of listings (services/query_support.h,
// PageTokens). The first byte chooses what the rest is:
//   even: a token, read against a fixed key and filter digest;
//   odd:  a page (two 8-byte positions) and a one-character change, then
//         the bytes of a ListHistoryRequest and ListAccessLogRequest.
//
// Properties:
//  - a token is read only if it is exactly the one Issue gives for its
//    page, key and filter digest (so it re-encodes to itself), and not
//    with another key or filter digest;
//  - every issued token reads back as its page, and is refused with
//    another key, another filter digest, a character changed, cut short
//    or lengthened; refusals are INVALID_ARGUMENT (INVALID_PAGE_TOKEN);
//  - a filter digest ignores the request's page token and page size (and,
//    for the access log, min_position), and the access log's differs
//    from the history's for the same bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "eventstore/errors.h"
#include "eventstore/record_format.h"
#include "oversight/v1/queries.pb.h"
#include "services/query_support.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/page_token_key.h"

namespace {

namespace sv = ::oversight::services;
namespace v1 = ::oversight::v1;

using oversight::fuzz::kPageTokenKey;
constexpr char kOtherKey[] = "another page token key, 32 bytes";

bool Refused(const absl::StatusOr<sv::PageTokens::Page>& page) {
  if (page.ok()) return false;
  const std::optional<std::string> reason =
      oversight::eventstore::ReasonOf(page.status());
  return page.status().code() == absl::StatusCode::kInvalidArgument &&
         reason.has_value() && *reason == sv::kReasonInvalidPageToken;
}

bool Same(const sv::PageTokens::Page& a, const sv::PageTokens::Page& b) {
  return a.after_position == b.after_position &&
         a.pinned_position == b.pinned_position;
}

std::string Digest(absl::string_view review_id) {
  v1::ListHistoryRequest request;
  request.set_review_id(std::string(review_id));
  return sv::PageTokens::FilterDigest(request);
}

void ReadToken(absl::string_view token) {
  static const std::string* const digest =
      new std::string(Digest(oversight::fuzz::kPageTokenReview));
  static const std::string* const other = new std::string(Digest("r2"));
  const sv::PageTokens tokens(kPageTokenKey);
  absl::StatusOr<sv::PageTokens::Page> page = tokens.Read(token, *digest);
  FUZZ_CHECK(Refused(tokens.Read(token, *other)));
  FUZZ_CHECK(Refused(sv::PageTokens(kOtherKey).Read(token, *digest)));
  if (!page.ok()) {
    FUZZ_CHECK(Refused(page));
    return;
  }
  FUZZ_CHECK(tokens.Issue(*page, *digest) == token);
}

void IssueAndRead(absl::string_view rest) {
  if (rest.size() < 18) return;
  sv::PageTokens::Page page;
  page.after_position = oversight::eventstore::GetFixed64BE(rest.data());
  page.pinned_position = oversight::eventstore::GetFixed64BE(rest.data() + 8);
  const uint8_t at = static_cast<uint8_t>(rest[16]);
  const char change = rest[17];
  rest.remove_prefix(18);

  v1::ListHistoryRequest history;
  v1::ListAccessLogRequest access;
  const bool is_history =
      history.ParseFromArray(rest.data(), static_cast<int>(rest.size()));
  const bool is_access =
      access.ParseFromArray(rest.data(), static_cast<int>(rest.size()));
  const std::string digest =
      is_history ? sv::PageTokens::FilterDigest(history) : Digest("r");

  const sv::PageTokens tokens(kPageTokenKey);
  const std::string token = tokens.Issue(page, digest);
  absl::StatusOr<sv::PageTokens::Page> read = tokens.Read(token, digest);
  FUZZ_CHECK(read.ok() && Same(*read, page));
  FUZZ_CHECK(Refused(sv::PageTokens(kOtherKey).Read(token, digest)));
  FUZZ_CHECK(Refused(tokens.Read(token, Digest("another review"))));
  FUZZ_CHECK(Refused(tokens.Read(token.substr(0, token.size() - 1), digest)));
  FUZZ_CHECK(Refused(tokens.Read(token + "A", digest)));
  std::string changed = token;
  changed[at % changed.size()] = change;
  if (changed != token) FUZZ_CHECK(Refused(tokens.Read(changed, digest)));

  if (is_history) {
    v1::ListHistoryRequest paged = history;
    paged.set_page_token(token);
    paged.set_page_size(history.page_size() + 7);
    FUZZ_CHECK(sv::PageTokens::FilterDigest(paged) == digest);
    // The next page's request reads the token back.
    FUZZ_CHECK(
        tokens.Read(paged.page_token(), sv::PageTokens::FilterDigest(paged))
            .ok());
  }
  if (is_access) {
    const std::string access_digest = sv::PageTokens::FilterDigest(access);
    v1::ListAccessLogRequest paged = access;
    paged.set_page_token(token);
    paged.set_page_size(access.page_size() + 7);
    paged.set_min_position(access.min_position() + 1);
    FUZZ_CHECK(sv::PageTokens::FilterDigest(paged) == access_digest);
    if (is_history) FUZZ_CHECK(access_digest != digest);
    // A token of the history listing is no token of the access log's.
    if (is_history) FUZZ_CHECK(Refused(tokens.Read(token, access_digest)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view rest(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  if (data[0] % 2 == 0) {
    ReadToken(rest);
  } else {
    IssueAndRead(rest);
  }
  return 0;
}
