// `oversight import FILE`: sends the commands of an import file
// (clients/import_file.h) to oversightd, in order, stopping at the first
// one the server refuses.

#ifndef OVERSIGHT_CLIENTS_IMPORT_COMMAND_H_
#define OVERSIGHT_CLIENTS_IMPORT_COMMAND_H_

#include <chrono>
#include <ostream>
#include <string>

#include "clients/import_dispatch.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"

namespace oversight::cli {

struct ImportOptions {
  std::chrono::system_clock::duration timeout = std::chrono::seconds(10);
  // The actor of lines that name none.
  std::string default_actor;
  // Only errors and the summary; no line-by-line progress.
  bool quiet = false;
  // Who sends the lines; each line's agency is sent as the agency its
  // command is for. Over TLS (kCertificate) the certificate says who sends
  // (an importer's may record for any agency, an agency's own for itself).
  // In the test mode an importer of kDefaultTestAgency by default, as the
  // agency the other fields name.
  CallIdentity identity = {IdentityMode::kMetadata, kDefaultTestAgency,
                           "importer", ""};
};

// Reads and checks the whole of `path` first: a problem prints
// "PATH:N: why" to `err` and returns kExitUsage before anything is sent.
// Then sends each line, printing progress to `err`. A refused line prints
// "line N: CODE (REASON): message" to `err` and returns ExitCodeFor() of
// its status; lines after it are not sent. At the end prints to `out`
// "imported N lines: A applied, D already applied; head position P", P from
// `events` (GetHead) when given and reachable, else the highest position
// among the results ("last position P"). Lines the server reports as
// deduplicated count as already applied, so running a file again is safe.
int RunImport(const std::string& path, v1::Commands::StubInterface& commands,
              v1::EventStore::StubInterface* events,
              const ImportOptions& options, std::ostream& out,
              std::ostream& err);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_IMPORT_COMMAND_H_
