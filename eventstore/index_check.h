// The index half of RocksEventStore::Verify: checks `streams`,
// `stream_index` and `event_ids` against the records of the `log` whose
// chain the verifier has just checked. Internal to the event store.
//
// Verify feeds every record of [from, to] to AddRecord, in log order, and
// then calls Finish. Two strategies, chosen by the range's share of the
// log, keep the cost proportional to what is read:
//
//  * Scan (the range is at least 1/kScanRatio of the log, e.g. the whole
//    log on open): no random reads. AddRecord only adds the index entries
//    each record implies to an order-independent sum of 64-bit hashes;
//    Finish reads `stream_index` with `streams` (a merge of two scans, both
//    in stream order) and `event_ids` once each, adds the entries that
//    point into the range to the same kind of sum and compares. Equal sums
//    and counts mean the entries pointing into the range are exactly those
//    the records imply. Only when they differ is each record looked up (and
//    each entry's record read), to name the position.
//  * Look-up (a short range, e.g. one part of a long `oversight verify`):
//    AddRecord looks up the record's two entries, and Finish the `streams`
//    entry of each stream the range holds.
//
// Both also report entries that cannot be decoded or that point past the
// last record. All reads go through one RocksDB snapshot, shared with the
// log scan, so appends running meanwhile are not mistaken for damage.

#ifndef OVERSIGHT_EVENTSTORE_INDEX_CHECK_H_
#define OVERSIGHT_EVENTSTORE_INDEX_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eventstore/types.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
}  // namespace rocksdb

namespace oversight::eventstore::internal {

// A damaged index entry: the position it concerns (0 when none can be
// named) and what is wrong, starting with the column family's name.
struct IndexProblem {
  Position position = 0;
  std::string problem;
};

class IndexCheck {
 public:
  // Scan when (to - from + 1) * kScanRatio >= last: reading the whole of
  // two indexes costs about as much as kScanRatio look-ups per record.
  static constexpr uint64_t kScanRatio = 8;

  struct Families {
    rocksdb::ColumnFamilyHandle* log;
    rocksdb::ColumnFamilyHandle* streams;
    rocksdb::ColumnFamilyHandle* stream_index;
    rocksdb::ColumnFamilyHandle* event_ids;
  };

  // Checks the entries of the records in [from, to]; `last` is the last
  // position in `snapshot` (>= to).
  IndexCheck(rocksdb::DB* db, Families families,
             const rocksdb::Snapshot* snapshot, Position from, Position to,
             Position last);

  bool scanning() const { return scan_; }

  // The next record of the range, whose chain hash has been checked.
  // Unavailable when storage cannot be read.
  absl::Status AddRecord(const RecordedEvent& event);

  // After every record of the range: the problem to report (the lowest
  // position whose record and index entries disagree, else the lowest
  // other problem), or nullopt when the indexes agree with the records.
  absl::StatusOr<std::optional<IndexProblem>> Finish();

 private:
  // Problems in order of preference: a record's entries disagree with it
  // (exact); an entry's structure is wrong; the problem names no position.
  enum Rank { kRecord = 0, kStructure = 1, kNoPosition = 2 };
  void Note(Rank rank, Position position, std::string problem);

  absl::Status ScanStreamIndex();
  absl::Status ScanEventIds();
  absl::Status LookUpRecords(bool stream_index, bool event_ids);
  absl::Status LookUpEntries(bool stream_index, bool event_ids);
  absl::Status CheckRecordEntries(const RecordedEvent& event, bool stream_index,
                                  bool event_ids);
  absl::Status CheckStreamsByLookUp();
  bool InRange(Position p) const { return p >= from_ && p <= to_; }

  rocksdb::DB* const db_;
  const Families cf_;
  const rocksdb::Snapshot* const snapshot_;
  const Position from_, to_, last_;
  const bool scan_;

  // Scan: sums and counts of the entries the records imply, and of those
  // found pointing into the range.
  struct Sum {
    uint64_t hash = 0;
    uint64_t count = 0;
    void Add(absl::string_view key, absl::string_view value);
    bool operator==(const Sum& o) const {
      return hash == o.hash && count == o.count;
    }
  };
  Sum implied_stream_index_, implied_event_ids_;
  Sum found_stream_index_, found_event_ids_;
  std::string key_buf_;

  // Look-up: per stream of the range, its highest revision and position.
  absl::flat_hash_map<std::string, std::pair<Revision, Position>> streams_;

  std::optional<IndexProblem> best_[3];
};

}  // namespace oversight::eventstore::internal

#endif  // OVERSIGHT_EVENTSTORE_INDEX_CHECK_H_
