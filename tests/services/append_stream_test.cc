// oversight.v1.EventStore/AppendStream end to end: many appends on one
// stream, per-append errors that do not end the stream, half-close, cancel
// and flow control.

#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/append_stream_reactor.h"
#include "tests/services/service_fixture.h"

namespace oversight::services {
namespace {

class AppendStreamTest : public ServiceTest {
 protected:
  static v1::AppendStreamRequest Request(uint64_t id, v1::AppendRequest a) {
    v1::AppendStreamRequest r;
    r.set_correlation_id(id);
    *r.mutable_append() = std::move(a);
    return r;
  }

  // Reads responses until `n` arrived, keyed by correlation id.
  static absl::flat_hash_map<uint64_t, v1::AppendStreamResponse> ReadN(
      grpc::ClientReaderWriter<v1::AppendStreamRequest,
                               v1::AppendStreamResponse>* stream,
      size_t n) {
    absl::flat_hash_map<uint64_t, v1::AppendStreamResponse> out;
    v1::AppendStreamResponse r;
    while (out.size() < n && stream->Read(&r)) out[r.correlation_id()] = r;
    return out;
  }
};

TEST_F(AppendStreamTest, AnswersEveryAppendWithItsCorrelationId) {
  auto ctx = Context();
  auto stream = stub_->AppendStream(ctx.get());
  constexpr int kAppends = 50;
  for (int i = 0; i < kAppends; ++i) {
    ASSERT_TRUE(
        stream->Write(Request(1000 + i, AppendOne(absl::StrCat("s-", i % 5)))));
  }
  ASSERT_TRUE(stream->WritesDone());
  auto answers = ReadN(stream.get(), kAppends);
  ASSERT_EQ(answers.size(), size_t{kAppends});
  absl::flat_hash_set<uint64_t> positions;
  for (int i = 0; i < kAppends; ++i) {
    const v1::AppendStreamResponse& r = answers[1000 + i];
    ASSERT_TRUE(r.has_appended()) << r.DebugString();
    positions.insert(r.appended().first_position());
  }
  for (uint64_t p = 1; p <= kAppends; ++p) EXPECT_TRUE(positions.contains(p));
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(AppendStreamTest, FailedAppendIsAnsweredAndTheStreamGoesOn) {
  MustAppend(AppendOne("rec-1"));  // Revision 0.
  auto ctx = Context();
  auto stream = stub_->AppendStream(ctx.get());
  // 1: wrong expected revision; 2: malformed; 3: fine.
  ASSERT_TRUE(stream->Write(
      Request(1, AppendOne("rec-1", v1::EXPECTED_REVISION_KIND_EXACT, 5))));
  v1::AppendRequest malformed = AppendOne("rec-1");
  malformed.mutable_events(0)->set_event_id("nope");
  ASSERT_TRUE(stream->Write(Request(2, malformed)));
  ASSERT_TRUE(stream->Write(
      Request(3, AppendOne("rec-1", v1::EXPECTED_REVISION_KIND_EXACT, 0))));
  ASSERT_TRUE(stream->WritesDone());
  auto answers = ReadN(stream.get(), 3);
  ASSERT_EQ(answers.size(), 3u);

  ASSERT_TRUE(answers[1].has_error());
  EXPECT_EQ(answers[1].error().code(),
            static_cast<int>(grpc::StatusCode::ABORTED));
  EXPECT_EQ(answers[1].error().reason(), "WRONG_EXPECTED_REVISION");
  EXPECT_EQ(answers[1].error().current_revision(), "0");

  ASSERT_TRUE(answers[2].has_error());
  EXPECT_EQ(answers[2].error().code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(answers[2].error().reason(), "INVALID_EVENT_ID");

  ASSERT_TRUE(answers[3].has_appended());
  EXPECT_EQ(answers[3].appended().first_revision(), 1u);
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(AppendStreamTest, RetriedAppendIsDeduplicated) {
  auto ctx = Context();
  auto stream = stub_->AppendStream(ctx.get());
  const v1::AppendRequest append = AppendOne("s");
  ASSERT_TRUE(stream->Write(Request(1, append)));
  auto first = ReadN(stream.get(), 1);
  ASSERT_TRUE(stream->Write(Request(2, append)));
  auto second = ReadN(stream.get(), 1);
  ASSERT_TRUE(second[2].has_appended());
  EXPECT_TRUE(second[2].appended().deduplicated());
  EXPECT_EQ(second[2].appended().first_position(),
            first[1].appended().first_position());
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(AppendStreamTest, ClientThatDoesNotReadIsThrottledNotDropped) {
  // More appends than may be unanswered: the server stops reading until
  // the client reads, and every append is still answered exactly once.
  constexpr int kAppends = 3 * kMaxUnansweredAppends;
  auto ctx = Context(absl::Seconds(60));
  auto stream = stub_->AppendStream(ctx.get());
  std::thread writer([&] {
    for (int i = 0; i < kAppends; ++i) {
      ASSERT_TRUE(stream->Write(Request(i, AppendOne("s"))));
    }
    stream->WritesDone();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto answers = ReadN(stream.get(), kAppends);
  writer.join();
  EXPECT_EQ(answers.size(), size_t{kAppends});
  EXPECT_TRUE(stream->Finish().ok());
  auto head_ctx = Context();
  v1::GetHeadResponse head;
  ASSERT_TRUE(stub_->GetHead(head_ctx.get(), {}, &head).ok());
  EXPECT_EQ(head.position(), uint64_t{kAppends});
}

TEST_F(AppendStreamTest, CancelledStreamLeavesServerServing) {
  {
    auto ctx = Context();
    auto stream = stub_->AppendStream(ctx.get());
    for (int i = 0; i < 20; ++i) stream->Write(Request(i, AppendOne("s")));
    ctx->TryCancel();
    v1::AppendStreamResponse r;
    while (stream->Read(&r)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // Whatever the cancelled stream managed to append is gapless, and new
  // appends still work. (Appends the server had read before the cancel may
  // be recorded after this one: the log does not drop them.)
  v1::AppendResponse next = MustAppend(AppendOne("after"));
  auto ctx = Context();
  v1::ReadAllRequest read;
  read.set_max_count(1000);
  v1::ReadAllResponse all;
  ASSERT_TRUE(stub_->ReadAll(ctx.get(), read, &all).ok());
  ASSERT_GE(all.events_size(), static_cast<int>(next.first_position()));
  ASSERT_LE(all.events_size(), 21);
  for (int i = 0; i < all.events_size(); ++i) {
    EXPECT_EQ(all.events(i).position(), static_cast<uint64_t>(i + 1));
  }
  EXPECT_EQ(all.events(next.first_position() - 1).stream(), "after");
}

}  // namespace
}  // namespace oversight::services
