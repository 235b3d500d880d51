// What the Queries service needs beyond the live read models: reading the
// events of a review (or a partner's programmes) from the log to answer
// as at a past moment, the as-of arguments, and page tokens.

#ifndef OVERSIGHT_SERVICES_QUERY_SUPPORT_H_
#define OVERSIGHT_SERVICES_QUERY_SUPPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "google/protobuf/timestamp.pb.h"
#include "oversight/v1/queries.pb.h"
#include "projections/query_scope.h"
#include "projections/read_model.h"

namespace oversight::services {

inline constexpr char kReasonInvalidPageToken[] = "INVALID_PAGE_TOKEN";
inline constexpr char kReasonInvalidPageSize[] = "INVALID_PAGE_SIZE";

// The as-of arguments (projections/query_scope.h, shared with the CLI's
// offline replay): ParseAsOf's `through` is the position the live read
// models include.
using projections::IsPast;
using projections::kReasonAsOfInFuture;
using projections::ParseAsOf;
using projections::ReflectsOf;

// OK when `t` is within Timestamp.proto's range (0001-01-01 to
// 9999-12-31, nanos 0 to 999,999,999); INVALID_ARGUMENT
// (INVALID_TIMESTAMP), naming `field`, otherwise. The check of every time
// bound a query takes (ListHistory's occurred_from/to, ListAccessLog's
// from/to).
[[nodiscard]] absl::Status CheckTimestamp(absl::string_view field,
                                          const google::protobuf::Timestamp& t);

// Unix microseconds of `t` (checked by CheckTimestamp first).
int64_t Micros(const google::protobuf::Timestamp& t);

// The domain events of `streams` that a view as at `filter` takes
// (projections::SelectAsOf), merged in log order. Streams that do not
// exist contribute nothing.
absl::StatusOr<std::vector<projections::RecordedDomainEvent>> ReadStreams(
    eventstore::EventLog* log, const std::vector<std::string>& streams,
    const projections::AsOfFilter& filter);

// The domain event at `position`, nullopt if the record there is not one.
absl::StatusOr<std::optional<projections::RecordedDomainEvent>> ReadAt(
    eventstore::EventLog* log, uint64_t position);

// Opaque, authenticated page tokens: where the next page starts, the
// position the listing is pinned at (so that every page answers for the
// same moment), and a digest of the request's filters, MACed with a
// server key so that a token the server did not issue, or one reused with
// other filters, is refused.
class PageTokens {
 public:
  struct Page {
    uint64_t after_position = 0;
    uint64_t pinned_position = 0;
  };
  explicit PageTokens(std::string key) : key_(std::move(key)) {}

  std::string Issue(const Page& page, absl::string_view filter_digest) const;
  // INVALID_ARGUMENT (INVALID_PAGE_TOKEN) for anything not issued by
  // Issue with this key and this filter digest.
  absl::StatusOr<Page> Read(absl::string_view token,
                            absl::string_view filter_digest) const;

  // A digest of `request` with its page token and page size cleared.
  static std::string FilterDigest(const v1::ListHistoryRequest& request);
  // A digest of `request` with its page token, page size and min_position
  // cleared, and of its message type, so that a token of another listing
  // with the same bytes is refused.
  static std::string FilterDigest(const v1::ListAccessLogRequest& request);

 private:
  std::string key_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_QUERY_SUPPORT_H_
