// RocksEventStore::Backup: an online checkpoint of the open store. The
// backup is a store of its own whose head is the one reported, whose log
// is a prefix of the source's with the same records and hashes, and whose
// chain verifies, even with appends running while it is taken; a
// destination that exists, or whose parent is missing, is refused and
// leaves nothing behind.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/backup.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore::test {
namespace {

namespace fs = std::filesystem;

class StoreBackupTest : public StoreTest {
 protected:
  // Opens the store in `dir` with verification on open.
  static std::unique_ptr<RocksEventStore> OpenBackup(const std::string& dir) {
    RocksEventStore::Options options = TestOptions();
    options.create_if_missing = false;
    options.verify_on_open = true;
    absl::StatusOr<std::unique_ptr<RocksEventStore>> store =
        RocksEventStore::Open(dir, options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // Every event of `store`, forwards.
  static std::vector<RecordedEvent> AllOf(RocksEventStore& store) {
    std::vector<RecordedEvent> all;
    absl::StatusOr<Position> last = store.Scan(1, [&](const RecordedEvent& e) {
      all.push_back(e);
      return absl::OkStatus();
    });
    EXPECT_TRUE(last.ok()) << last.status();
    return all;
  }

  static void ExpectSameEvent(const RecordedEvent& a, const RecordedEvent& b) {
    EXPECT_EQ(a.position, b.position);
    EXPECT_EQ(a.stream, b.stream);
    EXPECT_EQ(a.revision, b.revision);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.data, b.data);
    EXPECT_EQ(a.metadata, b.metadata);
    EXPECT_EQ(a.recorded_at, b.recorded_at);
    EXPECT_EQ(a.hash, b.hash);
  }

  oversight::testing::TempDir backups_;
};

TEST_F(StoreBackupTest, AnEmptyStoreBacksUpToAnEmptyStore) {
  absl::StatusOr<BackupInfo> backup = store_->Backup(backups_.Sub("empty"));
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_EQ(backup->head.position, 0u);
  EXPECT_EQ(backup->head.hash, kGenesisHash);
  std::unique_ptr<RocksEventStore> copy = OpenBackup(backup->dir);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->Head().position, 0u);
}

TEST_F(StoreBackupTest, TheBackupHoldsTheHeadItReports) {
  for (int i = 0; i < 20; ++i) {
    AppendOk("stream-" + std::to_string(i % 3), Events(5));
  }
  const ChainHead source = store_->Head();
  absl::StatusOr<BackupInfo> backup = store_->Backup(backups_.Sub("b1"));
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_TRUE(fs::path(backup->dir).is_absolute());
  EXPECT_EQ(fs::path(backup->dir).filename(), "b1");
  EXPECT_EQ(backup->head.position, source.position);
  EXPECT_EQ(backup->head.hash, source.hash);
  EXPECT_EQ(backup->head.recorded_at, source.recorded_at);
  // The source goes on; the backup does not follow it.
  AppendOk("after", Events(3));

  std::unique_ptr<RocksEventStore> copy = OpenBackup(backup->dir);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->Head().position, source.position);
  EXPECT_EQ(copy->Head().hash, source.hash);
  // Indexes came along: streams, revisions and event ids.
  absl::StatusOr<ReadResult> stream =
      copy->ReadStream("stream-1", 0, Direction::kForwards, kMaxReadCount);
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_EQ(stream->events.size(), 35u);
  absl::StatusOr<RecordedEvent> by_id = copy->ReadEvent(stream->events[0].id);
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_THAT(copy->ReadStream("after", 0, Direction::kForwards, 1).status(),
              IsError(absl::StatusCode::kNotFound, kReasonStreamNotFound));
  // The backup is a store of its own: it takes appends, after its head.
  absl::StatusOr<AppendResult> appended =
      copy->Append("in-the-copy", ExpectedRevision::NoStream(), Events(1));
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->first_position, source.position + 1);
}

// Appends run on four threads while backups are taken: each backup's head
// is a position of the source's log with that position's hash, its log is
// the source's up to there, record for record, and its chain verifies.
TEST_F(StoreBackupTest, BackupsTakenDuringAppendsArePrefixesOfTheLog) {
  AppendOk("seed", Events(10));
  std::atomic<bool> stop{false}, failed{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([this, t, &stop, &failed] {
      const std::string stream = "writer-" + std::to_string(t);
      while (!stop.load()) {
        absl::StatusOr<AppendResult> r =
            store_->Append(stream, ExpectedRevision::Any(), Events(3));
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          failed.store(true);
          return;
        }
      }
    });
  }
  std::vector<BackupInfo> backups;
  for (int i = 0; i < 3; ++i) {
    // Wait for progress between backups, by events rather than by time.
    const Position before = store_->Head().position;
    while (!failed.load() && store_->Head().position < before + 30) {
      std::this_thread::yield();
    }
    absl::StatusOr<BackupInfo> backup =
        store_->Backup(backups_.Sub("during-" + std::to_string(i)));
    ASSERT_TRUE(backup.ok()) << backup.status();
    backups.push_back(*backup);
  }
  stop.store(true);
  for (std::thread& w : writers) w.join();

  const std::vector<RecordedEvent> source = AllOf(*store_);
  ASSERT_EQ(source.size(), store_->Head().position);
  Position previous = 0;
  for (const BackupInfo& backup : backups) {
    SCOPED_TRACE(backup.dir);
    EXPECT_GE(backup.head.position, previous);
    previous = backup.head.position;
    ASSERT_GE(backup.head.position, 10u);
    ASSERT_LE(backup.head.position, source.size());
    EXPECT_EQ(backup.head.hash, source[backup.head.position - 1].hash);

    std::unique_ptr<RocksEventStore> copy = OpenBackup(backup.dir);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->Head().position, backup.head.position);
    EXPECT_EQ(copy->Head().hash, backup.head.hash);
    const std::vector<RecordedEvent> copied = AllOf(*copy);
    ASSERT_EQ(copied.size(), backup.head.position);
    for (size_t i = 0; i < copied.size(); ++i) {
      ExpectSameEvent(copied[i], source[i]);
    }
    absl::StatusOr<VerifyResult> verified =
        copy->Verify(1, backup.head.position);
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_TRUE(verified->ok) << verified->problem;
  }
}

TEST_F(StoreBackupTest, AnExistingDestinationIsRefusedAndKept) {
  AppendOk("s", Events(2));
  const std::string dest = backups_.Sub("taken");
  ASSERT_TRUE(store_->Backup(dest).ok());
  EXPECT_THAT(store_->Backup(dest).status(),
              IsError(absl::StatusCode::kAlreadyExists, kReasonBackupExists));
  // Also a plain file of that name, untouched.
  const std::string file = backups_.Sub("a-file");
  { std::ofstream(file) << "keep me"; }
  EXPECT_THAT(store_->Backup(file).status(),
              IsError(absl::StatusCode::kAlreadyExists, kReasonBackupExists));
  std::ifstream in(file);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "keep me");
  // The first backup still opens.
  std::unique_ptr<RocksEventStore> copy = OpenBackup(dest);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->Head().position, 2u);
}

TEST_F(StoreBackupTest, AMissingParentIsRefusedAndLeavesNothing) {
  const std::string dest = backups_.Sub("no-such-dir/backup");
  EXPECT_THAT(store_->Backup(dest).status(),
              IsError(absl::StatusCode::kFailedPrecondition,
                      kReasonBackupParentMissing));
  EXPECT_FALSE(fs::exists(backups_.Sub("no-such-dir")));
  EXPECT_TRUE(fs::is_empty(backups_.path()));
}

TEST_F(StoreBackupTest, AClosedStoreTakesNoBackup) {
  store_->Close();
  EXPECT_THAT(store_->Backup(backups_.Sub("closed")).status(),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
  EXPECT_TRUE(fs::is_empty(backups_.path()));
}

}  // namespace
}  // namespace oversight::eventstore::test
