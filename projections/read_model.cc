#include "projections/read_model.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "projections/aggregates.h"

namespace oversight::projections {
namespace {

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// The history keys of one event, built in place: a fold reuses one set,
// so that posting an event allocates only for keys longer than any
// before (Apply runs once per event of a rebuild).
class KeySet {
 public:
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  const std::string& operator[](size_t i) const { return keys_[i]; }

  void Agency(absl::string_view agency_id) { Add("agency/", agency_id); }
  void Person(absl::string_view agency_id, absl::string_view person) {
    Add("person/", agency_id, "/", person);
  }
  // Nothing for an empty review id: the event names no review.
  void Review(absl::string_view review_id) {
    if (!review_id.empty()) Add("review/", review_id);
  }
  void Recommendation(absl::string_view review_id, int32_t number) {
    if (review_id.empty()) return;
    Add("recommendation/", review_id, "/", absl::AlphaNum(number).Piece());
  }
  template <typename Ints>
  void Recommendations(absl::string_view review_id, const Ints& numbers) {
    for (int32_t n : numbers) Recommendation(review_id, n);
  }

  std::vector<std::string> ToVector() const {
    return std::vector<std::string>(keys_.begin(), keys_.begin() + size_);
  }

 private:
  void Add(absl::string_view a, absl::string_view b, absl::string_view c = {},
           absl::string_view d = {}) {
    if (size_ == keys_.size()) keys_.emplace_back();
    std::string& key = keys_[size_];
    key.clear();
    key.append(a.data(), a.size());
    key.append(b.data(), b.size());
    key.append(c.data(), c.size());
    key.append(d.data(), d.size());
    for (size_t i = 0; i < size_; ++i) {
      if (keys_[i] == key) return;
    }
    ++size_;
  }

  std::vector<std::string> keys_;
  size_t size_ = 0;
};

// The keys `event` names by itself (HistoryKeysOf), into `keys`.
void CollectKeys(const v1::DomainEvent& e, KeySet* keys) {
  keys->Agency(e.actor().agency_id());
  keys->Person(e.actor().agency_id(), e.actor().person());
  // Every payload about a review names it; most name a recommendation.
  auto review = [keys](const auto& o) { keys->Review(o.review_id()); };
  auto recommendation = [keys](const auto& o) {
    keys->Review(o.review_id());
    if (o.number() != 0) keys->Recommendation(o.review_id(), o.number());
  };
  switch (e.payload_case()) {
    case v1::DomainEvent::kAgencyRegistered:
      keys->Agency(e.agency_registered().agency_id());
      break;
    case v1::DomainEvent::kReviewOpened:
      review(e.review_opened());
      break;
    case v1::DomainEvent::kRecommendationIssued: {
      const v1::RecommendationIssued& o = e.recommendation_issued();
      recommendation(o);
      keys->Agency(o.owning_agency_id());
      for (const std::string& id : o.contributing_agency_ids()) {
        keys->Agency(id);
      }
      break;
    }
    case v1::DomainEvent::kReportingPeriodOpened:
      review(e.reporting_period_opened());
      break;
    case v1::DomainEvent::kReportingPeriodClosed:
      review(e.reporting_period_closed());
      break;
    case v1::DomainEvent::kProgressUpdateSubmitted:
      recommendation(e.progress_update_submitted());
      break;
    case v1::DomainEvent::kProgressUpdateCorrected:
      recommendation(e.progress_update_corrected());
      break;
    case v1::DomainEvent::kProgressUpdateWithdrawn:
      recommendation(e.progress_update_withdrawn());
      break;
    case v1::DomainEvent::kRatingAssigned:
      recommendation(e.rating_assigned());
      break;
    case v1::DomainEvent::kMonitoringActivityRecorded:
      recommendation(e.monitoring_activity_recorded());
      break;
    case v1::DomainEvent::kMonitoringActivityCompleted:
      recommendation(e.monitoring_activity_completed());
      break;
    case v1::DomainEvent::kMeetingObserved: {
      const v1::MeetingObserved& o = e.meeting_observed();
      review(o);
      keys->Recommendations(o.review_id(), o.related_recommendations());
      for (const std::string& id : o.attending_agency_ids()) keys->Agency(id);
      break;
    }
    case v1::DomainEvent::kRiskRaised: {
      const v1::RiskRaised& o = e.risk_raised();
      review(o);
      keys->Recommendations(o.review_id(), o.related_recommendations());
      break;
    }
    case v1::DomainEvent::kRiskResolved:
      review(e.risk_resolved());
      break;
    case v1::DomainEvent::kProgrammeRegistered: {
      const v1::ProgrammeRegistered& o = e.programme_registered();
      review(o);
      keys->Recommendations(o.review_id(), o.related_recommendations());
      keys->Agency(o.owning_agency_id());
      break;
    }
    case v1::DomainEvent::kCrossReferenceRecorded: {
      const v1::CrossReferenceRecorded& o = e.cross_reference_recorded();
      recommendation(o);
      if (o.related_recommendation() != 0) {
        keys->Recommendation(o.review_id(), o.related_recommendation());
      }
      break;
    }
    case v1::DomainEvent::kRecommendationClosed:
      recommendation(e.recommendation_closed());
      break;
    case v1::DomainEvent::kRecommendationReopened:
      recommendation(e.recommendation_reopened());
      break;
    case v1::DomainEvent::kConclusionRecorded:
      review(e.conclusion_recorded());
      break;
    case v1::DomainEvent::kReportPublished:
      review(e.report_published());
      break;
    case v1::DomainEvent::kPartnerReportSubmitted:
    // The access log is in no history (Apply and HistoryKeysOf skip it).
    case v1::DomainEvent::kAccessRecorded:
    case v1::DomainEvent::PAYLOAD_NOT_SET:
      break;
  }
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

void ApplyReview(const v1::DomainEvent& e, uint64_t position,
                 v1::ProjectionState* state) {
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
      p.set_opened_position(position);
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

void ApplyRecommendation(const v1::DomainEvent& e, uint64_t position,
                         v1::ProjectionState* state) {
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
      u.set_occurred_micros(Micros(e.occurred_at()));
      u.set_position(position);
      break;
    }
    case v1::DomainEvent::kProgressUpdateCorrected: {
      const v1::ProgressUpdateCorrected& o = e.progress_update_corrected();
      v1::ProjectedUpdate* u =
          FindUpdate(state, o.review_id(), o.number(), o.update_id());
      if (u != nullptr) u->add_corrected_by_positions(position);
      break;
    }
    case v1::DomainEvent::kProgressUpdateWithdrawn: {
      const v1::ProgressUpdateWithdrawn& o = e.progress_update_withdrawn();
      v1::ProjectedUpdate* u =
          FindUpdate(state, o.review_id(), o.number(), o.update_id());
      if (u != nullptr) {
        u->set_withdrawn(true);
        u->add_corrected_by_positions(position);
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
      rating.set_position(position);
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

void ApplyOther(const v1::DomainEvent& e, uint64_t position,
                v1::ProjectionState* state) {
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
      q->set_position(position);
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
  KeySet keys;
  if (event.has_access_recorded()) return {};
  if (event.payload_case() != v1::DomainEvent::PAYLOAD_NOT_SET) {
    CollectKeys(event, &keys);
  } else {
    keys.Agency(event.actor().agency_id());
    keys.Person(event.actor().agency_id(), event.actor().person());
  }
  return keys.ToVector();
}

// Keys that the event alone does not name but the state knows: a risk's
// resolution concerns the recommendations the risk named; a partner's
// report, its programme's review and recommendations.
void AddKeysFromState(const v1::DomainEvent& e,
                      const v1::ProjectionState& state, KeySet* keys) {
  if (e.has_risk_resolved()) {
    const v1::RiskResolved& o = e.risk_resolved();
    auto review = state.reviews().find(o.review_id());
    if (review == state.reviews().end()) return;
    auto risk = review->second.risks().find(o.risk_id());
    if (risk == review->second.risks().end()) return;
    keys->Recommendations(o.review_id(),
                          risk->second.related_recommendations());
  } else if (e.has_partner_report_submitted()) {
    auto p =
        state.programmes().find(e.partner_report_submitted().programme_id());
    if (p == state.programmes().end()) return;
    keys->Review(p->second.review_id());
    keys->Agency(p->second.owning_agency_id());
    keys->Recommendations(p->second.review_id(),
                          p->second.related_recommendations());
  }
}

void Apply(const v1::DomainEvent& event, eventstore::Position position,
           v1::ProjectionState* state) {
  // The access log is about readers, not about the review: no read model
  // holds it, and no history shows it (auditors list it apart).
  if (event.has_access_recorded()) {
    state->set_position(position);
    return;
  }
  // One key set per thread, reused from event to event.
  thread_local KeySet keys;
  keys.Clear();
  CollectKeys(event, &keys);
  // Sensitive events are posted under the keys the event names itself:
  // what the subject's own streams hold (a partner's sensitive report is
  // under its agency, not under the review its programme serves, whose
  // board is not folded from programme streams).
  const size_t named = keys.size();
  AddKeysFromState(event, *state, &keys);
  ApplyOther(event, position, state);
  ApplyReview(event, position, state);
  ApplyRecommendation(event, position, state);
  const int64_t occurred = Micros(event.occurred_at());
  auto* history = state->mutable_history();
  for (size_t i = 0; i < keys.size(); ++i) {
    v1::HistoryPostings& postings = (*history)[keys[i]];
    postings.add_positions(position);
    postings.add_occurred_micros(occurred);
  }
  if (event.classification() != v1::CLASSIFICATION_OFFICIAL) {
    auto* sensitive = state->mutable_sensitive();
    for (size_t i = 0; i < named; ++i) {
      (*sensitive)[keys[i]].add_positions(position);
    }
  }
  state->set_position(position);
}

namespace {
template <typename T>
void ShrinkToFit(google::protobuf::RepeatedField<T>* field) {
  if (field->Capacity() == field->size()) return;
  google::protobuf::RepeatedField<T> exact;
  exact.Reserve(field->size());  // exactly, for an empty field
  exact.Add(field->begin(), field->end());
  field->Swap(&exact);
}
}  // namespace

void ShrinkHistory(v1::ProjectionState* state) {
  for (auto& [key, postings] : *state->mutable_history()) {
    ShrinkToFit(postings.mutable_positions());
    ShrinkToFit(postings.mutable_occurred_micros());
  }
}

void Apply(const RecordedDomainEvent& event, v1::ProjectionState* state) {
  Apply(event.event, event.position, state);
}

}  // namespace oversight::projections
