// RawStore: the physical limit for oversight_bench. The same writes the
// event log makes, done straight on RocksDB with a synced WAL, with the same
// column families and options as RocksEventStore but none of its work
// (no expected-revision check, no event-id lookup, no hashing, no queue).
//
// Example:
//   std::unique_ptr<RawStore> raw = RawStore::Open(dir, RawShape::kOversight,
//                                                  value_bytes);
//   RawStore::Writer w = raw->NewWriter("raw-0", /*seed=*/1);
//   absl::Status s = w.Write(/*events=*/100);  // one synced WriteBatch

#ifndef OVERSIGHT_BENCH_RAW_ROCKS_H_
#define OVERSIGHT_BENCH_RAW_ROCKS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace oversight::bench {

// What one event costs in RocksDB writes.
enum class RawShape {
  // As RocksEventStore writes it: the record (8-byte key, hash + record
  // value) in `log`, a `stream_index` entry and an `event_ids` entry per
  // event, and the stream head in `streams` once per batch; one WriteBatch.
  kOversight,
  // Only the record: one Put of the same key and value per event.
  kSinglePut,
};

absl::StatusOr<RawShape> ParseRawShape(const std::string& name);
const char* RawShapeName(RawShape shape);

// Bytes of a stored value (chain hash + encoded record) for an event with
// `data_bytes` of data, as RocksEventStore would store it.
size_t RecordValueBytes(size_t data_bytes, const std::string& stream,
                        const std::string& type);

class RawStore {
 public:
  // Opens a fresh RocksDB in `dir` with RocksEventStore's column families
  // and options. Values written are `value_bytes` of random bytes.
  static absl::StatusOr<std::unique_ptr<RawStore>> Open(const std::string& dir,
                                                        RawShape shape,
                                                        size_t value_bytes);
  ~RawStore();

  // Writes the events of one thread's stream; not thread-safe itself, but
  // any number of writers may write at once.
  class Writer {
   public:
    // Writes `events` events in one synced WriteBatch.
    absl::Status Write(int events);

   private:
    friend class RawStore;
    Writer(RawStore* store, std::string stream, uint64_t seed);
    RawStore* store_;
    std::string stream_;
    uint64_t revision_ = 0;
    std::mt19937_64 rng_;
  };
  Writer NewWriter(const std::string& stream, uint64_t seed);

  // Iterates over every record of the `log` column family in key order,
  // as the log's own scan does (4 MB readahead, block cache not filled):
  // the limit of reading the whole log. Returns the number of records and
  // sets `bytes` to the bytes of their values.
  absl::StatusOr<uint64_t> ScanLog(uint64_t* bytes);

 private:
  RawStore(RawShape shape, size_t value_bytes);
  const RawShape shape_;
  std::vector<std::string> values_;  // Random values, used in turn.
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::atomic<uint64_t> next_position_{1};
};

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_RAW_ROCKS_H_
