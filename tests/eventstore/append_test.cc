// Tests of appending: positions and revisions, expected revisions,
// idempotent retries, atomicity and recording times.

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "eventstore/errors.h"
#include "eventstore/rocks_event_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Event;
using test::Events;
using test::IsError;
using test::PositionsOf;
using test::Range;
using test::RevisionsOf;
using ::testing::ElementsAre;

using CurrentRevision = std::optional<std::optional<Revision>>;
const CurrentRevision kNoStream = std::optional<Revision>();

class AppendTest : public test::StoreTest {
 protected:
  // The current revision reported by a failed append.
  CurrentRevision ReportedRevision(absl::string_view stream,
                                   ExpectedRevision expected) {
    return CurrentRevisionOf(AppendStatus(stream, expected, {Event()}));
  }

  absl::Status Conflict(absl::string_view stream, ExpectedRevision expected) {
    return AppendStatus(stream, expected, {Event()});
  }

  std::vector<absl::Time> RecordingTimes() {
    std::vector<absl::Time> out;
    for (const RecordedEvent& e : ReadAllEvents()) out.push_back(e.recorded_at);
    return out;
  }
};

TEST_F(AppendTest, FirstEventGetsPositionOneAndRevisionZero) {
  const AppendResult r = AppendOk("s", ExpectedRevision::NoStream(), {Event()});
  EXPECT_EQ(r.first_position, 1u);
  EXPECT_EQ(r.first_revision, 0u);
  EXPECT_FALSE(r.deduplicated);
}

TEST_F(AppendTest, BatchGetsConsecutivePositionsAndRevisions) {
  AppendOk("other", {Event()});
  const AppendResult r = AppendOk("s", Events(3));
  EXPECT_EQ(r.first_position, 2u);
  EXPECT_EQ(r.last_position, 4u);
  EXPECT_EQ(r.first_revision, 0u);
  EXPECT_EQ(r.last_revision, 2u);
}

TEST_F(AppendTest, PositionsAreGaplessAcrossStreams) {
  AppendOk("a", Events(2));
  AppendOk("b", Events(3));
  AppendOk("a", Events(1));
  EXPECT_EQ(PositionsOf(ReadAllEvents()), Range(1, 6));
}

TEST_F(AppendTest, RevisionsCountPerStream) {
  AppendOk("a", Events(2));
  AppendOk("b", Events(3));
  AppendOk("a", Events(2));
  EXPECT_EQ(RevisionsOf(ReadStreamEvents("a")), Range(0, 3));
  EXPECT_EQ(RevisionsOf(ReadStreamEvents("b")), Range(0, 2));
}

TEST_F(AppendTest, HeadIsLastPosition) {
  AppendOk("a", Events(5));
  EXPECT_EQ(HeadPosition(), 5u);
}

TEST_F(AppendTest, StoredEventKeepsItsContent) {
  ProposedEvent e = Event("test.Typed", std::string("d\0ta", 4), "meta");
  AppendOk("s", {e});
  const std::vector<RecordedEvent> events = ReadStreamEvents("s");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, e.id);
  EXPECT_EQ(events[0].stream, "s");
  EXPECT_EQ(events[0].type, "test.Typed");
  EXPECT_EQ(events[0].data, std::string("d\0ta", 4));
  EXPECT_EQ(events[0].metadata, "meta");
}

TEST_F(AppendTest, AnySucceedsOnNewAndExistingStream) {
  EXPECT_EQ(AppendOk("s", ExpectedRevision::Any(), {Event()}).last_revision,
            0u);
  EXPECT_EQ(AppendOk("s", ExpectedRevision::Any(), {Event()}).last_revision,
            1u);
}

TEST_F(AppendTest, NoStreamSucceedsOnNewStream) {
  EXPECT_EQ(
      AppendOk("s", ExpectedRevision::NoStream(), {Event()}).first_revision,
      0u);
}

TEST_F(AppendTest, NoStreamOnExistingStreamIsAbortedWithCurrentRevision) {
  AppendOk("s", Events(3));
  EXPECT_THAT(
      Conflict("s", ExpectedRevision::NoStream()),
      IsError(absl::StatusCode::kAborted, kReasonWrongExpectedRevision));
  EXPECT_EQ(ReportedRevision("s", ExpectedRevision::NoStream()),
            CurrentRevision(2));
}

TEST_F(AppendTest, StreamExistsSucceedsOnExistingStream) {
  AppendOk("s", {Event()});
  EXPECT_EQ(
      AppendOk("s", ExpectedRevision::StreamExists(), {Event()}).first_revision,
      1u);
}

TEST_F(AppendTest, StreamExistsOnNewStreamIsAbortedWithNoStream) {
  EXPECT_THAT(
      Conflict("s", ExpectedRevision::StreamExists()),
      IsError(absl::StatusCode::kAborted, kReasonWrongExpectedRevision));
  EXPECT_EQ(ReportedRevision("s", ExpectedRevision::StreamExists()), kNoStream);
}

TEST_F(AppendTest, ExactRevisionMatchingCurrentSucceeds) {
  AppendOk("s", Events(2));
  EXPECT_EQ(AppendOk("s", ExpectedRevision::Exact(1), {Event()}).first_revision,
            2u);
}

TEST_F(AppendTest, ExactRevisionMismatchIsAbortedWithCurrentRevision) {
  AppendOk("s", Events(2));
  EXPECT_THAT(
      Conflict("s", ExpectedRevision::Exact(0)),
      IsError(absl::StatusCode::kAborted, kReasonWrongExpectedRevision));
  EXPECT_EQ(ReportedRevision("s", ExpectedRevision::Exact(5)),
            CurrentRevision(1));
}

TEST_F(AppendTest, ExactRevisionOnNewStreamIsAbortedWithNoStream) {
  EXPECT_EQ(ReportedRevision("s", ExpectedRevision::Exact(0)), kNoStream);
}

TEST_F(AppendTest, ExactRevisionSeesRevisionAfterReopen) {
  AppendOk("s", Events(3));
  Reopen();
  EXPECT_EQ(ReportedRevision("s", ExpectedRevision::Exact(0)),
            CurrentRevision(2));
  EXPECT_EQ(AppendOk("s", ExpectedRevision::Exact(2), {Event()}).last_revision,
            3u);
}

TEST_F(AppendTest, FailedExpectationWritesNothing) {
  AppendOk("s", {Event()});
  ASSERT_FALSE(Conflict("s", ExpectedRevision::NoStream()).ok());
  EXPECT_EQ(HeadPosition(), 1u);
  EXPECT_EQ(ReadStreamEvents("s").size(), 1u);
}

TEST_F(AppendTest, RejectedBatchLeavesNoEventVisible) {
  AppendOk("s", {Event()});
  ASSERT_FALSE(AppendStatus("s", ExpectedRevision::Exact(7), Events(5)).ok());
  EXPECT_EQ(ReadAllEvents().size(), 1u);
  EXPECT_EQ(AppendOk("s", {Event()}).first_position, 2u);
}

TEST_F(AppendTest, RetryWithSameContentReturnsOriginalPositions) {
  AppendOk("other", {Event()});
  const std::vector<ProposedEvent> batch = Events(3);
  const AppendResult first = AppendOk("s", ExpectedRevision::NoStream(), batch);
  const AppendResult retry = AppendOk("s", ExpectedRevision::NoStream(), batch);
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.first_position, first.first_position);
  EXPECT_EQ(retry.last_position, first.last_position);
  EXPECT_EQ(retry.first_revision, first.first_revision);
  EXPECT_EQ(retry.last_revision, first.last_revision);
}

TEST_F(AppendTest, RetryWithSameContentWritesNothing) {
  const std::vector<ProposedEvent> batch = Events(3);
  AppendOk("s", batch);
  AppendOk("s", batch);
  EXPECT_EQ(HeadPosition(), 3u);
  EXPECT_EQ(ReadAllEvents().size(), 3u);
}

TEST_F(AppendTest, RetryAfterStreamMovedOnStillDeduplicates) {
  const std::vector<ProposedEvent> batch = Events(2);
  AppendOk("s", ExpectedRevision::NoStream(), batch);
  AppendOk("s", Events(4));
  const AppendResult retry = AppendOk("s", ExpectedRevision::NoStream(), batch);
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.first_position, 1u);
  EXPECT_EQ(retry.last_revision, 1u);
}

TEST_F(AppendTest, SameIdWithOtherDataIsEventIdReused) {
  ProposedEvent e = Event("test.Happened", "one");
  AppendOk("s", {e});
  e.data = "two";
  EXPECT_THAT(AppendStatus("s", ExpectedRevision::Any(), {e}),
              IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(AppendTest, SameIdWithOtherTypeIsEventIdReused) {
  ProposedEvent e = Event("test.One");
  AppendOk("s", {e});
  e.type = "test.Two";
  EXPECT_THAT(AppendStatus("s", ExpectedRevision::Any(), {e}),
              IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
}

TEST_F(AppendTest, SameIdWithOtherMetadataIsEventIdReused) {
  ProposedEvent e = Event("test.Happened", "d", "m1");
  AppendOk("s", {e});
  e.metadata = "m2";
  EXPECT_THAT(AppendStatus("s", ExpectedRevision::Any(), {e}),
              IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
}

TEST_F(AppendTest, SameIdInOtherStreamIsEventIdReused) {
  ProposedEvent e = Event();
  AppendOk("s", {e});
  EXPECT_THAT(AppendStatus("t", ExpectedRevision::Any(), {e}),
              IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
  EXPECT_THAT(ReadStreamStatus("t"),
              IsError(absl::StatusCode::kNotFound, kReasonStreamNotFound));
}

TEST_F(AppendTest, PartiallyStoredBatchIsAlreadyExistsAndWritesNothing) {
  const std::vector<ProposedEvent> stored = Events(2);
  AppendOk("s", stored);
  EXPECT_THAT(AppendStatus("s", ExpectedRevision::Any(),
                           {stored[0], stored[1], Event()}),
              IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
  EXPECT_EQ(HeadPosition(), 2u);
}

TEST_F(AppendTest, StoredEventsInOtherOrderAreAlreadyExists) {
  const std::vector<ProposedEvent> stored = Events(2);
  AppendOk("s", stored);
  EXPECT_THAT(
      AppendStatus("s", ExpectedRevision::Any(), {stored[1], stored[0]}),
      IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
}

TEST_F(AppendTest, ConcurrentIdenticalAppendsRecordTheEventOnce) {
  const std::vector<ProposedEvent> batch = Events(2);
  constexpr int kCopies = 8;
  absl::Mutex mu;
  std::vector<absl::StatusOr<AppendResult>> results;
  absl::Notification all_done;
  for (int i = 0; i < kCopies; ++i) {
    store_->AppendAsync("s", ExpectedRevision::Any(), batch,
                        [&](absl::StatusOr<AppendResult> r) {
                          bool last;
                          {
                            absl::MutexLock lock(&mu);
                            results.push_back(std::move(r));
                            last = results.size() == kCopies;
                          }
                          // Outside the lock: the test may end at once.
                          if (last) all_done.Notify();
                        });
  }
  all_done.WaitForNotification();
  absl::MutexLock lock(&mu);
  int written = 0;
  for (const absl::StatusOr<AppendResult>& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->first_position, 1u);
    if (!r->deduplicated) ++written;
  }
  EXPECT_EQ(written, 1);
  EXPECT_EQ(HeadPosition(), 2u);
}

TEST_F(AppendTest, InvalidAppendCallsBackOnceWithError) {
  std::atomic<int> calls{0};
  absl::Status status;
  absl::Notification done;
  store_->AppendAsync("", ExpectedRevision::Any(), {Event()},
                      [&](absl::StatusOr<AppendResult> r) {
                        status = r.status();
                        ++calls;
                        done.Notify();
                      });
  done.WaitForNotification();
  AppendOk("s", {Event()});  // Any further callback would have come by now.
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AppendTest, RecordedAtComesFromTheClock) {
  const absl::Time t = absl::FromUnixSeconds(1800000000);
  options_.clock = [t] { return t; };
  Reopen();
  AppendOk("s", {Event()});
  EXPECT_THAT(RecordingTimes(), ElementsAre(t));
}

TEST_F(AppendTest, RecordedAtNeverGoesBackwardsWhenTheClockDoes) {
  auto now = std::make_shared<std::atomic<int64_t>>(1800000000);
  options_.clock = [now] { return absl::FromUnixSeconds(now->load()); };
  Reopen();
  AppendOk("s", {Event()});
  *now = 1700000000;  // The clock jumps back.
  AppendOk("s", {Event()});
  *now = 1800000005;
  AppendOk("s", {Event()});
  EXPECT_THAT(RecordingTimes(), ElementsAre(absl::FromUnixSeconds(1800000000),
                                            absl::FromUnixSeconds(1800000000),
                                            absl::FromUnixSeconds(1800000005)));
}

TEST_F(AppendTest, RecordedAtNeverGoesBackwardsAcrossReopen) {
  auto now = std::make_shared<std::atomic<int64_t>>(1800000000);
  options_.clock = [now] { return absl::FromUnixSeconds(now->load()); };
  Reopen();
  AppendOk("s", {Event()});
  *now = 1700000000;
  Reopen();
  AppendOk("s", {Event()});
  EXPECT_THAT(RecordingTimes(), ElementsAre(absl::FromUnixSeconds(1800000000),
                                            absl::FromUnixSeconds(1800000000)));
}

TEST_F(AppendTest, RecordedAtIsStoredToTheMicrosecond) {
  const absl::Time t = absl::FromUnixNanos(1800000000123456789);
  options_.clock = [t] { return t; };
  Reopen();
  AppendOk("s", {Event()});
  EXPECT_EQ(store_->Head().recorded_at, absl::FromUnixMicros(1800000000123456));
  EXPECT_THAT(RecordingTimes(),
              ElementsAre(absl::FromUnixMicros(1800000000123456)));
}

TEST_F(AppendTest, AppendAfterCloseIsStoreClosed) {
  store_->Close();
  EXPECT_THAT(AppendStatus("s", ExpectedRevision::Any(), {Event()}),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
}

TEST_F(AppendTest, AppendsQueuedBeforeCloseAreCommitted) {
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    store_->AppendAsync("s", ExpectedRevision::Any(), {Event()},
                        [&](absl::StatusOr<AppendResult> r) {
                          if (r.ok()) ++ok;
                        });
  }
  store_->Close();
  EXPECT_EQ(ok.load(), 50);
  Reopen();
  EXPECT_EQ(HeadPosition(), 50u);
}

}  // namespace
}  // namespace oversight::eventstore
