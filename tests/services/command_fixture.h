// A ServiceTest whose server takes identity from call metadata, with a
// Commands stub and helpers that build and send the usual commands as a
// given agency, with the role that agency holds in the fixture's world.

#ifndef OVERSIGHT_TESTS_SERVICES_COMMAND_FIXTURE_H_
#define OVERSIGHT_TESTS_SERVICES_COMMAND_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "tests/services/service_fixture.h"

namespace oversight::services {

// A fixed "now" for commands: 2025-06-01T12:00:00Z.
inline absl::Time TestNow() {
  return absl::FromCivil(absl::CivilSecond(2025, 6, 1, 12, 0, 0),
                         absl::UTCTimeZone());
}

class CommandTest : public ServiceTest {
 protected:
  void SetUp() override {
    server_options_.clock = [] { return TestNow(); };
    ServiceTest::SetUp();
    commands_ = v1::Commands::NewStub(channel_);
  }
  void TearDown() override {
    commands_.reset();
    ServiceTest::TearDown();
  }

  // The role the fixture's agencies call with: "opcc" the reviewing body,
  // "partner" and "partner2" partners, "panel" the panel, "auditor" an
  // auditor; any other agency (police, or one not registered) a force.
  static std::string RoleOf(const std::string& agency) {
    if (agency == "opcc") return "reviewing-body";
    if (agency == "partner" || agency == "partner2") return "partner";
    if (agency == "panel") return "panel";
    if (agency == "auditor") return "auditor";
    return "force";
  }

  // A context acting as `agency` with its role, RoleOf (no identity when
  // `agency` is empty).
  static std::unique_ptr<grpc::ClientContext> As(const std::string& agency) {
    if (agency.empty()) return BareContext();
    return RoleContext(agency, RoleOf(agency));
  }

  template <typename Request>
  static Request Common(Request r, const std::string& request_id) {
    r.set_request_id(request_id);
    r.set_classification(v1::CLASSIFICATION_OFFICIAL);
    return r;
  }

  static v1::LocalizedText Text(const std::string& en) {
    v1::LocalizedText t;
    t.set_en(en);
    return t;
  }

  static v1::RegisterAgencyRequest RegisterAgency(const std::string& id,
                                                  v1::AgencyKind kind) {
    v1::RegisterAgencyRequest r;
    r.mutable_agency()->set_agency_id(id);
    *r.mutable_agency()->mutable_name() = Text(absl::StrCat("Agency ", id));
    r.mutable_agency()->set_kind(kind);
    return Common(r, absl::StrCat("register-", id));
  }

  static v1::SubmitProgressUpdateRequest Update(
      const std::string& request_id, int32_t number, const std::string& bullet,
      const std::string& period = "2025-01") {
    v1::SubmitProgressUpdateRequest r;
    r.mutable_update()->set_review_id("r");
    r.mutable_update()->set_number(number);
    r.mutable_update()->set_period(period);
    *r.mutable_update()->add_bullets()->mutable_text() = Text(bullet);
    return Common(r, request_id);
  }

  // Sends `request` through `method` as `agency` (with RoleOf(agency));
  // returns the status and, when `reason` is given, the reason trailer.
  template <typename Request, typename Response>
  grpc::Status Send(const std::string& agency,
                    grpc::Status (v1::Commands::Stub::*method)(
                        grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response,
                    std::string* reason = nullptr) {
    return SendWith(As(agency), method, request, response, reason);
  }

  // As Send, as `agency` with `role` (a role name).
  template <typename Request, typename Response>
  grpc::Status SendAs(const std::string& agency, const std::string& role,
                      grpc::Status (v1::Commands::Stub::*method)(
                          grpc::ClientContext*, const Request&, Response*),
                      const Request& request, Response* response,
                      std::string* reason = nullptr) {
    return SendWith(RoleContext(agency, role), method, request, response,
                    reason);
  }

  template <typename Request, typename Response>
  grpc::Status SendWith(std::unique_ptr<grpc::ClientContext> ctx,
                        grpc::Status (v1::Commands::Stub::*method)(
                            grpc::ClientContext*, const Request&, Response*),
                        const Request& request, Response* response,
                        std::string* reason) {
    grpc::Status s = (commands_.get()->*method)(ctx.get(), request, response);
    if (reason != nullptr) *reason = Trailer(*ctx, "oversight-reason");
    return s;
  }

  // Registers opcc (reviewing body), police (force), partner (partner)
  // and panel; opens review "r" with themes "a" and "b"; issues
  // recommendations 1 and 2 owned by police; opens period 2025-01.
  void SetUpWorld() {
    MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
           RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY));
    MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
           RegisterAgency("police", v1::AGENCY_KIND_FORCE));
    MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
           RegisterAgency("partner", v1::AGENCY_KIND_PARTNER));
    MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
           RegisterAgency("panel", v1::AGENCY_KIND_PANEL));
    v1::OpenReviewRequest review;
    review.mutable_review()->set_review_id("r");
    *review.mutable_review()->mutable_title() = Text("A review");
    *review.mutable_review()->mutable_question() = Text("Is it working?");
    review.mutable_review()->set_opened_on("2023");
    for (const char* theme : {"a", "b"}) {
      v1::Theme* t = review.mutable_review()->add_themes();
      t->set_id(theme);
      *t->mutable_name() = Text(absl::StrCat("Theme ", theme));
    }
    MustOk("opcc", &v1::Commands::Stub::OpenReview,
           Common(review, "open-review"));
    for (int n : {1, 2}) {
      v1::IssueRecommendationRequest issue;
      issue.mutable_recommendation()->set_review_id("r");
      issue.mutable_recommendation()->set_number(n);
      issue.mutable_recommendation()->set_theme_id("a");
      *issue.mutable_recommendation()->mutable_text() =
          Text(absl::StrCat("Do thing ", n));
      issue.mutable_recommendation()->set_owning_agency_id("police");
      MustOk("opcc", &v1::Commands::Stub::IssueRecommendation,
             Common(issue, absl::StrCat("issue-", n)));
    }
    v1::OpenReportingPeriodRequest period;
    period.mutable_period()->set_review_id("r");
    period.mutable_period()->set_period("2025-01");
    MustOk("opcc", &v1::Commands::Stub::OpenReportingPeriod,
           Common(period, "open-2025-01"));
  }

  template <typename Request, typename Response>
  v1::CommandResult MustOk(const std::string& agency,
                           grpc::Status (v1::Commands::Stub::*method)(
                               grpc::ClientContext*, const Request&, Response*),
                           const Request& request) {
    Response response;
    std::string reason;
    grpc::Status s = Send(agency, method, request, &response, &reason);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << reason << ": "
                        << s.error_message();
    return response.result();
  }

  std::unique_ptr<v1::Commands::Stub> commands_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_TESTS_SERVICES_COMMAND_FIXTURE_H_
