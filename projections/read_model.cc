#include "projections/read_model.h"

#include <algorithm>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "projections/aggregates.h"

namespace oversight::projections {
namespace {

// protobuf's maps look strings up by std::string_view (absl's is its own
// type in this Abseil).
std::string_view Key(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

// Parses a sub-message the decoder kept as bytes into the state's copy.
// The bytes were parsed once already, when the event was decided.
template <typename Message>
void SetFrom(absl::string_view bytes, Message* out) {
  out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}
// The same for a field kept in pieces (FoldEvent::text), merged in order
// as protobuf merges a field that appears more than once.
template <typename Message>
void SetFrom(const std::vector<absl::string_view>& pieces, Message* out) {
  out->Clear();
  for (absl::string_view bytes : pieces) {
    google::protobuf::io::CodedInputStream in(
        reinterpret_cast<const uint8_t*>(bytes.data()),
        static_cast<int>(bytes.size()));
    out->MergeFromCodedStream(&in);
  }
}

template <typename Ints>
void SetInts(const std::vector<int32_t>& from, Ints* out) {
  out->Clear();
  out->Add(from.begin(), from.end());
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

// The keys `e` names by itself (HistoryKeysOf), into `keys` (a KeySet, or
// a HistoryBuilder's KeyRefs).
template <typename Keys>
void CollectKeys(const FoldEvent& e, Keys* keys) {
  using D = v1::DomainEvent;
  keys->Agency(e.actor_agency_id);
  keys->Person(e.actor_agency_id, e.actor_person);
  // Every payload about a review names it; most name a recommendation.
  auto recommendation = [&] {
    keys->Review(e.review_id);
    if (e.number != 0) keys->Recommendation(e.review_id, e.number);
  };
  switch (e.payload_case) {
    case D::kAgencyRegistered:
      keys->Agency(e.agency_id);
      break;
    case D::kReviewOpened:
    case D::kReportingPeriodOpened:
    case D::kReportingPeriodClosed:
    case D::kRiskResolved:
    case D::kConclusionRecorded:
    case D::kReportPublished:
      keys->Review(e.review_id);
      break;
    case D::kRecommendationIssued:
      recommendation();
      keys->Agency(e.owning_agency_id);
      for (absl::string_view id : e.agency_ids) keys->Agency(id);
      break;
    case D::kProgressUpdateSubmitted:
    case D::kProgressUpdateCorrected:
    case D::kProgressUpdateWithdrawn:
    case D::kRatingAssigned:
    case D::kMonitoringActivityRecorded:
    case D::kMonitoringActivityCompleted:
    case D::kRecommendationClosed:
    case D::kRecommendationReopened:
      recommendation();
      break;
    case D::kMeetingObserved:
      keys->Review(e.review_id);
      keys->Recommendations(e.review_id, e.related_recommendations);
      for (absl::string_view id : e.agency_ids) keys->Agency(id);
      break;
    case D::kRiskRaised:
      keys->Review(e.review_id);
      keys->Recommendations(e.review_id, e.related_recommendations);
      break;
    case D::kProgrammeRegistered:
      keys->Review(e.review_id);
      keys->Recommendations(e.review_id, e.related_recommendations);
      keys->Agency(e.owning_agency_id);
      break;
    case D::kCrossReferenceRecorded:
      recommendation();
      if (e.related_recommendation != 0) {
        keys->Recommendation(e.review_id, e.related_recommendation);
      }
      break;
    case D::kPartnerReportSubmitted:
    // The access log is in no history (Apply and HistoryKeysOf skip it).
    case D::kAccessRecorded:
    case D::PAYLOAD_NOT_SET:
      break;
  }
}

// Keys that the event alone does not name but what came before it knows:
// a risk's resolution concerns the recommendations the risk named; a
// partner's report, its programme's review, owner and recommendations.
// `Known` answers from the state (Apply) or from a HistoryBuilder's own
// record of risks and programmes (a rebuild): both are folded from the
// same events, so they give the same keys.
template <typename Known, typename Keys>
void AddKnownKeys(const FoldEvent& e, const Known& known, Keys* keys) {
  if (e.payload_case == v1::DomainEvent::kRiskResolved) {
    known.ForRisk(e.review_id, e.risk_id, [&](const auto& related) {
      keys->Recommendations(e.review_id, related);
    });
  } else if (e.payload_case == v1::DomainEvent::kPartnerReportSubmitted) {
    known.ForProgramme(e.programme_id,
                       [&](absl::string_view review_id, absl::string_view owner,
                           const auto& related) {
                         keys->Review(review_id);
                         keys->Agency(owner);
                         keys->Recommendations(review_id, related);
                       });
  }
}

// What the state knows of risks and programmes, for AddKnownKeys.
class StateKnown {
 public:
  explicit StateKnown(const v1::ProjectionState& state) : state_(state) {}

  template <typename Visit>
  void ForRisk(absl::string_view review_id, absl::string_view risk_id,
               Visit&& visit) const {
    auto review = state_.reviews().find(Key(review_id));
    if (review == state_.reviews().end()) return;
    auto risk = review->second.risks().find(Key(risk_id));
    if (risk == review->second.risks().end()) return;
    visit(risk->second.related_recommendations());
  }
  template <typename Visit>
  void ForProgramme(absl::string_view programme_id, Visit&& visit) const {
    auto p = state_.programmes().find(Key(programme_id));
    if (p == state_.programmes().end()) return;
    visit(p->second.review_id(), p->second.owning_agency_id(),
          p->second.related_recommendations());
  }

 private:
  const v1::ProjectionState& state_;
};

// The event's keys (those it names first, then those known), and how many
// it names itself: a sensitive event is posted in `sensitive` under those.
template <typename Known, typename Keys>
size_t CollectAllKeys(const FoldEvent& e, const Known& known, Keys* keys) {
  keys->Clear();
  CollectKeys(e, keys);
  const size_t named = keys->size();
  AddKnownKeys(e, known, keys);
  return named;
}

v1::ProjectedReview* FindReview(v1::ProjectionState* state,
                                absl::string_view id) {
  auto it = state->mutable_reviews()->find(Key(id));
  return it == state->mutable_reviews()->end() ? nullptr : &it->second;
}

v1::ProjectedRecommendation* FindRecommendation(v1::ProjectionState* state,
                                                absl::string_view review_id,
                                                int32_t number) {
  v1::ProjectedReview* review = FindReview(state, review_id);
  if (review == nullptr) return nullptr;
  auto it = review->mutable_recommendations()->find(number);
  return it == review->mutable_recommendations()->end() ? nullptr : &it->second;
}

v1::ProjectedUpdate* FindUpdate(v1::ProjectionState* state,
                                const FoldEvent& e) {
  v1::ProjectedRecommendation* rec =
      FindRecommendation(state, e.review_id, e.number);
  if (rec == nullptr) return nullptr;
  auto it = rec->mutable_updates()->find(Key(e.update_id));
  return it == rec->mutable_updates()->end() ? nullptr : &it->second;
}

void ApplyReview(const FoldEvent& e, uint64_t position,
                 v1::ProjectionState* state) {
  using D = v1::DomainEvent;
  switch (e.payload_case) {
    case D::kReviewOpened: {
      v1::ProjectedReview& review =
          (*state->mutable_reviews())[Key(e.review_id)];
      review.set_review_id(e.review_id.data(), e.review_id.size());
      SetFrom(e.text, review.mutable_title());
      review.set_commissioning_agency_id(e.owning_agency_id.data(),
                                         e.owning_agency_id.size());
      for (absl::string_view id : e.theme_ids)
        review.add_theme_ids(id.data(), id.size());
      break;
    }
    case D::kReportingPeriodOpened: {
      v1::ProjectedReview* review = FindReview(state, e.review_id);
      if (review == nullptr) break;
      v1::ProjectedPeriod& p = (*review->mutable_periods())[Key(e.period)];
      p.set_open(true);
      p.set_submissions_due_on(e.date.data(), e.date.size());
      p.set_opened_position(position);
      break;
    }
    case D::kReportingPeriodClosed: {
      v1::ProjectedReview* review = FindReview(state, e.review_id);
      if (review == nullptr) break;
      auto period = review->mutable_periods()->find(Key(e.period));
      if (period == review->mutable_periods()->end() ||
          !period->second.open()) {
        break;
      }
      period->second.set_open(false);
      // Every recommendation open now owed an update for the period.
      for (auto& [number, rec] : *review->mutable_recommendations()) {
        if (!rec.closed())
          rec.add_periods_due(e.period.data(), e.period.size());
      }
      break;
    }
    case D::kRiskRaised: {
      v1::ProjectedReview* review = FindReview(state, e.review_id);
      if (review == nullptr) break;
      v1::ProjectedRisk& risk = (*review->mutable_risks())[Key(e.risk_id)];
      risk.set_category(static_cast<v1::RiskCategory>(e.kind));
      SetFrom(e.text, risk.mutable_description());
      SetInts(e.related_recommendations,
              risk.mutable_related_recommendations());
      risk.set_raised_by(e.actor_agency_id.data(), e.actor_agency_id.size());
      break;
    }
    case D::kRiskResolved: {
      v1::ProjectedReview* review = FindReview(state, e.review_id);
      if (review == nullptr) break;
      auto risk = review->mutable_risks()->find(Key(e.risk_id));
      if (risk != review->mutable_risks()->end()) {
        risk->second.set_resolved(true);
      }
      break;
    }
    default:
      break;
  }
}

void ApplyRecommendation(const FoldEvent& e, uint64_t position,
                         v1::ProjectionState* state) {
  using D = v1::DomainEvent;
  switch (e.payload_case) {
    case D::kRecommendationIssued: {
      v1::ProjectedReview* review = FindReview(state, e.review_id);
      if (review == nullptr) break;
      v1::ProjectedRecommendation& rec =
          (*review->mutable_recommendations())[e.number];
      rec.set_number(e.number);
      rec.set_theme_id(e.theme_id.data(), e.theme_id.size());
      rec.set_owning_agency_id(e.owning_agency_id.data(),
                               e.owning_agency_id.size());
      rec.clear_contributing_agency_ids();
      for (absl::string_view id : e.agency_ids) {
        rec.add_contributing_agency_ids(id.data(), id.size());
      }
      SetFrom(e.text, rec.mutable_text());
      rec.set_text_not_in_source(e.text_not_in_source);
      break;
    }
    case D::kProgressUpdateSubmitted: {
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, e.review_id, e.number);
      if (rec == nullptr) break;
      v1::ProjectedUpdate& u = (*rec->mutable_updates())[Key(e.update_id)];
      u.set_period(e.period.data(), e.period.size());
      u.set_occurred_micros(e.occurred_micros());
      u.set_position(position);
      break;
    }
    case D::kProgressUpdateCorrected: {
      v1::ProjectedUpdate* u = FindUpdate(state, e);
      if (u != nullptr) u->add_corrected_by_positions(position);
      break;
    }
    case D::kProgressUpdateWithdrawn: {
      v1::ProjectedUpdate* u = FindUpdate(state, e);
      if (u != nullptr) {
        u->set_withdrawn(true);
        u->add_corrected_by_positions(position);
      }
      break;
    }
    case D::kRatingAssigned: {
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, e.review_id, e.number);
      if (rec == nullptr) break;
      v1::ProjectedRating& rating = (*rec->mutable_ratings())[Key(e.period)];
      rating.set_rating(static_cast<v1::Rating>(e.kind));
      rating.set_position(position);
      break;
    }
    case D::kMonitoringActivityRecorded: {
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, e.review_id, e.number);
      if (rec == nullptr) break;
      v1::ProjectedActivity& a =
          (*rec->mutable_activities())[Key(e.activity_id)];
      a.set_period(e.period.data(), e.period.size());
      a.set_due_on(e.date.data(), e.date.size());
      SetFrom(e.text, a.mutable_description());
      break;
    }
    case D::kMonitoringActivityCompleted: {
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, e.review_id, e.number);
      if (rec == nullptr) break;
      auto a = rec->mutable_activities()->find(Key(e.activity_id));
      if (a != rec->mutable_activities()->end()) a->second.set_completed(true);
      break;
    }
    case D::kRecommendationClosed:
    case D::kRecommendationReopened: {
      v1::ProjectedRecommendation* rec =
          FindRecommendation(state, e.review_id, e.number);
      if (rec != nullptr) {
        rec->set_closed(e.payload_case == D::kRecommendationClosed);
      }
      break;
    }
    default:
      break;
  }
}

void ApplyOther(const FoldEvent& e, uint64_t position,
                v1::ProjectionState* state) {
  using D = v1::DomainEvent;
  switch (e.payload_case) {
    case D::kAgencyRegistered: {
      v1::ProjectedAgency& a = (*state->mutable_agencies())[Key(e.agency_id)];
      a.set_kind(static_cast<v1::AgencyKind>(e.kind));
      SetFrom(e.text, a.mutable_name());
      break;
    }
    case D::kProgrammeRegistered: {
      v1::ProjectedProgramme& p =
          (*state->mutable_programmes())[Key(e.programme_id)];
      p.set_programme_id(e.programme_id.data(), e.programme_id.size());
      SetFrom(e.text, p.mutable_name());
      p.set_owning_agency_id(e.owning_agency_id.data(),
                             e.owning_agency_id.size());
      p.set_review_id(e.review_id.data(), e.review_id.size());
      SetInts(e.related_recommendations, p.mutable_related_recommendations());
      p.set_started_on(e.date.data(), e.date.size());
      break;
    }
    case D::kPartnerReportSubmitted: {
      auto p = state->mutable_programmes()->find(Key(e.programme_id));
      if (p == state->mutable_programmes()->end()) break;
      v1::QuarterFigures* q = p->second.add_quarters();
      q->set_quarter(e.period.data(), e.period.size());
      q->set_report_id(e.report_id.data(), e.report_id.size());
      for (absl::string_view f : e.figures) SetFrom(f, q->add_figures());
      for (absl::string_view t : e.narrative) SetFrom(t, q->add_narrative());
      q->mutable_occurred_at()->set_seconds(e.occurred_seconds);
      q->mutable_occurred_at()->set_nanos(e.occurred_nanos);
      q->set_position(position);
      break;
    }
    default:
      break;
  }
}

// Posts one event in a history (`v1::HistoryPostings` in the state, or a
// HistoryBuilder's lists).
void Post(v1::HistoryPostings* postings, uint64_t position, int64_t occurred) {
  postings->add_positions(position);
  postings->add_occurred_micros(occurred);
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
  if (event.has_access_recorded()) return {};
  std::string bytes;
  event.SerializeToString(&bytes);
  FoldEvent decoded;
  if (!DecodeFoldEvent(bytes, &decoded)) return {};
  KeySet keys;
  CollectKeys(decoded, &keys);
  return keys.ToVector();
}

void ApplyModels(const FoldEvent& event, eventstore::Position position,
                 v1::ProjectionState* state) {
  ApplyOther(event, position, state);
  ApplyReview(event, position, state);
  ApplyRecommendation(event, position, state);
  state->set_position(position);
}

void ApplyFold(const FoldEvent& event, eventstore::Position position,
               v1::ProjectionState* state) {
  // The access log is about readers, not about the review: no read model
  // holds it, and no history shows it (auditors list it apart).
  if (event.payload_case == v1::DomainEvent::kAccessRecorded) {
    state->set_position(position);
    return;
  }
  // One key set per thread, reused from event to event. The keys are
  // taken before the event changes the state, as a HistoryBuilder does.
  thread_local KeySet keys;
  const size_t named = CollectAllKeys(event, StateKnown(*state), &keys);
  ApplyModels(event, position, state);
  const int64_t occurred = event.occurred_micros();
  auto* history = state->mutable_history();
  for (size_t i = 0; i < keys.size(); ++i) {
    Post(&(*history)[keys[i]], position, occurred);
  }
  // Sensitive events are posted under the keys the event names itself:
  // what the subject's own streams hold (a partner's sensitive report is
  // under its agency, not under the review its programme serves, whose
  // board is not folded from programme streams).
  if (!event.official()) {
    auto* sensitive = state->mutable_sensitive();
    for (size_t i = 0; i < named; ++i) {
      (*sensitive)[keys[i]].add_positions(position);
    }
  }
}

void Apply(const v1::DomainEvent& event, eventstore::Position position,
           v1::ProjectionState* state) {
  // The fold reads events as the log stores them: serialized, then
  // decoded (a query folds a few hundred; a rebuild decodes the stored
  // bytes directly).
  thread_local std::string bytes;
  thread_local FoldEvent decoded;
  bytes.clear();
  event.SerializeToString(&bytes);
  if (!DecodeFoldEvent(bytes, &decoded)) {
    state->set_position(position);
    return;
  }
  ApplyFold(decoded, position, state);
}

// ------------------------------------------------------------ HistoryBuilder

namespace {

// A history key as a HistoryBuilder collects it: by kind and the ids it is
// built of (KeyString gives the string), without building the string for
// each event. The views point into the event or the builder's record.
struct KeyRef {
  enum Kind : uint8_t { kAgency, kPerson, kReview, kRecommendation };
  Kind kind;
  absl::string_view a;  // the agency or review id
  absl::string_view b;  // the person
  int32_t number;

  bool operator==(const KeyRef& o) const {
    return kind == o.kind && number == o.number && a == o.a && b == o.b;
  }
};

std::string KeyString(const KeyRef& k) {
  switch (k.kind) {
    case KeyRef::kAgency:
      return AgencyHistoryKey(k.a);
    case KeyRef::kPerson:
      return PersonHistoryKey(k.a, k.b);
    case KeyRef::kReview:
      return ReviewHistoryKey(k.a);
    case KeyRef::kRecommendation:
      return RecommendationHistoryKey(k.a, k.number);
  }
  return "";
}

// The same keys as KeySet, in the same order, with the same duplicates
// dropped: two KeyRefs are equal exactly when their strings are (ids hold
// no '/', so the kinds' strings cannot meet).
class KeyRefs {
 public:
  void Clear() { refs_.clear(); }
  size_t size() const { return refs_.size(); }
  const KeyRef& operator[](size_t i) const { return refs_[i]; }

  void Agency(absl::string_view agency_id) {
    Add({KeyRef::kAgency, agency_id, {}, 0});
  }
  void Person(absl::string_view agency_id, absl::string_view person) {
    Add({KeyRef::kPerson, agency_id, person, 0});
  }
  void Review(absl::string_view review_id) {
    if (!review_id.empty()) Add({KeyRef::kReview, review_id, {}, 0});
  }
  void Recommendation(absl::string_view review_id, int32_t number) {
    if (review_id.empty()) return;
    Add({KeyRef::kRecommendation, review_id, {}, number});
  }
  template <typename Ints>
  void Recommendations(absl::string_view review_id, const Ints& numbers) {
    for (int32_t n : numbers) Recommendation(review_id, n);
  }

 private:
  void Add(const KeyRef& key) {
    for (const KeyRef& k : refs_) {
      if (k == key) return;
    }
    refs_.push_back(key);
  }
  std::vector<KeyRef> refs_;
};

struct Postings {
  std::vector<uint64_t> positions;
  std::vector<int64_t> occurred_micros;

  void Add(uint64_t position, int64_t occurred) {
    positions.push_back(position);
    occurred_micros.push_back(occurred);
  }
  // Appends to `to` and frees these lists.
  void MoveTo(v1::HistoryPostings* to) {
    to->mutable_positions()->Reserve(to->positions_size() +
                                     static_cast<int>(positions.size()));
    to->mutable_positions()->Add(positions.begin(), positions.end());
    to->mutable_occurred_micros()->Reserve(
        to->occurred_micros_size() + static_cast<int>(occurred_micros.size()));
    to->mutable_occurred_micros()->Add(occurred_micros.begin(),
                                       occurred_micros.end());
    positions = {};
    occurred_micros = {};
  }
};

}  // namespace

// Postings are kept by the ids their keys are built of: an agency's with
// its people's, a review's with its recommendations', found by short ids
// and numbers rather than by hashing and comparing the keys' strings.
struct HistoryBuilder::State {
  struct Agency {
    Postings own;
    absl::flat_hash_map<std::string, Postings> people;
  };
  struct Review {
    Postings own;
    absl::flat_hash_map<int32_t, Postings> recommendations;
  };
  struct Programme {
    std::string review_id;
    std::string owning_agency_id;
    std::vector<int32_t> related;
  };

  Part part = Part::kAll;
  bool Posts(const KeyRef& k) const {
    switch (part) {
      case Part::kAll:
        return true;
      case Part::kAgencies:
        return k.kind == KeyRef::kAgency || k.kind == KeyRef::kPerson;
      case Part::kReviews:
        return k.kind == KeyRef::kReview || k.kind == KeyRef::kRecommendation;
    }
    return true;
  }

  // What the keys of later events depend on, as the state would hold it.
  absl::flat_hash_set<std::string> reviews_opened;
  absl::flat_hash_map<std::string, std::vector<int32_t>> risks;
  absl::flat_hash_map<std::string, Programme> programmes;
  // What was posted.
  absl::flat_hash_map<std::string, Agency> agencies;
  absl::flat_hash_map<std::string, Review> reviews;
  absl::flat_hash_map<std::string, std::vector<uint64_t>> sensitive;

  static std::string RiskKey(absl::string_view review_id,
                             absl::string_view risk_id) {
    // Ids hold no newline (validation.h), so the pair is unambiguous.
    return absl::StrCat(review_id, "\n", risk_id);
  }

  template <typename Visit>
  void ForRisk(absl::string_view review_id, absl::string_view risk_id,
               Visit&& visit) const {
    auto it = risks.find(RiskKey(review_id, risk_id));
    if (it != risks.end()) visit(it->second);
  }
  template <typename Visit>
  void ForProgramme(absl::string_view programme_id, Visit&& visit) const {
    auto it = programmes.find(programme_id);
    if (it != programmes.end()) {
      visit(it->second.review_id, it->second.owning_agency_id,
            it->second.related);
    }
  }

  Postings& PostingsOf(const KeyRef& k) {
    switch (k.kind) {
      case KeyRef::kAgency:
        return agencies[k.a].own;
      case KeyRef::kPerson:
        return agencies[k.a].people[k.b];
      case KeyRef::kReview:
        return reviews[k.a].own;
      case KeyRef::kRecommendation:
        break;
    }
    return reviews[k.a].recommendations[k.number];
  }

  // Follows what later keys depend on, after `e` is posted.
  void Learn(const FoldEvent& e) {
    using D = v1::DomainEvent;
    switch (e.payload_case) {
      case D::kReviewOpened:
        reviews_opened.emplace(e.review_id);
        break;
      case D::kRiskRaised:
        if (reviews_opened.contains(e.review_id)) {
          risks[RiskKey(e.review_id, e.risk_id)] = e.related_recommendations;
        }
        break;
      case D::kProgrammeRegistered: {
        Programme& p = programmes[e.programme_id];
        p.review_id = std::string(e.review_id);
        p.owning_agency_id = std::string(e.owning_agency_id);
        p.related = e.related_recommendations;
        break;
      }
      default:
        break;
    }
  }
};

HistoryBuilder::HistoryBuilder(const v1::ProjectionState& base, Part part)
    : state_(std::make_unique<State>()) {
  state_->part = part;
  for (const auto& [id, review] : base.reviews()) {
    state_->reviews_opened.insert(id);
    for (const auto& [risk_id, risk] : review.risks()) {
      state_->risks[State::RiskKey(id, risk_id)].assign(
          risk.related_recommendations().begin(),
          risk.related_recommendations().end());
    }
  }
  for (const auto& [id, p] : base.programmes()) {
    State::Programme& mine = state_->programmes[id];
    mine.review_id = p.review_id();
    mine.owning_agency_id = p.owning_agency_id();
    mine.related.assign(p.related_recommendations().begin(),
                        p.related_recommendations().end());
  }
}

HistoryBuilder::~HistoryBuilder() = default;

void HistoryBuilder::Post(const FoldEvent& event,
                          eventstore::Position position) {
  if (event.payload_case == v1::DomainEvent::kAccessRecorded) return;
  thread_local KeyRefs keys;
  const size_t named = CollectAllKeys(event, *state_, &keys);
  const int64_t occurred = event.occurred_micros();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (state_->Posts(keys[i])) {
      state_->PostingsOf(keys[i]).Add(position, occurred);
    }
  }
  if (!event.official()) {
    for (size_t i = 0; i < named; ++i) {
      if (state_->Posts(keys[i])) {
        state_->sensitive[KeyString(keys[i])].push_back(position);
      }
    }
  }
  // Last: the keys may point into the record that learning changes.
  state_->Learn(event);
}

void HistoryBuilder::MergeInto(v1::ProjectionState* state) {
  // Each list is freed once copied, so that the history is not held twice
  // at the end of a rebuild.
  auto* history = state->mutable_history();
  for (auto& [agency_id, agency] : state_->agencies) {
    if (!agency.own.positions.empty()) {
      agency.own.MoveTo(&(*history)[AgencyHistoryKey(agency_id)]);
    }
    for (auto& [person, postings] : agency.people) {
      postings.MoveTo(&(*history)[PersonHistoryKey(agency_id, person)]);
    }
    agency.people = {};
  }
  state_->agencies = {};
  for (auto& [review_id, review] : state_->reviews) {
    if (!review.own.positions.empty()) {
      review.own.MoveTo(&(*history)[ReviewHistoryKey(review_id)]);
    }
    for (auto& [number, postings] : review.recommendations) {
      postings.MoveTo(&(*history)[RecommendationHistoryKey(review_id, number)]);
    }
    review.recommendations = {};
  }
  state_->reviews = {};
  auto* sensitive = state->mutable_sensitive();
  for (const auto& [key, positions] : state_->sensitive) {
    (*sensitive)[key].mutable_positions()->Add(positions.begin(),
                                               positions.end());
  }
  state_->sensitive = {};
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
