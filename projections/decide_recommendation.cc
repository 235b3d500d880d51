// Decisions on one recommendation: issuing it, progress updates and their
// corrections, ratings, monitoring, cross-references, closing and
// reopening.

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "projections/commands.h"
#include "projections/decide_util.h"
#include "projections/domain_errors.h"
#include "projections/validation.h"

namespace oversight::projections {

using internal::ActingAgency;
using internal::EntityIdOr;
using internal::Load;
using internal::LoadActor;
using internal::Loaded;
using internal::LoadRecommendation;
using internal::LoadReview;
using internal::MakeDecision;
using internal::RecName;
using internal::RequireCommissioningBody;
using internal::RequireOpenRecommendation;
using internal::RequirePeriod;

namespace {

// The review and the recommendation a command names, after checking the
// review id and number and that the actor is registered.
struct Target {
  Loaded<ReviewState> review;
  Loaded<RecommendationState> rec;
};

absl::StatusOr<Target> LoadTarget(const CommandContext& ctx,
                                  EventSource& source, absl::string_view what,
                                  absl::string_view review_id, int32_t number) {
  RETURN_IF_ERROR(CheckId(absl::StrCat(what, ".review_id"), review_id));
  RETURN_IF_ERROR(
      CheckRecommendationNumber(absl::StrCat(what, ".number"), number));
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  Target t;
  ASSIGN_OR_RETURN(t.review, LoadReview(source, review_id));
  ASSIGN_OR_RETURN(t.rec, LoadRecommendation(source, review_id, number));
  return t;
}

Decision DecideOn(const Target& t) {
  return MakeDecision(
      RecommendationStream(t.rec.state.review_id, t.rec.state.number), t.rec);
}

// The update named by an update id, submitted by the acting agency and
// not withdrawn.
absl::Status RequireOwnUpdate(const CommandContext& ctx, const Target& t,
                              absl::string_view update_id) {
  auto it = t.rec.state.updates.find(update_id);
  if (it == t.rec.state.updates.end()) {
    return NotFound(
        kReasonUpdateNotFound,
        absl::StrCat("progress update \"", update_id, "\" does not exist on ",
                     RecName(t.rec.state.review_id, t.rec.state.number)));
  }
  if (it->second.agency_id != ctx.actor.agency_id()) {
    return PermissionDenied(
        kReasonNotSubmittingAgency,
        absl::StrCat("only ", it->second.agency_id,
                     ", which submitted the update, may correct or withdraw "
                     "it"));
  }
  if (it->second.withdrawn) {
    return FailedPrecondition(
        kReasonUpdateWithdrawn,
        absl::StrCat("progress update \"", update_id, "\" has been withdrawn"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::IssueRecommendationRequest& request,
                                EventSource& source) {
  const v1::RecommendationIssued& r = request.recommendation();
  RETURN_IF_ERROR(CheckId("recommendation.review_id", r.review_id()));
  RETURN_IF_ERROR(
      CheckRecommendationNumber("recommendation.number", r.number()));
  if (!r.theme_id().empty()) {
    RETURN_IF_ERROR(CheckId("recommendation.theme_id", r.theme_id()));
  }
  if (r.text_not_in_source()) {
    if (!r.text().en().empty() || !r.text().cy().empty()) {
      return InvalidArgument(
          kReasonFieldNotAllowed,
          "recommendation.text must be empty when text_not_in_source is set");
    }
  } else {
    RETURN_IF_ERROR(
        CheckText("recommendation.text", r.text(), kMaxTextChars, true));
  }
  if (r.contributing_agency_ids_size() > kMaxListItems) {
    return InvalidArgument(kReasonTooManyItems,
                           "recommendation.contributing_agency_ids: too many");
  }
  ASSIGN_OR_RETURN(ActingAgency actor, LoadActor(ctx, source));
  // Panels and auditors read; they carry out no recommendation.
  const std::initializer_list<v1::AgencyKind> kCanCarryOut = {
      v1::AGENCY_KIND_FORCE, v1::AGENCY_KIND_REVIEWING_BODY,
      v1::AGENCY_KIND_PARTNER};
  RETURN_IF_ERROR(internal::RequireAgencyKind(
      actor.registry.state, "recommendation.owning_agency_id",
      r.owning_agency_id(), kCanCarryOut, "own a recommendation"));
  absl::flat_hash_set<std::string> contributors;
  for (const std::string& id : r.contributing_agency_ids()) {
    RETURN_IF_ERROR(internal::RequireAgencyKind(
        actor.registry.state, "recommendation.contributing_agency_ids", id,
        kCanCarryOut, "contribute to a recommendation"));
    if (id == r.owning_agency_id() || !contributors.insert(id).second) {
      return InvalidArgument(
          kReasonDuplicateValue,
          absl::StrCat("recommendation.contributing_agency_ids: \"", id,
                       "\" is listed twice or is the owning agency"));
    }
  }
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, r.review_id()));
  RETURN_IF_ERROR(
      RequireCommissioningBody(ctx, review.state, "issue recommendations"));
  if (!r.theme_id().empty() && !review.state.HasTheme(r.theme_id())) {
    return NotFound(kReasonThemeNotFound,
                    absl::StrCat("review \"", r.review_id(),
                                 "\" has no theme \"", r.theme_id(), "\""));
  }
  const std::string stream = RecommendationStream(r.review_id(), r.number());
  ASSIGN_OR_RETURN(Loaded<RecommendationState> rec,
                   Load<RecommendationState>(source, stream));
  if (rec.events > 0) {
    return AlreadyExists(
        kReasonRecommendationExists,
        absl::StrCat(RecName(r.review_id(), r.number()), " already exists"));
  }
  Decision d = MakeDecision(stream, rec);
  *d.event.mutable_recommendation_issued() = r;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::SubmitProgressUpdateRequest& request,
                                EventSource& source) {
  v1::ProgressUpdateSubmitted u = request.update();
  ASSIGN_OR_RETURN(
      std::string update_id,
      EntityIdOr("update.update_id", u.update_id(), request.request_id()));
  u.set_update_id(update_id);
  RETURN_IF_ERROR(CheckPeriod("update.period", u.period()));
  RETURN_IF_ERROR(CheckBullets("update.bullets", u.bullets()));
  RETURN_IF_ERROR(CheckLinks("update.evidence", u.evidence()));
  if (!u.agency_id().empty() && u.agency_id() != ctx.actor.agency_id()) {
    return PermissionDenied(
        kReasonNotOwningAgency,
        absl::StrCat("agency \"", ctx.actor.agency_id(),
                     "\" cannot submit an update as \"", u.agency_id(), "\""));
  }
  u.set_agency_id(ctx.actor.agency_id());
  ASSIGN_OR_RETURN(
      Target t, LoadTarget(ctx, source, "update", u.review_id(), u.number()));
  if (!t.rec.state.IsOwnerOrContributor(ctx.actor.agency_id())) {
    return PermissionDenied(kReasonNotOwningAgency,
                            absl::StrCat("agency \"", ctx.actor.agency_id(),
                                         "\" neither owns nor contributes to ",
                                         RecName(u.review_id(), u.number())));
  }
  RETURN_IF_ERROR(RequirePeriod(t.review.state, u.period(), true));
  RETURN_IF_ERROR(RequireOpenRecommendation(t.rec.state));
  if (t.rec.state.updates.contains(update_id)) {
    return AlreadyExists(
        kReasonIdExists,
        absl::StrCat("progress update \"", update_id, "\" already exists"));
  }
  Decision d = DecideOn(t);
  *d.event.mutable_progress_update_submitted() = std::move(u);
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::CorrectProgressUpdateRequest& request,
                                EventSource& source) {
  const v1::ProgressUpdateCorrected& c = request.correction();
  RETURN_IF_ERROR(CheckEntityId("correction.update_id", c.update_id()));
  RETURN_IF_ERROR(CheckBullets("correction.bullets", c.bullets()));
  RETURN_IF_ERROR(CheckLinks("correction.evidence", c.evidence()));
  RETURN_IF_ERROR(
      CheckText("correction.reason", c.reason(), kMaxTextChars, true));
  ASSIGN_OR_RETURN(Target t, LoadTarget(ctx, source, "correction",
                                        c.review_id(), c.number()));
  RETURN_IF_ERROR(RequireOwnUpdate(ctx, t, c.update_id()));
  Decision d = DecideOn(t);
  *d.event.mutable_progress_update_corrected() = c;
  return d;
}

absl::StatusOr<Decision> Decide(
    const CommandContext& ctx, const v1::WithdrawProgressUpdateRequest& request,
    EventSource& source) {
  const v1::ProgressUpdateWithdrawn& w = request.withdrawal();
  RETURN_IF_ERROR(CheckEntityId("withdrawal.update_id", w.update_id()));
  RETURN_IF_ERROR(
      CheckText("withdrawal.reason", w.reason(), kMaxTextChars, true));
  ASSIGN_OR_RETURN(Target t, LoadTarget(ctx, source, "withdrawal",
                                        w.review_id(), w.number()));
  RETURN_IF_ERROR(RequireOwnUpdate(ctx, t, w.update_id()));
  Decision d = DecideOn(t);
  *d.event.mutable_progress_update_withdrawn() = w;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::AssignRatingRequest& request,
                                EventSource& source) {
  const v1::RatingAssigned& r = request.rating();
  RETURN_IF_ERROR(CheckPeriod("rating.period", r.period()));
  RETURN_IF_ERROR(CheckEnum("rating.rating", r.rating(), v1::Rating_IsValid));
  RETURN_IF_ERROR(
      CheckText("rating.rationale", r.rationale(), kMaxTextChars, true));
  ASSIGN_OR_RETURN(
      Target t, LoadTarget(ctx, source, "rating", r.review_id(), r.number()));
  RETURN_IF_ERROR(RequireCommissioningBody(ctx, t.review.state, "rate"));
  RETURN_IF_ERROR(RequirePeriod(t.review.state, r.period(), true));
  RETURN_IF_ERROR(RequireOpenRecommendation(t.rec.state));
  Decision d = DecideOn(t);
  *d.event.mutable_rating_assigned() = r;
  return d;
}

absl::StatusOr<Decision> Decide(
    const CommandContext& ctx,
    const v1::RecordMonitoringActivityRequest& request, EventSource& source) {
  v1::MonitoringActivityRecorded a = request.activity();
  ASSIGN_OR_RETURN(std::string activity_id,
                   EntityIdOr("activity.activity_id", a.activity_id(),
                              request.request_id()));
  a.set_activity_id(activity_id);
  RETURN_IF_ERROR(CheckPeriod("activity.period", a.period()));
  RETURN_IF_ERROR(
      CheckText("activity.description", a.description(), kMaxTextChars, true));
  if (!a.due_on().empty()) {
    RETURN_IF_ERROR(CheckDate("activity.due_on", a.due_on()).status());
  }
  ASSIGN_OR_RETURN(
      Target t, LoadTarget(ctx, source, "activity", a.review_id(), a.number()));
  RETURN_IF_ERROR(RequireCommissioningBody(ctx, t.review.state,
                                           "record monitoring activity"));
  RETURN_IF_ERROR(RequirePeriod(t.review.state, a.period(), false));
  RETURN_IF_ERROR(RequireOpenRecommendation(t.rec.state));
  if (t.rec.state.activities.contains(activity_id)) {
    return AlreadyExists(kReasonIdExists,
                         absl::StrCat("monitoring activity \"", activity_id,
                                      "\" already exists"));
  }
  Decision d = DecideOn(t);
  *d.event.mutable_monitoring_activity_recorded() = std::move(a);
  return d;
}

absl::StatusOr<Decision> Decide(
    const CommandContext& ctx,
    const v1::CompleteMonitoringActivityRequest& request, EventSource& source) {
  const v1::MonitoringActivityCompleted& c = request.completion();
  RETURN_IF_ERROR(CheckEntityId("completion.activity_id", c.activity_id()));
  RETURN_IF_ERROR(
      CheckText("completion.outcome", c.outcome(), kMaxTextChars, true));
  ASSIGN_OR_RETURN(Target t, LoadTarget(ctx, source, "completion",
                                        c.review_id(), c.number()));
  RETURN_IF_ERROR(RequireCommissioningBody(ctx, t.review.state,
                                           "complete monitoring activity"));
  auto it = t.rec.state.activities.find(c.activity_id());
  if (it == t.rec.state.activities.end()) {
    return NotFound(kReasonActivityNotFound,
                    absl::StrCat("monitoring activity \"", c.activity_id(),
                                 "\" does not exist"));
  }
  if (it->second) {
    return FailedPrecondition(
        kReasonActivityCompleted,
        absl::StrCat("monitoring activity \"", c.activity_id(),
                     "\" is already completed"));
  }
  Decision d = DecideOn(t);
  *d.event.mutable_monitoring_activity_completed() = c;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RecordCrossReferenceRequest& request,
                                EventSource& source) {
  v1::CrossReferenceRecorded x = request.cross_reference();
  ASSIGN_OR_RETURN(std::string reference_id,
                   EntityIdOr("cross_reference.reference_id", x.reference_id(),
                              request.request_id()));
  x.set_reference_id(reference_id);
  RETURN_IF_ERROR(CheckEnum("cross_reference.kind", x.kind(),
                            v1::CrossReferenceKind_IsValid));
  RETURN_IF_ERROR(
      CheckText("cross_reference.title", x.title(), kMaxNameChars, true));
  RETURN_IF_ERROR(CheckUrl("cross_reference.url", x.url(), false));
  RETURN_IF_ERROR(
      CheckText("cross_reference.note", x.note(), kMaxTextChars, false));
  const bool to_recommendation =
      x.kind() == v1::CROSS_REFERENCE_KIND_RECOMMENDATION;
  if (to_recommendation) {
    RETURN_IF_ERROR(CheckRecommendationNumber(
        "cross_reference.related_recommendation", x.related_recommendation()));
    if (x.related_recommendation() == x.number()) {
      return InvalidArgument(kReasonInvalidNumber,
                             "a recommendation cannot refer to itself");
    }
  } else if (x.related_recommendation() != 0) {
    return InvalidArgument(kReasonFieldNotAllowed,
                           "cross_reference.related_recommendation is only "
                           "for CROSS_REFERENCE_KIND_RECOMMENDATION");
  }
  ASSIGN_OR_RETURN(Target t, LoadTarget(ctx, source, "cross_reference",
                                        x.review_id(), x.number()));
  if (ctx.actor.agency_id() != t.rec.state.owning_agency_id &&
      ctx.actor.agency_id() != t.review.state.commissioning_agency_id) {
    return PermissionDenied(
        kReasonNotOwningAgency,
        "only the owning agency or the reviewing body records a "
        "cross-reference");
  }
  if (to_recommendation) {
    RETURN_IF_ERROR(
        LoadRecommendation(source, x.review_id(), x.related_recommendation())
            .status());
  }
  if (t.rec.state.reference_ids.contains(reference_id)) {
    return AlreadyExists(
        kReasonIdExists,
        absl::StrCat("cross-reference \"", reference_id, "\" already exists"));
  }
  Decision d = DecideOn(t);
  *d.event.mutable_cross_reference_recorded() = std::move(x);
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::CloseRecommendationRequest& request,
                                EventSource& source) {
  const v1::RecommendationClosed& c = request.closure();
  RETURN_IF_ERROR(CheckPlainText("closure.decided_by", c.decided_by(),
                                 kMaxPersonChars, true));
  RETURN_IF_ERROR(
      CheckText("closure.rationale", c.rationale(), kMaxTextChars, true));
  ASSIGN_OR_RETURN(
      Target t, LoadTarget(ctx, source, "closure", c.review_id(), c.number()));
  RETURN_IF_ERROR(
      RequireCommissioningBody(ctx, t.review.state, "close recommendations"));
  RETURN_IF_ERROR(RequireOpenRecommendation(t.rec.state));
  Decision d = DecideOn(t);
  *d.event.mutable_recommendation_closed() = c;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::ReopenRecommendationRequest& request,
                                EventSource& source) {
  const v1::RecommendationReopened& r = request.reopening();
  RETURN_IF_ERROR(CheckPlainText("reopening.decided_by", r.decided_by(),
                                 kMaxPersonChars, true));
  RETURN_IF_ERROR(
      CheckText("reopening.rationale", r.rationale(), kMaxTextChars, true));
  ASSIGN_OR_RETURN(Target t, LoadTarget(ctx, source, "reopening", r.review_id(),
                                        r.number()));
  RETURN_IF_ERROR(
      RequireCommissioningBody(ctx, t.review.state, "reopen recommendations"));
  if (!t.rec.state.closed) {
    return FailedPrecondition(
        kReasonRecommendationOpen,
        absl::StrCat(RecName(r.review_id(), r.number()), " is not closed"));
  }
  Decision d = DecideOn(t);
  *d.event.mutable_recommendation_reopened() = r;
  return d;
}

}  // namespace oversight::projections
