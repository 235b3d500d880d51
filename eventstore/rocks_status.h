// Internal to eventstore/: converts rocksdb::Status into absl::Status so
// that RocksDB's types never leave this folder.

#ifndef OVERSIGHT_EVENTSTORE_ROCKS_STATUS_H_
#define OVERSIGHT_EVENTSTORE_ROCKS_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "eventstore/errors.h"
#include "rocksdb/status.h"

namespace oversight::eventstore {

// Corruption becomes DataLoss (RECORD_CORRUPT); every other failure becomes
// Unavailable (STORAGE_UNAVAILABLE): a retry, perhaps after an operator
// frees disk space, may succeed.
inline absl::Status FromRocks(const rocksdb::Status& s,
                              absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(context, ": ", s.ToString());
  if (s.IsCorruption()) {
    return WithReason(absl::DataLossError(message), kReasonRecordCorrupt);
  }
  return WithReason(absl::UnavailableError(message), kReasonStorageUnavailable);
}

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_ROCKS_STATUS_H_
