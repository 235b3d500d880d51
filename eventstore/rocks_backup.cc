// RocksEventStore::Backup: online backups with RocksDB's Checkpoint API.

#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/backup.h"
#include "eventstore/errors.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"

namespace oversight::eventstore {
namespace {

namespace fs = std::filesystem;

// The head of the store in `dir`, read through a read-only RocksDB (which
// replays the copied write-ahead log in memory and writes nothing).
absl::StatusOr<ChainHead> ReadBackupHead(const std::string& dir) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (absl::string_view name : kColumnFamilyNames) {
    descriptors.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir,
                                                   descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening the backup ", dir));
  std::unique_ptr<rocksdb::DB> db(raw);
  ChainHead head;
  absl::Status result;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(
        rocksdb::ReadOptions(), handles[static_cast<int>(ColumnFamily::kLog)]));
    it->SeekToLast();
    if (it->Valid()) {
      absl::StatusOr<RecordedEvent> last = DecodeStoredValue(
          absl::string_view(it->value().data(), it->value().size()));
      if (!last.ok()) {
        result = last.status();
      } else {
        head.position = last->position;
        head.hash = last->hash;
        head.recorded_at = last->recorded_at;
      }
    }
    if (result.ok() && !it->status().ok()) {
      result = FromRocks(it->status(), "reading the backup's head");
    }
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    db->DestroyColumnFamilyHandle(h);
  }
  if (!result.ok()) return result;
  return head;
}

}  // namespace

absl::StatusOr<BackupInfo> RocksEventStore::Backup(const std::string& dest) {
  if (dest.empty()) {
    return WithReason(absl::InvalidArgumentError("no backup directory given"),
                      kReasonInvalidArgument);
  }
  std::error_code ec;
  const fs::path path = fs::absolute(fs::path(dest), ec).lexically_normal();
  if (ec) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat(
                          "backup directory ", dest, ": ", ec.message())),
                      kReasonInvalidArgument);
  }
  if (fs::exists(fs::symlink_status(path, ec))) {
    return WithReason(absl::AlreadyExistsError(absl::StrCat(
                          "backup directory ", path.string(),
                          " already exists; a backup never overwrites")),
                      kReasonBackupExists);
  }
  if (!fs::is_directory(path.parent_path(), ec)) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "the directory to hold the backup, ", path.parent_path().string(),
            ", does not exist or is not a directory")),
        kReasonBackupParentMissing);
  }
  {
    absl::ReaderMutexLock db_lock(&db_mu_);
    if (db_ == nullptr) return StoreClosedError();
    rocksdb::Checkpoint* raw = nullptr;
    rocksdb::Status s = rocksdb::Checkpoint::Create(db_, &raw);
    if (!s.ok()) return FromRocks(s, "starting a backup");
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // log_size_for_flush 0: flush every column family first, so the
    // backup is its table files plus a short write-ahead log. RocksDB
    // stages the files in dest + ".tmp" and removes them on failure.
    s = checkpoint->CreateCheckpoint(path.string(), 0);
    if (!s.ok()) {
      if (s.IsInvalidArgument() && fs::exists(path, ec)) {
        // Someone else made it between the check above and now.
        return WithReason(absl::AlreadyExistsError(absl::StrCat(
                              "backup directory ", path.string(),
                              " already exists; a backup never overwrites")),
                          kReasonBackupExists);
      }
      return FromRocks(s, absl::StrCat("backing up to ", path.string()));
    }
  }
  absl::StatusOr<ChainHead> head = ReadBackupHead(path.string());
  if (!head.ok()) {
    // A backup whose head cannot be read back is no backup: leave nothing.
    fs::remove_all(path, ec);
    return head.status();
  }
  BackupInfo info;
  info.dir = path.string();
  info.head = *head;
  return info;
}

}  // namespace oversight::eventstore
