// Helpers shared by the decide_*.cc files: loading aggregates through an
// EventSource and the checks most commands make. Internal to projections/.

#ifndef OVERSIGHT_PROJECTIONS_DECIDE_UTIL_H_
#define OVERSIGHT_PROJECTIONS_DECIDE_UTIL_H_

#include <initializer_list>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "projections/status_macros.h"

namespace oversight::projections::internal {

// An aggregate's state and the revision it was read at.
template <typename State>
struct Loaded {
  State state;
  size_t events = 0;
  std::optional<uint64_t> revision() const {
    if (events == 0) return std::nullopt;
    return events - 1;
  }
};

template <typename State>
absl::StatusOr<Loaded<State>> Load(EventSource& source,
                                   absl::string_view stream) {
  absl::StatusOr<std::vector<v1::DomainEvent>> events = source.Read(stream);
  if (!events.ok()) return events.status();
  Loaded<State> loaded;
  loaded.events = events->size();
  loaded.state = Fold<State>(*events);
  return loaded;
}

// The registry, and the acting agency in it (PERMISSION_DENIED
// AGENCY_NOT_REGISTERED when it is not).
struct ActingAgency {
  Loaded<AgencyRegistry> registry;
  AgencyRegistry::Agency agency;
};
absl::StatusOr<ActingAgency> LoadActor(const CommandContext& ctx,
                                       EventSource& source);

// NOT_FOUND (AGENCY_NOT_FOUND) unless `id` is registered.
absl::Status RequireAgency(const AgencyRegistry& registry,
                           absl::string_view field, absl::string_view id);

// As RequireAgency, and INVALID_ARGUMENT (AGENCY_KIND_MISMATCH) unless the
// agency is of one of `kinds`; `role` says what it was named for.
absl::Status RequireAgencyKind(const AgencyRegistry& registry,
                               absl::string_view field, absl::string_view id,
                               std::initializer_list<v1::AgencyKind> kinds,
                               absl::string_view role);

// The review (NOT_FOUND REVIEW_NOT_FOUND when it does not exist).
absl::StatusOr<Loaded<ReviewState>> LoadReview(EventSource& source,
                                               absl::string_view review_id);
// The recommendation (NOT_FOUND RECOMMENDATION_NOT_FOUND).
absl::StatusOr<Loaded<RecommendationState>> LoadRecommendation(
    EventSource& source, absl::string_view review_id, int32_t number);
// NOT_FOUND unless every number is an issued recommendation of the review.
absl::Status RequireRecommendations(
    EventSource& source, absl::string_view review_id,
    const google::protobuf::RepeatedField<int32_t>& numbers);

// PERMISSION_DENIED (REVIEWING_BODY_ONLY) unless the actor is the review's
// commissioning body.
absl::Status RequireCommissioningBody(const CommandContext& ctx,
                                      const ReviewState& review,
                                      absl::string_view action);

// NOT_FOUND (PERIOD_NOT_FOUND) unless the period was opened; with
// `must_be_open`, FAILED_PRECONDITION (PERIOD_NOT_OPEN) if it was closed.
absl::Status RequirePeriod(const ReviewState& review, absl::string_view period,
                           bool must_be_open);

// FAILED_PRECONDITION (RECOMMENDATION_CLOSED) if it is closed.
absl::Status RequireOpenRecommendation(const RecommendationState& rec);

// `given`, or the request id when empty, checked as an entity id.
absl::StatusOr<std::string> EntityIdOr(absl::string_view field,
                                       absl::string_view given,
                                       absl::string_view request_id);

// A decision to append `event` at `loaded`'s revision.
template <typename State>
Decision MakeDecision(std::string stream, const Loaded<State>& loaded) {
  Decision d;
  d.stream = std::move(stream);
  d.expected_revision = loaded.revision();
  return d;
}

std::string RecName(absl::string_view review_id, int32_t number);

}  // namespace oversight::projections::internal

#endif  // OVERSIGHT_PROJECTIONS_DECIDE_UTIL_H_
