// What crash_child and crash_test agree on: the content of every event the
// child writes (a pure function of its event id, so the parent can check
// every stored byte), the names of the streams, and the line protocol the
// child uses to report what it did.
//
// The child writes one line per fact, each with a single write(2) to its
// stdout (which the parent points at a file opened with O_APPEND), so a
// line is either wholly there or, if SIGKILL lands inside the write, cut
// short without its '\n'; the parent ignores an unterminated last line.
//
//   O <head>                            store opened; its head position
//   B <stream> <ids>                    about to append this batch
//   A <stream> <first_pos> <last_pos> <first_rev> <last_rev> <dedup> <ids>
//                                       the append was acknowledged
//   F <stream> <reason> <ids>           the append was refused (only
//                                       WRONG_EXPECTED_REVISION is expected)
//   X <text>                            the child saw something wrong
//
// <ids> is the batch's event ids in canonical form, joined by ','; it also
// serves as the batch's identity. <dedup> is 1 when the log answered with
// the original positions of an already stored batch.

#ifndef OVERSIGHT_TESTS_CRASH_CRASH_PROTOCOL_H_
#define OVERSIGHT_TESTS_CRASH_CRASH_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "eventstore/types.h"

namespace oversight::crash {

using eventstore::EventId;
using eventstore::Position;
using eventstore::ProposedEvent;
using eventstore::Revision;

// The event with id `id`: its type, data and metadata are derived from the
// id's bytes (data from 0 to 510 bytes, binary, so that varint lengths of
// one and two bytes both occur; metadata sometimes empty).
ProposedEvent EventFor(const EventId& id);

// A version-4 UUID drawn from `rng` (reproducible for a given seed).
EventId IdFrom(std::mt19937_64& rng);

// Stream names: thread `t` owns "review-t<t>-<k>" (appends there use exact
// expected revisions and must never conflict); all threads share
// "recommendation-<k>".
std::string OwnedStream(int thread, int k);
std::string SharedStream(int k);
inline constexpr int kOwnedStreamsPerThread = 3;
inline constexpr int kSharedStreams = 4;

std::string JoinIds(const std::vector<EventId>& ids);
// Parses JoinIds output; nullopt if any id is malformed.
std::optional<std::vector<EventId>> SplitIds(absl::string_view joined);

// Writes `line` plus '\n' to `fd` with write(2), retrying on EINTR and
// short writes. Async-signal-safe apart from the allocation of the line.
void WriteLine(int fd, absl::string_view line);

// One parsed report line.
struct Report {
  char kind = 0;  // 'O', 'B', 'A', 'F' or 'X'.
  std::string stream;
  std::string ids;  // Joined, as written.
  Position first_position = 0, last_position = 0;
  Revision first_revision = 0, last_revision = 0;
  bool deduplicated = false;
  std::string text;   // F: the reason; X: the message.
  Position head = 0;  // O.
};

// Parses one complete line (without '\n'); nullopt if malformed.
std::optional<Report> ParseReport(absl::string_view line);

}  // namespace oversight::crash

#endif  // OVERSIGHT_TESTS_CRASH_CRASH_PROTOCOL_H_
