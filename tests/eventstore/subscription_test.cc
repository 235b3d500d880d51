// Tests of catch-up subscriptions (eventstore/subscription.h): history then
// live, no gap and no duplicate across the switch, falling back to disk
// when slow, filters, and closing.

#include "eventstore/subscription.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
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
using test::Range;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SubscriptionTest : public test::StoreTest {
 protected:
  struct Delivered {
    std::vector<Position> positions;
    std::vector<SharedEvent> events;
    int caught_up_markers = 0;
    Position last_head = 0;  // Of the last caught-up marker.
  };

  std::unique_ptr<Subscription> Subscribe(Position from,
                                          EventFilter filter = {}) {
    return store_->Subscribe(from, std::move(filter));
  }

  // Takes batches with Next until `count` events have arrived (and, when
  // `until_caught_up`, a caught-up marker after them), or 20 s pass.
  static Delivered Drain(Subscription& sub, size_t count,
                         bool until_caught_up = false) {
    Delivered d;
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    bool caught_up_after_last = false;
    while (absl::Now() < deadline) {
      if (d.positions.size() >= count &&
          (!until_caught_up || caught_up_after_last)) {
        break;
      }
      absl::StatusOr<SubscriptionBatch> b = sub.Next(256, absl::Seconds(1));
      if (!b.ok()) {
        ADD_FAILURE() << b.status();
        break;
      }
      if (!b->events.empty()) caught_up_after_last = false;
      for (SharedEvent& e : b->events) {
        d.positions.push_back(e->position);
        d.events.push_back(std::move(e));
      }
      if (b->caught_up) {
        ++d.caught_up_markers;
        d.last_head = b->head;
        caught_up_after_last = true;
      }
    }
    return d;
  }

  // Everything up to the first caught-up marker.
  static Delivered CatchUp(Subscription& sub) { return Drain(sub, 0, true); }

  // A single Poll that is expected to fail.
  static absl::Status PollStatus(Subscription& sub) {
    return sub.Poll(10).status();
  }

  void AppendSingles(int n, absl::string_view stream = "s") {
    for (int i = 0; i < n; ++i) AppendOk(stream, {Event()});
  }

  static EventFilter PrefixFilter(std::string prefix) {
    EventFilter f;
    f.stream_prefix = std::move(prefix);
    return f;
  }
};

TEST_F(SubscriptionTest, FromStartDeliversHistoryThenCaughtUpWithHead) {
  AppendOk("s", Events(25));
  std::unique_ptr<Subscription> sub = Subscribe(1);
  const Delivered d = CatchUp(*sub);
  EXPECT_EQ(d.positions, Range(1, 25));
  EXPECT_EQ(d.caught_up_markers, 1);
  EXPECT_EQ(d.last_head, 25u);
  EXPECT_EQ(sub->next_position(), 26u);
}

TEST_F(SubscriptionTest, HistoryLongerThanOnePageIsDeliveredInOrder) {
  for (int i = 0; i < 3; ++i) AppendOk("s", Events(1000));
  std::unique_ptr<Subscription> sub = Subscribe(1);
  EXPECT_EQ(CatchUp(*sub).positions, Range(1, 3000));
}

TEST_F(SubscriptionTest, EmptyLogIsCaughtUpAtHeadZero) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  const Delivered d = CatchUp(*sub);
  EXPECT_THAT(d.positions, IsEmpty());
  EXPECT_EQ(d.last_head, 0u);
}

TEST_F(SubscriptionTest, AfterCatchUpDeliversLiveEvents) {
  AppendOk("s", Events(5));
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  AppendSingles(3);
  EXPECT_THAT(Drain(*sub, 3).positions, ElementsAre(6, 7, 8));
}

TEST_F(SubscriptionTest, LiveEventsEqualTheStoredEvents) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  AppendOk("s", {Event("test.Live", "data", "meta")});
  const Delivered live = Drain(*sub, 1);
  const std::vector<RecordedEvent> stored = ReadAllEvents();
  ASSERT_EQ(live.events.size(), 1u);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(live.events[0]->id, stored[0].id);
  EXPECT_EQ(live.events[0]->stream, stored[0].stream);
  EXPECT_EQ(live.events[0]->revision, stored[0].revision);
  EXPECT_EQ(live.events[0]->type, stored[0].type);
  EXPECT_EQ(live.events[0]->data, stored[0].data);
  EXPECT_EQ(live.events[0]->metadata, stored[0].metadata);
  EXPECT_EQ(live.events[0]->recorded_at, stored[0].recorded_at);
  EXPECT_EQ(HashToHex(live.events[0]->hash), HashToHex(stored[0].hash));
}

TEST_F(SubscriptionTest, FromTheMiddleStartsThere) {
  AppendOk("s", Events(25));
  std::unique_ptr<Subscription> sub = Subscribe(10);
  EXPECT_EQ(CatchUp(*sub).positions, Range(10, 25));
}

TEST_F(SubscriptionTest, FromZeroStartsAtOne) {
  AppendOk("s", Events(3));
  std::unique_ptr<Subscription> sub = Subscribe(0);
  EXPECT_EQ(CatchUp(*sub).positions, Range(1, 3));
}

TEST_F(SubscriptionTest, FromEndDeliversOnlyNewEvents) {
  AppendOk("s", Events(25));
  std::unique_ptr<Subscription> sub = Subscribe(kFromEnd);
  const Delivered d = CatchUp(*sub);
  EXPECT_THAT(d.positions, IsEmpty());
  EXPECT_EQ(d.last_head, 25u);
  AppendSingles(2);
  EXPECT_THAT(Drain(*sub, 2).positions, ElementsAre(26, 27));
}

TEST_F(SubscriptionTest, ConcurrentAppendsAreDeliveredExactlyOnceInOrder) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 250;
  AppendOk("s", Events(100));
  std::unique_ptr<Subscription> sub = Subscribe(1);
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([this, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        (void)store_->Append("w-" + std::to_string(t), ExpectedRevision::Any(),
                             {Event()});
      }
    });
  }
  const Delivered d = Drain(*sub, 100 + kWriters * kPerWriter);
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(d.positions, Range(1, 100 + kWriters * kPerWriter));
  EXPECT_GE(d.caught_up_markers, 1);
}

TEST_F(SubscriptionTest, SubscribersSwitchingOftenUnderLoadMissNothing) {
  // A tiny buffer makes the subscribers overflow, go back to disk and
  // rejoin the live hub again and again while the writers append: every
  // switch between disk and live must be exact.
  options_.subscriber_max_buffered = 4;
  Reopen();
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 400;
  constexpr int kSubscribers = 3;
  constexpr size_t kTotal = kWriters * kPerWriter;
  std::vector<std::unique_ptr<Subscription>> subs;
  for (int i = 0; i < kSubscribers; ++i) subs.push_back(Subscribe(1));
  std::vector<std::vector<Position>> delivered(kSubscribers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kSubscribers; ++i) {
    threads.emplace_back([&, i] {
      const absl::Time deadline = absl::Now() + absl::Seconds(20);
      while (delivered[i].size() < kTotal && absl::Now() < deadline) {
        absl::StatusOr<SubscriptionBatch> b =
            subs[i]->Next(1 + i, absl::Milliseconds(100));
        if (!b.ok()) return;
        for (const SharedEvent& e : b->events) {
          delivered[i].push_back(e->position);
        }
      }
    });
  }
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        (void)store_->Append("w-" + std::to_string(t), ExpectedRevision::Any(),
                             {Event()});
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kSubscribers; ++i) {
    EXPECT_EQ(delivered[i], Range(1, kTotal)) << "subscriber " << i;
  }
}

TEST_F(SubscriptionTest, ResumingFromLastSeenPlusOneContinuesExactly) {
  constexpr int kTotal = 600;
  std::thread writer([this] { AppendSingles(kTotal); });
  std::vector<Position> positions;
  Position last = 0;
  // Three subscriptions one after the other, each resuming where the
  // previous one stopped, while the writer keeps appending.
  for (int round = 0; round < 3; ++round) {
    std::unique_ptr<Subscription> sub = Subscribe(last + 1);
    const Delivered d = Drain(*sub, kTotal / 3);
    for (size_t i = 0; i < kTotal / 3 && i < d.positions.size(); ++i) {
      positions.push_back(d.positions[i]);
    }
    last = positions.empty() ? 0 : positions.back();
  }
  writer.join();
  EXPECT_EQ(positions, Range(1, kTotal));
}

TEST_F(SubscriptionTest, SlowSubscriberFallsBackToDiskAndMissesNothing) {
  options_.subscriber_max_buffered = 8;
  Reopen();
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);  // Now live, with a buffer of 8.
  const absl::Time start = absl::Now();
  AppendSingles(1000);  // The subscriber does not poll meanwhile.
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(HeadPosition(), 1000u);
  const Delivered d = Drain(*sub, 1000, /*until_caught_up=*/true);
  EXPECT_EQ(d.positions, Range(1, 1000));
  EXPECT_GT(sub->fallbacks(), 0u);
  EXPECT_EQ(d.last_head, 1000u);
}

TEST_F(SubscriptionTest, SlowSubscriberReturnsToLiveAfterFallingBack) {
  options_.subscriber_max_buffered = 8;
  Reopen();
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  AppendSingles(100);
  Drain(*sub, 100, /*until_caught_up=*/true);
  AppendSingles(3);
  EXPECT_THAT(Drain(*sub, 3).positions, ElementsAre(101, 102, 103));
  EXPECT_EQ(sub->fallbacks(), 1u);
}

TEST_F(SubscriptionTest, StreamPrefixFilterDeliversOnlyMatchingHistory) {
  for (int i = 0; i < 5; ++i) {
    AppendOk("review-1", {Event()});
    AppendOk("task-1", {Event()});
  }
  std::unique_ptr<Subscription> sub = Subscribe(1, PrefixFilter("review-"));
  const Delivered d = CatchUp(*sub);
  EXPECT_THAT(d.positions, ElementsAre(1, 3, 5, 7, 9));
  EXPECT_EQ(d.last_head, 10u);
}

TEST_F(SubscriptionTest, StreamPrefixFilterDeliversOnlyMatchingLiveEvents) {
  std::unique_ptr<Subscription> sub = Subscribe(1, PrefixFilter("review-"));
  CatchUp(*sub);
  AppendOk("task-1", {Event()});
  AppendOk("review-1", {Event()});
  AppendOk("task-1", {Event()});
  AppendOk("review-2", {Event()});
  EXPECT_THAT(Drain(*sub, 2).positions, ElementsAre(2, 4));
}

TEST_F(SubscriptionTest, EventTypeFilterDeliversOnlyMatchingEvents) {
  AppendOk("s", {Event("test.A"), Event("test.B")});
  EventFilter filter;
  filter.event_types = {"test.B"};
  std::unique_ptr<Subscription> sub = Subscribe(1, filter);
  EXPECT_THAT(CatchUp(*sub).positions, ElementsAre(2));
  AppendOk("s", {Event("test.B"), Event("test.A"), Event("test.B")});
  EXPECT_THAT(Drain(*sub, 2).positions, ElementsAre(3, 5));
}

TEST_F(SubscriptionTest, FilteredSubscriptionAdvancesPastSkippedEvents) {
  std::unique_ptr<Subscription> sub = Subscribe(1, PrefixFilter("review-"));
  CatchUp(*sub);
  AppendSingles(5, "task-1");
  ASSERT_TRUE(sub->Next(10, absl::Milliseconds(200)).ok());
  EXPECT_EQ(sub->next_position(), 6u);
}

TEST_F(SubscriptionTest, NextTimesOutWithAnEmptyBatch) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  absl::StatusOr<SubscriptionBatch> b = sub->Next(10, absl::Milliseconds(50));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(b->events, IsEmpty());
  EXPECT_FALSE(b->caught_up);
}

TEST_F(SubscriptionTest, NotifyWhenReadyWakesAfterTheNextCommit) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  absl::Notification woken;
  sub->NotifyWhenReady([&] { woken.Notify(); });
  EXPECT_FALSE(woken.HasBeenNotified());
  AppendSingles(1);
  EXPECT_TRUE(woken.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_F(SubscriptionTest, NotifyWhenReadyWakesAtOnceWhenBehind) {
  AppendSingles(3);
  std::unique_ptr<Subscription> sub = Subscribe(1);
  absl::Notification woken;
  sub->NotifyWhenReady([&] { woken.Notify(); });
  EXPECT_TRUE(woken.HasBeenNotified());
}

TEST_F(SubscriptionTest, CloseMakesPollOfLiveSubscriptionStoreClosed) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  store_->Close();
  EXPECT_THAT(PollStatus(*sub),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
}

TEST_F(SubscriptionTest, CloseMakesPollOfCatchingUpSubscriptionStoreClosed) {
  AppendSingles(3);
  std::unique_ptr<Subscription> sub = Subscribe(1);
  store_->Close();
  EXPECT_THAT(PollStatus(*sub),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
}

TEST_F(SubscriptionTest, CloseWakesNotifyWhenReady) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  absl::Notification woken;
  sub->NotifyWhenReady([&] { woken.Notify(); });
  store_->Close();
  EXPECT_TRUE(woken.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_F(SubscriptionTest, CloseEndsABlockedNext) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  CatchUp(*sub);
  std::thread closer([this] {
    absl::SleepFor(absl::Milliseconds(50));
    store_->Close();
  });
  const absl::Time start = absl::Now();
  absl::StatusOr<SubscriptionBatch> b = sub->Next(10, absl::Seconds(30));
  closer.join();
  EXPECT_THAT(b.status(),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(SubscriptionTest, CloseWhileSubscribersReadHistoryIsSafe) {
  for (int i = 0; i < 5; ++i) AppendOk("s", Events(1000));
  std::vector<std::unique_ptr<Subscription>> subs;
  for (int i = 0; i < 4; ++i) subs.push_back(Subscribe(1));
  std::atomic<int> closed_seen{0};
  std::vector<std::thread> readers;
  for (auto& sub : subs) {
    readers.emplace_back([&closed_seen, s = sub.get()] {
      // Re-reads the history page by page until the store closes.
      for (;;) {
        absl::StatusOr<SubscriptionBatch> b = s->Poll(1);
        if (!b.ok()) {
          if (test::Reason(b.status()) == kReasonStoreClosed) ++closed_seen;
          return;
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(20));
  store_->Close();
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(closed_seen.load(), 4);
}

TEST_F(SubscriptionTest, AppendAfterCloseIsStoreClosed) {
  std::unique_ptr<Subscription> sub = Subscribe(1);
  store_->Close();
  EXPECT_THAT(AppendStatus("s", ExpectedRevision::Any(), {Event()}),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
}

TEST_F(SubscriptionTest, SubscribeAfterCloseIsStoreClosed) {
  store_->Close();
  std::unique_ptr<Subscription> sub = Subscribe(1);
  EXPECT_THAT(PollStatus(*sub),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
}

}  // namespace
}  // namespace oversight::eventstore
