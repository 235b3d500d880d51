// Fuzzes the import file reader (clients/import_file.h) with arbitrary
// text, read whole as a file (ReadImportLines) and line by line
// (ParseImportLine).
//
// Properties:
//  - reading either succeeds or is INVALID_ARGUMENT "line N: ..." with N a
//    line of the text that is not blank or a comment;
//  - every entry read has its line's number (in increasing order), an
//    agency that can travel as gRPC metadata, one command with a request
//    id, and no (agency, request id) twice;
//  - each entry is what ParseImportLine gives for its line alone, and
//    survives protobuf's JSON mapping: printed and read back it is the same
//    ImportLine, so what the reader accepted is what is sent.

#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "clients/import_file.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace cli = ::oversight::cli;
using google::protobuf::util::MessageDifferencer;

// The lines of `text` as std::getline gives them, less a trailing '\r'
// and, on the first, a UTF-8 byte order mark.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (lines.empty() && absl::StartsWith(line, "\xEF\xBB\xBF")) {
      line = line.substr(3);
    }
    lines.push_back(line);
  }
  return lines;
}

bool Skipped(const std::string& line) {
  const absl::string_view s = absl::StripLeadingAsciiWhitespace(line);
  return s.empty() || s[0] == '#';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> lines = Lines(text);
  std::istringstream in(text);
  absl::StatusOr<std::vector<cli::ImportEntry>> entries =
      cli::ReadImportLines(in);
  if (!entries.ok()) {
    FUZZ_CHECK(entries.status().code() == absl::StatusCode::kInvalidArgument);
    const absl::string_view message = entries.status().message();
    FUZZ_CHECK(absl::StartsWith(message, "line "));
    const size_t colon = message.find(':');
    FUZZ_CHECK(colon != absl::string_view::npos && colon > 5);
    const absl::string_view digits = message.substr(5, colon - 5);
    int number = 0;
    FUZZ_CHECK(absl::SimpleAtoi(digits, &number));
    FUZZ_CHECK(number >= 1 && static_cast<size_t>(number) <= lines.size());
    FUZZ_CHECK(!Skipped(lines[number - 1]));
    // The lines before it parse (the error is the first one).
    for (int i = 0; i + 1 < number; ++i) {
      if (!Skipped(lines[i])) FUZZ_CHECK(cli::ParseImportLine(lines[i]).ok());
    }
    return 0;
  }

  std::set<std::pair<std::string, std::string>> request_ids;
  int previous = 0;
  size_t expected = 0;
  for (const std::string& line : lines) expected += Skipped(line) ? 0 : 1;
  FUZZ_CHECK(entries->size() == expected);
  for (const cli::ImportEntry& entry : *entries) {
    FUZZ_CHECK(entry.line_number > previous);
    FUZZ_CHECK(static_cast<size_t>(entry.line_number) <= lines.size());
    previous = entry.line_number;
    const oversight::v1::ImportLine& line = entry.line;
    FUZZ_CHECK(!line.agency().empty());
    FUZZ_CHECK(cli::IsMetadataValue(line.agency()));
    FUZZ_CHECK(cli::CommandRequest(line) != nullptr);
    FUZZ_CHECK(!cli::CommandName(line).empty());
    FUZZ_CHECK(!cli::RequestId(line).empty());
    FUZZ_CHECK(request_ids.emplace(line.agency(), cli::RequestId(line)).second);

    absl::StatusOr<oversight::v1::ImportLine> alone =
        cli::ParseImportLine(lines[entry.line_number - 1]);
    FUZZ_CHECK(alone.ok());
    FUZZ_CHECK(MessageDifferencer::Equals(*alone, line));

    std::string json;
    FUZZ_CHECK(google::protobuf::util::MessageToJsonString(line, &json).ok());
    absl::StatusOr<oversight::v1::ImportLine> back = cli::ParseImportLine(json);
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(MessageDifferencer::Equals(*back, line));
  }
  return 0;
}
