#include "projections/decide_util.h"

#include "absl/strings/str_cat.h"
#include "projections/domain_errors.h"
#include "projections/validation.h"

namespace oversight::projections::internal {

absl::StatusOr<ActingAgency> LoadActor(const CommandContext& ctx,
                                       EventSource& source) {
  absl::StatusOr<Loaded<AgencyRegistry>> registry =
      Load<AgencyRegistry>(source, kAgenciesStream);
  if (!registry.ok()) return registry.status();
  const AgencyRegistry::Agency* agency =
      registry->state.Find(ctx.actor.agency_id());
  if (agency == nullptr) {
    return PermissionDenied(
        kReasonAgencyNotRegistered,
        absl::StrCat("agency \"", ctx.actor.agency_id(),
                     "\" is not registered; a reviewing body registers it"));
  }
  ActingAgency acting{std::move(*registry), *agency};
  return acting;
}

absl::Status RequireAgencyKind(const AgencyRegistry& registry,
                               absl::string_view field, absl::string_view id,
                               std::initializer_list<v1::AgencyKind> kinds,
                               absl::string_view role) {
  RETURN_IF_ERROR(RequireAgency(registry, field, id));
  const v1::AgencyKind kind = registry.Find(id)->kind;
  for (v1::AgencyKind k : kinds) {
    if (k == kind) return absl::OkStatus();
  }
  return InvalidArgument(
      kReasonAgencyKindMismatch,
      absl::StrCat(field, ": \"", id, "\" is a ", v1::AgencyKind_Name(kind),
                   ", which cannot ", role));
}

absl::Status RequireAgency(const AgencyRegistry& registry,
                           absl::string_view field, absl::string_view id) {
  if (absl::Status s = CheckId(field, id); !s.ok()) return s;
  if (registry.Find(id) == nullptr) {
    return NotFound(
        kReasonAgencyNotFound,
        absl::StrCat(field, ": agency \"", id, "\" is not registered"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Loaded<ReviewState>> LoadReview(EventSource& source,
                                               absl::string_view review_id) {
  absl::StatusOr<Loaded<ReviewState>> review =
      Load<ReviewState>(source, ReviewStream(review_id));
  if (!review.ok()) return review.status();
  if (!review->state.exists) {
    return NotFound(kReasonReviewNotFound,
                    absl::StrCat("review \"", review_id, "\" does not exist"));
  }
  return review;
}

std::string RecName(absl::string_view review_id, int32_t number) {
  return absl::StrCat("recommendation ", number, " of review \"", review_id,
                      "\"");
}

absl::StatusOr<Loaded<RecommendationState>> LoadRecommendation(
    EventSource& source, absl::string_view review_id, int32_t number) {
  absl::StatusOr<Loaded<RecommendationState>> rec = Load<RecommendationState>(
      source, RecommendationStream(review_id, number));
  if (!rec.ok()) return rec.status();
  if (!rec->state.exists) {
    return NotFound(
        kReasonRecommendationNotFound,
        absl::StrCat(RecName(review_id, number), " does not exist"));
  }
  return rec;
}

absl::Status RequireRecommendations(
    EventSource& source, absl::string_view review_id,
    const google::protobuf::RepeatedField<int32_t>& numbers) {
  for (int32_t n : numbers) {
    absl::StatusOr<bool> exists =
        source.StreamExists(RecommendationStream(review_id, n));
    if (!exists.ok()) return exists.status();
    if (!*exists) {
      return NotFound(kReasonRecommendationNotFound,
                      absl::StrCat(RecName(review_id, n), " does not exist"));
    }
  }
  return absl::OkStatus();
}

absl::Status RequireCommissioningBody(const CommandContext& ctx,
                                      const ReviewState& review,
                                      absl::string_view action) {
  if (ctx.actor.agency_id() != review.commissioning_agency_id) {
    return PermissionDenied(
        kReasonReviewingBodyOnly,
        absl::StrCat("only the reviewing body of review \"", review.review_id,
                     "\" (", review.commissioning_agency_id, ") may ", action));
  }
  return absl::OkStatus();
}

absl::Status RequirePeriod(const ReviewState& review, absl::string_view period,
                           bool must_be_open) {
  auto it = review.periods.find(std::string(period));
  if (it == review.periods.end()) {
    return NotFound(kReasonPeriodNotFound,
                    absl::StrCat("reporting period ", period,
                                 " has not been opened for review \"",
                                 review.review_id, "\""));
  }
  if (must_be_open && !it->second.open) {
    return FailedPrecondition(
        kReasonPeriodNotOpen,
        absl::StrCat("reporting period ", period, " of review \"",
                     review.review_id, "\" is closed"));
  }
  return absl::OkStatus();
}

absl::Status RequireOpenRecommendation(const RecommendationState& rec) {
  if (rec.closed) {
    return FailedPrecondition(
        kReasonRecommendationClosed,
        absl::StrCat(RecName(rec.review_id, rec.number),
                     " is closed; the reviewing body must reopen it first"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EntityIdOr(absl::string_view field,
                                       absl::string_view given,
                                       absl::string_view request_id) {
  std::string id(given.empty() ? request_id : given);
  if (absl::Status s = CheckEntityId(field, id); !s.ok()) return s;
  return id;
}

}  // namespace oversight::projections::internal
