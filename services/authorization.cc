#include "services/authorization.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eventstore/errors.h"
#include "oversight/v1/admin.grpc.pb.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"

namespace oversight::services {
namespace {

using R = Role;

// The rows, by service and method name. docs/security.md writes this
// table out; change both together.
struct Row {
  const char* service;
  const char* method;
  RoleSet roles;
};

// What the reviewing body records, and an importer types in for it.
constexpr RoleSet kReviewingBodyRecords = {R::kReviewingBody, R::kImporter};
// Progress updates: the owning agency's (or a partner's, for a
// recommendation it contributes to), the reviewing body's own, and an
// importer's on their behalf. The domain rules then check ownership.
constexpr RoleSet kProgressWriters = {R::kForce, R::kReviewingBody, R::kPartner,
                                      R::kImporter};
// Risks and cross-references: the reviewing body, and the agencies a
// recommendation belongs to (the domain rules: a risk by the review's
// body or an owner or contributor of what it names, resolved by whoever
// raised it or the body; a cross-reference by the owner or the body).
constexpr RoleSet kRecommendationAgencies = {R::kForce, R::kReviewingBody,
                                             R::kPartner, R::kImporter};
// A programme is registered by the partner that runs it or by the review's
// body; its reports are the partner's.
constexpr RoleSet kProgrammeRegistrars = {R::kPartner, R::kReviewingBody,
                                          R::kImporter};
constexpr RoleSet kProgrammeWriters = {R::kPartner, R::kImporter};
constexpr RoleSet kRecordReaders = {R::kForce, R::kReviewingBody, R::kPartner,
                                    R::kAuditor};
constexpr RoleSet kReportReaders = {R::kForce, R::kReviewingBody, R::kPartner,
                                    R::kPanel, R::kAuditor};
constexpr RoleSet kRawReaders = {R::kAuditor, R::kOperator};
constexpr RoleSet kEveryRole = {R::kForce,   R::kReviewingBody, R::kPartner,
                                R::kPanel,   R::kAuditor,       R::kImporter,
                                R::kOperator};

constexpr const char* kCommands = v1::Commands::service_full_name();
constexpr const char* kQueries = v1::Queries::service_full_name();
constexpr const char* kEventStore = v1::EventStore::service_full_name();
constexpr const char* kAdmin = v1::Admin::service_full_name();

const Row kRows[] = {
    {kCommands, "RegisterAgency", kReviewingBodyRecords},
    {kCommands, "OpenReview", kReviewingBodyRecords},
    {kCommands, "IssueRecommendation", kReviewingBodyRecords},
    {kCommands, "OpenReportingPeriod", kReviewingBodyRecords},
    {kCommands, "CloseReportingPeriod", kReviewingBodyRecords},
    {kCommands, "SubmitProgressUpdate", kProgressWriters},
    {kCommands, "CorrectProgressUpdate", kProgressWriters},
    {kCommands, "WithdrawProgressUpdate", kProgressWriters},
    {kCommands, "AssignRating", kReviewingBodyRecords},
    {kCommands, "RecordMonitoringActivity", kReviewingBodyRecords},
    {kCommands, "CompleteMonitoringActivity", kReviewingBodyRecords},
    {kCommands, "RecordMeetingObserved", kReviewingBodyRecords},
    {kCommands, "RaiseRisk", kRecommendationAgencies},
    {kCommands, "ResolveRisk", kRecommendationAgencies},
    {kCommands, "RegisterProgramme", kProgrammeRegistrars},
    {kCommands, "SubmitPartnerReport", kProgrammeWriters},
    {kCommands, "RecordCrossReference", kRecommendationAgencies},
    {kCommands, "CloseRecommendation", kReviewingBodyRecords},
    {kCommands, "ReopenRecommendation", kReviewingBodyRecords},
    {kCommands, "RecordConclusion", kReviewingBodyRecords},
    // A publication is the reviewing body's own act, never typed in.
    {kCommands, "PublishReport", {R::kReviewingBody}},

    {kQueries, "GetStatusBoard", kRecordReaders},
    {kQueries, "GetRecommendation", kRecordReaders},
    {kQueries, "ListHistory", kRecordReaders},
    // ListHistory followed: the same readers, the same need-to-know.
    {kQueries, "FollowHistory", kRecordReaders},
    {kQueries, "ListAttention", {R::kForce, R::kReviewingBody, R::kAuditor}},
    // A partner only about itself (CheckPartnerAsksForItself).
    {kQueries, "GetPartnerView", {R::kPartner, R::kReviewingBody, R::kAuditor}},
    {kQueries, "GetReport", kReportReaders},
    {kQueries, "VerifyReport", kReportReaders},
    {kQueries, "ListAccessLog", {R::kAuditor}},

    // The raw log: written by the deployment's own tooling only (the
    // domain's streams by the commands alone), read by auditors.
    {kEventStore, "Append", {R::kOperator}},
    {kEventStore, "AppendStream", {R::kOperator}},
    {kEventStore, "ReadStream", kRawReaders},
    {kEventStore, "ReadAll", kRawReaders},
    {kEventStore, "Subscribe", kRawReaders},
    {kEventStore, "GetHead", kEveryRole},
    {kEventStore, "VerifyChain", kRawReaders},

    // The server's machine: backups write to its disk (under the directory
    // oversightd --backup_dir names), so only the deployment's operator.
    {kAdmin, "Backup", {R::kOperator}},
};

struct Table {
  std::vector<RpcPermission> rows;
  absl::flat_hash_map<std::string, RoleSet> by_method;
};

const Table& TheTable() {
  static const Table* const table = [] {
    auto* t = new Table;
    for (const Row& row : kRows) {
      RpcPermission p{absl::StrCat("/", row.service, "/", row.method),
                      row.roles};
      t->by_method.emplace(p.method, p.roles);
      t->rows.push_back(std::move(p));
    }
    return t;
  }();
  return *table;
}

std::string RoleList(RoleSet roles) {
  std::vector<absl::string_view> names;
  for (Role role : roles.roles()) names.push_back(RoleName(role));
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

}  // namespace

std::vector<Role> RoleSet::roles() const {
  std::vector<Role> out;
  for (Role role : AllRoles()) {
    if (Contains(role)) out.push_back(role);
  }
  return out;
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role>* const roles = new std::vector<Role>{
      R::kUnspecified, R::kForce,   R::kReviewingBody, R::kPartner,
      R::kPanel,       R::kAuditor, R::kImporter,      R::kOperator};
  return *roles;
}

const std::vector<RpcPermission>& AuthorizationTable() {
  return TheTable().rows;
}

RoleSet AllowedRoles(absl::string_view method) {
  const auto& by_method = TheTable().by_method;
  auto it = by_method.find(method);
  return it == by_method.end() ? RoleSet() : it->second;
}

absl::Status Authorize(const Caller& caller, absl::string_view method) {
  const RoleSet allowed = AllowedRoles(method);
  if (allowed.Contains(caller.role)) return absl::OkStatus();
  const std::string who =
      caller.role == Role::kUnspecified
          ? absl::StrCat("agency \"", caller.authenticated_agency_id,
                         "\" states no role (", kRoleMetadataKey,
                         "), and without one")
          : absl::StrCat("role ", RoleName(caller.role), " (agency \"",
                         caller.authenticated_agency_id, "\")");
  return eventstore::WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          who, " may not call ", method, "; allowed: ", RoleList(allowed))),
      kReasonRoleNotAllowed);
}

absl::Status CheckPartnerAsksForItself(const Caller& caller,
                                       absl::string_view agency_id) {
  if (caller.role != Role::kPartner ||
      agency_id == caller.authenticated_agency_id) {
    return absl::OkStatus();
  }
  return eventstore::WithReason(
      absl::PermissionDeniedError(
          absl::StrCat("partner \"", caller.authenticated_agency_id,
                       "\" may see only its own partner view, not that of \"",
                       agency_id, "\"")),
      kReasonNotOwnAgency);
}

std::string FullMethodName(const google::protobuf::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

std::string RpcNameOf(absl::string_view service_full_name,
                      const google::protobuf::Descriptor& request) {
  const google::protobuf::ServiceDescriptor* service =
      request.file()->pool()->FindServiceByName(std::string(service_full_name));
  const google::protobuf::MethodDescriptor* found = nullptr;
  int matches = 0;
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
    if (service->method(i)->input_type() == &request) {
      found = service->method(i);
      ++matches;
    }
  }
  if (matches != 1) {
    std::fprintf(stderr,
                 "RpcNameOf: %d methods of %s take %s; a handler must name "
                 "exactly one\n",
                 matches, std::string(service_full_name).c_str(),
                 request.full_name().c_str());
    std::abort();
  }
  return FullMethodName(*found);
}

}  // namespace oversight::services
