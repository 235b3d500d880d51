// The RocksDB layout of RocksEventStore: column families and key encodings.
// docs/storage-format.md describes the same layout with a worked example.
//
//   column family   key                                value
//   default         "format"                           kFormatTag
//   log             position (8, big-endian)           chain_hash[32] record
//   streams         stream name                        last revision (8, BE)
//   stream_index    stream name, 0x00, revision (8,BE) position (8, BE)
//   event_ids       event id (16 bytes)                position (8, BE)
//   snapshots       snapshot name                      position (8, BE),
//                                                      version (4, BE), data
//
// Big-endian integers make RocksDB's bytewise order the numeric order, so
// iterating `log` walks positions in order. Stream names cannot contain
// 0x00 (ValidateStreamName refuses control characters), so the separator in
// `stream_index` keys is unambiguous and one stream's keys are contiguous.

#ifndef OVERSIGHT_EVENTSTORE_ROCKS_LAYOUT_H_
#define OVERSIGHT_EVENTSTORE_ROCKS_LAYOUT_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "eventstore/record_format.h"
#include "eventstore/types.h"

namespace rocksdb {
struct ColumnFamilyOptions;
}  // namespace rocksdb

namespace oversight::eventstore {

enum class ColumnFamily : int {
  kDefault = 0,
  kLog = 1,
  kStreams = 2,
  kStreamIndex = 3,
  kEventIds = 4,
  kSnapshots = 5,
};
inline constexpr int kNumColumnFamilies = 6;

inline constexpr std::array<absl::string_view, kNumColumnFamilies>
    kColumnFamilyNames = {"default",      "log",       "streams",
                          "stream_index", "event_ids", "snapshots"};

// A snapshot value: position (fixed64), version (fixed32, big-endian),
// then the data.
inline constexpr size_t kSnapshotHeaderSize = 8 + 4;

// Every key in `event_ids` is an event id's bytes.
inline constexpr size_t kEventIdKeySize = 16;

// Gives `options` (those of `event_ids`) the hash memtable the store keeps
// that index in, sized for its write_buffer_size. The database must also
// have allow_concurrent_memtable_write off. Defined in
// rocks_event_store.cc; bench/raw_rocks.cc uses it to mirror the store.
void UseEventIdMemtable(rocksdb::ColumnFamilyOptions* options);

inline absl::string_view ColumnFamilyName(ColumnFamily cf) {
  return kColumnFamilyNames[static_cast<int>(cf)];
}

// Key in `default` holding the format tag, and the tag itself.
inline constexpr absl::string_view kFormatKey = "format";
inline constexpr absl::string_view kFormatTag = "oversight-eventstore/1";

inline std::string LogKey(Position position) {
  std::string key;
  PutFixed64BE(&key, position);
  return key;
}

inline std::string StreamIndexPrefix(absl::string_view stream) {
  std::string key(stream);
  key.push_back('\0');
  return key;
}

inline std::string StreamIndexKey(absl::string_view stream, Revision revision) {
  std::string key = StreamIndexPrefix(stream);
  PutFixed64BE(&key, revision);
  return key;
}

inline std::string Fixed64Value(uint64_t v) {
  std::string value;
  PutFixed64BE(&value, v);
  return value;
}

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_ROCKS_LAYOUT_H_
