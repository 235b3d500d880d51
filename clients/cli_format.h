// Formatting helpers of the oversight CLI: hex, event rows, one-line error
// messages, and the exit code an error maps to.

#ifndef OVERSIGHT_CLIENTS_CLI_FORMAT_H_
#define OVERSIGHT_CLIENTS_CLI_FORMAT_H_

#include <ostream>
#include <string>

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
// printable, else its size).
void PrintEvent(std::ostream& out, const v1::RecordedEvent& event);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_CLI_FORMAT_H_
