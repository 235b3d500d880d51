// The views of projections/views.h (the status board, the attention list,
// the partner view, LastDayOf) and the history keys of
// projections/read_model.h, on small hand-built histories: commands are
// decided by the domain rules against a MemorySource, and every event
// decided is recorded at the next position and folded into a
// ProjectionState, as the server does.

#include "projections/views.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.pb.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "projections/read_model.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using testutil::RulesTest;
using testutil::Text;
using testutil::Timestamp;

std::vector<std::string> Strings(
    const google::protobuf::RepeatedPtrField<std::string>& r) {
  return {r.begin(), r.end()};
}

// RulesTest whose events are also recorded, at positions 1, 2, 3, ..., and
// folded into `state_`.
class ViewsTest : public RulesTest {
 protected:
  void SetUp() override {
    // The world of RulesTest::SetUpWorld, recorded.
    ASSERT_OK(
        Record("opcc", RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY)));
    ASSERT_OK(Record("opcc", RegisterAgency("police", v1::AGENCY_KIND_FORCE)));
    ASSERT_OK(
        Record("opcc", RegisterAgency("partner", v1::AGENCY_KIND_PARTNER)));
    ASSERT_OK(Record("opcc", RegisterAgency("panel", v1::AGENCY_KIND_PANEL)));
    ASSERT_OK(
        Record("opcc", RegisterAgency("auditor", v1::AGENCY_KIND_AUDITOR)));
    ASSERT_OK(Record("opcc", OpenReview(kReview)));
    ASSERT_OK(Record("opcc", IssueRec(1)));
    ASSERT_OK(Record("opcc", OpenPeriod(kPeriod)));
  }

  // Decides `request` as `agency`; when allowed, records and folds it.
  template <typename Request>
  absl::StatusOr<Decision> Record(absl::string_view agency,
                                  const Request& request) {
    absl::StatusOr<Decision> d = Run(agency, request);
    if (d.ok()) {
      RecordedDomainEvent r;
      r.position = ++position_;
      r.stream = d->stream;
      r.revision = Events(d->stream).size() - 1;
      r.recorded_at = now_;
      r.event = d->event;
      Apply(r, &state_);
    }
    return d;
  }

  // Records `request`, which must be allowed, and returns the id of what
  // it created (an update, activity or risk id).
  template <typename Request>
  std::string Id(absl::string_view agency, const Request& request) {
    absl::StatusOr<Decision> d = Record(agency, request);
    EXPECT_OK(d);
    return d.ok() ? EntityIdOf(d->event) : "";
  }

  v1::OpenReportingPeriodRequest OpenPeriodDue(absl::string_view period,
                                               absl::string_view due) {
    v1::OpenReportingPeriodRequest r = OpenPeriod(period);
    r.mutable_period()->set_submissions_due_on(std::string(due));
    return r;
  }

  v1::RecordMonitoringActivityRequest ActivityDue(absl::string_view due_on) {
    v1::RecordMonitoringActivityRequest r = Activity();
    r.mutable_activity()->set_due_on(std::string(due_on));
    return r;
  }

  const v1::ProjectedReview& Projected() const {
    return state_.reviews().at(kReview);
  }

  v1::GetStatusBoardResponse Board() const {
    v1::GetStatusBoardResponse board;
    FillStatusBoard(Projected(), &board);
    return board;
  }

  v1::StatusBoardRow Row(int32_t number = 1) const {
    const v1::GetStatusBoardResponse board = Board();
    for (const v1::StatusBoardRow& row : board.rows()) {
      if (row.number() == number) return row;
    }
    ADD_FAILURE() << "no board row for recommendation " << number;
    return {};
  }

  v1::ListAttentionResponse Attention(absl::CivilDay today) const {
    v1::ListAttentionResponse out;
    FillAttention(Projected(), today, &out);
    return out;
  }

  // The attention items of `kind` on `today`.
  std::vector<v1::AttentionItem> Items(absl::CivilDay today,
                                       v1::AttentionKind kind) const {
    std::vector<v1::AttentionItem> out;
    const v1::ListAttentionResponse attention = Attention(today);
    for (const v1::AttentionItem& i : attention.items()) {
      if (i.kind() == kind) out.push_back(i);
    }
    return out;
  }

  v1::GetPartnerViewResponse PartnerView(absl::string_view agency) const {
    v1::GetPartnerViewResponse out;
    FillPartnerView(state_, agency, &out);
    return out;
  }

  std::vector<std::string> Missed(int32_t number = 1) const {
    return Strings(Row(number).periods_missed());
  }

  v1::ProjectionState state_;
  uint64_t position_ = 0;
};

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// ------------------------------------------------------- current/previous

TEST_F(ViewsTest, OnlyPeriodIsCurrentAndNotStatedUntilRated) {
  v1::StatusBoardRow row = Row();
  EXPECT_EQ(row.current().period(), "2025-01");
  EXPECT_FALSE(row.current().stated());
  EXPECT_EQ(row.current().rating(), v1::RATING_UNSPECIFIED);
  EXPECT_FALSE(row.has_previous());

  ASSERT_OK(Record("opcc", Rate(v1::RATING_AMBER)));
  row = Row();
  EXPECT_TRUE(row.current().stated());
  EXPECT_EQ(row.current().rating(), v1::RATING_AMBER);
}

TEST_F(ViewsTest, PreviousIsThePeriodBeforeTheLatest) {
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED)));
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  v1::StatusBoardRow row = Row();
  EXPECT_EQ(row.current().period(), "2025-02");
  EXPECT_FALSE(row.current().stated());
  EXPECT_EQ(row.current().rating(), v1::RATING_UNSPECIFIED);
  EXPECT_EQ(row.previous().period(), "2025-01");
  EXPECT_TRUE(row.previous().stated());
  EXPECT_EQ(row.previous().rating(), v1::RATING_RED);

  // A period's rating is its latest.
  ASSERT_OK(Record("opcc", Rate(v1::RATING_GREEN, 1, "2025-02")));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_AMBER, 1, "2025-02")));
  row = Row();
  EXPECT_TRUE(row.current().stated());
  EXPECT_EQ(row.current().rating(), v1::RATING_AMBER);
  EXPECT_EQ(row.previous().rating(), v1::RATING_RED);
}

TEST_F(ViewsTest, PeriodsGoByLabelNotByOpening) {
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED)));
  ASSERT_OK(Record("opcc", OpenPeriod("2025-03")));
  ASSERT_OK(Record("opcc", OpenPeriod("2024-12")));  // opened late
  ASSERT_OK(Record("opcc", Rate(v1::RATING_GREEN, 1, "2024-12")));
  const v1::GetStatusBoardResponse board = Board();
  EXPECT_THAT(Strings(board.periods()),
              ElementsAre("2024-12", "2025-01", "2025-03"));
  const v1::StatusBoardRow row = Row();
  EXPECT_EQ(row.current().period(), "2025-03");
  EXPECT_FALSE(row.current().stated());
  EXPECT_EQ(row.previous().period(), "2025-01");
  EXPECT_EQ(row.previous().rating(), v1::RATING_RED);
}

TEST_F(ViewsTest, ClosedPeriodKeepsItsRatingAndLeavesOpenPeriods) {
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED)));
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  const v1::GetStatusBoardResponse board = Board();
  EXPECT_THAT(Strings(board.periods()), ElementsAre("2025-01", "2025-02"));
  EXPECT_THAT(Strings(board.open_periods()), ElementsAre("2025-02"));
  EXPECT_EQ(board.title().en(), "Stalking and harassment review");
  ASSERT_EQ(board.rows_size(), 1);
  EXPECT_EQ(board.rows(0).previous().rating(), v1::RATING_RED);
  EXPECT_TRUE(board.rows(0).previous().stated());
}

TEST_F(ViewsTest, RowsGoByNumberWithTheirFacts) {
  v1::IssueRecommendationRequest second = IssueRec(10, "partner", {});
  second.mutable_recommendation()->set_theme_id("t2");
  ASSERT_OK(Record("opcc", second));
  v1::IssueRecommendationRequest unknown = IssueRec(2, "police", {});
  unknown.mutable_recommendation()->clear_text();
  unknown.mutable_recommendation()->set_text_not_in_source(true);
  ASSERT_OK(Record("opcc", unknown));
  const v1::GetStatusBoardResponse board = Board();
  ASSERT_EQ(board.rows_size(), 3);
  EXPECT_EQ(board.rows(0).number(), 1);
  EXPECT_EQ(board.rows(1).number(), 2);
  EXPECT_EQ(board.rows(2).number(), 10);
  EXPECT_TRUE(board.rows(1).text_not_in_source());
  EXPECT_EQ(board.rows(2).theme_id(), "t2");
  EXPECT_EQ(board.rows(2).owning_agency_id(), "partner");
  EXPECT_EQ(board.rows(2).text().en(), "Recommendation 10");
  EXPECT_EQ(board.rows(0).review_id(), kReview);
}

// ------------------------------------------------------------ last update

TEST_F(ViewsTest, LastUpdateIsTheLatestNotWithdrawn) {
  EXPECT_EQ(Row().last_update_id(), "");
  const std::string first = Id("police", SubmitUpdate());
  const uint64_t first_position = position_;
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  *r.mutable_occurred_at() = Timestamp(now_ - absl::Hours(30));
  const std::string second = Id("partner", r);
  const uint64_t second_position = position_;

  v1::StatusBoardRow row = Row();
  EXPECT_EQ(row.last_update_id(), second);
  EXPECT_EQ(row.last_update_period(), "2025-01");
  EXPECT_EQ(row.last_update_position(), second_position);
  EXPECT_EQ(row.last_update_occurred_at().seconds(),
            absl::ToUnixSeconds(now_ - absl::Hours(30)));

  // A correction changes nothing of which update is last.
  ASSERT_OK(Record("police", Correct(first)));
  EXPECT_EQ(Row().last_update_id(), second);

  ASSERT_OK(Record("partner", Withdraw(second)));
  row = Row();
  EXPECT_EQ(row.last_update_id(), first);
  EXPECT_EQ(row.last_update_position(), first_position);
  EXPECT_EQ(row.last_update_occurred_at().seconds(), absl::ToUnixSeconds(now_));

  ASSERT_OK(Record("police", Withdraw(first)));
  row = Row();
  EXPECT_EQ(row.last_update_id(), "");
  EXPECT_EQ(row.last_update_period(), "");
  EXPECT_EQ(row.last_update_position(), 0u);
  EXPECT_FALSE(row.has_last_update_occurred_at());
}

// ---------------------------------------------------------- periods missed

TEST_F(ViewsTest, PeriodClosedWithoutAnUpdateIsMissed) {
  EXPECT_THAT(Missed(), IsEmpty());  // open periods are not missed
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  EXPECT_THAT(Missed(), ElementsAre("2025-01"));
}

TEST_F(ViewsTest, PeriodWithAnUpdateIsNotMissed) {
  ASSERT_OK(Record("partner", SubmitUpdate()));  // a contributor's counts
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  EXPECT_THAT(Missed(), IsEmpty());
}

TEST_F(ViewsTest, UpdateForAnotherPeriodDoesNotCount) {
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  ASSERT_OK(Record("police", SubmitUpdate(1, "2025-02")));
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  ASSERT_OK(Record("opcc", ClosePeriod("2025-02")));
  EXPECT_THAT(Missed(), ElementsAre("2025-01"));
}

TEST_F(ViewsTest, WithdrawingTheOnlyUpdateLaterMakesThePeriodMissed) {
  const std::string only = Id("police", SubmitUpdate());
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  EXPECT_THAT(Missed(), IsEmpty());
  ASSERT_OK(Record("police", Withdraw(only)));
  EXPECT_THAT(Missed(), ElementsAre("2025-01"));
}

TEST_F(ViewsTest, WithdrawingOneOfTwoUpdatesLeavesThePeriodCovered) {
  const std::string one = Id("police", SubmitUpdate());
  ASSERT_OK(Record("partner", SubmitUpdate()));
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  ASSERT_OK(Record("police", Withdraw(one)));
  EXPECT_THAT(Missed(), IsEmpty());
}

TEST_F(ViewsTest, ClosedRecommendationOwesNothing) {
  ASSERT_OK(Record("opcc", CloseRec()));
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  EXPECT_THAT(Missed(), IsEmpty());
  EXPECT_TRUE(Row().closed());
  // Reopened, it owes what closes while it is open, not what closed before.
  ASSERT_OK(Record("opcc", ReopenRec()));
  EXPECT_FALSE(Row().closed());
  EXPECT_THAT(Missed(), IsEmpty());
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  ASSERT_OK(Record("opcc", ClosePeriod("2025-02")));
  EXPECT_THAT(Missed(), ElementsAre("2025-02"));
}

TEST_F(ViewsTest, RecommendationIssuedAfterThePeriodClosedOwesNothing) {
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  ASSERT_OK(Record("opcc", IssueRec(2)));
  EXPECT_THAT(Missed(1), ElementsAre("2025-01"));
  EXPECT_THAT(Missed(2), IsEmpty());
}

// -------------------------------------------------------------- attention

TEST_F(ViewsTest, AttentionSaysTheDayItJudgedOn) {
  EXPECT_EQ(Attention(D(2025, 3, 7)).judged_on(), "2025-03-07");
}

TEST_F(ViewsTest, UpdateMissingForAnOpenPeriodIsOverdueAfterItsDueDate) {
  ASSERT_OK(Record("opcc", OpenPeriodDue("2025-02", "2025-03-15")));
  std::vector<v1::AttentionItem> items =
      Items(D(2025, 3, 15), v1::ATTENTION_KIND_UPDATE_MISSING);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].period(), "2025-01");  // no due date: never overdue
  EXPECT_EQ(items[0].due_on(), "");
  EXPECT_FALSE(items[0].overdue());
  EXPECT_EQ(items[1].period(), "2025-02");
  EXPECT_EQ(items[1].due_on(), "2025-03-15");
  EXPECT_FALSE(items[1].overdue());  // due today
  EXPECT_EQ(items[1].number(), 1);
  EXPECT_EQ(items[1].review_id(), kReview);
  EXPECT_EQ(items[1].detail().en(), "No update from police for 2025-02");

  items = Items(D(2025, 3, 16), v1::ATTENTION_KIND_UPDATE_MISSING);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_FALSE(items[0].overdue());
  EXPECT_TRUE(items[1].overdue());
  EXPECT_EQ(items[1].detail().en(),
            "No update from police for 2025-02 (overdue)");

  // An update (from anyone carrying it out) settles it; withdrawn, it
  // does not.
  const std::string update = Id("partner", SubmitUpdate(1, "2025-02"));
  items = Items(D(2025, 3, 16), v1::ATTENTION_KIND_UPDATE_MISSING);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].period(), "2025-01");
  ASSERT_OK(Record("partner", Withdraw(update)));
  EXPECT_EQ(Items(D(2025, 3, 16), v1::ATTENTION_KIND_UPDATE_MISSING).size(),
            2u);

  // A closed period asks for nothing more.
  ASSERT_OK(Record("opcc", ClosePeriod("2025-02")));
  items = Items(D(2025, 3, 16), v1::ATTENTION_KIND_UPDATE_MISSING);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].period(), "2025-01");
}

TEST_F(ViewsTest, ClosedRecommendationNeedsNoAttention) {
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED)));
  ASSERT_OK(Record("opcc", ActivityDue("2025-06-05")));
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  ASSERT_OK(Record("opcc", ClosePeriod("2025-02")));
  EXPECT_GT(Attention(D(2025, 6, 1)).items_size(), 0);
  ASSERT_OK(Record("opcc", CloseRec()));
  EXPECT_EQ(Attention(D(2025, 6, 1)).items_size(), 0);
}

TEST_F(ViewsTest, RedAndAmberComeFromTheLatestStatedRating) {
  const absl::CivilDay today = D(2025, 6, 1);
  EXPECT_TRUE(Items(today, v1::ATTENTION_KIND_RATED_RED).empty());
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED)));
  EXPECT_EQ(Items(today, v1::ATTENTION_KIND_RATED_RED).size(), 1u);
  EXPECT_EQ(Items(today, v1::ATTENTION_KIND_RATED_RED)[0].number(), 1);

  // A later period not rated yet: the latest stated rating still counts.
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  EXPECT_EQ(Items(today, v1::ATTENTION_KIND_RATED_RED).size(), 1u);

  ASSERT_OK(Record("opcc", Rate(v1::RATING_GREEN, 1, "2025-02")));
  EXPECT_TRUE(Items(today, v1::ATTENTION_KIND_RATED_RED).empty());
  EXPECT_TRUE(Items(today, v1::ATTENTION_KIND_RATED_AMBER).empty());

  ASSERT_OK(Record("opcc", Rate(v1::RATING_AMBER, 1, "2025-02")));
  EXPECT_EQ(Items(today, v1::ATTENTION_KIND_RATED_AMBER).size(), 1u);
  // Rating an earlier period again does not make it the latest.
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED, 1, "2025-01")));
  EXPECT_TRUE(Items(today, v1::ATTENTION_KIND_RATED_RED).empty());
  EXPECT_EQ(Items(today, v1::ATTENTION_KIND_RATED_AMBER).size(), 1u);
}

TEST_F(ViewsTest, MonitoringIsDueWithinFourteenDaysThenOverdue) {
  const std::string id = Id("opcc", ActivityDue("2025-07-31"));
  EXPECT_TRUE(Items(D(2025, 7, 16), v1::ATTENTION_KIND_MONITORING_DUE).empty());
  std::vector<v1::AttentionItem> due =
      Items(D(2025, 7, 17), v1::ATTENTION_KIND_MONITORING_DUE);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].subject_id(), id);
  EXPECT_EQ(due[0].number(), 1);
  EXPECT_EQ(due[0].period(), "2025-01");
  EXPECT_EQ(due[0].due_on(), "2025-07-31");
  EXPECT_FALSE(due[0].overdue());
  EXPECT_EQ(due[0].detail().en(), "Dip-sample twenty case files");
  EXPECT_EQ(Items(D(2025, 7, 31), v1::ATTENTION_KIND_MONITORING_DUE).size(),
            1u);
  EXPECT_TRUE(
      Items(D(2025, 7, 31), v1::ATTENTION_KIND_MONITORING_OVERDUE).empty());

  EXPECT_TRUE(Items(D(2025, 8, 1), v1::ATTENTION_KIND_MONITORING_DUE).empty());
  std::vector<v1::AttentionItem> overdue =
      Items(D(2025, 8, 1), v1::ATTENTION_KIND_MONITORING_OVERDUE);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_TRUE(overdue[0].overdue());
  EXPECT_EQ(overdue[0].subject_id(), id);

  ASSERT_OK(Record("opcc", CompleteActivity(id)));
  EXPECT_TRUE(
      Items(D(2025, 8, 1), v1::ATTENTION_KIND_MONITORING_OVERDUE).empty());
  EXPECT_EQ(Row().open_monitoring_activities(), 0);
}

TEST_F(ViewsTest, MonitoringFarAheadOrWithoutADueDateIsNotListed) {
  ASSERT_OK(Record("opcc", ActivityDue("2026-01-01")));
  ASSERT_OK(Record("opcc", ActivityDue("")));
  EXPECT_EQ(Row().open_monitoring_activities(), 2);
  for (absl::CivilDay day :
       {D(2025, 6, 1), D(2025, 12, 17), D(2025, 12, 18), D(2030, 1, 1)}) {
    SCOPED_TRACE(absl::FormatCivilTime(day));
    int listed = 0;
    const v1::ListAttentionResponse attention = Attention(day);
    for (const v1::AttentionItem& i : attention.items()) {
      if (i.kind() == v1::ATTENTION_KIND_MONITORING_DUE ||
          i.kind() == v1::ATTENTION_KIND_MONITORING_OVERDUE) {
        ++listed;
        EXPECT_EQ(i.due_on(), "2026-01-01");  // never the undated one
      }
    }
    EXPECT_EQ(listed, day >= D(2025, 12, 18) ? 1 : 0);
  }
}

TEST_F(ViewsTest, MonthPrecisionDueDateRunsToTheEndOfTheMonth) {
  ASSERT_OK(Record("opcc", ActivityDue("2025-03")));
  EXPECT_TRUE(Items(D(2025, 3, 16), v1::ATTENTION_KIND_MONITORING_DUE).empty());
  EXPECT_EQ(Items(D(2025, 3, 17), v1::ATTENTION_KIND_MONITORING_DUE).size(),
            1u);
  EXPECT_EQ(Items(D(2025, 3, 31), v1::ATTENTION_KIND_MONITORING_DUE).size(),
            1u);
  EXPECT_TRUE(
      Items(D(2025, 3, 31), v1::ATTENTION_KIND_MONITORING_OVERDUE).empty());
  std::vector<v1::AttentionItem> overdue =
      Items(D(2025, 4, 1), v1::ATTENTION_KIND_MONITORING_OVERDUE);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].due_on(), "2025-03");
}

TEST_F(ViewsTest, YearPrecisionDueDateRunsToTheEndOfTheYear) {
  ASSERT_OK(Record("opcc", ActivityDue("2025")));
  EXPECT_TRUE(
      Items(D(2025, 12, 16), v1::ATTENTION_KIND_MONITORING_DUE).empty());
  EXPECT_EQ(Items(D(2025, 12, 31), v1::ATTENTION_KIND_MONITORING_DUE).size(),
            1u);
  EXPECT_EQ(Items(D(2026, 1, 1), v1::ATTENTION_KIND_MONITORING_OVERDUE).size(),
            1u);
}

TEST_F(ViewsTest, OpenRisksAreListedUntilResolved) {
  const std::string on_one = Id("police", Risk({1}));
  const std::string on_review = Id("opcc", Risk({}));
  const absl::CivilDay today = D(2025, 6, 1);
  std::vector<v1::AttentionItem> risks =
      Items(today, v1::ATTENTION_KIND_OPEN_RISK);
  ASSERT_EQ(risks.size(), 2u);
  for (const v1::AttentionItem& i : risks) {
    EXPECT_EQ(i.number(), i.subject_id() == on_one ? 1 : 0);
    EXPECT_EQ(i.detail().en(), "Funding ends in March");
  }
  EXPECT_EQ(Row().open_risks(), 1);

  ASSERT_OK(Record("police", ResolveRisk(on_one)));
  risks = Items(today, v1::ATTENTION_KIND_OPEN_RISK);
  ASSERT_EQ(risks.size(), 1u);
  EXPECT_EQ(risks[0].subject_id(), on_review);
  EXPECT_EQ(risks[0].number(), 0);
  EXPECT_EQ(Row().open_risks(), 0);
}

TEST_F(ViewsTest, NoUpdateForTwoClosedPeriods) {
  const absl::CivilDay today = D(2025, 6, 1);
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  // One closed period missed is not yet two.
  EXPECT_TRUE(
      Items(today, v1::ATTENTION_KIND_NO_UPDATE_FOR_TWO_PERIODS).empty());
  ASSERT_OK(Record("opcc", ClosePeriod("2025-02")));
  std::vector<v1::AttentionItem> silent =
      Items(today, v1::ATTENTION_KIND_NO_UPDATE_FOR_TWO_PERIODS);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].number(), 1);
  EXPECT_EQ(silent[0].period(), "2025-02");
}

TEST_F(ViewsTest, AnUpdateInEitherOfTheLastTwoClosedPeriodsIsEnough) {
  const absl::CivilDay today = D(2025, 6, 1);
  ASSERT_OK(Record("opcc", OpenPeriod("2025-02")));
  ASSERT_OK(Record("opcc", OpenPeriod("2025-03")));
  ASSERT_OK(Record("police", SubmitUpdate(1, "2025-02")));
  ASSERT_OK(Record("opcc", ClosePeriod(kPeriod)));
  ASSERT_OK(Record("opcc", ClosePeriod("2025-02")));
  ASSERT_OK(Record("opcc", ClosePeriod("2025-03")));
  EXPECT_THAT(Missed(), ElementsAre("2025-01", "2025-03"));
  EXPECT_TRUE(
      Items(today, v1::ATTENTION_KIND_NO_UPDATE_FOR_TWO_PERIODS).empty());
}

// ----------------------------------------------------------- partner view

TEST_F(ViewsTest, PartnerViewListsOwnedProgrammesWithQuartersInOrder) {
  ASSERT_OK(
      Record("opcc", RegisterAgency("partner2", v1::AGENCY_KIND_PARTNER)));
  ASSERT_OK(Record("partner", Programme("isac-b")));
  ASSERT_OK(Record("partner", Programme("isac-a")));
  ASSERT_OK(Record("partner2", Programme("other", "partner2")));
  ASSERT_OK(Record("partner", Report("isac-b", "2025-Q2")));
  ASSERT_OK(Record("partner", Report("isac-b", "2024-Q4")));
  ASSERT_OK(Record("partner", Report("isac-b", "2025-Q1")));
  ASSERT_OK(Record("partner2", Report("other", "2025-Q1")));

  const v1::GetPartnerViewResponse view = PartnerView("partner");
  EXPECT_EQ(view.agency_id(), "partner");
  EXPECT_EQ(view.name().en(), "Agency partner");
  ASSERT_EQ(view.programmes_size(), 2);
  EXPECT_EQ(view.programmes(0).programme_id(), "isac-a");
  EXPECT_EQ(view.programmes(0).quarters_size(), 0);
  const v1::ProgrammeView& b = view.programmes(1);
  EXPECT_EQ(b.programme_id(), "isac-b");
  EXPECT_EQ(b.name().en(), "ISAC pilot");
  EXPECT_EQ(b.review_id(), kReview);
  EXPECT_EQ(b.started_on(), "2025-02-01");
  ASSERT_EQ(b.related_recommendations_size(), 1);
  EXPECT_EQ(b.related_recommendations(0), 1);
  ASSERT_EQ(b.quarters_size(), 3);
  EXPECT_EQ(b.quarters(0).quarter(), "2024-Q4");
  EXPECT_EQ(b.quarters(1).quarter(), "2025-Q1");
  EXPECT_EQ(b.quarters(2).quarter(), "2025-Q2");
  ASSERT_EQ(b.quarters(0).figures_size(), 1);
  EXPECT_EQ(b.quarters(0).figures(0).key(), "victims_supported");
  EXPECT_EQ(b.quarters(0).figures(0).value(), 13);
  ASSERT_EQ(b.quarters(0).narrative_size(), 1);
  EXPECT_EQ(b.quarters(0).narrative(0).en(), "A steady quarter");
  EXPECT_FALSE(b.quarters(0).report_id().empty());
  // Log order behind the sort: Q2 was recorded first.
  EXPECT_LT(b.quarters(2).position(), b.quarters(0).position());

  const v1::GetPartnerViewResponse other = PartnerView("partner2");
  ASSERT_EQ(other.programmes_size(), 1);
  EXPECT_EQ(other.programmes(0).programme_id(), "other");
}

TEST_F(ViewsTest, PartnerViewListsWhatItOwnsAndContributesTo) {
  ASSERT_OK(Record("opcc", IssueRec(2, "partner", {"police"})));
  ASSERT_OK(Record("opcc", IssueRec(3, "police", {})));
  ASSERT_OK(Record("opcc", CloseRec(2)));

  const v1::GetPartnerViewResponse partner = PartnerView("partner");
  ASSERT_EQ(partner.contributions_size(), 2);
  EXPECT_EQ(partner.contributions(0).review_id(), kReview);
  EXPECT_EQ(partner.contributions(0).number(), 1);
  EXPECT_FALSE(partner.contributions(0).owner());
  EXPECT_FALSE(partner.contributions(0).closed());
  EXPECT_EQ(partner.contributions(1).number(), 2);
  EXPECT_TRUE(partner.contributions(1).owner());
  EXPECT_TRUE(partner.contributions(1).closed());

  const v1::GetPartnerViewResponse police = PartnerView("police");
  ASSERT_EQ(police.contributions_size(), 3);
  EXPECT_TRUE(police.contributions(0).owner());
  EXPECT_FALSE(police.contributions(1).owner());
  EXPECT_TRUE(police.contributions(2).owner());

  EXPECT_EQ(PartnerView("panel").contributions_size(), 0);
  const v1::GetPartnerViewResponse nobody = PartnerView("nobody");
  EXPECT_EQ(nobody.agency_id(), "nobody");
  EXPECT_FALSE(nobody.has_name());
  EXPECT_EQ(nobody.programmes_size(), 0);
  EXPECT_EQ(nobody.contributions_size(), 0);
}

// --------------------------------------------------------------- LastDayOf

TEST(LastDayOfTest, CoversTheWholeOfAYearMonthOrDay) {
  EXPECT_EQ(LastDayOf("2024"), absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(LastDayOf("2024-02"), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(LastDayOf("2025-02"), absl::CivilDay(2025, 2, 28));
  EXPECT_EQ(LastDayOf("2025-12"), absl::CivilDay(2025, 12, 31));
  EXPECT_EQ(LastDayOf("2025-04"), absl::CivilDay(2025, 4, 30));
  EXPECT_EQ(LastDayOf("2025-03-15"), absl::CivilDay(2025, 3, 15));
  EXPECT_EQ(LastDayOf("2024-02-29"), absl::CivilDay(2024, 2, 29));
}

TEST(LastDayOfTest, MalformedDatesHaveNone) {
  for (const char* bad :
       {"", "2025-13", "2025-00", "2025-02-30", "2025-02-29", "25-01",
        "2025/01", "2025-1", "2025-01-1", "abcd", "2025-01-01T00:00", " 2025",
        "1899", "3000-01-01", "2025-01-00"}) {
    EXPECT_EQ(LastDayOf(bad), std::nullopt) << '"' << bad << '"';
  }
}

// ------------------------------------------------------------ history keys

TEST_F(ViewsTest, UpdateIsPostedUnderItsReviewRecommendationAgencyAndPerson) {
  absl::StatusOr<Decision> d = Record("partner", SubmitUpdate());
  ASSERT_OK(d);
  EXPECT_THAT(HistoryKeysOf(d->event),
              UnorderedElementsAre("review/r", "recommendation/r/1",
                                   "agency/partner", "person/partner/tester"));
  EXPECT_EQ(ReviewHistoryKey("r"), "review/r");
  EXPECT_EQ(RecommendationHistoryKey("r", 1), "recommendation/r/1");
  EXPECT_EQ(AgencyHistoryKey("partner"), "agency/partner");
  EXPECT_EQ(PersonHistoryKey("partner", "tester"), "person/partner/tester");

  // Folded, the event is the last posting under each of its keys, and
  // under no other.
  for (const std::string& key : HistoryKeysOf(d->event)) {
    SCOPED_TRACE(key);
    ASSERT_EQ(state_.history().count(key), 1u);
    const v1::HistoryPostings& p = state_.history().at(key);
    ASSERT_GT(p.positions_size(), 0);
    ASSERT_EQ(p.positions_size(), p.occurred_micros_size());
    EXPECT_EQ(p.positions(p.positions_size() - 1), position_);
    EXPECT_EQ(p.occurred_micros(p.occurred_micros_size() - 1),
              absl::ToUnixMicros(now_));
  }
  for (const char* key : {"agency/police", "agency/opcc"}) {
    const v1::HistoryPostings& p = state_.history().at(key);
    EXPECT_NE(p.positions(p.positions_size() - 1), position_) << key;
  }
}

TEST_F(ViewsTest, MeetingIsPostedUnderEachRelatedRecommendationAndAgency) {
  ASSERT_OK(Record("opcc", IssueRec(2)));
  ASSERT_OK(Record("opcc", IssueRec(3)));
  absl::StatusOr<Decision> d =
      Record("opcc", Meeting({"police", "partner"}, {1, 3}));
  ASSERT_OK(d);
  EXPECT_THAT(HistoryKeysOf(d->event),
              UnorderedElementsAre("review/r", "recommendation/r/1",
                                   "recommendation/r/3", "agency/opcc",
                                   "person/opcc/tester", "agency/police",
                                   "agency/partner"));
  const v1::HistoryPostings& two = state_.history().at("recommendation/r/2");
  EXPECT_NE(two.positions(two.positions_size() - 1), position_);
  const v1::HistoryPostings& three = state_.history().at("recommendation/r/3");
  EXPECT_EQ(three.positions(three.positions_size() - 1), position_);
}

TEST_F(ViewsTest, IssuingIsPostedUnderTheOwnerAndEachContributor) {
  ASSERT_OK(
      Record("opcc", RegisterAgency("partner2", v1::AGENCY_KIND_PARTNER)));
  absl::StatusOr<Decision> d =
      Record("opcc", IssueRec(2, "police", {"partner", "partner2"}));
  ASSERT_OK(d);
  EXPECT_THAT(
      HistoryKeysOf(d->event),
      UnorderedElementsAre("review/r", "recommendation/r/2", "agency/opcc",
                           "person/opcc/tester", "agency/police",
                           "agency/partner", "agency/partner2"));
}

// What only the state knows is posted too: a risk's resolution under the
// recommendations the risk named, a partner report under its programme's
// review and recommendations.
TEST_F(ViewsTest, ResolutionsAndPartnerReportsArePostedWhereTheyBelong) {
  auto last_under = [&](const std::string& key) -> uint64_t {
    auto it = state_.history().find(key);
    if (it == state_.history().end() || it->second.positions().empty()) {
      return 0;
    }
    return *it->second.positions().rbegin();
  };
  const std::string risk = Id("opcc", Risk({1}));
  ASSERT_OK(Record("opcc", ResolveRisk(risk)));
  EXPECT_EQ(last_under("recommendation/r/1"), position_);

  ASSERT_OK(Record("partner", Programme("isac")));
  ASSERT_OK(Record("partner", Report("isac", "2025-Q1")));
  EXPECT_EQ(last_under("review/r"), position_);
  EXPECT_EQ(last_under("recommendation/r/1"), position_);
}

}  // namespace
}  // namespace oversight::projections
