// SnapshotStore: where state derived from the log (the read models'
// snapshots) is kept beside it, by name.
//
// Nothing here is part of the log: snapshots are not chained, not
// verified, and never needed for correctness. Losing or discarding one
// costs a rebuild from the log, nothing more. Each records the position it
// reflects and the version of the code that wrote it, so that a reader can
// refuse one written by other code.
//
// Example:
//   store->PutSnapshot("read-model", {head, kVersion, state_bytes});
//   absl::StatusOr<std::optional<Snapshot>> s =
//       store->GetSnapshot("read-model");

#ifndef OVERSIGHT_EVENTSTORE_SNAPSHOT_STORE_H_
#define OVERSIGHT_EVENTSTORE_SNAPSHOT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/types.h"

namespace oversight::eventstore {

struct Snapshot {
  Position position = 0;  // The last position the state includes.
  uint32_t version = 0;   // The writer's code version.
  std::string data;
};

class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;

  // Replaces the snapshot called `name`, durably (synced) before
  // returning. Unavailable on storage failure; the previous snapshot is
  // then still there.
  [[nodiscard]] virtual absl::Status PutSnapshot(absl::string_view name,
                                                 const Snapshot& snapshot) = 0;

  // The snapshot called `name`, nullopt when there is none. DataLoss if
  // the stored value is malformed.
  [[nodiscard]] virtual absl::StatusOr<std::optional<Snapshot>> GetSnapshot(
      absl::string_view name) = 0;

  [[nodiscard]] virtual absl::Status DeleteSnapshot(absl::string_view name) = 0;
};

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_SNAPSHOT_STORE_H_
