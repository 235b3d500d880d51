// Tests of concurrent appends and reads: positions stay gapless and unique,
// every acknowledged append is stored where it was reported, conflicts are
// reported as such, and group commit groups.

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "eventstore/errors.h"
#include "eventstore/rocks_event_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Event;
using test::PositionsOf;
using test::Range;
using test::RevisionsOf;

constexpr int kOwnThreads = 8;
constexpr int kOwnAppends = 200;
constexpr int kSharedThreads = 8;
constexpr int kSharedAppends = 25;  // Successful ones, per thread.
constexpr Position kTotal =
    kOwnThreads * kOwnAppends + kSharedThreads * kSharedAppends;

class ConcurrencyTest : public test::StoreTest {
 protected:
  ConcurrencyTest() {
    // Synced commits, as in production: the fsync is what makes appends
    // wait long enough to be grouped.
    options_.sync = true;
  }

  struct Ack {
    std::string stream;
    EventId id;
    Position position = 0;
    Revision revision = 0;
  };

  void Record(const std::string& stream, const EventId& id,
              const AppendResult& r) {
    absl::MutexLock lock(&mu_);
    acks_.push_back(Ack{stream, id, r.first_position, r.first_revision});
  }

  void Unexpected(const absl::Status& s) {
    absl::MutexLock lock(&mu_);
    unexpected_.push_back(s);
  }

  // Appends to a stream of its own, each time expecting the exact
  // revision it wrote last.
  void OwnStreamWriter(int t) {
    const std::string stream = "own-" + std::to_string(t);
    for (int i = 0; i < kOwnAppends; ++i) {
      ProposedEvent e = Event();
      const EventId id = e.id;
      absl::StatusOr<AppendResult> r =
          store_->Append(stream,
                         i == 0 ? ExpectedRevision::NoStream()
                                : ExpectedRevision::Exact(i - 1),
                         {std::move(e)});
      if (r.ok()) {
        Record(stream, id, *r);
      } else {
        Unexpected(r.status());
      }
    }
  }

  // Races the other shared writers on one stream with exact expected
  // revisions, learning the current revision from each conflict.
  void SharedStreamWriter() {
    std::optional<Revision> known;
    int written = 0;
    while (written < kSharedAppends) {
      ProposedEvent e = Event();
      const EventId id = e.id;
      const ExpectedRevision expected = known ? ExpectedRevision::Exact(*known)
                                              : ExpectedRevision::NoStream();
      absl::StatusOr<AppendResult> r =
          store_->Append("shared", expected, {std::move(e)});
      if (r.ok()) {
        if (r->first_revision != (known ? *known + 1 : 0)) {
          Unexpected(absl::InternalError("revision not expected + 1"));
        }
        Record("shared", id, *r);
        known = r->last_revision;
        ++written;
        continue;
      }
      const std::optional<std::optional<Revision>> current =
          CurrentRevisionOf(r.status());
      if (!absl::IsAborted(r.status()) ||
          test::Reason(r.status()) != kReasonWrongExpectedRevision ||
          !current.has_value()) {
        Unexpected(r.status());
        return;
      }
      conflicts_.fetch_add(1);
      known = *current;
    }
  }

  // Reads the log forwards while it grows; every page must continue
  // exactly where the previous one ended.
  void TailReader(const std::atomic<bool>& stop) {
    Position next = 1;
    while (!stop.load() || next <= HeadPosition()) {
      absl::StatusOr<ReadResult> r =
          store_->ReadAll(next, Direction::kForwards, 100, {});
      if (!r.ok()) {
        Unexpected(r.status());
        return;
      }
      for (const RecordedEvent& e : r->events) {
        if (e.position != next) {
          Unexpected(absl::InternalError("gap or repeat while tailing"));
          return;
        }
        ++next;
      }
      if (r->events.empty()) absl::SleepFor(absl::Microseconds(200));
    }
    tailed_ = next - 1;
  }

  void RunAll() {
    std::atomic<bool> stop{false};
    std::thread reader([&] { TailReader(stop); });
    std::vector<std::thread> writers;
    for (int t = 0; t < kOwnThreads; ++t) {
      writers.emplace_back([this, t] { OwnStreamWriter(t); });
    }
    for (int t = 0; t < kSharedThreads; ++t) {
      writers.emplace_back([this] { SharedStreamWriter(); });
    }
    for (std::thread& w : writers) w.join();
    stop = true;
    reader.join();
  }

  // Acknowledged appends whose event is not at the reported position.
  int MisplacedAcks(const std::vector<RecordedEvent>& log) {
    int misplaced = 0;
    for (const Ack& a : acks_) {
      if (a.position == 0 || a.position > log.size()) {
        ++misplaced;
        continue;
      }
      const RecordedEvent& e = log[a.position - 1];
      if (e.id != a.id || e.stream != a.stream || e.revision != a.revision) {
        ++misplaced;
      }
    }
    return misplaced;
  }

  absl::Mutex mu_;
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Status> unexpected_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> conflicts_{0};
  Position tailed_ = 0;
};

TEST_F(ConcurrencyTest, RacingAppendsKeepTheLogConsistent) {
  RunAll();
  absl::MutexLock lock(&mu_);
  ASSERT_TRUE(unexpected_.empty()) << unexpected_.front();
  const std::vector<RecordedEvent> log = ReadAllEvents();

  EXPECT_EQ(PositionsOf(log), Range(1, kTotal));
  EXPECT_EQ(acks_.size(), kTotal);
  EXPECT_EQ(MisplacedAcks(log), 0);
  EXPECT_EQ(RevisionsOf(ReadStreamEvents("shared")),
            Range(0, kSharedThreads * kSharedAppends - 1));
  EXPECT_EQ(RevisionsOf(ReadStreamEvents("own-3")), Range(0, kOwnAppends - 1));
  EXPECT_EQ(tailed_, kTotal);
  EXPECT_TRUE(VerifyOk(0, 0).ok);
}

TEST_F(ConcurrencyTest, GroupCommitWritesManyAppendsPerGroup) {
  RunAll();
  const RocksEventStore::Stats stats = store_->stats();
  RecordProperty("groups", static_cast<int>(stats.groups));
  RecordProperty("appends", static_cast<int>(stats.appends));
  RecordProperty("conflicts", conflicts_.load());
  EXPECT_EQ(stats.events, kTotal);
  EXPECT_EQ(stats.appends, kTotal + static_cast<uint64_t>(conflicts_.load()));
  EXPECT_LT(stats.groups, stats.appends);
}

}  // namespace
}  // namespace oversight::eventstore
