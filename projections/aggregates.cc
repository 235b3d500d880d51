#include "projections/aggregates.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace oversight::projections {

std::string ReviewStream(absl::string_view review_id) {
  return absl::StrCat("review-", review_id);
}

std::string RecommendationStream(absl::string_view review_id, int32_t number) {
  return absl::StrCat("recommendation-", review_id, "-", number);
}

std::string ProgrammeStream(absl::string_view programme_id) {
  return absl::StrCat("programme-", programme_id);
}

bool IsDomainStream(absl::string_view stream) {
  return stream == kAgenciesStream || absl::StartsWith(stream, "review-") ||
         absl::StartsWith(stream, "recommendation-") ||
         absl::StartsWith(stream, "programme-");
}

std::string EventTypeName(const v1::DomainEvent& event) {
  const google::protobuf::OneofDescriptor* oneof =
      v1::DomainEvent::descriptor()->FindOneofByName("payload");
  const google::protobuf::FieldDescriptor* field =
      v1::DomainEvent::GetReflection()->GetOneofFieldDescriptor(event, oneof);
  if (field == nullptr) return "";
  return field->message_type()->full_name();
}

std::string EntityIdOf(const v1::DomainEvent& e) {
  using E = v1::DomainEvent;
  switch (e.payload_case()) {
    case E::kAgencyRegistered:
      return e.agency_registered().agency_id();
    case E::kReviewOpened:
      return e.review_opened().review_id();
    case E::kRecommendationIssued:
      return absl::StrCat(e.recommendation_issued().number());
    case E::kReportingPeriodOpened:
      return e.reporting_period_opened().period();
    case E::kReportingPeriodClosed:
      return e.reporting_period_closed().period();
    case E::kProgressUpdateSubmitted:
      return e.progress_update_submitted().update_id();
    case E::kProgressUpdateCorrected:
      return e.progress_update_corrected().update_id();
    case E::kProgressUpdateWithdrawn:
      return e.progress_update_withdrawn().update_id();
    case E::kRatingAssigned:
      return e.rating_assigned().period();
    case E::kMonitoringActivityRecorded:
      return e.monitoring_activity_recorded().activity_id();
    case E::kMonitoringActivityCompleted:
      return e.monitoring_activity_completed().activity_id();
    case E::kMeetingObserved:
      return e.meeting_observed().meeting_id();
    case E::kRiskRaised:
      return e.risk_raised().risk_id();
    case E::kRiskResolved:
      return e.risk_resolved().risk_id();
    case E::kProgrammeRegistered:
      return e.programme_registered().programme_id();
    case E::kPartnerReportSubmitted:
      return e.partner_report_submitted().report_id();
    case E::kCrossReferenceRecorded:
      return e.cross_reference_recorded().reference_id();
    case E::kRecommendationClosed:
      return absl::StrCat(e.recommendation_closed().number());
    case E::kRecommendationReopened:
      return absl::StrCat(e.recommendation_reopened().number());
    case E::kConclusionRecorded:
      return e.conclusion_recorded().period();
    case E::kReportPublished: {
      // "2025-01.cy.html": the period, language and format, as a file name.
      const v1::ReportPublished& r = e.report_published();
      return absl::StrCat(
          r.period(), ".",
          r.language() == v1::REPORT_LANGUAGE_WELSH ? "cy" : "en", ".",
          r.format() == v1::REPORT_FORMAT_HTML ? "html" : "md");
    }
    // The server's own record, not an entity of the domain.
    case E::kAccessRecorded:
    case E::PAYLOAD_NOT_SET:
      break;
  }
  return "";
}

const AgencyRegistry::Agency* AgencyRegistry::Find(absl::string_view id) const {
  auto it = agencies.find(id);
  return it == agencies.end() ? nullptr : &it->second;
}

void AgencyRegistry::Apply(const v1::DomainEvent& event) {
  if (!event.has_agency_registered()) return;
  const v1::AgencyRegistered& e = event.agency_registered();
  agencies[e.agency_id()] = Agency{e.kind(), e.name()};
}

bool ReviewState::HasTheme(absl::string_view id) const {
  return std::find(theme_ids.begin(), theme_ids.end(), id) != theme_ids.end();
}

void ReviewState::Apply(const v1::DomainEvent& event) {
  switch (event.payload_case()) {
    case v1::DomainEvent::kReviewOpened: {
      const v1::ReviewOpened& e = event.review_opened();
      exists = true;
      review_id = e.review_id();
      commissioning_agency_id = e.commissioning_agency_id();
      for (const v1::Theme& t : e.themes()) theme_ids.push_back(t.id());
      break;
    }
    case v1::DomainEvent::kReportingPeriodOpened: {
      const v1::ReportingPeriodOpened& e = event.reporting_period_opened();
      periods[e.period()] = Period{true, e.submissions_due_on()};
      break;
    }
    case v1::DomainEvent::kReportingPeriodClosed:
      periods[event.reporting_period_closed().period()].open = false;
      break;
    case v1::DomainEvent::kMeetingObserved:
      meeting_ids.insert(event.meeting_observed().meeting_id());
      break;
    case v1::DomainEvent::kRiskRaised:
      risks[event.risk_raised().risk_id()] =
          Risk{event.actor().agency_id(), false};
      break;
    case v1::DomainEvent::kRiskResolved:
      risks[event.risk_resolved().risk_id()].resolved = true;
      break;
    default:
      break;
  }
}

bool RecommendationState::IsOwnerOrContributor(
    absl::string_view agency_id) const {
  return agency_id == owning_agency_id ||
         std::find(contributing_agency_ids.begin(),
                   contributing_agency_ids.end(),
                   agency_id) != contributing_agency_ids.end();
}

void RecommendationState::Apply(const v1::DomainEvent& event) {
  switch (event.payload_case()) {
    case v1::DomainEvent::kRecommendationIssued: {
      const v1::RecommendationIssued& e = event.recommendation_issued();
      exists = true;
      review_id = e.review_id();
      number = e.number();
      owning_agency_id = e.owning_agency_id();
      contributing_agency_ids.assign(e.contributing_agency_ids().begin(),
                                     e.contributing_agency_ids().end());
      break;
    }
    case v1::DomainEvent::kProgressUpdateSubmitted: {
      const v1::ProgressUpdateSubmitted& e = event.progress_update_submitted();
      updates[e.update_id()] = Update{e.agency_id(), e.period(), false};
      break;
    }
    case v1::DomainEvent::kProgressUpdateWithdrawn:
      updates[event.progress_update_withdrawn().update_id()].withdrawn = true;
      break;
    case v1::DomainEvent::kRatingAssigned:
      ratings[event.rating_assigned().period()] =
          event.rating_assigned().rating();
      break;
    case v1::DomainEvent::kMonitoringActivityRecorded:
      activities[event.monitoring_activity_recorded().activity_id()] = false;
      break;
    case v1::DomainEvent::kMonitoringActivityCompleted:
      activities[event.monitoring_activity_completed().activity_id()] = true;
      break;
    case v1::DomainEvent::kCrossReferenceRecorded:
      reference_ids.insert(event.cross_reference_recorded().reference_id());
      break;
    case v1::DomainEvent::kRecommendationClosed:
      closed = true;
      break;
    case v1::DomainEvent::kRecommendationReopened:
      closed = false;
      break;
    default:
      break;
  }
}

void ProgrammeState::Apply(const v1::DomainEvent& event) {
  switch (event.payload_case()) {
    case v1::DomainEvent::kProgrammeRegistered: {
      const v1::ProgrammeRegistered& e = event.programme_registered();
      exists = true;
      programme_id = e.programme_id();
      owning_agency_id = e.owning_agency_id();
      review_id = e.review_id();
      break;
    }
    case v1::DomainEvent::kPartnerReportSubmitted:
      quarters.insert(event.partner_report_submitted().quarter());
      report_ids.insert(event.partner_report_submitted().report_id());
      break;
    default:
      break;
  }
}

}  // namespace oversight::projections
