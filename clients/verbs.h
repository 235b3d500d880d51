// The verbs of the oversight command (clients/oversight_main.cc), and what
// they share. Each takes the positional arguments after the verb and
// returns the exit code (clients/cli_format.h).

#ifndef OVERSIGHT_CLIENTS_VERBS_H_
#define OVERSIGHT_CLIENTS_VERBS_H_

#include <memory>
#include <string>
#include <vector>

#include "clients/import_dispatch.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/admin.grpc.pb.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"

namespace oversight::cli {

// The stubs of one channel to the server.
struct Clients {
  std::unique_ptr<v1::EventStore::Stub> events;
  std::unique_ptr<v1::Commands::Stub> commands;
  std::unique_ptr<v1::Queries::Stub> queries;
  // Who the calls say is calling: kCertificate when the channel is TLS
  // with a client certificate, which then says it (--agency names the
  // agency a command is for); in the insecure test mode --agency (default
  // kDefaultTestAgency) and --role.
  CallIdentity identity;
  // The operator's oversight.v1.Admin (backups).
  std::unique_ptr<v1::Admin::Stub> admin;
};

// Prints "oversight: message" and where to find help; returns kExitUsage.
int Usage(const std::string& message);
// Prints the one-line error of a failed call; returns ExitCodeFor() it.
int Fail(const grpc::Status& status, const grpc::ClientContext& context);
// A context for a call that records nothing (a read, a raw append), with
// the deadline --timeout_seconds: in the test mode with the caller's
// agency, role and --actor; over TLS with no identity metadata (the
// certificate names the caller, and its common name the person). In both
// with the --justification, when one is given.
std::unique_ptr<grpc::ClientContext> CallContext(const Clients& clients);

// The event log's verbs (clients/log_verbs.cc).
int Head(const Clients& clients, const std::vector<std::string>& args);
int Verify(const Clients& clients, const std::vector<std::string>& args);
int Append(const Clients& clients, const std::vector<std::string>& args);
int ReadStream(const Clients& clients, const std::vector<std::string>& args);
int ReadAll(const Clients& clients, const std::vector<std::string>& args);
int Tail(const Clients& clients, const std::vector<std::string>& args);

// The query verbs (clients/query_verbs.cc): status, recommendation,
// history, attention, partner and access-log.
int StatusBoard(const Clients& clients, const std::vector<std::string>& args);
int RecommendationDetail(const Clients& clients,
                         const std::vector<std::string>& args);
int History(const Clients& clients, const std::vector<std::string>& args);
int Attention(const Clients& clients, const std::vector<std::string>& args);
int PartnerView(const Clients& clients, const std::vector<std::string>& args);
int AccessLog(const Clients& clients, const std::vector<std::string>& args);

// The report verbs (clients/report_verbs.cc): `report` renders, `report
// publish` seals, `report verify` checks a publication.
int Report(const Clients& clients, const std::vector<std::string>& args);

// `export` (clients/export_verbs.cc): the log, or part of it, as JSON
// Lines; `replay` (clients/replay_verbs.cc): such a file checked and
// answered offline, without a server (it uses no stub).
int Export(const Clients& clients, const std::vector<std::string>& args);
int Replay(const Clients& clients, const std::vector<std::string>& args);

// `backup NAME` (clients/admin_verbs.cc): the operator's online backup.
int Backup(const Clients& clients, const std::vector<std::string>& args);

// The command verbs (clients/command_verbs.cc, clients/command_args.h):
// `assign-rating FIELD=VALUE...` and the rest, one per Commands RPC.
struct CommandVerb;
int RunCommandVerb(const CommandVerb& verb, const Clients& clients,
                   const std::vector<std::string>& args);
// The verb's help: what it records, its fields, flags and an example.
std::string CommandVerbHelpText(const CommandVerb& verb);
int CommandVerbHelp(const CommandVerb& verb);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_VERBS_H_
