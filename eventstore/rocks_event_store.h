// RocksEventStore: the embedded EventLog, on RocksDB.
//
// Appends are queued and committed by a single writer thread in groups:
// the writer takes every append waiting, checks each against the state left
// by the ones before it (expected revision, event ids), assigns positions
// and chain hashes, and writes the whole group as one RocksDB WriteBatch
// with a synced WAL. One fsync thus acknowledges many callers, and
// positions stay gapless because only the writer assigns them.
//
// Layout on disk: rocks_layout.h and docs/storage-format.md.
//
// Example:
//   RocksEventStore::Options options;
//   absl::StatusOr<std::unique_ptr<RocksEventStore>> store =
//       RocksEventStore::Open("/var/lib/oversight", options);
//   if (absl::IsDataLoss(store.status())) { /* chain broken; says where */ }

#ifndef OVERSIGHT_EVENTSTORE_ROCKS_EVENT_STORE_H_
#define OVERSIGHT_EVENTSTORE_ROCKS_EVENT_STORE_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/backup.h"
#include "eventstore/event_log.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/snapshot_store.h"
#include "eventstore/subscription.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
class FileSystem;
}  // namespace rocksdb

namespace oversight::eventstore {

class RocksEventStore final : public EventLog, public SnapshotStore {
 public:
  struct Options {
    // Create the store if `dir` holds none.
    bool create_if_missing = true;
    // Recompute the whole hash chain on open; fail with DataLoss naming the
    // first bad position if it does not verify. When false, only the last
    // record is decoded.
    bool verify_on_open = true;
    // Sync the WAL before acknowledging. Turning this off is for tests that
    // do not care about durability; the server never does.
    bool sync = true;
    // Upper bounds on one commit group.
    size_t max_group_events = 8192;
    size_t max_group_bytes = size_t{32} << 20;
    // RocksDB memtable size; tests set it tiny to force flushes.
    size_t write_buffer_size = size_t{64} << 20;
    // Bound on events buffered per live subscriber.
    size_t subscriber_max_buffered = Subscription::kDefaultMaxBuffered;
    // Source of recording times; absl::Now when empty. Recording times
    // never go backwards even if this does.
    std::function<absl::Time()> clock;
    // For tests: the file system RocksDB works on (for instance one that
    // injects I/O errors), or else the Env; neither owned by the store
    // beyond keeping `file_system` alive. Both empty: the default Env.
    std::shared_ptr<rocksdb::FileSystem> file_system;
    rocksdb::Env* env = nullptr;
  };

  // Opens (or creates) the store in directory `dir`. Errors:
  // DataLoss (CHAIN_BROKEN / RECORD_CORRUPT) when verification fails,
  // naming the position; FailedPrecondition when `dir` holds something
  // else; Unavailable when RocksDB cannot open it.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<RocksEventStore>> Open(
      const std::string& dir, const Options& options);

  // Closes the store (see Close()).
  ~RocksEventStore() override;

  // Finishes every append already queued, fails later ones with
  // Unavailable (STORE_CLOSED), ends subscriptions, and closes RocksDB.
  // Idempotent.
  void Close();

  void AppendAsync(std::string stream, ExpectedRevision expected,
                   std::vector<ProposedEvent> events,
                   AppendCallback done) override;
  absl::StatusOr<ReadResult> ReadStream(absl::string_view stream, Revision from,
                                        Direction direction,
                                        size_t max_count) override;
  absl::StatusOr<ReadResult> ReadAll(Position from, Direction direction,
                                     size_t max_count,
                                     const EventFilter& filter) override;
  absl::StatusOr<RecordedEvent> ReadEvent(const EventId& id) override;
  // One iterator with readahead, not filling the block cache, decoding
  // into one reused event.
  absl::StatusOr<Position> Scan(
      Position from,
      absl::FunctionRef<absl::Status(const RecordedEvent&)> visit) override;

  // SnapshotStore, in the `snapshots` column family (rocks_snapshots.cc).
  absl::Status PutSnapshot(absl::string_view name,
                           const Snapshot& snapshot) override;
  absl::StatusOr<std::optional<Snapshot>> GetSnapshot(
      absl::string_view name) override;
  absl::Status DeleteSnapshot(absl::string_view name) override;
  ChainHead Head() const override;
  absl::StatusOr<VerifyResult> Verify(Position from, Position to) override;
  std::unique_ptr<Subscription> Subscribe(Position from,
                                          EventFilter filter) override;

  // Online backup (rocks_backup.cc): a RocksDB checkpoint of the whole
  // store, consistent at one moment, in the new directory `dest`, while
  // appends and reads go on. Returns the backup's absolute directory and
  // the head read back from the backup itself, so a store opened on it has
  // exactly that head (a group being committed at that moment may be in
  // the backup just before its callers are told). Errors, leaving nothing
  // at `dest`: AlreadyExists (BACKUP_EXISTS) when `dest` exists;
  // FailedPrecondition (BACKUP_PARENT_MISSING) when its parent is not a
  // directory; Unavailable when the store is closed or storage fails.
  // Checkpoints hard-link table files, so `dest` on the same filesystem
  // costs little space until the store compacts.
  [[nodiscard]] absl::StatusOr<BackupInfo> Backup(const std::string& dest);

  // Statistics since open: commit groups written and events in them.
  struct Stats {
    uint64_t groups = 0;
    uint64_t events = 0;
    uint64_t appends = 0;
  };
  Stats stats() const;

 private:
  // An append waiting for the writer thread.
  struct PendingAppend {
    std::string stream;
    ExpectedRevision expected = ExpectedRevision::Any();
    std::vector<ProposedEvent> events;
    AppendCallback done;
    size_t bytes = 0;
  };

  RocksEventStore(const std::string& dir, const Options& options);
  absl::Status OpenDb();
  // Opens the database read-only, so reads go on while it cannot be
  // opened for writing (a full disk).
  absl::Status OpenDbReadOnly();
  // Closes the database; the caller holds db_mu_ exclusively or is the
  // only thread left.
  void CloseDb();
  // After a failed write, RocksDB refuses every later write (its
  // background error) and its WAL may end in a torn record: the writer
  // closes and reopens the database, which replays what of the WAL is
  // whole, and reloads the head from it. Writer thread only.
  absl::Status ReopenDb();
  absl::Status LoadHead();
  void WriterLoop();
  void CommitGroup(std::vector<std::unique_ptr<PendingAppend>>& group);
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily which) const;
  absl::Time Now() const;

  const std::string dir_;
  const Options options_;
  // Reads hold db_mu_ shared and Close() holds it exclusively while it
  // closes RocksDB, so a read racing Close() (or after it) fails with
  // STORE_CLOSED instead of touching a closed database. The writer thread
  // needs no lock: Close() joins it first.
  mutable absl::Mutex db_mu_;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  // Built from options_.file_system; outlives db_.
  std::unique_ptr<rocksdb::Env> composite_env_;

  // Queue of appends waiting for the writer.
  absl::Mutex queue_mu_;
  std::deque<std::unique_ptr<PendingAppend>> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool closing_ ABSL_GUARDED_BY(queue_mu_) = false;
  size_t queued_bytes_ ABSL_GUARDED_BY(queue_mu_) = 0;
  std::thread writer_;

  // Last acknowledged record; written by the writer thread only.
  mutable absl::Mutex head_mu_;
  ChainHead head_ ABSL_GUARDED_BY(head_mu_);
  std::atomic<Position> visible_head_{0};

  // Writer-thread state: last revision of recently written streams.
  absl::flat_hash_map<std::string, Revision> revision_cache_;
  // Writer-thread state: a write failed, so db_ must be reopened before
  // the next one (ReopenDb).
  bool needs_reopen_ = false;

  std::shared_ptr<LiveHub> hub_;
  std::atomic<uint64_t> stat_groups_{0}, stat_events_{0}, stat_appends_{0};
  absl::Mutex close_mu_;
  bool closed_ ABSL_GUARDED_BY(close_mu_) = false;
};

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_ROCKS_EVENT_STORE_H_
