#include "projections/read_model.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "projections/aggregates.h"

namespace oversight::projections {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// The payload message of `event` (nullptr when none is set).
const Message* Payload(const v1::DomainEvent& event) {
  const google::protobuf::OneofDescriptor* oneof =
      v1::DomainEvent::descriptor()->FindOneofByName("payload");
  const FieldDescriptor* field =
      v1::DomainEvent::GetReflection()->GetOneofFieldDescriptor(event, oneof);
  if (field == nullptr) return nullptr;
  return &v1::DomainEvent::GetReflection()->GetMessage(event, field);
}

std::string StringField(const Message& m, const char* name) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->type() != FieldDescriptor::TYPE_STRING ||
      f->is_repeated()) {
    return "";
  }
  return m.GetReflection()->GetString(m, f);
}

int32_t IntField(const Message& m, const char* name) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->type() != FieldDescriptor::TYPE_INT32 ||
      f->is_repeated()) {
    return 0;
  }
  return m.GetReflection()->GetInt32(m, f);
}

std::vector<int32_t> RelatedRecommendations(const Message& m) {
  std::vector<int32_t> out;
  const FieldDescriptor* f =
      m.GetDescriptor()->FindFieldByName("related_recommendations");
  if (f != nullptr && f->is_repeated() &&
      f->type() == FieldDescriptor::TYPE_INT32) {
    const int n = m.GetReflection()->FieldSize(m, f);
    for (int i = 0; i < n; ++i) {
      out.push_back(m.GetReflection()->GetRepeatedInt32(m, f, i));
    }
  }
  const int32_t single = IntField(m, "related_recommendation");
  if (single != 0) out.push_back(single);
  return out;
}

v1::ProjectedReview* FindReview(v1::ProjectionState* state,
                                const std::string& id) {
  auto it = state->mutable_reviews()->find(id);
  return it == state->mutable_reviews()->end() ? nullptr : &it->second;
}

v1::ProjectedRecommendation* FindRecommendation(v1::ProjectionState* state,
                                                const std::string& review_id,
                                                int32_t number) {
  v1::ProjectedReview* review = FindReview(state, review_id);
  if (review == nullptr) return nullptr;
  auto it = review->mutable_recommendations()->find(number);
  return it == review->mutable_recommendations()->end() ? nullptr : &it->second;
}

v1::ProjectedUpdate* FindUpdate(v1::ProjectionState* state,
                                const std::string& review_id, int32_t number,
                                const std::string& update_id) {
  v1::ProjectedRecommendation* rec =
      FindRecommendation(state, review_id, number);
  if (rec == nullptr) return nullptr;
  auto it = rec->mutable_updates()->find(update_id);
  return it == rec->mutable_updates()->end() ? nullptr : &it->second;
}

void ApplyReview(const RecordedDomainEvent& r, v1::ProjectionState* state) {
  const v1::DomainEvent& e = r.event;
  switch (e.payload_case()) {
    case v1::DomainEvent::kReviewOpened: {
      const v1::ReviewOpened& o = e.review_opened();
      v1::ProjectedReview& review = (*state->mutable_reviews())[o.review_id()];
      review.set_review_id(o.review_id());
      *review.mutable_title() = o.title();
      review.set_commissioning_agency_id(o.commissioning_agency_id());
      for (const v1::Theme& t : o.themes()) review.add_theme_ids(t.id());
      break;
    }
    case v1::DomainEvent::kReportingPeriodOpened: {
      const v1::ReportingPeriodOpened& o = e.reporting_period_opened();
      v1::ProjectedReview* review = FindReview(state, o.review_id());
      if (review == nullptr) break;
      v1::ProjectedPeriod& p = (*review->mutable_periods())[o.period()];
      p.set_open(true);
      p.set_submissions_due_on(o.submissions_due_on());
      p.set_opened_position(r.position);
      break;
    }
    case v1::DomainEvent::kReportingPeriodClosed: {
      const v1::ReportingPeriodClosed& c = e.reporting_period_closed();
      v1::ProjectedReview* review = FindReview(state, c.review_id());
      if (review == nullptr) break;
      auto period = review->mutable_periods()->find(c.period());
      if (period == review->mutable_periods()->end() ||
          !period->second.open()) {
        break;
      }
      period->second.set_open(false);
      // Every recommendation open now owed an update for the period.
      for (auto& [number, rec] : *review->mutable_recommendations()) {
        if (!rec.closed()) rec.add_periods_due(c.period());
      }
      break;
    }
    case v1::DomainEvent::kRiskRaised: {
      const v1::RiskRaised& o = e.risk_raised();
      v1::ProjectedReview* review = FindReview(state, o.review_id());
      if (review == nullptr) break;
      v1::ProjectedRisk& risk = (*review->mutable_risks())[o.risk_id()];
      risk.set_category(o.category());
      *risk.mutable_description() = o.description();
      *risk.mutable_related_recommendations() = o.related_recommendations();
      risk.set_raised_by(e.actor().agency_id());
      break;
    }
    case v1::DomainEvent::kRiskResolved: {
      const v1::RiskResolved& o = e.risk_resolved();
      v1::ProjectedReview* review = FindReview(state, o.review_id());
      if (review == nullptr) break;
      auto risk = review->mutable_risks()->find(o.risk_id());
      if (risk != review->mutable_risks()->end()) {
        risk->second.set_resolved(true);
      }
      break;
    }
    default:
      break;
  }
}

void ApplyRecommendation(const RecordedDomainEvent& r,
                         v1::ProjectionState* state) {
  const v1::DomainEvent& e = r.event;
  switch (e.payload_case()) {
    case v1::DomainEvent::kRecommendationIssued: {
      const v1::RecommendationIssued& o = e.recommendation_issued();
      v1::ProjectedReview* review = FindReview(state, o.review_id());
      if (review == nullptr) break;
      v1::ProjectedRecommendation& rec =
          (*review->mutable_recommendations())[o.number()];
      rec.set_number(o.number());
      rec.set_theme_id(o.theme_id());
      rec.set_owning_agency_id(o.owning_agency_id());
      *rec.mutable_contributing_agency_ids() = o.contributing_agency_ids();
      *rec.mutable_text() = o.text();
      rec.set_text_not_in_source(o.text_not_in_source());
      break;
    }
    case v1::DomainEvent::kProgressUpdateSubmitted: {
      const v1::ProgressUpdateSubmitted& o = e.progress_update_submitted();
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, o.review_id(), o.number());
      if (rec == nullptr) break;
      v1::ProjectedUpdate& u = (*rec->mutable_updates())[o.update_id()];
      u.set_period(o.period());
      u.set_agency_id(o.agency_id());
      *u.mutable_occurred_at() = e.occurred_at();
      u.set_position(r.position);
      break;
    }
    case v1::DomainEvent::kProgressUpdateCorrected: {
      const v1::ProgressUpdateCorrected& o = e.progress_update_corrected();
      v1::ProjectedUpdate* u =
          FindUpdate(state, o.review_id(), o.number(), o.update_id());
      if (u != nullptr) u->add_corrected_by_positions(r.position);
      break;
    }
    case v1::DomainEvent::kProgressUpdateWithdrawn: {
      const v1::ProgressUpdateWithdrawn& o = e.progress_update_withdrawn();
      v1::ProjectedUpdate* u =
          FindUpdate(state, o.review_id(), o.number(), o.update_id());
      if (u != nullptr) {
        u->set_withdrawn(true);
        u->add_corrected_by_positions(r.position);
      }
      break;
    }
    case v1::DomainEvent::kRatingAssigned: {
      const v1::RatingAssigned& o = e.rating_assigned();
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, o.review_id(), o.number());
      if (rec == nullptr) break;
      v1::ProjectedRating& rating = (*rec->mutable_ratings())[o.period()];
      rating.set_rating(o.rating());
      rating.set_position(r.position);
      break;
    }
    case v1::DomainEvent::kMonitoringActivityRecorded: {
      const v1::MonitoringActivityRecorded& o =
          e.monitoring_activity_recorded();
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, o.review_id(), o.number());
      if (rec == nullptr) break;
      v1::ProjectedActivity& a = (*rec->mutable_activities())[o.activity_id()];
      a.set_period(o.period());
      a.set_due_on(o.due_on());
      *a.mutable_description() = o.description();
      break;
    }
    case v1::DomainEvent::kMonitoringActivityCompleted: {
      const v1::MonitoringActivityCompleted& o =
          e.monitoring_activity_completed();
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, o.review_id(), o.number());
      if (rec == nullptr) break;
      auto a = rec->mutable_activities()->find(o.activity_id());
      if (a != rec->mutable_activities()->end()) a->second.set_completed(true);
      break;
    }
    case v1::DomainEvent::kRecommendationClosed: {
      const v1::RecommendationClosed& o = e.recommendation_closed();
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, o.review_id(), o.number());
      if (rec != nullptr) rec->set_closed(true);
      break;
    }
    case v1::DomainEvent::kRecommendationReopened: {
      const v1::RecommendationReopened& o = e.recommendation_reopened();
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, o.review_id(), o.number());
      if (rec != nullptr) rec->set_closed(false);
      break;
    }
    default:
      break;
  }
}

void ApplyOther(const RecordedDomainEvent& r, v1::ProjectionState* state) {
  const v1::DomainEvent& e = r.event;
  switch (e.payload_case()) {
    case v1::DomainEvent::kAgencyRegistered: {
      const v1::AgencyRegistered& o = e.agency_registered();
      v1::ProjectedAgency& a = (*state->mutable_agencies())[o.agency_id()];
      a.set_kind(o.kind());
      *a.mutable_name() = o.name();
      break;
    }
    case v1::DomainEvent::kProgrammeRegistered: {
      const v1::ProgrammeRegistered& o = e.programme_registered();
      v1::ProjectedProgramme& p =
          (*state->mutable_programmes())[o.programme_id()];
      p.set_programme_id(o.programme_id());
      *p.mutable_name() = o.name();
      p.set_owning_agency_id(o.owning_agency_id());
      p.set_review_id(o.review_id());
      *p.mutable_related_recommendations() = o.related_recommendations();
      p.set_started_on(o.started_on());
      break;
    }
    case v1::DomainEvent::kPartnerReportSubmitted: {
      const v1::PartnerReportSubmitted& o = e.partner_report_submitted();
      auto p = state->mutable_programmes()->find(o.programme_id());
      if (p == state->mutable_programmes()->end()) break;
      v1::QuarterFigures* q = p->second.add_quarters();
      q->set_quarter(o.quarter());
      q->set_report_id(o.report_id());
      *q->mutable_figures() = o.figures();
      *q->mutable_narrative() = o.narrative();
      *q->mutable_occurred_at() = e.occurred_at();
      q->set_position(r.position);
      break;
    }
    default:
      break;
  }
}

}  // namespace

absl::Time RecordedDomainEvent::occurred_at() const {
  return absl::FromUnixSeconds(event.occurred_at().seconds()) +
         absl::Nanoseconds(event.occurred_at().nanos());
}

std::optional<RecordedDomainEvent> ToDomainEvent(
    const eventstore::RecordedEvent& recorded) {
  if (!IsDomainStream(recorded.stream)) return std::nullopt;
  RecordedDomainEvent out;
  if (!out.event.ParseFromString(recorded.data) ||
      out.event.payload_case() == v1::DomainEvent::PAYLOAD_NOT_SET) {
    return std::nullopt;
  }
  out.position = recorded.position;
  out.stream = recorded.stream;
  out.revision = recorded.revision;
  out.recorded_at = recorded.recorded_at;
  out.hash = recorded.hash;
  return out;
}

bool AsOfFilter::Admits(const RecordedDomainEvent& e) const {
  if (position != 0 && e.position > position) return false;
  if (effective_at.has_value() && e.occurred_at() > *effective_at) {
    return false;
  }
  return true;
}

std::vector<RecordedDomainEvent> SelectAsOf(
    std::vector<RecordedDomainEvent> events, const AsOfFilter& filter) {
  absl::flat_hash_set<std::string> admitted_updates;
  auto update_key = [](absl::string_view review_id, int32_t number,
                       absl::string_view update_id) {
    return absl::StrCat(review_id, "/", number, "/", update_id);
  };
  std::vector<RecordedDomainEvent> out;
  out.reserve(events.size());
  for (RecordedDomainEvent& e : events) {
    if (filter.position != 0 && e.position > filter.position) continue;
    const v1::DomainEvent& d = e.event;
    bool admit;
    if (d.has_progress_update_corrected()) {
      const auto& o = d.progress_update_corrected();
      admit = admitted_updates.contains(
          update_key(o.review_id(), o.number(), o.update_id()));
    } else if (d.has_progress_update_withdrawn()) {
      const auto& o = d.progress_update_withdrawn();
      admit = admitted_updates.contains(
          update_key(o.review_id(), o.number(), o.update_id()));
    } else {
      admit = filter.Admits(e);
      if (admit && d.has_progress_update_submitted()) {
        const auto& o = d.progress_update_submitted();
        admitted_updates.insert(
            update_key(o.review_id(), o.number(), o.update_id()));
      }
    }
    if (admit) out.push_back(std::move(e));
  }
  return out;
}

std::string ReviewHistoryKey(absl::string_view review_id) {
  return absl::StrCat("review/", review_id);
}
std::string RecommendationHistoryKey(absl::string_view review_id,
                                     int32_t number) {
  return absl::StrCat("recommendation/", review_id, "/", number);
}
std::string AgencyHistoryKey(absl::string_view agency_id) {
  return absl::StrCat("agency/", agency_id);
}
std::string PersonHistoryKey(absl::string_view agency_id,
                             absl::string_view person) {
  return absl::StrCat("person/", agency_id, "/", person);
}

std::vector<std::string> HistoryKeysOf(const v1::DomainEvent& event) {
  std::vector<std::string> keys;
  auto add = [&keys](std::string key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(std::move(key));
    }
  };
  add(AgencyHistoryKey(event.actor().agency_id()));
  add(PersonHistoryKey(event.actor().agency_id(), event.actor().person()));
  const Message* payload = Payload(event);
  if (payload == nullptr) return keys;
  const std::string review_id = StringField(*payload, "review_id");
  if (!review_id.empty()) {
    add(ReviewHistoryKey(review_id));
    const int32_t number = IntField(*payload, "number");
    if (number != 0) add(RecommendationHistoryKey(review_id, number));
    for (int32_t related : RelatedRecommendations(*payload)) {
      add(RecommendationHistoryKey(review_id, related));
    }
  }
  switch (event.payload_case()) {
    case v1::DomainEvent::kAgencyRegistered:
      add(AgencyHistoryKey(event.agency_registered().agency_id()));
      break;
    case v1::DomainEvent::kRecommendationIssued:
      add(AgencyHistoryKey(event.recommendation_issued().owning_agency_id()));
      for (const std::string& id :
           event.recommendation_issued().contributing_agency_ids()) {
        add(AgencyHistoryKey(id));
      }
      break;
    case v1::DomainEvent::kMeetingObserved:
      for (const std::string& id :
           event.meeting_observed().attending_agency_ids()) {
        add(AgencyHistoryKey(id));
      }
      break;
    case v1::DomainEvent::kProgrammeRegistered:
      add(AgencyHistoryKey(event.programme_registered().owning_agency_id()));
      break;
    default:
      break;
  }
  return keys;
}

// Keys that the event alone does not name but the state knows: a risk's
// resolution concerns the recommendations the risk named; a partner's
// report, its programme's review and recommendations.
void AddKeysFromState(const v1::DomainEvent& e,
                      const v1::ProjectionState& state,
                      std::vector<std::string>* keys) {
  auto add = [keys](std::string key) {
    if (std::find(keys->begin(), keys->end(), key) == keys->end()) {
      keys->push_back(std::move(key));
    }
  };
  if (e.has_risk_resolved()) {
    const v1::RiskResolved& o = e.risk_resolved();
    auto review = state.reviews().find(o.review_id());
    if (review == state.reviews().end()) return;
    auto risk = review->second.risks().find(o.risk_id());
    if (risk == review->second.risks().end()) return;
    for (int32_t n : risk->second.related_recommendations()) {
      add(RecommendationHistoryKey(o.review_id(), n));
    }
  } else if (e.has_partner_report_submitted()) {
    auto p =
        state.programmes().find(e.partner_report_submitted().programme_id());
    if (p == state.programmes().end()) return;
    add(ReviewHistoryKey(p->second.review_id()));
    add(AgencyHistoryKey(p->second.owning_agency_id()));
    for (int32_t n : p->second.related_recommendations()) {
      add(RecommendationHistoryKey(p->second.review_id(), n));
    }
  }
}

void Apply(const RecordedDomainEvent& event, v1::ProjectionState* state) {
  std::vector<std::string> keys = HistoryKeysOf(event.event);
  AddKeysFromState(event.event, *state, &keys);
  ApplyOther(event, state);
  ApplyReview(event, state);
  ApplyRecommendation(event, state);
  const int64_t occurred = Micros(event.event.occurred_at());
  for (const std::string& key : keys) {
    v1::HistoryPostings& postings = (*state->mutable_history())[key];
    postings.add_positions(event.position);
    postings.add_occurred_micros(occurred);
  }
  state->set_position(event.position);
}

}  // namespace oversight::projections
