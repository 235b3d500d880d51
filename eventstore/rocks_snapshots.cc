// RocksEventStore as a SnapshotStore: snapshots live in their own column
// family, outside the hash chain. See rocks_layout.h for the value format.

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/rocks_status.h"
#include "rocksdb/db.h"

namespace oversight::eventstore {

absl::Status RocksEventStore::PutSnapshot(absl::string_view name,
                                          const Snapshot& snapshot) {
  std::string value;
  value.reserve(kSnapshotHeaderSize + snapshot.data.size());
  PutFixed64BE(&value, snapshot.position);
  for (int shift = 24; shift >= 0; shift -= 8) {
    value.push_back(static_cast<char>((snapshot.version >> shift) & 0xFF));
  }
  value.append(snapshot.data);
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = db_->Put(wo, cf(ColumnFamily::kSnapshots),
                               rocksdb::Slice(name.data(), name.size()), value);
  return FromRocks(s, absl::StrCat("writing snapshot ", name));
}

absl::StatusOr<std::optional<Snapshot>> RocksEventStore::GetSnapshot(
    absl::string_view name) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kSnapshots),
               rocksdb::Slice(name.data(), name.size()), &value);
  if (s.IsNotFound()) return std::optional<Snapshot>();
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading snapshot ", name));
  if (value.size() < kSnapshotHeaderSize) {
    return WithReason(absl::DataLossError(absl::StrCat(
                          "snapshot ", name, " is shorter than its header")),
                      kReasonRecordCorrupt);
  }
  Snapshot snapshot;
  snapshot.position = GetFixed64BE(value.data());
  for (int i = 8; i < 12; ++i) {
    snapshot.version = (snapshot.version << 8) | static_cast<uint8_t>(value[i]);
  }
  snapshot.data = value.substr(kSnapshotHeaderSize);
  return std::optional<Snapshot>(std::move(snapshot));
}

absl::Status RocksEventStore::DeleteSnapshot(absl::string_view name) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = db_->Delete(wo, cf(ColumnFamily::kSnapshots),
                                  rocksdb::Slice(name.data(), name.size()));
  return FromRocks(s, absl::StrCat("deleting snapshot ", name));
}

}  // namespace oversight::eventstore
