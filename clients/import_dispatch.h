// Sending one command to oversightd's Commands service as a given agency.
//
// Over TLS the client certificate names the calling agency; a command for
// another agency (an import line of the OPCC's, sent with an importer's
// certificate) names it in `oversight-on-behalf-of`, which the server
// allows an importer only. In insecure (test) mode the server takes the
// acting agency from `oversight-agency` metadata instead. In both, the
// person is `oversight-actor` (printable ASCII) or, for a name beyond ASCII
// ("Siân Jones"), the binary header `oversight-actor-bin` (UTF-8).

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
inline constexpr char kOnBehalfOfMetadataKey[] = "oversight-on-behalf-of";

// How calls say which agency they are for.
enum class IdentityMode {
  // Insecure test mode: the agency in `oversight-agency`.
  kMetadata,
  // TLS: the certificate names the caller's agency; the agency a command
  // is for goes in `oversight-on-behalf-of`.
  kCertificate,
};

// A context with the deadline `timeout` from now and the identity metadata:
// `agency` in oversight-agency (kMetadata) or, when not empty, in
// oversight-on-behalf-of (kCertificate); `actor` in oversight-actor when
// it is printable ASCII, else in oversight-actor-bin, left out when empty.
// `agency` must be printable ASCII (IsMetadataValue); agency ids are.
std::unique_ptr<grpc::ClientContext> CommandContext(
    const std::string& agency, const std::string& actor,
    std::chrono::system_clock::duration timeout,
    IdentityMode mode = IdentityMode::kMetadata);

struct CommandCall {
  grpc::Status status;
  v1::CommandResult result;  // Set when status is OK.
  // The call's context, for the `oversight-reason` trailer of an error.
  std::unique_ptr<grpc::ClientContext> context;
};

// Sends the command of `line` through the matching RPC, as (or on behalf
// of) line.agency() and as line.actor() (or `default_actor` when the line
// names none). A line without a command fails locally with
// INVALID_ARGUMENT.
CommandCall SendImportLine(v1::Commands::StubInterface& stub,
                           const v1::ImportLine& line,
                           const std::string& default_actor,
                           std::chrono::system_clock::duration timeout,
                           IdentityMode mode = IdentityMode::kMetadata);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_IMPORT_DISPATCH_H_
