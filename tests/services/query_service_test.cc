// The Queries service end to end: commands through gRPC, then the read
// models as they stand now, as at a past position or instant, with
// read-your-writes, history paging and its tokens, and restarts.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "projections/read_model.h"
#include "services/projection_host.h"
#include "tests/services/command_fixture.h"

namespace oversight::services {
namespace {

using Stub = v1::Commands::Stub;
using ::testing::ElementsAre;

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

class QueryServiceTest : public CommandTest {
 protected:
  void SetUp() override {
    serve_queries_ = true;
    CommandTest::SetUp();
    // A clock the test can move on (CommandTest's stands still).
    StopServer();
    server_options_.clock = [now = now_] {
      return absl::FromUnixMicros(now->load());
    };
    StartServer();
    commands_ = v1::Commands::NewStub(channel_);
    queries_ = v1::Queries::NewStub(channel_);
  }
  void Advance(absl::Duration d) {
    now_->fetch_add(absl::ToInt64Microseconds(d));
  }
  void TearDown() override {
    queries_.reset();
    CommandTest::TearDown();
  }
  void Restart() {
    queries_.reset();
    commands_.reset();
    StopServer();
    StartServer();
    commands_ = v1::Commands::NewStub(channel_);
    queries_ = v1::Queries::NewStub(channel_);
  }

  template <typename Request, typename Response>
  grpc::Status Query(grpc::Status (v1::Queries::Stub::*method)(
                         grpc::ClientContext*, const Request&, Response*),
                     const Request& request, Response* response,
                     std::string* reason = nullptr,
                     absl::Duration timeout = absl::Seconds(10)) {
    // The reviewing body, which may read every query but the access log.
    auto ctx = RoleContext("opcc", "reviewing-body", timeout);
    grpc::Status s = (queries_.get()->*method)(ctx.get(), request, response);
    if (reason != nullptr) *reason = Trailer(*ctx, "oversight-reason");
    return s;
  }

  v1::GetStatusBoardResponse Board(uint64_t min_position, v1::AsOf as_of = {}) {
    v1::GetStatusBoardRequest request;
    request.set_review_id("r");
    request.set_min_position(min_position);
    *request.mutable_as_of() = as_of;
    v1::GetStatusBoardResponse response;
    grpc::Status s =
        Query(&v1::Queries::Stub::GetStatusBoard, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  v1::CommandResult Rate(v1::Rating rating, const std::string& id,
                         const std::string& period = "2025-01") {
    v1::AssignRatingRequest r;
    r.mutable_rating()->set_review_id("r");
    r.mutable_rating()->set_number(1);
    r.mutable_rating()->set_period(period);
    r.mutable_rating()->set_rating(rating);
    *r.mutable_rating()->mutable_rationale() = Text("Because");
    return MustOk("opcc", &Stub::AssignRating, Common(r, id));
  }

  std::unique_ptr<v1::Queries::Stub> queries_;
  std::shared_ptr<std::atomic<int64_t>> now_ =
      std::make_shared<std::atomic<int64_t>>(absl::ToUnixMicros(TestNow()));
};

TEST_F(QueryServiceTest, BoardShowsWhatCommandsRecordedWithReadYourWrites) {
  SetUpWorld();
  const v1::CommandResult update = MustOk("police", &Stub::SubmitProgressUpdate,
                                          Update("u1", 1, "Work began"));
  const v1::GetStatusBoardResponse board = Board(update.position());
  EXPECT_GE(board.reflects().position(), update.position());
  EXPECT_THAT(board.periods(), ElementsAre("2025-01"));
  ASSERT_EQ(board.rows_size(), 2);
  const v1::StatusBoardRow& row = board.rows(0);
  EXPECT_EQ(row.number(), 1);
  EXPECT_EQ(row.owning_agency_id(), "police");
  EXPECT_EQ(row.last_update_id(), "u1");
  EXPECT_EQ(row.last_update_period(), "2025-01");
  EXPECT_EQ(row.current().period(), "2025-01");
  EXPECT_FALSE(row.current().stated());  // rating not stated
  EXPECT_EQ(board.rows(1).last_update_id(), "");
}

TEST_F(QueryServiceTest, MinPositionNotReachedIsDeadlineExceeded) {
  SetUpWorld();
  v1::GetStatusBoardRequest request;
  request.set_review_id("r");
  request.set_min_position(store_->Head().position + 100);
  v1::GetStatusBoardResponse response;
  std::string reason;
  grpc::Status s = Query(&v1::Queries::Stub::GetStatusBoard, request, &response,
                         &reason, absl::Seconds(1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(reason, "PROJECTION_BEHIND");
}

TEST_F(QueryServiceTest, AsOfPositionShowsWhatWasRecordedThen) {
  SetUpWorld();
  const v1::CommandResult amber = Rate(v1::RATING_AMBER, "rate-1");
  const v1::CommandResult red = Rate(v1::RATING_RED, "rate-2");
  EXPECT_EQ(Board(red.position()).rows(0).current().rating(), v1::RATING_RED);
  v1::AsOf then;
  then.set_position(amber.position());
  const v1::GetStatusBoardResponse past = Board(red.position(), then);
  EXPECT_EQ(past.reflects().position(), amber.position());
  EXPECT_EQ(past.rows(0).current().rating(), v1::RATING_AMBER);
}

// A correction recorded later changes the picture of the past on the
// effective-date axis, but not the view as at a position before it.
TEST_F(QueryServiceTest, CorrectionChangesThePastByDateButNotByPosition) {
  SetUpWorld();
  const absl::Time then = TestNow();
  const v1::CommandResult submitted = MustOk(
      "police", &Stub::SubmitProgressUpdate, Update("u1", 1, "Original"));
  // A month later the update is corrected.
  Advance(absl::Hours(24 * 30));
  v1::CorrectProgressUpdateRequest correct;
  correct.mutable_correction()->set_review_id("r");
  correct.mutable_correction()->set_number(1);
  correct.mutable_correction()->set_update_id("u1");
  *correct.mutable_correction()->add_bullets()->mutable_text() =
      Text("Corrected");
  *correct.mutable_correction()->mutable_reason() = Text("Typo");
  const v1::CommandResult corrected =
      MustOk("police", &Stub::CorrectProgressUpdate, Common(correct, "c1"));

  auto text_as_of = [&](v1::AsOf as_of) {
    v1::GetRecommendationRequest request;
    request.set_review_id("r");
    request.set_number(1);
    request.set_min_position(corrected.position());
    *request.mutable_as_of() = as_of;
    v1::GetRecommendationResponse response;
    grpc::Status s =
        Query(&v1::Queries::Stub::GetRecommendation, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.updates_size() == 0
               ? std::string("<none>")
               : response.updates(0).bullets(0).text().en();
  };
  // The world as it stood a day after the update, as the log now knows
  // it: the correction, though made later, shows.
  v1::AsOf next_day;
  *next_day.mutable_effective_at() = At(then + absl::Hours(24));
  EXPECT_EQ(text_as_of(next_day), "Corrected");
  // What had been recorded before the correction: the original.
  v1::AsOf before_correction = next_day;
  before_correction.set_position(submitted.position());
  EXPECT_EQ(text_as_of(before_correction), "Original");
  v1::AsOf by_position_only;
  by_position_only.set_position(submitted.position());
  EXPECT_EQ(text_as_of(by_position_only), "Original");
}

TEST_F(QueryServiceTest, BadArgumentsAndUnknownThings) {
  SetUpWorld();
  v1::GetStatusBoardRequest board;
  v1::GetStatusBoardResponse board_response;
  std::string reason;
  board.set_review_id("nope");
  EXPECT_EQ(
      Query(&v1::Queries::Stub::GetStatusBoard, board, &board_response, &reason)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "REVIEW_NOT_FOUND");
  board.set_review_id("r");
  *board.mutable_as_of()->mutable_effective_at() =
      At(absl::Now() + absl::Hours(24 * 400));
  EXPECT_EQ(
      Query(&v1::Queries::Stub::GetStatusBoard, board, &board_response, &reason)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "AS_OF_IN_FUTURE");
  board.clear_as_of();
  board.mutable_as_of()->set_position(store_->Head().position + 5);
  EXPECT_EQ(
      Query(&v1::Queries::Stub::GetStatusBoard, board, &board_response, &reason)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "AS_OF_IN_FUTURE");

  v1::GetRecommendationRequest rec;
  v1::GetRecommendationResponse rec_response;
  rec.set_review_id("r");
  rec.set_number(42);
  EXPECT_EQ(
      Query(&v1::Queries::Stub::GetRecommendation, rec, &rec_response, &reason)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "RECOMMENDATION_NOT_FOUND");

  v1::ListHistoryRequest history;
  v1::ListHistoryResponse history_response;
  history.set_page_size(-1);
  EXPECT_EQ(Query(&v1::Queries::Stub::ListHistory, history, &history_response,
                  &reason)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_PAGE_SIZE");
  history.set_page_size(10);
  history.set_page_token("Zm9yZ2VkIHRva2VuIGZvcmdlZCB0b2tlbiBmb3JnZWQgdG9rZW4");
  EXPECT_EQ(Query(&v1::Queries::Stub::ListHistory, history, &history_response,
                  &reason)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_PAGE_TOKEN");

  v1::GetPartnerViewRequest partner;
  v1::GetPartnerViewResponse partner_response;
  partner.set_agency_id("nobody");
  EXPECT_EQ(Query(&v1::Queries::Stub::GetPartnerView, partner,
                  &partner_response, &reason)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "AGENCY_NOT_FOUND");
}

TEST_F(QueryServiceTest, HistoryPagesAreConsistentAndTokensBoundToTheirFilter) {
  SetUpWorld();
  for (int i = 0; i < 7; ++i) {
    MustOk("police", &Stub::SubmitProgressUpdate,
           Update(absl::StrCat("u", i), 1, absl::StrCat("Update ", i)));
  }
  const uint64_t head = store_->Head().position;
  v1::ListHistoryRequest request;
  request.set_review_id("r");
  request.set_number(1);
  request.set_page_size(3);
  request.set_min_position(head);
  std::vector<uint64_t> positions;
  std::string token;
  int pages = 0;
  do {
    request.set_page_token(token);
    v1::ListHistoryResponse response;
    grpc::Status s = Query(&v1::Queries::Stub::ListHistory, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const v1::HistoryEntry& e : response.entries()) {
      positions.push_back(e.position());
      EXPECT_EQ(e.hash().size(), 64u);
      EXPECT_EQ(e.event().actor().agency_id(),
                e.event_type() == "oversight.v1.RecommendationIssued"
                    ? "opcc"
                    : "police");
    }
    EXPECT_EQ(response.reflects().position(), head);
    token = response.next_page_token();
    // A record appended between pages does not change the listing.
    if (pages == 0) {
      MustOk("police", &Stub::SubmitProgressUpdate, Update("late", 1, "Late"));
    }
    ++pages;
  } while (!token.empty());
  // Issued, then seven updates.
  EXPECT_EQ(positions.size(), 8u);
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
  EXPECT_EQ(pages, 3);

  // A token works only with the filters it was issued for.
  request.set_page_token("");
  v1::ListHistoryResponse first;
  ASSERT_TRUE(Query(&v1::Queries::Stub::ListHistory, request, &first).ok());
  v1::ListHistoryRequest other = request;
  other.set_number(2);
  other.set_page_token(first.next_page_token());
  v1::ListHistoryResponse response;
  std::string reason;
  EXPECT_EQ(Query(&v1::Queries::Stub::ListHistory, other, &response, &reason)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_PAGE_TOKEN");
}

TEST_F(QueryServiceTest, HistoryShowsCorrectionsBesideWhatTheyCorrect) {
  SetUpWorld();
  const v1::CommandResult submitted = MustOk(
      "police", &Stub::SubmitProgressUpdate, Update("u1", 1, "Original"));
  v1::WithdrawProgressUpdateRequest withdraw;
  withdraw.mutable_withdrawal()->set_review_id("r");
  withdraw.mutable_withdrawal()->set_number(1);
  withdraw.mutable_withdrawal()->set_update_id("u1");
  *withdraw.mutable_withdrawal()->mutable_reason() = Text("Sent twice");
  const v1::CommandResult withdrawn =
      MustOk("police", &Stub::WithdrawProgressUpdate, Common(withdraw, "w1"));
  v1::ListHistoryRequest request;
  request.set_agency_id("police");
  request.add_event_types("oversight.v1.ProgressUpdateSubmitted");
  request.add_event_types("oversight.v1.ProgressUpdateWithdrawn");
  request.set_min_position(withdrawn.position());
  v1::ListHistoryResponse response;
  ASSERT_TRUE(Query(&v1::Queries::Stub::ListHistory, request, &response).ok());
  ASSERT_EQ(response.entries_size(), 2);
  EXPECT_THAT(response.entries(0).corrected_by_positions(),
              ElementsAre(withdrawn.position()));
  EXPECT_EQ(response.entries(1).corrects_position(), submitted.position());
}

TEST_F(QueryServiceTest, AttentionAndPartnerView) {
  SetUpWorld();
  Rate(v1::RATING_RED, "rate-1");
  v1::RegisterProgrammeRequest programme;
  programme.mutable_programme()->set_programme_id("pilot");
  *programme.mutable_programme()->mutable_name() = Text("Pilot");
  programme.mutable_programme()->set_owning_agency_id("partner");
  programme.mutable_programme()->set_review_id("r");
  programme.mutable_programme()->set_started_on("2024-09-01");
  // The partner registers its programme (the table lets no reviewing body
  // do it directly).
  MustOk("partner", &Stub::RegisterProgramme, Common(programme, "p1"));
  v1::SubmitPartnerReportRequest report;
  report.mutable_report()->set_programme_id("pilot");
  report.mutable_report()->set_quarter("2024-Q4");
  v1::Figure* f = report.mutable_report()->add_figures();
  f->set_key("victims_supported");
  f->set_value(13);
  *f->mutable_label() = Text("Victims supported");
  const v1::CommandResult reported =
      MustOk("partner", &Stub::SubmitPartnerReport, Common(report, "q4"));

  v1::ListAttentionRequest attention;
  attention.set_review_id("r");
  attention.set_min_position(reported.position());
  v1::ListAttentionResponse items;
  ASSERT_TRUE(Query(&v1::Queries::Stub::ListAttention, attention, &items).ok());
  std::vector<std::pair<int, int>> kinds;
  for (const v1::AttentionItem& i : items.items()) {
    kinds.emplace_back(i.kind(), i.number());
  }
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre(
                         std::pair{v1::ATTENTION_KIND_UPDATE_MISSING, 1},
                         std::pair{v1::ATTENTION_KIND_RATED_RED, 1},
                         std::pair{v1::ATTENTION_KIND_UPDATE_MISSING, 2}));

  v1::GetPartnerViewRequest partner;
  partner.set_agency_id("partner");
  partner.set_min_position(reported.position());
  v1::GetPartnerViewResponse view;
  ASSERT_TRUE(Query(&v1::Queries::Stub::GetPartnerView, partner, &view).ok());
  ASSERT_EQ(view.programmes_size(), 1);
  ASSERT_EQ(view.programmes(0).quarters_size(), 1);
  EXPECT_EQ(view.programmes(0).quarters(0).figures(0).value(), 13);
}

TEST_F(QueryServiceTest, RestartResumesFromTheSnapshotAndEqualsARebuild) {
  SetUpWorld();
  for (int i = 0; i < 5; ++i) {
    MustOk("police", &Stub::SubmitProgressUpdate,
           Update(absl::StrCat("u", i), 1 + i % 2, "Before restart"));
  }
  Restart();
  EXPECT_TRUE(server_->projections()->start_info().from_snapshot);
  const v1::CommandResult after = MustOk("police", &Stub::SubmitProgressUpdate,
                                         Update("after", 2, "After"));
  const v1::GetStatusBoardResponse resumed = Board(after.position());

  server_options_.projections.rebuild = true;
  Restart();
  EXPECT_FALSE(server_->projections()->start_info().from_snapshot);
  const v1::GetStatusBoardResponse rebuilt = Board(after.position());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(resumed, rebuilt));
  EXPECT_EQ(rebuilt.rows(1).last_update_id(), "after");
}

// A snapshot older than the head (as after a crash between snapshots):
// a host resumes from it, catches up, and equals a rebuild from scratch.
TEST_F(QueryServiceTest, StaleSnapshotResumesAndEqualsARebuild) {
  SetUpWorld();
  MustOk("police", &Stub::SubmitProgressUpdate, Update("u0", 1, "First"));
  const uint64_t snapshot_at = store_->Head().position;
  for (int i = 1; i < 6; ++i) {
    MustOk("police", &Stub::SubmitProgressUpdate,
           Update(absl::StrCat("u", i), 1 + i % 2, "Later"));
  }
  Rate(v1::RATING_GREEN, "rate-1");

  // The state as it stood at `snapshot_at`, saved as the snapshot.
  v1::ProjectionState at_snapshot;
  auto read =
      store_->ReadAll(1, eventstore::Direction::kForwards, snapshot_at, {});
  ASSERT_TRUE(read.ok()) << read.status();
  for (const auto& r : read->events) {
    if (auto e = projections::ToDomainEvent(r)) {
      projections::Apply(*e, &at_snapshot);
    }
  }
  ASSERT_EQ(at_snapshot.position(), snapshot_at);
  ASSERT_TRUE(store_
                  ->PutSnapshot(kReadModelSnapshotName,
                                {snapshot_at, projections::kReadModelVersion,
                                 at_snapshot.SerializeAsString()})
                  .ok());
  auto resumed = ProjectionHost::Start(store_.get(), store_.get(), {});
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_TRUE((*resumed)->start_info().from_snapshot);
  EXPECT_EQ((*resumed)->start_info().snapshot_position, snapshot_at);
  EXPECT_EQ((*resumed)->start_info().events_applied,
            store_->Head().position - snapshot_at);

  ProjectionHost::Options rebuild;
  rebuild.rebuild = true;
  auto fresh = ProjectionHost::Start(store_.get(), store_.get(), rebuild);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  std::string a, b;
  (*resumed)->Read(
      [&](const v1::ProjectionState& s) { a = s.SerializeAsString(); });
  (*fresh)->Read(
      [&](const v1::ProjectionState& s) { b = s.SerializeAsString(); });
  v1::ProjectionState resumed_state, rebuilt_state;
  ASSERT_TRUE(resumed_state.ParseFromString(a));
  ASSERT_TRUE(rebuilt_state.ParseFromString(b));
  EXPECT_EQ(rebuilt_state.position(), store_->Head().position);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      resumed_state, rebuilt_state));
}

TEST_F(QueryServiceTest, SnapshotOfAnotherVersionIsRebuilt) {
  SetUpWorld();
  ASSERT_TRUE(store_
                  ->PutSnapshot(kReadModelSnapshotName,
                                {store_->Head().position,
                                 projections::kReadModelVersion + 1, "junk"})
                  .ok());
  auto host = ProjectionHost::Start(store_.get(), store_.get(), {});
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_FALSE((*host)->start_info().from_snapshot);
  EXPECT_THAT((*host)->start_info().why_rebuilt,
              ::testing::HasSubstr("version"));
  EXPECT_EQ((*host)->position(), store_->Head().position);
  (*host)->Read([](const v1::ProjectionState& s) {
    EXPECT_EQ(s.reviews().at("r").recommendations_size(), 2);
  });
}

}  // namespace
}  // namespace oversight::services
