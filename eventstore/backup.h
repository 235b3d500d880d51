// Online backups of the event log: what a backup reports, and the reasons
// a backup is refused with. RocksEventStore::Backup (rocks_backup.cc) takes
// them with RocksDB's Checkpoint API while the log keeps serving.
//
// A backup directory is itself a complete store: open it as a data
// directory (oversightd --data_dir=BACKUP --verify_on_open) to restore.
// docs/operations.md describes backup, restore and verification.
//
// Example:
//   absl::StatusOr<BackupInfo> b = store->Backup("/var/backups/os/2025-01");
//   if (b.ok()) std::cout << b->head.position << " " <<
//   HashToHex(b->head.hash);

#ifndef OVERSIGHT_EVENTSTORE_BACKUP_H_
#define OVERSIGHT_EVENTSTORE_BACKUP_H_

#include <string>

#include "absl/strings/string_view.h"
#include "eventstore/types.h"

namespace oversight::eventstore {

// ALREADY_EXISTS: the backup's directory (or any file of that name) exists.
inline constexpr absl::string_view kReasonBackupExists = "BACKUP_EXISTS";
// FAILED_PRECONDITION: the directory the backup would go in is missing or
// is not a directory.
inline constexpr absl::string_view kReasonBackupParentMissing =
    "BACKUP_PARENT_MISSING";

struct BackupInfo {
  // The backup's directory, absolute.
  std::string dir;
  // The last record the backup holds, read from the backup itself: the
  // head a store opened on `dir` has.
  ChainHead head;
};

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_BACKUP_H_
