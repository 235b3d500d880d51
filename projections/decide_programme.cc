// Decisions on partners' programmes and their quarterly reports.

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
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

namespace {

absl::Status CheckFigureKey(absl::string_view field, absl::string_view key) {
  bool ok = !key.empty() && key.size() <= 64;
  for (char c : key) {
    ok = ok && (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'z') || c == '_');
  }
  if (!ok) {
    return InvalidArgument(
        kReasonInvalidId,
        absl::StrCat(field, " is not a figure key (1 to 64 of a-z, 0-9, _)"));
  }
  return absl::OkStatus();
}

absl::Status CheckFigures(
    const google::protobuf::RepeatedPtrField<v1::Figure>& figures) {
  if (figures.size() > kMaxListItems) {
    return InvalidArgument(
        kReasonTooManyItems,
        absl::StrCat("report.figures: at most ", kMaxListItems, " figures"));
  }
  absl::flat_hash_set<std::string> keys;
  for (int i = 0; i < figures.size(); ++i) {
    const std::string field = absl::StrCat("report.figures[", i, "]");
    const v1::Figure& f = figures[i];
    RETURN_IF_ERROR(CheckFigureKey(absl::StrCat(field, ".key"), f.key()));
    if (!keys.insert(f.key()).second) {
      return InvalidArgument(
          kReasonDuplicateValue,
          absl::StrCat(field, ".key \"", f.key(), "\" appears twice"));
    }
    if (f.value() < 0) {
      return InvalidArgument(
          kReasonInvalidNumber,
          absl::StrCat(field, ".value is negative; figures count things"));
    }
    RETURN_IF_ERROR(CheckText(absl::StrCat(field, ".label"), f.label(),
                              kMaxNameChars, true));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::RegisterProgrammeRequest& request,
                                EventSource& source) {
  const v1::ProgrammeRegistered& p = request.programme();
  RETURN_IF_ERROR(CheckId("programme.programme_id", p.programme_id()));
  RETURN_IF_ERROR(CheckText("programme.name", p.name(), kMaxNameChars, true));
  RETURN_IF_ERROR(CheckId("programme.review_id", p.review_id()));
  RETURN_IF_ERROR(CheckRecommendationNumbers(
      "programme.related_recommendations", p.related_recommendations()));
  RETURN_IF_ERROR(
      CheckPastDate("programme.started_on", p.started_on(), ctx.now));
  ASSIGN_OR_RETURN(ActingAgency actor, LoadActor(ctx, source));
  RETURN_IF_ERROR(internal::RequireAgencyKind(
      actor.registry.state, "programme.owning_agency_id", p.owning_agency_id(),
      {v1::AGENCY_KIND_PARTNER}, "run a programme"));
  ASSIGN_OR_RETURN(Loaded<ReviewState> review,
                   LoadReview(source, p.review_id()));
  if (ctx.actor.agency_id() != p.owning_agency_id() &&
      ctx.actor.agency_id() != review.state.commissioning_agency_id) {
    return PermissionDenied(
        kReasonProgrammeOwnerOnly,
        "a programme is registered by the agency that runs it or by the "
        "review's reviewing body");
  }
  RETURN_IF_ERROR(internal::RequireRecommendations(
      source, p.review_id(), p.related_recommendations()));
  const std::string stream = ProgrammeStream(p.programme_id());
  ASSIGN_OR_RETURN(Loaded<ProgrammeState> programme,
                   Load<ProgrammeState>(source, stream));
  if (programme.events > 0) {
    return AlreadyExists(
        kReasonProgrammeExists,
        absl::StrCat("programme \"", p.programme_id(), "\" already exists"));
  }
  Decision d = MakeDecision(stream, programme);
  *d.event.mutable_programme_registered() = p;
  return d;
}

absl::StatusOr<Decision> Decide(const CommandContext& ctx,
                                const v1::SubmitPartnerReportRequest& request,
                                EventSource& source) {
  v1::PartnerReportSubmitted r = request.report();
  RETURN_IF_ERROR(CheckId("report.programme_id", r.programme_id()));
  ASSIGN_OR_RETURN(
      std::string report_id,
      EntityIdOr("report.report_id", r.report_id(), request.request_id()));
  r.set_report_id(report_id);
  RETURN_IF_ERROR(CheckQuarter("report.quarter", r.quarter()));
  RETURN_IF_ERROR(CheckFigures(r.figures()));
  RETURN_IF_ERROR(
      CheckParagraphs("report.narrative", r.narrative(), kMaxBullets, false));
  if (r.figures().empty() && r.narrative().empty()) {
    return InvalidArgument(kReasonMissingField,
                           "a report needs figures or a narrative");
  }
  RETURN_IF_ERROR(LoadActor(ctx, source).status());
  const std::string stream = ProgrammeStream(r.programme_id());
  ASSIGN_OR_RETURN(Loaded<ProgrammeState> programme,
                   Load<ProgrammeState>(source, stream));
  if (!programme.state.exists) {
    return NotFound(
        kReasonProgrammeNotFound,
        absl::StrCat("programme \"", r.programme_id(), "\" does not exist"));
  }
  if (ctx.actor.agency_id() != programme.state.owning_agency_id) {
    return PermissionDenied(
        kReasonProgrammeOwnerOnly,
        absl::StrCat("only ", programme.state.owning_agency_id,
                     " reports on programme \"", r.programme_id(), "\""));
  }
  if (programme.state.quarters.contains(r.quarter())) {
    return AlreadyExists(
        kReasonPartnerReportExists,
        absl::StrCat("programme \"", r.programme_id(),
                     "\" already has a report for ", r.quarter()));
  }
  if (programme.state.report_ids.contains(report_id)) {
    return AlreadyExists(kReasonIdExists, absl::StrCat("report \"", report_id,
                                                       "\" already exists"));
  }
  Decision d = MakeDecision(stream, programme);
  *d.event.mutable_partner_report_submitted() = std::move(r);
  return d;
}

}  // namespace oversight::projections
