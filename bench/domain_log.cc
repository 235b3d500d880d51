#include "bench/domain_log.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "bench/domain_text.h"
#include "eventstore/errors.h"
#include "oversight/v1/commands.pb.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/options_util.h"
#include "services/command_service.h"
#include "services/digest.h"

namespace oversight::bench {
namespace {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;
using services::SerializeDeterministic;
using services::Sha256Of;

constexpr absl::Duration kDay = absl::Hours(24);

// ------------------------------------------------ what the handlers do

std::string Fingerprint(const google::protobuf::Message& request) {
  return Sha256Of(absl::StrCat(request.GetDescriptor()->full_name(), "\n",
                               SerializeDeterministic(request)));
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

absl::CivilSecond Civil(absl::Time t) {
  return absl::ToCivilSecond(t, absl::UTCTimeZone());
}
std::string DateOf(absl::Time t) {
  return absl::FormatCivilTime(absl::CivilDay(Civil(t)));
}
std::string MonthOf(absl::Time t) {
  return absl::FormatCivilTime(absl::CivilMonth(Civil(t)));
}
absl::Time StartOfMonth(absl::CivilMonth m) {
  return absl::FromCivil(absl::CivilSecond(m), absl::UTCTimeZone());
}

// The streams a review's decisions read, in memory. "agencies" is the
// part of the registry the review can name (its area's agencies and the
// national partners), which decides exactly as the whole registry would.
class MemorySource final : public pj::EventSource {
 public:
  explicit MemorySource(const std::vector<v1::DomainEvent>* agencies)
      : agencies_(agencies) {}

  absl::StatusOr<std::vector<v1::DomainEvent>> Read(
      absl::string_view stream) override {
    if (stream == pj::kAgenciesStream) return *agencies_;
    auto it = streams_.find(stream);
    if (it == streams_.end()) return std::vector<v1::DomainEvent>();
    return it->second;
  }
  absl::StatusOr<bool> StreamExists(absl::string_view stream) override {
    if (stream == pj::kAgenciesStream) return !agencies_->empty();
    auto it = streams_.find(stream);
    return it != streams_.end() && !it->second.empty();
  }
  // Keeps `e` for later decisions, without the long texts no rule reads
  // (bullets, evidence, findings, narratives, conclusions): the aggregates
  // fold identifiers, owners, periods and flags only (aggregates.h).
  void Add(const std::string& stream, const v1::DomainEvent& e) {
    v1::DomainEvent& kept = streams_[stream].emplace_back(e);
    switch (kept.payload_case()) {
      case v1::DomainEvent::kProgressUpdateSubmitted:
        kept.mutable_progress_update_submitted()->clear_bullets();
        kept.mutable_progress_update_submitted()->clear_evidence();
        break;
      case v1::DomainEvent::kProgressUpdateCorrected:
        kept.mutable_progress_update_corrected()->clear_bullets();
        kept.mutable_progress_update_corrected()->clear_evidence();
        break;
      case v1::DomainEvent::kMeetingObserved:
        kept.mutable_meeting_observed()->clear_findings();
        break;
      case v1::DomainEvent::kPartnerReportSubmitted:
        kept.mutable_partner_report_submitted()->clear_narrative();
        kept.mutable_partner_report_submitted()->clear_figures();
        break;
      case v1::DomainEvent::kConclusionRecorded:
        kept.mutable_conclusion_recorded()->clear_paragraphs();
        break;
      case v1::DomainEvent::kRecommendationIssued:
        kept.mutable_recommendation_issued()->clear_text();
        break;
      case v1::DomainEvent::kRatingAssigned:
        kept.mutable_rating_assigned()->clear_rationale();
        break;
      case v1::DomainEvent::kMonitoringActivityRecorded:
        kept.mutable_monitoring_activity_recorded()->clear_description();
        break;
      default:
        break;
    }
  }

 private:
  const std::vector<v1::DomainEvent>* agencies_;
  absl::flat_hash_map<std::string, std::vector<v1::DomainEvent>> streams_;
};

struct Decided {
  pj::Decision decision;
  std::string fingerprint;
};
using DecideFn = std::function<absl::StatusOr<Decided>(
    const pj::CommandContext&, pj::EventSource&)>;

// A command planned at an instant, decided later in time order.
struct Planned {
  absl::Time at;
  int order = 0;
  v1::Actor actor;
  std::string request_id;
  DecideFn decide;
};

// One append of the generated log.
struct Item {
  absl::Time at;
  std::string stream;
  std::optional<uint64_t> expected;
  es::ProposedEvent event;
};

// Decides `plan` in time order against `source`, turning each accepted
// command into an Item; refusals are counted by reason.
std::vector<Item> DecidePlan(std::vector<Planned> plan, absl::Time now,
                             MemorySource& source, GenerateStats& stats) {
  std::stable_sort(plan.begin(), plan.end(),
                   [](const Planned& a, const Planned& b) {
                     if (a.at != b.at) return a.at < b.at;
                     return a.order < b.order;
                   });
  std::vector<Item> items;
  items.reserve(plan.size());
  for (Planned& p : plan) {
    const pj::CommandContext ctx{p.actor, now};
    absl::StatusOr<Decided> d = p.decide(ctx, source);
    if (!d.ok()) {
      std::optional<std::string> reason = es::ReasonOf(d.status());
      ++stats.refused[reason.value_or(
          std::string(absl::StatusCodeToString(d.status().code())))];
      continue;
    }
    v1::DomainEvent& event = d->decision.event;
    event.set_request_sha256(d->fingerprint);
    Item item;
    item.at = p.at;
    item.stream = d->decision.stream;
    item.expected = d->decision.expected_revision;
    item.event.id = services::CommandService::CommandEventId(
        p.actor.agency_id(), p.request_id);
    item.event.type = pj::EventTypeName(event);
    item.event.data = SerializeDeterministic(event);
    source.Add(item.stream, event);
    items.push_back(std::move(item));
  }
  return items;
}

// Collects commands with their envelope fields.
class Planner {
 public:
  Planner(std::string prefix, absl::Time horizon)
      : prefix_(std::move(prefix)), horizon_(horizon) {}

  // Plans `request` at `at` for `actor`; nothing past the horizon.
  template <typename Request>
  void Add(absl::Time at, const v1::Actor& actor, Request request,
           const char* what, bool sensitive = false) {
    if (at > horizon_) return;
    Planned p;
    p.at = at;
    p.order = static_cast<int>(plan_.size());
    p.actor = actor;
    p.request_id = absl::StrCat(prefix_, ":", p.order, ":", what);
    request.set_request_id(p.request_id);
    request.set_classification(sensitive ? v1::CLASSIFICATION_OFFICIAL_SENSITIVE
                                         : v1::CLASSIFICATION_OFFICIAL);
    SetTimestamp(at, request.mutable_occurred_at());
    p.decide = [request = std::move(request)](
                   const pj::CommandContext& ctx,
                   pj::EventSource& source) -> absl::StatusOr<Decided> {
      absl::StatusOr<pj::Decision> d = pj::DecideCommand(ctx, request, source);
      if (!d.ok()) return d.status();
      return Decided{*std::move(d), Fingerprint(request)};
    };
    plan_.push_back(std::move(p));
  }

  std::vector<Planned> Take() { return std::move(plan_); }
  size_t size() const { return plan_.size(); }

 private:
  std::string prefix_;
  absl::Time horizon_;
  std::vector<Planned> plan_;
};

// ------------------------------------------------------------ agencies

struct AgencyInfo {
  std::string id;
  v1::AgencyKind kind;
  std::string name;
  std::string welsh_name;
  std::vector<std::string> people;
};

std::string OpccId(const Area& a) { return a.slug + "-opcc"; }
std::string ForceId(const Area& a) { return a.slug + "-police"; }
std::string PanelId(const Area& a) {
  return a.slug + "-police-and-crime-panel";
}
std::string LocalPartnerId(const Area& a, int i) {
  return absl::StrCat(a.slug, "-", LocalPartnerKinds()[i].first);
}

std::string ForceName(const Area& a) {
  if (a.slug == "metropolitan") return "Metropolitan Police Service";
  return absl::StrCat(a.name, " Police");
}

// The registry, in the order it is registered: the first OPCC registers
// itself, then every other OPCC, the national partners and the auditors;
// then each OPCC registers its force, panel and local partners.
struct Registry {
  std::vector<AgencyInfo> agencies;  // registration order
  absl::flat_hash_map<std::string, size_t> index;
  std::vector<std::string> registered_by;  // parallel to agencies
  // The AgencyRegistered events, by id, once decided.
  absl::flat_hash_map<std::string, v1::DomainEvent> events;

  const AgencyInfo& Get(const std::string& id) const {
    return agencies[index.at(id)];
  }
};

Registry BuildRegistry(Rng& rng) {
  Registry r;
  auto add = [&](std::string id, v1::AgencyKind kind, std::string name,
                 std::string cy, const std::string& by) {
    AgencyInfo info{std::move(id), kind, std::move(name), std::move(cy), {}};
    const int people = static_cast<int>(rng.Uniform(3, 8));
    for (int i = 0; i < people; ++i) info.people.push_back(PersonName(rng));
    r.index[info.id] = r.agencies.size();
    r.registered_by.push_back(by.empty() ? info.id : by);
    r.agencies.push_back(std::move(info));
  };
  const std::vector<Area>& areas = Areas();
  const std::string first = OpccId(areas[11]);  // Dyfed-Powys, as the example
  auto opcc_name = [](const Area& a) {
    if (a.slug == "metropolitan")
      return std::string("Mayor's Office for Policing and Crime");
    if (a.slug == "city-of-london")
      return std::string("City of London Police Authority Board");
    return absl::StrCat("Office of the Police and Crime Commissioner for ",
                        a.name);
  };
  auto opcc_cy = [](const Area& a) {
    return a.welsh_name.empty()
               ? std::string()
               : absl::StrCat("Swyddfa Comisiynydd Heddlu a Throseddu ",
                              a.welsh_name);
  };
  add(first, v1::AGENCY_KIND_REVIEWING_BODY, opcc_name(areas[11]),
      opcc_cy(areas[11]), "");
  for (const Area& a : areas) {
    if (OpccId(a) == first) continue;
    add(OpccId(a), v1::AGENCY_KIND_REVIEWING_BODY, opcc_name(a), opcc_cy(a),
        first);
  }
  for (const NamedAgency& p : NationalPartners()) {
    add(p.id, v1::AGENCY_KIND_PARTNER, p.name, p.welsh_name, first);
  }
  for (const NamedAgency& p : Auditors()) {
    add(p.id, v1::AGENCY_KIND_AUDITOR, p.name, p.welsh_name, first);
  }
  for (const Area& a : areas) {
    const std::string by = OpccId(a);
    add(ForceId(a), v1::AGENCY_KIND_FORCE, ForceName(a),
        a.welsh_name.empty() ? "" : absl::StrCat("Heddlu ", a.welsh_name), by);
    add(PanelId(a), v1::AGENCY_KIND_PANEL,
        absl::StrCat(a.name, " Police and Crime Panel"),
        a.welsh_name.empty()
            ? ""
            : absl::StrCat("Panel Heddlu a Throseddu ", a.welsh_name),
        by);
    for (size_t i = 0; i < LocalPartnerKinds().size(); ++i) {
      TextContext c;
      c.area = a.name;
      add(LocalPartnerId(a, static_cast<int>(i)), v1::AGENCY_KIND_PARTNER,
          Fill(LocalPartnerKinds()[i].second, c, rng), "", by);
    }
  }
  return r;
}

v1::Actor ActorOf(const AgencyInfo& agency, Rng& rng) {
  v1::Actor a;
  a.set_agency_id(agency.id);
  a.set_person(rng.Pick(agency.people));
  return a;
}

// --------------------------------------------------------------- reviews

struct ReviewSpec {
  int index = 0;
  absl::Time start;
  int area = 0;
  int topic = 0;
  uint64_t seed = 0;
};

std::string RandomHex(Rng& rng, int chars) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(chars);
  for (int i = 0; i < chars; ++i) out.push_back(kHex[rng.Uniform(0, 15)]);
  return out;
}

// A random instant in [from, from + span).
absl::Time Within(Rng& rng, absl::Time from, absl::Duration span) {
  const int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(span));
  return from + absl::Seconds(rng.Uniform(0, seconds - 1));
}

// Office hours on the day `t` falls on, at a random minute.
absl::Time OfficeHours(Rng& rng, absl::Time t) {
  const absl::CivilDay day(Civil(t));
  return absl::FromCivil(absl::CivilSecond(day), absl::UTCTimeZone()) +
         absl::Hours(9) + absl::Seconds(rng.Uniform(0, 8 * 3600 - 1));
}

class ReviewPlanner {
 public:
  ReviewPlanner(const ReviewSpec& spec, const Registry& registry,
                absl::Time horizon)
      : spec_(spec),
        registry_(registry),
        rng_(spec.seed),
        area_(Areas()[spec.area]),
        topic_(Topics()[spec.topic]),
        review_id_(
            absl::StrFormat("%s-%s-%05d", area_.slug, topic_.slug, spec.index)),
        planner_(review_id_, horizon) {
    opcc_ = &registry.Get(OpccId(area_));
    force_ = &registry.Get(ForceId(area_));
    for (size_t i = 0; i < LocalPartnerKinds().size(); ++i) {
      partners_.push_back(
          &registry.Get(LocalPartnerId(area_, static_cast<int>(i))));
    }
    // Two or three national partners take part in this review.
    std::vector<const NamedAgency*> national;
    for (const NamedAgency& p : NationalPartners()) national.push_back(&p);
    const int n = static_cast<int>(rng_.Uniform(2, 3));
    for (int i = 0; i < n; ++i) {
      const size_t j =
          static_cast<size_t>(rng_.Uniform(i, national.size() - 1));
      std::swap(national[i], national[j]);
      partners_.push_back(&registry.Get(national[i]->id));
    }
    context_.force = ForceName(area_);
    context_.opcc = area_.slug == "metropolitan" ? "MOPAC" : "OPCC";
    context_.area = area_.name;
    context_.topic = topic_.short_name;
  }

  const std::string& review_id() const { return review_id_; }

  // The agencies the review can name: its area's and the national
  // partners (for the in-memory "agencies" stream).
  std::vector<std::string> NameableAgencies() const {
    std::vector<std::string> ids = {OpccId(area_), ForceId(area_),
                                    PanelId(area_)};
    for (size_t i = 0; i < LocalPartnerKinds().size(); ++i) {
      ids.push_back(LocalPartnerId(area_, static_cast<int>(i)));
    }
    for (const NamedAgency& p : NationalPartners()) ids.push_back(p.id);
    return ids;
  }

  std::vector<Planned> Plan(bool* has_programme) {
    PlanOpening();
    *has_programme = rng_.Chance(0.45);
    const int periods = rng_.Chance(0.25) ? 2 : (rng_.Chance(0.6) ? 3 : 4);
    absl::CivilMonth month(Civil(spec_.start));
    absl::Time last_close = spec_.start;
    for (int k = 0; k < periods; ++k) {
      month += 6;
      last_close = PlanPeriod(k, month);
    }
    if (*has_programme) PlanProgramme(last_close + absl::Hours(24 * 180));
    return planner_.Take();
  }

 private:
  struct Rec {
    int number = 0;
    const AgencyInfo* owner = nullptr;
    std::vector<const AgencyInfo*> contributors;
    bool closed = false;
    int progress = 0;  // 0 red, 1 amber, 2 green
  };

  v1::Actor Opcc() { return ActorOf(*opcc_, rng_); }
  const AgencyInfo* Partner() { return rng_.Pick(partners_); }

  TextContext& Context(absl::Time at) {
    const absl::CivilMonth m(Civil(at));
    context_.team = rng_.Pick(topic_.teams);
    context_.partner = Partner()->name;
    context_.month = MonthName(static_cast<int>(m.year()), m.month());
    const absl::CivilMonth next = m + 3;
    context_.next_month =
        MonthName(static_cast<int>(next.year()), next.month());
    return context_;
  }
  std::string Say(TextKind kind, absl::Time at, int number = 1) {
    TextContext& c = Context(at);
    c.number = number;
    c.other_number = number;
    return Sentence(kind, c, rng_);
  }

  void PlanOpening() {
    const absl::Time t0 = spec_.start;
    v1::OpenReviewRequest open;
    v1::ReviewOpened* r = open.mutable_review();
    r->set_review_id(review_id_);
    r->mutable_title()->set_en(absl::StrCat(
        "Scrutiny review: how ", ForceName(area_), " ", topic_.title));
    r->mutable_question()->set_en(absl::StrCat(
        "Does ", ForceName(area_), " do enough? The review asks how it ",
        topic_.title, ", and whether it follows national guidance."));
    r->set_commissioning_agency_id(opcc_->id);
    r->set_opened_on(rng_.Chance(0.3) ? MonthOf(t0) : DateOf(t0));
    for (const auto& [id, name] : topic_.themes) {
      v1::Theme* theme = r->add_themes();
      theme->set_id(id);
      theme->mutable_name()->set_en(name);
    }
    if (rng_.Chance(0.3)) {
      r->mutable_full_report()->mutable_title()->set_en(
          "Full report of the scrutiny review");
      r->mutable_full_report()->set_url(absl::StrCat("https://www.", area_.slug,
                                                     "-pcc.gov.uk/scrutiny/",
                                                     review_id_, ".pdf"));
    }
    planner_.Add(t0, Opcc(), std::move(open), "open-review");

    const int count = static_cast<int>(rng_.Uniform(12, 24));
    const absl::Time issued = t0 + kDay;
    for (int n = 1; n <= count; ++n) {
      Rec rec;
      rec.number = n;
      const double who = rng_.Real();
      if (who < 0.8) {
        rec.owner = force_;
      } else if (who < 0.88) {
        rec.owner = opcc_;
      } else {
        rec.owner = partners_[rng_.Uniform(0, 2)];  // a local partner
      }
      if (rng_.Chance(0.3)) {
        const int c = static_cast<int>(rng_.Uniform(1, 2));
        for (int i = 0; i < c; ++i) {
          const AgencyInfo* a =
              rng_.Chance(0.3) && rec.owner != force_ ? force_ : Partner();
          if (a == rec.owner ||
              std::find(rec.contributors.begin(), rec.contributors.end(), a) !=
                  rec.contributors.end()) {
            continue;
          }
          rec.contributors.push_back(a);
        }
      }
      rec.progress = rng_.Chance(0.35) ? 0 : (rng_.Chance(0.85) ? 1 : 2);
      v1::IssueRecommendationRequest issue;
      v1::RecommendationIssued* i = issue.mutable_recommendation();
      i->set_review_id(review_id_);
      i->set_number(n);
      if (rng_.Chance(0.05)) {
        i->set_text_not_in_source(true);
      } else {
        if (rng_.Chance(0.92)) i->set_theme_id(rng_.Pick(topic_.themes).first);
        i->mutable_text()->set_en(Say(TextKind::kRecommendation, t0, n));
      }
      i->set_owning_agency_id(rec.owner->id);
      for (const AgencyInfo* a : rec.contributors) {
        i->add_contributing_agency_ids(a->id);
      }
      planner_.Add(issued + absl::Minutes(3 * n), Opcc(), std::move(issue),
                   "issue");
      recs_.push_back(std::move(rec));
    }
  }

  void AddBullets(absl::Time at, int number,
                  google::protobuf::RepeatedPtrField<v1::Bullet>* bullets) {
    const int count = static_cast<int>(rng_.Uniform(3, 5));
    for (int b = 0; b < count; ++b) {
      v1::Bullet* bullet = bullets->Add();
      std::string text = Say(TextKind::kUpdateBullet, at, number);
      if (rng_.Chance(0.3)) {
        absl::StrAppend(&text, " ", Say(TextKind::kUpdateBullet, at, number));
      }
      bullet->mutable_text()->set_en(std::move(text));
      if (rng_.Chance(0.08)) {
        const int subs = static_cast<int>(rng_.Uniform(2, 3));
        for (int s = 0; s < subs; ++s) {
          bullet->add_sub_bullets()->set_en(
              Say(TextKind::kSubBullet, at, number));
        }
      }
    }
  }

  void PlanUpdate(const Rec& rec, const AgencyInfo* agency,
                  const std::string& label, absl::Time at) {
    const std::string update_id =
        absl::StrCat("r", rec.number, "-", label, "-", agency->id);
    v1::SubmitProgressUpdateRequest submit;
    v1::ProgressUpdateSubmitted* u = submit.mutable_update();
    u->set_review_id(review_id_);
    u->set_number(rec.number);
    u->set_update_id(update_id);
    u->set_period(label);
    u->set_agency_id(agency->id);
    AddBullets(at, rec.number, u->mutable_bullets());
    if (rng_.Chance(0.2)) {
      v1::Link* link = u->add_evidence();
      link->mutable_title()->set_en(absl::StrCat(
          "Minutes of the ", rng_.Pick(topic_.teams), " meeting, ",
          MonthName(static_cast<int>(absl::CivilMonth(Civil(at)).year()),
                    absl::CivilMonth(Civil(at)).month())));
      link->set_url(absl::StrCat("https://documents.", agency->id,
                                 ".example.org.uk/", RandomHex(rng_, 12),
                                 ".pdf"));
      if (rng_.Chance(0.5)) link->set_sha256(RandomHex(rng_, 64));
    }
    const v1::Actor actor = ActorOf(*agency, rng_);
    planner_.Add(at, actor, std::move(submit), "update", rng_.Chance(0.03));
    if (rng_.Chance(0.05)) {
      v1::CorrectProgressUpdateRequest correct;
      v1::ProgressUpdateCorrected* c = correct.mutable_correction();
      c->set_review_id(review_id_);
      c->set_number(rec.number);
      c->set_update_id(update_id);
      const absl::Time when = at + kDay * rng_.Uniform(1, 8);
      AddBullets(when, rec.number, c->mutable_bullets());
      c->mutable_reason()->set_en(Say(TextKind::kCorrectionReason, when));
      planner_.Add(when, actor, std::move(correct), "correct");
    } else if (rng_.Chance(0.01)) {
      v1::WithdrawProgressUpdateRequest withdraw;
      v1::ProgressUpdateWithdrawn* w = withdraw.mutable_withdrawal();
      w->set_review_id(review_id_);
      w->set_number(rec.number);
      w->set_update_id(update_id);
      const absl::Time when = at + kDay * rng_.Uniform(1, 5);
      w->mutable_reason()->set_en(Say(TextKind::kWithdrawalReason, when));
      planner_.Add(when, actor, std::move(withdraw), "withdraw");
    }
  }

  // Plans period `k` reporting on `month`; returns when it closes.
  absl::Time PlanPeriod(int k, absl::CivilMonth month) {
    const std::string label = absl::FormatCivilTime(month);
    const absl::Time open = OfficeHours(rng_, StartOfMonth(month));
    // A closed recommendation is now and then reopened.
    for (Rec& rec : recs_) {
      if (rec.closed && rng_.Chance(0.03)) {
        v1::ReopenRecommendationRequest reopen;
        v1::RecommendationReopened* r = reopen.mutable_reopening();
        r->set_review_id(review_id_);
        r->set_number(rec.number);
        r->set_decided_by("Police and Crime Commissioner");
        r->mutable_rationale()->set_en(Say(TextKind::kReopening, open));
        planner_.Add(open + absl::Hours(rng_.Uniform(1, 20)), Opcc(),
                     std::move(reopen), "reopen");
        rec.closed = false;
        rec.progress = 1;
      }
    }
    v1::OpenReportingPeriodRequest open_period;
    open_period.mutable_period()->set_review_id(review_id_);
    open_period.mutable_period()->set_period(label);
    open_period.mutable_period()->set_submissions_due_on(
        DateOf(open + kDay * 21));
    planner_.Add(open, Opcc(), std::move(open_period), "open-period");

    std::vector<Rec*> open_recs;
    for (Rec& rec : recs_) {
      if (!rec.closed) open_recs.push_back(&rec);
    }
    // Progress updates, from the owner and now and then a contributor.
    for (Rec* rec : open_recs) {
      if (rng_.Chance(0.9)) {
        PlanUpdate(*rec, rec->owner, label,
                   Within(rng_, open + kDay, kDay * 19));
      }
      for (const AgencyInfo* c : rec->contributors) {
        if (rng_.Chance(0.5)) {
          PlanUpdate(*rec, c, label, Within(rng_, open + kDay * 2, kDay * 20));
        }
      }
    }
    // Monitoring activities, some completed later.
    const int activities = static_cast<int>(rng_.Uniform(2, 8));
    for (int i = 0; i < activities && !open_recs.empty(); ++i) {
      Rec* rec = rng_.Pick(open_recs);
      const absl::Time at = Within(rng_, open + kDay * 2, kDay * 23);
      const std::string id = absl::StrCat("m", rec->number, "-", label, "-", i);
      v1::RecordMonitoringActivityRequest record;
      v1::MonitoringActivityRecorded* a = record.mutable_activity();
      a->set_review_id(review_id_);
      a->set_number(rec->number);
      a->set_activity_id(id);
      a->set_period(label);
      a->mutable_description()->set_en(Say(TextKind::kMonitoring, at));
      absl::Time due = at + kDay * rng_.Uniform(30, 120);
      if (rng_.Chance(0.8)) a->set_due_on(DateOf(due));
      planner_.Add(at, Opcc(), std::move(record), "monitor");
      if (rng_.Chance(0.6)) {
        const absl::Time done =
            std::max(at + kDay, due + kDay * rng_.Uniform(-10, 10));
        v1::CompleteMonitoringActivityRequest complete;
        v1::MonitoringActivityCompleted* c = complete.mutable_completion();
        c->set_review_id(review_id_);
        c->set_number(rec->number);
        c->set_activity_id(id);
        c->mutable_outcome()->set_en(Say(TextKind::kMonitoringOutcome, done));
        planner_.Add(done, Opcc(), std::move(complete), "complete");
      }
    }
    // Cross-references.
    const int xrefs = static_cast<int>(rng_.Uniform(1, 5));
    for (int i = 0; i < xrefs; ++i) {
      const Rec& rec = rng_.Pick(recs_);
      const absl::Time at = Within(rng_, open + kDay, kDay * 29);
      v1::RecordCrossReferenceRequest record;
      v1::CrossReferenceRecorded* x = record.mutable_cross_reference();
      x->set_review_id(review_id_);
      x->set_number(rec.number);
      x->set_reference_id(absl::StrCat("x", rec.number, "-", label, "-", i));
      const int kind = static_cast<int>(rng_.Uniform(1, 6));
      x->set_kind(static_cast<v1::CrossReferenceKind>(kind));
      int other = rec.number;
      if (kind == v1::CROSS_REFERENCE_KIND_RECOMMENDATION) {
        while (other == rec.number) {
          other = static_cast<int>(rng_.Uniform(1, recs_.size()));
        }
        x->set_related_recommendation(other);
        x->mutable_title()->set_en(absl::StrCat("Recommendation ", other));
      } else {
        static const char* kTitles[] = {
            "",
            "Stalking super-complaint action plan",
            "HMICFRS area for improvement on vulnerability",
            "Force development plan for Protecting Vulnerable People",
            "Operation Soteria Bluestone national operating model",
            "",
            "Violence against women and girls delivery plan"};
        x->mutable_title()->set_en(kTitles[kind]);
        if (rng_.Chance(0.5)) {
          x->set_url(absl::StrCat("https://www.", area_.slug,
                                  "-pcc.gov.uk/plans/", RandomHex(rng_, 8)));
        }
      }
      if (rng_.Chance(0.7)) {
        TextContext& c = Context(at);
        c.other_number = other;
        x->mutable_note()->set_en(
            Sentence(TextKind::kCrossReferenceNote, c, rng_));
      }
      const v1::Actor actor =
          rng_.Chance(0.7) ? ActorOf(*rec.owner, rng_) : Opcc();
      planner_.Add(at, actor, std::move(record), "xref");
    }
    // Risks, raised by the force on its own recommendations or by the
    // OPCC, some resolved months later.
    const int risks = static_cast<int>(rng_.Uniform(0, 3));
    for (int i = 0; i < risks; ++i) {
      const absl::Time at = Within(rng_, open + kDay, kDay * 29);
      v1::RaiseRiskRequest raise;
      v1::RiskRaised* r = raise.mutable_risk();
      r->set_review_id(review_id_);
      const std::string risk_id = absl::StrCat("risk-", label, "-", i);
      r->set_risk_id(risk_id);
      const int category = static_cast<int>(rng_.Uniform(1, 5));
      r->set_category(static_cast<v1::RiskCategory>(category));
      static const TextKind kByCategory[] = {
          TextKind::kRiskOther,    TextKind::kRiskFunding,
          TextKind::kRiskCapacity, TextKind::kRiskDependency,
          TextKind::kRiskData,     TextKind::kRiskOther};
      r->mutable_description()->set_en(Say(kByCategory[category], at));
      std::vector<int> forces;
      for (const Rec* rec : open_recs) {
        if (rec->owner == force_) forces.push_back(rec->number);
      }
      v1::Actor actor;
      if (!forces.empty() && rng_.Chance(0.6)) {
        actor = ActorOf(*force_, rng_);
        r->add_related_recommendations(rng_.Pick(forces));
      } else {
        actor = Opcc();
        if (rng_.Chance(0.7)) {
          r->add_related_recommendations(rng_.Pick(recs_).number);
        }
      }
      const bool by_force = actor.agency_id() == force_->id;
      planner_.Add(at, actor, std::move(raise), "risk");
      if (rng_.Chance(0.5)) {
        const absl::Time when = at + kDay * rng_.Uniform(30, 300);
        v1::ResolveRiskRequest resolve;
        v1::RiskResolved* s = resolve.mutable_resolution();
        s->set_review_id(review_id_);
        s->set_risk_id(risk_id);
        s->mutable_resolution()->set_en(Say(TextKind::kRiskResolution, when));
        planner_.Add(
            when,
            by_force && rng_.Chance(0.5) ? ActorOf(*force_, rng_) : Opcc(),
            std::move(resolve), "resolve");
      }
    }
    // Meetings the OPCC observed.
    const int meetings = static_cast<int>(rng_.Uniform(1, 2));
    for (int i = 0; i < meetings; ++i) {
      const absl::Time at = Within(rng_, open + kDay * 5, kDay * 25);
      v1::RecordMeetingObservedRequest record;
      v1::MeetingObserved* m = record.mutable_meeting();
      m->set_review_id(review_id_);
      m->set_meeting_id(absl::StrCat("meeting-", label, "-", i));
      const int kind = static_cast<int>(rng_.Uniform(1, 6));
      m->set_kind(static_cast<v1::MeetingKind>(kind));
      static const char* kTitles[] = {"",
                                      "Quality Assurance Panel review of ",
                                      "Daily Management Meeting on ",
                                      "Clinic considering cases of ",
                                      "Governance board on ",
                                      "Multi-agency meeting on ",
                                      "Workshop on "};
      m->mutable_title()->set_en(
          absl::StrCat(kTitles[kind], topic_.short_name));
      m->set_held_on(rng_.Chance(0.3) ? MonthOf(at) : DateOf(at));
      m->add_attending_agency_ids(opcc_->id);
      if (rng_.Chance(0.6)) m->add_attending_agency_ids(force_->id);
      if (rng_.Chance(0.3)) {
        const AgencyInfo* p = Partner();
        m->add_attending_agency_ids(p->id);
      }
      const int findings = static_cast<int>(rng_.Uniform(1, 3));
      for (int f = 0; f < findings; ++f) {
        m->add_findings()->set_en(Say(TextKind::kMeetingFinding, at));
      }
      const int related = static_cast<int>(rng_.Uniform(1, 2));
      for (int j = 0; j < related; ++j) {
        const int number = rng_.Pick(recs_).number;
        if (std::find(m->related_recommendations().begin(),
                      m->related_recommendations().end(),
                      number) == m->related_recommendations().end()) {
          m->add_related_recommendations(number);
        }
      }
      planner_.Add(at, Opcc(), std::move(record), "meeting");
    }
    // Ratings, then closures of what is complete.
    for (Rec* rec : open_recs) {
      if (!rng_.Chance(0.85)) continue;
      if (k > 0 && rec->progress < 2 && rng_.Chance(0.45)) ++rec->progress;
      const absl::Time at = Within(rng_, open + kDay * 24, kDay * 8);
      PlanRating(*rec, label, at);
      if (rng_.Chance(0.04)) {
        // Re-rated on reflection; the later rating replaces the earlier.
        rec->progress = std::max(0, rec->progress - 1);
        PlanRating(*rec, label, at + kDay);
      }
      if (rec->progress == 2 && rng_.Chance(0.75)) {
        v1::CloseRecommendationRequest close;
        v1::RecommendationClosed* c = close.mutable_closure();
        c->set_review_id(review_id_);
        c->set_number(rec->number);
        c->set_decided_by(rng_.Chance(0.7)
                              ? "Police and Crime Commissioner"
                              : "Deputy Police and Crime Commissioner");
        const absl::Time when =
            open + kDay * 34 + absl::Hours(rng_.Uniform(0, 6));
        c->mutable_rationale()->set_en(Say(TextKind::kClosure, when));
        planner_.Add(when, Opcc(), std::move(close), "close");
        rec->closed = true;
      }
    }
    const absl::Time closed = open + kDay * 36;
    v1::CloseReportingPeriodRequest close_period;
    close_period.mutable_period()->set_review_id(review_id_);
    close_period.mutable_period()->set_period(label);
    planner_.Add(closed, Opcc(), std::move(close_period), "close-period");
    if (rng_.Chance(0.8)) {
      const absl::Time at = Within(rng_, closed + kDay, kDay * 8);
      v1::RecordConclusionRequest conclude;
      v1::ConclusionRecorded* c = conclude.mutable_conclusion();
      c->set_review_id(review_id_);
      c->set_period(label);
      const int paragraphs = static_cast<int>(rng_.Uniform(1, 3));
      for (int p = 0; p < paragraphs; ++p) {
        c->add_paragraphs()->set_en(Say(TextKind::kConclusion, at));
      }
      planner_.Add(at, Opcc(), std::move(conclude), "conclusion");
    }
    return closed;
  }

  void PlanRating(const Rec& rec, const std::string& label, absl::Time at) {
    v1::AssignRatingRequest assign;
    v1::RatingAssigned* r = assign.mutable_rating();
    r->set_review_id(review_id_);
    r->set_number(rec.number);
    r->set_period(label);
    static const v1::Rating kRatings[] = {v1::RATING_RED, v1::RATING_AMBER,
                                          v1::RATING_GREEN};
    static const TextKind kTexts[] = {
        TextKind::kRatingRed, TextKind::kRatingAmber, TextKind::kRatingGreen};
    r->set_rating(kRatings[rec.progress]);
    r->mutable_rationale()->set_en(Say(kTexts[rec.progress], at));
    planner_.Add(at, Opcc(), std::move(assign), "rating");
  }

  void PlanProgramme(absl::Time until) {
    const AgencyInfo* owner = Partner();
    const absl::Time at =
        OfficeHours(rng_, spec_.start + kDay * rng_.Uniform(60, 200));
    const absl::Time started = at - kDay * rng_.Uniform(0, 30);
    const std::string id = absl::StrFormat("%s-%05d", owner->id, spec_.index);
    v1::RegisterProgrammeRequest reg;
    v1::ProgrammeRegistered* p = reg.mutable_programme();
    p->set_programme_id(id);
    TextContext& c = Context(at);
    c.partner = owner->name;
    p->mutable_name()->set_en(Sentence(TextKind::kProgrammeName, c, rng_));
    p->set_owning_agency_id(owner->id);
    p->set_review_id(review_id_);
    const int related = static_cast<int>(rng_.Uniform(1, 2));
    for (int j = 0; j < related; ++j) {
      const int number = rng_.Pick(recs_).number;
      if (std::find(p->related_recommendations().begin(),
                    p->related_recommendations().end(),
                    number) == p->related_recommendations().end()) {
        p->add_related_recommendations(number);
      }
    }
    p->set_started_on(DateOf(started));
    planner_.Add(at, rng_.Chance(0.5) ? Opcc() : ActorOf(*owner, rng_),
                 std::move(reg), "programme");
    // One report a quarter, for the quarters after it started.
    absl::CivilMonth quarter(Civil(started));
    quarter -= (quarter.month() - 1) % 3;  // first month of its quarter
    int64_t supported_total = 0, trained_total = 0;
    for (quarter += 3;; quarter += 3) {
      const absl::Time report_at = OfficeHours(
          rng_, StartOfMonth(quarter + 3) + kDay * rng_.Uniform(9, 24));
      if (report_at > until) break;
      v1::SubmitPartnerReportRequest submit;
      v1::PartnerReportSubmitted* r = submit.mutable_report();
      r->set_programme_id(id);
      const std::string label =
          absl::StrCat(quarter.year(), "-Q", (quarter.month() - 1) / 3 + 1);
      r->set_report_id(absl::StrCat("report-", label));
      r->set_quarter(label);
      const int64_t supported = rng_.Uniform(4, 60);
      supported_total += supported;
      trained_total += rng_.Uniform(0, 40);
      auto figure = [&](const char* key, int64_t value, const char* text,
                        bool cumulative) {
        v1::Figure* f = r->add_figures();
        f->set_key(key);
        f->set_value(value);
        f->mutable_label()->set_en(text);
        f->set_cumulative(cumulative);
      };
      figure("victims_supported", supported, "Victims supported this quarter",
             false);
      figure("referrals_received", supported + rng_.Uniform(0, 20),
             "Referrals received this quarter", false);
      figure("victims_supported_total", supported_total,
             "Victims supported since the programme began", true);
      figure("professionals_trained_total", trained_total,
             "Professionals trained since the programme began", true);
      const int paragraphs = static_cast<int>(rng_.Uniform(1, 2));
      for (int i = 0; i < paragraphs; ++i) {
        r->add_narrative()->set_en(Say(TextKind::kNarrative, report_at));
      }
      planner_.Add(report_at, ActorOf(*owner, rng_), std::move(submit),
                   "report", rng_.Chance(0.1));
    }
  }

  const ReviewSpec spec_;
  const Registry& registry_;
  Rng rng_;
  const Area& area_;
  const Topic& topic_;
  const std::string review_id_;
  Planner planner_;
  const AgencyInfo* opcc_ = nullptr;
  const AgencyInfo* force_ = nullptr;
  std::vector<const AgencyInfo*> partners_;  // 3 local, then national
  std::vector<Rec> recs_;
  TextContext context_;
};

// -------------------------------------------------------------- writing

// Appends items with many in flight, in the order given (the store's
// writer takes its queue in order, so recording order is this order).
class Writer {
 public:
  Writer(es::EventLog* log, size_t max_in_flight)
      : log_(log), max_in_flight_(max_in_flight) {}

  void Append(Item item) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Writer* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
            return w->in_flight_ < w->max_in_flight_;
          },
          this));
      ++in_flight_;
    }
    std::vector<es::ProposedEvent> events;
    events.push_back(std::move(item.event));
    const es::ExpectedRevision expected =
        item.expected ? es::ExpectedRevision::Exact(*item.expected)
                      : es::ExpectedRevision::NoStream();
    log_->AppendAsync(std::move(item.stream), expected, std::move(events),
                      [this](absl::StatusOr<es::AppendResult> r) {
                        absl::MutexLock lock(&mu_);
                        --in_flight_;
                        if (!r.ok() && error_.ok()) error_ = r.status();
                      });
  }

  absl::Status Finish() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Writer* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
          return w->in_flight_ == 0;
        },
        this));
    return error_;
  }

  absl::Status error() {
    absl::MutexLock lock(&mu_);
    return error_;
  }

 private:
  es::EventLog* const log_;
  const size_t max_in_flight_;
  absl::Mutex mu_;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

std::vector<ReviewSpec> SpreadReviews(int count, const GenerateOptions& o) {
  Rng rng(o.seed ^ 0x5eed5eedULL);
  const absl::Time end = o.now - o.last_review_before_now;
  const int64_t span = absl::ToInt64Seconds(end - o.first_review);
  std::vector<int64_t> offsets;
  for (int i = 0; i < count; ++i) offsets.push_back(rng.Uniform(0, span));
  std::sort(offsets.begin(), offsets.end());
  std::vector<ReviewSpec> specs;
  for (int i = 0; i < count; ++i) {
    ReviewSpec s;
    s.index = i + 1;
    s.start = OfficeHours(rng, o.first_review + absl::Seconds(offsets[i]));
    s.area = static_cast<int>(rng.Uniform(0, Areas().size() - 1));
    s.topic = static_cast<int>(rng.Uniform(0, Topics().size() - 1));
    s.seed = rng.Next();
    specs.push_back(s);
  }
  return specs;
}

}  // namespace

absl::StatusOr<GenerateStats> GenerateDomainLog(
    es::EventLog* log, const GenerateOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  double deciding = 0;
  GenerateStats stats;
  const absl::Time horizon = options.now - absl::Minutes(1);
  Rng rng(options.seed);
  Registry registry = BuildRegistry(rng);

  // The agencies: decided against the whole registry as it grows.
  std::vector<v1::DomainEvent> registered;
  std::vector<Item> agency_items;
  {
    const auto t = std::chrono::steady_clock::now();
    MemorySource source(&registered);
    const absl::Time first = absl::FromCivil(
        absl::CivilSecond(2012, 11, 22, 9, 0, 0), absl::UTCTimeZone());
    for (size_t i = 0; i < registry.agencies.size(); ++i) {
      const AgencyInfo& a = registry.agencies[i];
      const AgencyInfo& by = registry.Get(registry.registered_by[i]);
      Planner planner(absl::StrCat("register-", a.id), horizon);
      v1::RegisterAgencyRequest request;
      v1::AgencyRegistered* r = request.mutable_agency();
      r->set_agency_id(a.id);
      r->mutable_name()->set_en(a.name);
      if (!a.welsh_name.empty()) r->mutable_name()->set_cy(a.welsh_name);
      r->set_kind(a.kind);
      planner.Add(first + absl::Minutes(2 * static_cast<int64_t>(i)),
                  ActorOf(by, rng), std::move(request), "register");
      std::vector<Item> items =
          DecidePlan(planner.Take(), options.now, source, stats);
      if (items.size() != 1) {
        return absl::InternalError(
            absl::StrCat("registering agency ", a.id, " was refused"));
      }
      v1::DomainEvent e;
      e.ParseFromString(items[0].event.data);
      registry.events[a.id] = e;
      registered.push_back(e);
      agency_items.push_back(std::move(items[0]));
    }
    deciding += SecondsSince(t);
  }

  // How many reviews make the log: plan (without deciding) a first guess,
  // then scale so that the log is cut close to the end of the timeline.
  auto planned_events = [&](const std::vector<ReviewSpec>& specs) {
    uint64_t total = 0;
    for (const ReviewSpec& s : specs) {
      ReviewPlanner p(s, registry, horizon);
      bool programme = false;
      total += p.Plan(&programme).size();
    }
    return total;
  };
  const uint64_t wanted = options.events > agency_items.size()
                              ? options.events - agency_items.size()
                              : 0;
  int count = static_cast<int>(wanted / 180 + 1);
  {
    const auto t = std::chrono::steady_clock::now();
    const uint64_t planned = planned_events(SpreadReviews(count, options));
    count = static_cast<int>(static_cast<double>(count) * wanted /
                                 std::max<uint64_t>(1, planned) * 1.03 +
                             1);
    deciding += SecondsSince(t);
  }
  const std::vector<ReviewSpec> specs = SpreadReviews(count, options);
  stats.reviews_planned = count;

  Writer writer(log, options.max_in_flight);
  auto write = [&](Item item) {
    ++stats.events;
    stats.bytes += item.event.data.size();
    ++stats.by_type[item.event.type];
    stats.first_occurred = std::min(stats.first_occurred, item.at);
    stats.last_occurred = std::max(stats.last_occurred, item.at);
    writer.Append(std::move(item));
  };
  for (Item& item : agency_items) {
    if (stats.events >= options.events) break;
    write(std::move(item));
  }
  stats.agencies = static_cast<int>(stats.events);

  // Merge the reviews in time order: a review is planned and decided when
  // the merge reaches its start, and holds only its own pending items.
  struct Active {
    std::vector<Item> items;
    size_t next = 0;
  };
  std::vector<std::unique_ptr<Active>> active(specs.size());
  using Entry = std::pair<absl::Time, size_t>;  // next item's time, review
  auto later = [](const Entry& a, const Entry& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second > b.second;
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(later)> heap(later);
  size_t next_review = 0;
  while (stats.events < options.events) {
    if (next_review < specs.size() &&
        (heap.empty() || specs[next_review].start <= heap.top().first)) {
      const auto t = std::chrono::steady_clock::now();
      const ReviewSpec& s = specs[next_review];
      ReviewPlanner planner(s, registry, horizon);
      std::vector<v1::DomainEvent> nameable;
      for (const std::string& id : planner.NameableAgencies()) {
        nameable.push_back(registry.events.at(id));
      }
      bool programme = false;
      std::vector<Planned> plan = planner.Plan(&programme);
      MemorySource source(&nameable);
      auto a = std::make_unique<Active>();
      a->items = DecidePlan(std::move(plan), options.now, source, stats);
      deciding += SecondsSince(t);
      if (!a->items.empty()) {
        heap.push({a->items[0].at, next_review});
        active[next_review] = std::move(a);
      }
      ++next_review;
      continue;
    }
    if (heap.empty()) break;
    const size_t r = heap.top().second;
    heap.pop();
    Active& a = *active[r];
    Item& item = a.items[a.next++];
    if (item.event.type == "oversight.v1.ReviewOpened") ++stats.reviews;
    if (item.event.type == "oversight.v1.ProgrammeRegistered") {
      ++stats.programmes;
    }
    write(std::move(item));
    if (a.next < a.items.size()) {
      heap.push({a.items[a.next].at, r});
    } else {
      active[r].reset();
    }
    if ((stats.events & 0xffff) == 0) {
      if (absl::Status s = writer.error(); !s.ok()) return s;
    }
  }
  if (absl::Status s = writer.Finish(); !s.ok()) return s;
  stats.decide_seconds = deciding;
  stats.seconds = SecondsSince(started);
  return stats;
}

absl::StatusOr<double> SettleStore(const std::string& dir) {
  const auto start = std::chrono::steady_clock::now();
  rocksdb::ConfigOptions config;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  rocksdb::Status s =
      rocksdb::LoadLatestOptions(config, dir, &db_options, &descriptors);
  if (!s.ok()) {
    return absl::InternalError(
        absl::StrCat("loading the store's options: ", s.ToString()));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &db);
  if (!s.ok()) {
    return absl::InternalError(
        absl::StrCat("opening the store to compact: ", s.ToString()));
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    if (!s.ok()) break;
    s = db->CompactRange(rocksdb::CompactRangeOptions(), h, nullptr, nullptr);
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    db->DestroyColumnFamilyHandle(h);
  }
  rocksdb::Status closed = db->Close();
  delete db;
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("compacting: ", s.ToString()));
  }
  if (!closed.ok()) return absl::InternalError(closed.ToString());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace oversight::bench
