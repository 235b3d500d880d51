#include "clients/import_dispatch.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/import_file.h"

namespace oversight::cli {
namespace {

// The code point of the UTF-8 sequence at text[*i], moving *i past it;
// false for a malformed, overlong or surrogate sequence, or one past
// U+10FFFF.
bool NextCodePoint(absl::string_view text, size_t* i, uint32_t* cp) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(*i);
  size_t length;
  uint32_t min;
  if (lead < 0x80) {
    *cp = lead;
    ++*i;
    return true;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, *cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, *cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, *cp = lead & 0x07;
  } else {
    return false;
  }
  if (*i + length > text.size()) return false;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) return false;
    *cp = (*cp << 6) | (byte(*i + k) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
    return false;
  }
  *i += length;
  return true;
}

// What may not be in one line of text: the C0 and C1 controls (newline and
// tab included), DEL, the line and paragraph separators, and the
// bidirectional embedding, override and isolate controls, as the server
// has it.
bool BreaksTheLine(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 ||
         cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

using Stub = v1::Commands::StubInterface;

// Calls one unary method of the stub and keeps the response's result.
template <typename Request, typename Response>
grpc::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*,
                                               const Request&, Response*),
                  grpc::ClientContext* context, const Request& request,
                  v1::CommandResult* result) {
  Response response;
  grpc::Status status = (stub.*method)(context, request, &response);
  if (status.ok()) *result = response.result();
  return status;
}

}  // namespace

absl::StatusOr<std::string> ParseJustification(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() > kMaxJustificationBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--justification has ", text.size(), " bytes; at most ",
                     kMaxJustificationBytes));
  }
  for (size_t i = 0; i < text.size();) {
    uint32_t cp;
    if (!NextCodePoint(text, &i, &cp)) {
      return absl::InvalidArgumentError("--justification is not UTF-8 text");
    }
    if (BreaksTheLine(cp)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "--justification must be one line of text; it holds U+%04X", cp));
    }
  }
  return std::string(text);
}

void AddJustification(grpc::ClientContext* context,
                      const std::string& justification) {
  if (justification.empty()) return;
  context->AddMetadata(IsMetadataValue(justification)
                           ? kJustificationMetadataKey
                           : kJustificationBinMetadataKey,
                       justification);
}

std::unique_ptr<grpc::ClientContext> CommandContext(
    const CallIdentity& identity, const std::string& for_agency,
    const std::string& actor, std::chrono::system_clock::duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  bool for_another = !for_agency.empty();
  if (identity.mode == IdentityMode::kMetadata) {
    context->AddMetadata(kAgencyMetadataKey, identity.agency);
    if (!identity.role.empty()) {
      context->AddMetadata(kRoleMetadataKey, identity.role);
    }
    for_another = for_another && for_agency != identity.agency;
  }
  if (for_another) context->AddMetadata(kOnBehalfOfMetadataKey, for_agency);
  if (!actor.empty()) {
    context->AddMetadata(
        IsMetadataValue(actor) ? kActorMetadataKey : kActorBinMetadataKey,
        actor);
  }
  AddJustification(context.get(), identity.justification);
  return context;
}

CommandCall SendImportLine(Stub& stub, const v1::ImportLine& line,
                           const std::string& default_actor,
                           std::chrono::system_clock::duration timeout,
                           const CallIdentity& identity) {
  CommandCall call;
  call.context = CommandContext(
      identity, line.agency(),
      line.actor().empty() ? default_actor : line.actor(), timeout);
  auto send = [&](auto method, const auto& request) {
    return Call(stub, method, call.context.get(), request, &call.result);
  };
  using L = v1::ImportLine;
  switch (line.command_case()) {
    case L::kRegisterAgency:
      call.status = send(&Stub::RegisterAgency, line.register_agency());
      break;
    case L::kOpenReview:
      call.status = send(&Stub::OpenReview, line.open_review());
      break;
    case L::kIssueRecommendation:
      call.status =
          send(&Stub::IssueRecommendation, line.issue_recommendation());
      break;
    case L::kOpenReportingPeriod:
      call.status =
          send(&Stub::OpenReportingPeriod, line.open_reporting_period());
      break;
    case L::kCloseReportingPeriod:
      call.status =
          send(&Stub::CloseReportingPeriod, line.close_reporting_period());
      break;
    case L::kSubmitProgressUpdate:
      call.status =
          send(&Stub::SubmitProgressUpdate, line.submit_progress_update());
      break;
    case L::kCorrectProgressUpdate:
      call.status =
          send(&Stub::CorrectProgressUpdate, line.correct_progress_update());
      break;
    case L::kWithdrawProgressUpdate:
      call.status =
          send(&Stub::WithdrawProgressUpdate, line.withdraw_progress_update());
      break;
    case L::kAssignRating:
      call.status = send(&Stub::AssignRating, line.assign_rating());
      break;
    case L::kRecordMonitoringActivity:
      call.status = send(&Stub::RecordMonitoringActivity,
                         line.record_monitoring_activity());
      break;
    case L::kCompleteMonitoringActivity:
      call.status = send(&Stub::CompleteMonitoringActivity,
                         line.complete_monitoring_activity());
      break;
    case L::kRecordMeetingObserved:
      call.status =
          send(&Stub::RecordMeetingObserved, line.record_meeting_observed());
      break;
    case L::kRaiseRisk:
      call.status = send(&Stub::RaiseRisk, line.raise_risk());
      break;
    case L::kResolveRisk:
      call.status = send(&Stub::ResolveRisk, line.resolve_risk());
      break;
    case L::kRegisterProgramme:
      call.status = send(&Stub::RegisterProgramme, line.register_programme());
      break;
    case L::kSubmitPartnerReport:
      call.status =
          send(&Stub::SubmitPartnerReport, line.submit_partner_report());
      break;
    case L::kRecordCrossReference:
      call.status =
          send(&Stub::RecordCrossReference, line.record_cross_reference());
      break;
    case L::kCloseRecommendation:
      call.status =
          send(&Stub::CloseRecommendation, line.close_recommendation());
      break;
    case L::kReopenRecommendation:
      call.status =
          send(&Stub::ReopenRecommendation, line.reopen_recommendation());
      break;
    case L::kRecordConclusion:
      call.status = send(&Stub::RecordConclusion, line.record_conclusion());
      break;
    case L::kPublishReport:
      call.status = send(&Stub::PublishReport, line.publish_report());
      break;
    case L::COMMAND_NOT_SET:
      call.status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "the import line has no command");
      break;
  }
  return call;
}

}  // namespace oversight::cli
