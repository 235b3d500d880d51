// The report verbs of the oversight command: the Panel progress report
// rendered by the server (Queries.GetReport), published with a seal
// (Commands.PublishReport) and checked against its seal
// (Queries.VerifyReport). Shared flags (--review, --lang, --as-of,
// --min_position, --output, --agency, --actor) are defined in
// query_verbs.cc and oversight_main.cc; those only reports use are here.
//
//   oversight report --review=R --period=P [--lang=en|cy] [--format=md|html]
//                    [--as-of=WHEN] [--min_position=N] [--out=FILE]
//                    [--recipients=A,B]
//   oversight report publish --review=R --period=P --lang=L --format=F
//                    [--position=N] [--request-id=ID]
//   oversight report verify --review=R (--publication=POS |
//                    --period=P --lang=L --format=F) [--file=FILE]

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "clients/cli_format.h"
#include "clients/import_dispatch.h"
#include "clients/import_file.h"
#include "clients/query_format.h"
#include "clients/verbs.h"

ABSL_DECLARE_FLAG(int, timeout_seconds);
ABSL_DECLARE_FLAG(std::string, agency);
ABSL_DECLARE_FLAG(std::string, actor);
ABSL_DECLARE_FLAG(std::string, as_of);
ABSL_DECLARE_FLAG(uint64_t, min_position);
ABSL_DECLARE_FLAG(std::string, output);
ABSL_DECLARE_FLAG(std::string, lang);
ABSL_DECLARE_FLAG(std::string, review);

ABSL_FLAG(std::string, period, "", "report: the reporting period, YYYY-MM");
ABSL_FLAG(std::string, format, "md", "report: md (Markdown) or html");
ABSL_FLAG(std::string, out, "",
          "report: write the report to this file instead of stdout");
ABSL_FLAG(std::string, recipients, "",
          "report: to whom the report goes, comma-separated (\"Police and "
          "Crime Panel\"), recorded with the disclosure in the access log");
ABSL_FLAG(uint64_t, position, 0,
          "report publish: the log position to render at (0: the head)");
ABSL_FLAG(std::string, request_id, "",
          "report publish: the command's request id (default: a new one); "
          "give one to make a retry safe");
ABSL_FLAG(uint64_t, publication, 0,
          "report verify: the log position of the publication to check");
ABSL_FLAG(std::string, file, "",
          "report verify: a copy of the report to check against the seal");

namespace oversight::cli {
namespace {

std::chrono::seconds Timeout() {
  return std::chrono::seconds(absl::GetFlag(FLAGS_timeout_seconds));
}

absl::StatusOr<v1::ReportLanguage> LanguageFlag() {
  absl::StatusOr<Lang> lang = ParseLang(absl::GetFlag(FLAGS_lang));
  if (!lang.ok()) return lang.status();
  return *lang == Lang::kWelsh ? v1::REPORT_LANGUAGE_WELSH
                               : v1::REPORT_LANGUAGE_ENGLISH;
}

absl::StatusOr<v1::ReportFormat> FormatFlag() {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format == "md") return v1::REPORT_FORMAT_MARKDOWN;
  if (format == "html") return v1::REPORT_FORMAT_HTML;
  return absl::InvalidArgumentError(
      absl::StrCat("--format must be md or html, not \"", format, "\""));
}

const char* LanguageCode(v1::ReportLanguage language) {
  return language == v1::REPORT_LANGUAGE_WELSH ? "cy" : "en";
}
const char* FormatCode(v1::ReportFormat format) {
  return format == v1::REPORT_FORMAT_HTML ? "html" : "md";
}

// --review and --period, both required; --lang and --format.
struct Subject {
  std::string review;
  std::string period;
  v1::ReportLanguage language = v1::REPORT_LANGUAGE_UNSPECIFIED;
  v1::ReportFormat format = v1::REPORT_FORMAT_UNSPECIFIED;
};
absl::Status ReadSubject(bool period_required, Subject* subject) {
  subject->review = absl::GetFlag(FLAGS_review);
  subject->period = absl::GetFlag(FLAGS_period);
  if (subject->review.empty()) {
    return absl::InvalidArgumentError("--review=REVIEW is required");
  }
  if (period_required && subject->period.empty()) {
    return absl::InvalidArgumentError("--period=YYYY-MM is required");
  }
  absl::StatusOr<v1::ReportLanguage> language = LanguageFlag();
  if (!language.ok()) return language.status();
  absl::StatusOr<v1::ReportFormat> format = FormatFlag();
  if (!format.ok()) return format.status();
  subject->language = *language;
  subject->format = *format;
  const std::string agency = absl::GetFlag(FLAGS_agency);
  if (!agency.empty() && !IsMetadataValue(agency)) {
    return absl::InvalidArgumentError(
        "--agency must be printable ASCII (an agency id)");
  }
  return absl::OkStatus();
}

absl::StatusOr<OutputFormat> OutputFlag() {
  return ParseOutputFormat(absl::GetFlag(FLAGS_output));
}

std::string NewRequestId() {
  std::random_device random;
  std::string id = "report-publish-";
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  }
  return id;
}

int GetReport(const Clients& clients, const std::vector<std::string>& args) {
  if (!args.empty()) {
    return Usage("report takes flags: --review=R --period=YYYY-MM ...");
  }
  Subject subject;
  if (absl::Status s = ReadSubject(true, &subject); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  absl::StatusOr<OutputFormat> output = OutputFlag();
  if (!output.ok()) return Usage(std::string(output.status().message()));
  v1::GetReportRequest request;
  request.set_review_id(subject.review);
  request.set_period(subject.period);
  request.set_language(subject.language);
  request.set_format(subject.format);
  if (const std::string as_of = absl::GetFlag(FLAGS_as_of); !as_of.empty()) {
    absl::StatusOr<v1::AsOf> parsed = ParseAsOfFlag(as_of);
    if (!parsed.ok()) return Usage(std::string(parsed.status().message()));
    *request.mutable_as_of() = *parsed;
  }
  request.set_min_position(absl::GetFlag(FLAGS_min_position));
  for (std::string& recipient : ParseList(absl::GetFlag(FLAGS_recipients))) {
    request.add_recipients(std::move(recipient));
  }
  auto context = CallContext(clients);
  v1::GetReportResponse response;
  grpc::Status status =
      clients.queries->GetReport(context.get(), request, &response);
  if (!status.ok()) return Fail(status, *context);
  if (*output == OutputFormat::kJson) return PrintJson(response);
  // The report alone goes to stdout; where its disclosure was recorded, to
  // stderr.
  const int written = WriteReportContent(response, absl::GetFlag(FLAGS_out),
                                         std::cout, std::cerr);
  if (written != kExitOk) return written;
  PrintDisclosure(std::cerr, DisclosureOf(response.reflects()));
  return kExitOk;
}

int Publish(const Clients& clients, const std::vector<std::string>& args) {
  if (!args.empty()) return Usage("report publish takes flags only");
  Subject subject;
  if (absl::Status s = ReadSubject(true, &subject); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  absl::StatusOr<OutputFormat> output = OutputFlag();
  if (!output.ok()) return Usage(std::string(output.status().message()));
  // Over TLS the certificate names the publishing agency (--agency: an
  // importer's agency acted for); in the test mode --agency does.
  const std::string agency = absl::GetFlag(FLAGS_agency);
  if (agency.empty() && clients.identity.mode == IdentityMode::kMetadata) {
    return Usage(
        "report publish needs --agency=ID (and --role=reviewing-body), the "
        "reviewing body");
  }
  v1::PublishReportRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  if (request.request_id().empty()) request.set_request_id(NewRequestId());
  request.set_classification(v1::CLASSIFICATION_OFFICIAL);
  v1::ReportPublished* report = request.mutable_report();
  report->set_review_id(subject.review);
  report->set_period(subject.period);
  report->set_language(subject.language);
  report->set_format(subject.format);
  report->set_rendered_position(absl::GetFlag(FLAGS_position));
  auto context = CommandContext(clients.identity, agency,
                                absl::GetFlag(FLAGS_actor), Timeout());
  v1::PublishReportResponse response;
  grpc::Status status =
      clients.commands->PublishReport(context.get(), request, &response);
  if (!status.ok()) return Fail(status, *context);
  if (*output == OutputFormat::kJson) return PrintJson(response);
  const v1::ReportPublished& sealed = response.report();
  std::cout << (response.result().deduplicated() ? "already published "
                                                 : "published ")
            << sealed.review_id() << " " << response.result().entity_id()
            << " at position " << response.result().position()
            << "\nrendered at position " << sealed.rendered_position()
            << "\nsha256   " << Hex(sealed.sha256()) << "\nbytes    "
            << sealed.byte_size() << "\nrequest  " << request.request_id()
            << "\n";
  return kExitOk;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int VerifyPublished(const Clients& clients,
                    const std::vector<std::string>& args) {
  if (!args.empty()) return Usage("report verify takes flags only");
  const uint64_t publication = absl::GetFlag(FLAGS_publication);
  Subject subject;
  if (absl::Status s = ReadSubject(publication == 0, &subject); !s.ok()) {
    return Usage(absl::StrCat(s.message(), " (or give --publication=POS)"));
  }
  absl::StatusOr<OutputFormat> output = OutputFlag();
  if (!output.ok()) return Usage(std::string(output.status().message()));
  v1::VerifyReportRequest request;
  request.set_review_id(subject.review);
  request.set_publication_position(publication);
  if (publication == 0) {
    request.set_period(subject.period);
    request.set_language(subject.language);
    request.set_format(subject.format);
  }
  request.set_min_position(absl::GetFlag(FLAGS_min_position));
  const std::string file = absl::GetFlag(FLAGS_file);
  if (!file.empty()) {
    absl::StatusOr<std::string> content = ReadWholeFile(file);
    if (!content.ok()) return Usage(std::string(content.status().message()));
    if (content->empty()) return Usage(absl::StrCat(file, " is empty"));
    request.set_content(*std::move(content));
  }
  auto context = CallContext(clients);
  v1::VerifyReportResponse response;
  grpc::Status status =
      clients.queries->VerifyReport(context.get(), request, &response);
  if (!status.ok()) return Fail(status, *context);

  // The verdict, in one line, for a failure.
  std::string failure;
  if (!response.matches()) {
    failure = absl::StrCat(
        "the report rendered again at position ",
        response.publication().rendered_position(),
        " does not have the sealed SHA-256 (the record or the renderer "
        "changed)");
  } else if (response.content_checked() && !response.content_matches()) {
    const v1::ReportDifference& d = response.content_difference();
    failure = absl::StrCat(file, " differs from the published report",
                           response.has_content_difference()
                               ? absl::StrCat(" from line ", d.line())
                               : std::string());
  }
  if (*output == OutputFormat::kJson) {
    if (int code = PrintJson(response); code != kExitOk) return code;
  } else {
    const v1::ReportPublished& p = response.publication();
    std::cout << "publication " << response.publication_position() << ": "
              << p.review_id() << " " << p.period() << " "
              << LanguageCode(p.language()) << " " << FormatCode(p.format())
              << ", rendered at position " << p.rendered_position()
              << ", published " << FormatInstant(response.published_at())
              << " by " << FormatActor(response.published_by());
    std::cout << "\nsealed   sha256 " << Hex(p.sha256()) << " ("
              << p.byte_size() << " bytes)\nrendered sha256 "
              << Hex(response.rendered_sha256()) << " ("
              << response.rendered_byte_size() << " bytes): "
              << (response.matches() ? "matches the seal"
                                     : "DOES NOT match the seal")
              << "\n";
    if (response.content_checked()) {
      std::cout << "file     sha256 " << Hex(response.content_sha256()) << ": "
                << (response.content_matches() ? "matches the seal"
                                               : "DOES NOT match the seal")
                << "\n";
      if (response.has_content_difference()) {
        const v1::ReportDifference& d = response.content_difference();
        std::cout << "first difference at line " << d.line()
                  << "\n  published: "
                  << (d.expected_missing() ? "(end of report)" : d.expected())
                  << "\n  file:      "
                  << (d.actual_missing() ? "(end of file)" : d.actual())
                  << "\n";
      }
    }
  }
  if (!failure.empty()) {
    std::cout.flush();
    std::cerr << "oversight: report does not verify: " << failure << "\n";
    return kExitBroken;
  }
  return kExitOk;
}

}  // namespace

int Report(const Clients& clients, const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "publish" || args[0] == "verify") &&
      !absl::GetFlag(FLAGS_recipients).empty()) {
    return Usage(absl::StrCat("report ", args[0],
                              " takes no --recipients: a report rendered "
                              "(oversight report) goes to them"));
  }
  if (!args.empty() && args[0] == "publish") {
    return Publish(clients, {args.begin() + 1, args.end()});
  }
  if (!args.empty() && args[0] == "verify") {
    return VerifyPublished(clients, {args.begin() + 1, args.end()});
  }
  return GetReport(clients, args);
}

}  // namespace oversight::cli
