// Queries.FollowHistory over gRPC: ListHistory's entries, the history
// already recorded first, then each new one live; resumed after a saved
// position; `caught_up_to` moving on with events the follower does not
// follow; ListHistory's filters, validation and need-to-know; sensitive
// content recorded in the access log before it is sent, and nothing sent
// when it cannot be; cancel, deadline and shutdown end it; and followers
// waiting for news hold no server thread. Every wait is bounded by its
// call's deadline.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "services/authorization.h"
#include "services/query_service.h"
#include "tests/services/command_fixture.h"
#include "tests/testing/forwarding_log.h"

namespace oversight::services {
namespace {

using ::testing::ElementsAreArray;

constexpr char kVictim[] = "UPDATE-NAMES-A-VICTIM";
constexpr char kJustification[] = "Complaint 2025/17: review of case handling";
constexpr char kUpdateType[] = "oversight.v1.ProgressUpdateSubmitted";

// One follow: its context (as `agency`, with RoleOf's role) and stream.
struct Follow {
  std::unique_ptr<grpc::ClientContext> ctx;
  std::unique_ptr<grpc::ClientReader<v1::FollowHistoryResponse>> reader;
};

class FollowHistoryTest : public CommandTest {
 protected:
  void SetUp() override {
    serve_queries_ = true;
    CommandTest::SetUp();
    queries_ = v1::Queries::NewStub(channel_);
    SetUpWorld();
    MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
           RegisterAgency("auditor", v1::AGENCY_KIND_AUDITOR));
  }

  void Restart(eventstore::EventLog* log) {
    StopServer();
    ServerOptions options = server_options_;
    options.listen = "127.0.0.1:0";
    options.snapshots = store_.get();
    auto server = OversightServer::Start(options, log);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::EventStore::NewStub(channel_);
    commands_ = v1::Commands::NewStub(channel_);
    queries_ = v1::Queries::NewStub(channel_);
  }

  Follow Start(const std::string& agency, const v1::FollowHistoryRequest& r,
               bool justified = false,
               absl::Duration timeout = absl::Seconds(30)) {
    Follow f;
    f.ctx = RoleContext(agency, RoleOf(agency), timeout);
    if (justified)
      f.ctx->AddMetadata("oversight-justification", kJustification);
    f.reader = queries_->FollowHistory(f.ctx.get(), r);
    return f;
  }

  static v1::FollowHistoryRequest OfReview(uint64_t after = 0) {
    v1::FollowHistoryRequest r;
    r.set_review_id("r");
    r.set_after_position(after);
    return r;
  }

  // The messages up to and including the first without entries (the
  // follow caught up). Fails when the stream ends first.
  static std::vector<v1::FollowHistoryResponse> UntilCaughtUp(Follow& f) {
    std::vector<v1::FollowHistoryResponse> out;
    v1::FollowHistoryResponse m;
    while (f.reader->Read(&m)) {
      out.push_back(m);
      if (m.entries().empty()) return out;
    }
    ADD_FAILURE() << "the stream ended before it caught up";
    return out;
  }

  // Reads until a message carries an entry (or caught_up_to reaches
  // `position`, when given); that message, or an empty one at the end.
  static v1::FollowHistoryResponse NextWith(Follow& f, uint64_t position = 0) {
    v1::FollowHistoryResponse m;
    while (f.reader->Read(&m)) {
      if (!m.entries().empty()) return m;
      if (position != 0 && m.caught_up_to() >= position) return m;
    }
    ADD_FAILURE() << "the stream ended";
    return v1::FollowHistoryResponse();
  }

  static std::vector<uint64_t> Positions(
      const std::vector<v1::FollowHistoryResponse>& messages) {
    std::vector<uint64_t> out;
    for (const auto& m : messages) {
      for (const v1::HistoryEntry& e : m.entries()) out.push_back(e.position());
    }
    return out;
  }

  // ListHistory's positions for the same filters, as `agency`.
  std::vector<uint64_t> Listed(const v1::ListHistoryRequest& request,
                               const std::string& agency = "opcc") {
    auto ctx = As(agency);
    v1::ListHistoryRequest r = request;
    r.set_page_size(500);
    r.set_min_position(store_->Head().position);
    v1::ListHistoryResponse response;
    grpc::Status s = queries_->ListHistory(ctx.get(), r, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<uint64_t> out;
    for (const auto& e : response.entries()) out.push_back(e.position());
    return out;
  }

  static grpc::Status Cancel(Follow& f) {
    f.ctx->TryCancel();
    v1::FollowHistoryResponse m;
    while (f.reader->Read(&m)) {
    }
    return f.reader->Finish();
  }

  uint64_t SubmitUpdate(const std::string& id, int32_t number,
                        v1::Classification c = v1::CLASSIFICATION_OFFICIAL,
                        const std::string& text = "Done") {
    v1::SubmitProgressUpdateRequest u = Update(id, number, text);
    u.set_classification(c);
    return MustOk("police", &v1::Commands::Stub::SubmitProgressUpdate, u)
        .position();
  }

  std::unique_ptr<v1::Queries::Stub> queries_;
};

TEST_F(FollowHistoryTest, SendsTheHistoryThenWhatIsRecordedLive) {
  v1::ListHistoryRequest list;
  list.set_review_id("r");
  const std::vector<uint64_t> history = Listed(list);
  ASSERT_FALSE(history.empty());
  Follow f = Start("opcc", OfReview());
  const auto messages = UntilCaughtUp(f);
  EXPECT_THAT(Positions(messages), ElementsAreArray(history));
  ASSERT_FALSE(messages.empty());
  EXPECT_GE(messages.back().caught_up_to(), history.back());

  const uint64_t live = SubmitUpdate("live-1", 1);
  const v1::FollowHistoryResponse m = NextWith(f);
  ASSERT_EQ(m.entries_size(), 1);
  EXPECT_EQ(m.entries(0).position(), live);
  EXPECT_EQ(m.entries(0).event_type(), kUpdateType);
  EXPECT_TRUE(m.entries(0).event().has_progress_update_submitted());
  EXPECT_GE(m.caught_up_to(), live);
  EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(FollowHistoryTest, ResumesAfterASavedPosition) {
  v1::ListHistoryRequest list;
  list.set_review_id("r");
  const std::vector<uint64_t> history = Listed(list);
  ASSERT_GE(history.size(), 3u);
  Follow f = Start("police", OfReview(history[1]));
  EXPECT_THAT(Positions(UntilCaughtUp(f)),
              ElementsAreArray(history.begin() + 2, history.end()));
  EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);

  // Resumed at the head: nothing before it, only what comes next.
  Follow g = Start("police", OfReview(store_->Head().position));
  EXPECT_TRUE(Positions(UntilCaughtUp(g)).empty());
  const uint64_t live = SubmitUpdate("live-2", 2);
  const v1::FollowHistoryResponse m = NextWith(g);
  ASSERT_EQ(m.entries_size(), 1);
  EXPECT_EQ(m.entries(0).position(), live);
  EXPECT_EQ(Cancel(g).error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(FollowHistoryTest, CaughtUpToMovesOnWithEventsNotFollowed) {
  v1::FollowHistoryRequest r = OfReview();
  r.set_number(2);
  Follow f = Start("police", r);
  UntilCaughtUp(f);
  // Recommendation 1's update and another agency: not followed.
  const uint64_t other = SubmitUpdate("other", 1);
  const uint64_t agency =
      MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
             RegisterAgency("newcomer", v1::AGENCY_KIND_PARTNER))
          .position();
  ASSERT_GT(agency, other);
  const v1::FollowHistoryResponse m = NextWith(f, agency);
  EXPECT_TRUE(m.entries().empty());
  EXPECT_GE(m.caught_up_to(), agency);
  // A client resuming from there misses nothing it follows.
  const uint64_t mine = SubmitUpdate("mine", 2);
  const v1::FollowHistoryResponse n = NextWith(f);
  ASSERT_EQ(n.entries_size(), 1);
  EXPECT_EQ(n.entries(0).position(), mine);
  EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(FollowHistoryTest, FiltersAsListHistoryDoes) {
  SubmitUpdate("before", 1);
  v1::FollowHistoryRequest r = OfReview();
  r.add_event_types(kUpdateType);
  v1::ListHistoryRequest list;
  list.set_review_id("r");
  list.add_event_types(kUpdateType);
  const std::vector<uint64_t> listed = Listed(list, "police");
  ASSERT_EQ(listed.size(), 1u);
  Follow f = Start("police", r);
  EXPECT_THAT(Positions(UntilCaughtUp(f)), ElementsAreArray(listed));
  // A rating is not an update; the update after it is.
  v1::AssignRatingRequest rate;
  rate.mutable_rating()->set_review_id("r");
  rate.mutable_rating()->set_number(1);
  rate.mutable_rating()->set_period("2025-01");
  rate.mutable_rating()->set_rating(v1::RATING_GREEN);
  *rate.mutable_rating()->mutable_rationale() = Text("Because");
  MustOk("opcc", &v1::Commands::Stub::AssignRating, Common(rate, "rate"));
  const uint64_t update = SubmitUpdate("after", 2);
  const v1::FollowHistoryResponse m = NextWith(f);
  ASSERT_EQ(m.entries_size(), 1);
  EXPECT_EQ(m.entries(0).position(), update);
  EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);

  // By agency: the partner's own history only.
  v1::FollowHistoryRequest by_agency;
  by_agency.set_agency_id("partner");
  v1::ListHistoryRequest list_agency;
  list_agency.set_agency_id("partner");
  Follow g = Start("partner", by_agency);
  EXPECT_THAT(Positions(UntilCaughtUp(g)),
              ElementsAreArray(Listed(list_agency, "partner")));
  EXPECT_EQ(Cancel(g).error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(FollowHistoryTest, WithholdsWhatTheReaderMayNotRead) {
  const uint64_t sensitive =
      SubmitUpdate("victim", 1, v1::CLASSIFICATION_OFFICIAL_SENSITIVE, kVictim);
  // The partner, and the reviewing body without a justification: in its
  // place, withheld; nothing recorded in the access log.
  for (const auto& [agency, justified] :
       {std::pair<std::string, bool>{"partner", true}, {"opcc", false}}) {
    SCOPED_TRACE(agency);
    const uint64_t head = store_->Head().position;
    Follow f = Start(agency, OfReview(), justified);
    const auto messages = UntilCaughtUp(f);
    int withheld = 0;
    uint32_t counted = 0;
    for (const auto& m : messages) {
      EXPECT_FALSE(absl::StrContains(m.SerializeAsString(), kVictim));
      EXPECT_EQ(m.access_recorded_position(), 0u);
      counted += m.withheld();
      for (const auto& e : m.entries()) {
        if (e.withheld()) {
          ++withheld;
          EXPECT_EQ(e.position(), sensitive);
          EXPECT_TRUE(e.event_type().empty());
        }
      }
    }
    EXPECT_EQ(withheld, 1);
    EXPECT_EQ(counted, 1u);
    EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);
    EXPECT_EQ(store_->Head().position, head) << "recorded an access";
  }
}

TEST_F(FollowHistoryTest, RecordsSensitiveContentBeforeSendingIt) {
  const uint64_t sensitive =
      SubmitUpdate("victim", 1, v1::CLASSIFICATION_OFFICIAL_SENSITIVE, kVictim);
  Follow f = Start("opcc", OfReview(), /*justified=*/true);
  uint64_t recorded = 0;
  for (const auto& m : UntilCaughtUp(f)) {
    if (absl::StrContains(m.SerializeAsString(), kVictim)) {
      recorded = m.access_recorded_position();
    } else {
      EXPECT_EQ(m.access_recorded_position(), 0u);
    }
  }
  ASSERT_GT(recorded, sensitive);
  // Sent, so already in the log: the access, its method and what it read.
  auto check = [&](uint64_t at, uint64_t read) {
    auto ctx = As("auditor");
    v1::ReadAllRequest r;
    r.set_from_position(at);
    r.set_max_count(1);
    v1::ReadAllResponse response;
    ASSERT_TRUE(stub_->ReadAll(ctx.get(), r, &response).ok());
    ASSERT_EQ(response.events_size(), 1);
    EXPECT_EQ(response.events(0).stream(), "access-log");
    v1::DomainEvent access;
    ASSERT_TRUE(access.ParseFromString(response.events(0).data()));
    EXPECT_EQ(access.access_recorded().method(),
              "/oversight.v1.Queries/FollowHistory");
    EXPECT_THAT(access.access_recorded().positions(),
                ::testing::Contains(read));
    EXPECT_EQ(access.access_recorded().justification(), kJustification);
  };
  check(recorded, sensitive);
  // Live, likewise.
  const uint64_t live = SubmitUpdate(
      "victim-2", 2, v1::CLASSIFICATION_OFFICIAL_SENSITIVE, kVictim);
  const v1::FollowHistoryResponse m = NextWith(f);
  ASSERT_EQ(m.entries_size(), 1);
  EXPECT_EQ(m.entries(0).position(), live);
  EXPECT_FALSE(m.entries(0).withheld());
  ASSERT_GT(m.access_recorded_position(), live);
  check(m.access_recorded_position(), live);
  EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);
}

// A log whose appends to the access log fail.
class NoAccessLog final : public testing::ForwardingLog {
 public:
  using ForwardingLog::ForwardingLog;
  void AppendAsync(std::string stream, eventstore::ExpectedRevision expected,
                   std::vector<eventstore::ProposedEvent> events,
                   AppendCallback done) override {
    if (stream == "access-log") {
      std::move(done)(absl::UnavailableError("the disk is full"));
      return;
    }
    ForwardingLog::AppendAsync(std::move(stream), expected, std::move(events),
                               std::move(done));
  }
};

TEST_F(FollowHistoryTest, SendsNothingSensitiveWhenItCannotBeRecorded) {
  NoAccessLog log(store_.get());
  ASSERT_NO_FATAL_FAILURE(Restart(&log));
  SubmitUpdate("victim", 1, v1::CLASSIFICATION_OFFICIAL_SENSITIVE, kVictim);
  auto ends_unavailable = [&](Follow& f) {
    std::string bytes;
    v1::FollowHistoryResponse m;
    while (f.reader->Read(&m)) bytes += m.SerializeAsString();
    EXPECT_EQ(f.reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_FALSE(absl::StrContains(bytes, kVictim));
  };
  // In the history.
  Follow f = Start("opcc", OfReview(), /*justified=*/true);
  ends_unavailable(f);
  // Live: the history had none; the stream ends at the first.
  Follow g = Start("opcc", OfReview(store_->Head().position), true);
  UntilCaughtUp(g);
  SubmitUpdate("victim-2", 2, v1::CLASSIFICATION_OFFICIAL_SENSITIVE, kVictim);
  ends_unavailable(g);
  // Unentitled, it is withheld, and the follow goes on.
  Follow h = Start("partner", OfReview());
  UntilCaughtUp(h);
  EXPECT_EQ(Cancel(h).error_code(), grpc::StatusCode::CANCELLED);
  StopServer();  // before `log` goes
}

TEST_F(FollowHistoryTest, CancelDeadlineAndShutdownEndIt) {
  Follow f = Start("police", OfReview());
  UntilCaughtUp(f);
  EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);

  Follow g = Start("police", OfReview(), false, absl::Seconds(5));
  UntilCaughtUp(g);
  v1::FollowHistoryResponse m;
  while (g.reader->Read(&m)) {
  }
  EXPECT_EQ(g.reader->Finish().error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);

  // Shutdown ends a waiting follower at once, UNAVAILABLE, as the proto
  // promises, rather than cancelling it when the grace period ends.
  Follow h = Start("police", OfReview());
  UntilCaughtUp(h);
  StopServer();
  while (h.reader->Read(&m)) {
  }
  EXPECT_EQ(h.reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  // Ended by the server, saying why (a call cancelled at the end of the
  // grace period carries no reason).
  EXPECT_EQ(Trailer(*h.ctx, "oversight-reason"), "STORE_CLOSED");
}

TEST_F(FollowHistoryTest, RefusesBadInputAsListHistoryDoes) {
  struct Case {
    std::string name;
    std::function<void(v1::FollowHistoryRequest*)> follow;
    std::function<void(v1::ListHistoryRequest*)> list;
  };
  const std::vector<Case> cases = {
      {"number without review", [](auto* r) { r->set_number(1); },
       [](auto* r) { r->set_number(1); }},
      {"bad review id", [](auto* r) { r->set_review_id("R R"); },
       [](auto* r) { r->set_review_id("R R"); }},
      {"bad number",
       [](auto* r) {
         r->set_review_id("r");
         r->set_number(-1);
       },
       [](auto* r) {
         r->set_review_id("r");
         r->set_number(-1);
       }},
      {"person without agency", [](auto* r) { r->set_person("someone"); },
       [](auto* r) { r->set_person("someone"); }},
      {"empty event type", [](auto* r) { r->add_event_types(""); },
       [](auto* r) { r->add_event_types(""); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::ListHistoryRequest list;
    c.list(&list);
    auto list_ctx = As("police");
    v1::ListHistoryResponse listed;
    const grpc::Status expected =
        queries_->ListHistory(list_ctx.get(), list, &listed);
    ASSERT_EQ(expected.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    v1::FollowHistoryRequest r;
    c.follow(&r);
    Follow f = Start("police", r);
    v1::FollowHistoryResponse m;
    EXPECT_FALSE(f.reader->Read(&m));
    const grpc::Status s = f.reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(Trailer(*f.ctx, "oversight-reason"),
              Trailer(*list_ctx, "oversight-reason"));
    EXPECT_FALSE(Trailer(*f.ctx, "oversight-reason").empty());
  }
  // A position this log never reached.
  Follow f = Start("police", OfReview(store_->Head().position + 1000));
  v1::FollowHistoryResponse m;
  EXPECT_FALSE(f.reader->Read(&m));
  EXPECT_EQ(f.reader->Finish().error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*f.ctx, "oversight-reason"), kReasonAfterPositionInFuture);
  // The panel may not follow.
  Follow p = Start("panel", OfReview());
  EXPECT_FALSE(p.reader->Read(&m));
  EXPECT_EQ(p.reader->Finish().error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trailer(*p.ctx, "oversight-reason"), kReasonRoleNotAllowed);
}

TEST_F(FollowHistoryTest, IdleFollowersHoldNoThread) {
  // Far more followers than the server's executor has threads.
  constexpr int kFollowers = 50;
  std::vector<Follow> follows;
  for (int i = 0; i < kFollowers; ++i) {
    follows.push_back(Start(i % 2 == 0 ? "police" : "partner", OfReview()));
  }
  for (Follow& f : follows) UntilCaughtUp(f);
  // All waiting; a query is still answered.
  auto ctx = As("opcc");
  v1::GetStatusBoardRequest board;
  board.set_review_id("r");
  v1::GetStatusBoardResponse response;
  grpc::Status s = queries_->GetStatusBoard(ctx.get(), board, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.rows_size(), 2);
  // And each follower gets the next entry.
  const uint64_t live = SubmitUpdate("to-all", 1);
  for (Follow& f : follows) {
    const v1::FollowHistoryResponse m = NextWith(f);
    ASSERT_EQ(m.entries_size(), 1);
    EXPECT_EQ(m.entries(0).position(), live);
  }
  for (Follow& f : follows) {
    EXPECT_EQ(Cancel(f).error_code(), grpc::StatusCode::CANCELLED);
  }
}

}  // namespace
}  // namespace oversight::services
