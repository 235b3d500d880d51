#include "clients/export_file.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace oversight::cli {

namespace es = ::oversight::eventstore;

absl::StatusOr<std::string> ExportLine(const v1::RecordedEvent& event) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(event, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("position ", event.position(),
                     ": cannot print as JSON: ", status.ToString()));
  }
  json += "\n";
  return json;
}

absl::StatusOr<v1::RecordedEvent> ParseExportLine(absl::string_view text) {
  v1::RecordedEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &event, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a RecordedEvent in JSON: ", status.message().ToString()));
  }
  auto missing = [](absl::string_view field) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing or empty field \"", field, "\""));
  };
  if (event.position() == 0) return missing("position");
  if (event.stream().empty()) return missing("stream");
  if (event.type().empty()) return missing("type");
  if (event.event_id().empty()) return missing("event_id");
  if (!event.has_recorded_at()) return missing("recorded_at");
  if (event.hash().empty()) return missing("hash");
  if (absl::StatusOr<es::EventId> id = es::EventId::Parse(event.event_id());
      !id.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event_id: ", id.status().message()));
  }
  if (event.recorded_at().nanos() % 1000 != 0) {
    return absl::InvalidArgumentError(
        "recorded_at has digits below the microsecond, which the log does "
        "not record");
  }
  if (event.hash().size() != es::kGenesisHash.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("hash is ", event.hash().size(),
                     " bytes; a chain hash is 32 (SHA-256, base64)"));
  }
  if (event.withheld() && !(event.data().empty() && event.metadata().empty())) {
    return absl::InvalidArgumentError("a withheld event has data or metadata");
  }
  return event;
}

absl::StatusOr<std::vector<ExportedEvent>> ReadExportLines(
    std::istream& in, const ReadProgress& progress) {
  std::vector<ExportedEvent> events;
  std::string text;
  int line_number = 0;
  while (std::getline(in, text)) {
    ++line_number;
    if (progress != nullptr) progress(line_number);
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    absl::StatusOr<v1::RecordedEvent> event = ParseExportLine(text);
    if (!event.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", event.status().message()));
    }
    if (!events.empty() &&
        event->position() <= events.back().event.position()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": position ", event->position(),
          " does not follow position ", events.back().event.position(),
          " (line ", events.back().line_number,
          "): an export lists positions in increasing order"));
    }
    events.push_back({line_number, *std::move(event)});
  }
  if (in.bad()) {
    return absl::DataLossError(
        absl::StrCat("read error after line ", line_number));
  }
  return events;
}

absl::StatusOr<std::vector<ExportedEvent>> ReadExportFile(
    const std::string& path, const ReadProgress& progress) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return absl::NotFoundError(absl::StrCat("cannot open \"", path, "\""));
  }
  absl::StatusOr<std::vector<ExportedEvent>> events =
      ReadExportLines(in, progress);
  if (!events.ok()) {
    // "line N: why" -> "PATH:N: why", as compilers and import say it.
    std::string message(events.status().message());
    if (absl::StartsWith(message, "line ")) {
      message = absl::StrCat(path, ":", message.substr(5));
    } else {
      message = absl::StrCat(path, ": ", message);
    }
    return absl::Status(events.status().code(), message);
  }
  return events;
}

es::RecordedEvent ToLogEvent(const v1::RecordedEvent& event) {
  es::RecordedEvent out;
  out.position = event.position();
  out.stream = event.stream();
  out.revision = event.revision();
  out.id = *es::EventId::Parse(event.event_id());
  out.type = event.type();
  out.data = event.data();
  out.metadata = event.metadata();
  out.recorded_at = absl::FromUnixSeconds(event.recorded_at().seconds()) +
                    absl::Microseconds(event.recorded_at().nanos() / 1000);
  std::copy(event.hash().begin(), event.hash().end(), out.hash.begin());
  return out;
}

}  // namespace oversight::cli
