// `oversight replay FILE [VERB ARGS]`: an export file (clients/export_file.h)
// checked and answered offline, without a server.
//
//   oversight replay FILE                      the chain, and a summary
//   oversight replay FILE status REVIEW        as `status`, from the file
//   oversight replay FILE recommendation REVIEW N
//   oversight replay FILE attention REVIEW
//   oversight replay FILE partner AGENCY
//   oversight replay FILE report --review=R --period=P [--lang] [--format]
//
// The file is read whole (a bad line: "FILE:LINE: why", exit 2), its hash
// chain recomputed with the log's own encoding (clients/replay_chain.h; a
// break: exit 4, naming the position), and the read models rebuilt from
// it with the server's own code (clients/replay_queries.h). The answers
// print as the online verbs print them (clients/query_format.h), with
// --as-of, --output=table|json and --lang as they take them; the report's
// bytes are the server's at the same position.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "clients/cli_format.h"
#include "clients/export_file.h"
#include "clients/export_progress.h"
#include "clients/query_format.h"
#include "clients/replay_chain.h"
#include "clients/replay_queries.h"
#include "clients/verbs.h"

ABSL_DECLARE_FLAG(std::string, as_of);
ABSL_DECLARE_FLAG(std::string, output);
ABSL_DECLARE_FLAG(std::string, lang);
ABSL_DECLARE_FLAG(std::string, review);
ABSL_DECLARE_FLAG(std::string, period);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(bool, quiet);
ABSL_DECLARE_FLAG(uint64_t, progress_every);

ABSL_FLAG(bool, partial, false,
          "replay: accept an export whose chain cannot be recomputed "
          "throughout (one stream, a prefix, a range or time window, or "
          "withheld events); without it such a file exits 4");

namespace oversight::cli {
namespace {

struct Options {
  v1::AsOf as_of;
  OutputFormat output = OutputFormat::kTable;
  Lang lang = Lang::kEnglish;
};

absl::Status ReadOptions(Options* options) {
  if (const std::string v = absl::GetFlag(FLAGS_as_of); !v.empty()) {
    absl::StatusOr<v1::AsOf> parsed = ParseAsOfFlag(v);
    if (!parsed.ok()) return parsed.status();
    options->as_of = *parsed;
  }
  absl::StatusOr<OutputFormat> output =
      ParseOutputFormat(absl::GetFlag(FLAGS_output));
  if (!output.ok()) return output.status();
  options->output = *output;
  absl::StatusOr<Lang> lang = ParseLang(absl::GetFlag(FLAGS_lang));
  if (!lang.ok()) return lang.status();
  options->lang = *lang;
  return absl::OkStatus();
}

int Refused(const absl::Status& status) {
  std::cerr << "error: " << FormatOfflineStatus(status) << "\n";
  return kExitRefused;
}

// Answers `request` from `log` with `method`, printed as the online verb
// prints it.
template <typename Request, typename Response>
int Answer(const ReplayedLog& log, Request& request,
           absl::Status (ReplayedLog::*method)(const Request&, absl::Time,
                                               Response*) const,
           void (*print)(std::ostream&, const Response&, Lang)) {
  Options options;
  if (absl::Status s = ReadOptions(&options); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  *request.mutable_as_of() = options.as_of;
  Response response;
  if (absl::Status s = (log.*method)(request, absl::Now(), &response);
      !s.ok()) {
    return Refused(s);
  }
  if (options.output == OutputFormat::kJson) return PrintJson(response);
  print(std::cout, response, options.lang);
  return kExitOk;
}

int ReplayReport(const ReplayedLog& log, const std::vector<std::string>& args) {
  if (!args.empty()) {
    return Usage("replay FILE report takes flags: --review=R --period=P ...");
  }
  Options options;
  if (absl::Status s = ReadOptions(&options); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  v1::GetReportRequest request;
  request.set_review_id(absl::GetFlag(FLAGS_review));
  request.set_period(absl::GetFlag(FLAGS_period));
  if (request.review_id().empty()) return Usage("--review=REVIEW is required");
  if (request.period().empty()) return Usage("--period=YYYY-MM is required");
  request.set_language(options.lang == Lang::kWelsh
                           ? v1::REPORT_LANGUAGE_WELSH
                           : v1::REPORT_LANGUAGE_ENGLISH);
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "md") {
    request.set_format(v1::REPORT_FORMAT_MARKDOWN);
  } else if (format == "html") {
    request.set_format(v1::REPORT_FORMAT_HTML);
  } else {
    return Usage(
        absl::StrCat("--format must be md or html, not \"", format, "\""));
  }
  *request.mutable_as_of() = options.as_of;
  v1::GetReportResponse response;
  if (absl::Status s = log.Report(request, absl::Now(), &response); !s.ok()) {
    return Refused(s);
  }
  if (options.output == OutputFormat::kJson) return PrintJson(response);
  return WriteReportContent(response, absl::GetFlag(FLAGS_out), std::cout,
                            std::cerr);
}

// Without a verb: what the file holds.
void PrintSummary(const ReplayedLog& log, const ChainCheck& check) {
  std::vector<std::string> reviews;
  for (const auto& [id, review] : log.state().reviews()) {
    reviews.push_back(id);
  }
  std::sort(reviews.begin(), reviews.end());
  std::cout << "events   " << log.events() << " (" << log.withheld()
            << " withheld; " << log.domain_events() << " domain events read)\n"
            << "streams  " << log.streams() << "\n"
            << "reviews  " << reviews.size() << (reviews.empty() ? "" : ": ")
            << absl::StrJoin(reviews, ", ") << "\n"
            << "agencies " << log.state().agencies().size() << "\n";
  if (check.events > 0) {
    std::cout << "head     position " << check.last_position << ", hash "
              << Hex(check.head_hash) << "\n";
  }
}

}  // namespace

int Replay(const Clients&, const std::vector<std::string>& args) {
  if (args.empty()) return Usage("replay needs a FILE (from oversight export)");
  const std::string& path = args[0];
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  const uint64_t every = absl::GetFlag(FLAGS_progress_every);
  std::ostream* progress_out = quiet ? nullptr : &std::cerr;

  ProgressLine reading(progress_out, every);
  absl::StatusOr<std::vector<ExportedEvent>> events =
      ReadExportFile(path, [&](uint64_t lines) {
        if (reading.Due(lines)) {
          reading.Print(absl::StrCat("read ", lines, " lines of ", path));
        }
      });
  if (!events.ok()) {
    std::cerr << "oversight: " << events.status().message() << "\n";
    return kExitUsage;
  }
  ProgressLine checking(progress_out, every);
  ChainCheck check = CheckChain(*events, [&](uint64_t checked) {
    if (checking.Due(checked)) {
      checking.Print(absl::StrCat("checked ", checked, " hashes to position ",
                                  (*events)[checked - 1].event.position()));
    }
  });
  const std::string chain = DescribeChain(check);
  if (!check.ok) {
    std::cerr << chain;
    return kExitBroken;
  }
  // A line deleted from a whole export is a gap, and an edited one can pass
  // itself off as withheld: neither may pass for a verified log unless the
  // reader says the export was partial.
  if (check.unchecked() > 0 && !absl::GetFlag(FLAGS_partial)) {
    std::cerr << chain
              << "oversight: not verified: the chain could not be recomputed "
                 "throughout. A whole export (oversight export, with "
                 "--justification for OFFICIAL-SENSITIVE events) recomputes "
                 "every hash; give --partial to accept one stream, a range "
                 "or withheld events, whose hashes above are taken as "
                 "given\n";
    return kExitBroken;
  }
  const ReplayedLog log(*events);
  if (args.size() == 1) {
    std::cout << chain;
    PrintSummary(log, check);
    return kExitOk;
  }
  // The answer alone to stdout, as online; what the chain is, to stderr.
  if (!quiet) std::cerr << chain;
  const std::string& verb = args[1];
  const std::vector<std::string> rest(args.begin() + 2, args.end());
  if (verb == "status") {
    if (rest.size() != 1) return Usage("status needs one REVIEW");
    v1::GetStatusBoardRequest request;
    request.set_review_id(rest[0]);
    return Answer(log, request, &ReplayedLog::StatusBoard, &PrintStatusBoard);
  }
  if (verb == "recommendation") {
    int32_t number;
    if (rest.size() != 2) return Usage("recommendation needs REVIEW and N");
    if (!absl::SimpleAtoi(rest[1], &number) || number <= 0) {
      return Usage("N must be a recommendation number (1 or more)");
    }
    v1::GetRecommendationRequest request;
    request.set_review_id(rest[0]);
    request.set_number(number);
    return Answer(log, request, &ReplayedLog::Recommendation,
                  &PrintRecommendation);
  }
  if (verb == "attention") {
    if (rest.size() != 1) return Usage("attention needs one REVIEW");
    v1::ListAttentionRequest request;
    request.set_review_id(rest[0]);
    return Answer(log, request, &ReplayedLog::Attention, &PrintAttention);
  }
  if (verb == "partner") {
    if (rest.size() != 1) return Usage("partner needs one AGENCY");
    v1::GetPartnerViewRequest request;
    request.set_agency_id(rest[0]);
    return Answer(log, request, &ReplayedLog::PartnerView, &PrintPartnerView);
  }
  if (verb == "report") return ReplayReport(log, rest);
  return Usage(absl::StrCat(
      "replay answers status, recommendation, attention, partner and "
      "report, not \"",
      verb, "\""));
}

}  // namespace oversight::cli
