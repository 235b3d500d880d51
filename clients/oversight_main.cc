// oversight: a command-line client for oversightd: reads and verifies the
// event log, records commands, and queries the record.
//
//   oversight [--server=127.0.0.1:50051] [--timeout_seconds=10]
//             [--cert=FILE --key=FILE --ca=FILE] [--agency=ID] [--role=ROLE]
//             [--actor=WHO] [--justification=TEXT] VERB [ARGS]
//
// Verbs:
//   head                         last position and its chain hash
//   verify [FROM [TO]]           recompute the hash chain (default: all)
//   append STREAM TYPE DATA      append one event (expected revision: any,
//                                or --expected=no_stream|exists|N)
//   read-stream STREAM [FROM]    events of one stream (--backwards, --max,
//                                --all)
//   read-all [FROM]              events of the whole log (--backwards,
//                                --max, --all, --stream_prefix, --type)
//   tail [FROM]                  subscribe: history, then live (Ctrl-C)
//   import FILE                  send the commands of a JSON Lines file, in
//                                order, stopping at the first refused
//                                (--quiet); safe to run again
//   status REVIEW                the status board of a review
//   recommendation REVIEW N      one recommendation in full
//   history [--review=R [--number=N]] [--agency=A [--person=P]] [--type=T]
//           [--from=DATE] [--to=DATE] [--all]
//                                events touching a subject, in log order
//   attention REVIEW             what needs the reviewing body's attention
//   partner AGENCY               a partner's programmes and figures
//   access-log [--agency=A [--person=P]] [--from=DATE] [--to=DATE]
//              [--kind=consultation|disclosure] [--all]
//                                who read OFFICIAL-SENSITIVE content and
//                                what was disclosed, why (auditors)
//   report --review=R --period=P [--lang=en|cy] [--format=md|html]
//          [--recipients=A,B]    the Panel progress report, from the log
//   report publish ...           publish it, sealed with its SHA-256
//   report verify ...            check a publication against its seal
//   export [FROM [TO]]           the log (or --stream=S, --stream_prefix=P,
//                                --from/--to=TIME) as JSON Lines, to --out
//   replay FILE [VERB ARGS]      an export checked offline: its hash chain,
//                                and status, recommendation, attention,
//                                partner or report answered from it
//   register-agency, open-review, ..., assign-rating, ... FIELD=VALUE...
//           --classification=official|sensitive
//                                one verb per command: records one fact
//                                (clients/command_args.h)
//   help [VERB]                  a verb's usage and an example; so does
//                                `oversight VERB --help`
//
// With --cert, --key and --ca (or $OVERSIGHT_CERT, $OVERSIGHT_KEY,
// $OVERSIGHT_CA) the client speaks mutual TLS and its certificate names
// the agency and role it calls as (docs/security.md); an import line or
// --agency naming another agency is sent as `oversight-on-behalf-of`,
// which the server allows an importer only. Without them it speaks
// plaintext to a server in the insecure test mode, where the metadata
// `oversight-agency` (--agency, default "oversight-cli") names the agency
// and `oversight-role` (--role or $OVERSIGHT_ROLE) its role; `import`
// sends its lines as an importer (role "importer" unless --role says
// otherwise), each for the agency it names. In both, `oversight-actor`
// (`oversight-actor-bin` for a name beyond ASCII) names the person acting:
// import lines name their own; --actor (default "oversight-cli:$USER")
// stands for lines and calls that name none.
//
// --justification (or $OVERSIGHT_JUSTIFICATION) says why the caller reads,
// on every call, in `oversight-justification` (or
// `oversight-justification-bin` beyond ASCII): the server shows
// OFFICIAL-SENSITIVE content only to those entitled who give one, and
// records it in the access log. Answers say what was withheld and where
// the access was recorded.
//
// Queries take --as-of=WHEN (a past moment, on either time axis),
// --min_position=N, --output=table|json and --lang=en|cy; see
// clients/query_verbs.cc and docs/cli.md. Flags may be spelt with dashes
// (--as-of) or underscores (--as_of).
//
// Exit codes: 0 success; 1 the server refused or failed the request
// (the status code and reason are printed on one line); 2 usage error or
// a bad import file; 3 server unreachable or deadline exceeded; 4 the chain
// did not verify, or a report did not match its seal.

#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/cli_format.h"
#include "clients/command_args.h"
#include "clients/import_command.h"
#include "clients/import_file.h"
#include "clients/verbs.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"

namespace oversight::cli {
namespace {

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  if (user == nullptr || *user == '\0') user = std::getenv("LOGNAME");
  return absl::StrCat("oversight-cli:",
                      user != nullptr && *user != '\0' ? user : "unknown");
}

// The value of environment variable `name`, or "".
std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace
}  // namespace oversight::cli

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "oversightd's host:port");
ABSL_FLAG(std::string, cert, oversight::cli::Env("OVERSIGHT_CERT"),
          "PEM file of this client's certificate; with --key and --ca, "
          "speak mutual TLS and call as the agency the certificate names "
          "(default $OVERSIGHT_CERT)");
ABSL_FLAG(std::string, key, oversight::cli::Env("OVERSIGHT_KEY"),
          "PEM file of this client's private key (default $OVERSIGHT_KEY)");
ABSL_FLAG(std::string, ca, oversight::cli::Env("OVERSIGHT_CA"),
          "PEM file of the CA that signed the server's certificate (default "
          "$OVERSIGHT_CA)");
ABSL_FLAG(int, timeout_seconds, 10, "deadline of each call");
ABSL_FLAG(std::string, agency, "",
          "without TLS: the calling agency, sent as oversight-agency "
          "(default \"oversight-cli\"); over TLS: the agency a command is "
          "for, which an importer may name (import lines name their own); "
          "history: also only events by or naming this agency");
ABSL_FLAG(std::string, role, oversight::cli::Env("OVERSIGHT_ROLE"),
          "without TLS: the calling agency's role, sent as oversight-role: "
          "force, reviewing-body, partner, panel, auditor, importer or "
          "operator (default $OVERSIGHT_ROLE; none when empty; import: "
          "importer); over TLS the certificate names the role");
ABSL_FLAG(std::string, justification,
          oversight::cli::Env("OVERSIGHT_JUSTIFICATION"),
          "why you read, sent with every call (one line, at most 1000 bytes; "
          "Welsh too): OFFICIAL-SENSITIVE content is shown only to those "
          "entitled who give one, and the access log records it (default "
          "$OVERSIGHT_JUSTIFICATION)");
ABSL_FLAG(std::string, actor, oversight::cli::DefaultActor(),
          "commands: the person or service acting, for lines and commands "
          "that name none");
ABSL_FLAG(std::string, expected, "any",
          "append: expected revision: any, no_stream, exists, or a number");
ABSL_FLAG(bool, backwards, false, "read backwards");
ABSL_FLAG(int, max, 100, "read: events per call (1 to 1000)");
ABSL_FLAG(std::string, stream_prefix, "", "read-all/tail: stream prefix");
ABSL_FLAG(std::string, type, "",
          "read-all/tail: only this event type; history: only these event "
          "types, comma-separated, \"oversight.v1.\" optional");
ABSL_FLAG(bool, all, false, "read-all/read-stream/history: page until the end");
ABSL_FLAG(bool, quiet, false, "import: print only errors and the summary");

namespace oversight::cli {
namespace {

// Mutual TLS with --cert, --key and --ca (all three, or none: plaintext).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials() {
  const std::string cert = absl::GetFlag(FLAGS_cert);
  const std::string key = absl::GetFlag(FLAGS_key);
  const std::string ca = absl::GetFlag(FLAGS_ca);
  if (cert.empty() && key.empty() && ca.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  if (cert.empty() || key.empty() || ca.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs all three of --cert, --key and --ca");
  }
  grpc::SslCredentialsOptions ssl;
  for (auto [flag, path, out] :
       {std::make_tuple("--cert", cert, &ssl.pem_cert_chain),
        std::make_tuple("--key", key, &ssl.pem_private_key),
        std::make_tuple("--ca", ca, &ssl.pem_root_certs)}) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in.is_open() || in.bad() || content.str().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": cannot read \"", path, "\""));
    }
    *out = content.str();
  }
  return grpc::SslCredentials(ssl);
}

int Import(const Clients& clients, const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage("import needs one FILE");
  ImportOptions options;
  options.identity = clients.identity;
  // In the test mode the lines go as an importer's, as over TLS with an
  // importer's certificate, unless --role names another role.
  if (options.identity.mode == IdentityMode::kMetadata &&
      options.identity.role.empty()) {
    options.identity.role = "importer";
  }
  options.timeout = std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds));
  options.default_actor = absl::GetFlag(FLAGS_actor);
  options.quiet = absl::GetFlag(FLAGS_quiet);
  return RunImport(args[0], *clients.commands, clients.events.get(), options,
                   std::cout, std::cerr);
}

// The flags every query verb takes, for their help.
#define OVERSIGHT_QUERY_FLAGS_HELP                                            \
  "Flags:\n"                                                                  \
  "  --as-of=WHEN      the record as at a past moment instead of now:\n"      \
  "                      YYYY-MM-DD       the world as it stood at the end\n" \
  "                                       of that day (UTC), corrections\n"   \
  "                                       recorded since included\n"          \
  "                      RFC 3339 time    likewise, at that instant\n"        \
  "                                       (2024-07-31T12:00:00Z)\n"           \
  "                      @N, position:N   only what had been recorded by\n"   \
  "                                       log position N\n"                   \
  "                      @N,DATE          both (@120,2024-07-31)\n"           \
  "  --min_position=N  wait (up to --timeout_seconds) until the server has\n" \
  "                    caught up with position N, such as the position a\n"   \
  "                    command returned; exit 3 if it does not\n"             \
  "  --output=table|json  json: the response as one document in protobuf's\n" \
  "                    JSON mapping, with proto field names\n"                \
  "  --lang=en|cy      cy: Welsh where the record has it, else English\n"     \
  "                    marked \" [en]\"\n"                                    \
  "  --agency=ID, --role=ROLE, --actor=WHO  without TLS, who reads, in a\n"   \
  "                    role the server lets read this (docs/security.md);\n"  \
  "                    over TLS the certificate says who reads\n"             \
  "  --justification=TEXT  why you read: without one, or when your role\n"    \
  "                    is not entitled, OFFICIAL-SENSITIVE events are\n"      \
  "                    left out and the answer says how many; with one,\n"    \
  "                    reading them is recorded in the access log, and\n"     \
  "                    the answer says where\n"

struct Verb {
  const char* name;
  const char* synopsis;  // The verb and its arguments.
  const char* summary;   // One line, for the list of verbs.
  const char* help;      // What it does, its flags, and an example.
  int (*run)(const Clients&, const std::vector<std::string>&);
};

constexpr Verb kVerbs[] = {
    {"head", "head", "last position and its chain hash",
     "Prints the position of the last event in the log and its chain hash.\n"
     "\n"
     "Example:\n"
     "  oversight --server=127.0.0.1:50051 head\n",
     Head},
    {"verify", "verify [FROM [TO]]", "recompute the hash chain",
     "Recomputes the hash chain from position FROM to TO (default: the whole\n"
     "log) and prints the range verified and the head hash. Exits 4 when the\n"
     "chain does not verify. For auditors and the deployment's operator.\n"
     "\n"
     "Example:\n"
     "  oversight --role=auditor verify 1 1000\n",
     Verify},
    {"append", "append STREAM TYPE DATA", "append one event",
     "Appends one event with a fresh id to STREAM; DATA is stored as given.\n"
     "--expected=any|no_stream|exists|N is the stream revision the append\n"
     "requires (default any). Only the deployment's operator may append\n"
     "(role operator); the domain's streams are written by commands alone.\n"
     "\n"
     "Example:\n"
     "  oversight --role=operator append notes-1 example.Noted 'hello' \\\n"
     "      --expected=no_stream\n",
     Append},
    {"read-stream", "read-stream STREAM [FROM]", "events of one stream",
     "Prints the events of STREAM from revision FROM (default: the first, or\n"
     "the last with --backwards), --max=N per call (default 100); --all\n"
     "pages on until the end. For auditors and the deployment's operator.\n"
     "Without --justification an OFFICIAL-SENSITIVE event prints as\n"
     "\"withheld (OFFICIAL-SENSITIVE)\" instead of its data; with one, each\n"
     "page that carried such data prints where the access log recorded it.\n"
     "\n"
     "Example:\n"
     "  oversight --role=auditor read-stream notes-1 --all\n",
     ReadStream},
    {"read-all", "read-all [FROM]", "events of the whole log",
     "Prints the events of the whole log from position FROM (default: the\n"
     "first, or the last with --backwards), --max=N per call (default 100);\n"
     "--all pages on until the end. --stream_prefix=P and --type=T filter.\n"
     "For auditors and the deployment's operator. OFFICIAL-SENSITIVE events\n"
     "print as withheld without --justification, as for read-stream.\n"
     "\n"
     "Example:\n"
     "  oversight --role=auditor read-all --stream_prefix=review- --all\n",
     ReadAll},
    {"tail", "tail [FROM]", "subscribe: history, then live (Ctrl-C)",
     "Prints the events from position FROM (default: only new ones), then\n"
     "each new event as it is recorded, until interrupted. --stream_prefix=P\n"
     "and --type=T filter. For auditors and the deployment's operator.\n"
     "OFFICIAL-SENSITIVE events print as withheld without --justification;\n"
     "with one, each is followed by where the access log recorded it.\n"
     "\n"
     "Example:\n"
     "  oversight --role=auditor tail 1 --type=oversight.v1.RatingAssigned\n",
     Tail},
    {"import", "import FILE", "send the commands of a JSON Lines file",
     "Sends the commands in FILE to the server, in order. FILE has one\n"
     "oversight.v1.ImportLine per line, in protobuf's JSON mapping: the\n"
     "agency it is recorded as, optionally the actor, and one command with\n"
     "its requestId (see proto/oversight/v1/commands.proto). Blank lines and\n"
     "lines starting with # are skipped.\n"
     "\n"
     "The whole file is checked first: a bad line prints FILE:LINE: why and\n"
     "exits 2 with nothing sent. Each line is then sent for its agency and\n"
     "as its actor (--actor for lines without one; default\n"
     "oversight-cli:$USER), and its agency goes in oversight-on-behalf-of.\n"
     "Over TLS the server allows that an importer's certificate (or the\n"
     "agency's own, for its own lines). Without TLS, for a server in the\n"
     "insecure test mode, the lines are sent as an importer: oversight-agency\n"
     "--agency (default oversight-cli), oversight-role importer (or --role).\n"
     "The first line the server refuses stops the import: it is printed as\n"
     "\"line N: CODE (REASON): message\" and the exit code is 1 (3 when the\n"
     "server cannot be reached); later lines are not sent. Lines the server\n"
     "has already applied (same agency and requestId) count as \"already\n"
     "applied\", so running a file again after fixing it is safe.\n"
     "\n"
     "Progress goes to stderr, one line per command (--quiet: only errors);\n"
     "the summary to stdout:\n"
     "  imported N lines: A applied, D already applied; head position P\n"
     "\n"
     "Flags: --quiet, --actor=WHO, --timeout_seconds=N (per command),\n"
     "--server=HOST:PORT, --cert/--key/--ca; without TLS --agency, --role.\n"
     "\n"
     "Example:\n"
     "  $ cat agencies.jsonl\n"
     "  # The first agency registers itself, as the reviewing body.\n"
     "  {\"agency\": \"opcc\", \"registerAgency\": {\"requestId\": "
     "\"reg-opcc\", "
     "\"classification\": \"CLASSIFICATION_OFFICIAL\", \"agency\": "
     "{\"agencyId\": \"opcc\", \"name\": {\"en\": \"The OPCC\"}, \"kind\": "
     "\"AGENCY_KIND_REVIEWING_BODY\"}}}\n"
     "  $ oversight import agencies.jsonl\n"
     "  [1/1] line 2 register_agency: applied, position 1\n"
     "  imported 1 line: 1 applied, 0 already applied; head position 1\n",
     Import},
    {"status", "status REVIEW", "the status board of a review",
     "Prints the status board of REVIEW. The first line is the review's title\n"
     "and the moment the answer is for: \"as at position P\", and with an\n"
     "effective time \", effective T\". Then the review's periods (and which\n"
     "are open), and one row per recommendation:\n"
     "  NO           its number\n"
     "  THEME        its theme\n"
     "  OWNER        the owning agency\n"
     "  CURRENT      the rating for the latest opened period, with the\n"
     "               period (\"Amber 2025-01\"; \"not stated 2025-01\" when\n"
     "               that period has no rating)\n"
     "  PREVIOUS     the rating for the period before it\n"
     "  STATE        open or closed\n"
     "  LAST UPDATE  the period of its last update not withdrawn\n"
     "  MISSED       the closed periods it was open in with no update\n"
     "  MONITORING   its open monitoring activities\n"
     "  RISKS        its open risks\n"
     "\n" OVERSIGHT_QUERY_FLAGS_HELP "\n"
     "Example:\n"
     "  oversight status dyfed-powys-stalking-2023\n"
     "  oversight status dyfed-powys-stalking-2023 --as-of=2024-07-31\n",
     StatusBoard},
    {"recommendation", "recommendation REVIEW N", "one recommendation in full",
     "Prints recommendation N of REVIEW: a summary (owner, contributing\n"
     "agencies, open or closed, current and previous rating, last update,\n"
     "periods missed), its text, then every update (period, agency, bullets\n"
     "with sub-bullets indented, evidence; \"[corrected at P]\" when later\n"
     "corrected, the bullets shown as corrected; \"[withdrawn: reason]\"),\n"
     "every rating with its rationale, monitoring activities,\n"
     "cross-references, risks and meetings that name it.\n"
     "\n" OVERSIGHT_QUERY_FLAGS_HELP "\n"
     "Example:\n"
     "  oversight recommendation dyfed-powys-stalking-2023 3 --lang=cy\n",
     RecommendationDetail},
    {"history",
     "history [--review=R [--number=N]] [--agency=A [--person=P]] "
     "[--type=T] [--from=DATE] [--to=DATE] [--all]",
     "events touching a subject, in log order",
     "Prints, in log order, every event touching a recommendation (--review\n"
     "and --number), a review (--review), an agency (--agency: as the actor\n"
     "or named by the event) or a person (--agency and --person); with none\n"
     "of these, the whole log. One line per event: its position, the day it\n"
     "occurred, when it was recorded (UTC), who recorded it (agency/person),\n"
     "its type, what it is about, and for corrections and withdrawals\n"
     "\"corrects P\", for updates corrected since \"corrected by P,Q\".\n"
     "An OFFICIAL-SENSITIVE event you may not read (not entitled, or no\n"
     "--justification) shows only its position, day and agency, with\n"
     "\"withheld (OFFICIAL-SENSITIVE)\" for what it is about; --type and\n"
     "--person never find it.\n"
     "\n"
     "  --type=T[,T...]   only these event types (RatingAssigned or\n"
     "                    oversight.v1.RatingAssigned)\n"
     "  --from=DATE       only events that occurred on or after DATE\n"
     "  --to=DATE         only events that occurred on or before DATE (an\n"
     "                    RFC 3339 time instead: before that instant)\n"
     "  --page_size=N     entries per call, 1 to 500 (default 50)\n"
     "  --all             follow the pages to the end; without it, a last\n"
     "                    page that is not the end prints --page_token=...\n"
     "                    to go on with (on stderr)\n"
     "  --page_token=T    go on from an earlier page\n"
     "  --follow          the entries so far, then each new one as it is\n"
     "                    recorded, until interrupted; \"-- caught up at\n"
     "                    position N; live --\" marks where history ends.\n"
     "                    With the subject flags and --type only\n"
     "  --after=N         with --follow: only entries after log position N\n"
     "                    (resume where an earlier follow stopped)\n"
     "Without TLS, --agency is also sent as the reader's agency.\n"
     "\n" OVERSIGHT_QUERY_FLAGS_HELP "\n"
     "Example:\n"
     "  oversight history --review=dyfed-powys-stalking-2023 --number=3 --all\n"
     "  oversight history --agency=paladin --type=PartnerReportSubmitted\n"
     "      --from=2024-01-01 --to=2024-12-31\n"
     "  oversight history --agency=paladin --follow --after=99\n",
     History},
    {"attention", "attention REVIEW",
     "what needs the reviewing body's attention",
     "Prints what in REVIEW needs the reviewing body's attention, and the day\n"
     "it is judged on (the --as-of day, or the server's today): updates due\n"
     "and missing, Red and Amber recommendations, monitoring activities due\n"
     "within 14 days or overdue, open risks, and recommendations with no\n"
     "update in the last two closed periods. One row per item: its kind,\n"
     "the recommendation (\"review\" for the review as a whole), period, due\n"
     "date, OVERDUE, the activity or risk, and the detail.\n"
     "\n" OVERSIGHT_QUERY_FLAGS_HELP "\n"
     "Example:\n"
     "  oversight attention dyfed-powys-stalking-2023 --as-of=2025-01-31\n",
     Attention},
    {"partner", "partner AGENCY", "a partner's programmes and figures",
     "Prints AGENCY's programmes, each with a table of its reported figures\n"
     "(one row per figure, one column per quarter; * marks running totals)\n"
     "and what each figure means, then the recommendations AGENCY owns or\n"
     "contributes to, open or closed.\n"
     "\n" OVERSIGHT_QUERY_FLAGS_HELP "\n"
     "Example:\n"
     "  oversight partner paladin --as-of=@100\n",
     PartnerView},
    {"access-log",
     "access-log [--agency=A [--person=P]] [--from=DATE] [--to=DATE] "
     "[--kind=consultation|disclosure] [--all]",
     "who read sensitive content, what was disclosed, why",
     "Prints the access log (Data Protection Act 2018, s.62), in log order:\n"
     "every answer that carried OFFICIAL-SENSITIVE content (a consultation)\n"
     "and every report rendered (a disclosure), as the server recorded it\n"
     "in the log before answering. For auditors only. One row per access:\n"
     "  POSITION       where it is in the log\n"
     "  WHEN (UTC)     when it happened\n"
     "  WHO            agency/person (for an importer, who for whom)\n"
     "  ROLE           the role they read in\n"
     "  KIND           consultation or disclosure\n"
     "  METHOD         what was called (Queries/ListHistory)\n"
     "  POSITIONS      the log positions of the sensitive events read\n"
     "  JUSTIFICATION  why, as they gave it (--justification)\n"
     "  RECIPIENTS     to whom a report went (report --recipients)\n"
     "  QUERY          the request, in JSON (cut; --output=json has it all)\n"
     "\n"
     "  --agency=A        only accesses by agency A; without TLS also the\n"
     "                    agency you call as\n"
     "  --person=P        only accesses by person P of agency A\n"
     "  --from=DATE       only accesses on or after DATE (or an RFC 3339\n"
     "                    time)\n"
     "  --to=DATE         only accesses on or before DATE (an RFC 3339 time\n"
     "                    instead: before that instant)\n"
     "  --kind=K          only consultation or disclosure\n"
     "  --page_size=N     entries per call, 1 to 500 (default 50)\n"
     "  --all             follow the pages to the end; without it, a last\n"
     "                    page that is not the end prints --page_token=...\n"
     "                    to go on with (on stderr)\n"
     "  --page_token=T    go on from an earlier page (same filters)\n"
     "  --min_position=N, --output=table|json  as for the other queries\n"
     "                    (json: protobuf's JSON mapping, every page's\n"
     "                    entries in one document)\n"
     "\n"
     "Example:\n"
     "  oversight --role=auditor access-log --from=2025-01-01 --all\n"
     "  oversight --role=auditor access-log --agency=dyfed-powys-opcc\n"
     "      --kind=consultation --output=json\n",
     AccessLog},
    {"report",
     "report [publish|verify] --review=R --period=YYYY-MM [--lang=en|cy] "
     "[--format=md|html] [--recipients=A,B]",
     "the Panel progress report: render, publish sealed, verify",
     "oversight report --review=R --period=YYYY-MM [--lang=en|cy]\n"
     "    [--format=md|html] [--as-of=WHEN] [--min_position=N] [--out=FILE]\n"
     "    [--recipients=A,B]\n"
     "  Renders the progress report to the Police and Crime Panel for one\n"
     "  period, from the log (as at --as-of, or now), in English or Welsh, as\n"
     "  Markdown (default) or self-contained HTML. The report alone goes to\n"
     "  stdout, or to FILE with --out (a line saying what was written, with\n"
     "  its SHA-256, goes to stderr). The same position, language and format\n"
     "  always give the same bytes. Every report rendered is a disclosure,\n"
     "  recorded in the access log with --recipients (to whom it goes,\n"
     "  comma-separated) and --justification; stderr says where (\"access\n"
     "  recorded at position N\"). The Panel renders published reports\n"
     "  only, as they were sealed (no --as-of).\n"
     "\n"
     "oversight [--agency=ID --role=reviewing-body] report publish\n"
     "    --review=R --period=YYYY-MM --lang=en|cy --format=md|html\n"
     "    [--position=N] [--request-id=ID]\n"
     "  Publishes the report, as the review's reviewing body (the agency of\n"
     "  the certificate; without TLS, --agency with --role): the server\n"
     "  renders it as at log position N (default: the head) and records the\n"
     "  period, language, format, position and the SHA-256 of the bytes.\n"
     "  Prints the publication's position, the position rendered, the\n"
     "  SHA-256 and the size. Give --request-id to make a retry safe (the\n"
     "  same id returns the first publication); without it a new one is\n"
     "  made.\n"
     "\n"
     "oversight report verify --review=R (--publication=POS |\n"
     "    --period=YYYY-MM --lang=en|cy --format=md|html) [--file=FILE]\n"
     "  Checks a publication (the one recorded at log position POS, or the\n"
     "  latest for that period, language and format): the server renders it\n"
     "  again at the position it was sealed at and compares the SHA-256.\n"
     "  With --file, also checks a copy you hold and prints the first line\n"
     "  where it differs. Exits 0 when everything matches, and 4 with a\n"
     "  one-line explanation on stderr when not.\n"
     "\n"
     "Flags: --as-of, --min_position as for the queries; --output=json\n"
     "prints the response as one JSON document (the report itself base64,\n"
     "as `content`).\n"
     "\n"
     "Example:\n"
     "  oversight report --review=dyfed-powys-stalking-2023 --period=2025-01\n"
     "      --lang=cy --format=html --out=2025-01.cy.html\n"
     "      --recipients='Dyfed-Powys Police and Crime Panel'\n"
     "  oversight --agency=dyfed-powys-opcc --role=reviewing-body report "
     "publish\n"
     "      --review=dyfed-powys-stalking-2023 --period=2025-01 --lang=en\n"
     "      --format=md --request-id=publish-2025-01-en-md\n"
     "  oversight report verify --review=dyfed-powys-stalking-2023\n"
     "      --period=2025-01 --lang=en --format=md --file=2025-01.en.md\n",
     Report},
    {"export",
     "export [FROM [TO]] [--stream=S | --stream_prefix=P] [--from=TIME] "
     "[--to=TIME] [--out=FILE]",
     "the log, or part of it, as JSON Lines",
     "Writes the events of the log from position FROM to TO (default: all,\n"
     "up to the head as it stood when the export began) as JSON Lines, one\n"
     "RecordedEvent per line in protobuf's JSON mapping (proto field names,\n"
     "every field, bytes in base64), with its position and chain hash: what\n"
     "`oversight replay` reads. To stdout, or to FILE with --out.\n"
     "\n"
     "  --stream=S        only the events of stream S\n"
     "  --stream_prefix=P only the events of streams starting with P\n"
     "  --from=TIME       only events recorded on or after TIME (a date,\n"
     "                    YYYY-MM-DD, or an RFC 3339 time)\n"
     "  --to=TIME         only events recorded on or before that date\n"
     "                    (an RFC 3339 time instead: before that instant)\n"
     "  --out=FILE        write to FILE instead of stdout\n"
     "  --quiet           no progress lines\n"
     "  --progress_every=N  a progress line on stderr every N events\n"
     "                    (default 100000) and at least once a second:\n"
     "                    \"exported 120000 events to position 120000\"\n"
     "\n"
     "An OFFICIAL-SENSITIVE event comes complete only to an entitled role\n"
     "(the reviewing body, an auditor, the agency that recorded it) with a\n"
     "--justification, and the server records that in its access log;\n"
     "otherwise it is exported withheld (\"withheld\": true, no data or\n"
     "metadata, the hash as recorded). The summary on stderr says how many\n"
     "events were exported, the positions and the last hash, how many were\n"
     "withheld, and where the access was recorded. For auditors and the\n"
     "deployment's operator.\n"
     "\n"
     "Example:\n"
     "  oversight --role=auditor --justification='Audit 2025/17' export\n"
     "      --out=log.jsonl\n"
     "  oversight --role=auditor export --stream=review-dyfed-powys-"
     "stalking-2023\n"
     "  oversight --role=auditor export 1 500 --from=2025-01-01 "
     "--out=part.jsonl\n",
     Export},
    {"replay", "replay FILE [VERB ARGS]",
     "an export checked and answered offline",
     "Reads FILE (from `oversight export`) without a server: checks every\n"
     "line (a bad one: FILE:LINE: why, exit 2), recomputes the hash chain\n"
     "with the log's own record encoding (a break: \"chain broken at\n"
     "position P (line L): ...\", exit 4), and rebuilds the read models\n"
     "with the server's own code. A withheld line, and a line whose\n"
     "predecessor is not in the file (an export of a stream or a range),\n"
     "cannot be recomputed: their hashes are taken as given, and counted.\n"
     "\n"
     "Without VERB it prints the chain's verification and a summary: events,\n"
     "streams, reviews, agencies, the head position and hash. With one of\n"
     "  status REVIEW, recommendation REVIEW N, attention REVIEW,\n"
     "  partner AGENCY, report --review=R --period=P [--lang=en|cy]\n"
     "  [--format=md|html] [--out=FILE]\n"
     "it answers as the online verb does, from the file (as at its last\n"
     "position, or --as-of), with the same output (--output=table|json,\n"
     "--lang), and the chain's line on stderr. A report replayed from a\n"
     "full export is byte for byte the server's at the same position.\n"
     "Progress (reading, checking) goes to stderr for large files;\n"
     "--quiet turns it off.\n"
     "\n"
     "Example:\n"
     "  oversight replay log.jsonl\n"
     "  oversight replay log.jsonl status dyfed-powys-stalking-2023 "
     "--as-of=2024-07-31\n"
     "  oversight replay log.jsonl report --review=dyfed-powys-stalking-2023\n"
     "      --period=2025-01 --lang=cy --format=html --out=2025-01.cy.html\n",
     Replay},
    {"backup", "backup NAME", "online backup of the store (operator)",
     "Asks the server for a consistent online backup of its whole store\n"
     "(the log, its indexes, the read models' snapshots) into the new\n"
     "directory NAME under the one it was started with (oversightd\n"
     "--backup_dir=DIR), while it keeps serving, and prints the backup's\n"
     "directory and the head position and hash it holds. NAME is one plain\n"
     "directory name (A-Z a-z 0-9 . _ -, not starting with '.'); an existing\n"
     "one is refused (ALREADY_EXISTS). For the deployment's operator only.\n"
     "To restore, serve the backup (or a `cp -a` copy of it) as the data\n"
     "directory: oversightd --data_dir=DIR/NAME --verify_on_open\n"
     "(docs/operations.md).\n"
     "\n"
     "Example:\n"
     "  oversight --role=operator backup 2025-01-31\n",
     Backup},
};

const Verb* FindVerb(const std::string& name) {
  for (const Verb& verb : kVerbs) {
    if (name == verb.name) return &verb;
  }
  return nullptr;
}

std::string ProgramUsage() {
  std::string usage =
      "A client for oversightd: reads and verifies the event log, records\n"
      "commands, and queries the record.\n"
      "  oversight [--server=HOST:PORT] [--cert=F --key=F --ca=F] [FLAGS]\n"
      "            VERB [ARGS]\n"
      "With --cert, --key and --ca (or $OVERSIGHT_CERT, $OVERSIGHT_KEY,\n"
      "$OVERSIGHT_CA) it speaks mutual TLS as the agency and role the\n"
      "certificate names; without them, plaintext to a server in the insecure\n"
      "test mode, as --agency (default oversight-cli) with --role (or\n"
      "$OVERSIGHT_ROLE): force, reviewing-body, partner, panel, auditor,\n"
      "importer or operator. What each role may call: docs/security.md.\n"
      "--justification=TEXT (or $OVERSIGHT_JUSTIFICATION) says why you\n"
      "read: OFFICIAL-SENSITIVE content is shown only with one, and recorded\n"
      "in the access log.\n"
      "Verbs:\n";
  for (const Verb& verb : kVerbs) {
    if (std::strlen(verb.synopsis) > 27) {  // its own line, then the summary
      absl::StrAppend(&usage, "  ", verb.synopsis, "\n",
                      absl::StrFormat("  %-27s %s\n", "", verb.summary));
    } else {
      absl::StrAppend(
          &usage, absl::StrFormat("  %-27s %s\n", verb.synopsis, verb.summary));
    }
  }
  absl::StrAppend(&usage,
                  "Commands (record a fact: VERB FIELD=VALUE... "
                  "--classification=official|sensitive;\n"
                  "`oversight help VERB` lists its fields):\n");
  std::string row = " ";
  for (const CommandVerb& command : CommandVerbs()) {
    if (row.size() + 1 + command.name.size() > 78) {
      absl::StrAppend(&usage, row, "\n");
      row = " ";
    }
    absl::StrAppend(&row, " ", command.name);
  }
  absl::StrAppend(&usage, row, "\n",
                  "  (and `report publish`, above, publishes a report)\n");
  absl::StrAppend(
      &usage,
      absl::StrFormat("  %-27s %s\n", "help [VERB]",
                      "a verb's usage and an example (or: VERB --help)"),
      "Example:\n"
      "  oversight --role=operator append notes-1 example.Noted 'hello'\n"
      "  oversight --role=auditor read-all --all\n"
      "  oversight import review.jsonl\n"
      "  oversight --role=auditor status dyfed-powys-stalking-2023 "
      "--as-of=2024-07-31\n"
      "  oversight --role=reviewing-body --justification='Complaint 2025/17'\n"
      "      history --review=dyfed-powys-stalking-2023 --number=1\n"
      "  oversight --role=auditor access-log --all\n"
      "Exit codes: 0 ok, 1 refused, 2 usage or bad import file,\n"
      "            3 unreachable, 4 chain broken or report not as sealed");
  return usage;
}

int VerbHelp(const Verb& verb) {
  std::cout << "usage: oversight [FLAGS] " << verb.synopsis << "\n\n"
            << verb.help;
  return kExitOk;
}

int Help(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cout << ProgramUsage() << "\n";
    return kExitOk;
  }
  const CommandVerb* command = FindCommandVerb(args[0]);
  if (command != nullptr && args.size() == 1) return CommandVerbHelp(*command);
  const Verb* verb = FindVerb(args[0]);
  if (verb == nullptr || args.size() > 1) {
    return Usage(absl::StrCat("help: unknown verb \"", args[0], "\""));
  }
  return VerbHelp(*verb);
}

// Flags may be spelt with dashes, as --as-of: absl knows them by their
// underscored names (--as_of). Only the name, before any "=", changes.
std::string FlagSpelling(const char* arg) {
  std::string s(arg);
  if (s.size() < 2 || s[0] != '-') return s;
  const size_t start = s[1] == '-' ? 2 : 1;
  size_t end = s.find('=');
  if (end == std::string::npos) end = s.size();
  if (start >= end || !absl::ascii_isalpha(s[start])) return s;
  for (size_t i = start; i < end; ++i) {
    if (s[i] == '-') s[i] = '_';
  }
  return s;
}

bool IsHelpFlag(const char* arg) {
  return std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-help") == 0 ||
         std::strcmp(arg, "-h") == 0;
}

}  // namespace
}  // namespace oversight::cli

int main(int argc, char** argv) {
  namespace cli = oversight::cli;
  absl::SetProgramUsageMessage(cli::ProgramUsage());
  // `oversight VERB --help` is the verb's help: take the flag out before
  // absl sees it (absl's --help is the program's). Arguments after "--" are
  // data, never flags. Flag names spelt with dashes get underscores.
  std::deque<std::string> respelt;  // stable storage for kept's pointers
  std::vector<char*> kept = {argv[0]};
  const cli::Verb* verb_before_help = nullptr;
  const cli::CommandVerb* command_before_help = nullptr;
  bool verb_help = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      kept.insert(kept.end(), argv + i, argv + argc);
      break;
    }
    if (verb_before_help == nullptr && command_before_help == nullptr) {
      verb_before_help = cli::FindVerb(argv[i]);
      command_before_help = cli::FindCommandVerb(argv[i]);
    } else if (cli::IsHelpFlag(argv[i])) {
      verb_help = true;
      continue;
    }
    respelt.push_back(cli::FlagSpelling(argv[i]));
    kept.push_back(respelt.back().data());
  }
  if (verb_help && command_before_help != nullptr) {
    return cli::CommandVerbHelp(*command_before_help);
  }
  if (verb_help) return cli::VerbHelp(*verb_before_help);
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(kept.size()), kept.data());
  if (positional.size() < 2) {
    return cli::Usage("no verb given");
  }
  const std::string name = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  if (name == "help") return cli::Help(args);
  const cli::Verb* verb = cli::FindVerb(name);
  const cli::CommandVerb* command = cli::FindCommandVerb(name);
  if (verb == nullptr && command == nullptr) {
    return cli::Usage(absl::StrCat("unknown verb \"", name, "\""));
  }
  // replay needs no server: no certificate is read for it.
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      verb != nullptr && verb->run == cli::Replay
          ? absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>(
                grpc::InsecureChannelCredentials())
          : cli::ChannelCredentials();
  if (!credentials.ok()) {
    return cli::Usage(std::string(credentials.status().message()));
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(absl::GetFlag(FLAGS_server), *credentials);
  cli::Clients clients{oversight::v1::EventStore::NewStub(channel),
                       oversight::v1::Commands::NewStub(channel),
                       oversight::v1::Queries::NewStub(channel),
                       {}};
  clients.admin = oversight::v1::Admin::NewStub(channel);
  if (!absl::GetFlag(FLAGS_cert).empty()) {
    clients.identity.mode = cli::IdentityMode::kCertificate;
  } else {
    const std::string agency = absl::GetFlag(FLAGS_agency);
    if (!agency.empty()) clients.identity.agency = agency;
    clients.identity.role = absl::GetFlag(FLAGS_role);
  }
  if (!cli::IsMetadataValue(clients.identity.agency)) {
    return cli::Usage("--agency must be printable ASCII (an agency id)");
  }
  if (!clients.identity.role.empty() &&
      !cli::IsMetadataValue(clients.identity.role)) {
    return cli::Usage("--role must be printable ASCII (a role name)");
  }
  absl::StatusOr<std::string> justification =
      cli::ParseJustification(absl::GetFlag(FLAGS_justification));
  if (!justification.ok()) {
    return cli::Usage(std::string(justification.status().message()));
  }
  clients.identity.justification = *std::move(justification);
  if (command != nullptr) return cli::RunCommandVerb(*command, clients, args);
  return verb->run(clients, args);
}
