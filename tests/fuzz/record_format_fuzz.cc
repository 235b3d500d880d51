// Fuzzes the stored-record decoder (eventstore/record_format.h) with
// arbitrary bytes, as a record and as a stored value (hash + record).
//
// Properties:
//  - a refusal is DATA_LOSS with reason RECORD_CORRUPT, never anything else;
//  - PeekStreamAndType refuses only what DecodeRecord refuses, and agrees
//    with it on the stream and type;
//  - a decoded record re-encodes to bytes that decode to the same event,
//    and to the very same bytes when its length prefixes are minimal
//    varints (the only encoding EncodeRecord writes; the format does not
//    promise that other spellings are refused, and the chain hash covers
//    the stored bytes, never a re-encoding);
//  - DecodeStoredValue(hash || record) agrees with DecodeRecord and takes
//    the hash, and DecodeStoredValueInto a used event gives the same.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "eventstore/errors.h"
#include "eventstore/record_format.h"
#include "eventstore/types.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace es = ::oversight::eventstore;

bool SameEvent(const es::RecordedEvent& a, const es::RecordedEvent& b) {
  return a.position == b.position && a.revision == b.revision &&
         a.recorded_at == b.recorded_at && a.id == b.id &&
         a.stream == b.stream && a.type == b.type && a.data == b.data &&
         a.metadata == b.metadata;
}

bool IsRecordCorrupt(const absl::Status& s) {
  const std::optional<std::string> reason = es::ReasonOf(s);
  return s.code() == absl::StatusCode::kDataLoss && reason.has_value() &&
         *reason == es::kReasonRecordCorrupt;
}

// Whether the four length prefixes of a decodable `record` are each the
// shortest varint for their value.
bool MinimalPrefixes(absl::string_view record) {
  size_t at = es::kRecordFixedSize;
  for (int field = 0; field < 4; ++field) {
    uint32_t value = 0;
    size_t bytes = 0;
    uint8_t last = 0;
    do {
      last = static_cast<uint8_t>(record[at + bytes]);
      value |= static_cast<uint32_t>(last & 0x7f) << (7 * bytes);
      ++bytes;
    } while ((last & 0x80) != 0);
    if (bytes > 1 && last == 0) return false;
    at += bytes + value;
  }
  return true;
}

// A used event, to decode into: every field set.
es::RecordedEvent Used() {
  es::RecordedEvent e;
  e.position = 7;
  e.revision = 3;
  e.stream = std::string(100, 's');
  e.type = "type";
  e.data = std::string(300, 'd');
  e.metadata = "meta";
  e.recorded_at = absl::FromUnixSeconds(1);
  e.hash.fill(0x5a);
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view record(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<es::RecordedEvent> decoded = es::DecodeRecord(record);
  absl::StatusOr<std::pair<absl::string_view, absl::string_view>> peeked =
      es::PeekStreamAndType(record);
  if (!peeked.ok()) {
    FUZZ_CHECK(IsRecordCorrupt(peeked.status()));
    FUZZ_CHECK(!decoded.ok());
  }

  std::string value(es::kHashSize, '\0');
  for (size_t i = 0; i < es::kHashSize; ++i) value[i] = static_cast<char>(i);
  value.append(record.data(), record.size());
  absl::StatusOr<es::RecordedEvent> stored = es::DecodeStoredValue(value);
  es::RecordedEvent into = Used();
  const absl::Status into_status = es::DecodeStoredValueInto(value, &into);
  FUZZ_CHECK(stored.ok() == decoded.ok());
  FUZZ_CHECK(into_status.ok() == decoded.ok());

  // The bytes as a stored value themselves (hash included).
  absl::StatusOr<es::RecordedEvent> as_value = es::DecodeStoredValue(record);
  if (!as_value.ok()) {
    FUZZ_CHECK(IsRecordCorrupt(as_value.status()));
  } else {
    FUZZ_CHECK(size >= es::kHashSize + es::kRecordMinSize);
    FUZZ_CHECK(std::memcmp(as_value->hash.data(), data, es::kHashSize) == 0);
  }

  if (!decoded.ok()) {
    FUZZ_CHECK(IsRecordCorrupt(decoded.status()));
    FUZZ_CHECK(IsRecordCorrupt(stored.status()));
    FUZZ_CHECK(IsRecordCorrupt(into_status));
    return 0;
  }
  FUZZ_CHECK(size >= es::kRecordMinSize);
  FUZZ_CHECK(static_cast<uint8_t>(record[0]) == es::kRecordVersion);
  FUZZ_CHECK(peeked.ok());
  FUZZ_CHECK(peeked->first == decoded->stream);
  FUZZ_CHECK(peeked->second == decoded->type);
  FUZZ_CHECK(decoded->position == es::GetFixed64BE(record.data() + 1));
  FUZZ_CHECK(decoded->revision == es::GetFixed64BE(record.data() + 9));
  FUZZ_CHECK(decoded->id.bytes() == record.substr(25, 16));

  FUZZ_CHECK(SameEvent(*stored, *decoded));
  FUZZ_CHECK(std::memcmp(stored->hash.data(), value.data(), es::kHashSize) ==
             0);
  FUZZ_CHECK(SameEvent(into, *decoded));
  FUZZ_CHECK(into.hash == stored->hash);

  std::string encoded;
  es::EncodeRecord(*decoded, &encoded);
  absl::StatusOr<es::RecordedEvent> again = es::DecodeRecord(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(SameEvent(*again, *decoded));
  FUZZ_CHECK(encoded.size() <= record.size());
  if (MinimalPrefixes(record)) {
    FUZZ_CHECK(encoded == record);
  } else {
    FUZZ_CHECK(encoded != record);
  }
  return 0;
}
