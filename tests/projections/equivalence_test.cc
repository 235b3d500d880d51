// Equivalence of the read model's folds (projections/read_model.h) and of
// the views computed from them (projections/views.h), over random valid
// histories.
//
// For each seed a generator drives DecideCommand against a MemorySource
// with a mix of every command, keeping its own model of the world so that
// almost every command it makes is allowed (a few are made to be refused,
// and must leave no event). Only decided events are recorded, at global
// positions 1, 2, 3, ... with a stream, a revision, recorded_at and a fake
// hash, as the log would. occurred_at is often back-dated, so effective
// time runs out of log order. Then:
//  - the live fold (one event at a time), a replay from scratch and a
//    snapshot (serialised and parsed at a cut) plus the tail are equal;
//  - a fold as at position P equals the live state after P;
//  - SelectAsOf takes what an independent selection says: what was
//    recorded by the position and occurred by the instant, a correction or
//    withdrawal going with its update; every update in a picture as at an
//    instant is as the log knew it at the position (corrected, withdrawn);
//  - folding only one review's streams (as the server does for a query as
//    at a past position or instant) gives the same ProjectedReview as the
//    full fold with the same filter, and a partner's streams the same
//    partner view;
//  - the board, the attention list and the partner views of equal states
//    serialise to the same bytes;
//  - the board and partner views agree with the generator's own model.
//
// A failure names its seed. To rerun one seed:
//   OVERSIGHT_EQ_SEED=123 ./equivalence_test
// OVERSIGHT_EQ_SEEDS (default 80) and OVERSIGHT_EQ_EVENTS (default 300)
// change how many seeds and events per seed the shards run; the default
// takes about 20 s of CPU in a Debug build, in four shards.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.pb.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "projections/read_model.h"
#include "projections/views.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using google::protobuf::util::MessageDifferencer;
using testutil::MakeBullet;
using testutil::MemorySource;
using testutil::Text;
using testutil::Timestamp;

constexpr int kShards = 4;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::atoi(v);
}

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}
std::string Month(absl::CivilMonth m) {
  return absl::StrFormat("%04d-%02d", m.year(), m.month());
}
absl::CivilDay DayOf(absl::Time t) {
  return absl::ToCivilDay(t, absl::UTCTimeZone());
}

// Deterministic bytes of a message (map entries sorted by key).
std::string Bytes(const google::protobuf::Message& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

// A reproducible random source (the same numbers with every standard
// library: no std::*_distribution).
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : gen_() % n; }
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Percent(int p) { return static_cast<int>(Below(100)) < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  std::mt19937_64 gen_;
};

// ------------------------------------------------------------- the model

struct UpdateModel {
  std::string agency;
  std::string period;
  bool withdrawn = false;
  uint64_t position = 0;
};

struct RecModel {
  int32_t number = 0;
  std::string owner;
  std::vector<std::string> contributors;
  bool closed = false;
  std::map<std::string, UpdateModel> updates;
  std::map<std::string, bool> activities;     // id -> completed
  std::map<std::string, v1::Rating> ratings;  // period -> latest
  std::vector<std::string> periods_due;

  bool Involves(const std::string& agency) const {
    return agency == owner ||
           std::find(contributors.begin(), contributors.end(), agency) !=
               contributors.end();
  }
};

struct RiskModel {
  std::string raised_by;
  bool resolved = false;
  std::vector<int32_t> related;
};

struct ReviewModel {
  std::string id;
  std::string commissioner;
  std::vector<std::string> themes;
  std::map<std::string, bool> periods;  // label -> open
  absl::CivilMonth first_month;
  absl::CivilMonth next_month;
  std::map<int32_t, RecModel> recs;
  std::map<std::string, RiskModel> risks;
};

struct ProgrammeModel {
  std::string id;
  std::string owner;
  std::string review;
  std::set<std::string> quarters;
};

// ---------------------------------------------------------- the generator

class Generator {
 public:
  explicit Generator(uint64_t seed)
      : rng_(seed),
        seed_(seed),
        now_(absl::FromCivil(absl::CivilSecond(2024, 1, 8, 9, 0, 0),
                             absl::UTCTimeZone()) +
             absl::Minutes(static_cast<int64_t>(rng_.Below(60 * 24 * 30)))) {}

  // Generates until `events` events are recorded (or too many attempts).
  void Generate(int events) {
    SetUpWorld();
    int attempts = 0;
    while (static_cast<int>(log_.size()) < events && attempts < events * 20) {
      ++attempts;
      Step();
    }
  }

  const std::vector<RecordedDomainEvent>& log() const { return log_; }
  const std::map<std::string, std::vector<RecordedDomainEvent>>& streams()
      const {
    return streams_;
  }
  const std::vector<std::string>& problems() const { return problems_; }
  const std::map<std::string, v1::AgencyKind>& agencies() const {
    return agencies_;
  }
  const std::map<std::string, ReviewModel>& reviews() const { return reviews_; }
  const std::map<std::string, ProgrammeModel>& programmes() const {
    return programmes_;
  }
  int refused_on_purpose() const { return refused_on_purpose_; }
  absl::Time now() const { return now_; }

 private:
  // ------------------------------------------------------------ recording

  std::string NewRequestId() { return absl::StrCat("req-", ++requests_); }

  std::string Person() {
    static const std::vector<std::string> kPeople = {"alice", "bob", "carol",
                                                     "importer"};
    return rng_.Pick(kPeople);
  }

  // Decides `request` as `agency` now; records the event when allowed.
  // `expect_ok` false: the generator made it to be refused.
  template <typename Request>
  bool Submit(const std::string& agency, Request request,
              bool expect_ok = true) {
    if (request.request_id().empty()) request.set_request_id(NewRequestId());
    request.set_classification(rng_.Percent(10)
                                   ? v1::CLASSIFICATION_OFFICIAL_SENSITIVE
                                   : v1::CLASSIFICATION_OFFICIAL);
    if (!request.has_occurred_at()) {
      const int roll = static_cast<int>(rng_.Below(100));
      if (roll < 30) {
        // Back-dated: recorded up to 45 days after it happened.
        *request.mutable_occurred_at() =
            Timestamp(now_ - absl::Seconds(rng_.Between(1, 45 * 24 * 3600)));
      } else if (roll < 38) {
        // Slightly ahead of the server's clock, within the allowed skew.
        *request.mutable_occurred_at() =
            Timestamp(now_ + absl::Seconds(rng_.Between(0, 59)));
      }  // else: unset, defaults to now.
    }
    CommandContext ctx;
    ctx.actor.set_agency_id(agency);
    ctx.actor.set_person(Person());
    ctx.now = now_;
    absl::StatusOr<Decision> d = DecideCommand(ctx, request, source_);
    if (!d.ok()) {
      if (expect_ok) {
        problems_.push_back(absl::StrCat(Request::descriptor()->name(), " by ",
                                         agency,
                                         " refused: ", d.status().ToString()));
      } else {
        ++refused_on_purpose_;
      }
      return false;
    }
    if (!expect_ok) {
      problems_.push_back(absl::StrCat(
          Request::descriptor()->name(), " by ", agency,
          " was accepted but should not be: ", request.ShortDebugString()));
    }
    if (absl::Status s = source_.Apply(*d); !s.ok()) {
      problems_.push_back(absl::StrCat("append failed: ", s.ToString()));
      return false;
    }
    RecordedDomainEvent r;
    r.position = log_.size() + 1;
    r.stream = d->stream;
    r.revision = source_.Events(d->stream).size() - 1;
    r.recorded_at = now_;
    for (size_t i = 0; i < r.hash.size(); ++i) {
      r.hash[i] =
          static_cast<uint8_t>((r.position * 31 + seed_ + i * 7) & 0xff);
    }
    r.event = d->event;
    log_.push_back(r);
    streams_[r.stream].push_back(r);
    return true;
  }

  // ------------------------------------------------------------ the world

  std::vector<std::string> AgenciesOf(
      std::initializer_list<v1::AgencyKind> kinds) const {
    std::vector<std::string> out;
    for (const auto& [id, kind] : agencies_) {
      if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) {
        out.push_back(id);
      }
    }
    return out;
  }
  std::vector<std::string> CarryOut() const {
    return AgenciesOf({v1::AGENCY_KIND_FORCE, v1::AGENCY_KIND_PARTNER,
                       v1::AGENCY_KIND_REVIEWING_BODY});
  }
  std::vector<std::string> AllAgencies() const {
    std::vector<std::string> out;
    for (const auto& [id, kind] : agencies_) out.push_back(id);
    return out;
  }

  bool RegisterAgency(const std::string& actor, const std::string& id,
                      v1::AgencyKind kind) {
    v1::RegisterAgencyRequest r;
    r.mutable_agency()->set_agency_id(id);
    *r.mutable_agency()->mutable_name() = Text(absl::StrCat("Agency ", id));
    r.mutable_agency()->set_kind(kind);
    if (!Submit(actor, r)) return false;
    agencies_[id] = kind;
    return true;
  }

  void SetUpWorld() {
    RegisterAgency("opcc", "opcc", v1::AGENCY_KIND_REVIEWING_BODY);
    std::vector<std::pair<std::string, v1::AgencyKind>> rest = {
        {"opcc2", v1::AGENCY_KIND_REVIEWING_BODY},
        {"police", v1::AGENCY_KIND_FORCE},
        {"police2", v1::AGENCY_KIND_FORCE},
        {"partner", v1::AGENCY_KIND_PARTNER},
        {"partner2", v1::AGENCY_KIND_PARTNER},
        {"panel", v1::AGENCY_KIND_PANEL},
        {"auditor", v1::AGENCY_KIND_AUDITOR}};
    // A random order: Fisher-Yates with our own generator.
    for (size_t i = rest.size(); i > 1; --i) {
      std::swap(rest[i - 1], rest[rng_.Below(i)]);
    }
    for (const auto& [id, kind] : rest) {
      RegisterAgency(rng_.Pick(AgenciesOf({v1::AGENCY_KIND_REVIEWING_BODY})),
                     id, kind);
    }
    OpenReview();
  }

  void Advance() {
    // Mostly hours apart, sometimes the same second, sometimes days.
    const int roll = static_cast<int>(rng_.Below(100));
    if (roll < 10) return;
    if (roll < 85) {
      now_ += absl::Seconds(rng_.Between(60, 20 * 3600));
    } else {
      now_ += absl::Seconds(rng_.Between(1, 6 * 24 * 3600));
    }
  }

  std::string Today() const { return Day(DayOf(now_)); }
  // A full date up to `days` back from today.
  std::string PastDate(int days) {
    const absl::CivilDay d = DayOf(now_) - rng_.Between(0, days);
    return Day(d);
  }

  ReviewModel* PickReview() {
    if (reviews_.empty()) return nullptr;
    auto it = reviews_.begin();
    std::advance(it, rng_.Below(reviews_.size()));
    return &it->second;
  }
  // A recommendation matching `pred` in any review, or nullptr.
  std::pair<ReviewModel*, RecModel*> PickRec(
      const std::function<bool(const ReviewModel&, const RecModel&)>& pred) {
    std::vector<std::pair<ReviewModel*, RecModel*>> all;
    for (auto& [id, review] : reviews_) {
      for (auto& [n, rec] : review.recs) {
        if (pred(review, rec)) all.emplace_back(&review, &rec);
      }
    }
    if (all.empty()) return {nullptr, nullptr};
    return all[rng_.Below(all.size())];
  }
  static std::vector<std::string> OpenPeriods(const ReviewModel& review) {
    std::vector<std::string> out;
    for (const auto& [label, open] : review.periods) {
      if (open) out.push_back(label);
    }
    return out;
  }
  static std::vector<std::string> AllPeriods(const ReviewModel& review) {
    std::vector<std::string> out;
    for (const auto& [label, open] : review.periods) out.push_back(label);
    return out;
  }
  // Up to `max` distinct existing recommendation numbers of `review`.
  std::vector<int32_t> SomeRecs(const ReviewModel& review, int max) {
    std::vector<int32_t> numbers;
    for (const auto& [n, rec] : review.recs) numbers.push_back(n);
    std::vector<int32_t> out;
    const int want = static_cast<int>(rng_.Below(max + 1));
    for (int i = 0; i < want && !numbers.empty(); ++i) {
      const size_t k = rng_.Below(numbers.size());
      out.push_back(numbers[k]);
      numbers.erase(numbers.begin() + static_cast<ptrdiff_t>(k));
    }
    return out;
  }

  // --------------------------------------------------------- the commands

  bool OpenReview() {
    static const std::vector<std::string> kIds = {"rev-a", "rev-b", "rev-c"};
    if (reviews_.size() >= kIds.size()) return false;
    const std::string id = kIds[reviews_.size()];
    const std::string actor =
        rng_.Pick(AgenciesOf({v1::AGENCY_KIND_REVIEWING_BODY}));
    v1::OpenReviewRequest r;
    v1::ReviewOpened& o = *r.mutable_review();
    o.set_review_id(id);
    *o.mutable_title() = Text(absl::StrCat("Review ", id));
    *o.mutable_question() = Text("How well are victims protected?");
    o.set_opened_on(PastDate(30));
    const int themes = static_cast<int>(rng_.Between(1, 3));
    std::vector<std::string> theme_ids;
    for (int i = 1; i <= themes; ++i) {
      v1::Theme& t = *o.add_themes();
      t.set_id(absl::StrCat("t", i));
      *t.mutable_name() = Text(absl::StrCat("Theme ", i));
      theme_ids.push_back(t.id());
    }
    if (!Submit(actor, r)) return false;
    ReviewModel& m = reviews_[id];
    m.id = id;
    m.commissioner = actor;
    m.themes = theme_ids;
    m.first_month = absl::CivilMonth(DayOf(now_)) - rng_.Between(0, 2);
    m.next_month = m.first_month;
    return true;
  }

  bool IssueRec() {
    ReviewModel* review = PickReview();
    if (review == nullptr || review->recs.size() >= 12) return false;
    int32_t number = static_cast<int32_t>(review->recs.size()) + 1;
    if (rng_.Percent(30)) number = static_cast<int32_t>(rng_.Between(1, 40));
    if (review->recs.count(number) > 0) return false;
    const std::vector<std::string> carry_out = CarryOut();
    const std::string owner = rng_.Pick(carry_out);
    std::vector<std::string> contributors;
    const int want = static_cast<int>(rng_.Below(3));
    for (int i = 0; i < want; ++i) {
      const std::string& c = rng_.Pick(carry_out);
      if (c != owner && std::find(contributors.begin(), contributors.end(),
                                  c) == contributors.end()) {
        contributors.push_back(c);
      }
    }
    v1::IssueRecommendationRequest r;
    v1::RecommendationIssued& i = *r.mutable_recommendation();
    i.set_review_id(review->id);
    i.set_number(number);
    if (rng_.Percent(80)) i.set_theme_id(rng_.Pick(review->themes));
    if (rng_.Percent(10)) {
      i.set_text_not_in_source(true);
    } else {
      *i.mutable_text() = Text(absl::StrCat("Recommendation ", number),
                               rng_.Percent(50) ? "Argymhelliad" : "");
    }
    i.set_owning_agency_id(owner);
    for (const std::string& c : contributors) i.add_contributing_agency_ids(c);
    if (!Submit(review->commissioner, r)) return false;
    RecModel& rec = review->recs[number];
    rec.number = number;
    rec.owner = owner;
    rec.contributors = contributors;
    return true;
  }

  bool OpenPeriod() {
    ReviewModel* review = PickReview();
    if (review == nullptr) return false;
    absl::CivilMonth month = review->next_month;
    const bool earlier = rng_.Percent(15);
    if (earlier) {
      // A month before the first one opened, not opened yet.
      month = review->first_month - 1;
      while (review->periods.count(Month(month)) > 0) month -= 1;
    } else if (month > absl::CivilMonth(DayOf(now_)) + 1) {
      return false;  // not a period that could be reported on yet
    }
    v1::OpenReportingPeriodRequest r;
    r.mutable_period()->set_review_id(review->id);
    r.mutable_period()->set_period(Month(month));
    if (rng_.Percent(80)) {
      const absl::CivilDay due =
          absl::CivilDay(month + 1) + rng_.Between(0, 27);
      r.mutable_period()->set_submissions_due_on(Day(due));
    }
    if (!Submit(review->commissioner, r)) return false;
    review->periods[Month(month)] = true;
    if (earlier) {
      review->first_month = std::min(review->first_month, month);
    } else {
      review->next_month = month + 1;
    }
    return true;
  }

  bool ClosePeriod() {
    ReviewModel* review = PickReview();
    if (review == nullptr) return false;
    const std::vector<std::string> open = OpenPeriods(*review);
    if (open.empty()) return false;
    const std::string period = rng_.Pick(open);
    v1::CloseReportingPeriodRequest r;
    r.mutable_period()->set_review_id(review->id);
    r.mutable_period()->set_period(period);
    if (!Submit(review->commissioner, r)) return false;
    review->periods[period] = false;
    for (auto& [n, rec] : review->recs) {
      if (!rec.closed) rec.periods_due.push_back(period);
    }
    return true;
  }

  bool SubmitUpdate() {
    auto [review, rec] = PickRec([](const ReviewModel& v, const RecModel& c) {
      return !c.closed && !OpenPeriods(v).empty();
    });
    if (rec == nullptr) return false;
    std::vector<std::string> who = rec->contributors;
    who.push_back(rec->owner);
    who.push_back(rec->owner);  // owners report more often
    const std::string agency = rng_.Pick(who);
    const std::string period = rng_.Pick(OpenPeriods(*review));
    v1::SubmitProgressUpdateRequest r;
    r.set_request_id(NewRequestId());
    v1::ProgressUpdateSubmitted& u = *r.mutable_update();
    u.set_review_id(review->id);
    u.set_number(rec->number);
    std::string id = r.request_id();
    if (rng_.Percent(50)) {
      id = absl::StrCat("u:", review->id, ".", rec->number, ".", requests_);
      u.set_update_id(id);
    }
    if (rng_.Percent(30)) u.set_agency_id(agency);
    u.set_period(period);
    const int bullets = static_cast<int>(rng_.Between(1, 3));
    for (int i = 0; i < bullets; ++i) {
      *u.add_bullets() = MakeBullet(absl::StrCat("Progress ", i + 1),
                                    static_cast<int>(rng_.Below(3)));
    }
    if (rng_.Percent(20)) {
      v1::Link& l = *u.add_evidence();
      *l.mutable_title() = Text("Evidence");
      l.set_url("https://example.org/evidence.pdf");
    }
    if (!Submit(agency, r)) return false;
    rec->updates[id] = UpdateModel{agency, period, false, log_.size()};
    return true;
  }

  // A recommendation's update not withdrawn, and its id.
  std::tuple<ReviewModel*, RecModel*, std::string> PickLiveUpdate() {
    std::vector<std::tuple<ReviewModel*, RecModel*, std::string>> all;
    for (auto& [id, review] : reviews_) {
      for (auto& [n, rec] : review.recs) {
        for (const auto& [uid, u] : rec.updates) {
          if (!u.withdrawn) all.emplace_back(&review, &rec, uid);
        }
      }
    }
    if (all.empty()) return {nullptr, nullptr, ""};
    return all[rng_.Below(all.size())];
  }

  bool CorrectUpdate() {
    auto [review, rec, uid] = PickLiveUpdate();
    if (rec == nullptr) return false;
    v1::CorrectProgressUpdateRequest r;
    v1::ProgressUpdateCorrected& c = *r.mutable_correction();
    c.set_review_id(review->id);
    c.set_number(rec->number);
    c.set_update_id(uid);
    *c.add_bullets() = MakeBullet("Corrected progress", 1);
    *c.mutable_reason() = Text("The first figures were wrong");
    return Submit(rec->updates[uid].agency, r);
  }

  bool WithdrawUpdate() {
    auto [review, rec, uid] = PickLiveUpdate();
    if (rec == nullptr) return false;
    v1::WithdrawProgressUpdateRequest r;
    v1::ProgressUpdateWithdrawn& w = *r.mutable_withdrawal();
    w.set_review_id(review->id);
    w.set_number(rec->number);
    w.set_update_id(uid);
    *w.mutable_reason() = Text("Submitted against the wrong recommendation");
    if (!Submit(rec->updates[uid].agency, r)) return false;
    rec->updates[uid].withdrawn = true;
    return true;
  }

  bool Rate() {
    auto [review, rec] = PickRec([](const ReviewModel& v, const RecModel& c) {
      return !c.closed && !OpenPeriods(v).empty();
    });
    if (rec == nullptr) return false;
    const std::string period = rng_.Pick(OpenPeriods(*review));
    const v1::Rating rating =
        static_cast<v1::Rating>(rng_.Between(v1::RATING_RED, v1::RATING_GREEN));
    v1::AssignRatingRequest r;
    v1::RatingAssigned& a = *r.mutable_rating();
    a.set_review_id(review->id);
    a.set_number(rec->number);
    a.set_period(period);
    a.set_rating(rating);
    *a.mutable_rationale() = Text("As evidenced by the update");
    if (!Submit(review->commissioner, r)) return false;
    rec->ratings[period] = rating;
    return true;
  }

  bool RecordActivity() {
    auto [review, rec] = PickRec([](const ReviewModel& v, const RecModel& c) {
      return !c.closed && !v.periods.empty();
    });
    if (rec == nullptr) return false;
    v1::RecordMonitoringActivityRequest r;
    r.set_request_id(NewRequestId());
    v1::MonitoringActivityRecorded& a = *r.mutable_activity();
    a.set_review_id(review->id);
    a.set_number(rec->number);
    a.set_period(rng_.Pick(AllPeriods(*review)));
    *a.mutable_description() = Text("Dip-sample twenty case files");
    const absl::CivilDay due = DayOf(now_) + rng_.Between(-60, 90);
    const int roll = static_cast<int>(rng_.Below(100));
    if (roll < 50) {
      a.set_due_on(Day(due));
    } else if (roll < 75) {
      a.set_due_on(Month(absl::CivilMonth(due)));
    } else if (roll < 85) {
      a.set_due_on(absl::StrFormat("%04d", due.year()));
    }  // else: no due date
    std::string id = r.request_id();
    if (rng_.Percent(50)) {
      id = absl::StrCat("act-", requests_);
      a.set_activity_id(id);
    }
    if (!Submit(review->commissioner, r)) return false;
    rec->activities[id] = false;
    return true;
  }

  bool CompleteActivity() {
    std::vector<std::tuple<ReviewModel*, RecModel*, std::string>> all;
    for (auto& [id, review] : reviews_) {
      for (auto& [n, rec] : review.recs) {
        for (const auto& [aid, done] : rec.activities) {
          if (!done) all.emplace_back(&review, &rec, aid);
        }
      }
    }
    if (all.empty()) return false;
    auto [review, rec, aid] = all[rng_.Below(all.size())];
    v1::CompleteMonitoringActivityRequest r;
    v1::MonitoringActivityCompleted& c = *r.mutable_completion();
    c.set_review_id(review->id);
    c.set_number(rec->number);
    c.set_activity_id(aid);
    *c.mutable_outcome() = Text("Eighteen of twenty files compliant");
    if (!Submit(review->commissioner, r)) return false;
    rec->activities[aid] = true;
    return true;
  }

  bool Meeting() {
    ReviewModel* review = PickReview();
    if (review == nullptr) return false;
    v1::RecordMeetingObservedRequest r;
    v1::MeetingObserved& m = *r.mutable_meeting();
    m.set_review_id(review->id);
    m.set_kind(static_cast<v1::MeetingKind>(rng_.Between(1, 6)));
    *m.mutable_title() = Text("Stalking clinic");
    m.set_held_on(PastDate(20));
    std::vector<std::string> all = AllAgencies();
    const int attending = static_cast<int>(rng_.Below(4));
    for (int i = 0; i < attending && !all.empty(); ++i) {
      const size_t k = rng_.Below(all.size());
      m.add_attending_agency_ids(all[k]);
      all.erase(all.begin() + static_cast<ptrdiff_t>(k));
    }
    if (rng_.Percent(50)) *m.add_findings() = Text("Good multi-agency work");
    for (int32_t n : SomeRecs(*review, 2)) m.add_related_recommendations(n);
    return Submit(review->commissioner, r);
  }

  bool RaiseRisk() {
    ReviewModel* review = PickReview();
    if (review == nullptr) return false;
    v1::RaiseRiskRequest r;
    r.set_request_id(NewRequestId());
    v1::RiskRaised& k = *r.mutable_risk();
    k.set_review_id(review->id);
    k.set_category(static_cast<v1::RiskCategory>(rng_.Between(1, 5)));
    *k.mutable_description() = Text("Funding ends in March");
    std::string actor = review->commissioner;
    std::vector<int32_t> related;
    if (rng_.Percent(50) || review->recs.empty()) {
      related = SomeRecs(*review, 2);
    } else {
      // An agency that owns or contributes to a recommendation raises it
      // against the recommendations it carries out.
      auto it = review->recs.begin();
      std::advance(it, rng_.Below(review->recs.size()));
      std::vector<std::string> who = it->second.contributors;
      who.push_back(it->second.owner);
      actor = rng_.Pick(who);
      related.push_back(it->first);
      for (const auto& [n, rec] : review->recs) {
        if (n != it->first && rec.Involves(actor) && rng_.Percent(40)) {
          related.push_back(n);
        }
      }
    }
    for (int32_t n : related) k.add_related_recommendations(n);
    std::string id = r.request_id();
    if (rng_.Percent(50)) {
      id = absl::StrCat("risk-", requests_);
      k.set_risk_id(id);
    }
    if (!Submit(actor, r)) return false;
    review->risks[id] = RiskModel{actor, false, related};
    return true;
  }

  bool ResolveRisk() {
    std::vector<std::pair<ReviewModel*, std::string>> open;
    for (auto& [id, review] : reviews_) {
      for (const auto& [rid, risk] : review.risks) {
        if (!risk.resolved) open.emplace_back(&review, rid);
      }
    }
    if (open.empty()) return false;
    auto [review, rid] = open[rng_.Below(open.size())];
    const std::string actor =
        rng_.Percent(50) ? review->risks[rid].raised_by : review->commissioner;
    v1::ResolveRiskRequest r;
    v1::RiskResolved& k = *r.mutable_resolution();
    k.set_review_id(review->id);
    k.set_risk_id(rid);
    *k.mutable_resolution() = Text("Funding was renewed");
    if (!Submit(actor, r)) return false;
    review->risks[rid].resolved = true;
    return true;
  }

  bool RegisterProgramme() {
    ReviewModel* review = PickReview();
    const std::vector<std::string> partners =
        AgenciesOf({v1::AGENCY_KIND_PARTNER});
    if (review == nullptr || partners.empty() || programmes_.size() >= 5) {
      return false;
    }
    const std::string id = absl::StrCat("prog-", programmes_.size() + 1);
    const std::string owner = rng_.Pick(partners);
    v1::RegisterProgrammeRequest r;
    v1::ProgrammeRegistered& p = *r.mutable_programme();
    p.set_programme_id(id);
    *p.mutable_name() = Text(absl::StrCat("Programme ", id));
    p.set_owning_agency_id(owner);
    p.set_review_id(review->id);
    for (int32_t n : SomeRecs(*review, 2)) p.add_related_recommendations(n);
    p.set_started_on(PastDate(200));
    if (!Submit(rng_.Percent(60) ? owner : review->commissioner, r)) {
      return false;
    }
    programmes_[id] = ProgrammeModel{id, owner, review->id, {}};
    return true;
  }

  bool PartnerReport() {
    if (programmes_.empty()) return false;
    auto it = programmes_.begin();
    std::advance(it, rng_.Below(programmes_.size()));
    ProgrammeModel& p = it->second;
    const std::string quarter =
        absl::StrCat(rng_.Between(2023, 2025), "-Q", rng_.Between(1, 4));
    if (p.quarters.count(quarter) > 0) return false;
    v1::SubmitPartnerReportRequest r;
    v1::PartnerReportSubmitted& s = *r.mutable_report();
    s.set_programme_id(p.id);
    s.set_quarter(quarter);
    if (rng_.Percent(80)) {
      v1::Figure& f = *s.add_figures();
      f.set_key("victims_supported");
      f.set_value(rng_.Between(0, 50));
      *f.mutable_label() = Text("Victims supported");
      f.set_cumulative(rng_.Percent(50));
    }
    if (s.figures().empty() || rng_.Percent(50)) {
      *s.add_narrative() = Text("A steady quarter");
    }
    if (!Submit(p.owner, r)) return false;
    p.quarters.insert(quarter);
    return true;
  }

  bool CrossReference() {
    auto [review, rec] =
        PickRec([](const ReviewModel&, const RecModel&) { return true; });
    if (rec == nullptr) return false;
    v1::RecordCrossReferenceRequest r;
    v1::CrossReferenceRecorded& x = *r.mutable_cross_reference();
    x.set_review_id(review->id);
    x.set_number(rec->number);
    v1::CrossReferenceKind kind =
        static_cast<v1::CrossReferenceKind>(rng_.Between(1, 6));
    int32_t other = 0;
    if (kind == v1::CROSS_REFERENCE_KIND_RECOMMENDATION) {
      for (const auto& [n, c] : review->recs) {
        if (n != rec->number) other = n;
      }
      if (other == 0) kind = v1::CROSS_REFERENCE_KIND_OTHER;
    }
    x.set_kind(kind);
    x.set_related_recommendation(other);
    *x.mutable_title() = Text("Related plan");
    if (rng_.Percent(50)) x.set_url("https://example.org/plan");
    return Submit(rng_.Percent(50) ? rec->owner : review->commissioner, r);
  }

  bool CloseRec() {
    auto [review, rec] = PickRec(
        [](const ReviewModel&, const RecModel& c) { return !c.closed; });
    if (rec == nullptr) return false;
    v1::CloseRecommendationRequest r;
    v1::RecommendationClosed& c = *r.mutable_closure();
    c.set_review_id(review->id);
    c.set_number(rec->number);
    c.set_decided_by("Police and Crime Commissioner");
    *c.mutable_rationale() = Text("Complete");
    if (!Submit(review->commissioner, r)) return false;
    rec->closed = true;
    return true;
  }

  bool ReopenRec() {
    auto [review, rec] =
        PickRec([](const ReviewModel&, const RecModel& c) { return c.closed; });
    if (rec == nullptr) return false;
    v1::ReopenRecommendationRequest r;
    v1::RecommendationReopened& o = *r.mutable_reopening();
    o.set_review_id(review->id);
    o.set_number(rec->number);
    o.set_decided_by("Police and Crime Commissioner");
    *o.mutable_rationale() = Text("New evidence");
    if (!Submit(review->commissioner, r)) return false;
    rec->closed = false;
    return true;
  }

  bool Conclusion() {
    ReviewModel* review = PickReview();
    if (review == nullptr || review->periods.empty()) return false;
    v1::RecordConclusionRequest r;
    v1::ConclusionRecorded& c = *r.mutable_conclusion();
    c.set_review_id(review->id);
    c.set_period(rng_.Pick(AllPeriods(*review)));
    *c.add_paragraphs() = Text("Good progress overall");
    return Submit(review->commissioner, r);
  }

  bool LateAgency() {
    static const std::vector<std::pair<std::string, v1::AgencyKind>> kLate = {
        {"partner3", v1::AGENCY_KIND_PARTNER},
        {"police3", v1::AGENCY_KIND_FORCE},
        {"opcc3", v1::AGENCY_KIND_REVIEWING_BODY}};
    for (const auto& [id, kind] : kLate) {
      if (agencies_.count(id) == 0) {
        return RegisterAgency(
            rng_.Pick(AgenciesOf({v1::AGENCY_KIND_REVIEWING_BODY})), id, kind);
      }
    }
    return false;
  }

  // A command the rules must refuse; nothing may be recorded.
  bool Invalid() {
    switch (rng_.Below(5)) {
      case 0: {  // an update on a closed recommendation
        auto [review, rec] =
            PickRec([](const ReviewModel& v, const RecModel& c) {
              return c.closed && !OpenPeriods(v).empty();
            });
        if (rec == nullptr) return false;
        v1::SubmitProgressUpdateRequest r;
        r.mutable_update()->set_review_id(review->id);
        r.mutable_update()->set_number(rec->number);
        r.mutable_update()->set_period(rng_.Pick(OpenPeriods(*review)));
        *r.mutable_update()->add_bullets() = MakeBullet("Too late");
        return !Submit(rec->owner, r, false);
      }
      case 1: {  // a rating for a closed period
        auto [review, rec] =
            PickRec([](const ReviewModel& v, const RecModel& c) {
              return !c.closed && OpenPeriods(v).size() < v.periods.size();
            });
        if (rec == nullptr) return false;
        std::string closed;
        for (const auto& [label, open] : review->periods) {
          if (!open) closed = label;
        }
        v1::AssignRatingRequest r;
        r.mutable_rating()->set_review_id(review->id);
        r.mutable_rating()->set_number(rec->number);
        r.mutable_rating()->set_period(closed);
        r.mutable_rating()->set_rating(v1::RATING_GREEN);
        *r.mutable_rating()->mutable_rationale() = Text("Too late");
        return !Submit(review->commissioner, r, false);
      }
      case 2: {  // an update by the panel
        auto [review, rec] =
            PickRec([](const ReviewModel& v, const RecModel& c) {
              return !c.closed && !OpenPeriods(v).empty();
            });
        if (rec == nullptr || agencies_.count("panel") == 0) return false;
        v1::SubmitProgressUpdateRequest r;
        r.mutable_update()->set_review_id(review->id);
        r.mutable_update()->set_number(rec->number);
        r.mutable_update()->set_period(rng_.Pick(OpenPeriods(*review)));
        *r.mutable_update()->add_bullets() = MakeBullet("Not ours");
        return !Submit("panel", r, false);
      }
      case 3: {  // occurred an hour in the future
        ReviewModel* review = PickReview();
        if (review == nullptr) return false;
        v1::RecordConclusionRequest r;
        r.mutable_conclusion()->set_review_id(review->id);
        r.mutable_conclusion()->set_period(Month(review->next_month));
        *r.mutable_conclusion()->add_paragraphs() = Text("Early");
        *r.mutable_occurred_at() = Timestamp(now_ + absl::Hours(1));
        return !Submit(review->commissioner, r, false);
      }
      default: {  // withdrawing an update already withdrawn
        for (auto& [id, review] : reviews_) {
          for (auto& [n, rec] : review.recs) {
            for (const auto& [uid, u] : rec.updates) {
              if (!u.withdrawn) continue;
              v1::WithdrawProgressUpdateRequest r;
              r.mutable_withdrawal()->set_review_id(id);
              r.mutable_withdrawal()->set_number(n);
              r.mutable_withdrawal()->set_update_id(uid);
              *r.mutable_withdrawal()->mutable_reason() = Text("Again");
              return !Submit(u.agency, r, false);
            }
          }
        }
        return false;
      }
    }
  }

  void Step() {
    struct Kind {
      int weight;
      bool (Generator::*run)();
    };
    static const std::vector<Kind> kKinds = {
        {2, &Generator::OpenReview},     {10, &Generator::IssueRec},
        {5, &Generator::OpenPeriod},     {4, &Generator::ClosePeriod},
        {24, &Generator::SubmitUpdate},  {6, &Generator::CorrectUpdate},
        {4, &Generator::WithdrawUpdate}, {10, &Generator::Rate},
        {5, &Generator::RecordActivity}, {4, &Generator::CompleteActivity},
        {3, &Generator::Meeting},        {4, &Generator::RaiseRisk},
        {3, &Generator::ResolveRisk},    {2, &Generator::RegisterProgramme},
        {4, &Generator::PartnerReport},  {2, &Generator::CrossReference},
        {3, &Generator::CloseRec},       {2, &Generator::ReopenRec},
        {1, &Generator::Conclusion},     {1, &Generator::LateAgency},
        {3, &Generator::Invalid}};
    int total = 0;
    for (const Kind& k : kKinds) total += k.weight;
    int roll = static_cast<int>(rng_.Below(total));
    for (const Kind& k : kKinds) {
      if (roll < k.weight) {
        Advance();
        (this->*k.run)();
        return;
      }
      roll -= k.weight;
    }
  }

  Rng rng_;
  uint64_t seed_;
  absl::Time now_;
  int requests_ = 0;
  MemorySource source_;
  std::vector<RecordedDomainEvent> log_;
  std::map<std::string, std::vector<RecordedDomainEvent>> streams_;
  std::vector<std::string> problems_;
  int refused_on_purpose_ = 0;
  std::map<std::string, v1::AgencyKind> agencies_;
  std::map<std::string, ReviewModel> reviews_;
  std::map<std::string, ProgrammeModel> programmes_;
};

// ------------------------------------------------------------- the checks

// What every seed adds up, checked once at the end of a shard.
struct Coverage {
  std::set<int> payloads;
  int events = 0;
  int back_in_time = 0;  // events occurring before the one logged before
  int refused_on_purpose = 0;
  int missed_periods = 0;
  // Corrections and withdrawals taken into a picture as at an instant
  // before they occurred, with their update.
  int travelled = 0;
  std::set<int> attention_kinds;
};

::testing::AssertionResult SameState(const google::protobuf::Message& a,
                                     const google::protobuf::Message& b) {
  MessageDifferencer differencer;
  std::string report;
  differencer.ReportDifferencesToString(&report);
  if (differencer.Compare(a, b)) return ::testing::AssertionSuccess();
  if (report.size() > 4000) report = report.substr(0, 4000) + "...";
  return ::testing::AssertionFailure() << report;
}

v1::ProjectionState Fold(const std::vector<RecordedDomainEvent>& events) {
  v1::ProjectionState state;
  for (const RecordedDomainEvent& e : events) Apply(e, &state);
  return state;
}

// The events of `events` after `state`'s position folded as a rebuild
// folds them (ProjectionHost::CatchUpByScan): the history posted apart by
// HistoryBuilders started from `state` (one for agencies and people, one
// for reviews and recommendations, or with `one_builder` one for all), the
// rest by ApplyModels, the history merged at the end. Each event is
// decoded from its serialized bytes, as the log stores it.
void FoldSplit(const std::vector<RecordedDomainEvent>& events,
               v1::ProjectionState* state, bool one_builder = false) {
  using Part = HistoryBuilder::Part;
  HistoryBuilder first(*state, one_builder ? Part::kAll : Part::kAgencies);
  std::optional<HistoryBuilder> second;
  if (!one_builder) second.emplace(*state, Part::kReviews);
  const uint64_t after = state->position();
  std::string bytes;
  FoldEvent decoded;
  for (const RecordedDomainEvent& e : events) {
    if (e.position <= after) continue;
    bytes = e.event.SerializeAsString();
    ASSERT_TRUE(DecodeFoldEvent(bytes, &decoded)) << e.position;
    first.Post(decoded, e.position);
    ApplyModels(decoded, e.position, state);
    if (second.has_value()) second->Post(decoded, e.position);
  }
  first.MergeInto(state);
  if (second.has_value()) second->MergeInto(state);
}

// The fold of what a view as at `filter` takes (SelectAsOf), as the
// server folds it.
v1::ProjectionState FoldAsOf(const std::vector<RecordedDomainEvent>& events,
                             const AsOfFilter& filter) {
  return Fold(SelectAsOf(events, filter));
}

std::string UpdateKey(absl::string_view review_id, int32_t number,
                      absl::string_view update_id) {
  return absl::StrCat(review_id, "/", number, "/", update_id);
}

// The positions a view as at `filter` should take from `log`, worked out
// independently of SelectAsOf: everything recorded by the position that
// occurred by the instant, except that a correction or withdrawal goes
// with the update it acts on, whenever it occurred.
std::vector<uint64_t> ExpectedSelection(
    const std::vector<RecordedDomainEvent>& log, const AsOfFilter& filter) {
  std::map<std::string, const RecordedDomainEvent*> submissions;
  for (const RecordedDomainEvent& e : log) {
    if (e.event.has_progress_update_submitted()) {
      const v1::ProgressUpdateSubmitted& u =
          e.event.progress_update_submitted();
      submissions[UpdateKey(u.review_id(), u.number(), u.update_id())] = &e;
    }
  }
  std::vector<uint64_t> out;
  for (const RecordedDomainEvent& e : log) {
    if (filter.position != 0 && e.position > filter.position) continue;
    const RecordedDomainEvent* judged = &e;
    std::string target;
    if (e.event.has_progress_update_corrected()) {
      const auto& c = e.event.progress_update_corrected();
      target = UpdateKey(c.review_id(), c.number(), c.update_id());
    } else if (e.event.has_progress_update_withdrawn()) {
      const auto& w = e.event.progress_update_withdrawn();
      target = UpdateKey(w.review_id(), w.number(), w.update_id());
    }
    if (!target.empty()) {
      auto it = submissions.find(target);
      if (it == submissions.end()) continue;
      judged = it->second;
    }
    if (filter.effective_at.has_value() &&
        judged->occurred_at() > *filter.effective_at) {
      continue;
    }
    out.push_back(e.position);
  }
  return out;
}

std::vector<uint64_t> Positions(const std::vector<RecordedDomainEvent>& v) {
  std::vector<uint64_t> out;
  for (const RecordedDomainEvent& e : v) out.push_back(e.position);
  return out;
}

// The events of one review's streams (its own and its recommendations'),
// each stream read in order, merged by position and selected as at
// `filter`, as the server reads them for a query as at a past position or
// instant.
std::vector<RecordedDomainEvent> ReviewEvents(const Generator& gen,
                                              const v1::ProjectionState& live,
                                              const std::string& review_id,
                                              const AsOfFilter& filter) {
  std::vector<std::string> streams = {ReviewStream(review_id)};
  for (const auto& [n, rec] : live.reviews().at(review_id).recommendations()) {
    streams.push_back(RecommendationStream(review_id, n));
  }
  std::vector<RecordedDomainEvent> out;
  for (const std::string& s : streams) {
    auto it = gen.streams().find(s);
    if (it == gen.streams().end()) continue;
    for (const RecordedDomainEvent& e : it->second) {
      if (filter.position != 0 && e.position > filter.position) break;
      out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const RecordedDomainEvent& a, const RecordedDomainEvent& b) {
              return a.position < b.position;
            });
  return SelectAsOf(std::move(out), filter);
}

// The events a partner's view as at `filter` is folded from, as the
// server reads them: the agencies, the programmes the agency owns, the
// recommendations it owns or contributes to and their reviews.
std::vector<RecordedDomainEvent> PartnerEvents(const Generator& gen,
                                               const v1::ProjectionState& live,
                                               const std::string& agency,
                                               const AsOfFilter& filter) {
  std::vector<std::string> streams = {kAgenciesStream};
  for (const auto& [id, p] : live.programmes()) {
    if (p.owning_agency_id() == agency) streams.push_back(ProgrammeStream(id));
  }
  for (const auto& [review_id, review] : live.reviews()) {
    bool involved = false;
    for (const auto& [number, rec] : review.recommendations()) {
      const auto& c = rec.contributing_agency_ids();
      if (rec.owning_agency_id() == agency ||
          std::find(c.begin(), c.end(), agency) != c.end()) {
        involved = true;
        streams.push_back(RecommendationStream(review_id, number));
      }
    }
    if (involved) streams.push_back(ReviewStream(review_id));
  }
  std::vector<RecordedDomainEvent> out;
  for (const std::string& s : streams) {
    auto it = gen.streams().find(s);
    if (it == gen.streams().end()) continue;
    for (const RecordedDomainEvent& e : it->second) {
      if (filter.position != 0 && e.position > filter.position) break;
      out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const RecordedDomainEvent& a, const RecordedDomainEvent& b) {
              return a.position < b.position;
            });
  return SelectAsOf(std::move(out), filter);
}

// Every view of a state, named, as deterministic bytes.
struct View {
  std::string name;
  std::string bytes;
  const google::protobuf::Descriptor* type;
};
using Views = std::vector<View>;

void AddView(std::string name, const google::protobuf::Message& m, Views* out) {
  out->push_back(View{std::move(name), Bytes(m), m.GetDescriptor()});
}

void AddReviewViews(const v1::ProjectedReview& review,
                    const std::vector<absl::CivilDay>& days, Views* out) {
  v1::GetStatusBoardResponse board;
  FillStatusBoard(review, &board);
  AddView(absl::StrCat("board ", review.review_id()), board, out);
  for (absl::CivilDay day : days) {
    v1::ListAttentionResponse attention;
    FillAttention(review, day, &attention);
    AddView(absl::StrCat("attention ", review.review_id(), " on ", Day(day)),
            attention, out);
  }
}

Views AllViews(const v1::ProjectionState& state,
               const std::vector<absl::CivilDay>& days,
               const std::vector<std::string>& agencies) {
  Views out;
  const std::map<std::string, v1::ProjectedReview> reviews(
      state.reviews().begin(), state.reviews().end());
  for (const auto& [id, review] : reviews) AddReviewViews(review, days, &out);
  for (const std::string& agency : agencies) {
    v1::GetPartnerViewResponse partner;
    FillPartnerView(state, agency, &partner);
    AddView(absl::StrCat("partner view ", agency), partner, &out);
  }
  return out;
}

::testing::AssertionResult SameViews(const Views& a, const Views& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure()
           << "different numbers of views: " << a.size() << " vs " << b.size();
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name) {
      return ::testing::AssertionFailure()
             << "view " << i << ": " << a[i].name << " vs " << b[i].name;
    }
    if (a[i].bytes == b[i].bytes) continue;
    // Parse both back to say what differs, in order (as a client sees it).
    google::protobuf::MessageFactory* factory =
        google::protobuf::MessageFactory::generated_factory();
    std::unique_ptr<google::protobuf::Message> x(
        factory->GetPrototype(a[i].type)->New());
    std::unique_ptr<google::protobuf::Message> y(
        factory->GetPrototype(b[i].type)->New());
    x->ParseFromString(a[i].bytes);
    y->ParseFromString(b[i].bytes);
    std::string report;
    {
      MessageDifferencer differencer;
      differencer.ReportDifferencesToString(&report);
      differencer.Compare(*x, *y);
    }
    if (report.size() > 4000) report = report.substr(0, 4000) + "...";
    return ::testing::AssertionFailure() << a[i].name << " differs: " << report;
  }
  return ::testing::AssertionSuccess();
}

// The same positions, or those in only one of them.
::testing::AssertionResult SameSelection(const std::vector<uint64_t>& got,
                                         const std::vector<uint64_t>& want) {
  if (got == want) return ::testing::AssertionSuccess();
  std::vector<uint64_t> extra, missing;
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                      std::back_inserter(extra));
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  return ::testing::AssertionFailure()
         << "selected but should not be: [" << absl::StrJoin(extra, ", ")
         << "]; should be but not selected: [" << absl::StrJoin(missing, ", ")
         << "]";
}

// The board and the partner views against the generator's own model.
void CheckAgainstModel(const Generator& gen, const v1::ProjectionState& live,
                       Coverage* coverage) {
  ASSERT_EQ(static_cast<size_t>(live.reviews_size()), gen.reviews().size());
  ASSERT_EQ(static_cast<size_t>(live.agencies_size()), gen.agencies().size());
  ASSERT_EQ(static_cast<size_t>(live.programmes_size()),
            gen.programmes().size());
  for (const auto& [id, model] : gen.reviews()) {
    SCOPED_TRACE(absl::StrCat("review ", id));
    ASSERT_EQ(live.reviews().count(id), 1u);
    const v1::ProjectedReview& review = live.reviews().at(id);
    EXPECT_EQ(review.commissioning_agency_id(), model.commissioner);
    v1::GetStatusBoardResponse board;
    FillStatusBoard(review, &board);
    std::vector<std::string> periods, open_periods;
    for (const auto& [label, open] : model.periods) {
      periods.push_back(label);
      if (open) open_periods.push_back(label);
    }
    EXPECT_EQ(std::vector<std::string>(board.periods().begin(),
                                       board.periods().end()),
              periods);
    EXPECT_EQ(std::vector<std::string>(board.open_periods().begin(),
                                       board.open_periods().end()),
              open_periods);
    ASSERT_EQ(static_cast<size_t>(board.rows_size()), model.recs.size());
    int row_index = 0;
    for (const auto& [number, rec] : model.recs) {
      SCOPED_TRACE(absl::StrCat("recommendation ", number));
      const v1::StatusBoardRow& row = board.rows(row_index++);
      EXPECT_EQ(row.number(), number);
      EXPECT_EQ(row.owning_agency_id(), rec.owner);
      EXPECT_EQ(row.closed(), rec.closed);
      // Current and previous: the two latest period labels.
      // (rec is named by an init-capture: C++17 cannot capture a
      // structured binding, and clang refuses it.)
      auto rating_at = [&ratings = rec.ratings](const std::string& p) {
        v1::PeriodRating r;
        r.set_period(p);
        auto it = ratings.find(p);
        if (it != ratings.end()) {
          r.set_rating(it->second);
          r.set_stated(true);
        }
        return r;
      };
      if (periods.empty()) {
        EXPECT_FALSE(row.has_current());
      } else {
        EXPECT_EQ(Bytes(row.current()), Bytes(rating_at(periods.back())));
      }
      if (periods.size() < 2) {
        EXPECT_FALSE(row.has_previous());
      } else {
        EXPECT_EQ(Bytes(row.previous()),
                  Bytes(rating_at(periods[periods.size() - 2])));
      }
      // The last update not withdrawn, by log position.
      std::string last_id;
      uint64_t last_position = 0;
      for (const auto& [uid, u] : rec.updates) {
        if (!u.withdrawn && u.position > last_position) {
          last_position = u.position;
          last_id = uid;
        }
      }
      EXPECT_EQ(row.last_update_id(), last_id);
      EXPECT_EQ(row.last_update_position(), last_position);
      // Periods missed: closed while open, no update standing for them.
      std::vector<std::string> missed;
      for (const std::string& p : rec.periods_due) {
        bool has = false;
        for (const auto& [uid, u] : rec.updates) {
          has = has || (u.period == p && !u.withdrawn);
        }
        if (!has) missed.push_back(p);
      }
      coverage->missed_periods += static_cast<int>(missed.size());
      EXPECT_EQ(std::vector<std::string>(row.periods_missed().begin(),
                                         row.periods_missed().end()),
                missed);
      int open_activities = 0;
      for (const auto& [aid, done] : rec.activities) open_activities += !done;
      EXPECT_EQ(row.open_monitoring_activities(), open_activities);
      int open_risks = 0;
      for (const auto& [rid, risk] : model.risks) {
        open_risks += !risk.resolved &&
                      std::find(risk.related.begin(), risk.related.end(),
                                number) != risk.related.end();
      }
      EXPECT_EQ(row.open_risks(), open_risks);
    }
  }
  for (const auto& [agency, kind] : gen.agencies()) {
    SCOPED_TRACE(absl::StrCat("partner view of ", agency));
    v1::GetPartnerViewResponse view;
    FillPartnerView(live, agency, &view);
    EXPECT_EQ(view.name().en(), absl::StrCat("Agency ", agency));
    std::vector<std::string> expected_programmes, got_programmes;
    for (const auto& [id, p] : gen.programmes()) {
      if (p.owner == agency) expected_programmes.push_back(id);
    }
    for (const v1::ProgrammeView& p : view.programmes()) {
      got_programmes.push_back(p.programme_id());
      const ProgrammeModel& model = gen.programmes().at(p.programme_id());
      std::vector<std::string> quarters;
      for (const v1::QuarterFigures& q : p.quarters()) {
        quarters.push_back(q.quarter());
      }
      EXPECT_EQ(quarters, std::vector<std::string>(model.quarters.begin(),
                                                   model.quarters.end()));
    }
    EXPECT_EQ(got_programmes, expected_programmes);
    std::vector<std::string> expected_contributions, got_contributions;
    for (const auto& [review_id, review] : gen.reviews()) {
      for (const auto& [n, rec] : review.recs) {
        if (!rec.Involves(agency)) continue;
        expected_contributions.push_back(absl::StrCat(
            review_id, "/", n, rec.owner == agency ? " owner" : " contributor",
            rec.closed ? " closed" : ""));
      }
    }
    for (const v1::ContributionView& c : view.contributions()) {
      got_contributions.push_back(absl::StrCat(
          c.review_id(), "/", c.number(), c.owner() ? " owner" : " contributor",
          c.closed() ? " closed" : ""));
    }
    EXPECT_EQ(got_contributions, expected_contributions);
  }
}

void CheckSeed(uint64_t seed, int events, Coverage* coverage) {
  Generator gen(seed);
  gen.Generate(events);
  ASSERT_TRUE(gen.problems().empty())
      << "the generator and the rules disagree:\n"
      << absl::StrJoin(gen.problems(), "\n");
  const std::vector<RecordedDomainEvent>& log = gen.log();
  ASSERT_GE(log.size(), static_cast<size_t>(events) * 9 / 10);
  const uint64_t n = log.size();
  Rng rng(seed ^ 0xC0FFEE);

  // Coverage of the history itself.
  coverage->events += static_cast<int>(n);
  coverage->refused_on_purpose += gen.refused_on_purpose();
  for (size_t i = 0; i < log.size(); ++i) {
    coverage->payloads.insert(log[i].event.payload_case());
    if (i > 0 && log[i].occurred_at() < log[i - 1].occurred_at()) {
      ++coverage->back_in_time;
    }
  }

  // Cut points: two random positions before the end.
  std::vector<uint64_t> cuts = {1 + rng.Below(n - 1), 1 + rng.Below(n - 1)};
  std::sort(cuts.begin(), cuts.end());

  // The live fold, keeping the state after each cut.
  v1::ProjectionState live;
  std::map<uint64_t, v1::ProjectionState> at_cut;
  for (const RecordedDomainEvent& e : log) {
    Apply(e, &live);
    ASSERT_EQ(live.position(), e.position);
    if (std::find(cuts.begin(), cuts.end(), e.position) != cuts.end()) {
      at_cut[e.position] = live;
    }
  }
  at_cut[n] = live;

  // The partner view of some agencies (every agency is checked against
  // the model below), the attention list on two days.
  std::vector<std::string> agencies = {"nobody"};
  for (const auto& [id, kind] : gen.agencies()) {
    if (kind == v1::AGENCY_KIND_PARTNER || rng.Percent(20)) {
      agencies.push_back(id);
    }
  }
  const absl::CivilDay end_day = DayOf(gen.now());
  const std::vector<absl::CivilDay> days = {
      end_day - static_cast<int>(rng.Below(60)),
      end_day + static_cast<int>(rng.Below(20))};
  const Views live_views = AllViews(live, days, agencies);

  // A replay from scratch.
  {
    SCOPED_TRACE("replay from scratch");
    const v1::ProjectionState replay = Fold(log);
    ASSERT_TRUE(SameState(replay, live));
    ASSERT_TRUE(SameViews(AllViews(replay, days, agencies), live_views));
  }

  // A rebuild's split fold, from scratch and from each cut: the history
  // builder must know the risks and programmes of the state it starts
  // from (a risk resolved or a partner report after the cut).
  for (bool one_builder : {false, true}) {
    SCOPED_TRACE(
        absl::StrCat("split fold from scratch, one builder: ", one_builder));
    v1::ProjectionState split;
    FoldSplit(log, &split, one_builder);
    ASSERT_TRUE(SameState(split, live));
  }
  for (uint64_t cut : cuts) {
    SCOPED_TRACE(absl::StrCat("split fold from the snapshot at ", cut));
    v1::ProjectionState split = at_cut.at(cut);
    FoldSplit(log, &split);
    ASSERT_TRUE(SameState(split, live));
  }

  // Snapshots: serialised at a cut, parsed, then the tail applied.
  for (uint64_t cut : cuts) {
    SCOPED_TRACE(absl::StrCat("snapshot at position ", cut));
    std::string bytes;
    ASSERT_TRUE(at_cut.at(cut).SerializeToString(&bytes));
    v1::ProjectionState resumed;
    ASSERT_TRUE(resumed.ParseFromString(bytes));
    ASSERT_TRUE(SameState(resumed, at_cut.at(cut)));
    for (uint64_t p = cut + 1; p <= n; ++p) Apply(log[p - 1], &resumed);
    ASSERT_TRUE(SameState(resumed, live));
    if (cut == cuts.front()) {
      ASSERT_TRUE(SameViews(AllViews(resumed, days, agencies), live_views));
    }
  }
  // A snapshot written deterministically (maps in key order) parses to a
  // state whose maps were filled in another order: the same views.
  {
    SCOPED_TRACE("deterministic snapshot");
    v1::ProjectionState parsed;
    ASSERT_TRUE(parsed.ParseFromString(Bytes(live)));
    ASSERT_TRUE(SameState(parsed, live));
    ASSERT_TRUE(SameViews(AllViews(parsed, days, agencies), live_views));
  }

  // As at a position: the live state after that event.
  for (uint64_t cut : cuts) {
    SCOPED_TRACE(absl::StrCat("as at position ", cut));
    AsOfFilter filter;
    filter.position = cut;
    // On the position axis alone the selection is what Admits takes.
    std::vector<uint64_t> admitted;
    for (const RecordedDomainEvent& e : log) {
      if (filter.Admits(e)) admitted.push_back(e.position);
    }
    ASSERT_TRUE(SameSelection(Positions(SelectAsOf(log, filter)), admitted));
    ASSERT_TRUE(SameState(FoldAsOf(log, filter), at_cut.at(cut)));
  }
  {
    // An effective instant after everything changes nothing.
    AsOfFilter filter;
    filter.position = cuts.front();
    filter.effective_at = gen.now() + absl::Hours(1);
    ASSERT_TRUE(SameState(FoldAsOf(log, filter), at_cut.at(cuts.front())));
  }

  // Effective instants: some random, one exactly an event's occurred_at.
  absl::Time first = log.front().occurred_at(), last = first;
  for (const RecordedDomainEvent& e : log) {
    first = std::min(first, e.occurred_at());
    last = std::max(last, e.occurred_at());
  }
  const uint64_t span =
      static_cast<uint64_t>(absl::ToInt64Seconds(last - first)) + 1;
  std::vector<AsOfFilter> filters;
  for (uint64_t cut : {cuts.front(), n}) {
    AsOfFilter f;
    f.position = cut;
    filters.push_back(f);
  }
  for (int i = 0; i < 3; ++i) {
    AsOfFilter f;
    f.effective_at =
        first + absl::Seconds(static_cast<int64_t>(rng.Below(span)));
    if (i == 1) f.position = cuts.back();
    if (i == 2) f.effective_at = log[rng.Below(n)].occurred_at();
    filters.push_back(f);
  }

  // One review's streams alone give that review as the full fold with the
  // same filter does; a partner's streams alone give its view.
  for (const AsOfFilter& filter : filters) {
    SCOPED_TRACE(
        absl::StrCat("review streams alone, as at position ", filter.position,
                     filter.effective_at.has_value()
                         ? absl::StrCat(" and instant ",
                                        absl::FormatTime(*filter.effective_at))
                         : ""));
    const std::vector<RecordedDomainEvent> selected = SelectAsOf(log, filter);
    ASSERT_TRUE(
        SameSelection(Positions(selected), ExpectedSelection(log, filter)));
    for (const RecordedDomainEvent& e : selected) {
      coverage->travelled += filter.effective_at.has_value() &&
                             e.occurred_at() > *filter.effective_at;
    }
    const v1::ProjectionState full = filter.effective_at.has_value()
                                         ? FoldAsOf(log, filter)
                                         : at_cut.at(filter.position);
    if (filter.effective_at.has_value()) {
      // Every update in the picture is as the log knew it at the
      // position: corrected and withdrawn whenever that happened.
      const v1::ProjectionState& known =
          at_cut.at(filter.position == 0 ? n : filter.position);
      for (const auto& [review_id, review] : full.reviews()) {
        for (const auto& [number, rec] : review.recommendations()) {
          for (const auto& [update_id, update] : rec.updates()) {
            SCOPED_TRACE(UpdateKey(review_id, number, update_id));
            const v1::ProjectedUpdate& now = known.reviews()
                                                 .at(review_id)
                                                 .recommendations()
                                                 .at(number)
                                                 .updates()
                                                 .at(update_id);
            ASSERT_TRUE(SameState(update, now));
          }
        }
      }
    }
    for (const auto& [review_id, unused] : live.reviews()) {
      SCOPED_TRACE(absl::StrCat("review ", review_id));
      const v1::ProjectionState alone =
          Fold(ReviewEvents(gen, live, review_id, filter));
      const auto in_full = full.reviews().find(review_id);
      const auto in_alone = alone.reviews().find(review_id);
      ASSERT_EQ(in_full == full.reviews().end(),
                in_alone == alone.reviews().end());
      if (in_full == full.reviews().end()) continue;
      ASSERT_TRUE(SameState(in_alone->second, in_full->second));
      Views a, b;
      AddReviewViews(in_alone->second, days, &a);
      AddReviewViews(in_full->second, days, &b);
      ASSERT_TRUE(SameViews(a, b));
    }
    // A partner's view from its streams alone is the same as from the
    // full fold.
    for (const std::string& agency : agencies) {
      if (full.agencies().count(agency) == 0) continue;  // not yet
      SCOPED_TRACE(absl::StrCat("partner view of ", agency, " alone"));
      const v1::ProjectionState alone =
          Fold(PartnerEvents(gen, live, agency, filter));
      Views a, b;
      v1::GetPartnerViewResponse view;
      FillPartnerView(alone, agency, &view);
      AddView("partner view", view, &a);
      view.Clear();
      FillPartnerView(full, agency, &view);
      AddView("partner view", view, &b);
      ASSERT_TRUE(SameViews(a, b));
    }
  }

  // The views against the generator's model.
  ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(gen, live, coverage));
  for (const auto& [id, review] : live.reviews()) {
    for (absl::CivilDay day : days) {
      v1::ListAttentionResponse attention;
      FillAttention(review, day, &attention);
      for (const v1::AttentionItem& item : attention.items()) {
        coverage->attention_kinds.insert(item.kind());
      }
    }
  }
}

class EquivalenceTest : public ::testing::TestWithParam<int> {
 protected:
  // The failures recorded so far in this test.
  static int Failures() {
    const ::testing::TestResult* result =
        ::testing::UnitTest::GetInstance()->current_test_info()->result();
    int failures = 0;
    for (int i = 0; i < result->total_part_count(); ++i) {
      failures += result->GetTestPartResult(i).failed();
    }
    return failures;
  }
};

TEST_P(EquivalenceTest, FoldsSnapshotsFiltersAndViewsAgree) {
  const int shard = GetParam();
  const int seeds = EnvInt("OVERSIGHT_EQ_SEEDS", 80);
  const int events = EnvInt("OVERSIGHT_EQ_EVENTS", 300);
  const int only = EnvInt("OVERSIGHT_EQ_SEED", -1);
  Coverage coverage;
  std::vector<uint64_t> failed;
  int run = 0;
  const int end = only >= 0 ? only + 1 : seeds;
  for (int seed = only >= 0 ? only : 0; seed < end; ++seed) {
    if (only >= 0 ? shard != 0 : seed % kShards != shard) continue;
    SCOPED_TRACE(
        absl::StrCat("seed ", seed, " (rerun: OVERSIGHT_EQ_SEED=", seed, ")"));
    const int failures_before = Failures();
    CheckSeed(static_cast<uint64_t>(seed), events, &coverage);
    ++run;
    if (Failures() > failures_before) failed.push_back(seed);
    if (failed.size() >= 3) break;  // enough to go on
  }
  EXPECT_TRUE(failed.empty())
      << "failing seeds: " << absl::StrJoin(failed, ", ");
  if (run == 0 || only >= 0 || !failed.empty()) return;
  // The generator exercised what it is meant to.
  EXPECT_EQ(coverage.payloads.size(), 20u)
      << "payload kinds seen: " << absl::StrJoin(coverage.payloads, ", ");
  EXPECT_GT(coverage.back_in_time, coverage.events / 20);
  EXPECT_GT(coverage.refused_on_purpose, 0);
  EXPECT_GT(coverage.missed_periods, 0);
  EXPECT_GT(coverage.travelled, 0);
  EXPECT_EQ(coverage.attention_kinds.size(), 7u)
      << "attention kinds seen: "
      << absl::StrJoin(coverage.attention_kinds, ", ");
}

INSTANTIATE_TEST_SUITE_P(Seeds, EquivalenceTest, ::testing::Range(0, kShards),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return absl::StrCat("Shard", info.param);
                         });

// The comparisons can fail: states a single event apart, or apart only in
// a map entry, and views of different days.
TEST(EquivalenceSelfTest, ComparisonsSeeDifferences) {
  Generator gen(7);
  gen.Generate(120);
  ASSERT_TRUE(gen.problems().empty()) << absl::StrJoin(gen.problems(), "\n");
  const std::vector<RecordedDomainEvent>& log = gen.log();
  const v1::ProjectionState all = Fold(log);
  AsOfFilter before_last;
  before_last.position = log.size() - 1;
  EXPECT_FALSE(SameState(FoldAsOf(log, before_last), all));

  v1::ProjectionState changed = all;
  ASSERT_GT(changed.reviews_size(), 0);
  v1::ProjectedReview& review = changed.mutable_reviews()->begin()->second;
  (*review.mutable_periods())["1999-01"].set_open(true);
  EXPECT_FALSE(SameState(changed, all));
  const std::vector<absl::CivilDay> days = {DayOf(gen.now())};
  EXPECT_FALSE(SameViews(AllViews(changed, days, {"partner"}),
                         AllViews(all, days, {"partner"})));

  v1::ProjectionState renamed = all;
  (*renamed.mutable_agencies())["partner"].mutable_name()->set_en("Renamed");
  EXPECT_FALSE(SameViews(AllViews(renamed, days, {"partner"}),
                         AllViews(all, days, {"partner"})));
}

// The same seed makes the same history; another seed another one.
TEST(EquivalenceSelfTest, GeneratorIsReproducible) {
  Generator a(42), b(42), c(43);
  a.Generate(150);
  b.Generate(150);
  c.Generate(150);
  ASSERT_EQ(a.log().size(), b.log().size());
  std::string bytes_a, bytes_b, bytes_c;
  for (const RecordedDomainEvent& e : a.log()) bytes_a += Bytes(e.event);
  for (const RecordedDomainEvent& e : b.log()) bytes_b += Bytes(e.event);
  for (const RecordedDomainEvent& e : c.log()) bytes_c += Bytes(e.event);
  EXPECT_EQ(bytes_a, bytes_b);
  EXPECT_NE(bytes_a, bytes_c);
}

}  // namespace
}  // namespace oversight::projections
