#include "services/keyed_sequencer.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace oversight::services {
namespace {

// The sequencer must outlive the tasks it runs (a finishing task releases
// its key through it): the executor is shut down, joining its threads,
// before either is destroyed.
class KeyedSequencerTest : public ::testing::Test {
 protected:
  void TearDown() override { executor.Shutdown(); }

  Executor executor{4};
  KeyedSequencer sequencer{&executor};
};

TEST_F(KeyedSequencerTest, TasksOfOneKeyRunOneAtATimeInOrder) {
  absl::Mutex mu;
  std::vector<int> order;
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  absl::Notification all_done;
  constexpr int kTasks = 200;
  for (int i = 0; i < kTasks; ++i) {
    sequencer.Submit("k", [&, i](KeyedSequencer::Done done) {
      const int now = ++running;
      int seen = max_running.load();
      while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
      }
      {
        absl::MutexLock lock(&mu);
        order.push_back(i);
      }
      --running;
      if (i == kTasks - 1) all_done.Notify();
      done.Call();
    });
  }
  all_done.WaitForNotification();
  executor.Shutdown();
  EXPECT_EQ(max_running.load(), 1);
  ASSERT_EQ(order.size(), static_cast<size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(order[i], i);
  EXPECT_EQ(sequencer.busy_keys(), 0u);
}

TEST_F(KeyedSequencerTest, AKeyStaysBusyUntilDoneEvenAfterTheTaskReturns) {
  KeyedSequencer::Done held;
  absl::Notification first_ran, second_ran;
  sequencer.Submit("k", [&](KeyedSequencer::Done done) {
    held = std::move(done);  // finishes later, elsewhere
    first_ran.Notify();
  });
  sequencer.Submit("k", [&](KeyedSequencer::Done) { second_ran.Notify(); });
  first_ran.WaitForNotification();
  EXPECT_FALSE(
      second_ran.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  held.Call();
  EXPECT_TRUE(second_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_F(KeyedSequencerTest, DroppingDoneReleasesTheKey) {
  absl::Notification second_ran;
  sequencer.Submit("k", [](KeyedSequencer::Done) {});  // dropped at once
  sequencer.Submit("k", [&](KeyedSequencer::Done) { second_ran.Notify(); });
  EXPECT_TRUE(second_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_F(KeyedSequencerTest, OtherKeysAreNotHeldUp) {
  KeyedSequencer::Done held;
  absl::Notification a_ran, b_ran;
  sequencer.Submit("a", [&](KeyedSequencer::Done done) {
    held = std::move(done);
    a_ran.Notify();
  });
  a_ran.WaitForNotification();
  sequencer.Submit("b", [&](KeyedSequencer::Done) { b_ran.Notify(); });
  EXPECT_TRUE(b_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  held.Call();
  executor.Shutdown();  // let "b" finish releasing its key
  EXPECT_EQ(sequencer.busy_keys(), 0u);
}

}  // namespace
}  // namespace oversight::services
