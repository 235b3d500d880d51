// The export file of `oversight export` and `oversight replay`: the event
// log, or part of it, as JSON Lines, one oversight.v1.RecordedEvent per
// line in protobuf's JSON mapping with proto field names, every field
// printed (bytes in base64), in position order. For example (one line,
// wrapped here):
//
//   {"position":"1","stream":"agencies","revision":"0","event_id":
//    "0194ad1e-...","type":"oversight.v1.DomainEvent","data":"CAES...",
//    "metadata":"","recorded_at":"2025-01-15T09:00:00Z","hash":"dotN...",
//    "withheld":false}
//
// Each line carries everything its record in the log is made of
// (docs/storage-format.md), so the hash chain can be recomputed from the
// file alone, except for a withheld line (an OFFICIAL-SENSITIVE event the
// exporter may not read: no data, no metadata) and for a line whose
// predecessor is not in the file (an export of one stream or a range).
// Nothing here talks to a server.

#ifndef OVERSIGHT_CLIENTS_EXPORT_FILE_H_
#define OVERSIGHT_CLIENTS_EXPORT_FILE_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/types.h"
#include "oversight/v1/eventstore.pb.h"

namespace oversight::cli {

// One line of an export: the JSON of `event` and a newline.
absl::StatusOr<std::string> ExportLine(const v1::RecordedEvent& event);

// Parses and checks one line. InvalidArgument says why: not JSON for a
// RecordedEvent (unknown fields included), or a missing or malformed
// field: position (1 or more), stream, type, event_id (a UUID),
// recorded_at (whole microseconds, as the log records), hash (32 bytes).
absl::StatusOr<v1::RecordedEvent> ParseExportLine(absl::string_view text);

struct ExportedEvent {
  int line_number = 0;  // 1-based
  v1::RecordedEvent event;
};

// Called after each line read, with the lines read so far.
using ReadProgress = std::function<void(uint64_t lines)>;

// Reads every line of `in` (blank lines are skipped). The first problem is
// InvalidArgument "line N: why": ParseExportLine's reasons, or a position
// not greater than the line before's.
absl::StatusOr<std::vector<ExportedEvent>> ReadExportLines(
    std::istream& in, const ReadProgress& progress = nullptr);

// ReadExportLines of the file at `path`, its messages prefixed with
// "PATH:" ("exported.jsonl:12: ..."); NotFound naming the path when it
// cannot be opened.
absl::StatusOr<std::vector<ExportedEvent>> ReadExportFile(
    const std::string& path, const ReadProgress& progress = nullptr);

// The log's own value of an exported event (a line ParseExportLine
// accepted): the fields the record encodes, and its hash.
eventstore::RecordedEvent ToLogEvent(const v1::RecordedEvent& event);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_EXPORT_FILE_H_
