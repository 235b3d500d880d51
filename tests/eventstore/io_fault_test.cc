// Injected I/O faults (issue 8): RocksDB runs on FaultFs, which fails one
// chosen write, sync, close or directory sync, or every one of them (a
// full disk), or drops what was not synced (a power cut).
//
// As SQLite's I/O error tests do, the stepping tests first count the
// file-system calls one synced append makes, then for every N fail the Nth
// of them. Each time: the append fails UNAVAILABLE (never OK), reads of
// what was acknowledged go on, the head stays at the last acknowledged
// event, and once the fault clears the same append succeeds (or, if the
// failed write reached the WAL whole, is found already recorded), later
// appends succeed, and after a reopen every acknowledged event is there
// and the chain verifies.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eventstore/rocks_event_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/fault_fs.h"
#include "tests/eventstore/test_util.h"
#include "tests/testing/temp_dir.h"

namespace oversight::eventstore::test {
namespace {

using ::testing::Eq;

// An acknowledged event, as the caller was told.
struct Acked {
  EventId id;
  std::string stream;
  std::string data;
  Position position = 0;
};

// The append whose calls are stepped through.
enum class Workload {
  kSmall,  // One small event: one WAL write and one sync.
  kLarge,  // Three events of 900 KB: a WAL write larger than its buffer.
};

std::vector<ProposedEvent> WorkloadEvents(Workload w) {
  if (w == Workload::kSmall) return Events(1, "test.Small");
  std::vector<ProposedEvent> events;
  for (int i = 0; i < 3; ++i) {
    events.push_back(Event("test.Large", std::string(900 << 10, 'a' + i)));
  }
  return events;
}

std::string WorkloadName(Workload w) {
  return w == Workload::kSmall ? "small" : "large";
}

// One store on a fresh FaultFs in a fresh directory.
class Harness {
 public:
  // `via_file_system`: hand RocksDB the FaultFs through
  // Options::file_system rather than through Options::env (whose clock
  // cuts RocksDB's pauses after failures short).
  explicit Harness(bool via_file_system = false)
      : fs_(std::make_shared<FaultFs>()),
        env_(NewFaultEnv(fs_)),
        via_file_system_(via_file_system) {}

  FaultFs& fs() { return *fs_; }
  RocksEventStore& store() { return *store_; }

  RocksEventStore::Options StoreOptions() const {
    RocksEventStore::Options options;
    options.sync = true;
    options.verify_on_open = true;
    if (via_file_system_) {
      options.file_system = fs_;
    } else {
      options.env = env_.get();
    }
    return options;
  }

  void Open() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<RocksEventStore>> store =
        RocksEventStore::Open(dir_.path(), StoreOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void Close() { store_.reset(); }

  // Appends to stream "s"; records the events as acknowledged when OK.
  absl::StatusOr<AppendResult> Append(std::vector<ProposedEvent> events) {
    std::vector<ProposedEvent> copy = events;
    absl::StatusOr<AppendResult> r =
        store_->Append("s", ExpectedRevision::Any(), std::move(events));
    if (r.ok()) {
      for (size_t i = 0; i < copy.size(); ++i) {
        acked_.push_back(
            Acked{copy[i].id, "s", copy[i].data, r->first_position + i});
      }
    }
    return r;
  }

  Position LastAcked() const {
    Position last = 0;
    for (const Acked& a : acked_) last = std::max(last, a.position);
    return last;
  }

  // Every acknowledged event reads back, by id and from the log, and the
  // chain verifies up to the head.
  void CheckAcked(const std::string& when) {
    SCOPED_TRACE(when);
    for (const Acked& a : acked_) {
      absl::StatusOr<RecordedEvent> e = store_->ReadEvent(a.id);
      ASSERT_TRUE(e.ok()) << "acknowledged position " << a.position << ": "
                          << e.status();
      EXPECT_EQ(e->position, a.position);
      EXPECT_EQ(e->stream, a.stream);
      EXPECT_EQ(e->data, a.data);
    }
    absl::StatusOr<ReadResult> all =
        store_->ReadAll(1, Direction::kForwards, kMaxReadCount, EventFilter());
    ASSERT_TRUE(all.ok()) << all.status();
    const Position head = store_->Head().position;
    EXPECT_GE(head, LastAcked());
    if (head > 0) {
      absl::StatusOr<VerifyResult> v = store_->Verify(0, 0);
      ASSERT_TRUE(v.ok()) << v.status();
      EXPECT_TRUE(v->ok) << "position " << v->first_bad << ": " << v->problem;
    }
  }

 private:
  oversight::testing::TempDir dir_;
  std::shared_ptr<FaultFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  const bool via_file_system_;
  std::unique_ptr<RocksEventStore> store_;
  std::vector<Acked> acked_;
};

// Opens a store, acknowledges a few events, and counts the file-system
// calls one `workload` append makes.
uint64_t CountCalls(Workload workload, std::string* trace) {
  Harness h(/*via_file_system=*/true);
  h.Open();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(h.Append(Events(2)).ok());
  const uint64_t before = h.fs().calls();
  EXPECT_TRUE(h.Append(WorkloadEvents(workload)).ok());
  const uint64_t after = h.fs().calls();
  std::vector<std::string> calls = h.fs().Trace();
  *trace = absl::StrJoin(calls.begin() + before, calls.begin() + after, ", ");
  return after - before;
}

// After the failed append: reads go on, and nothing past the last
// acknowledged event shows.
void CheckAfterFailure(Harness& h) {
  EXPECT_EQ(h.store().Head().position, h.LastAcked());
  absl::StatusOr<ReadResult> all =
      h.store().ReadAll(1, Direction::kForwards, kMaxReadCount, EventFilter());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_THAT(PositionsOf(all->events), Eq(Range(1, h.LastAcked())));
  h.CheckAcked("while the fault stands");
}

// Retries `events` (the same ids) until the store takes them; it must
// within a few tries once the fault is gone.
void RetryUntilOk(Harness& h, const std::vector<ProposedEvent>& events) {
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<AppendResult> r = h.Append(events);
    if (r.ok()) return;
    last = r.status();
  }
  ADD_FAILURE() << "appends still fail after the fault cleared: " << last;
}

class IoFaultStepTest : public ::testing::TestWithParam<Workload> {};

TEST_P(IoFaultStepTest, EveryCallOfAnAppendFailsUnavailableAndRecovers) {
  std::string trace;
  const uint64_t count = CountCalls(GetParam(), &trace);
  ASSERT_GE(count, 2u) << trace;  // At least the WAL write and its sync.
  std::cerr << WorkloadName(GetParam()) << " append: " << count
            << " calls: " << trace << "\n";
  for (const FaultFs::Fault fault :
       {FaultFs::Fault::kIOError, FaultFs::Fault::kNoSpace}) {
    for (uint64_t n = 1; n <= count; ++n) {
      SCOPED_TRACE(absl::StrCat(
          "fault ", fault == FaultFs::Fault::kNoSpace ? "NoSpace" : "IOError",
          " at call ", n, " of ", count));
      Harness h;
      h.Open();
      for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.Append(Events(2)).ok());

      const std::vector<ProposedEvent> events = WorkloadEvents(GetParam());
      h.fs().FailAt(h.fs().calls() + n, fault);
      absl::StatusOr<AppendResult> r = h.Append(events);
      ASSERT_EQ(h.fs().failures(), 1u) << "the fault was not reached";
      ASSERT_FALSE(r.ok()) << "acknowledged an append whose I/O failed";
      EXPECT_THAT(r.status(), IsError(absl::StatusCode::kUnavailable,
                                      kReasonStorageUnavailable));
      CheckAfterFailure(h);

      h.fs().Clear();
      RetryUntilOk(h, events);
      ASSERT_TRUE(h.Append(Events(2)).ok());
      h.CheckAcked("after the fault cleared");

      h.Close();
      h.Open();
      h.CheckAcked("after reopening");
      ASSERT_TRUE(h.Append(Events(1)).ok());
    }
  }
}

// The fault, then a power cut before anything else: what was acknowledged
// was synced, so it survives; the failed append may or may not.
TEST_P(IoFaultStepTest, PowerCutAfterAFaultKeepsEveryAcknowledgedEvent) {
  std::string trace;
  const uint64_t count = CountCalls(GetParam(), &trace);
  for (uint64_t n = 1; n <= count; ++n) {
    for (const bool recover_first : {false, true}) {
      SCOPED_TRACE(absl::StrCat("fault at call ", n, " of ", count,
                                recover_first ? ", recovered, then" : ",",
                                " power cut"));
      Harness h;
      h.Open();
      for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.Append(Events(2)).ok());
      const std::vector<ProposedEvent> events = WorkloadEvents(GetParam());
      h.fs().FailAt(h.fs().calls() + n);
      ASSERT_FALSE(h.Append(events).ok());
      if (recover_first) {
        h.fs().Clear();
        RetryUntilOk(h, events);
        ASSERT_TRUE(h.Append(Events(2)).ok());
      }
      // The power cut: nothing more reaches the disk, not even at close.
      h.fs().FailAll(FaultFs::Fault::kIOError);
      h.Close();
      ASSERT_TRUE(h.fs().DropUnsyncedData().ok());
      h.fs().Clear();
      h.Open();
      h.CheckAcked("after the power cut");
      ASSERT_TRUE(h.Append(Events(1)).ok());
      h.CheckAcked("after appending past the power cut");
    }
  }
}

// The first append after a failed one reopens the database: closing its
// files, writing a new MANIFEST, WAL and OPTIONS file, flushing what the
// WAL held, syncing the directory. Step a second fault through every call
// of that append too: it fails UNAVAILABLE or succeeds, reads go on, and
// once the fault clears appends work, and survive a power cut.
// (The small append only: the recovery's calls are the same for the large
// one but for its three WAL writes, which the first test steps through.)
TEST(IoFaultTest, EveryCallOfTheRecoveryFailsUnavailableOrRecovers) {
  const Workload workload = Workload::kSmall;
  uint64_t count = 0;
  std::string trace;
  {
    Harness h;
    h.Open();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.Append(Events(2)).ok());
    const std::vector<ProposedEvent> events = WorkloadEvents(workload);
    h.fs().FailAt(h.fs().calls() + 1);
    ASSERT_FALSE(h.Append(events).ok());
    h.fs().Clear();
    const uint64_t before = h.fs().calls();
    ASSERT_TRUE(h.Append(events).ok());
    count = h.fs().calls() - before;
    std::vector<std::string> calls = h.fs().Trace();
    trace = absl::StrJoin(calls.begin() + before, calls.end(), ", ");
  }
  std::cerr << "recovering " << WorkloadName(workload) << " append: " << count
            << " calls: " << trace << "\n";
  ASSERT_GT(count, 2u) << trace;  // More than the append's own.
  // Faults RocksDB tolerates (closing the failed database's files) leave
  // the append OK; the others fail it.
  uint64_t failed = 0;
  for (uint64_t n = 1; n <= count; ++n) {
    SCOPED_TRACE(absl::StrCat("second fault at call ", n, " of ", count));
    Harness h;
    h.Open();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.Append(Events(2)).ok());
    const std::vector<ProposedEvent> events = WorkloadEvents(workload);
    h.fs().FailAt(h.fs().calls() + 1);
    ASSERT_FALSE(h.Append(events).ok());
    h.fs().FailAt(h.fs().calls() + n, FaultFs::Fault::kNoSpace);
    absl::StatusOr<AppendResult> r = h.Append(events);
    if (!r.ok()) {
      ++failed;
      EXPECT_THAT(r.status(), IsError(absl::StatusCode::kUnavailable,
                                      kReasonStorageUnavailable));
    }
    h.CheckAcked("after the second fault");
    h.fs().Clear();
    RetryUntilOk(h, events);
    ASSERT_TRUE(h.Append(Events(2)).ok());
    h.CheckAcked("after the faults cleared");

    h.fs().FailAll(FaultFs::Fault::kIOError);
    h.Close();
    ASSERT_TRUE(h.fs().DropUnsyncedData().ok());
    h.fs().Clear();
    h.Open();
    h.CheckAcked("after a power cut");
    ASSERT_TRUE(h.Append(Events(1)).ok());
  }
  std::cerr << failed << " of " << count << " faults failed the append\n";
}

INSTANTIATE_TEST_SUITE_P(Workloads, IoFaultStepTest,
                         ::testing::Values(Workload::kSmall, Workload::kLarge),
                         [](const auto& info) {
                           return WorkloadName(info.param);
                         });

// A failed sync leaves the batch whole in the WAL, and the reopen recovers
// it: the retry of the same append finds it recorded (deduplicated, at the
// position the failed append would have had), and a live subscriber gets
// it in order with what follows, staying live (the hub would otherwise see
// a gap and send every subscriber back to disk).
TEST(IoFaultTest, RecordsRecoveredFromTheWalReachLiveSubscribers) {
  Harness h;
  h.Open();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.Append(Events(2)).ok());
  std::unique_ptr<Subscription> sub = h.store().Subscribe(1, EventFilter());
  std::vector<Position> delivered;
  auto drain = [&](size_t count) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (delivered.size() < count && absl::Now() < deadline) {
      absl::StatusOr<SubscriptionBatch> b = sub->Next(256, absl::Seconds(1));
      ASSERT_TRUE(b.ok()) << b.status();
      for (const SharedEvent& e : b->events) delivered.push_back(e->position);
    }
  };
  drain(6);
  ASSERT_THAT(delivered, Eq(Range(1, 6)));

  const std::vector<ProposedEvent> events = Events(1);
  h.fs().FailAt(h.fs().calls() + 2);  // The WAL's sync (see CountCalls).
  ASSERT_FALSE(h.Append(events).ok());
  h.fs().Clear();
  absl::StatusOr<AppendResult> retry = h.Append(events);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_EQ(retry->first_position, 7u);
  ASSERT_TRUE(h.Append(Events(2)).ok());
  drain(9);
  EXPECT_THAT(delivered, Eq(Range(1, 9)));
  EXPECT_EQ(sub->fallbacks(), 0u);
  h.CheckAcked("after recovering");
}

// A full disk: every write and sync fails for a while. Appends fail
// UNAVAILABLE, reads go on (also once the store has tried to reopen its
// database and could not), and when space is freed appends work again.
TEST(IoFaultTest, FullDiskFailsAppendsUntilSpaceIsFreed) {
  Harness h;
  h.Open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(h.Append(Events(3)).ok());

  h.fs().FailAll(FaultFs::Fault::kNoSpace);
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(absl::StrCat("append ", i, " on the full disk"));
    absl::StatusOr<AppendResult> r = h.Append(Events(2));
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status(), IsError(absl::StatusCode::kUnavailable,
                                    kReasonStorageUnavailable));
    CheckAfterFailure(h);
  }
  EXPECT_GT(h.fs().failures(), 1u);

  h.fs().Clear();
  RetryUntilOk(h, Events(2));
  ASSERT_TRUE(h.Append(Events(2)).ok());
  h.CheckAcked("after space was freed");
  h.Close();
  h.Open();
  h.CheckAcked("after reopening");
}

// A full disk, then a power cut while it is still full.
TEST(IoFaultTest, PowerCutOnAFullDiskKeepsEveryAcknowledgedEvent) {
  Harness h;
  h.Open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(h.Append(Events(3)).ok());
  h.fs().FailAll(FaultFs::Fault::kNoSpace);
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(h.Append(Events(2)).ok());
  h.Close();
  ASSERT_TRUE(h.fs().DropUnsyncedData().ok());
  h.fs().Clear();
  h.Open();
  h.CheckAcked("after the power cut");
  ASSERT_TRUE(h.Append(Events(1)).ok());
}

}  // namespace
}  // namespace oversight::eventstore::test
