// Formatting helpers of the oversight CLI: hex, event rows, one-line error
// messages, the exit code an error maps to, and what need-to-know left out
// of an answer.

#ifndef OVERSIGHT_CLIENTS_CLI_FORMAT_H_
#define OVERSIGHT_CLIENTS_CLI_FORMAT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.pb.h"

namespace oversight::cli {

// Exit codes of the oversight command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;      // the server refused or failed
inline constexpr int kExitUsage = 2;        // bad arguments or input file
inline constexpr int kExitUnreachable = 3;  // unreachable, deadline exceeded
inline constexpr int kExitBroken = 4;       // the chain did not verify

// Lowercase hexadecimal of `bytes`.
std::string Hex(const std::string& bytes);

// "DATA_LOSS (CHAIN_BROKEN): hash chain broken at position 4: ..." (the
// reason, in parentheses, from the `oversight-reason` trailer when present).
std::string FormatStatus(const grpc::Status& status,
                         const grpc::ClientContext& context);
// "error: " followed by FormatStatus.
std::string FormatError(const grpc::Status& status,
                        const grpc::ClientContext& context);

// The exit code a failed call maps to: 3 when the server could not be
// reached (UNAVAILABLE without a reason trailer) or the deadline passed,
// 4 for DATA_LOSS, else 1.
int ExitCodeFor(const grpc::Status& status, const grpc::ClientContext& context);

void PrintHeader(std::ostream& out);
// One line: position, stream@revision, type, recorded time, data (text if
// printable, else its size; "withheld (OFFICIAL-SENSITIVE)" for an event
// the server withheld).
void PrintEvent(std::ostream& out, const v1::RecordedEvent& event);

// What one or more answers (the pages of a listing) left out under
// need-to-know, and where the access log recorded what they carried.
struct Disclosure {
  // OFFICIAL-SENSITIVE events left out.
  uint64_t withheld = 0;
  // The positions of the AccessRecorded events, in the order of the
  // answers; none when nothing was recorded.
  std::vector<uint64_t> access_positions;

  // Adds one answer's: its count of withheld events, and its
  // access_recorded_position (0: none).
  void Add(uint64_t withheld_events, uint64_t access_recorded_position);
};

// A line for each of what `d` says, or nothing:
//   2 OFFICIAL-SENSITIVE events withheld (not entitled, or no --justification)
//   access recorded at position 120
// (several positions: "access recorded at positions 120, 125").
void PrintDisclosure(std::ostream& out, const Disclosure& d);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_CLI_FORMAT_H_
