#include "projections/query_scope.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/aggregates.h"

namespace oversight::projections {
namespace {

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

absl::Status Invalid(absl::string_view reason, absl::string_view message) {
  return eventstore::WithReason(absl::InvalidArgumentError(message), reason);
}

}  // namespace

bool IsPast(const v1::AsOf& as_of) {
  return as_of.position() != 0 || as_of.has_effective_at();
}

absl::StatusOr<AsOfFilter> ParseAsOf(const v1::AsOf& as_of, uint64_t through,
                                     uint64_t head, absl::Time now) {
  AsOfFilter filter;
  if (as_of.position() > head) {
    return Invalid(kReasonAsOfInFuture,
                   absl::StrCat("as_of.position ", as_of.position(),
                                " is past the log's head, ", head));
  }
  filter.position = as_of.position() != 0 ? as_of.position() : through;
  if (as_of.has_effective_at()) {
    const google::protobuf::Timestamp& t = as_of.effective_at();
    if (t.nanos() < 0 || t.nanos() > 999999999) {
      return Invalid("INVALID_TIMESTAMP",
                     "as_of.effective_at is not a valid timestamp");
    }
    const absl::Time at = FromProto(t);
    if (at > now + absl::Minutes(1)) {
      return Invalid(kReasonAsOfInFuture,
                     absl::StrCat("as_of.effective_at ", absl::FormatTime(at),
                                  " is in the future"));
    }
    filter.effective_at = at;
  }
  return filter;
}

v1::Reflects ReflectsOf(const AsOfFilter& filter) {
  v1::Reflects r;
  r.set_position(filter.position);
  if (filter.effective_at.has_value()) {
    ToProto(*filter.effective_at, r.mutable_effective_at());
  }
  return r;
}

std::vector<std::string> ReviewStreams(const v1::ProjectionState& state,
                                       const std::string& review_id) {
  std::vector<std::string> streams = {ReviewStream(review_id)};
  auto review = state.reviews().find(review_id);
  if (review == state.reviews().end()) return streams;
  for (const auto& [number, rec] : review->second.recommendations()) {
    streams.push_back(RecommendationStream(review_id, number));
  }
  return streams;
}

std::vector<std::string> PartnerStreams(const v1::ProjectionState& state,
                                        const std::string& agency_id) {
  std::vector<std::string> streams = {kAgenciesStream};
  for (const auto& [id, p] : state.programmes()) {
    if (p.owning_agency_id() == agency_id) {
      streams.push_back(ProgrammeStream(id));
    }
  }
  for (const auto& [review_id, review] : state.reviews()) {
    bool involved = false;
    for (const auto& [number, rec] : review.recommendations()) {
      const auto& c = rec.contributing_agency_ids();
      if (rec.owning_agency_id() == agency_id ||
          std::find(c.begin(), c.end(), agency_id) != c.end()) {
        involved = true;
        streams.push_back(RecommendationStream(review_id, number));
      }
    }
    if (involved) streams.push_back(ReviewStream(review_id));
  }
  return streams;
}

void ReportScope::Note(const v1::DomainEvent& event,
                       absl::string_view review_id) {
  if (event.has_recommendation_issued() &&
      event.recommendation_issued().review_id() == review_id) {
    numbers.insert(event.recommendation_issued().number());
  } else if (event.has_programme_registered() &&
             event.programme_registered().review_id() == review_id) {
    programmes.insert(event.programme_registered().programme_id());
  }
}

std::vector<std::string> ReportScope::Streams(
    absl::string_view review_id) const {
  std::vector<std::string> streams = {kAgenciesStream, ReviewStream(review_id)};
  for (int32_t n : numbers) {
    streams.push_back(RecommendationStream(review_id, n));
  }
  for (const std::string& id : programmes) {
    streams.push_back(ProgrammeStream(id));
  }
  return streams;
}

}  // namespace oversight::projections
