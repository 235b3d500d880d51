// Decisions on agencies and on review-level facts: the review itself, its
// reporting periods, observed meetings, risks, conclusions and published
// reports.

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
using internal::LoadReview;
using internal::MakeDecision;
using internal::RequireCommissioningBody;

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RegisterAgencyRequest& request,
                                EventSource& source) {
  const v1::AgencyRegistered& a = request.agency();
  RETURN_IF_ERROR(CheckId("agency.agency_id", a.agency_id()));
  RETURN_IF_ERROR(CheckText("agency.name", a.name(), kMaxNameChars, true));
  RETURN_IF_ERROR(CheckEnum("agency.kind", a.kind(), v1::AgencyKind_IsValid));
  ASSIGN_OR_RETURN(Loaded<AgencyRegistry> registry,
                   Load<AgencyRegistry>(source, kAgenciesStream));
  if (registry.events == 0) {
    // Bootstrap: the first agency is a reviewing body registering itself.
    if (a.agency_id() != ctx.actor.agency_id() ||
        a.kind() != v1::AGENCY_KIND_REVIEWING_BODY) {
      return PermissionDenied(
          kReasonAgencyNotRegistered,
          "no agency is registered yet: the first must be a reviewing body "
          "registering itself");
    }
  } else {
    const AgencyRegistry::Agency* actor =
        registry.state.Find(ctx.actor.agency_id());
    if (actor == nullptr) {
      return PermissionDenied(kReasonAgencyNotRegistered,
                              absl::StrCat("agency \"", ctx.actor.agency_id(),
                                           "\" is not registered"));
    }
    if (actor->kind != v1::AGENCY_KIND_REVIEWING_BODY) {
      return PermissionDenied(kReasonReviewingBodyOnly,
                              "only a reviewing body registers agencies");
    }
  }
  if (registry.state.Find(a.agency_id()) != nullptr) {
    return AlreadyExists(
        kReasonAgencyExists,
        absl::StrCat("agency \"", a.agency_id(), "\" is already registered"));
  }
  Decision d = MakeDecision(kAgenciesStream, registry);
  *d.event.mutable_agency_registered() = a;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::OpenReviewRequest& request,
                                EventSource& source) {
  v1::ReviewOpened r = request.review();
  if (r.commissioning_agency_id().empty()) {
    r.set_commissioning_agency_id(ctx.actor.agency_id());
  }
  RETURN_IF_ERROR(CheckId("review.review_id", r.review_id()));
  RETURN_IF_ERROR(CheckText("review.title", r.title(), kMaxNameChars, true));
  RETURN_IF_ERROR(
      CheckText("review.question", r.question(), kMaxNameChars, true));
  RETURN_IF_ERROR(
      CheckId("review.commissioning_agency_id", r.commissioning_agency_id()));
  RETURN_IF_ERROR(CheckPastDate("review.opened_on", r.opened_on(), ctx.now));
  if (r.themes().empty() || r.themes_size() > kMaxListItems) {
    return InvalidArgument(
        r.themes().empty() ? kReasonMissingField : kReasonTooManyItems,
        absl::StrCat("review.themes: 1 to ", kMaxListItems,
                     " themes are required"));
  }
  absl::flat_hash_set<std::string> theme_ids;
  for (int i = 0; i < r.themes_size(); ++i) {
    const std::string field = absl::StrCat("review.themes[", i, "]");
    RETURN_IF_ERROR(CheckId(absl::StrCat(field, ".id"), r.themes(i).id()));
    RETURN_IF_ERROR(CheckText(absl::StrCat(field, ".name"), r.themes(i).name(),
                              kMaxNameChars, true));
    if (!theme_ids.insert(r.themes(i).id()).second) {
      return InvalidArgument(
          kReasonDuplicateValue,
          absl::StrCat(field, ".id \"", r.themes(i).id(), "\" appears twice"));
    }
  }
  if (r.has_full_report()) {
    RETURN_IF_ERROR(CheckLink("review.full_report", r.full_report()));
  }
  ASSIGN_OR_RETURN(ActingAgency actor, LoadActor(ctx, source));
  if (actor.agency.kind != v1::AGENCY_KIND_REVIEWING_BODY ||
      r.commissioning_agency_id() != ctx.actor.agency_id()) {
    return PermissionDenied(
        kReasonReviewingBodyOnly,
        "only a reviewing body opens a review, as its commissioning body");
  }
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   Load<ReviewState>(source, ReviewStream(r.review_id())));
  if (review.events > 0) {
    return AlreadyExists(
        kReasonReviewExists,
        absl::StrCat("review \"", r.review_id(), "\" already exists"));
  }
  Decision d = MakeDecision(ReviewStream(r.review_id()), review);
  *d.event.mutable_review_opened() = std::move(r);
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::OpenReportingPeriodRequest& request,
                                EventSource& source) {
  const v1::ReportingPeriodOpened& p = request.period();
  RETURN_IF_ERROR(CheckId("period.review_id", p.review_id()));
  RETURN_IF_ERROR(CheckPeriod("period.period", p.period()));
  if (!p.submissions_due_on().empty()) {
    RETURN_IF_ERROR(
        CheckFullDate("period.submissions_due_on", p.submissions_due_on())
            .status());
  }
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, p.review_id()));
  RETURN_IF_ERROR(
      RequireCommissioningBody(ctx, review.state, "open a reporting period"));
  if (review.state.periods.count(p.period()) > 0) {
    return AlreadyExists(
        kReasonPeriodExists,
        absl::StrCat("reporting period ", p.period(), " was already opened"));
  }
  Decision d = MakeDecision(ReviewStream(p.review_id()), review);
  *d.event.mutable_reporting_period_opened() = p;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::CloseReportingPeriodRequest& request,
                                EventSource& source) {
  const v1::ReportingPeriodClosed& p = request.period();
  RETURN_IF_ERROR(CheckId("period.review_id", p.review_id()));
  RETURN_IF_ERROR(CheckPeriod("period.period", p.period()));
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, p.review_id()));
  RETURN_IF_ERROR(
      RequireCommissioningBody(ctx, review.state, "close a reporting period"));
  RETURN_IF_ERROR(internal::RequirePeriod(review.state, p.period(), true));
  Decision d = MakeDecision(ReviewStream(p.review_id()), review);
  *d.event.mutable_reporting_period_closed() = p;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RecordMeetingObservedRequest& request,
                                EventSource& source) {
  v1::MeetingObserved m = request.meeting();
  RETURN_IF_ERROR(CheckId("meeting.review_id", m.review_id()));
  ASSIGN_OR_RETURN(
      std::string meeting_id,
      EntityIdOr("meeting.meeting_id", m.meeting_id(), request.request_id()));
  m.set_meeting_id(meeting_id);
  RETURN_IF_ERROR(CheckEnum("meeting.kind", m.kind(), v1::MeetingKind_IsValid));
  RETURN_IF_ERROR(CheckText("meeting.title", m.title(), kMaxNameChars, true));
  RETURN_IF_ERROR(CheckPastDate("meeting.held_on", m.held_on(), ctx.now));
  RETURN_IF_ERROR(
      CheckParagraphs("meeting.findings", m.findings(), kMaxListItems, false));
  RETURN_IF_ERROR(CheckRecommendationNumbers("meeting.related_recommendations",
                                             m.related_recommendations()));
  if (m.attending_agency_ids_size() > kMaxListItems) {
    return InvalidArgument(kReasonTooManyItems,
                           "meeting.attending_agency_ids: too many agencies");
  }
  ASSIGN_OR_RETURN(ActingAgency actor, LoadActor(ctx, source));
  for (const std::string& id : m.attending_agency_ids()) {
    RETURN_IF_ERROR(internal::RequireAgency(
        actor.registry.state, "meeting.attending_agency_ids", id));
  }
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, m.review_id()));
  RETURN_IF_ERROR(RequireCommissioningBody(ctx, review.state,
                                           "record an observed meeting"));
  RETURN_IF_ERROR(internal::RequireRecommendations(
      source, m.review_id(), m.related_recommendations()));
  if (review.state.meeting_ids.contains(meeting_id)) {
    return AlreadyExists(
        kReasonIdExists,
        absl::StrCat("meeting \"", meeting_id, "\" is already recorded"));
  }
  Decision d = MakeDecision(ReviewStream(m.review_id()), review);
  *d.event.mutable_meeting_observed() = std::move(m);
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RaiseRiskRequest& request,
                                EventSource& source) {
  v1::RiskRaised r = request.risk();
  RETURN_IF_ERROR(CheckId("risk.review_id", r.review_id()));
  ASSIGN_OR_RETURN(std::string risk_id, EntityIdOr("risk.risk_id", r.risk_id(),
                                                   request.request_id()));
  r.set_risk_id(risk_id);
  RETURN_IF_ERROR(
      CheckEnum("risk.category", r.category(), v1::RiskCategory_IsValid));
  RETURN_IF_ERROR(
      CheckText("risk.description", r.description(), kMaxTextChars, true));
  RETURN_IF_ERROR(CheckRecommendationNumbers("risk.related_recommendations",
                                             r.related_recommendations()));
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, r.review_id()));
  const bool reviewing_body =
      ctx.actor.agency_id() == review.state.commissioning_agency_id;
  for (int32_t n : r.related_recommendations()) {
    ASSIGN_OR_RETURN(Loaded<RecommendationState> rec,
                     internal::LoadRecommendation(source, r.review_id(), n));
    if (!reviewing_body &&
        !rec.state.IsOwnerOrContributor(ctx.actor.agency_id())) {
      return PermissionDenied(
          kReasonNotOwningAgency,
          absl::StrCat("agency \"", ctx.actor.agency_id(),
                       "\" neither owns nor contributes to ",
                       internal::RecName(r.review_id(), n)));
    }
  }
  if (!reviewing_body && r.related_recommendations().empty()) {
    return PermissionDenied(
        kReasonNotOwningAgency,
        "only the reviewing body raises a risk on the whole review; name the "
        "recommendations it threatens");
  }
  if (review.state.risks.contains(risk_id)) {
    return AlreadyExists(kReasonIdExists,
                         absl::StrCat("risk \"", risk_id, "\" already exists"));
  }
  Decision d = MakeDecision(ReviewStream(r.review_id()), review);
  *d.event.mutable_risk_raised() = std::move(r);
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::ResolveRiskRequest& request,
                                EventSource& source) {
  const v1::RiskResolved& r = request.resolution();
  RETURN_IF_ERROR(CheckId("resolution.review_id", r.review_id()));
  RETURN_IF_ERROR(CheckEntityId("resolution.risk_id", r.risk_id()));
  RETURN_IF_ERROR(
      CheckText("resolution.resolution", r.resolution(), kMaxTextChars, true));
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, r.review_id()));
  auto it = review.state.risks.find(r.risk_id());
  if (it == review.state.risks.end()) {
    return NotFound(kReasonRiskNotFound,
                    absl::StrCat("risk \"", r.risk_id(), "\" does not exist"));
  }
  if (ctx.actor.agency_id() != it->second.raised_by &&
      ctx.actor.agency_id() != review.state.commissioning_agency_id) {
    return PermissionDenied(kReasonNotRiskOwner,
                            "only the agency that raised a risk, or the "
                            "reviewing body, resolves it");
  }
  if (it->second.resolved) {
    return FailedPrecondition(
        kReasonRiskResolved,
        absl::StrCat("risk \"", r.risk_id(), "\" is already resolved"));
  }
  Decision d = MakeDecision(ReviewStream(r.review_id()), review);
  *d.event.mutable_risk_resolved() = r;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RecordConclusionRequest& request,
                                EventSource& source) {
  const v1::ConclusionRecorded& c = request.conclusion();
  RETURN_IF_ERROR(CheckId("conclusion.review_id", c.review_id()));
  RETURN_IF_ERROR(CheckPeriod("conclusion.period", c.period()));
  RETURN_IF_ERROR(CheckParagraphs("conclusion.paragraphs", c.paragraphs(),
                                  kMaxBullets, true));
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, c.review_id()));
  RETURN_IF_ERROR(
      RequireCommissioningBody(ctx, review.state, "record a conclusion"));
  RETURN_IF_ERROR(internal::RequirePeriod(review.state, c.period(), false));
  Decision d = MakeDecision(ReviewStream(c.review_id()), review);
  *d.event.mutable_conclusion_recorded() = c;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::PublishReportRequest& request,
                                EventSource& source) {
  v1::ReportPublished r = request.report();
  RETURN_IF_ERROR(CheckId("report.review_id", r.review_id()));
  RETURN_IF_ERROR(CheckPeriod("report.period", r.period()));
  ASSIGN_OR_RETURN(ReportLanguage language,
                   CheckReportLanguage("report.language", r.language()));
  ASSIGN_OR_RETURN(ReportFormat format,
                   CheckReportFormat("report.format", r.format()));
  // The seal is the server's to compute, never the client's to claim.
  if (!r.sha256().empty() || r.byte_size() != 0) {
    return InvalidArgument(kReasonFieldNotAllowed,
                           "report.sha256 and report.byte_size are computed "
                           "by the server; leave them empty");
  }
  if (ctx.reports == nullptr) {
    return Unimplemented(kReasonReportsUnavailable,
                         "this server cannot render reports to publish");
  }
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, r.review_id()));
  RETURN_IF_ERROR(
      RequireCommissioningBody(ctx, review.state, "publish a report"));
  RETURN_IF_ERROR(internal::RequirePeriod(review.state, r.period(), false));
  ASSIGN_OR_RETURN(uint64_t head, ctx.reports->Head());
  if (r.rendered_position() > head) {
    return InvalidArgument(
        kReasonPositionPastHead,
        absl::StrCat("report.rendered_position ", r.rendered_position(),
                     " is past the log's head, ", head));
  }
  if (r.rendered_position() == 0) r.set_rendered_position(head);
  ReportRequest render;
  render.review_id = r.review_id();
  render.period = r.period();
  render.language = language;
  render.format = format;
  render.position = r.rendered_position();
  ASSIGN_OR_RETURN(ReportSealer::Sealed sealed, ctx.reports->Seal(render));
  r.set_sha256(sealed.sha256);
  r.set_byte_size(sealed.byte_size);
  Decision d = MakeDecision(ReviewStream(r.review_id()), review);
  *d.event.mutable_report_published() = std::move(r);
  return d;
}

}  // namespace oversight::projections
