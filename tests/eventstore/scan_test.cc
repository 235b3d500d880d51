// Tests of EventLog::Scan: RocksEventStore's one-iterator scan and the
// default, page-by-page one, which must visit the same events with the
// same content, stop where asked, and stay within the head at the call.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eventstore/event_log.h"
#include "eventstore/limits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Event;
using test::Events;
using test::Range;
using ::testing::ElementsAreArray;

// The store through the base class's Scan (pages of ReadAll).
class PagedLog : public EventLog {
 public:
  explicit PagedLog(EventLog* log) : log_(log) {}
  void AppendAsync(std::string stream, ExpectedRevision expected,
                   std::vector<ProposedEvent> events,
                   AppendCallback done) override {
    log_->AppendAsync(std::move(stream), expected, std::move(events),
                      std::move(done));
  }
  absl::StatusOr<ReadResult> ReadStream(absl::string_view stream, Revision from,
                                        Direction direction,
                                        size_t max_count) override {
    return log_->ReadStream(stream, from, direction, max_count);
  }
  absl::StatusOr<ReadResult> ReadAll(Position from, Direction direction,
                                     size_t max_count,
                                     const EventFilter& filter) override {
    return log_->ReadAll(from, direction, max_count, filter);
  }
  absl::StatusOr<RecordedEvent> ReadEvent(const EventId& id) override {
    return log_->ReadEvent(id);
  }
  ChainHead Head() const override { return log_->Head(); }
  absl::StatusOr<VerifyResult> Verify(Position from, Position to) override {
    return log_->Verify(from, to);
  }
  std::unique_ptr<Subscription> Subscribe(Position from,
                                          EventFilter filter) override {
    return log_->Subscribe(from, std::move(filter));
  }

 private:
  EventLog* log_;
};

class ScanTest : public test::StoreTest,
                 public ::testing::WithParamInterface<bool> {
 protected:
  // The store itself, or the store through the default Scan.
  EventLog* log() {
    if (!GetParam()) return store_.get();
    if (paged_ == nullptr) paged_ = std::make_unique<PagedLog>(store_.get());
    return paged_.get();
  }

  // Appends `n` events over three streams, in batches of up to 7.
  void Fill(int n) {
    int i = 0;
    while (i < n) {
      const int batch = std::min(7, n - i);
      AppendOk("stream-" + std::to_string(i % 3), Events(batch));
      i += batch;
    }
  }

  // Everything ReadAll returns from `from`, page by page.
  std::vector<RecordedEvent> ReadAllFrom(Position from) {
    std::vector<RecordedEvent> out;
    for (;;) {
      absl::StatusOr<ReadResult> page =
          store_->ReadAll(from, Direction::kForwards, kMaxReadCount, {});
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (RecordedEvent& e : page->events) out.push_back(std::move(e));
      if (page->end_reached) break;
      from = page->next;
    }
    return out;
  }

  std::unique_ptr<PagedLog> paged_;
};

TEST_P(ScanTest, VisitsEveryEventWithItsContentInOrder) {
  Fill(2500);  // more than two pages of the default scan
  std::vector<RecordedEvent> seen;
  absl::StatusOr<Position> last = log()->Scan(0, [&](const RecordedEvent& e) {
    seen.push_back(e);
    return absl::OkStatus();
  });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 2500u);
  const std::vector<RecordedEvent> expected = ReadAllFrom(1);
  ASSERT_EQ(seen.size(), expected.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(seen[i].position, expected[i].position);
    EXPECT_EQ(seen[i].stream, expected[i].stream);
    EXPECT_EQ(seen[i].revision, expected[i].revision);
    EXPECT_EQ(seen[i].type, expected[i].type);
    EXPECT_EQ(seen[i].data, expected[i].data);
    EXPECT_EQ(seen[i].metadata, expected[i].metadata);
    EXPECT_EQ(seen[i].id, expected[i].id);
    EXPECT_EQ(seen[i].hash, expected[i].hash);
    EXPECT_EQ(seen[i].recorded_at, expected[i].recorded_at);
  }
}

TEST_P(ScanTest, StartsWhereAsked) {
  Fill(40);
  std::vector<uint64_t> positions;
  absl::StatusOr<Position> last = log()->Scan(31, [&](const RecordedEvent& e) {
    positions.push_back(e.position);
    return absl::OkStatus();
  });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 40u);
  EXPECT_THAT(positions, ElementsAreArray(Range(31, 40)));
}

TEST_P(ScanTest, PastTheHeadVisitsNothing) {
  Fill(5);
  int visits = 0;
  absl::StatusOr<Position> last = log()->Scan(6, [&](const RecordedEvent&) {
    ++visits;
    return absl::OkStatus();
  });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 5u);
  EXPECT_EQ(visits, 0);
}

TEST_P(ScanTest, AnEmptyLogVisitsNothing) {
  int visits = 0;
  absl::StatusOr<Position> last = log()->Scan(1, [&](const RecordedEvent&) {
    ++visits;
    return absl::OkStatus();
  });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 0u);
  EXPECT_EQ(visits, 0);
}

TEST_P(ScanTest, StopsAtTheVisitorsError) {
  Fill(1500);
  std::vector<uint64_t> positions;
  absl::StatusOr<Position> last =
      log()->Scan(1, [&](const RecordedEvent& e) -> absl::Status {
        positions.push_back(e.position);
        if (e.position == 1200) return absl::CancelledError("enough");
        return absl::OkStatus();
      });
  EXPECT_EQ(last.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(last.status().message(), "enough");
  EXPECT_THAT(positions, ElementsAreArray(Range(1, 1200)));
}

TEST_P(ScanTest, AppendsDuringTheScanAreNotVisited) {
  Fill(10);
  std::vector<uint64_t> positions;
  absl::StatusOr<Position> last = log()->Scan(1, [&](const RecordedEvent& e) {
    positions.push_back(e.position);
    if (e.position == 3) AppendOk("late", {Event()});
    return absl::OkStatus();
  });
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 10u);
  EXPECT_THAT(positions, ElementsAreArray(Range(1, 10)));
  EXPECT_EQ(store_->Head().position, 11u);
}

TEST_P(ScanTest, AClosedStoreIsUnavailable) {
  Fill(3);
  store_->Close();
  absl::StatusOr<Position> last =
      log()->Scan(1, [](const RecordedEvent&) { return absl::OkStatus(); });
  EXPECT_EQ(last.status().code(), absl::StatusCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(RocksAndPaged, ScanTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Paged" : "Rocks";
                         });

}  // namespace
}  // namespace oversight::eventstore
