#include "projections/recommendation_detail.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace oversight::projections {
namespace {

template <typename Message>
bool Names(const Message& m, absl::string_view review_id, int32_t number) {
  return m.review_id() == review_id && m.number() == number;
}

bool Relates(const google::protobuf::RepeatedField<int32_t>& related,
             int32_t number) {
  return std::find(related.begin(), related.end(), number) != related.end();
}

}  // namespace

void FoldRecommendationDetail(const std::vector<RecordedDomainEvent>& events,
                              absl::string_view review_id, int32_t number,
                              v1::GetRecommendationResponse* out) {
  absl::flat_hash_map<std::string, int> updates;     // id -> index
  absl::flat_hash_map<std::string, int> activities;  // id -> index
  absl::flat_hash_map<std::string, int> risks;       // id -> index
  for (const RecordedDomainEvent& r : events) {
    const v1::DomainEvent& e = r.event;
    switch (e.payload_case()) {
      case v1::DomainEvent::kRecommendationIssued:
        if (Names(e.recommendation_issued(), review_id, number)) {
          *out->mutable_contributing_agency_ids() =
              e.recommendation_issued().contributing_agency_ids();
        }
        break;
      case v1::DomainEvent::kProgressUpdateSubmitted: {
        const auto& o = e.progress_update_submitted();
        if (!Names(o, review_id, number)) break;
        updates[o.update_id()] = out->updates_size();
        v1::UpdateView* u = out->add_updates();
        u->set_update_id(o.update_id());
        u->set_period(o.period());
        u->set_agency_id(o.agency_id());
        *u->mutable_bullets() = o.bullets();
        *u->mutable_evidence() = o.evidence();
        *u->mutable_occurred_at() = e.occurred_at();
        u->set_position(r.position);
        break;
      }
      case v1::DomainEvent::kProgressUpdateCorrected: {
        const auto& o = e.progress_update_corrected();
        if (!Names(o, review_id, number)) break;
        auto it = updates.find(o.update_id());
        if (it == updates.end()) break;
        v1::UpdateView* u = out->mutable_updates(it->second);
        *u->mutable_bullets() = o.bullets();
        *u->mutable_evidence() = o.evidence();
        u->add_corrected_at_positions(r.position);
        break;
      }
      case v1::DomainEvent::kProgressUpdateWithdrawn: {
        const auto& o = e.progress_update_withdrawn();
        if (!Names(o, review_id, number)) break;
        auto it = updates.find(o.update_id());
        if (it == updates.end()) break;
        v1::UpdateView* u = out->mutable_updates(it->second);
        u->set_withdrawn(true);
        *u->mutable_withdrawal_reason() = o.reason();
        u->add_corrected_at_positions(r.position);
        break;
      }
      case v1::DomainEvent::kRatingAssigned: {
        const auto& o = e.rating_assigned();
        if (!Names(o, review_id, number)) break;
        v1::RatingView* v = out->add_ratings();
        v->set_period(o.period());
        v->set_rating(o.rating());
        *v->mutable_rationale() = o.rationale();
        *v->mutable_occurred_at() = e.occurred_at();
        v->set_position(r.position);
        break;
      }
      case v1::DomainEvent::kMonitoringActivityRecorded: {
        const auto& o = e.monitoring_activity_recorded();
        if (!Names(o, review_id, number)) break;
        activities[o.activity_id()] = out->monitoring_size();
        v1::MonitoringView* v = out->add_monitoring();
        v->set_activity_id(o.activity_id());
        v->set_period(o.period());
        *v->mutable_description() = o.description();
        v->set_due_on(o.due_on());
        break;
      }
      case v1::DomainEvent::kMonitoringActivityCompleted: {
        const auto& o = e.monitoring_activity_completed();
        if (!Names(o, review_id, number)) break;
        auto it = activities.find(o.activity_id());
        if (it == activities.end()) break;
        out->mutable_monitoring(it->second)->set_completed(true);
        *out->mutable_monitoring(it->second)->mutable_outcome() = o.outcome();
        break;
      }
      case v1::DomainEvent::kCrossReferenceRecorded:
        if (Names(e.cross_reference_recorded(), review_id, number)) {
          *out->add_cross_references() = e.cross_reference_recorded();
        }
        break;
      case v1::DomainEvent::kRiskRaised: {
        const auto& o = e.risk_raised();
        if (o.review_id() != review_id ||
            !Relates(o.related_recommendations(), number)) {
          break;
        }
        risks[o.risk_id()] = out->risks_size();
        v1::RiskView* v = out->add_risks();
        v->set_risk_id(o.risk_id());
        v->set_category(o.category());
        *v->mutable_description() = o.description();
        *v->mutable_related_recommendations() = o.related_recommendations();
        v->set_raised_by(e.actor().agency_id());
        *v->mutable_raised_at() = e.occurred_at();
        break;
      }
      case v1::DomainEvent::kRiskResolved: {
        const auto& o = e.risk_resolved();
        if (o.review_id() != review_id) break;
        auto it = risks.find(o.risk_id());
        if (it == risks.end()) break;
        out->mutable_risks(it->second)->set_resolved(true);
        *out->mutable_risks(it->second)->mutable_resolution() = o.resolution();
        break;
      }
      case v1::DomainEvent::kMeetingObserved: {
        const auto& o = e.meeting_observed();
        if (o.review_id() != review_id ||
            !Relates(o.related_recommendations(), number)) {
          break;
        }
        v1::MeetingView* v = out->add_meetings();
        v->set_meeting_id(o.meeting_id());
        v->set_kind(o.kind());
        *v->mutable_title() = o.title();
        v->set_held_on(o.held_on());
        *v->mutable_attending_agency_ids() = o.attending_agency_ids();
        *v->mutable_findings() = o.findings();
        *v->mutable_related_recommendations() = o.related_recommendations();
        break;
      }
      case v1::DomainEvent::kRecommendationClosed:
        if (Names(e.recommendation_closed(), review_id, number)) {
          out->set_closed(true);
        }
        break;
      case v1::DomainEvent::kRecommendationReopened:
        if (Names(e.recommendation_reopened(), review_id, number)) {
          out->set_closed(false);
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace oversight::projections
