// LiveHub and LiveSubscriber on their own: the bounded queue, wake-ups,
// and the fall-back to disk when a group does not follow the last one.

#include "eventstore/subscription.h"
#include "gtest/gtest.h"

namespace oversight::eventstore {
namespace {

SharedEvent At(Position p, std::string stream = "s") {
  auto e = std::make_shared<RecordedEvent>();
  e->position = p;
  e->stream = std::move(stream);
  e->type = "t";
  return e;
}

CommittedGroup Group(Position first, Position last) {
  CommittedGroup g;
  for (Position p = first; p <= last; ++p) g.events.push_back(At(p));
  g.last_position = last;
  return g;
}

class LiveHubTest : public ::testing::Test {
 protected:
  EventFilter filter_;
  LiveHub hub_{/*head=*/10};
  LiveSubscriber sub_{&filter_, /*max_buffered=*/4};
};

TEST_F(LiveHubTest, RegistersOnlyWhenNothingPublishedIsUnread) {
  EXPECT_FALSE(hub_.TryRegister(&sub_, 10));  // Position 10 is published.
  EXPECT_TRUE(hub_.TryRegister(&sub_, 11));
  hub_.Unregister(&sub_);
}

TEST_F(LiveHubTest, ContiguousGroupsAreQueuedInOrder) {
  ASSERT_TRUE(hub_.TryRegister(&sub_, 11));
  hub_.Publish(Group(11, 12));
  hub_.Publish(Group(13, 13));
  LiveSubscriber::Taken t = sub_.Take(10);
  ASSERT_EQ(t.events.size(), 3u);
  EXPECT_EQ(t.events[0]->position, 11u);
  EXPECT_EQ(t.events[2]->position, 13u);
  EXPECT_EQ(t.seen_through, 13u);
  EXPECT_FALSE(t.overflowed);
  hub_.Unregister(&sub_);
}

TEST_F(LiveHubTest, GapBetweenGroupsSendsSubscriberBackToDisk) {
  ASSERT_TRUE(hub_.TryRegister(&sub_, 11));
  hub_.Publish(Group(11, 11));
  ASSERT_EQ(sub_.Take(10).events.size(), 1u);
  bool woken = false;
  EXPECT_EQ(sub_.Arm([&] { woken = true; }), nullptr);  // Nothing due yet.
  hub_.Publish(Group(13, 14));  // 12 never published: a gap.
  EXPECT_TRUE(woken);
  EXPECT_TRUE(sub_.Take(10).overflowed);
  hub_.Unregister(&sub_);
}

TEST_F(LiveHubTest, OverflowDropsTheBufferInsteadOfGrowing) {
  ASSERT_TRUE(hub_.TryRegister(&sub_, 11));
  hub_.Publish(Group(11, 20));  // 10 events, bound is 4.
  LiveSubscriber::Taken t = sub_.Take(100);
  EXPECT_TRUE(t.overflowed);
  EXPECT_TRUE(t.events.empty());
  hub_.Unregister(&sub_);
}

TEST_F(LiveHubTest, CloseWakesAnArmedSubscriber) {
  ASSERT_TRUE(hub_.TryRegister(&sub_, 11));
  bool woken = false;
  EXPECT_EQ(sub_.Arm([&] { woken = true; }), nullptr);
  hub_.Close();
  EXPECT_TRUE(woken);
  EXPECT_TRUE(sub_.Take(1).closed);
  EXPECT_TRUE(hub_.closed());
}

}  // namespace
}  // namespace oversight::eventstore
