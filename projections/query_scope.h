// What a query reads and for which moment, as pure functions shared by the
// Queries service (services/query_service.cc, services/query_report.cc)
// and the CLI's offline replay (clients/replay_queries.cc): the as-of
// arguments of a request turned into an AsOfFilter and back into the
// answer's `reflects`, and the streams a Panel report is folded from.
//
// Example:
//   absl::StatusOr<AsOfFilter> filter =
//       ParseAsOf(request.as_of(), /*through=*/head, head, absl::Now());
//   *response.mutable_reflects() = ReflectsOf(*filter);

#ifndef OVERSIGHT_PROJECTIONS_QUERY_SCOPE_H_
#define OVERSIGHT_PROJECTIONS_QUERY_SCOPE_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.pb.h"
#include "projections/read_model.h"

namespace oversight::projections {

inline constexpr char kReasonAsOfInFuture[] = "AS_OF_IN_FUTURE";

// The filter `as_of` asks for. Its position is `as_of.position`, or
// `through` (the position the answer's state includes) when unset; an
// as_of past the log's head or more than a minute past `now` is
// INVALID_ARGUMENT (AS_OF_IN_FUTURE), an effective_at with nanos out of
// range INVALID_ARGUMENT (INVALID_TIMESTAMP).
absl::StatusOr<AsOfFilter> ParseAsOf(const v1::AsOf& as_of, uint64_t through,
                                     uint64_t head, absl::Time now);

// Whether `as_of` asks for anything but the present.
bool IsPast(const v1::AsOf& as_of);

// The `reflects` of an answer for `filter`.
v1::Reflects ReflectsOf(const AsOfFilter& filter);

// The streams an answer about review `review_id` as at a past moment is
// folded from: the review's and those of the recommendations `state`
// knows of it (none when `state` does not hold the review).
std::vector<std::string> ReviewStreams(const v1::ProjectionState& state,
                                       const std::string& review_id);

// The streams a partner view of `agency_id` as at a past moment is folded
// from: `agencies`, the programmes the agency owns, and the reviews and
// recommendations it owns or contributes to, as `state` knows them.
std::vector<std::string> PartnerStreams(const v1::ProjectionState& state,
                                        const std::string& agency_id);

// The recommendations and programmes of one review that a Panel report
// reads, as far as known.
struct ReportScope {
  std::set<int32_t> numbers;
  std::set<std::string> programmes;

  // Notes what `event` adds to the scope of `review_id`'s report: a
  // recommendation it issues or a programme it registers for the review.
  void Note(const v1::DomainEvent& event, absl::string_view review_id);
  // The streams the report is folded from: `agencies`, the review's, its
  // recommendations' and its programmes'.
  std::vector<std::string> Streams(absl::string_view review_id) const;
};

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_QUERY_SCOPE_H_
