// Recomputing the hash chain of an export file (clients/export_file.h)
// offline, with the log's own record encoding and hash
// (eventstore/record_format.h): chain_hash(p) = SHA-256(chain_hash(p - 1)
// || record(p)), docs/storage-format.md.
//
// A line's hash is recomputed from the hash stored on the line before,
// when that line is the position just before it (or, at position 1, from
// the genesis hash). Two kinds of line cannot be checked, and their stored
// hash is taken as given (the next line is then checked against it):
//   - a withheld line: its data and metadata are not in the file;
//   - a line whose predecessor is not in the file: the first line of an
//     export that starts after position 1, and every line after a gap in
//     positions (an export of one stream, a prefix, or a time range).
// The first line whose recomputed hash differs from the stored one breaks
// the chain, and checking stops there.
//
// Example:
//   ChainCheck check = CheckChain(events);
//   if (!check.ok) std::cerr << check.first_bad << ": " << check.problem;

#ifndef OVERSIGHT_CLIENTS_REPLAY_CHAIN_H_
#define OVERSIGHT_CLIENTS_REPLAY_CHAIN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "clients/export_file.h"

namespace oversight::cli {

struct ChainCheck {
  bool ok = true;
  uint64_t first_bad = 0;  // When !ok: the position, and its line.
  int first_bad_line = 0;
  std::string problem;  // When !ok.

  uint64_t events = 0;  // lines checked (all of them when ok)
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  std::string head_hash;  // the last line's hash (32 bytes)

  uint64_t recomputed = 0;  // hashes recomputed and equal to the stored
  uint64_t withheld = 0;    // not checkable: withheld lines
  uint64_t after_gap = 0;   // not checkable: predecessor not in the file
  // The first positions not checkable (at most kMaxListed), ascending.
  static constexpr size_t kMaxListed = 10;
  std::vector<uint64_t> unchecked_positions;

  uint64_t unchecked() const { return withheld + after_gap; }
};

// Called after each line checked, with the lines checked so far.
using ChainProgress = std::function<void(uint64_t checked)>;

// Checks `events` (in increasing position order, as ReadExportLines gives
// them).
ChainCheck CheckChain(const std::vector<ExportedEvent>& events,
                      const ChainProgress& progress = nullptr);

// What CheckChain found, in lines of its own, for people: on success
//   chain verified: 99 events, positions 1 to 99, 99 hashes recomputed
// and, when some could not be checked,
//   3 hashes not verifiable, taken as given: 2 withheld (no data), 1
//   after a gap in positions (its predecessor is not in the file):
//   positions 1, 40, 41
// and on failure
//   chain broken at position 7 (line 7): chain hash mismatch: stored ...
std::string DescribeChain(const ChainCheck& check);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_REPLAY_CHAIN_H_
