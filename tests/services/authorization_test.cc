// Authorisation (issue 6): the table of role × RPC is the one the issue
// gives, covers every method of the three services, and is enforced over
// real gRPC: every cell walked against one OversightServer in the insecure
// metadata test mode. An allowed call succeeds; a denied one is refused
// PERMISSION_DENIED / ROLE_NOT_ALLOWED and writes nothing.

#include "services/authorization.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "eventstore/errors.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "oversight/v1/admin.grpc.pb.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "tests/services/command_fixture.h"

namespace oversight::services {
namespace {

namespace gpb = ::google::protobuf;
using ::testing::HasSubstr;

const gpb::ServiceDescriptor& ServiceNamed(const char* full_name) {
  const gpb::ServiceDescriptor* service =
      gpb::DescriptorPool::generated_pool()->FindServiceByName(full_name);
  EXPECT_NE(service, nullptr) << full_name;
  return *service;
}

std::vector<const gpb::ServiceDescriptor*> Services() {
  return {&ServiceNamed(v1::Commands::service_full_name()),
          &ServiceNamed(v1::Queries::service_full_name()),
          &ServiceNamed(v1::EventStore::service_full_name()),
          &ServiceNamed(v1::Admin::service_full_name())};
}

// Issue 6's table, written out again independently of the server's: a
// change to either must be a change to both.
std::map<std::string, std::set<std::string>> IssueTable() {
  const std::set<std::string> rb_importer = {"reviewing-body", "importer"};
  const std::set<std::string> progress = {"force", "reviewing-body", "partner",
                                          "importer"};
  const std::set<std::string> readers = {"force", "reviewing-body", "partner",
                                         "auditor"};
  const std::set<std::string> reports = {"force", "reviewing-body", "partner",
                                         "panel", "auditor"};
  const std::set<std::string> raw_readers = {"auditor", "operator"};
  std::map<std::string, std::set<std::string>> table;
  for (const char* m :
       {"RegisterAgency", "OpenReview", "IssueRecommendation",
        "OpenReportingPeriod", "CloseReportingPeriod", "AssignRating",
        "RecordMonitoringActivity", "CompleteMonitoringActivity",
        "RecordMeetingObserved", "CloseRecommendation", "ReopenRecommendation",
        "RecordConclusion"}) {
    table[absl::StrCat("/oversight.v1.Commands/", m)] = rb_importer;
  }
  // Risks and cross-references: also the agencies a recommendation
  // belongs to, as the domain rules allow (and the worked example does).
  for (const char* m : {"RaiseRisk", "ResolveRisk", "RecordCrossReference"}) {
    table[absl::StrCat("/oversight.v1.Commands/", m)] = progress;
  }
  table["/oversight.v1.Commands/PublishReport"] = {"reviewing-body"};
  for (const char* m : {"SubmitProgressUpdate", "CorrectProgressUpdate",
                        "WithdrawProgressUpdate"}) {
    table[absl::StrCat("/oversight.v1.Commands/", m)] = progress;
  }
  table["/oversight.v1.Commands/RegisterProgramme"] = {
      "partner", "reviewing-body", "importer"};
  table["/oversight.v1.Commands/SubmitPartnerReport"] = {"partner", "importer"};
  for (const char* m : {"GetStatusBoard", "GetRecommendation", "ListHistory",
                        "FollowHistory"}) {
    table[absl::StrCat("/oversight.v1.Queries/", m)] = readers;
  }
  table["/oversight.v1.Queries/ListAttention"] = {"force", "reviewing-body",
                                                  "auditor"};
  table["/oversight.v1.Queries/GetPartnerView"] = {"partner", "reviewing-body",
                                                   "auditor"};
  table["/oversight.v1.Queries/GetReport"] = reports;
  table["/oversight.v1.Queries/VerifyReport"] = reports;
  table["/oversight.v1.Queries/ListAccessLog"] = {"auditor"};
  table["/oversight.v1.EventStore/Append"] = {"operator"};
  table["/oversight.v1.EventStore/AppendStream"] = {"operator"};
  for (const char* m : {"ReadStream", "ReadAll", "Subscribe", "VerifyChain"}) {
    table[absl::StrCat("/oversight.v1.EventStore/", m)] = raw_readers;
  }
  table["/oversight.v1.EventStore/GetHead"] = {
      "force",   "reviewing-body", "partner", "panel",
      "auditor", "importer",       "operator"};
  table["/oversight.v1.Admin/Backup"] = {"operator"};
  return table;
}

std::set<std::string> Names(RoleSet roles) {
  std::set<std::string> names;
  for (Role role : roles.roles()) names.insert(std::string(RoleName(role)));
  return names;
}

TEST(AuthorizationTableTest, IsTheTableOfTheIssue) {
  std::map<std::string, std::set<std::string>> served;
  for (const RpcPermission& row : AuthorizationTable()) {
    served[row.method] = Names(row.roles);
  }
  EXPECT_EQ(served, IssueTable());
}

TEST(AuthorizationTableTest, CoversEveryMethodOfTheServicesOnce) {
  std::multiset<std::string> rows;
  for (const RpcPermission& row : AuthorizationTable()) rows.insert(row.method);
  std::set<std::string> methods;
  for (const gpb::ServiceDescriptor* service : Services()) {
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string name = FullMethodName(*service->method(i));
      methods.insert(name);
      EXPECT_EQ(rows.count(name), 1u)
          << name << " needs exactly one row in services/authorization.cc "
          << "(and docs/security.md)";
    }
  }
  for (const std::string& row : rows) {
    EXPECT_TRUE(methods.count(row)) << row << " is not a method any more";
  }
  // Nobody may call what the table does not name.
  EXPECT_TRUE(AllowedRoles("/oversight.v1.Commands/DeleteEverything").empty());
  EXPECT_TRUE(AllowedRoles("/grpc.health.v1.Health/Check").empty());
}

// docs/security.md writes the table out, one row per RPC
// (`Service.Method`) and a column per role, "✓" where allowed.
TEST(AuthorizationTableTest, TheDocumentedTableIsTheEnforcedOne) {
  std::ifstream in(OVERSIGHT_SECURITY_DOC);
  ASSERT_TRUE(in.is_open()) << OVERSIGHT_SECURITY_DOC;
  std::vector<std::string> roles;
  std::map<std::string, std::set<std::string>> documented;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (absl::StartsWith(line, "## ")) {
      in_section = line == "## Authorisation";
      continue;
    }
    if (!in_section || !absl::StartsWith(line, "| ")) continue;
    std::vector<std::string> cells;
    for (absl::string_view cell : absl::StrSplit(line, '|')) {
      cells.push_back(std::string(absl::StripAsciiWhitespace(cell)));
    }
    // "", first column, ..., "" around the outer bars.
    if (cells.size() < 3) continue;
    cells = std::vector<std::string>(cells.begin() + 1, cells.end() - 1);
    if (cells[0] == "RPC") {
      roles.assign(cells.begin() + 1, cells.end());
      continue;
    }
    absl::string_view rpc = cells[0];
    if (roles.empty() || !absl::ConsumePrefix(&rpc, "`") ||
        !absl::ConsumeSuffix(&rpc, "`")) {
      continue;
    }
    ASSERT_EQ(cells.size(), roles.size() + 1) << line;
    const size_t dot = rpc.find('.');
    ASSERT_NE(dot, absl::string_view::npos) << line;
    std::set<std::string>& allowed = documented[absl::StrCat(
        "/oversight.v1.", rpc.substr(0, dot), "/", rpc.substr(dot + 1))];
    for (size_t i = 0; i < roles.size(); ++i) {
      if (absl::StartsWith(cells[i + 1], "✓")) allowed.insert(roles[i]);
    }
  }
  EXPECT_EQ(roles, std::vector<std::string>({"none", "force", "reviewing-body",
                                             "partner", "panel", "auditor",
                                             "importer", "operator"}));
  std::map<std::string, std::set<std::string>> served;
  for (const RpcPermission& row : AuthorizationTable()) {
    served[row.method] = Names(row.roles);
  }
  EXPECT_EQ(documented, served);
}

TEST(AuthorizationTableTest, NoRoleAtAllMayCallNothing) {
  for (const RpcPermission& row : AuthorizationTable()) {
    EXPECT_FALSE(row.roles.Contains(Role::kUnspecified)) << row.method;
  }
}

TEST(AuthorizationTableTest, RpcNamesComeFromTheDescriptors) {
  EXPECT_EQ((RpcName<v1::Queries, v1::GetStatusBoardRequest>()),
            "/oversight.v1.Queries/GetStatusBoard");
  EXPECT_EQ((RpcName<v1::Commands, v1::PublishReportRequest>()),
            "/oversight.v1.Commands/PublishReport");
  EXPECT_EQ((RpcName<v1::EventStore, v1::AppendStreamRequest>()),
            "/oversight.v1.EventStore/AppendStream");
  // And they are the names gRPC routes by.
  EXPECT_EQ(std::string(v1::EventStore::service_full_name()),
            "oversight.v1.EventStore");
}

TEST(AuthorizationTableTest, OperatorIsARoleCertificatesMayName) {
  EXPECT_EQ(RoleName(Role::kOperator), "operator");
  EXPECT_EQ(RoleFromName("operator"), Role::kOperator);
  EXPECT_EQ(AllRoles().size(), 8u);
}

Caller CallerAs(const std::string& agency, Role role) {
  Caller caller;
  caller.authenticated_agency_id = agency;
  caller.role = role;
  caller.actor.set_agency_id(agency);
  caller.actor.set_person("someone");
  return caller;
}

TEST(AuthorizeTest, ARefusalNamesTheRoleAndTheRpc) {
  const std::string rate = RpcName<v1::Commands, v1::AssignRatingRequest>();
  EXPECT_TRUE(Authorize(CallerAs("opcc", Role::kReviewingBody), rate).ok());
  absl::Status s = Authorize(CallerAs("paladin", Role::kPartner), rate);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(eventstore::ReasonOf(s), kReasonRoleNotAllowed);
  EXPECT_THAT(s.message(), HasSubstr("role partner"));
  EXPECT_THAT(s.message(), HasSubstr("\"paladin\""));
  EXPECT_THAT(s.message(), HasSubstr(rate));
  EXPECT_THAT(s.message(), HasSubstr("allowed: reviewing-body, importer"));

  s = Authorize(CallerAs("paladin", Role::kUnspecified), rate);
  EXPECT_EQ(eventstore::ReasonOf(s), kReasonRoleNotAllowed);
  EXPECT_THAT(s.message(), HasSubstr("states no role"));

  s = Authorize(CallerAs("opcc", Role::kReviewingBody), "/x.Y/Z");
  EXPECT_EQ(eventstore::ReasonOf(s), kReasonRoleNotAllowed);
  EXPECT_THAT(s.message(), HasSubstr("allowed: none"));
}

TEST(AuthorizeTest, APartnerAsksOnlyAboutItself) {
  EXPECT_TRUE(
      CheckPartnerAsksForItself(CallerAs("paladin", Role::kPartner), "paladin")
          .ok());
  absl::Status s =
      CheckPartnerAsksForItself(CallerAs("paladin", Role::kPartner), "wwa");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(eventstore::ReasonOf(s), kReasonNotOwnAgency);
  EXPECT_TRUE(
      CheckPartnerAsksForItself(CallerAs("opcc", Role::kReviewingBody), "wwa")
          .ok());
  EXPECT_TRUE(
      CheckPartnerAsksForItself(CallerAs("hmicfrs", Role::kAuditor), "wwa")
          .ok());
}

// ------------------------------------------------------------- the matrix

// The agency each role calls as. The importer records on behalf of the
// agency a command is naturally sent by (Cell::natural_agency).
std::string AgencyOf(Role role) {
  switch (role) {
    case Role::kUnspecified:
      return "police";
    case Role::kForce:
      return "police";
    case Role::kReviewingBody:
      return "opcc";
    case Role::kPartner:
      return "partner";
    case Role::kPanel:
      return "panel";
    case Role::kAuditor:
      return "auditor";
    case Role::kImporter:
      return "records-office";
    case Role::kOperator:
      return ServiceTest::kOperatorAgency;
  }
  return "";
}

// How to call one RPC in the matrix: a request (as proto JSON) for the
// agency it is sent for, which is the caller's own, or for the importer the
// agency it records for.
struct Row {
  std::string method;  // the short name
  // The agency an importer records for; empty for no on-behalf-of.
  std::string natural_agency;
  std::function<std::string(const std::string& agency, uint64_t head)> json;
};

std::vector<Row> CommandRows() {
  auto fixed = [](const std::string& json) {
    return [json](const std::string&, uint64_t) { return json; };
  };
  auto common = [](const std::string& request_id) {
    return absl::StrCat(R"("requestId": ")", request_id,
                        R"(", "classification": "CLASSIFICATION_OFFICIAL", )");
  };
  return {
      {"RegisterAgency", "opcc",
       fixed(absl::StrCat(
           "{", common("m-register"),
           R"("agency": {"agencyId": "newcomer", "name": {"en": "Newcomer"},
              "kind": "AGENCY_KIND_PARTNER"}})"))},
      {"OpenReview", "opcc",
       fixed(absl::StrCat("{", common("m-open-review"),
                          R"("review": {"reviewId": "r2", "title": {"en": "R2"},
              "question": {"en": "Is it?"}, "openedOn": "2024",
              "themes": [{"id": "a", "name": {"en": "A"}}]}})"))},
      {"IssueRecommendation", "opcc",
       fixed(absl::StrCat("{", common("m-issue"),
                          R"("recommendation": {"reviewId": "r", "number": 9,
              "themeId": "a", "text": {"en": "Nine"},
              "owningAgencyId": "police"}})"))},
      {"OpenReportingPeriod", "opcc",
       fixed(absl::StrCat(
           "{", common("m-open-period"),
           R"("period": {"reviewId": "r", "period": "2025-07"}})"))},
      {"CloseReportingPeriod", "opcc",
       fixed(absl::StrCat(
           "{", common("m-close-period"),
           R"("period": {"reviewId": "r", "period": "2024-07"}})"))},
      // Recommendation 3 is the police's, with the OPCC and the partner
      // contributing: each submits, corrects and withdraws its own update.
      {"SubmitProgressUpdate", "police",
       [common](const std::string& agency, uint64_t) {
         return absl::StrCat("{", common("m-update-" + agency),
                             R"("update": {"reviewId": "r", "number": 3,
                "period": "2025-01", "bullets": [{"text": {"en": "Done"}}]}})");
       }},
      {"CorrectProgressUpdate", "police",
       [common](const std::string& agency, uint64_t) {
         return absl::StrCat("{", common("m-correct-" + agency),
                             R"("correction": {"reviewId": "r", "number": 3,
                "updateId": "m-update-)",
                             agency, R"(",
                "bullets": [{"text": {"en": "Done, corrected"}}],
                "reason": {"en": "Typo"}}})");
       }},
      {"WithdrawProgressUpdate", "police",
       [common](const std::string& agency, uint64_t) {
         return absl::StrCat("{", common("m-withdraw-" + agency),
                             R"("withdrawal": {"reviewId": "r", "number": 3,
                "updateId": "m-update-)",
                             agency, R"(", "reason": {"en": "Sent twice"}}})");
       }},
      {"AssignRating", "opcc",
       fixed(absl::StrCat("{", common("m-rate"),
                          R"("rating": {"reviewId": "r", "number": 1,
              "period": "2025-01", "rating": "RATING_AMBER",
              "rationale": {"en": "Because"}}})"))},
      {"RecordMonitoringActivity", "opcc",
       fixed(absl::StrCat("{", common("m-activity"),
                          R"("activity": {"reviewId": "r", "number": 1,
              "activityId": "act-1", "period": "2025-01",
              "description": {"en": "Check the plan"}}})"))},
      {"CompleteMonitoringActivity", "opcc",
       fixed(absl::StrCat("{", common("m-complete"),
                          R"("completion": {"reviewId": "r", "number": 1,
              "activityId": "act-1", "outcome": {"en": "Checked"}}})"))},
      {"RecordMeetingObserved", "opcc",
       fixed(absl::StrCat("{", common("m-meeting"),
                          R"("meeting": {"reviewId": "r", "meetingId": "meet-1",
              "kind": "MEETING_KIND_GOVERNANCE_BOARD",
              "title": {"en": "Board"}, "heldOn": "2025-05-01",
              "findings": [{"en": "Fine"}], "relatedRecommendations": [1]}})"))},
      // Each agency of recommendation 3 raises a risk of its own, and
      // resolves it.
      {"RaiseRisk", "police",
       [common](const std::string& agency, uint64_t) {
         return absl::StrCat("{", common("m-risk-" + agency),
                             R"("risk": {"reviewId": "r", "riskId": "risk-)",
                             agency, R"(", "category": "RISK_CATEGORY_FUNDING",
              "description": {"en": "Money"}, "relatedRecommendations": [3]}})");
       }},
      {"ResolveRisk", "police",
       [common](const std::string& agency, uint64_t) {
         return absl::StrCat(
             "{", common("m-resolve-" + agency),
             R"("resolution": {"reviewId": "r", "riskId": "risk-)", agency,
             R"(", "resolution": {"en": "Funded"}}})");
       }},
      // The partner registers its programme "pilot"; the OPCC registers
      // another for the partner.
      {"RegisterProgramme", "partner",
       [common](const std::string& agency, uint64_t) {
         return absl::StrCat(
             "{", common("m-programme-" + agency),
             R"("programme": {"programmeId": ")",
             agency == "partner" ? "pilot" : "pilot-" + agency,
             R"(", "name": {"en": "Pilot"}, "owningAgencyId": "partner",
              "reviewId": "r", "startedOn": "2024-09-01"}})");
       }},
      {"SubmitPartnerReport", "partner",
       fixed(
           absl::StrCat("{", common("m-partner-report"),
                        R"("report": {"programmeId": "pilot", "reportId": "q4",
              "quarter": "2024-Q4", "figures": [{"key": "victims_supported",
              "value": "5", "label": {"en": "Victims supported"}}]}})"))},
      // The owner of the recommendation (the partner owns 4, the police 1)
      // or the OPCC.
      {"RecordCrossReference", "police",
       [common](const std::string& agency, uint64_t) {
         return absl::StrCat(
             "{", common("m-xref-" + agency),
             R"("crossReference": {"reviewId": "r", "number": )",
             agency == "partner" ? 4 : 1, R"(, "referenceId": "x-)", agency,
             R"(", "kind": "CROSS_REFERENCE_KIND_FORCE_DEVELOPMENT_PLAN",
              "title": {"en": "The plan"}}})");
       }},
      {"CloseRecommendation", "opcc",
       fixed(absl::StrCat("{", common("m-close"),
                          R"("closure": {"reviewId": "r", "number": 2,
              "decidedBy": "Commissioner", "rationale": {"en": "Done"}}})"))},
      {"ReopenRecommendation", "opcc",
       fixed(absl::StrCat("{", common("m-reopen"),
                          R"("reopening": {"reviewId": "r", "number": 2,
              "decidedBy": "Commissioner", "rationale": {"en": "Not done"}}})"))},
      {"RecordConclusion", "opcc",
       fixed(
           absl::StrCat("{", common("m-conclusion"),
                        R"("conclusion": {"reviewId": "r", "period": "2025-01",
              "paragraphs": [{"en": "Progress is good"}]}})"))},
      {"PublishReport", "opcc",
       fixed(absl::StrCat("{", common("m-publish"),
                          R"("report": {"reviewId": "r", "period": "2025-01",
              "language": "REPORT_LANGUAGE_ENGLISH",
              "format": "REPORT_FORMAT_MARKDOWN"}})"))},
  };
}

std::vector<Row> QueryRows() {
  // Every query waits for the read models to include the log's head.
  auto at_head = [](const std::string& fields) {
    return [fields](const std::string&, uint64_t head) {
      return absl::StrCat("{", fields, R"(, "minPosition": ")", head, "\"}");
    };
  };
  const std::string report = R"("reviewId": "r", "period": "2025-01",
      "language": "REPORT_LANGUAGE_ENGLISH", "format": "REPORT_FORMAT_MARKDOWN")";
  return {
      {"GetStatusBoard", "", at_head(R"("reviewId": "r")")},
      {"GetRecommendation", "", at_head(R"("reviewId": "r", "number": 1)")},
      {"ListHistory", "", at_head(R"("reviewId": "r")")},
      {"FollowHistory", "", at_head(R"("reviewId": "r")")},  // CallStream
      {"ListAttention", "", at_head(R"("reviewId": "r")")},
      {"GetPartnerView", "", at_head(R"("agencyId": "partner")")},
      {"GetReport", "", at_head(report)},
      {"VerifyReport", "", at_head(report)},
      {"ListAccessLog", "", at_head(R"("pageSize": 10)")},
  };
}

std::vector<Row> EventStoreRows() {
  auto fixed = [](const std::string& json) {
    return [json](const std::string&, uint64_t) { return json; };
  };
  return {
      {"Append", "",
       [](const std::string&, uint64_t) {
         return absl::StrCat(
             R"({"stream": "notes-matrix",
                 "expectedKind": "EXPECTED_REVISION_KIND_ANY",
                 "events": [{"eventId": ")",
             eventstore::EventId::Random().ToString(),
             R"(", "type": "test.Noted", "data": "bm90ZQ=="}]})");
       }},
      {"AppendStream", "", fixed("{}")},  // streaming: see CallStream
      {"ReadStream", "", fixed(R"({"stream": "agencies"})")},
      {"ReadAll", "", fixed(R"({"fromPosition": "1"})")},
      {"Subscribe", "", fixed("{}")},  // streaming: see CallStream
      {"GetHead", "", fixed("{}")},
      {"VerifyChain", "", fixed("{}")},
  };
}

// Backups write to the server's disk: the operator's alone.
std::vector<Row> AdminRows() {
  return {
      {"Backup", "",
       [](const std::string&, uint64_t) {
         return std::string(R"({"name": "matrix"})");
       }},
  };
}

struct Outcome {
  grpc::Status status;
  std::string reason;
};

class AuthorizationMatrixTest : public CommandTest {
 protected:
  void SetUp() override {
    serve_queries_ = true;
    // Admin.Backup into a directory of the test's own.
    std::filesystem::create_directories(dir_.Sub("backups"));
    server_options_.backup_dir = dir_.Sub("backups");
    server_options_.backup = [this](const std::string& dir) {
      return store_->Backup(dir);
    };
    CommandTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(SetUpMatrixWorld());
  }

  // The world every allowed call succeeds in: the fixture's agencies and
  // an auditor, review "r" with recommendations 1 and 2 of the police and
  // 3 of the police with the OPCC and the partner contributing, 4 of the
  // partner, periods
  // 2024-07 and 2025-01 open.
  void SetUpMatrixWorld() {
    SetUpWorld();
    MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
           RegisterAgency("auditor", v1::AGENCY_KIND_AUDITOR));
    v1::IssueRecommendationRequest issue;
    issue.mutable_recommendation()->set_review_id("r");
    issue.mutable_recommendation()->set_number(3);
    issue.mutable_recommendation()->set_theme_id("a");
    *issue.mutable_recommendation()->mutable_text() = Text("Do it together");
    issue.mutable_recommendation()->set_owning_agency_id("police");
    issue.mutable_recommendation()->add_contributing_agency_ids("opcc");
    issue.mutable_recommendation()->add_contributing_agency_ids("partner");
    MustOk("opcc", &v1::Commands::Stub::IssueRecommendation,
           Common(issue, "issue-3"));
    v1::IssueRecommendationRequest partners;
    partners.mutable_recommendation()->set_review_id("r");
    partners.mutable_recommendation()->set_number(4);
    partners.mutable_recommendation()->set_theme_id("a");
    *partners.mutable_recommendation()->mutable_text() = Text("Run a pilot");
    partners.mutable_recommendation()->set_owning_agency_id("partner");
    MustOk("opcc", &v1::Commands::Stub::IssueRecommendation,
           Common(partners, "issue-4"));
    v1::OpenReportingPeriodRequest period;
    period.mutable_period()->set_review_id("r");
    period.mutable_period()->set_period("2024-07");
    MustOk("opcc", &v1::Commands::Stub::OpenReportingPeriod,
           Common(period, "open-2024-07"));
  }

  // The identity of `role` for a call of `row`.
  std::unique_ptr<grpc::ClientContext> ContextFor(Role role, const Row& row,
                                                  bool command) {
    auto ctx = RoleContext(AgencyOf(role), role == Role::kUnspecified
                                               ? ""
                                               : std::string(RoleName(role)));
    if (role == Role::kImporter && command && !row.natural_agency.empty()) {
      ctx->AddMetadata("oversight-on-behalf-of", row.natural_agency);
    }
    return ctx;
  }

  // The agency a call of `row` by `role` is for.
  static std::string ActedFor(Role role, const Row& row, bool command) {
    if (role == Role::kImporter && command && !row.natural_agency.empty()) {
      return row.natural_agency;
    }
    return AgencyOf(role);
  }

  // The request bytes of `row` for `agency`, parsed from its JSON as the
  // input type of `method`.
  static std::string RequestBytes(const gpb::MethodDescriptor& method,
                                  const std::string& json) {
    std::unique_ptr<gpb::Message> request(
        gpb::MessageFactory::generated_factory()
            ->GetPrototype(method.input_type())
            ->New());
    const auto parsed = gpb::util::JsonStringToMessage(json, request.get());
    EXPECT_TRUE(parsed.ok())
        << method.full_name() << ": " << parsed.ToString() << "\n"
        << json;
    return request->SerializeAsString();
  }

  Outcome CallUnary(const std::string& method, const std::string& bytes,
                    std::unique_ptr<grpc::ClientContext> ctx) {
    grpc::GenericStub stub(channel_);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    absl::Mutex mu;
    bool done = false;
    Outcome outcome;
    stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     absl::MutexLock lock(&mu);
                     outcome.status = s;
                     done = true;
                   });
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(&done));
    }
    outcome.reason = Trailer(*ctx, "oversight-reason");
    return outcome;
  }

  // AppendStream: one append, then done. Subscribe and FollowHistory: the
  // history until caught up, then cancelled (CANCELLED is then their
  // success).
  Outcome CallStream(const std::string& name,
                     std::unique_ptr<grpc::ClientContext> ctx) {
    Outcome outcome;
    if (name == "AppendStream") {
      auto stream = stub_->AppendStream(ctx.get());
      v1::AppendStreamRequest request;
      request.set_correlation_id(1);
      *request.mutable_append() = AppendOne("notes-stream");
      v1::AppendStreamResponse response;
      if (stream->Write(request) && stream->Read(&response)) {
        EXPECT_FALSE(response.has_error()) << response.error().message();
      }
      stream->WritesDone();
      outcome.status = stream->Finish();
    } else if (name == "FollowHistory") {
      v1::FollowHistoryRequest request;
      request.set_review_id("r");
      auto queries = v1::Queries::NewStub(channel_);
      auto reader = queries->FollowHistory(ctx.get(), request);
      v1::FollowHistoryResponse message;
      bool caught_up = false;
      while (!caught_up && reader->Read(&message)) {
        caught_up = message.entries().empty();
      }
      if (caught_up) ctx->TryCancel();
      outcome.status = reader->Finish();
      if (caught_up &&
          outcome.status.error_code() == grpc::StatusCode::CANCELLED) {
        outcome.status = grpc::Status::OK;
      }
    } else {
      v1::SubscribeRequest request;
      request.set_from_position(1);
      auto reader = stub_->Subscribe(ctx.get(), request);
      v1::SubscribeResponse message;
      bool caught_up = false;
      while (!caught_up && reader->Read(&message)) {
        caught_up = message.has_caught_up();
      }
      if (caught_up) ctx->TryCancel();
      outcome.status = reader->Finish();
      if (caught_up &&
          outcome.status.error_code() == grpc::StatusCode::CANCELLED) {
        outcome.status = grpc::Status::OK;
      }
    }
    outcome.reason = Trailer(*ctx, "oversight-reason");
    return outcome;
  }

  // Walks every role of every row of `service`: allowed calls must
  // succeed, denied ones be refused by the gate and write nothing.
  void Walk(const char* service, const std::vector<Row>& rows) {
    const bool command =
        std::string(service) == v1::Commands::service_full_name();
    const gpb::ServiceDescriptor& descriptor = ServiceNamed(service);
    ASSERT_EQ(static_cast<int>(rows.size()), descriptor.method_count())
        << service << ": a row per method";
    for (const Row& row : rows) {
      const gpb::MethodDescriptor* method =
          descriptor.FindMethodByName(row.method);
      ASSERT_NE(method, nullptr) << row.method;
      const std::string name = FullMethodName(*method);
      const RoleSet allowed = AllowedRoles(name);
      for (Role role : AllRoles()) {
        SCOPED_TRACE(absl::StrCat(name, " as ", RoleName(role)));
        const uint64_t head = store_->Head().position;
        auto ctx = ContextFor(role, row, command);
        Outcome out;
        if (method->client_streaming() || method->server_streaming()) {
          out = CallStream(row.method, std::move(ctx));
        } else {
          out = CallUnary(
              name,
              RequestBytes(*method,
                           row.json(ActedFor(role, row, command), head)),
              std::move(ctx));
        }
        ++cells_;
        if (allowed.Contains(role)) {
          EXPECT_TRUE(out.status.ok())
              << out.status.error_code() << " " << out.reason << ": "
              << out.status.error_message();
        } else {
          EXPECT_EQ(out.status.error_code(),
                    grpc::StatusCode::PERMISSION_DENIED)
              << out.status.error_message();
          EXPECT_EQ(out.reason, kReasonRoleNotAllowed);
          EXPECT_EQ(store_->Head().position, head) << "a refused call wrote";
        }
      }
    }
  }

  int cells_ = 0;
};

TEST_F(AuthorizationMatrixTest, EveryCellOfTheTableOverGrpc) {
  // Commands first (the queries read what they recorded, and VerifyReport
  // the publication), in the order of the proto, which is the order the
  // world needs.
  Walk(v1::Commands::service_full_name(), CommandRows());
  Walk(v1::Queries::service_full_name(), QueryRows());
  Walk(v1::EventStore::service_full_name(), EventStoreRows());
  Walk(v1::Admin::service_full_name(), AdminRows());
  EXPECT_EQ(cells_,
            static_cast<int>(AllRoles().size() * AuthorizationTable().size()));
}

TEST_F(AuthorizationMatrixTest, APartnerSeesOnlyItsOwnPartnerView) {
  v1::GetPartnerViewRequest request;
  request.set_agency_id("police");
  v1::GetPartnerViewResponse response;
  auto queries = v1::Queries::NewStub(channel_);
  auto ctx = RoleContext("partner", "partner");
  grpc::Status s = queries->GetPartnerView(ctx.get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), kReasonNotOwnAgency);
  EXPECT_THAT(s.error_message(), HasSubstr("\"police\""));
  // The reviewing body and auditors ask about anyone.
  for (const auto& [agency, role] :
       {std::pair<std::string, std::string>{"opcc", "reviewing-body"},
        {"auditor", "auditor"}}) {
    auto other = RoleContext(agency, role);
    request.set_min_position(store_->Head().position);
    grpc::Status ok = queries->GetPartnerView(other.get(), request, &response);
    EXPECT_TRUE(ok.ok()) << role << ": " << ok.error_message();
  }
}

TEST_F(AuthorizationMatrixTest, StreamsAreRefusedBeforeTheyStart) {
  // A subscriber without the role gets nothing, not even the history.
  auto ctx = RoleContext("partner", "partner");
  v1::SubscribeRequest request;
  request.set_from_position(1);
  auto reader = stub_->Subscribe(ctx.get(), request);
  v1::SubscribeResponse message;
  EXPECT_FALSE(reader->Read(&message));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), kReasonRoleNotAllowed);

  // A follower without the role likewise.
  auto follow_ctx = RoleContext("panel", "panel");
  v1::FollowHistoryRequest follow;
  follow.set_review_id("r");
  auto follower =
      v1::Queries::NewStub(channel_)->FollowHistory(follow_ctx.get(), follow);
  v1::FollowHistoryResponse followed;
  EXPECT_FALSE(follower->Read(&followed));
  s = follower->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trailer(*follow_ctx, "oversight-reason"), kReasonRoleNotAllowed);

  // An appender without the role gets no answer to its appends.
  const uint64_t head = store_->Head().position;
  auto append_ctx = RoleContext("auditor", "auditor");
  auto stream = stub_->AppendStream(append_ctx.get());
  v1::AppendStreamRequest append;
  append.set_correlation_id(1);
  *append.mutable_append() = AppendOne("notes-1");
  stream->Write(append);
  v1::AppendStreamResponse response;
  EXPECT_FALSE(stream->Read(&response));
  s = stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trailer(*append_ctx, "oversight-reason"), kReasonRoleNotAllowed);
  EXPECT_EQ(store_->Head().position, head);
}

}  // namespace
}  // namespace oversight::services
