// Tests of reading: one stream (ReadStream) and the whole log (ReadAll),
// both directions, paging with `next`, and filters.

#include <string>
#include <vector>

#include "eventstore/errors.h"
#include "eventstore/event_log.h"
#include "eventstore/limits.h"
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
using ::testing::IsEmpty;

constexpr absl::string_view kReview = "review-1";
constexpr absl::string_view kTask = "task-1";

class ReadTest : public test::StoreTest {
 protected:
  // Ten events in "review-1" (types test.A) interleaved with ten in
  // "task-1" (types test.B): review-1 revision r is at position 2r + 1.
  void AppendInterleaved() {
    for (int i = 0; i < 10; ++i) {
      AppendOk(kReview, {Event("test.A")});
      AppendOk(kTask, {Event("test.B")});
    }
  }

  ReadResult Stream(Revision from, Direction direction, size_t max_count,
                    absl::string_view stream = kReview) {
    absl::StatusOr<ReadResult> r =
        store_->ReadStream(stream, from, direction, max_count);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : ReadResult{};
  }

  ReadResult All(Position from, Direction direction, size_t max_count,
                 const EventFilter& filter = {}) {
    absl::StatusOr<ReadResult> r =
        store_->ReadAll(from, direction, max_count, filter);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : ReadResult{};
  }

  // Revisions of "review-1" read page by page, following `next`.
  std::vector<Revision> WalkStream(Direction direction, size_t page,
                                   int* pages) {
    std::vector<Revision> out;
    Revision from = direction == Direction::kForwards ? 0 : kFromEnd;
    *pages = 0;
    for (;;) {
      const ReadResult r = Stream(from, direction, page);
      ++*pages;
      for (const RecordedEvent& e : r.events) out.push_back(e.revision);
      if (r.end_reached || *pages > 100) break;
      from = r.next;
    }
    return out;
  }

  // Positions of the log matching `filter`, read page by page.
  std::vector<Position> WalkAll(Direction direction, size_t page,
                                const EventFilter& filter, int* pages) {
    std::vector<Position> out;
    Position from = direction == Direction::kForwards ? 1 : kFromEnd;
    *pages = 0;
    for (;;) {
      const ReadResult r = All(from, direction, page, filter);
      ++*pages;
      for (const RecordedEvent& e : r.events) out.push_back(e.position);
      if (r.end_reached || *pages > 1000) break;
      from = r.next;
    }
    return out;
  }

  static EventFilter TypeFilter(std::vector<std::string> types) {
    EventFilter f;
    f.event_types = std::move(types);
    return f;
  }

  static EventFilter PrefixFilter(std::string prefix) {
    EventFilter f;
    f.stream_prefix = std::move(prefix);
    return f;
  }

  static std::vector<Position> Reversed(std::vector<Position> v) {
    return std::vector<Position>(v.rbegin(), v.rend());
  }
};

TEST_F(ReadTest, StreamForwardsFromStartReturnsEveryRevision) {
  AppendInterleaved();
  const ReadResult r = Stream(0, Direction::kForwards, 100);
  EXPECT_EQ(RevisionsOf(r.events), Range(0, 9));
  EXPECT_TRUE(r.end_reached);
}

TEST_F(ReadTest, StreamEventsCarryTheirGlobalPositions) {
  AppendInterleaved();
  EXPECT_THAT(PositionsOf(Stream(0, Direction::kForwards, 3).events),
              ElementsAre(1, 3, 5));
}

TEST_F(ReadTest, StreamForwardsStopsAtMaxCountWithNext) {
  AppendInterleaved();
  const ReadResult r = Stream(3, Direction::kForwards, 4);
  EXPECT_EQ(RevisionsOf(r.events), Range(3, 6));
  EXPECT_FALSE(r.end_reached);
  EXPECT_EQ(r.next, 7u);
}

TEST_F(ReadTest, StreamForwardsEndingOnLastEventReachesEnd) {
  AppendInterleaved();
  EXPECT_TRUE(Stream(6, Direction::kForwards, 4).end_reached);
}

TEST_F(ReadTest, StreamForwardsPastEndIsEmptyAndEndReached) {
  AppendInterleaved();
  const ReadResult r = Stream(10, Direction::kForwards, 4);
  EXPECT_THAT(r.events, IsEmpty());
  EXPECT_TRUE(r.end_reached);
}

TEST_F(ReadTest, StreamBackwardsFromEndStartsAtLastEvent) {
  AppendInterleaved();
  const ReadResult r = Stream(kFromEnd, Direction::kBackwards, 3);
  EXPECT_THAT(RevisionsOf(r.events), ElementsAre(9, 8, 7));
  EXPECT_FALSE(r.end_reached);
  EXPECT_EQ(r.next, 6u);
}

TEST_F(ReadTest, StreamBackwardsFromRevisionReachesRevisionZero) {
  AppendInterleaved();
  const ReadResult r = Stream(4, Direction::kBackwards, 100);
  EXPECT_THAT(RevisionsOf(r.events), ElementsAre(4, 3, 2, 1, 0));
  EXPECT_TRUE(r.end_reached);
}

TEST_F(ReadTest, StreamWalkForwardsInPagesVisitsEveryRevisionOnce) {
  AppendInterleaved();
  int pages = 0;
  EXPECT_EQ(WalkStream(Direction::kForwards, 3, &pages), Range(0, 9));
  EXPECT_EQ(pages, 4);
}

TEST_F(ReadTest, StreamWalkBackwardsInPagesVisitsEveryRevisionOnce) {
  AppendInterleaved();
  int pages = 0;
  EXPECT_THAT(WalkStream(Direction::kBackwards, 3, &pages),
              ElementsAre(9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
  EXPECT_EQ(pages, 4);
}

TEST_F(ReadTest, UnknownStreamIsStreamNotFound) {
  AppendInterleaved();
  EXPECT_THAT(ReadStreamStatus("review-2"),
              IsError(absl::StatusCode::kNotFound, kReasonStreamNotFound));
}

TEST_F(ReadTest, StreamNameThatPrefixesAnotherIsNotFound) {
  AppendInterleaved();
  EXPECT_THAT(ReadStreamStatus("review-"),
              IsError(absl::StatusCode::kNotFound, kReasonStreamNotFound));
}

TEST_F(ReadTest, StreamsSharingAPrefixAreReadSeparately) {
  AppendOk("r", Events(2));
  AppendOk("r1", Events(3));
  AppendOk("r", Events(1));
  EXPECT_THAT(PositionsOf(Stream(0, Direction::kForwards, 100, "r").events),
              ElementsAre(1, 2, 6));
  EXPECT_THAT(
      PositionsOf(Stream(kFromEnd, Direction::kBackwards, 100, "r").events),
      ElementsAre(6, 2, 1));
}

TEST_F(ReadTest, AllForwardsFromZeroStartsAtPositionOne) {
  AppendInterleaved();
  const ReadResult r = All(0, Direction::kForwards, 100);
  EXPECT_EQ(PositionsOf(r.events), Range(1, 20));
  EXPECT_TRUE(r.end_reached);
}

TEST_F(ReadTest, AllForwardsStopsAtMaxCountWithNext) {
  AppendInterleaved();
  const ReadResult r = All(1, Direction::kForwards, 5);
  EXPECT_EQ(PositionsOf(r.events), Range(1, 5));
  EXPECT_FALSE(r.end_reached);
  EXPECT_EQ(r.next, 6u);
}

TEST_F(ReadTest, AllBackwardsFromEndStartsAtHead) {
  AppendInterleaved();
  const ReadResult r = All(kFromEnd, Direction::kBackwards, 3);
  EXPECT_THAT(PositionsOf(r.events), ElementsAre(20, 19, 18));
  EXPECT_FALSE(r.end_reached);
  EXPECT_EQ(r.next, 17u);
}

TEST_F(ReadTest, AllForwardsPastHeadIsEmptyAndEndReached) {
  AppendInterleaved();
  const ReadResult r = All(21, Direction::kForwards, 5);
  EXPECT_THAT(r.events, IsEmpty());
  EXPECT_TRUE(r.end_reached);
}

TEST_F(ReadTest, AllOnEmptyLogReachesEndBothWays) {
  EXPECT_TRUE(All(1, Direction::kForwards, 5).end_reached);
  EXPECT_TRUE(All(kFromEnd, Direction::kBackwards, 5).end_reached);
}

TEST_F(ReadTest, AllWalkForwardsInPagesVisitsEveryPositionOnce) {
  AppendInterleaved();
  int pages = 0;
  EXPECT_EQ(WalkAll(Direction::kForwards, 6, {}, &pages), Range(1, 20));
  EXPECT_EQ(pages, 4);
}

TEST_F(ReadTest, AllWalkBackwardsInPagesVisitsEveryPositionOnce) {
  AppendInterleaved();
  int pages = 0;
  EXPECT_EQ(WalkAll(Direction::kBackwards, 6, {}, &pages),
            Reversed(Range(1, 20)));
  EXPECT_EQ(pages, 4);
}

TEST_F(ReadTest, AllReturnsTheSameEventsAsStreamReads) {
  AppendInterleaved();
  const ReadResult all = All(3, Direction::kForwards, 1);
  const ReadResult stream = Stream(1, Direction::kForwards, 1);
  ASSERT_EQ(all.events.size(), 1u);
  ASSERT_EQ(stream.events.size(), 1u);
  EXPECT_EQ(all.events[0].id, stream.events[0].id);
  EXPECT_EQ(all.events[0].hash, stream.events[0].hash);
  EXPECT_EQ(all.events[0].recorded_at, stream.events[0].recorded_at);
}

TEST_F(ReadTest, AllWithStreamPrefixReturnsOnlyThoseStreams) {
  AppendInterleaved();
  const ReadResult r = All(1, Direction::kForwards, 100, PrefixFilter("task-"));
  EXPECT_THAT(PositionsOf(r.events),
              ElementsAre(2, 4, 6, 8, 10, 12, 14, 16, 18, 20));
}

TEST_F(ReadTest, AllWithEventTypesReturnsOnlyThoseTypes) {
  AppendInterleaved();
  AppendOk("misc", {Event("test.C")});
  const ReadResult r =
      All(1, Direction::kForwards, 100, TypeFilter({"test.A", "test.C"}));
  EXPECT_THAT(PositionsOf(r.events),
              ElementsAre(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21));
}

TEST_F(ReadTest, AllWithPrefixAndTypesRequiresBoth) {
  AppendInterleaved();
  EventFilter f = PrefixFilter("review-");
  f.event_types = {"test.B"};
  EXPECT_THAT(All(1, Direction::kForwards, 100, f).events, IsEmpty());
}

TEST_F(ReadTest, FilteredWalkInSmallPagesVisitsEveryMatchOnce) {
  AppendInterleaved();
  int pages = 0;
  EXPECT_THAT(WalkAll(Direction::kForwards, 3, PrefixFilter("review-"), &pages),
              ElementsAre(1, 3, 5, 7, 9, 11, 13, 15, 17, 19));
}

TEST_F(ReadTest, FilteredWalkBackwardsVisitsEveryMatchOnce) {
  AppendInterleaved();
  int pages = 0;
  EXPECT_THAT(WalkAll(Direction::kBackwards, 3, TypeFilter({"test.B"}), &pages),
              ElementsAre(20, 18, 16, 14, 12, 10, 8, 6, 4, 2));
}

TEST_F(ReadTest, SelectiveFilterOverLongLogIsReadInSeveralCalls) {
  // 12003 events; three "needle" events far apart.
  std::vector<Position> needles;
  for (int batch = 0; batch < 12; ++batch) {
    AppendOk("bulk", Events(kMaxBatchEvents, "test.Bulk"));
    if (batch == 0 || batch == 5 || batch == 11) {
      needles.push_back(
          AppendOk("needle", {Event("test.Needle")}).first_position);
    }
  }
  int pages = 0;
  EXPECT_EQ(
      WalkAll(Direction::kForwards, 10, TypeFilter({"test.Needle"}), &pages),
      needles);
  EXPECT_GT(pages, 1);
  EXPECT_EQ(WalkAll(Direction::kBackwards, 10, PrefixFilter("needle"), &pages),
            Reversed(needles));
}

TEST_F(ReadTest, ReadsAfterCloseAreStoreClosed) {
  AppendInterleaved();
  store_->Close();
  EXPECT_THAT(store_->ReadAll(1, Direction::kForwards, 10, {}).status(),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
  EXPECT_THAT(ReadStreamStatus(kReview),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
}

}  // namespace
}  // namespace oversight::eventstore
