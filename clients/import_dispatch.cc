#include "clients/import_dispatch.h"

#include "clients/import_file.h"

namespace oversight::cli {
namespace {

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
