#include "clients/import_command.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "clients/cli_format.h"
#include "clients/import_dispatch.h"
#include "clients/import_file.h"

namespace oversight::cli {
namespace {

// "line 7: why" -> "PATH:7: why", the form editors and compilers use;
// problems with the file as a whole get "oversight: ".
std::string Located(const std::string& path, const absl::Status& status) {
  absl::string_view message = status.message();
  if (absl::ConsumePrefix(&message, "line ")) {
    const size_t colon = message.find(':');
    int number;
    if (colon != absl::string_view::npos &&
        absl::SimpleAtoi(message.substr(0, colon), &number)) {
      return absl::StrCat(path, ":", number, message.substr(colon));
    }
  }
  return absl::StrCat("oversight: ", status.message());
}

}  // namespace

int RunImport(const std::string& path, v1::Commands::StubInterface& commands,
              v1::EventStore::StubInterface* events,
              const ImportOptions& options, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<std::vector<ImportEntry>> entries = ReadImportFile(path);
  if (!entries.ok()) {
    err << Located(path, entries.status()) << "\n"
        << "nothing was sent\n";
    return kExitUsage;
  }
  const size_t total = entries->size();
  size_t applied = 0;
  size_t already = 0;
  uint64_t last_position = 0;
  for (size_t i = 0; i < total; ++i) {
    const ImportEntry& entry = (*entries)[i];
    const std::string command = CommandName(entry.line);
    CommandCall call =
        SendImportLine(commands, entry.line, options.default_actor,
                       options.timeout, options.identity);
    if (!call.status.ok()) {
      err << "line " << entry.line_number << ": "
          << FormatStatus(call.status, *call.context) << "\n"
          << "import stopped at " << path << ":" << entry.line_number << " ("
          << command << " \"" << RequestId(entry.line) << "\") after "
          << applied << " applied, " << already << " already applied; "
          << total - i - 1 << " later lines not sent. Import the file again "
          << "once fixed: lines already done are skipped.\n";
      return ExitCodeFor(call.status, *call.context);
    }
    const bool deduplicated = call.result.deduplicated();
    if (deduplicated) {
      ++already;
    } else {
      ++applied;
    }
    last_position = std::max(last_position, call.result.position());
    if (!options.quiet) {
      err << "[" << i + 1 << "/" << total << "] line " << entry.line_number
          << " " << command << ": "
          << (deduplicated ? "already applied" : "applied") << ", position "
          << call.result.position() << "\n";
    }
  }
  std::string head = absl::StrCat("last position ", last_position);
  if (events != nullptr) {
    auto context = CommandContext(options.identity, "", options.default_actor,
                                  options.timeout);
    v1::GetHeadResponse response;
    if (events->GetHead(context.get(), {}, &response).ok()) {
      head = absl::StrCat("head position ", response.position());
    }
  }
  out << "imported " << total << (total == 1 ? " line: " : " lines: ")
      << applied << " applied, " << already << " already applied; " << head
      << "\n";
  return kExitOk;
}

}  // namespace oversight::cli
