// The small fixed world the command, report and fold fuzz targets start
// from: five agencies (opcc the reviewing body, police the force, partner,
// panel, auditor), review "r" with themes t1 and t2, recommendations 1
// (owned by police, partner contributing) and 2 (owned by opcc), period
// 2025-01 open and 2024-12 closed, an update, a rating, an activity, a
// meeting, a risk, programme "p1" with a partner report, a cross-reference
// and a conclusion: every kind of event the report shows, each decided by
// the real rules (projections/commands.h) from an in-memory log.

#ifndef OVERSIGHT_TESTS_FUZZ_SEED_WORLD_H_
#define OVERSIGHT_TESTS_FUZZ_SEED_WORLD_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "projections/commands.h"
#include "projections/fold_event.h"
#include "projections/read_model.h"

namespace oversight::fuzz {

namespace pj = ::oversight::projections;

// Streams in memory, appended to as the log would: only at the revision
// a decision was taken at.
class MemorySource : public pj::EventSource {
 public:
  absl::StatusOr<std::vector<v1::DomainEvent>> Read(
      absl::string_view stream) override {
    auto it = streams_.find(std::string(stream));
    if (it == streams_.end()) return std::vector<v1::DomainEvent>{};
    return it->second;
  }

  // The stream's revision now: nullopt when it has no event.
  std::optional<uint64_t> Revision(const std::string& stream) const {
    auto it = streams_.find(stream);
    if (it == streams_.end() || it->second.empty()) return std::nullopt;
    return it->second.size() - 1;
  }

  // False (and nothing appended) when the stream moved since the decision.
  bool Append(const pj::Decision& decision) {
    if (decision.expected_revision != Revision(decision.stream)) return false;
    streams_[decision.stream].push_back(decision.event);
    return true;
  }

 private:
  std::map<std::string, std::vector<v1::DomainEvent>> streams_;
};

// 2025-06-01T12:00:00Z, the fixed "now" of every command.
inline absl::Time WorldNow() {
  return absl::FromCivil(absl::CivilSecond(2025, 6, 1, 12, 0, 0),
                         absl::UTCTimeZone());
}

// A report sealer over the world's log: the head is its last position;
// sealing renders the report from the events up to the position asked.
class WorldSealer : public pj::ReportSealer {
 public:
  explicit WorldSealer(const std::vector<pj::RecordedDomainEvent>* log)
      : log_(log) {}
  absl::StatusOr<uint64_t> Head() override { return log_->size(); }
  absl::StatusOr<Sealed> Seal(const pj::ReportRequest& request) override {
    std::vector<pj::RecordedDomainEvent> events;
    for (const pj::RecordedDomainEvent& e : *log_) {
      if (e.position <= request.position) events.push_back(e);
    }
    absl::StatusOr<std::string> report = pj::RenderReport(events, request);
    if (!report.ok()) return report.status();
    Sealed sealed;
    sealed.sha256 = std::string(32, '\x5a');
    sealed.byte_size = report->size();
    return sealed;
  }

 private:
  const std::vector<pj::RecordedDomainEvent>* log_;
};

struct World {
  MemorySource source;
  // Every event recorded, in log order (positions from 1).
  std::vector<pj::RecordedDomainEvent> log;
  int requests = 0;

  World() = default;
  // Copies share nothing (the sealer points at its own world's log).
  World(const World& other)
      : source(other.source), log(other.log), requests(other.requests) {}
  World& operator=(const World&) = delete;

  pj::CommandContext Context(absl::string_view agency,
                             absl::string_view person) {
    pj::CommandContext ctx;
    ctx.actor.set_agency_id(std::string(agency));
    ctx.actor.set_person(std::string(person));
    ctx.now = WorldNow();
    ctx.reports = &sealer;
    return ctx;
  }

  // Records `decision`'s event at the next position; false when the
  // stream moved.
  bool Record(const pj::Decision& decision) {
    if (!source.Append(decision)) return false;
    pj::RecordedDomainEvent r;
    r.position = log.size() + 1;
    r.stream = decision.stream;
    r.revision = *source.Revision(decision.stream);
    r.recorded_at = WorldNow();
    r.event = decision.event;
    log.push_back(std::move(r));
    return true;
  }

  WorldSealer sealer{&log};
};

inline v1::LocalizedText Text(absl::string_view en, absl::string_view cy = "") {
  v1::LocalizedText t;
  t.set_en(std::string(en));
  t.set_cy(std::string(cy));
  return t;
}

// The valid requests the world is built from, also the seeds of the
// command corpus (with the agency that may send each).
struct SeedCommand {
  std::string agency;
  v1::ImportLine line;  // agency set; request id and classification not
};

inline std::vector<SeedCommand> WorldCommands() {
  std::vector<SeedCommand> out;
  auto add = [&out](const char* agency) -> v1::ImportLine& {
    out.push_back({agency, {}});
    out.back().line.set_agency(agency);
    out.back().line.set_actor("seed");
    return out.back().line;
  };
  const std::pair<const char*, v1::AgencyKind> agencies[] = {
      {"opcc", v1::AGENCY_KIND_REVIEWING_BODY},
      {"police", v1::AGENCY_KIND_FORCE},
      {"partner", v1::AGENCY_KIND_PARTNER},
      {"panel", v1::AGENCY_KIND_PANEL},
      {"auditor", v1::AGENCY_KIND_AUDITOR}};
  for (const auto& [id, kind] : agencies) {
    auto* a = add("opcc").mutable_register_agency()->mutable_agency();
    a->set_agency_id(id);
    *a->mutable_name() = Text(absl::StrCat("Agency ", id), "Asiantaeth");
    a->set_kind(kind);
  }
  {
    v1::ReviewOpened& o = *add("opcc").mutable_open_review()->mutable_review();
    o.set_review_id("r");
    *o.mutable_title() = Text("Stalking review", "Adolygiad stelcio");
    *o.mutable_question() = Text("How well are victims protected?");
    o.set_opened_on("2024-11-15");
    for (const char* t : {"t1", "t2"}) {
      v1::Theme& theme = *o.add_themes();
      theme.set_id(t);
      *theme.mutable_name() = Text(absl::StrCat("Theme ", t));
    }
  }
  for (int number : {1, 2}) {
    v1::RecommendationIssued& i =
        *add("opcc").mutable_issue_recommendation()->mutable_recommendation();
    i.set_review_id("r");
    i.set_number(number);
    i.set_theme_id(number == 1 ? "t1" : "t2");
    *i.mutable_text() = Text(absl::StrCat("Recommendation ", number));
    i.set_owning_agency_id(number == 1 ? "police" : "opcc");
    if (number == 1) i.add_contributing_agency_ids("partner");
  }
  for (const char* period : {"2024-12", "2025-01"}) {
    auto* p = add("opcc").mutable_open_reporting_period()->mutable_period();
    p->set_review_id("r");
    p->set_period(period);
  }
  {
    auto* p = add("opcc").mutable_close_reporting_period()->mutable_period();
    p->set_review_id("r");
    p->set_period("2024-12");
  }
  {
    v1::ProgressUpdateSubmitted& u =
        *add("police").mutable_submit_progress_update()->mutable_update();
    u.set_review_id("r");
    u.set_number(1);
    u.set_period("2025-01");
    u.set_update_id("u1");
    v1::Bullet& b = *u.add_bullets();
    *b.mutable_text() = Text("Training delivered", "Hyfforddiant");
    *b.add_sub_bullets() = Text("Two sessions");
  }
  {
    v1::ProgressUpdateCorrected& c =
        *add("police").mutable_correct_progress_update()->mutable_correction();
    c.set_review_id("r");
    c.set_number(1);
    c.set_update_id("u1");
    *c.add_bullets()->mutable_text() = Text("Training delivered to 40");
    *c.mutable_reason() = Text("The count was missing");
  }
  {
    v1::RatingAssigned& a =
        *add("opcc").mutable_assign_rating()->mutable_rating();
    a.set_review_id("r");
    a.set_number(1);
    a.set_period("2025-01");
    a.set_rating(v1::RATING_AMBER);
    *a.mutable_rationale() = Text("As evidenced by the update");
  }
  {
    v1::MonitoringActivityRecorded& a =
        *add("opcc").mutable_record_monitoring_activity()->mutable_activity();
    a.set_review_id("r");
    a.set_number(1);
    a.set_period("2025-01");
    a.set_activity_id("a1");
    *a.mutable_description() = Text("Dip-sample twenty case files");
    a.set_due_on("2025-07-31");
  }
  {
    v1::MonitoringActivityCompleted& c =
        *add("opcc")
             .mutable_complete_monitoring_activity()
             ->mutable_completion();
    c.set_review_id("r");
    c.set_number(1);
    c.set_activity_id("a1");
    *c.mutable_outcome() = Text("Eighteen of twenty compliant");
  }
  {
    v1::MeetingObserved& m =
        *add("opcc").mutable_record_meeting_observed()->mutable_meeting();
    m.set_review_id("r");
    m.set_kind(v1::MEETING_KIND_STALKING_CLINIC);
    *m.mutable_title() = Text("Stalking clinic");
    m.set_held_on("2025-01-20");
    m.add_attending_agency_ids("police");
    *m.add_findings() = Text("Risk assessments were discussed");
    m.add_related_recommendations(1);
  }
  {
    v1::RiskRaised& k = *add("police").mutable_raise_risk()->mutable_risk();
    k.set_review_id("r");
    k.set_risk_id("k1");
    k.set_category(v1::RISK_CATEGORY_FUNDING);
    *k.mutable_description() = Text("Funding ends in March");
    k.add_related_recommendations(1);
  }
  {
    v1::ProgrammeRegistered& p =
        *add("opcc").mutable_register_programme()->mutable_programme();
    p.set_programme_id("p1");
    *p.mutable_name() = Text("ISAC pilot");
    p.set_owning_agency_id("partner");
    p.set_review_id("r");
    p.add_related_recommendations(2);
    p.set_started_on("2024-10-01");
  }
  {
    v1::PartnerReportSubmitted& p =
        *add("partner").mutable_submit_partner_report()->mutable_report();
    p.set_programme_id("p1");
    p.set_quarter("2024-Q4");
    v1::Figure& f = *p.add_figures();
    f.set_key("victims_supported");
    f.set_value(13);
    *f.mutable_label() = Text("Victims supported");
    *p.add_narrative() = Text("A steady quarter");
  }
  {
    v1::CrossReferenceRecorded& x = *add("opcc")
                                         .mutable_record_cross_reference()
                                         ->mutable_cross_reference();
    x.set_review_id("r");
    x.set_number(1);
    x.set_kind(v1::CROSS_REFERENCE_KIND_RECOMMENDATION);
    *x.mutable_title() = Text("Related plan");
    x.set_related_recommendation(2);
  }
  {
    v1::ConclusionRecorded& c =
        *add("opcc").mutable_record_conclusion()->mutable_conclusion();
    c.set_review_id("r");
    c.set_period("2025-01");
    *c.add_paragraphs() = Text("Good progress overall", "Cynnydd da");
  }
  return out;
}

// Decides `line`'s command as its agency (person: its actor) against
// `world`, with the envelope DecideCommand fills; INVALID_ARGUMENT when
// the line holds no command.
inline absl::StatusOr<pj::Decision> DecideLine(World* world,
                                               const v1::ImportLine& line) {
  const pj::CommandContext ctx = world->Context(line.agency(), line.actor());
  switch (line.command_case()) {
#define OVERSIGHT_FUZZ_CASE(Case, field) \
  case v1::ImportLine::Case:             \
    return pj::DecideCommand(ctx, line.field(), world->source);
    OVERSIGHT_FUZZ_CASE(kRegisterAgency, register_agency)
    OVERSIGHT_FUZZ_CASE(kOpenReview, open_review)
    OVERSIGHT_FUZZ_CASE(kIssueRecommendation, issue_recommendation)
    OVERSIGHT_FUZZ_CASE(kOpenReportingPeriod, open_reporting_period)
    OVERSIGHT_FUZZ_CASE(kCloseReportingPeriod, close_reporting_period)
    OVERSIGHT_FUZZ_CASE(kSubmitProgressUpdate, submit_progress_update)
    OVERSIGHT_FUZZ_CASE(kCorrectProgressUpdate, correct_progress_update)
    OVERSIGHT_FUZZ_CASE(kWithdrawProgressUpdate, withdraw_progress_update)
    OVERSIGHT_FUZZ_CASE(kAssignRating, assign_rating)
    OVERSIGHT_FUZZ_CASE(kRecordMonitoringActivity, record_monitoring_activity)
    OVERSIGHT_FUZZ_CASE(kCompleteMonitoringActivity,
                        complete_monitoring_activity)
    OVERSIGHT_FUZZ_CASE(kRecordMeetingObserved, record_meeting_observed)
    OVERSIGHT_FUZZ_CASE(kRaiseRisk, raise_risk)
    OVERSIGHT_FUZZ_CASE(kResolveRisk, resolve_risk)
    OVERSIGHT_FUZZ_CASE(kRegisterProgramme, register_programme)
    OVERSIGHT_FUZZ_CASE(kSubmitPartnerReport, submit_partner_report)
    OVERSIGHT_FUZZ_CASE(kRecordCrossReference, record_cross_reference)
    OVERSIGHT_FUZZ_CASE(kCloseRecommendation, close_recommendation)
    OVERSIGHT_FUZZ_CASE(kReopenRecommendation, reopen_recommendation)
    OVERSIGHT_FUZZ_CASE(kRecordConclusion, record_conclusion)
    OVERSIGHT_FUZZ_CASE(kPublishReport, publish_report)
#undef OVERSIGHT_FUZZ_CASE
    case v1::ImportLine::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("no command");
}

// Sets the request id of `line`'s command and classifies it OFFICIAL
// (every request has both).
inline void Stamp(v1::ImportLine* line, const std::string& request_id) {
  const google::protobuf::FieldDescriptor* command =
      line->GetDescriptor()->FindFieldByNumber(line->command_case());
  google::protobuf::Message* request =
      line->GetReflection()->MutableMessage(line, command);
  const google::protobuf::Descriptor* type = request->GetDescriptor();
  request->GetReflection()->SetString(
      request, type->FindFieldByName("request_id"), request_id);
  request->GetReflection()->SetEnumValue(
      request, type->FindFieldByName("classification"),
      v1::CLASSIFICATION_OFFICIAL);
}

// The world, built once by the rules from WorldCommands().
inline const World& SeedWorld() {
  static const World* const world = [] {
    auto* w = new World;
    for (SeedCommand& c : WorldCommands()) {
      Stamp(&c.line, absl::StrCat("seed-", ++w->requests));
      c.line.set_actor("seed");
      absl::StatusOr<pj::Decision> d = DecideLine(w, c.line);
      if (!d.ok() || !w->Record(*d)) {
        std::fprintf(stderr, "seed world: %s refused: %s\n",
                     c.line.ShortDebugString().c_str(),
                     d.status().ToString().c_str());
        std::abort();
      }
    }
    return w;
  }();
  return *world;
}

// The read models of `log`, folded event by event.
inline v1::ProjectionState FoldAll(
    const std::vector<pj::RecordedDomainEvent>& log) {
  v1::ProjectionState state;
  for (const pj::RecordedDomainEvent& e : log) pj::Apply(e, &state);
  return state;
}

// Folds `event` into `state` two ways, as the server's live fold does
// (ApplyFold) and as a rebuild does (ApplyModels on one thread, a
// HistoryBuilder per part): read_model.h promises the same state. False
// when they differ; `state` is left as ApplyFold left it.
inline bool FoldBothWays(const pj::FoldEvent& event, uint64_t position,
                         v1::ProjectionState* state) {
  v1::ProjectionState rebuilt = *state;
  pj::HistoryBuilder agencies(rebuilt, pj::HistoryBuilder::Part::kAgencies);
  pj::HistoryBuilder reviews(rebuilt, pj::HistoryBuilder::Part::kReviews);
  agencies.Post(event, position);
  pj::ApplyModels(event, position, &rebuilt);
  reviews.Post(event, position);
  agencies.MergeInto(&rebuilt);
  reviews.MergeInto(&rebuilt);
  pj::ApplyFold(event, position, state);
  return google::protobuf::util::MessageDifferencer::Equals(*state, rebuilt);
}

}  // namespace oversight::fuzz

#endif  // OVERSIGHT_TESTS_FUZZ_SEED_WORLD_H_
