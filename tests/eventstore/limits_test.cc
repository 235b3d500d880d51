// What bounds the work and memory one caller can cause: reads paged by
// bytes as well as by count, filters of bounded size, and live
// subscription buffers bounded in bytes.

#include "eventstore/subscription.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Event;
using test::IsError;
using test::PositionsOf;
using test::Range;
using test::RevisionsOf;

// Events of ~1 MiB: four of them pass the 3.5 MiB page budget.
std::vector<ProposedEvent> BigEvents(int n) {
  std::vector<ProposedEvent> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(Event("test.Big", std::string((1 << 20) - 64, 'a' + i)));
  }
  return out;
}

class LimitsTest : public test::StoreTest {};

TEST_F(LimitsTest, ReadAllPagesByBytesAndContinuesWhereItStopped) {
  for (int i = 0; i < 3; ++i) AppendOk("big", BigEvents(3));  // 9 events.
  std::vector<Position> seen;
  Position from = 1;
  int pages = 0;
  for (;;) {
    absl::StatusOr<ReadResult> page =
        store_->ReadAll(from, Direction::kForwards, 1000, {});
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    EXPECT_LE(page->events.size(), 3u);
    for (Position p : PositionsOf(page->events)) seen.push_back(p);
    if (page->end_reached) break;
    from = page->next;
  }
  EXPECT_EQ(seen, Range(1, 9));
  EXPECT_GE(pages, 3);
}

TEST_F(LimitsTest, ReadStreamPagesByBytesBothWays) {
  AppendOk("big", BigEvents(3));
  AppendOk("big", BigEvents(3));
  std::vector<Revision> forwards;
  Revision from = 0;
  for (;;) {
    auto page = store_->ReadStream("big", from, Direction::kForwards, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->events.size(), 3u);
    for (Revision r : RevisionsOf(page->events)) forwards.push_back(r);
    if (page->end_reached) break;
    from = page->next;
  }
  EXPECT_EQ(forwards, Range(0, 5));

  std::vector<Revision> backwards;
  from = kFromEnd;
  for (;;) {
    auto page = store_->ReadStream("big", from, Direction::kBackwards, 1000);
    ASSERT_TRUE(page.ok()) << page.status();
    for (Revision r : RevisionsOf(page->events)) backwards.push_back(r);
    if (page->end_reached) break;
    from = page->next;
  }
  EXPECT_EQ(backwards, (std::vector<Revision>{5, 4, 3, 2, 1, 0}));
}

TEST_F(LimitsTest, OneEventLargerThanTheBudgetIsStillReturned) {
  std::vector<ProposedEvent> e;
  e.push_back(
      Event("test.Big", std::string(1 << 20, 'x'), std::string(1 << 20, 'y')));
  e.push_back(
      Event("test.Big", std::string(1 << 20, 'x'), std::string(1 << 20, 'y')));
  AppendOk("huge", std::move(e));
  auto page = store_->ReadAll(1, Direction::kForwards, 10, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_FALSE(page->end_reached);
  EXPECT_EQ(page->next, 2u);
}

TEST_F(LimitsTest, OversizedFiltersAreInvalidArgument) {
  EventFilter many;
  for (size_t i = 0; i <= kMaxFilterEventTypes; ++i) {
    many.event_types.push_back("t" + std::to_string(i));
  }
  EXPECT_THAT(
      store_->ReadAll(1, Direction::kForwards, 10, many).status(),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidFilter));
  EventFilter empty_type;
  empty_type.event_types.push_back("");
  EXPECT_THAT(
      ValidateFilter(empty_type),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidFilter));
  EventFilter long_prefix;
  long_prefix.stream_prefix.assign(kMaxStreamNameBytes + 1, 'p');
  EXPECT_THAT(
      ValidateFilter(long_prefix),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidFilter));
  many.event_types.pop_back();
  EXPECT_TRUE(ValidateFilter(many).ok());
}

TEST(LiveSubscriberBytesTest, LargeEventsOverflowTheBufferByBytes) {
  EventFilter filter;
  LiveHub hub(0);
  LiveSubscriber sub(&filter, /*max_buffered=*/1000);  // Count not reached.
  ASSERT_TRUE(hub.TryRegister(&sub, 1));
  CommittedGroup group;
  for (Position p = 1; p <= 20; ++p) {  // 20 x 1 MiB > 16 MiB.
    auto e = std::make_shared<RecordedEvent>();
    e->position = p;
    e->stream = "s";
    e->type = "t";
    e->data.assign(1 << 20, 'z');
    group.events.push_back(std::move(e));
  }
  group.last_position = 20;
  hub.Publish(group);
  EXPECT_TRUE(sub.Take(100).overflowed);
  hub.Unregister(&sub);
}

}  // namespace
}  // namespace oversight::eventstore
