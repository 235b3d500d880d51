// The fold behind a progress report (report_model.h). Each official event
// about the review changes the model; events about anything the model does
// not hold (a sensitive recommendation's update, another review's risk) are
// ignored, so nothing reaches the report through an event it never saw.

#include "projections/report_model.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "projections/domain_errors.h"

namespace oversight::projections::report {
namespace {

bool IsOfficial(const v1::DomainEvent& e) {
  return e.classification() == v1::CLASSIFICATION_OFFICIAL;
}

Recommendation* FindRec(ReportModel* model, absl::string_view review_id,
                        absl::string_view wanted, int32_t number) {
  if (review_id != wanted) return nullptr;
  auto it = model->recommendations.find(number);
  return it == model->recommendations.end() ? nullptr : &it->second;
}

Update* FindUpdate(Recommendation* rec, absl::string_view update_id) {
  if (rec == nullptr) return nullptr;
  for (Update& u : rec->updates) {
    if (u.update_id == update_id) return &u;
  }
  return nullptr;
}

// Folds one official event into `model`, whose review is already open.
void ApplyToReview(const RecordedDomainEvent& r, absl::string_view id,
                   ReportModel* model) {
  const v1::DomainEvent& e = r.event;
  switch (e.payload_case()) {
    case v1::DomainEvent::kReportingPeriodOpened: {
      const auto& o = e.reporting_period_opened();
      if (o.review_id() != id) break;
      auto& periods = model->periods;
      if (std::find(periods.begin(), periods.end(), o.period()) ==
          periods.end()) {
        periods.push_back(o.period());
        std::sort(periods.begin(), periods.end());
      }
      break;
    }
    case v1::DomainEvent::kRecommendationIssued: {
      const auto& o = e.recommendation_issued();
      if (o.review_id() != id) break;
      Recommendation& rec = model->recommendations[o.number()];
      rec.number = o.number();
      rec.theme_id = o.theme_id();
      rec.text = o.text();
      rec.text_not_in_source = o.text_not_in_source();
      rec.owning_agency_id = o.owning_agency_id();
      break;
    }
    case v1::DomainEvent::kProgressUpdateSubmitted: {
      const auto& o = e.progress_update_submitted();
      Recommendation* rec = FindRec(model, o.review_id(), id, o.number());
      if (rec == nullptr) break;
      Update& u = rec->updates.emplace_back();
      u.update_id = o.update_id();
      u.period = o.period();
      u.agency_id = o.agency_id();
      u.bullets.assign(o.bullets().begin(), o.bullets().end());
      u.evidence.assign(o.evidence().begin(), o.evidence().end());
      break;
    }
    case v1::DomainEvent::kProgressUpdateCorrected: {
      const auto& o = e.progress_update_corrected();
      Update* u = FindUpdate(FindRec(model, o.review_id(), id, o.number()),
                             o.update_id());
      if (u == nullptr) break;
      u->bullets.assign(o.bullets().begin(), o.bullets().end());
      u->evidence.assign(o.evidence().begin(), o.evidence().end());
      break;
    }
    case v1::DomainEvent::kProgressUpdateWithdrawn: {
      const auto& o = e.progress_update_withdrawn();
      Update* u = FindUpdate(FindRec(model, o.review_id(), id, o.number()),
                             o.update_id());
      if (u != nullptr) u->withdrawn = true;
      break;
    }
    case v1::DomainEvent::kRatingAssigned: {
      const auto& o = e.rating_assigned();
      Recommendation* rec = FindRec(model, o.review_id(), id, o.number());
      if (rec == nullptr) break;
      rec->ratings[o.period()] = Rating{o.rating(), o.rationale()};
      break;
    }
    case v1::DomainEvent::kMonitoringActivityRecorded: {
      const auto& o = e.monitoring_activity_recorded();
      Recommendation* rec = FindRec(model, o.review_id(), id, o.number());
      if (rec == nullptr) break;
      Activity& a = rec->activities.emplace_back();
      a.activity_id = o.activity_id();
      a.period = o.period();
      a.description = o.description();
      a.due_on = o.due_on();
      break;
    }
    case v1::DomainEvent::kMonitoringActivityCompleted: {
      const auto& o = e.monitoring_activity_completed();
      Recommendation* rec = FindRec(model, o.review_id(), id, o.number());
      if (rec == nullptr) break;
      for (Activity& a : rec->activities) {
        if (a.activity_id == o.activity_id()) {
          a.completed = true;
          a.completed_at = r.occurred_at();
          a.outcome = o.outcome();
        }
      }
      break;
    }
    case v1::DomainEvent::kRecommendationClosed: {
      const auto& o = e.recommendation_closed();
      Recommendation* rec = FindRec(model, o.review_id(), id, o.number());
      if (rec != nullptr) {
        rec->closures.push_back(Closure{true, r.occurred_at(), o.decided_by()});
      }
      break;
    }
    case v1::DomainEvent::kRecommendationReopened: {
      const auto& o = e.recommendation_reopened();
      Recommendation* rec = FindRec(model, o.review_id(), id, o.number());
      if (rec != nullptr) {
        rec->closures.push_back(
            Closure{false, r.occurred_at(), o.decided_by()});
      }
      break;
    }
    case v1::DomainEvent::kMeetingObserved:
      if (e.meeting_observed().review_id() == id) {
        model->meetings.push_back(e.meeting_observed());
      }
      break;
    case v1::DomainEvent::kRiskRaised:
      if (e.risk_raised().review_id() == id) {
        Risk& risk = model->risks.emplace_back();
        risk.raised = e.risk_raised();
        risk.raised_at = r.occurred_at();
      }
      break;
    case v1::DomainEvent::kRiskResolved: {
      const auto& o = e.risk_resolved();
      if (o.review_id() != id) break;
      for (Risk& risk : model->risks) {
        if (risk.raised.risk_id() == o.risk_id() && !risk.resolved) {
          risk.resolved = true;
          risk.resolved_at = r.occurred_at();
        }
      }
      break;
    }
    case v1::DomainEvent::kProgrammeRegistered:
      if (e.programme_registered().review_id() == id) {
        model->programmes.push_back(Programme{e.programme_registered(), {}});
      }
      break;
    case v1::DomainEvent::kPartnerReportSubmitted: {
      const auto& o = e.partner_report_submitted();
      for (Programme& p : model->programmes) {
        if (p.registered.programme_id() == o.programme_id()) {
          p.reports.push_back(o);
        }
      }
      break;
    }
    case v1::DomainEvent::kConclusionRecorded: {
      const auto& o = e.conclusion_recorded();
      if (o.review_id() != id) break;
      model->conclusions[o.period()].assign(o.paragraphs().begin(),
                                            o.paragraphs().end());
      break;
    }
    default:
      break;
  }
}

}  // namespace

std::optional<v1::LocalizedText> ReportModel::AgencyName(
    absl::string_view agency_id) const {
  auto it = agencies.find(std::string(agency_id));
  if (it != agencies.end() && !it->second.name().en().empty()) {
    return it->second.name();
  }
  return std::nullopt;
}

std::optional<v1::LocalizedText> ReportModel::ThemeName(
    absl::string_view theme_id) const {
  for (const v1::Theme& t : review.themes()) {
    if (t.id() == theme_id) return t.name();
  }
  return std::nullopt;
}

std::string ReportModel::PreviousPeriod(absl::string_view period) const {
  std::string previous;
  for (const std::string& p : periods) {
    if (p < period) previous = p;
  }
  return previous;
}

RatingAt RatingAsAt(const Recommendation& rec, absl::string_view period) {
  RatingAt out;
  for (const auto& [p, rating] : rec.ratings) {  // In period order.
    if (p > period) break;
    if (rating.rating == v1::RATING_UNSPECIFIED) continue;
    out.rating = rating.rating;
    out.from_period = p;
  }
  return out;
}

absl::Time EndOfPeriod(absl::string_view period) {
  int y = 0, m = 0;
  if (period.size() != 7 || !absl::SimpleAtoi(period.substr(0, 4), &y) ||
      !absl::SimpleAtoi(period.substr(5, 2), &m)) {
    return absl::InfiniteFuture();
  }
  const absl::CivilMonth next = absl::CivilMonth(y, m) + 1;
  return absl::FromCivil(next, absl::UTCTimeZone()) - absl::Nanoseconds(1);
}

const Closure* ClosedAt(const Recommendation& rec, absl::Time cut) {
  const Closure* latest = nullptr;
  for (const Closure& c : rec.closures) {
    if (c.at <= cut && (latest == nullptr || c.at >= latest->at)) latest = &c;
  }
  return latest != nullptr && latest->closed ? latest : nullptr;
}

bool ReopenedBetween(const Recommendation& rec, absl::Time after,
                     absl::Time until) {
  for (const Closure& c : rec.closures) {
    if (!c.closed && c.at > after && c.at <= until) return true;
  }
  return false;
}

absl::StatusOr<ReportModel> FoldReportModel(
    const std::vector<RecordedDomainEvent>& events,
    absl::string_view review_id) {
  ReportModel model;
  bool opened = false;
  for (const RecordedDomainEvent& r : events) {
    const v1::DomainEvent& e = r.event;
    if (!IsOfficial(e)) continue;
    if (e.has_agency_registered()) {
      model.agencies[e.agency_registered().agency_id()] = e.agency_registered();
    } else if (e.has_review_opened()) {
      if (e.review_opened().review_id() == review_id && !opened) {
        model.review = e.review_opened();
        opened = true;
      }
    } else if (opened) {
      ApplyToReview(r, review_id, &model);
    }
  }
  if (!opened) {
    return NotFound(kReasonReviewNotFound,
                    absl::StrCat("review \"", review_id, "\" does not exist"));
  }
  return model;
}

}  // namespace oversight::projections::report
