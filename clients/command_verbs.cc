// The command verbs (clients/command_args.h): one per Commands RPC, each
// sending its request built from FIELD=VALUE arguments, and printing what
// was recorded.

#include <iostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "clients/cli_format.h"
#include "clients/command_args.h"
#include "clients/import_dispatch.h"
#include "clients/import_file.h"
#include "clients/query_format.h"
#include "clients/verbs.h"
#include "google/protobuf/util/time_util.h"

ABSL_DECLARE_FLAG(std::string, agency);
ABSL_DECLARE_FLAG(std::string, actor);
ABSL_DECLARE_FLAG(int, timeout_seconds);
ABSL_DECLARE_FLAG(std::string, output);
ABSL_DECLARE_FLAG(std::string, request_id);

ABSL_FLAG(std::string, classification, "",
          "commands: official, or sensitive (OFFICIAL-SENSITIVE); required");
ABSL_FLAG(std::string, occurred_at, "",
          "commands: when the fact happened, an RFC 3339 time or a date "
          "(default: now)");

namespace oversight::cli {

std::string CommandVerbHelpText(const CommandVerb& verb) {
  const std::string fact = verb.line_field->message_type()
                               ->FindFieldByNumber(4)
                               ->message_type()
                               ->name();
  std::vector<std::string> example = {"oversight"};
  example.insert(example.end(), verb.example_flags.begin(),
                 verb.example_flags.end());
  example.push_back(verb.name);
  example.insert(example.end(), verb.example_args.begin(),
                 verb.example_args.end());
  return absl::StrCat(
      verb.summary, "\n\nFields of ", fact,
      " (FIELD=VALUE, or FIELD:=JSON for any field):\n", FieldHelp(verb),
      "\n"
      "Flags:\n"
      "  --classification=official|sensitive  required: whether the fact\n"
      "                    is OFFICIAL or OFFICIAL-SENSITIVE\n"
      "  --occurred_at=WHEN  when it happened (RFC 3339 time or date;\n"
      "                    default now)\n"
      "  --request_id=ID   makes a retry safe; by default derived from the\n"
      "                    command, so the same command line run again is\n"
      "                    recognised and nothing is recorded twice\n"
      "  --output=table|json  json: the CommandResult in protobuf's JSON\n"
      "                    mapping\n"
      "  --agency=ID, --role=ROLE, --actor=WHO  without TLS, who records;\n"
      "                    over TLS the certificate says it, and --agency\n"
      "                    names the agency an importer records for\n"
      "\n"
      "Prints where the fact was recorded (its log position, stream and\n"
      "revision) and the request id; \"already recorded\" when the server\n"
      "recognised the request id and wrote nothing. A refusal prints its\n"
      "status code and reason on one line and exits 1.\n"
      "\n"
      "Example:\n  ",
      ShellWords(example), "\n");
}

int CommandVerbHelp(const CommandVerb& verb) {
  std::cout << "usage: oversight [FLAGS] " << verb.name
            << " FIELD=VALUE... --classification=official|sensitive\n\n"
            << CommandVerbHelpText(verb);
  return kExitOk;
}

int RunCommandVerb(const CommandVerb& verb, const Clients& clients,
                   const std::vector<std::string>& args) {
  absl::StatusOr<OutputFormat> output =
      ParseOutputFormat(absl::GetFlag(FLAGS_output));
  if (!output.ok()) return Usage(std::string(output.status().message()));
  CommandFlags flags;
  flags.classification = absl::GetFlag(FLAGS_classification);
  flags.occurred_at = absl::GetFlag(FLAGS_occurred_at);
  flags.request_id = absl::GetFlag(FLAGS_request_id);
  flags.agency = absl::GetFlag(FLAGS_agency);
  flags.actor = absl::GetFlag(FLAGS_actor);
  absl::StatusOr<v1::ImportLine> line = BuildCommand(verb, args, flags);
  if (!line.ok()) {
    return Usage(absl::StrCat(verb.name, ": ", line.status().message()));
  }
  CommandCall call =
      SendImportLine(*clients.commands, *line, flags.actor,
                     std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds)),
                     clients.identity);
  if (!call.status.ok()) return Fail(call.status, *call.context);
  if (*output == OutputFormat::kJson) return PrintJson(call.result);
  const v1::CommandResult& result = call.result;
  std::cout << (result.deduplicated() ? "already recorded" : "recorded")
            << " at position " << result.position() << " (" << result.stream()
            << "@" << result.revision() << ")";
  if (!result.entity_id().empty()) std::cout << ", " << result.entity_id();
  std::cout << "\noccurred "
            << google::protobuf::util::TimeUtil::ToString(result.occurred_at())
            << ", recorded "
            << google::protobuf::util::TimeUtil::ToString(result.recorded_at())
            << "\nrequest id " << RequestId(*line)
            << (result.deduplicated() ? " (seen before: nothing written)" : "")
            << "\n";
  if (result.deduplicated() && flags.request_id.empty()) {
    std::cerr << "oversight: this command was recorded before, and its "
                 "request id is derived from it; to record the same fact "
                 "again, give it a new --request_id\n";
  }
  return kExitOk;
}

}  // namespace oversight::cli
