// The byte format of a stored record, and the chain hash over it.
//
// Each event is stored under its global position in the `log` column
// family. The value is the record's chain hash followed by the record:
//
//   value    := chain_hash[32] record
//   record   := version[1]            (kRecordVersion = 1)
//               position[8]           big-endian uint64
//               revision[8]           big-endian uint64
//               recorded_at_us[8]     big-endian int64, microseconds since
//                                     the Unix epoch
//               event_id[16]          the UUID's bytes
//               stream                length-prefixed
//               type                  length-prefixed
//               data                  length-prefixed
//               metadata              length-prefixed
//   length-prefixed := varint32 length, then that many bytes
//
//   chain_hash(p) := SHA-256(chain_hash(p - 1) || record(p))
//   chain_hash(0) := 32 zero bytes
//
// The hash covers the record bytes exactly as stored; it is never computed
// over a re-serialisation. docs/storage-format.md has a worked example.

#ifndef OVERSIGHT_EVENTSTORE_RECORD_FORMAT_H_
#define OVERSIGHT_EVENTSTORE_RECORD_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/types.h"

namespace oversight::eventstore {

inline constexpr uint8_t kRecordVersion = 1;
inline constexpr size_t kHashSize = 32;
// version + position + revision + recorded_at + event id.
inline constexpr size_t kRecordFixedSize = 1 + 8 + 8 + 8 + 16;
// A record is at least its fixed part and four empty length prefixes.
inline constexpr size_t kRecordMinSize = kRecordFixedSize + 4;

// Appends the record bytes of `event` (all fields but `hash`) to `out`.
void EncodeRecord(const RecordedEvent& event, std::string* out);

// Decodes record bytes (without the chain hash). Returns DataLoss with
// reason RECORD_CORRUPT for truncated, over-long or unknown-version input.
[[nodiscard]] absl::StatusOr<RecordedEvent> DecodeRecord(
    absl::string_view record);

// Decodes a stored value (chain hash then record) into an event, with its
// `hash` set from the stored chain hash.
[[nodiscard]] absl::StatusOr<RecordedEvent> DecodeStoredValue(
    absl::string_view value);

// DecodeStoredValue into an existing event, reusing its strings' buffers.
// On error `*event` is left partly written.
[[nodiscard]] absl::Status DecodeStoredValueInto(absl::string_view value,
                                                 RecordedEvent* event);

// Reads only the stream name and type of stored record bytes, without
// copying data and metadata; for filtering scans.
[[nodiscard]] absl::StatusOr<std::pair<absl::string_view, absl::string_view>>
PeekStreamAndType(absl::string_view record);

// chain_hash = SHA-256(previous || record).
Hash ChainHash(const Hash& previous, absl::string_view record);

// Big-endian fixed-width integers, as used in keys and records.
void PutFixed64BE(std::string* out, uint64_t v);
uint64_t GetFixed64BE(const char* p);

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_RECORD_FORMAT_H_
