#include "clients/import_file.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace oversight::cli {
namespace {

// protobuf's JSON errors can span lines (a caret under the input); the
// first line says what is wrong.
std::string FirstLine(std::string text) {
  text = text.substr(0, text.find('\n'));
  absl::StripAsciiWhitespace(&text);
  if (text.rfind(": ", 0) == 0) text = text.substr(2);
  return text;
}

bool Skipped(const std::string& text) {
  for (unsigned char c : text) {
    if (absl::ascii_isspace(c)) continue;
    return c == '#';
  }
  return true;  // Blank.
}

}  // namespace

absl::StatusOr<v1::ImportLine> ParseImportLine(const std::string& text) {
  v1::ImportLine line;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(text, &line, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a valid ImportLine: ", FirstLine(std::string(parsed.message()))));
  }
  if (line.agency().empty()) {
    return absl::InvalidArgumentError("no \"agency\"");
  }
  if (!IsMetadataValue(line.agency())) {
    return absl::InvalidArgumentError(
        "\"agency\" must be printable ASCII (it is sent as gRPC metadata)");
  }
  if (line.command_case() == v1::ImportLine::COMMAND_NOT_SET) {
    return absl::InvalidArgumentError(
        "no command: a line needs exactly one, such as "
        "\"issueRecommendation\" (see ImportLine in commands.proto)");
  }
  if (RequestId(line).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(CommandName(line),
                     " has no \"requestId\" (it makes re-running the file "
                     "safe)"));
  }
  return line;
}

absl::StatusOr<std::vector<ImportEntry>> ReadImportLines(std::istream& in) {
  std::vector<ImportEntry> entries;
  // (agency, request id) -> the line that used it first.
  std::map<std::pair<std::string, std::string>, int> request_ids;
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (number == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) {
      text = text.substr(3);  // A UTF-8 byte order mark.
    }
    if (Skipped(text)) continue;
    absl::StatusOr<v1::ImportLine> line = ParseImportLine(text);
    if (!line.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, ": ", line.status().message()));
    }
    const auto [it, inserted] = request_ids.emplace(
        std::make_pair(line->agency(), RequestId(*line)), number);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", number, ": request id \"", RequestId(*line),
                       "\" of agency \"", line->agency(),
                       "\" is already used on line ", it->second));
    }
    entries.push_back(ImportEntry{number, *std::move(line)});
  }
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("read error after line ", number));
  }
  return entries;
}

absl::StatusOr<std::vector<ImportEntry>> ReadImportFile(
    const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::ErrnoToStatus(EISDIR, absl::StrCat("cannot read ", path));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    const int error = errno != 0 ? errno : ENOENT;
    return absl::ErrnoToStatus(error, absl::StrCat("cannot open ", path));
  }
  absl::StatusOr<std::vector<ImportEntry>> entries = ReadImportLines(in);
  if (!entries.ok() &&
      entries.status().code() != absl::StatusCode::kInvalidArgument) {
    return absl::Status(entries.status().code(),
                        absl::StrCat(path, ": ", entries.status().message()));
  }
  return entries;
}

bool IsMetadataValue(const std::string& value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string CommandName(const v1::ImportLine& line) {
  if (line.command_case() == v1::ImportLine::COMMAND_NOT_SET) return "";
  return line.GetDescriptor()->FindFieldByNumber(line.command_case())->name();
}

const google::protobuf::Message* CommandRequest(const v1::ImportLine& line) {
  if (line.command_case() == v1::ImportLine::COMMAND_NOT_SET) return nullptr;
  const google::protobuf::FieldDescriptor* field =
      line.GetDescriptor()->FindFieldByNumber(line.command_case());
  return &line.GetReflection()->GetMessage(line, field);
}

std::string RequestId(const v1::ImportLine& line) {
  const google::protobuf::Message* request = CommandRequest(line);
  if (request == nullptr) return "";
  const google::protobuf::FieldDescriptor* field =
      request->GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr) return "";
  return request->GetReflection()->GetString(*request, field);
}

}  // namespace oversight::cli
