// oversight.v1.EventStore/Subscribe end to end: history, the caught-up
// marker, live events, resumption, concurrency and cancellation.

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "tests/services/service_fixture.h"

namespace oversight::services {
namespace {

class SubscribeServiceTest : public ServiceTest {
 protected:
  struct Received {
    std::vector<uint64_t> positions;
    std::vector<uint64_t> caught_up_heads;
  };

  // Reads from `reader` until `count` events arrived (or the stream ends).
  static Received ReadEvents(grpc::ClientReader<v1::SubscribeResponse>* reader,
                             size_t count) {
    Received r;
    v1::SubscribeResponse message;
    while (r.positions.size() < count && reader->Read(&message)) {
      if (message.has_event()) {
        r.positions.push_back(message.event().position());
      } else if (message.has_caught_up()) {
        r.caught_up_heads.push_back(message.caught_up().head_position());
      }
    }
    return r;
  }

  static std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
    std::vector<uint64_t> v;
    for (uint64_t p = first; p <= last; ++p) v.push_back(p);
    return v;
  }
};

TEST_F(SubscribeServiceTest, DeliversHistoryThenCaughtUpThenLive) {
  for (int i = 0; i < 5; ++i) MustAppend(AppendOne("s"));
  auto ctx = Context();
  v1::SubscribeRequest request;
  request.set_from_position(1);
  auto reader = stub_->Subscribe(ctx.get(), request);

  v1::SubscribeResponse message;
  for (uint64_t p = 1; p <= 5; ++p) {
    ASSERT_TRUE(reader->Read(&message));
    ASSERT_TRUE(message.has_event());
    EXPECT_EQ(message.event().position(), p);
  }
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(message.has_caught_up());
  EXPECT_EQ(message.caught_up().head_position(), 5u);

  MustAppend(AppendOne("live"));
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(message.has_event());
  EXPECT_EQ(message.event().position(), 6u);
  EXPECT_EQ(message.event().stream(), "live");
  ctx->TryCancel();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(SubscribeServiceTest, FromEndDeliversOnlyNewEvents) {
  for (int i = 0; i < 3; ++i) MustAppend(AppendOne("old"));
  auto ctx = Context();
  v1::SubscribeRequest request;
  request.set_from_end(true);
  auto reader = stub_->Subscribe(ctx.get(), request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(message.has_caught_up());
  EXPECT_EQ(message.caught_up().head_position(), 3u);
  MustAppend(AppendOne("new"));
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.event().position(), 4u);
  ctx->TryCancel();
}

TEST_F(SubscribeServiceTest, NoGapOrDuplicateUnderConcurrentAppends) {
  for (int i = 0; i < 200; ++i) MustAppend(AppendOne("before"));
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 150;
  const size_t total = 200 + kWriters * kPerWriter;

  auto ctx = Context(absl::Seconds(60));
  v1::SubscribeRequest request;
  request.set_from_position(1);
  auto reader = stub_->Subscribe(ctx.get(), request);

  // Writers start while the subscriber is still reading history.
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        MustAppend(AppendOne(absl::StrCat("writer-", w)));
      }
    });
  }
  Received got = ReadEvents(reader.get(), total);
  for (auto& t : writers) t.join();
  EXPECT_EQ(got.positions, Range(1, total));
  EXPECT_GE(got.caught_up_heads.size(), 1u);
  ctx->TryCancel();
}

TEST_F(SubscribeServiceTest, ResumesFromLastSeenPosition) {
  for (int i = 0; i < 10; ++i) MustAppend(AppendOne("s"));
  uint64_t last_seen = 0;
  {
    auto ctx = Context();
    v1::SubscribeRequest request;
    request.set_from_position(1);
    auto reader = stub_->Subscribe(ctx.get(), request);
    Received got = ReadEvents(reader.get(), 4);
    ASSERT_EQ(got.positions, Range(1, 4));
    last_seen = got.positions.back();
    ctx->TryCancel();
  }
  for (int i = 0; i < 3; ++i) MustAppend(AppendOne("s"));
  auto ctx = Context();
  v1::SubscribeRequest request;
  request.set_from_position(last_seen + 1);
  auto reader = stub_->Subscribe(ctx.get(), request);
  Received got = ReadEvents(reader.get(), 9);
  EXPECT_EQ(got.positions, Range(5, 13));
  ctx->TryCancel();
}

TEST_F(SubscribeServiceTest, FromPastTheHeadReportsTheRealHead) {
  for (int i = 0; i < 3; ++i) MustAppend(AppendOne("s"));
  auto ctx = Context();
  v1::SubscribeRequest request;
  request.set_from_position(10);
  auto reader = stub_->Subscribe(ctx.get(), request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(message.has_caught_up());
  EXPECT_EQ(message.caught_up().head_position(), 3u);
  ctx->TryCancel();
}

TEST_F(SubscribeServiceTest, OversizedFilterIsInvalidArgument) {
  auto ctx = Context();
  v1::SubscribeRequest request;
  for (int i = 0; i < 65; ++i) {
    request.mutable_filter()->add_event_types(absl::StrCat("t", i));
  }
  auto reader = stub_->Subscribe(ctx.get(), request);
  v1::SubscribeResponse message;
  EXPECT_FALSE(reader->Read(&message));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "INVALID_FILTER");
}

TEST_F(SubscribeServiceTest, TooManyEventsPerResponseIsInvalidArgument) {
  auto ctx = Context();
  v1::SubscribeRequest request;
  request.set_max_events_per_response(1001);
  auto reader = stub_->Subscribe(ctx.get(), request);
  v1::SubscribeResponse message;
  EXPECT_FALSE(reader->Read(&message));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "INVALID_ARGUMENT");
}

// With max_events_per_response, events come several to a response, in
// `events` only, never more than asked, in order and without gap, across
// the history, the caught-up marker and live appends.
TEST_F(SubscribeServiceTest, BatchedResponsesCarryEveryEventInOrder) {
  constexpr int kHistory = 300;  // more than one poll of the subscription
  constexpr int kLive = 200;
  constexpr int kPerResponse = 40;
  for (int i = 0; i < kHistory; ++i) MustAppend(AppendOne("before"));
  auto ctx = Context(absl::Seconds(60));
  v1::SubscribeRequest request;
  request.set_from_position(1);
  request.set_max_events_per_response(kPerResponse);
  auto reader = stub_->Subscribe(ctx.get(), request);

  std::thread writer([&] {
    for (int i = 0; i < kLive; ++i) MustAppend(AppendOne("live"));
  });
  std::vector<uint64_t> positions;
  size_t caught_up = 0, multi = 0;
  v1::SubscribeResponse message;
  while (positions.size() < size_t{kHistory + kLive} &&
         reader->Read(&message)) {
    EXPECT_FALSE(message.has_event());
    if (message.has_caught_up()) {
      EXPECT_EQ(message.events_size(), 0);
      ++caught_up;
      continue;
    }
    ASSERT_GE(message.events_size(), 1);
    EXPECT_LE(message.events_size(), kPerResponse);
    if (message.events_size() > 1) ++multi;
    for (const v1::RecordedEvent& e : message.events()) {
      positions.push_back(e.position());
    }
  }
  writer.join();
  EXPECT_EQ(positions, Range(1, kHistory + kLive));
  EXPECT_GE(caught_up, 1u);
  // The history alone fills responses to the limit.
  EXPECT_GE(multi, size_t{kHistory / kPerResponse});
  ctx->TryCancel();
}

TEST_F(SubscribeServiceTest, FilteredSubscriptionSkipsOtherStreams) {
  MustAppend(AppendOne("notes-1"));
  MustAppend(AppendOne("tasks-1"));
  auto ctx = Context();
  v1::SubscribeRequest request;
  request.set_from_position(1);
  request.mutable_filter()->set_stream_prefix("tasks-");
  auto reader = stub_->Subscribe(ctx.get(), request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.event().stream(), "tasks-1");
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(message.has_caught_up());
  EXPECT_EQ(message.caught_up().head_position(), 2u);
  MustAppend(AppendOne("notes-1"));
  MustAppend(AppendOne("tasks-2"));
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.event().stream(), "tasks-2");
  EXPECT_EQ(message.event().position(), 4u);
  ctx->TryCancel();
}

TEST_F(SubscribeServiceTest, ManySubscribersEachSeeEveryEvent) {
  constexpr int kSubscribers = 20;
  constexpr int kEvents = 100;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>>>
      readers;
  for (int i = 0; i < kSubscribers; ++i) {
    contexts.push_back(Context(absl::Seconds(60)));
    v1::SubscribeRequest request;
    request.set_from_position(1);
    readers.push_back(stub_->Subscribe(contexts.back().get(), request));
  }
  std::thread writer([&] {
    for (int i = 0; i < kEvents; ++i) MustAppend(AppendOne("s"));
  });
  for (int i = 0; i < kSubscribers; ++i) {
    Received got = ReadEvents(readers[i].get(), kEvents);
    EXPECT_EQ(got.positions, Range(1, kEvents)) << "subscriber " << i;
  }
  writer.join();
  for (auto& c : contexts) c->TryCancel();
}

TEST_F(SubscribeServiceTest, ShutdownEndsOpenSubscriptions) {
  MustAppend(AppendOne("s"));
  auto ctx = Context();
  v1::SubscribeRequest request;
  request.set_from_position(1);
  auto reader = stub_->Subscribe(ctx.get(), request);
  Received got = ReadEvents(reader.get(), 1);
  ASSERT_EQ(got.positions, Range(1, 1));

  absl::Notification shut;
  std::thread stopper([&] {
    server_->Shutdown(absl::Milliseconds(100));
    shut.Notify();
  });
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
  }
  grpc::Status s = reader->Finish();
  EXPECT_FALSE(s.ok());
  stopper.join();
  EXPECT_TRUE(shut.HasBeenNotified());
}

}  // namespace
}  // namespace oversight::services
