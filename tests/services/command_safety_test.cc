// What keeps the command path honest: the raw log API cannot write the
// domain's streams or take a command's id, unknown fields never reach the
// log, and commands on one review are decided one at a time, so a rule
// that reads one stream and writes another cannot be raced.

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "gmock/gmock.h"
#include "oversight/v1/domain.pb.h"
#include "services/command_service.h"
#include "tests/services/command_fixture.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;
using Stub = v1::Commands::Stub;

class CommandSafetyTest : public CommandTest {};

TEST_F(CommandSafetyTest, RawAppendsCannotWriteDomainStreams) {
  for (const char* stream :
       {"agencies", "review-r", "recommendation-r-1", "programme-p",
        "access-log"}) {
    auto ctx = Context();
    v1::AppendResponse response;
    grpc::Status s = stub_->Append(ctx.get(), AppendOne(stream), &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << stream;
    EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "DOMAIN_STREAM") << stream;
  }
  // Through AppendStream too.
  auto ctx = Context();
  auto stream = stub_->AppendStream(ctx.get());
  v1::AppendStreamRequest request;
  request.set_correlation_id(7);
  *request.mutable_append() = AppendOne("review-r");
  ASSERT_TRUE(stream->Write(request));
  v1::AppendStreamResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.error().reason(), "DOMAIN_STREAM");
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(store_->Head().position, 0u);
}

TEST_F(CommandSafetyTest, RawAppendsCannotTakeACommandsEventId) {
  v1::AppendRequest request = AppendOne("notes-1");
  request.mutable_events(0)->set_event_id(
      CommandService::CommandEventId("police", "u1").ToString());
  auto ctx = Context();
  v1::AppendResponse response;
  grpc::Status s = stub_->Append(ctx.get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "RESERVED_EVENT_ID");
  EXPECT_EQ(store_->Head().position, 0u);
}

TEST_F(CommandSafetyTest, ForeignEventUnderACommandsIdIsNotTakenForIt) {
  SetUpWorld();
  // Written past the API, straight into the log.
  es::ProposedEvent e;
  e.id = CommandService::CommandEventId("police", "u1");
  e.type = "test.Other";
  e.data = "not a domain event";
  ASSERT_TRUE(store_->Append("notes-1", es::ExpectedRevision::Any(), {e}).ok());
  v1::SubmitProgressUpdateResponse response;
  std::string reason;
  grpc::Status s = Send("police", &Stub::SubmitProgressUpdate,
                        Update("u1", 1, "Mine"), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(reason, "CORRUPT_DOMAIN_EVENT");
}

TEST_F(CommandSafetyTest, UnknownFieldsNeverReachTheLog) {
  SetUpWorld();
  v1::SubmitProgressUpdateRequest request = Update("u1", 1, "Known");
  v1::ProgressUpdateSubmitted* update = request.mutable_update();
  update->GetReflection()->MutableUnknownFields(update)->AddLengthDelimited(
      999, std::string(1000, 'z'));
  request.GetReflection()->MutableUnknownFields(&request)->AddVarint(998, 1);
  const v1::CommandResult result =
      MustOk("police", &Stub::SubmitProgressUpdate, request);
  absl::StatusOr<es::ReadResult> read = store_->ReadStream(
      "recommendation-r-1", result.revision(), es::Direction::kForwards, 1);
  ASSERT_TRUE(read.ok()) << read.status();
  v1::DomainEvent event;
  ASSERT_TRUE(event.ParseFromString(read->events[0].data));
  EXPECT_EQ(event.progress_update_submitted().bullets(0).text().en(), "Known");
  EXPECT_EQ(event.progress_update_submitted()
                .GetReflection()
                ->GetUnknownFields(event.progress_update_submitted())
                .field_count(),
            0);
  EXPECT_EQ(read->events[0].data.find(std::string(100, 'z')),
            std::string::npos);
}

// Many updates race the closing of their period. Every update the log
// holds must come before the close: none may land in a closed period.
TEST_F(CommandSafetyTest, UpdatesCannotLandAfterTheirPeriodCloses) {
  SetUpWorld();
  constexpr int kWriters = 6;
  constexpr int kUpdatesEach = 5;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([this, w] {
      for (int i = 0; i < kUpdatesEach; ++i) {
        v1::SubmitProgressUpdateResponse response;
        // Refusals (PERIOD_NOT_OPEN) are expected once the period closes.
        Send("police", &Stub::SubmitProgressUpdate,
             Update(absl::StrCat("w", w, "-", i), 1 + (i % 2), "Racing"),
             &response);
      }
    });
  }
  v1::CloseReportingPeriodRequest close;
  close.mutable_period()->set_review_id("r");
  close.mutable_period()->set_period("2025-01");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const v1::CommandResult closed =
      MustOk("opcc", &Stub::CloseReportingPeriod, Common(close, "close"));
  for (std::thread& t : threads) t.join();

  int before = 0;
  for (const char* stream : {"recommendation-r-1", "recommendation-r-2"}) {
    absl::StatusOr<es::ReadResult> read =
        store_->ReadStream(stream, 0, es::Direction::kForwards, 1000);
    ASSERT_TRUE(read.ok()) << read.status();
    for (const es::RecordedEvent& e : read->events) {
      if (e.type != "oversight.v1.ProgressUpdateSubmitted") continue;
      EXPECT_LT(e.position, closed.position()) << stream;
      ++before;
    }
  }
  // The check above means something only if some updates got in first.
  EXPECT_GT(before, 0);
}

}  // namespace
}  // namespace oversight::services
