// RenderReport (report.h): checks the request, folds the model, lays the
// document out in the language asked for and writes it in the format asked
// for.

#include "projections/report.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "projections/domain_errors.h"
#include "projections/report_document.h"
#include "projections/report_model.h"
#include "projections/status_macros.h"

namespace oversight::projections {
namespace {

bool IsPeriod(absl::string_view p) {
  if (p.size() != 7 || p[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(p[i]))) return false;
  }
  const int month = (p[5] - '0') * 10 + (p[6] - '0');
  return month >= 1 && month <= 12;
}

}  // namespace

absl::StatusOr<std::string> RenderReport(
    const std::vector<RecordedDomainEvent>& events,
    const ReportRequest& request) {
  if (!IsPeriod(request.period)) {
    return InvalidArgument(
        kReasonInvalidPeriod,
        absl::StrCat("period \"", request.period, "\" is not YYYY-MM"));
  }
  ASSIGN_OR_RETURN(report::ReportModel model,
                   report::FoldReportModel(events, request.review_id));
  bool found = false;
  for (const std::string& p : model.periods) found |= p == request.period;
  if (!found) {
    return NotFound(
        kReasonPeriodNotFound,
        absl::StrCat("review \"", request.review_id,
                     "\" has no reporting period \"", request.period, "\""));
  }
  const report::Catalog& catalog = request.language == ReportLanguage::kWelsh
                                       ? report::WelshCatalog()
                                       : report::EnglishCatalog();
  const report::Document doc = report::LayOutReport(model, request, catalog);
  return request.format == ReportFormat::kHtml
             ? report::WriteHtml(doc, catalog)
             : report::WriteMarkdown(doc, catalog);
}

const char* ReportExtension(ReportFormat format) {
  return format == ReportFormat::kHtml ? "html" : "md";
}

const char* ReportMediaType(ReportFormat format) {
  return format == ReportFormat::kHtml ? "text/html; charset=utf-8"
                                       : "text/markdown; charset=utf-8";
}

const char* ReportLanguageCode(ReportLanguage language) {
  return language == ReportLanguage::kWelsh ? "cy" : "en";
}

}  // namespace oversight::projections
