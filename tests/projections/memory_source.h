// Test support for the domain rules of projections/: an in-memory
// EventSource, a fixture that runs commands as a given agency against it,
// builders for typical requests and one-line status assertions.
//
// Example:
//   TEST_F(RulesTest, RatingByTheForceIsRefused) {
//     EXPECT_ERROR(Run("police", Rate(v1::RATING_RED)),
//                  absl::StatusCode::kPermissionDenied, "REVIEWING_BODY_ONLY");
//   }

#ifndef OVERSIGHT_TESTS_PROJECTIONS_MEMORY_SOURCE_H_
#define OVERSIGHT_TESTS_PROJECTIONS_MEMORY_SOURCE_H_

#include <cstdint>
#include <initializer_list>
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
#include "eventstore/errors.h"
#include "google/protobuf/timestamp.pb.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "projections/aggregates.h"
#include "projections/commands.h"

namespace oversight::projections::testutil {

// ------------------------------------------------------------ assertions

// Whether `status` has `code` and the reason `reason` attached.
inline ::testing::AssertionResult IsError(const absl::Status& status,
                                          absl::StatusCode code,
                                          absl::string_view reason) {
  const std::optional<std::string> got = eventstore::ReasonOf(status);
  if (status.code() == code && got.has_value() && *got == reason) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "expected " << absl::StatusCodeToString(code) << " (" << reason
         << "), got " << status.ToString() << " with reason "
         << (got.has_value() ? *got : "<none>");
}
template <typename T>
::testing::AssertionResult IsError(const absl::StatusOr<T>& result,
                                   absl::StatusCode code,
                                   absl::string_view reason) {
  return IsError(result.status(), code, reason);
}

inline ::testing::AssertionResult IsOk(const absl::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  const std::optional<std::string> reason = eventstore::ReasonOf(status);
  return ::testing::AssertionFailure()
         << "expected OK, got " << status.ToString() << " with reason "
         << (reason.has_value() ? *reason : "<none>");
}
template <typename T>
::testing::AssertionResult IsOk(const absl::StatusOr<T>& result) {
  return IsOk(result.status());
}

// EXPECT_ERROR(Run(...), absl::StatusCode::kNotFound, "REVIEW_NOT_FOUND");
#define EXPECT_ERROR(expr, code, reason) \
  EXPECT_TRUE(                           \
      ::oversight::projections::testutil::IsError((expr), (code), (reason)))
#define ASSERT_ERROR(expr, code, reason) \
  ASSERT_TRUE(                           \
      ::oversight::projections::testutil::IsError((expr), (code), (reason)))
#define EXPECT_OK(expr) \
  EXPECT_TRUE(::oversight::projections::testutil::IsOk((expr)))
#define ASSERT_OK(expr) \
  ASSERT_TRUE(::oversight::projections::testutil::IsOk((expr)))

// ------------------------------------------------------------- the source

// Streams held in memory: stream name -> its domain events, in order.
class MemorySource : public EventSource {
 public:
  absl::StatusOr<std::vector<v1::DomainEvent>> Read(
      absl::string_view stream) override {
    if (!fail_reads_.ok()) return fail_reads_;
    auto it = streams_.find(std::string(stream));
    if (it == streams_.end()) return std::vector<v1::DomainEvent>{};
    return it->second;
  }

  // Appends `decision.event` to its stream, as the log would: only if
  // `expected_revision` is the stream's revision (the number of its events
  // minus one), or nullopt and the stream is empty. ABORTED otherwise.
  absl::Status Apply(const Decision& decision) {
    std::vector<v1::DomainEvent>& events = streams_[decision.stream];
    const std::optional<uint64_t> current =
        events.empty() ? std::nullopt
                       : std::optional<uint64_t>(events.size() - 1);
    if (decision.expected_revision != current) {
      return absl::AbortedError(absl::StrCat(
          "stream ", decision.stream, ": expected revision ",
          decision.expected_revision.has_value()
              ? absl::StrCat(*decision.expected_revision)
              : "<none>",
          ", current ",
          current.has_value() ? absl::StrCat(*current) : "<none>"));
    }
    events.push_back(decision.event);
    return absl::OkStatus();
  }

  // The events of `stream` (empty when it does not exist).
  const std::vector<v1::DomainEvent>& Events(absl::string_view stream) const {
    static const std::vector<v1::DomainEvent> kNone;
    auto it = streams_.find(std::string(stream));
    return it == streams_.end() ? kNone : it->second;
  }

  // Every Read fails with `status` until it is set back to OK.
  void FailReads(absl::Status status) { fail_reads_ = std::move(status); }

 private:
  std::map<std::string, std::vector<v1::DomainEvent>> streams_;
  absl::Status fail_reads_;
};

// --------------------------------------------------------------- builders

inline v1::LocalizedText Text(absl::string_view en, absl::string_view cy = "") {
  v1::LocalizedText t;
  t.set_en(std::string(en));
  t.set_cy(std::string(cy));
  return t;
}

inline v1::Bullet MakeBullet(absl::string_view en, int sub_bullets = 0) {
  v1::Bullet b;
  *b.mutable_text() = Text(en);
  for (int i = 0; i < sub_bullets; ++i) {
    *b.add_sub_bullets() = Text(absl::StrCat("sub-bullet ", i + 1));
  }
  return b;
}

inline google::protobuf::Timestamp Timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

// 2025-06-01T12:00:00Z, the fixed "now" of every command in these tests.
inline absl::Time TestNow() {
  return absl::FromCivil(absl::CivilSecond(2025, 6, 1, 12, 0, 0),
                         absl::UTCTimeZone());
}

// -------------------------------------------------------------- the fixture

// Runs commands as a given agency against a MemorySource. SetUp builds the
// usual world (SetUpWorld); EmptyWorldTest starts with nothing.
class RulesTest : public ::testing::Test {
 protected:
  static constexpr char kReview[] = "r";
  static constexpr char kPeriod[] = "2025-01";

  void SetUp() override { ASSERT_NO_FATAL_FAILURE(SetUpWorld()); }

  // opcc (reviewing body, bootstrapping itself), police (force), partner
  // (partner), panel (panel) and auditor (auditor); review "r" with themes
  // t1 and t2; recommendation 1 owned by police with partner contributing;
  // reporting period 2025-01 open.
  void SetUpWorld() {
    ASSERT_OK(
        Run("opcc", RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY)));
    ASSERT_OK(Run("opcc", RegisterAgency("police", v1::AGENCY_KIND_FORCE)));
    ASSERT_OK(Run("opcc", RegisterAgency("partner", v1::AGENCY_KIND_PARTNER)));
    ASSERT_OK(Run("opcc", RegisterAgency("panel", v1::AGENCY_KIND_PANEL)));
    ASSERT_OK(Run("opcc", RegisterAgency("auditor", v1::AGENCY_KIND_AUDITOR)));
    ASSERT_OK(Run("opcc", OpenReview(kReview)));
    ASSERT_OK(Run("opcc", IssueRec(1)));
    ASSERT_OK(Run("opcc", OpenPeriod(kPeriod)));
  }

  CommandContext Context(absl::string_view agency) const {
    CommandContext ctx;
    ctx.actor.set_agency_id(std::string(agency));
    ctx.actor.set_person("tester");
    ctx.now = now_;
    return ctx;
  }

  // Decides `request` as `agency` without recording anything.
  template <typename Request>
  absl::StatusOr<Decision> Try(absl::string_view agency,
                               const Request& request) {
    return DecideCommand(Context(agency), request, source_);
  }

  // Decides `request` as `agency` and, when allowed, records the event.
  template <typename Request>
  absl::StatusOr<Decision> Run(absl::string_view agency,
                               const Request& request) {
    absl::StatusOr<Decision> decision = Try(agency, request);
    if (decision.ok()) {
      if (absl::Status s = source_.Apply(*decision); !s.ok()) return s;
    }
    return decision;
  }

  const std::vector<v1::DomainEvent>& Events(absl::string_view stream) const {
    return source_.Events(stream);
  }
  RecommendationState Rec(int32_t number) const {
    return Fold<RecommendationState>(
        Events(RecommendationStream(kReview, number)));
  }
  ReviewState Review() const {
    return Fold<ReviewState>(Events(ReviewStream(kReview)));
  }

  std::string NextRequestId() { return absl::StrCat("req-", ++requests_); }

  // `request` with a fresh request id and OFFICIAL classification.
  template <typename Request>
  Request Stamped(Request request) {
    request.set_request_id(NextRequestId());
    request.set_classification(v1::CLASSIFICATION_OFFICIAL);
    return request;
  }

  // ---- builders: valid requests, to be varied by the tests.

  v1::RegisterAgencyRequest RegisterAgency(absl::string_view id,
                                           v1::AgencyKind kind) {
    v1::RegisterAgencyRequest r;
    r.mutable_agency()->set_agency_id(std::string(id));
    *r.mutable_agency()->mutable_name() = Text(absl::StrCat("Agency ", id));
    r.mutable_agency()->set_kind(kind);
    return Stamped(r);
  }

  v1::OpenReviewRequest OpenReview(absl::string_view id,
                                   std::initializer_list<const char*> themes = {
                                       "t1", "t2"}) {
    v1::OpenReviewRequest r;
    v1::ReviewOpened& o = *r.mutable_review();
    o.set_review_id(std::string(id));
    *o.mutable_title() = Text("Stalking and harassment review");
    *o.mutable_question() = Text("How well are victims protected?");
    o.set_opened_on("2025-01-15");
    for (const char* t : themes) {
      v1::Theme& theme = *o.add_themes();
      theme.set_id(t);
      *theme.mutable_name() = Text(absl::StrCat("Theme ", t));
    }
    return Stamped(r);
  }

  v1::IssueRecommendationRequest IssueRec(
      int32_t number, absl::string_view owner = "police",
      std::initializer_list<const char*> contributors = {"partner"}) {
    v1::IssueRecommendationRequest r;
    v1::RecommendationIssued& i = *r.mutable_recommendation();
    i.set_review_id(kReview);
    i.set_number(number);
    i.set_theme_id("t1");
    *i.mutable_text() = Text(absl::StrCat("Recommendation ", number));
    i.set_owning_agency_id(std::string(owner));
    for (const char* c : contributors) i.add_contributing_agency_ids(c);
    return Stamped(r);
  }

  v1::OpenReportingPeriodRequest OpenPeriod(absl::string_view period) {
    v1::OpenReportingPeriodRequest r;
    r.mutable_period()->set_review_id(kReview);
    r.mutable_period()->set_period(std::string(period));
    return Stamped(r);
  }

  v1::CloseReportingPeriodRequest ClosePeriod(absl::string_view period) {
    v1::CloseReportingPeriodRequest r;
    r.mutable_period()->set_review_id(kReview);
    r.mutable_period()->set_period(std::string(period));
    return Stamped(r);
  }

  v1::SubmitProgressUpdateRequest SubmitUpdate(
      int32_t number = 1, absl::string_view period = kPeriod, int bullets = 1) {
    v1::SubmitProgressUpdateRequest r;
    v1::ProgressUpdateSubmitted& u = *r.mutable_update();
    u.set_review_id(kReview);
    u.set_number(number);
    u.set_period(std::string(period));
    for (int i = 0; i < bullets; ++i) {
      *u.add_bullets() = MakeBullet(absl::StrCat("Progress ", i + 1));
    }
    return Stamped(r);
  }

  v1::CorrectProgressUpdateRequest Correct(absl::string_view update_id,
                                           int32_t number = 1) {
    v1::CorrectProgressUpdateRequest r;
    v1::ProgressUpdateCorrected& c = *r.mutable_correction();
    c.set_review_id(kReview);
    c.set_number(number);
    c.set_update_id(std::string(update_id));
    *c.add_bullets() = MakeBullet("Corrected progress");
    *c.mutable_reason() = Text("The first figures were wrong");
    return Stamped(r);
  }

  v1::WithdrawProgressUpdateRequest Withdraw(absl::string_view update_id,
                                             int32_t number = 1) {
    v1::WithdrawProgressUpdateRequest r;
    v1::ProgressUpdateWithdrawn& w = *r.mutable_withdrawal();
    w.set_review_id(kReview);
    w.set_number(number);
    w.set_update_id(std::string(update_id));
    *w.mutable_reason() = Text("Submitted against the wrong recommendation");
    return Stamped(r);
  }

  v1::AssignRatingRequest Rate(v1::Rating rating, int32_t number = 1,
                               absl::string_view period = kPeriod) {
    v1::AssignRatingRequest r;
    v1::RatingAssigned& a = *r.mutable_rating();
    a.set_review_id(kReview);
    a.set_number(number);
    a.set_period(std::string(period));
    a.set_rating(rating);
    *a.mutable_rationale() = Text("As evidenced by the update");
    return Stamped(r);
  }

  v1::RecordMonitoringActivityRequest Activity(
      int32_t number = 1, absl::string_view period = kPeriod) {
    v1::RecordMonitoringActivityRequest r;
    v1::MonitoringActivityRecorded& a = *r.mutable_activity();
    a.set_review_id(kReview);
    a.set_number(number);
    a.set_period(std::string(period));
    *a.mutable_description() = Text("Dip-sample twenty case files");
    a.set_due_on("2025-07-31");
    return Stamped(r);
  }

  v1::CompleteMonitoringActivityRequest CompleteActivity(
      absl::string_view activity_id, int32_t number = 1) {
    v1::CompleteMonitoringActivityRequest r;
    v1::MonitoringActivityCompleted& c = *r.mutable_completion();
    c.set_review_id(kReview);
    c.set_number(number);
    c.set_activity_id(std::string(activity_id));
    *c.mutable_outcome() = Text("Eighteen of twenty files compliant");
    return Stamped(r);
  }

  v1::RecordMeetingObservedRequest Meeting(
      std::initializer_list<const char*> attending = {"police"},
      std::initializer_list<int32_t> related = {1}) {
    v1::RecordMeetingObservedRequest r;
    v1::MeetingObserved& m = *r.mutable_meeting();
    m.set_review_id(kReview);
    m.set_kind(v1::MEETING_KIND_STALKING_CLINIC);
    *m.mutable_title() = Text("Stalking clinic");
    m.set_held_on("2025-05-20");
    for (const char* a : attending) m.add_attending_agency_ids(a);
    *m.add_findings() = Text("Risk assessments were discussed");
    for (int32_t n : related) m.add_related_recommendations(n);
    return Stamped(r);
  }

  v1::RaiseRiskRequest Risk(std::initializer_list<int32_t> related = {1}) {
    v1::RaiseRiskRequest r;
    v1::RiskRaised& k = *r.mutable_risk();
    k.set_review_id(kReview);
    k.set_category(v1::RISK_CATEGORY_FUNDING);
    *k.mutable_description() = Text("Funding ends in March");
    for (int32_t n : related) k.add_related_recommendations(n);
    return Stamped(r);
  }

  v1::ResolveRiskRequest ResolveRisk(absl::string_view risk_id) {
    v1::ResolveRiskRequest r;
    v1::RiskResolved& k = *r.mutable_resolution();
    k.set_review_id(kReview);
    k.set_risk_id(std::string(risk_id));
    *k.mutable_resolution() = Text("Funding was renewed");
    return Stamped(r);
  }

  v1::RegisterProgrammeRequest Programme(absl::string_view id,
                                         absl::string_view owner = "partner") {
    v1::RegisterProgrammeRequest r;
    v1::ProgrammeRegistered& p = *r.mutable_programme();
    p.set_programme_id(std::string(id));
    *p.mutable_name() = Text("ISAC pilot");
    p.set_owning_agency_id(std::string(owner));
    p.set_review_id(kReview);
    p.add_related_recommendations(1);
    p.set_started_on("2025-02-01");
    return Stamped(r);
  }

  v1::SubmitPartnerReportRequest Report(absl::string_view programme_id,
                                        absl::string_view quarter) {
    v1::SubmitPartnerReportRequest r;
    v1::PartnerReportSubmitted& p = *r.mutable_report();
    p.set_programme_id(std::string(programme_id));
    p.set_quarter(std::string(quarter));
    v1::Figure& f = *p.add_figures();
    f.set_key("victims_supported");
    f.set_value(13);
    *f.mutable_label() = Text("Victims supported");
    *p.add_narrative() = Text("A steady quarter");
    return Stamped(r);
  }

  v1::RecordCrossReferenceRequest CrossRef(v1::CrossReferenceKind kind,
                                           int32_t related = 0,
                                           int32_t number = 1) {
    v1::RecordCrossReferenceRequest r;
    v1::CrossReferenceRecorded& x = *r.mutable_cross_reference();
    x.set_review_id(kReview);
    x.set_number(number);
    x.set_kind(kind);
    *x.mutable_title() = Text("Related plan");
    x.set_related_recommendation(related);
    return Stamped(r);
  }

  v1::CloseRecommendationRequest CloseRec(int32_t number = 1) {
    v1::CloseRecommendationRequest r;
    v1::RecommendationClosed& c = *r.mutable_closure();
    c.set_review_id(kReview);
    c.set_number(number);
    c.set_decided_by("Police and Crime Commissioner");
    *c.mutable_rationale() = Text("Complete");
    return Stamped(r);
  }

  v1::ReopenRecommendationRequest ReopenRec(int32_t number = 1) {
    v1::ReopenRecommendationRequest r;
    v1::RecommendationReopened& o = *r.mutable_reopening();
    o.set_review_id(kReview);
    o.set_number(number);
    o.set_decided_by("Police and Crime Commissioner");
    *o.mutable_rationale() = Text("New evidence");
    return Stamped(r);
  }

  v1::RecordConclusionRequest Conclusion(absl::string_view period) {
    v1::RecordConclusionRequest r;
    v1::ConclusionRecorded& c = *r.mutable_conclusion();
    c.set_review_id(kReview);
    c.set_period(std::string(period));
    *c.add_paragraphs() = Text("Good progress overall");
    return Stamped(r);
  }

  absl::Time now_ = TestNow();
  MemorySource source_;
  int requests_ = 0;
};

// RulesTest without the world: nothing is registered.
class EmptyWorldTest : public RulesTest {
 protected:
  void SetUp() override {}
};

}  // namespace oversight::projections::testutil

#endif  // OVERSIGHT_TESTS_PROJECTIONS_MEMORY_SOURCE_H_
