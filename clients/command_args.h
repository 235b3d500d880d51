// The command verbs of the oversight CLI: one verb per Commands RPC
// (`assign-rating` for AssignRating, ...), the request built from
// FIELD=VALUE arguments. Pure: nothing here talks to a server, so the
// parsing, the help and the examples are tested without one.
//
// Every command's request is the same shape (proto/oversight/v1/
// commands.proto): request_id, occurred_at, classification, and the fact
// itself, a domain event message (RatingAssigned, ...). The arguments name
// the fact's fields, by their proto names (or JSON names) with dots for
// nested messages:
//
//   oversight assign-rating review_id=stalking number=3 period=2025-01
//       rating=amber rationale="Some progress" rationale.cy="Peth cynnydd"
//       --classification=official
//
//   FIELD=VALUE   text as given; a whole number; true or false; an enum by
//                 its name with or without its prefix, any case ("amber",
//                 "RATING_AMBER", "stalking-clinic"); a time in RFC 3339 or
//                 a date (midnight UTC). On a LocalizedText field the value
//                 is its English (`title=...` is `title.en=...`). On a
//                 repeated field each assignment adds one item.
//   FIELD:=JSON   any field, in protobuf's JSON mapping: a list
//                 (`bullets:=[{"text":{"en":"..."}}]`) adds its items, an
//                 object or a single value adds or sets one.
//
// The request's own fields come from flags: --classification (required:
// the sender says whether the fact is OFFICIAL or OFFICIAL-SENSITIVE),
// --occurred_at (default: now, as the server sees it), --request_id
// (default: derived from the command, so running the same command line
// again is recognised by the server and records nothing twice).

#ifndef OVERSIGHT_CLIENTS_COMMAND_ARGS_H_
#define OVERSIGHT_CLIENTS_COMMAND_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "oversight/v1/commands.pb.h"

namespace oversight::cli {

// One command verb.
struct CommandVerb {
  // "assign-rating": the ImportLine field's name with dashes.
  std::string name;
  // The ImportLine field (`assign_rating`), whose type is the request.
  const google::protobuf::FieldDescriptor* line_field = nullptr;
  // What it records, who may send it, and what it needs: a few lines.
  std::string summary;
  // A worked example's arguments after the verb, flags included. The
  // examples, in table order, are one story that runs on a server loaded
  // with the worked example (examples/dyfed-powys): the CLI's end-to-end
  // test runs them all.
  std::vector<std::string> example_flags;  // before the verb: identity
  std::vector<std::string> example_args;   // after the verb
};

// The command verbs, in the order the story of their examples needs. Every
// Commands RPC but PublishReport (`oversight report publish`, which asks
// the server to render and seal the report) has one.
const std::vector<CommandVerb>& CommandVerbs();

// The verb named `name`, or nullptr.
const CommandVerb* FindCommandVerb(absl::string_view name);

// What the flags of a command verb said.
struct CommandFlags {
  std::string classification;  // --classification: official, sensitive
  std::string occurred_at;     // --occurred_at: RFC 3339 or date; "" now
  std::string request_id;      // --request_id; "" to derive one
  std::string agency;          // the agency the command is for ("" none)
  std::string actor;           // the person acting ("" none)
};

// The import line (clients/import_file.h) that `verb` with `args` and
// `flags` sends. INVALID_ARGUMENT with a message for the user when an
// argument does not parse, names no field of the fact, or gives a value
// its field cannot hold, or the classification is missing or unknown.
absl::StatusOr<v1::ImportLine> BuildCommand(
    const CommandVerb& verb, const std::vector<std::string>& args,
    const CommandFlags& flags);

// The request id `line` gets when none is given: "cli-" and 32 hex digits
// of the SHA-256 of the command's name, the agency it is for and the
// request (deterministically serialised, without a request id). The same
// command gives the same id, so the server recognises a repeat.
std::string DerivedRequestId(const v1::ImportLine& line);

// The fact's fields, one line each ("  rating       enum: red, amber,
// green"), for the verb's help.
std::string FieldHelp(const CommandVerb& verb);

// `args` as a shell would need them typed: each quoted where it must be,
// and the lines broken (" \\" and an indent of 4) before `width` columns
// where a word allows it.
std::string ShellWords(const std::vector<std::string>& args, size_t width = 76);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_COMMAND_ARGS_H_
