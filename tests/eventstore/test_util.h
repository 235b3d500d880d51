// Shared helpers of the event log suites: building events, checking error
// reasons, and a base fixture holding a real RocksEventStore in a TempDir.
//
// Each suite derives its own fixture from StoreTest, so a test reads as
//   EXPECT_EQ(AppendOk("s", ExpectedRevision::Any(), {Event()}).first_position,
//             1);

#ifndef OVERSIGHT_TESTS_EVENTSTORE_TEST_UTIL_H_
#define OVERSIGHT_TESTS_EVENTSTORE_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/errors.h"
#include "eventstore/event_log.h"
#include "eventstore/limits.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace oversight::eventstore::test {

// The reason attached to `status`, or "" when there is none.
inline std::string Reason(const absl::Status& status) {
  return ReasonOf(status).value_or("");
}

// Matches a status with the given canonical code and reason.
MATCHER_P2(IsError, code, reason,
           std::string("has code ") + absl::StatusCodeToString(code) +
               " and reason " + std::string(reason)) {
  const absl::Status& status = arg;
  *result_listener << "code " << absl::StatusCodeToString(status.code())
                   << ", reason \"" << Reason(status) << "\", message \""
                   << status.message() << "\"";
  return status.code() == code && Reason(status) == reason;
}

// An event with a fresh random id.
inline ProposedEvent Event(std::string type = "test.Happened",
                           std::string data = "payload",
                           std::string metadata = "") {
  ProposedEvent e;
  e.id = EventId::Random();
  e.type = std::move(type);
  e.data = std::move(data);
  e.metadata = std::move(metadata);
  return e;
}

// `n` events with fresh ids and distinct data.
inline std::vector<ProposedEvent> Events(size_t n,
                                         std::string type = "test.Happened") {
  std::vector<ProposedEvent> events;
  events.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    events.push_back(Event(type, "data-" + std::to_string(i)));
  }
  return events;
}

inline std::vector<Position> PositionsOf(
    const std::vector<RecordedEvent>& events) {
  std::vector<Position> out;
  for (const RecordedEvent& e : events) out.push_back(e.position);
  return out;
}

inline std::vector<Revision> RevisionsOf(
    const std::vector<RecordedEvent>& events) {
  std::vector<Revision> out;
  for (const RecordedEvent& e : events) out.push_back(e.revision);
  return out;
}

// first, first + 1, ..., last.
inline std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t v = first; v <= last; ++v) out.push_back(v);
  return out;
}

// Options for tests: no fsync, and a 64 KiB memtable so that RocksDB
// flushes and compacts during the suites.
inline RocksEventStore::Options TestOptions() {
  RocksEventStore::Options options;
  options.sync = false;
  options.write_buffer_size = 64 << 10;
  return options;
}

// A fixture with a store open in a fresh directory.
class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : options_(TestOptions()) {}

  void SetUp() override { Open(); }

  absl::StatusOr<std::unique_ptr<RocksEventStore>> TryOpen(
      const RocksEventStore::Options& options) {
    return RocksEventStore::Open(dir_.path(), options);
  }

  // (Re)opens the store with options_.
  void Open() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<RocksEventStore>> store = TryOpen(options_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Closes and reopens the store with options_.
  void Reopen() { Open(); }

  absl::StatusOr<AppendResult> Append(absl::string_view stream,
                                      ExpectedRevision expected,
                                      std::vector<ProposedEvent> events) {
    return store_->Append(std::string(stream), expected, std::move(events));
  }

  // Appends and expects success.
  AppendResult AppendOk(absl::string_view stream, ExpectedRevision expected,
                        std::vector<ProposedEvent> events) {
    absl::StatusOr<AppendResult> r =
        Append(stream, expected, std::move(events));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : AppendResult{};
  }
  AppendResult AppendOk(absl::string_view stream,
                        std::vector<ProposedEvent> events) {
    return AppendOk(stream, ExpectedRevision::Any(), std::move(events));
  }

  // Appends and returns only the status.
  absl::Status AppendStatus(absl::string_view stream, ExpectedRevision expected,
                            std::vector<ProposedEvent> events) {
    return Append(stream, expected, std::move(events)).status();
  }

  Position HeadPosition() const { return store_->Head().position; }

  // Every event of the log, forwards, in pages of `page` events.
  std::vector<RecordedEvent> ReadAllEvents(const EventFilter& filter = {},
                                           size_t page = kMaxReadCount) {
    std::vector<RecordedEvent> all;
    Position from = 1;
    for (int guard = 0; guard < 100000; ++guard) {
      absl::StatusOr<ReadResult> r =
          store_->ReadAll(from, Direction::kForwards, page, filter);
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) break;
      for (RecordedEvent& e : r->events) all.push_back(std::move(e));
      if (r->end_reached) break;
      from = r->next;
    }
    return all;
  }

  // Every event of `stream`, forwards.
  std::vector<RecordedEvent> ReadStreamEvents(absl::string_view stream) {
    absl::StatusOr<ReadResult> r =
        store_->ReadStream(stream, 0, Direction::kForwards, kMaxReadCount);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->events : std::vector<RecordedEvent>{};
  }

  absl::Status ReadStreamStatus(absl::string_view stream) {
    return store_->ReadStream(stream, 0, Direction::kForwards, 1).status();
  }

  // Verify(from, to), expecting no error.
  VerifyResult VerifyOk(Position from, Position to) {
    absl::StatusOr<VerifyResult> v = store_->Verify(from, to);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : VerifyResult{};
  }

  oversight::testing::TempDir dir_;
  RocksEventStore::Options options_;
  std::unique_ptr<RocksEventStore> store_;
};

}  // namespace oversight::eventstore::test

#endif  // OVERSIGHT_TESTS_EVENTSTORE_TEST_UTIL_H_
