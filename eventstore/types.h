// Value types of the event log: positions, revisions, event ids, proposed
// and recorded events, expected revisions and read filters.
//
// The log knows nothing of the domain: an event is a type name and two
// opaque byte strings (data and metadata) with a client-chosen id.
//
// Example:
//   ProposedEvent e;
//   e.id = EventId::Random();
//   e.type = "oversight.v1.RatingAssigned";
//   e.data = serialized_payload;
//   log.Append("recommendation-1", ExpectedRevision::NoStream(), {e});

#ifndef OVERSIGHT_EVENTSTORE_TYPES_H_
#define OVERSIGHT_EVENTSTORE_TYPES_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace oversight::eventstore {

// Global position in the log: 1 for the first event ever recorded, then
// 2, 3, ... without gaps. 0 means "before the first event".
using Position = uint64_t;

// Revision of an event within its stream: 0 for the first, then 1, 2, ...
using Revision = uint64_t;

// SHA-256 digest: a record's chain hash.
using Hash = std::array<uint8_t, 32>;

// The chain hash that precedes position 1: 32 zero bytes.
inline constexpr Hash kGenesisHash = {};

// Lowercase hexadecimal rendering of a hash, 64 characters.
std::string HashToHex(const Hash& hash);

// A client-chosen UUID identifying one event, stored as 16 bytes.
class EventId {
 public:
  EventId() = default;  // The nil UUID; not a valid id for an append.
  explicit EventId(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}

  // Parses the canonical 36-character form
  // ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", hex digits in either case).
  // Returns InvalidArgument for anything else, including the nil UUID.
  [[nodiscard]] static absl::StatusOr<EventId> Parse(absl::string_view text);

  // A random version-4 UUID.
  static EventId Random();

  // From exactly 16 raw bytes (as stored).
  static EventId FromBytes(absl::string_view raw);

  // Canonical lowercase form.
  std::string ToString() const;
  absl::string_view bytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  bool IsNil() const;

  friend bool operator==(const EventId& a, const EventId& b) {
    return a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const EventId& a, const EventId& b) {
    return !(a == b);
  }
  template <typename H>
  friend H AbslHashValue(H h, const EventId& id) {
    return H::combine(std::move(h), id.bytes_);
  }

 private:
  std::array<uint8_t, 16> bytes_{};
};

// One event as a client proposes it.
struct ProposedEvent {
  EventId id;
  std::string type;
  std::string data;
  std::string metadata;
};

// One event as the log recorded it.
struct RecordedEvent {
  Position position = 0;
  std::string stream;
  Revision revision = 0;
  EventId id;
  std::string type;
  std::string data;
  std::string metadata;
  absl::Time recorded_at;
  Hash hash{};  // Chain hash of this record.
};

// The optimistic-concurrency condition of an append.
class ExpectedRevision {
 public:
  enum class Kind { kAny, kNoStream, kStreamExists, kExact };

  static ExpectedRevision Any() { return ExpectedRevision(Kind::kAny, 0); }
  static ExpectedRevision NoStream() {
    return ExpectedRevision(Kind::kNoStream, 0);
  }
  static ExpectedRevision StreamExists() {
    return ExpectedRevision(Kind::kStreamExists, 0);
  }
  static ExpectedRevision Exact(Revision r) {
    return ExpectedRevision(Kind::kExact, r);
  }

  Kind kind() const { return kind_; }
  Revision revision() const { return revision_; }  // Meaningful for kExact.
  std::string ToString() const;

 private:
  ExpectedRevision(Kind kind, Revision revision)
      : kind_(kind), revision_(revision) {}
  Kind kind_;
  Revision revision_;
};

// The outcome of a successful append.
struct AppendResult {
  Position first_position = 0;
  Position last_position = 0;
  Revision first_revision = 0;
  Revision last_revision = 0;
  // When the log recorded the events.
  absl::Time recorded_at = absl::UnixEpoch();
  // True when every event was already stored with the same content, so
  // nothing was written and the positions are the original ones.
  bool deduplicated = false;
};

enum class Direction { kForwards, kBackwards };

// Restricts reads and subscriptions. An empty filter matches everything.
struct EventFilter {
  std::string stream_prefix;
  std::vector<std::string> event_types;

  bool Empty() const { return stream_prefix.empty() && event_types.empty(); }
  bool Matches(absl::string_view stream, absl::string_view type) const;
};

// A page of events read from a stream or from the whole log.
struct ReadResult {
  std::vector<RecordedEvent> events;
  // True when nothing further exists in the read direction (now).
  bool end_reached = false;
  // Where to continue (a revision for stream reads, a position for log
  // reads) when !end_reached.
  uint64_t next = 0;
};

// The last recorded position and its chain hash.
struct ChainHead {
  Position position = 0;
  Hash hash = kGenesisHash;
  absl::Time recorded_at = absl::UnixEpoch();
};

// The outcome of recomputing the hash chain over [from, to].
struct VerifyResult {
  Position from = 0;
  Position to = 0;
  bool ok = true;
  Position first_bad = 0;         // When !ok.
  std::string problem;            // When !ok.
  Hash head_hash = kGenesisHash;  // Chain hash at `to` when ok.
};

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_TYPES_H_
