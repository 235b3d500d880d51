// Reading an import file for `oversight import`.
//
// An import file is JSON Lines: each line is one oversight.v1.ImportLine
// (proto/oversight/v1/commands.proto) in protobuf's JSON mapping, naming
// the agency (and optionally the person) it is recorded as and exactly one
// command. Blank lines and lines whose first non-space character is `#`
// are comments. For example (one line, wrapped here):
//
//   {"agency": "opcc", "actor": "j.jones", "assignRating": {"requestId":
//    "rate-3-2025-01", "classification": "CLASSIFICATION_OFFICIAL",
//    "rating": {"reviewId": "stalking", "number": 3, "period": "2025-01",
//    "rating": "RATING_AMBER", "rationale": {"en": "..."}}}}
//
// The whole file is read and checked before anything is sent, so that a
// mistake anywhere stops the import before it starts. Nothing here talks to
// a server.

#ifndef OVERSIGHT_CLIENTS_IMPORT_FILE_H_
#define OVERSIGHT_CLIENTS_IMPORT_FILE_H_

#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "oversight/v1/commands.pb.h"

namespace oversight::cli {

struct ImportEntry {
  int line_number = 0;  // 1-based, counting comment and blank lines.
  v1::ImportLine line;
};

// Parses and checks the text of one line. InvalidArgument says why: not
// JSON for an ImportLine (unknown fields included), no `agency`, no
// command, a command without `request_id` (which is what makes re-running
// a file safe), or an agency that cannot travel as gRPC metadata (printable
// ASCII only; agency ids are [a-z0-9-]).
absl::StatusOr<v1::ImportLine> ParseImportLine(const std::string& text);

// Reads every line of `in`. The first problem is InvalidArgument with a
// message "line N: why"; besides ParseImportLine's reasons, the same
// request id used twice by one agency.
absl::StatusOr<std::vector<ImportEntry>> ReadImportLines(std::istream& in);

// ReadImportLines of the file at `path`; NotFound, PermissionDenied, ...
// naming the path when it cannot be read.
absl::StatusOr<std::vector<ImportEntry>> ReadImportFile(
    const std::string& path);

// The command's field name ("issue_recommendation"), or "" when none is set.
std::string CommandName(const v1::ImportLine& line);

// The command's request message (an IssueRecommendationRequest, ...), or
// nullptr when none is set.
const google::protobuf::Message* CommandRequest(const v1::ImportLine& line);

// The command's request_id, or "" when none is set.
std::string RequestId(const v1::ImportLine& line);

// True when `value` can be sent as a gRPC metadata value: printable ASCII.
bool IsMetadataValue(const std::string& value);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_IMPORT_FILE_H_
