// Sending one command to oversightd's Commands service as a given agency.
//
// In insecure (test) mode the server takes the acting agency and person
// from call metadata: `oversight-agency` (an agency id) and
// `oversight-actor` (printable ASCII) or, for a name beyond ASCII ("Siân
// Jones"), the binary header `oversight-actor-bin` (UTF-8).

#ifndef OVERSIGHT_CLIENTS_IMPORT_DISPATCH_H_
#define OVERSIGHT_CLIENTS_IMPORT_DISPATCH_H_

#include <chrono>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "oversight/v1/commands.grpc.pb.h"

namespace oversight::cli {

inline constexpr char kAgencyMetadataKey[] = "oversight-agency";
inline constexpr char kActorMetadataKey[] = "oversight-actor";
inline constexpr char kActorBinMetadataKey[] = "oversight-actor-bin";

// A context with the deadline `timeout` from now and the identity metadata:
// `actor` goes in oversight-actor when it is printable ASCII, else in
// oversight-actor-bin, and is left out when empty. `agency` must be
// printable ASCII (IsMetadataValue); agency ids are.
std::unique_ptr<grpc::ClientContext> CommandContext(
    const std::string& agency, const std::string& actor,
    std::chrono::system_clock::duration timeout);

struct CommandCall {
  grpc::Status status;
  v1::CommandResult result;  // Set when status is OK.
  // The call's context, for the `oversight-reason` trailer of an error.
  std::unique_ptr<grpc::ClientContext> context;
};

// Sends the command of `line` through the matching RPC, as line.agency()
// and line.actor() (or `default_actor` when the line names none). A line
// without a command fails locally with INVALID_ARGUMENT.
CommandCall SendImportLine(v1::Commands::StubInterface& stub,
                           const v1::ImportLine& line,
                           const std::string& default_actor,
                           std::chrono::system_clock::duration timeout);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_IMPORT_DISPATCH_H_
