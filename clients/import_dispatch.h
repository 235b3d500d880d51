// Sending one command to oversightd's Commands service as a given agency.
//
// Over TLS the client certificate names the calling agency and its role; a
// command for another agency (an import line of the OPCC's, sent with an
// importer's certificate) names it in `oversight-on-behalf-of`, which the
// server allows an importer only. In insecure (test) mode the server takes
// the calling agency from `oversight-agency` metadata and its role from
// `oversight-role` instead, and the agency a command is for, when another,
// again goes in `oversight-on-behalf-of`. In both, the person is
// `oversight-actor` (printable ASCII) or, for a name beyond ASCII ("Siân
// Jones"), the binary header `oversight-actor-bin` (UTF-8). Why the caller
// reads (--justification) travels the same way, in
// `oversight-justification` or `oversight-justification-bin`.

#ifndef OVERSIGHT_CLIENTS_IMPORT_DISPATCH_H_
#define OVERSIGHT_CLIENTS_IMPORT_DISPATCH_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/commands.grpc.pb.h"

namespace oversight::cli {

inline constexpr char kAgencyMetadataKey[] = "oversight-agency";
inline constexpr char kRoleMetadataKey[] = "oversight-role";
inline constexpr char kActorMetadataKey[] = "oversight-actor";
inline constexpr char kActorBinMetadataKey[] = "oversight-actor-bin";
inline constexpr char kOnBehalfOfMetadataKey[] = "oversight-on-behalf-of";
inline constexpr char kJustificationMetadataKey[] = "oversight-justification";
inline constexpr char kJustificationBinMetadataKey[] =
    "oversight-justification-bin";

// The server refuses a longer justification (JUSTIFICATION_INVALID).
inline constexpr size_t kMaxJustificationBytes = 1000;

// The calling agency in the insecure test mode when none is given
// (--agency): the CLI itself, as what an import records as its importer.
inline constexpr char kDefaultTestAgency[] = "oversight-cli";

// How calls say who calls.
enum class IdentityMode {
  // Insecure test mode: the calling agency in `oversight-agency`, its role
  // in `oversight-role`.
  kMetadata,
  // TLS: the certificate names the caller's agency and role.
  kCertificate,
};

// Who the calls say is calling.
struct CallIdentity {
  IdentityMode mode = IdentityMode::kMetadata;
  // kMetadata only (over TLS the certificate says it): the calling agency
  // and its role, a role name ("importer"; none is sent when empty).
  std::string agency = kDefaultTestAgency;
  std::string role;
  // Both modes: why the caller reads (ParseJustification), sent with every
  // call; none when empty. The server shows OFFICIAL-SENSITIVE content only
  // to a call that gives one (docs/security.md).
  std::string justification;
};

// The value of --justification as it is sent: `text` without the ASCII
// white space around it ("" for none). INVALID_ARGUMENT, saying why, for
// what the server would refuse and can be seen here: over
// kMaxJustificationBytes, not UTF-8, or more than one line of text (a
// newline, tab or other control character, a line or paragraph separator,
// or a bidirectional override).
absl::StatusOr<std::string> ParseJustification(absl::string_view text);

// Adds `justification` to `context`: in oversight-justification when it is
// printable ASCII, else (Welsh) in oversight-justification-bin, which gRPC
// sends base64-encoded; nothing when it is empty.
void AddJustification(grpc::ClientContext* context,
                      const std::string& justification);

// A context with the deadline `timeout` from now and the identity
// metadata: with kMetadata, identity.agency in oversight-agency and
// identity.role in oversight-role; `for_agency`, the agency a command is
// for, in oversight-on-behalf-of when it is not empty and (kMetadata) not
// identity.agency; `actor` in oversight-actor when it is printable ASCII,
// else in oversight-actor-bin, left out when empty; and
// identity.justification (AddJustification). Agency ids and role names must
// be printable ASCII (IsMetadataValue); valid ones are.
std::unique_ptr<grpc::ClientContext> CommandContext(
    const CallIdentity& identity, const std::string& for_agency,
    const std::string& actor, std::chrono::system_clock::duration timeout);

struct CommandCall {
  grpc::Status status;
  v1::CommandResult result;  // Set when status is OK.
  // The call's context, for the `oversight-reason` trailer of an error.
  std::unique_ptr<grpc::ClientContext> context;
};

// Sends the command of `line` through the matching RPC, as `identity`, for
// line.agency() (CommandContext's `for_agency`), and as line.actor() (or
// `default_actor` when the line names none). A line without a command
// fails locally with INVALID_ARGUMENT.
CommandCall SendImportLine(v1::Commands::StubInterface& stub,
                           const v1::ImportLine& line,
                           const std::string& default_actor,
                           std::chrono::system_clock::duration timeout,
                           const CallIdentity& identity);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_IMPORT_DISPATCH_H_
