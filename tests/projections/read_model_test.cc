// The read model's plumbing (projections/read_model.h): which log records
// are domain events, which events a view of the past takes (AsOfFilter,
// SelectAsOf), what Apply does with events about things it never saw, and
// the full story of one recommendation (recommendation_detail.h) with its
// corrections and withdrawals.

#include "projections/read_model.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "eventstore/types.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.pb.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "projections/recommendation_detail.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testutil::MakeBullet;
using testutil::RulesTest;
using testutil::Text;
using testutil::Timestamp;

absl::Time At(int y, int m, int d, int hh = 12) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0),
                         absl::UTCTimeZone());
}

// A progress update of recommendation `number` of review "r".
v1::DomainEvent UpdateEvent(absl::string_view update_id, int32_t number = 1,
                            absl::string_view review_id = "r") {
  v1::DomainEvent e;
  v1::ProgressUpdateSubmitted& u = *e.mutable_progress_update_submitted();
  u.set_review_id(std::string(review_id));
  u.set_number(number);
  u.set_update_id(std::string(update_id));
  u.set_period("2025-01");
  u.set_agency_id("police");
  *u.add_bullets() = MakeBullet("Progress");
  e.mutable_actor()->set_agency_id("police");
  e.mutable_actor()->set_person("pc");
  e.set_request_id(absl::StrCat("req-", update_id));
  e.set_classification(v1::CLASSIFICATION_OFFICIAL);
  return e;
}

v1::DomainEvent CorrectionEvent(absl::string_view update_id,
                                int32_t number = 1) {
  v1::DomainEvent e = UpdateEvent(update_id, number);
  v1::ProgressUpdateCorrected& c = *e.mutable_progress_update_corrected();
  c.set_review_id("r");
  c.set_number(number);
  c.set_update_id(std::string(update_id));
  *c.add_bullets() = MakeBullet("Corrected");
  *c.mutable_reason() = Text("Wrong figures");
  return e;
}

v1::DomainEvent WithdrawalEvent(absl::string_view update_id,
                                int32_t number = 1) {
  v1::DomainEvent e = UpdateEvent(update_id, number);
  v1::ProgressUpdateWithdrawn& w = *e.mutable_progress_update_withdrawn();
  w.set_review_id("r");
  w.set_number(number);
  w.set_update_id(std::string(update_id));
  *w.mutable_reason() = Text("Wrong recommendation");
  return e;
}

RecordedDomainEvent Recorded(uint64_t position, v1::DomainEvent event,
                             absl::Time occurred,
                             std::string stream = "recommendation-r-1") {
  RecordedDomainEvent r;
  r.position = position;
  r.stream = std::move(stream);
  r.recorded_at = At(2025, 6, 1) + absl::Seconds(position);
  *event.mutable_occurred_at() = Timestamp(occurred);
  r.event = std::move(event);
  return r;
}

std::vector<uint64_t> Positions(const std::vector<RecordedDomainEvent>& v) {
  std::vector<uint64_t> out;
  for (const RecordedDomainEvent& e : v) out.push_back(e.position);
  return out;
}

// ------------------------------------------------------------ ToDomainEvent

eventstore::RecordedEvent LogRecord(std::string stream, std::string data) {
  eventstore::RecordedEvent r;
  r.position = 17;
  r.stream = std::move(stream);
  r.revision = 3;
  r.type = "oversight.v1.ProgressUpdateSubmitted";
  r.data = std::move(data);
  r.recorded_at = At(2025, 6, 1);
  for (size_t i = 0; i < r.hash.size(); ++i) {
    r.hash[i] = static_cast<uint8_t>(i * 3 + 1);
  }
  return r;
}

TEST(ToDomainEventTest, TakesTheEventAndWhatTheLogSaysOfIt) {
  v1::DomainEvent event = UpdateEvent("u1");
  *event.mutable_occurred_at() =
      Timestamp(At(2025, 5, 2) + absl::Nanoseconds(5000));
  const eventstore::RecordedEvent record =
      LogRecord("recommendation-r-1", event.SerializeAsString());
  const std::optional<RecordedDomainEvent> got = ToDomainEvent(record);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->position, 17u);
  EXPECT_EQ(got->stream, "recommendation-r-1");
  EXPECT_EQ(got->revision, 3u);
  EXPECT_EQ(got->recorded_at, At(2025, 6, 1));
  EXPECT_EQ(got->hash, record.hash);
  EXPECT_TRUE(MessageDifferencer::Equals(got->event, event));
  EXPECT_EQ(got->occurred_at(), At(2025, 5, 2) + absl::Nanoseconds(5000));
}

TEST(ToDomainEventTest, TakesEveryDomainStream) {
  const std::string data = UpdateEvent("u1").SerializeAsString();
  for (const std::string& stream :
       {std::string(kAgenciesStream), ReviewStream("r"),
        RecommendationStream("r", 12), ProgrammeStream("isac")}) {
    EXPECT_TRUE(ToDomainEvent(LogRecord(stream, data)).has_value()) << stream;
  }
}

TEST(ToDomainEventTest, RefusesOtherStreams) {
  const std::string data = UpdateEvent("u1").SerializeAsString();
  for (const char* stream :
       {"", "$system", "audit-log", "reviews-r", "Review-r", "agencies2",
        "recommendations", "programmes-isac", "x-review-r"}) {
    EXPECT_FALSE(ToDomainEvent(LogRecord(stream, data)).has_value())
        << '"' << stream << '"';
  }
}

TEST(ToDomainEventTest, RefusesDataThatIsNotADomainEvent) {
  const std::string whole = UpdateEvent("u1").SerializeAsString();
  v1::DomainEvent envelope_only = UpdateEvent("u1");
  envelope_only.clear_payload();
  for (const std::string& data :
       {std::string("\xff\xff\xff\xff", 4), whole.substr(0, whole.size() - 1),
        std::string(), envelope_only.SerializeAsString(),
        std::string("not a protobuf at all")}) {
    EXPECT_FALSE(ToDomainEvent(LogRecord("review-r", data)).has_value())
        << data.size() << " bytes";
  }
}

// ------------------------------------------------------------- AsOfFilter

TEST(AsOfFilterTest, EmptyFilterAdmitsEverything) {
  const AsOfFilter filter;
  EXPECT_TRUE(filter.Admits(Recorded(1, UpdateEvent("u"), At(1990, 1, 1))));
  EXPECT_TRUE(
      filter.Admits(Recorded(1000000, UpdateEvent("u"), At(2999, 12, 31))));
}

TEST(AsOfFilterTest, ByPositionTakesWhatWasRecordedByThen) {
  AsOfFilter filter;
  filter.position = 5;
  EXPECT_TRUE(filter.Admits(Recorded(1, UpdateEvent("u"), At(2030, 1, 1))));
  EXPECT_TRUE(filter.Admits(Recorded(5, UpdateEvent("u"), At(2030, 1, 1))));
  EXPECT_FALSE(filter.Admits(Recorded(6, UpdateEvent("u"), At(2020, 1, 1))));
}

TEST(AsOfFilterTest, ByEffectiveTimeTakesWhatHadOccurredByThen) {
  AsOfFilter filter;
  filter.effective_at = At(2025, 3, 1);
  // Recorded long after, occurred before: taken.
  EXPECT_TRUE(filter.Admits(Recorded(900, UpdateEvent("u"), At(2025, 2, 1))));
  EXPECT_TRUE(filter.Admits(Recorded(2, UpdateEvent("u"), At(2025, 3, 1))));
  EXPECT_FALSE(filter.Admits(
      Recorded(2, UpdateEvent("u"), At(2025, 3, 1) + absl::Nanoseconds(1000))));
}

TEST(AsOfFilterTest, BothAxesMustAgree) {
  AsOfFilter filter;
  filter.position = 10;
  filter.effective_at = At(2025, 3, 1);
  EXPECT_TRUE(filter.Admits(Recorded(10, UpdateEvent("u"), At(2025, 2, 1))));
  EXPECT_FALSE(filter.Admits(Recorded(11, UpdateEvent("u"), At(2025, 2, 1))));
  EXPECT_FALSE(filter.Admits(Recorded(9, UpdateEvent("u"), At(2025, 4, 1))));
  EXPECT_FALSE(filter.Admits(Recorded(11, UpdateEvent("u"), At(2025, 4, 1))));
}

// ------------------------------------------------------------- SelectAsOf

// Update u1 occurred in January, u2 in April; u1 was corrected in May and
// withdrawn in June, u2 corrected by a back-dated correction said to have
// occurred in February.
std::vector<RecordedDomainEvent> CorrectedHistory() {
  return {Recorded(1, UpdateEvent("u1"), At(2025, 1, 20)),
          Recorded(2, UpdateEvent("u2"), At(2025, 4, 20)),
          Recorded(3, CorrectionEvent("u1"), At(2025, 5, 1)),
          Recorded(4, CorrectionEvent("u2"), At(2025, 2, 1)),
          Recorded(5, WithdrawalEvent("u1"), At(2025, 6, 1))};
}

TEST(SelectAsOfTest, CorrectionsGoWithTheirUpdateOnTheEffectiveAxis) {
  AsOfFilter march;
  march.effective_at = At(2025, 3, 31);
  // u1 as now known (corrected, withdrawn); u2 and its back-dated
  // correction not yet.
  EXPECT_THAT(Positions(SelectAsOf(CorrectedHistory(), march)),
              ElementsAre(1, 3, 5));
  AsOfFilter december;
  december.effective_at = At(2024, 12, 31);
  EXPECT_THAT(Positions(SelectAsOf(CorrectedHistory(), december)), IsEmpty());
  AsOfFilter june;
  june.effective_at = At(2025, 6, 30);
  EXPECT_THAT(Positions(SelectAsOf(CorrectedHistory(), june)),
              ElementsAre(1, 2, 3, 4, 5));
}

TEST(SelectAsOfTest, CorrectionsRecordedLaterAreLeftOutOnThePositionAxis) {
  AsOfFilter at2;
  at2.position = 2;
  EXPECT_THAT(Positions(SelectAsOf(CorrectedHistory(), at2)),
              ElementsAre(1, 2));
  AsOfFilter at4_march;
  at4_march.position = 4;
  at4_march.effective_at = At(2025, 3, 31);
  EXPECT_THAT(Positions(SelectAsOf(CorrectedHistory(), at4_march)),
              ElementsAre(1, 3));
}

TEST(SelectAsOfTest, TheMarchPictureShowsTheJanuaryUpdateAsNowKnown) {
  AsOfFilter march;
  march.effective_at = At(2025, 3, 31);
  v1::ProjectionState state;
  // The recommendation, issued in January.
  v1::DomainEvent opened;
  opened.mutable_review_opened()->set_review_id("r");
  v1::DomainEvent issued;
  issued.mutable_recommendation_issued()->set_review_id("r");
  issued.mutable_recommendation_issued()->set_number(1);
  std::vector<RecordedDomainEvent> events = {
      Recorded(1, opened, At(2025, 1, 1), "review-r"),
      Recorded(2, issued, At(2025, 1, 2))};
  for (RecordedDomainEvent e : CorrectedHistory()) {
    e.position += 2;
    events.push_back(std::move(e));
  }
  for (const RecordedDomainEvent& e : SelectAsOf(events, march)) {
    Apply(e, &state);
  }
  const v1::ProjectedRecommendation& rec =
      state.reviews().at("r").recommendations().at(1);
  ASSERT_EQ(rec.updates().count("u1"), 1u);
  EXPECT_TRUE(rec.updates().at("u1").withdrawn());
  EXPECT_THAT(rec.updates().at("u1").corrected_by_positions(),
              ElementsAre(5, 7));
  EXPECT_EQ(rec.updates().count("u2"), 0u);
}

// ------------------------------------------------------------------- Apply

// Commands decided by the rules and recorded at positions 1, 2, 3, ...
class ReadModelTest : public RulesTest {
 protected:
  void SetUp() override {
    ASSERT_OK(
        Record("opcc", RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY)));
    ASSERT_OK(Record("opcc", RegisterAgency("police", v1::AGENCY_KIND_FORCE)));
    ASSERT_OK(
        Record("opcc", RegisterAgency("partner", v1::AGENCY_KIND_PARTNER)));
    ASSERT_OK(Record("opcc", OpenReview(kReview)));
    ASSERT_OK(Record("opcc", IssueRec(1)));
    ASSERT_OK(Record("opcc", OpenPeriod(kPeriod)));
  }

  template <typename Request>
  absl::StatusOr<Decision> Record(absl::string_view agency,
                                  const Request& request) {
    absl::StatusOr<Decision> d = Run(agency, request);
    if (d.ok()) {
      RecordedDomainEvent r;
      r.position = log_.size() + 1;
      r.stream = d->stream;
      r.revision = Events(d->stream).size() - 1;
      r.recorded_at = now_;
      r.event = d->event;
      log_.push_back(r);
    }
    return d;
  }

  template <typename Request>
  std::string Id(absl::string_view agency, const Request& request) {
    absl::StatusOr<Decision> d = Record(agency, request);
    EXPECT_OK(d);
    return d.ok() ? EntityIdOf(d->event) : "";
  }

  v1::ProjectionState State() const {
    v1::ProjectionState state;
    for (const RecordedDomainEvent& e : log_) Apply(e, &state);
    return state;
  }

  // Recommendation `number` in full, from its stream and the review's.
  v1::GetRecommendationResponse Detail(int32_t number = 1) const {
    std::vector<RecordedDomainEvent> events;
    for (const RecordedDomainEvent& e : log_) {
      if (e.stream == ReviewStream(kReview) ||
          e.stream == RecommendationStream(kReview, number)) {
        events.push_back(e);
      }
    }
    v1::GetRecommendationResponse out;
    FoldRecommendationDetail(events, kReview, number, &out);
    return out;
  }

  std::vector<RecordedDomainEvent> log_;
};

// An event about something the fold never saw, at the next position.
RecordedDomainEvent Unknown(uint64_t position, v1::DomainEvent e) {
  e.mutable_actor()->set_agency_id("police");
  e.mutable_actor()->set_person("pc");
  return Recorded(position, std::move(e),
                  At(2025, 5, 1) + absl::Hours(position), "review-zz");
}

TEST_F(ReadModelTest, EventsAboutUnknownThingsChangeOnlyPositionAndHistory) {
  const std::string update = Id("police", SubmitUpdate());
  const std::string activity = Id("opcc", Activity());
  const v1::ProjectionState before = State();

  std::vector<v1::DomainEvent> unknown;
  {
    v1::DomainEvent e;  // a period of a review never opened
    e.mutable_reporting_period_opened()->set_review_id("zz");
    e.mutable_reporting_period_opened()->set_period("2025-02");
    unknown.push_back(e);
  }
  {
    v1::DomainEvent e;
    e.mutable_reporting_period_closed()->set_review_id("zz");
    e.mutable_reporting_period_closed()->set_period("2025-02");
    unknown.push_back(e);
  }
  {
    v1::DomainEvent e;  // closing a period "r" never opened
    e.mutable_reporting_period_closed()->set_review_id(kReview);
    e.mutable_reporting_period_closed()->set_period("2024-11");
    unknown.push_back(e);
  }
  {
    v1::DomainEvent e;
    v1::RecommendationIssued& i = *e.mutable_recommendation_issued();
    i.set_review_id("zz");
    i.set_number(1);
    i.set_owning_agency_id("police");
    unknown.push_back(e);
  }
  unknown.push_back(UpdateEvent("u-9", 9));         // rec 9 of "r"
  unknown.push_back(UpdateEvent("u-zz", 1, "zz"));  // rec 1 of "zz"
  unknown.push_back(CorrectionEvent("no-such-update"));
  unknown.push_back(WithdrawalEvent("no-such-update"));
  {
    v1::DomainEvent e;
    v1::RatingAssigned& a = *e.mutable_rating_assigned();
    a.set_review_id(kReview);
    a.set_number(9);
    a.set_period(kPeriod);
    a.set_rating(v1::RATING_RED);
    unknown.push_back(e);
  }
  {
    v1::DomainEvent e;
    v1::MonitoringActivityRecorded& a =
        *e.mutable_monitoring_activity_recorded();
    a.set_review_id("zz");
    a.set_number(1);
    a.set_activity_id("a-zz");
    unknown.push_back(e);
  }
  {
    v1::DomainEvent e;
    v1::MonitoringActivityCompleted& c =
        *e.mutable_monitoring_activity_completed();
    c.set_review_id(kReview);
    c.set_number(1);
    c.set_activity_id("no-such-activity");
    unknown.push_back(e);
  }
  {
    v1::DomainEvent e;
    e.mutable_risk_raised()->set_review_id("zz");
    e.mutable_risk_raised()->set_risk_id("k");
    e.mutable_risk_raised()->add_related_recommendations(1);
    unknown.push_back(e);
  }
  {
    v1::DomainEvent e;
    e.mutable_risk_resolved()->set_review_id(kReview);
    e.mutable_risk_resolved()->set_risk_id("no-such-risk");
    unknown.push_back(e);
  }
  for (auto* set :
       {+[](v1::DomainEvent* e) {
          e->mutable_recommendation_closed()->set_review_id("r");
          e->mutable_recommendation_closed()->set_number(9);
        },
        +[](v1::DomainEvent* e) {
          e->mutable_recommendation_reopened()->set_review_id("zz");
          e->mutable_recommendation_reopened()->set_number(1);
        },
        +[](v1::DomainEvent* e) {
          e->mutable_partner_report_submitted()->set_programme_id(
              "no-such-programme");
          e->mutable_partner_report_submitted()->set_quarter("2025-Q1");
        }}) {
    v1::DomainEvent e;
    set(&e);
    unknown.push_back(e);
  }

  v1::ProjectionState state = before;
  uint64_t position = before.position();
  for (const v1::DomainEvent& e : unknown) {
    SCOPED_TRACE(e.ShortDebugString());
    const RecordedDomainEvent r = Unknown(++position, e);
    const v1::ProjectionState previous = state;
    Apply(r, &state);
    EXPECT_EQ(state.position(), r.position);
    // Nothing but the position and the history changed (the history's
    // sensitive postings too: these events carry no classification, which
    // counts as sensitive).
    v1::ProjectionState without_history = state;
    without_history.clear_history();
    without_history.clear_sensitive();
    without_history.set_position(before.position());
    v1::ProjectionState expected = before;
    expected.clear_history();
    expected.clear_sensitive();
    EXPECT_TRUE(MessageDifferencer::Equals(without_history, expected));
    // The event is posted under each of its keys, last.
    const std::vector<std::string> keys = HistoryKeysOf(r.event);
    ASSERT_FALSE(keys.empty());
    for (const std::string& key : keys) {
      ASSERT_EQ(state.history().count(key), 1u) << key;
      const v1::HistoryPostings& p = state.history().at(key);
      ASSERT_GT(p.positions_size(), 0);
      EXPECT_EQ(p.positions(p.positions_size() - 1), r.position) << key;
      EXPECT_EQ(p.occurred_micros(p.occurred_micros_size() - 1),
                absl::ToUnixMicros(r.occurred_at()))
          << key;
      const int had = previous.history().count(key) > 0
                          ? previous.history().at(key).positions_size()
                          : 0;
      EXPECT_EQ(p.positions_size(), had + 1) << key;
    }
  }
  EXPECT_EQ(state.reviews().count("zz"), 0u);
  const v1::ProjectedRecommendation& rec =
      state.reviews().at(kReview).recommendations().at(1);
  EXPECT_FALSE(rec.updates().at(update).withdrawn());
  EXPECT_THAT(rec.updates().at(update).corrected_by_positions(), IsEmpty());
  EXPECT_FALSE(rec.activities().at(activity).completed());
  // A history key of a review the state never held.
  EXPECT_GT(state.history().at("review/zz").positions_size(), 0);
}

TEST_F(ReadModelTest, ApplyRecordsTheLatestPosition) {
  const v1::ProjectionState state = State();
  EXPECT_EQ(state.position(), log_.size());
  EXPECT_EQ(state.agencies().size(), 3u);
  EXPECT_EQ(state.agencies().at("police").kind(), v1::AGENCY_KIND_FORCE);
  const v1::ProjectedReview& review = state.reviews().at(kReview);
  EXPECT_EQ(review.commissioning_agency_id(), "opcc");
  EXPECT_THAT(review.theme_ids(), ElementsAre("t1", "t2"));
  EXPECT_TRUE(review.periods().at(kPeriod).open());
  EXPECT_EQ(review.periods().at(kPeriod).opened_position(), log_.size());
}

// --------------------------------------------------- recommendation detail

TEST_F(ReadModelTest, DetailShowsACorrectedUpdateAsCorrected) {
  const std::string first = Id("police", SubmitUpdate(1, kPeriod, 2));
  const uint64_t first_position = log_.size();
  const std::string second = Id("partner", SubmitUpdate(1, kPeriod, 1));
  const uint64_t second_position = log_.size();
  ASSERT_OK(Record("police", Correct(first)));
  const uint64_t correction_1 = log_.size();
  v1::CorrectProgressUpdateRequest again = Correct(first);
  again.mutable_correction()->clear_bullets();
  *again.mutable_correction()->add_bullets() = MakeBullet("Second go", 2);
  *again.mutable_correction()->add_bullets() = MakeBullet("And more");
  v1::Link& link = *again.mutable_correction()->add_evidence();
  *link.mutable_title() = Text("Audit");
  link.set_url("https://example.org/audit.pdf");
  ASSERT_OK(Record("police", again));
  const uint64_t correction_2 = log_.size();
  ASSERT_OK(Record("partner", Withdraw(second)));
  const uint64_t withdrawal = log_.size();

  const v1::GetRecommendationResponse detail = Detail();
  ASSERT_EQ(detail.updates_size(), 2);
  const v1::UpdateView& u1 = detail.updates(0);
  EXPECT_EQ(u1.update_id(), first);
  EXPECT_EQ(u1.agency_id(), "police");
  EXPECT_EQ(u1.period(), kPeriod);
  EXPECT_EQ(u1.position(), first_position);
  ASSERT_EQ(u1.bullets_size(), 2);
  EXPECT_EQ(u1.bullets(0).text().en(), "Second go");
  EXPECT_EQ(u1.bullets(0).sub_bullets_size(), 2);
  EXPECT_EQ(u1.bullets(1).text().en(), "And more");
  ASSERT_EQ(u1.evidence_size(), 1);
  EXPECT_EQ(u1.evidence(0).url(), "https://example.org/audit.pdf");
  EXPECT_THAT(u1.corrected_at_positions(),
              ElementsAre(correction_1, correction_2));
  EXPECT_FALSE(u1.withdrawn());
  EXPECT_FALSE(u1.has_withdrawal_reason());

  const v1::UpdateView& u2 = detail.updates(1);
  EXPECT_EQ(u2.update_id(), second);
  EXPECT_EQ(u2.position(), second_position);
  EXPECT_TRUE(u2.withdrawn());
  EXPECT_EQ(u2.withdrawal_reason().en(),
            "Submitted against the wrong recommendation");
  EXPECT_THAT(u2.corrected_at_positions(), ElementsAre(withdrawal));
  ASSERT_EQ(u2.bullets_size(), 1);  // as submitted
  EXPECT_EQ(u2.bullets(0).text().en(), "Progress 1");

  // The read model agrees on what acted on each update.
  const v1::ProjectedRecommendation rec =
      State().reviews().at(kReview).recommendations().at(1);
  EXPECT_THAT(rec.updates().at(first).corrected_by_positions(),
              ElementsAre(correction_1, correction_2));
  EXPECT_FALSE(rec.updates().at(first).withdrawn());
  EXPECT_THAT(rec.updates().at(second).corrected_by_positions(),
              ElementsAre(withdrawal));
  EXPECT_TRUE(rec.updates().at(second).withdrawn());
}

TEST_F(ReadModelTest, DetailTellsTheWholeStoryOfOneRecommendation) {
  ASSERT_OK(Record("opcc", IssueRec(2)));
  ASSERT_OK(Record("police", SubmitUpdate(2)));  // the other one's
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED)));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_AMBER)));
  const std::string done = Id("opcc", Activity());
  const std::string open = Id("opcc", Activity());
  ASSERT_OK(Record("opcc", CompleteActivity(done)));
  const std::string risk = Id("police", Risk({1, 2}));
  ASSERT_OK(Record("police", Risk({2})));
  ASSERT_OK(Record("opcc", ResolveRisk(risk)));
  ASSERT_OK(Record("opcc", Meeting({"police"}, {1})));
  ASSERT_OK(Record("opcc", Meeting({"police"}, {2})));
  ASSERT_OK(
      Record("police", CrossRef(v1::CROSS_REFERENCE_KIND_RECOMMENDATION, 2)));
  ASSERT_OK(Record("opcc", CloseRec()));

  const v1::GetRecommendationResponse d = Detail();
  EXPECT_THAT(d.contributing_agency_ids(), ElementsAre("partner"));
  EXPECT_EQ(d.updates_size(), 0);
  ASSERT_EQ(d.ratings_size(), 2);
  EXPECT_EQ(d.ratings(0).rating(), v1::RATING_RED);
  EXPECT_EQ(d.ratings(1).rating(), v1::RATING_AMBER);
  EXPECT_LT(d.ratings(0).position(), d.ratings(1).position());
  ASSERT_EQ(d.monitoring_size(), 2);
  EXPECT_EQ(d.monitoring(0).activity_id(), done);
  EXPECT_TRUE(d.monitoring(0).completed());
  EXPECT_EQ(d.monitoring(0).outcome().en(),
            "Eighteen of twenty files compliant");
  EXPECT_EQ(d.monitoring(1).activity_id(), open);
  EXPECT_FALSE(d.monitoring(1).completed());
  ASSERT_EQ(d.risks_size(), 1);
  EXPECT_EQ(d.risks(0).risk_id(), risk);
  EXPECT_TRUE(d.risks(0).resolved());
  EXPECT_EQ(d.risks(0).raised_by(), "police");
  EXPECT_EQ(d.risks(0).resolution().en(), "Funding was renewed");
  ASSERT_EQ(d.meetings_size(), 1);
  EXPECT_THAT(d.meetings(0).related_recommendations(), ElementsAre(1));
  ASSERT_EQ(d.cross_references_size(), 1);
  EXPECT_EQ(d.cross_references(0).related_recommendation(), 2);
  EXPECT_TRUE(d.closed());

  ASSERT_OK(Record("opcc", ReopenRec()));
  EXPECT_FALSE(Detail().closed());
}

// ------------------------------------------------------------ ShrinkHistory

TEST(ShrinkHistoryTest, GivesBackSpareCapacityAndChangesNoValue) {
  v1::ProjectionState state;
  // 37 updates of one recommendation: its history lists grow by doubling
  // past 37 entries.
  for (int i = 1; i <= 37; ++i) {
    Apply(Recorded(i, UpdateEvent(absl::StrCat("u", i)),
                   At(2025, 1, 1) + absl::Hours(i)),
          &state);
  }
  const v1::HistoryPostings& postings =
      state.history().at(RecommendationHistoryKey("r", 1));
  ASSERT_EQ(postings.positions_size(), 37);
  ASSERT_GT(postings.positions().Capacity(), 37);
  const v1::ProjectionState before = state;

  ShrinkHistory(&state);

  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(state, before));
  for (const auto& [key, p] : state.history()) {
    SCOPED_TRACE(key);
    EXPECT_EQ(p.positions().Capacity(), p.positions_size());
    EXPECT_EQ(p.occurred_micros().Capacity(), p.occurred_micros_size());
  }
  // And the lists still grow.
  Apply(Recorded(38, UpdateEvent("u38"), At(2025, 2, 1)), &state);
  EXPECT_EQ(state.history().at(RecommendationHistoryKey("r", 1)).positions(37),
            38u);
}

}  // namespace
}  // namespace oversight::projections
