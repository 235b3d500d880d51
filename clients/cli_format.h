// Formatting helpers of the oversight CLI: hex, event rows and one-line
// error messages.

#ifndef OVERSIGHT_CLIENTS_CLI_FORMAT_H_
#define OVERSIGHT_CLIENTS_CLI_FORMAT_H_

#include <ostream>
#include <string>

#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.pb.h"

namespace oversight::cli {

// Lowercase hexadecimal of `bytes`.
std::string Hex(const std::string& bytes);

// "DATA_LOSS (CHAIN_BROKEN): hash chain broken at position 4: ..."
std::string FormatError(const grpc::Status& status,
                        const grpc::ClientContext& context);

void PrintHeader(std::ostream& out);
// One line: position, stream@revision, type, recorded time, data (text if
// printable, else its size).
void PrintEvent(std::ostream& out, const v1::RecordedEvent& event);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_CLI_FORMAT_H_
