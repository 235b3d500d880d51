// Need-to-know and the access log, over gRPC (docs/security.md): a
// partner records an OFFICIAL-SENSITIVE case study and the force an
// OFFICIAL-SENSITIVE progress update naming a victim; then every role
// reads through every read path, with and without a justification. Only
// the recording agency, the reviewing body and auditors, and only with a
// justification, ever get the content; everyone else gets the answer
// without it, and the history shows the events as withheld. Every answer
// that carried sensitive content, and every report rendered, names the
// AccessRecorded event that records it, which says who, when, what and
// why, and which auditors list.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "tests/services/command_fixture.h"
#include "tests/testing/forwarding_log.h"

namespace oversight::services {
namespace {

using ::testing::Contains;

constexpr char kCaseStudy[] = "CASE-STUDY-NAMES-A-VICTIM";
constexpr char kVictim[] = "UPDATE-NAMES-A-VICTIM";
constexpr char kOfficialNarrative[] = "OFFICIAL-QUARTER-NARRATIVE";
constexpr char kJustification[] = "Complaint 2025/17: review of case handling";

// Who reads, as RoleOf in the fixture gives them, and the deployment's
// operator holding a certificate that names the police (it reads no
// agency's sensitive events as its own).
constexpr char kOperatorOfPolice[] = "operator@police";
const char* const kReaders[] = {"opcc",           "police", "partner",
                                "partner2",       "panel",  "auditor",
                                kOperatorOfPolice};

class NeedToKnowTest : public CommandTest {
 protected:
  void SetUp() override {
    serve_queries_ = true;
    CommandTest::SetUp();
    queries_ = v1::Queries::NewStub(channel_);
    SetUpWorld();
    for (const auto& [id, kind] : {std::pair<const char*, v1::AgencyKind>{
                                       "partner2", v1::AGENCY_KIND_PARTNER},
                                   {"auditor", v1::AGENCY_KIND_AUDITOR}}) {
      MustOk("opcc", &v1::Commands::Stub::RegisterAgency,
             RegisterAgency(id, kind));
    }
    v1::RegisterProgrammeRequest programme;
    programme.mutable_programme()->set_programme_id("p");
    *programme.mutable_programme()->mutable_name() = Text("Advocacy");
    programme.mutable_programme()->set_owning_agency_id("partner");
    programme.mutable_programme()->set_review_id("r");
    programme.mutable_programme()->add_related_recommendations(1);
    programme.mutable_programme()->set_started_on("2024-04-01");
    MustOk("partner", &v1::Commands::Stub::RegisterProgramme,
           Common(programme, "programme-p"));
    official_report_ =
        MustOk("partner", &v1::Commands::Stub::SubmitPartnerReport,
               Report("q1", "2025-Q1", kOfficialNarrative,
                      v1::CLASSIFICATION_OFFICIAL))
            .position();
    case_study_ = MustOk("partner", &v1::Commands::Stub::SubmitPartnerReport,
                         Report("q2", "2025-Q2", kCaseStudy,
                                v1::CLASSIFICATION_OFFICIAL_SENSITIVE))
                      .position();
    v1::SubmitProgressUpdateRequest update =
        Update("victim-update", 1, kVictim);
    update.set_classification(v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
    victim_update_ =
        MustOk("police", &v1::Commands::Stub::SubmitProgressUpdate, update)
            .position();
    // The Panel reads published reports only.
    v1::PublishReportRequest publish;
    publish.mutable_report()->set_review_id("r");
    publish.mutable_report()->set_period("2025-01");
    publish.mutable_report()->set_language(v1::REPORT_LANGUAGE_ENGLISH);
    publish.mutable_report()->set_format(v1::REPORT_FORMAT_MARKDOWN);
    MustOk("opcc", &v1::Commands::Stub::PublishReport,
           Common(publish, "publish-2025-01"));
    ASSERT_GT(case_study_, 0u);
    ASSERT_GT(victim_update_, 0u);
  }

  static v1::SubmitPartnerReportRequest Report(const std::string& id,
                                               const std::string& quarter,
                                               const std::string& narrative,
                                               v1::Classification c) {
    v1::SubmitPartnerReportRequest r;
    r.mutable_report()->set_programme_id("p");
    r.mutable_report()->set_report_id(id);
    r.mutable_report()->set_quarter(quarter);
    v1::Figure* f = r.mutable_report()->add_figures();
    f->set_key("referrals");
    f->set_value(12);
    *f->mutable_label() = Text("Referrals");
    *r.mutable_report()->add_narrative() = Text(narrative);
    r.set_classification(c);
    r.set_request_id(absl::StrCat("report-", id));
    return r;
  }

  // A context calling as `agency` with its role and, when `justified`,
  // kJustification.
  static std::unique_ptr<grpc::ClientContext> Reader(const std::string& agency,
                                                     bool justified) {
    auto ctx = agency == kOperatorOfPolice ? RoleContext("police", "operator")
                                           : As(agency);
    if (justified) ctx->AddMetadata("oversight-justification", kJustification);
    return ctx;
  }

  // Whether `agency` reading with `justified` may read what `recorder`
  // recorded as OFFICIAL-SENSITIVE.
  static bool Entitled(const std::string& agency, bool justified,
                       const std::string& recorder) {
    return justified && agency != kOperatorOfPolice &&
           (agency == "opcc" || agency == "auditor" || agency == recorder);
  }

  // What one call answered.
  struct Answer {
    grpc::Status status;
    std::string reason;
    std::string bytes;  // every response message, serialised, concatenated
    // Positions of AccessRecorded events the answer named.
    std::vector<uint64_t> access_positions;
    uint32_t withheld = 0;
    int withheld_entries = 0;           // history entries or raw events
    uint64_t last_update_position = 0;  // board row of recommendation 1
  };

  template <typename Request, typename Response>
  Answer Query(const std::string& agency, bool justified,
               grpc::Status (v1::Queries::Stub::*method)(grpc::ClientContext*,
                                                         const Request&,
                                                         Response*),
               const Request& request) {
    auto ctx = Reader(agency, justified);
    Response response;
    Answer a;
    a.status = (queries_.get()->*method)(ctx.get(), request, &response);
    a.reason = Trailer(*ctx, "oversight-reason");
    a.bytes = response.SerializeAsString();
    if (response.reflects().access_recorded_position() != 0) {
      a.access_positions.push_back(
          response.reflects().access_recorded_position());
    }
    a.withheld = response.reflects().withheld();
    if constexpr (std::is_same_v<Response, v1::ListHistoryResponse>) {
      for (const v1::HistoryEntry& e : response.entries()) {
        if (e.withheld()) {
          ++a.withheld_entries;
          EXPECT_EQ(e.event().payload_case(), v1::DomainEvent::PAYLOAD_NOT_SET);
          EXPECT_EQ(e.event().actor().person(), "");
          EXPECT_EQ(e.stream(), "");
          EXPECT_EQ(e.event_type(), "");
          EXPECT_FALSE(e.hash().empty());
        }
      }
    }
    if constexpr (std::is_same_v<Response, v1::GetStatusBoardResponse>) {
      for (const v1::StatusBoardRow& row : response.rows()) {
        if (row.number() == 1) {
          a.last_update_position = row.last_update_position();
        }
      }
    }
    return a;
  }

  template <typename Response>
  static void NoteRaw(const Response& response, Answer* a) {
    a->bytes += response.SerializeAsString();
    if (response.access_recorded_position() != 0) {
      a->access_positions.push_back(response.access_recorded_position());
    }
    for (const v1::RecordedEvent& e : response.events()) {
      if (e.withheld()) {
        ++a->withheld_entries;
        EXPECT_TRUE(e.data().empty());
        EXPECT_EQ(e.hash().size(), 32u);
      }
    }
  }

  Answer ReadAll(const std::string& agency, bool justified) {
    auto ctx = Reader(agency, justified);
    v1::ReadAllRequest request;
    request.set_from_position(1);
    request.set_max_count(1000);
    v1::ReadAllResponse response;
    Answer a;
    a.status = stub_->ReadAll(ctx.get(), request, &response);
    a.reason = Trailer(*ctx, "oversight-reason");
    NoteRaw(response, &a);
    return a;
  }

  Answer ReadStream(const std::string& agency, bool justified) {
    auto ctx = Reader(agency, justified);
    v1::ReadStreamRequest request;
    request.set_stream("programme-p");
    v1::ReadStreamResponse response;
    Answer a;
    a.status = stub_->ReadStream(ctx.get(), request, &response);
    a.reason = Trailer(*ctx, "oversight-reason");
    NoteRaw(response, &a);
    return a;
  }

  // Follows the log from its start until caught up.
  Answer Subscribe(const std::string& agency, bool justified) {
    auto ctx = Reader(agency, justified);
    v1::SubscribeRequest request;
    request.set_from_position(1);
    auto reader = stub_->Subscribe(ctx.get(), request);
    v1::SubscribeResponse response;
    Answer a;
    while (reader->Read(&response)) {
      a.bytes += response.SerializeAsString();
      if (response.access_recorded_position() != 0) {
        a.access_positions.push_back(response.access_recorded_position());
      }
      if (response.has_event() && response.event().withheld()) {
        ++a.withheld_entries;
        EXPECT_TRUE(response.event().data().empty());
      }
      if (response.has_caught_up()) {
        ctx->TryCancel();
        break;
      }
    }
    grpc::Status s = reader->Finish();
    a.status =
        s.error_code() == grpc::StatusCode::CANCELLED ? grpc::Status::OK : s;
    a.reason = Trailer(*ctx, "oversight-reason");
    return a;
  }

  // The AccessRecorded event at `position`, read from the store itself.
  v1::DomainEvent AccessAt(uint64_t position) {
    absl::StatusOr<eventstore::ReadResult> read =
        store_->ReadAll(position, eventstore::Direction::kForwards, 1, {});
    EXPECT_TRUE(read.ok()) << read.status();
    v1::DomainEvent e;
    if (!read.ok() || read->events.empty()) return e;
    EXPECT_EQ(read->events[0].position, position);
    EXPECT_EQ(read->events[0].stream, "access-log");
    EXPECT_TRUE(e.ParseFromString(read->events[0].data));
    EXPECT_TRUE(e.has_access_recorded()) << e.ShortDebugString();
    return e;
  }

  std::unique_ptr<v1::Queries::Stub> queries_;
  uint64_t official_report_ = 0;
  uint64_t case_study_ = 0;
  uint64_t victim_update_ = 0;
};

TEST_F(NeedToKnowTest, EveryReadPathForEveryRole) {
  struct Path {
    std::string name;
    std::string method;
    // The markers the path shows when the reader is entitled.
    std::vector<std::string> shows;
    std::function<Answer(const std::string&, bool)> call;
    // The markers whose events the answer is folded from, shown or not
    // (a board row's last update): what the access log records. Empty:
    // those it shows.
    std::vector<std::string> derives = {};
  };
  v1::GetStatusBoardRequest board;
  board.set_review_id("r");
  v1::GetRecommendationRequest recommendation;
  recommendation.set_review_id("r");
  recommendation.set_number(1);
  v1::ListHistoryRequest review_history;
  review_history.set_review_id("r");
  review_history.set_page_size(500);
  v1::ListHistoryRequest partner_history;
  partner_history.set_agency_id("partner");
  partner_history.set_page_size(500);
  v1::ListHistoryRequest all_history;
  all_history.set_page_size(500);
  v1::ListAttentionRequest attention;
  attention.set_review_id("r");
  v1::GetPartnerViewRequest partner_view;
  partner_view.set_agency_id("partner");
  v1::GetReportRequest report;
  report.set_review_id("r");
  report.set_period("2025-01");
  report.set_language(v1::REPORT_LANGUAGE_ENGLISH);
  report.set_format(v1::REPORT_FORMAT_MARKDOWN);
  report.add_recipients("Police and Crime Panel");

  const std::string q = "/oversight.v1.Queries/";
  const std::string es = "/oversight.v1.EventStore/";
  using S = v1::Queries::Stub;
  std::vector<Path> paths = {
      {"GetStatusBoard",
       q + "GetStatusBoard",
       {},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::GetStatusBoard, board);
       },
       {kVictim}},
      {"GetRecommendation",
       q + "GetRecommendation",
       {kVictim},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::GetRecommendation, recommendation);
       }},
      {"ListHistory review",
       q + "ListHistory",
       {kVictim, kCaseStudy},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::ListHistory, review_history);
       }},
      {"ListHistory agency",
       q + "ListHistory",
       {kCaseStudy},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::ListHistory, partner_history);
       }},
      {"ListHistory all",
       q + "ListHistory",
       {kVictim, kCaseStudy},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::ListHistory, all_history);
       }},
      {"ListAttention",
       q + "ListAttention",
       {},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::ListAttention, attention);
       },
       {kVictim}},
      {"GetPartnerView",
       q + "GetPartnerView",
       {kCaseStudy},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::GetPartnerView, partner_view);
       }},
      // A report to the Panel is published: it never holds sensitive
      // content, whoever renders it.
      {"GetReport",
       q + "GetReport",
       {},
       [&](const std::string& a, bool j) {
         return Query(a, j, &S::GetReport, report);
       }},
      {"ReadAll",
       es + "ReadAll",
       {kVictim, kCaseStudy},
       [&](const std::string& a, bool j) { return ReadAll(a, j); }},
      {"ReadStream",
       es + "ReadStream",
       {kCaseStudy},
       [&](const std::string& a, bool j) { return ReadStream(a, j); }},
      {"Subscribe",
       es + "Subscribe",
       {kVictim, kCaseStudy},
       [&](const std::string& a, bool j) { return Subscribe(a, j); }},
  };
  const std::map<std::string, std::string> recorder = {{kVictim, "police"},
                                                       {kCaseStudy, "partner"}};
  const std::map<std::string, uint64_t> position_of = {
      {kVictim, victim_update_}, {kCaseStudy, case_study_}};

  int allowed_calls = 0;
  int sensitive_answers = 0;
  for (const Path& path : paths) {
    for (const char* agency : kReaders) {
      for (bool justified : {false, true}) {
        SCOPED_TRACE(absl::StrCat(path.name, " as ", agency,
                                  justified ? " with" : " without",
                                  " a justification"));
        const Answer a = path.call(agency, justified);
        if (agency == std::string(kOperatorOfPolice) &&
            absl::StrContains(path.method, "EventStore")) {
          // The operator reads the raw log, but neither the access log's
          // entries nor any sensitive event.
          ASSERT_TRUE(a.status.ok()) << a.reason;
          EXPECT_FALSE(absl::StrContains(a.bytes, kJustification));
        }
        if (a.status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
          // Refused by the role table (authorization_test walks it), or a
          // partner asking about another partner.
          EXPECT_THAT(a.reason,
                      ::testing::AnyOf("ROLE_NOT_ALLOWED", "NOT_OWN_AGENCY"));
          EXPECT_FALSE(absl::StrContains(a.bytes, kCaseStudy));
          EXPECT_FALSE(absl::StrContains(a.bytes, kVictim));
          continue;
        }
        ASSERT_TRUE(a.status.ok()) << a.status.error_code() << " " << a.reason
                                   << ": " << a.status.error_message();
        ++allowed_calls;
        std::set<uint64_t> expected_positions;
        for (const char* marker : {kCaseStudy, kVictim}) {
          const bool entitled =
              Entitled(agency, justified, recorder.at(marker));
          const bool shown = std::find(path.shows.begin(), path.shows.end(),
                                       marker) != path.shows.end();
          EXPECT_EQ(absl::StrContains(a.bytes, marker), entitled && shown)
              << marker;
          const std::vector<std::string>& derives =
              path.derives.empty() ? path.shows : path.derives;
          if (entitled && std::find(derives.begin(), derives.end(), marker) !=
                              derives.end()) {
            expected_positions.insert(position_of.at(marker));
          }
        }
        const bool disclosure = path.name == "GetReport";
        if (expected_positions.empty() && !disclosure) {
          EXPECT_TRUE(a.access_positions.empty());
          continue;
        }
        // Recorded, before the answer: the access log names each sensitive
        // position the answer carried, who, why and what was asked.
        ASSERT_FALSE(a.access_positions.empty());
        if (!disclosure) ++sensitive_answers;
        std::set<uint64_t> recorded_positions;
        for (uint64_t at : a.access_positions) {
          const v1::DomainEvent e = AccessAt(at);
          const v1::AccessRecorded& r = e.access_recorded();
          EXPECT_EQ(e.actor().agency_id(), agency);
          EXPECT_EQ(e.actor().person(), kTestPerson);
          EXPECT_EQ(e.classification(), v1::CLASSIFICATION_OFFICIAL);
          EXPECT_EQ(r.method(), path.method);
          EXPECT_EQ(r.role(), RoleOf(agency));
          EXPECT_EQ(r.justification(), justified ? kJustification : "");
          EXPECT_FALSE(r.query().empty());
          EXPECT_EQ(r.kind(), disclosure ? v1::ACCESS_KIND_DISCLOSURE
                                         : v1::ACCESS_KIND_CONSULTATION);
          if (disclosure) {
            EXPECT_THAT(r.recipients(), Contains("Police and Crime Panel"));
          }
          recorded_positions.insert(r.positions().begin(), r.positions().end());
        }
        EXPECT_EQ(recorded_positions, expected_positions);
      }
    }
  }
  EXPECT_GT(allowed_calls, 40);
  EXPECT_GT(sensitive_answers, 10);
}

TEST_F(NeedToKnowTest, TheBoardIsFoldedWithoutWhatItsReaderMayNotRead) {
  v1::GetStatusBoardRequest board;
  board.set_review_id("r");
  for (const char* agency : {"opcc", "police", "partner", "auditor"}) {
    for (bool justified : {false, true}) {
      SCOPED_TRACE(absl::StrCat(agency, justified ? " justified" : ""));
      const Answer a =
          Query(agency, justified, &v1::Queries::Stub::GetStatusBoard, board);
      ASSERT_TRUE(a.status.ok()) << a.reason;
      if (Entitled(agency, justified, "police")) {
        // The sensitive update is recommendation 1's last update.
        EXPECT_EQ(a.last_update_position, victim_update_);
        ASSERT_EQ(a.access_positions.size(), 1u);
        EXPECT_THAT(
            AccessAt(a.access_positions[0]).access_recorded().positions(),
            Contains(victim_update_));
      } else {
        EXPECT_EQ(a.last_update_position, 0u);
        EXPECT_GT(a.withheld, 0u);
      }
    }
  }
}

TEST_F(NeedToKnowTest, TheOfficialBoardIsSharedAndFollowsTheReview) {
  v1::GetStatusBoardRequest board;
  board.set_review_id("r");
  // Two readers of none of the review's sensitive events get one answer
  // (the second from the server's kept fold).
  const Answer partner =
      Query("partner", false, &v1::Queries::Stub::GetStatusBoard, board);
  const Answer partner2 =
      Query("partner2", true, &v1::Queries::Stub::GetStatusBoard, board);
  ASSERT_TRUE(partner.status.ok()) << partner.reason;
  ASSERT_TRUE(partner2.status.ok()) << partner2.reason;
  EXPECT_EQ(partner.last_update_position, 0u);
  EXPECT_EQ(partner2.last_update_position, 0u);
  EXPECT_EQ(partner.withheld, 1u);
  EXPECT_EQ(partner2.withheld, 1u);
  // The review changes: the next answer has the change.
  const uint64_t official =
      MustOk("police", &v1::Commands::Stub::SubmitProgressUpdate,
             Update("official-update", 1, "Official progress"))
          .position();
  board.set_min_position(official);
  const Answer after =
      Query("partner", false, &v1::Queries::Stub::GetStatusBoard, board);
  ASSERT_TRUE(after.status.ok()) << after.reason;
  EXPECT_EQ(after.last_update_position, official);
  EXPECT_EQ(after.withheld, 1u);
  // Whoever may read the sensitive update still gets it folded in.
  const Answer police =
      Query("police", true, &v1::Queries::Stub::GetStatusBoard, board);
  ASSERT_TRUE(police.status.ok()) << police.reason;
  EXPECT_EQ(police.withheld, 0u);
  EXPECT_EQ(police.access_positions.size(), 1u);
}

TEST_F(NeedToKnowTest, HistoryShowsWithheldEventsWhereTheyAre) {
  v1::ListHistoryRequest history;
  history.set_agency_id("partner");
  history.set_page_size(500);
  const Answer other =
      Query("partner2", true, &v1::Queries::Stub::ListHistory, history);
  ASSERT_TRUE(other.status.ok()) << other.reason;
  EXPECT_EQ(other.withheld_entries, 1);  // the case study, and only it
  EXPECT_TRUE(absl::StrContains(other.bytes, kOfficialNarrative));
  EXPECT_TRUE(other.access_positions.empty());
  const Answer own =
      Query("partner", true, &v1::Queries::Stub::ListHistory, history);
  ASSERT_TRUE(own.status.ok()) << own.reason;
  EXPECT_EQ(own.withheld_entries, 0);
  EXPECT_TRUE(absl::StrContains(own.bytes, kCaseStudy));
}

TEST_F(NeedToKnowTest, AuditorsListTheAccessLogByAgencyPersonAndTime) {
  v1::GetRecommendationRequest recommendation;
  recommendation.set_review_id("r");
  recommendation.set_number(1);
  const Answer opcc = Query("opcc", true, &v1::Queries::Stub::GetRecommendation,
                            recommendation);
  const Answer police = Query(
      "police", true, &v1::Queries::Stub::GetRecommendation, recommendation);
  ASSERT_EQ(opcc.access_positions.size(), 1u);
  ASSERT_EQ(police.access_positions.size(), 1u);

  auto list = [&](const std::string& agency, v1::ListAccessLogRequest request,
                  std::string* reason = nullptr) {
    auto ctx = As(agency);
    v1::ListAccessLogResponse response;
    grpc::Status s = queries_->ListAccessLog(ctx.get(), request, &response);
    if (reason != nullptr) *reason = Trailer(*ctx, "oversight-reason");
    EXPECT_EQ(s.ok(), reason == nullptr) << s.error_message();
    std::vector<uint64_t> positions;
    for (const v1::AccessLogEntry& e : response.entries()) {
      positions.push_back(e.position());
    }
    return positions;
  };
  v1::ListAccessLogRequest all;
  EXPECT_EQ(list("auditor", all),
            (std::vector<uint64_t>{opcc.access_positions[0],
                                   police.access_positions[0]}));
  v1::ListAccessLogRequest by_agency;
  by_agency.set_agency_id("police");
  EXPECT_EQ(list("auditor", by_agency),
            std::vector<uint64_t>{police.access_positions[0]});
  v1::ListAccessLogRequest by_person;
  by_person.set_person("nobody-else");
  EXPECT_TRUE(list("auditor", by_person).empty());
  // Only auditors.
  for (const char* agency : {"opcc", "police", "partner", "panel"}) {
    std::string reason;
    list(agency, all, &reason);
    EXPECT_EQ(reason, "ROLE_NOT_ALLOWED") << agency;
  }
}

TEST_F(NeedToKnowTest, ARefusedJustificationAnswersNothing) {
  v1::GetRecommendationRequest recommendation;
  recommendation.set_review_id("r");
  recommendation.set_number(1);
  auto ctx = As("opcc");
  ctx->AddMetadata("oversight-justification", std::string(1001, 'x'));
  v1::GetRecommendationResponse response;
  const uint64_t head = store_->Head().position;
  grpc::Status s =
      queries_->GetRecommendation(ctx.get(), recommendation, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "JUSTIFICATION_INVALID");
  EXPECT_FALSE(absl::StrContains(response.SerializeAsString(), kVictim));
  EXPECT_EQ(store_->Head().position, head);
}

TEST_F(NeedToKnowTest, TheChainVerifiesWithTheAccessLogInIt) {
  v1::GetRecommendationRequest recommendation;
  recommendation.set_review_id("r");
  recommendation.set_number(1);
  ASSERT_EQ(Query("auditor", true, &v1::Queries::Stub::GetRecommendation,
                  recommendation)
                .access_positions.size(),
            1u);
  auto ctx = As("auditor");
  v1::VerifyChainRequest request;
  v1::VerifyChainResponse response;
  grpc::Status s = stub_->VerifyChain(ctx.get(), request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.to_position(), store_->Head().position);
}

TEST_F(NeedToKnowTest, NoHistoryFilterFindsAWithheldEventByWhatItHides) {
  // The victim update was recorded by the police's test-person, as an
  // update of recommendation 1.
  auto withheld_for = [&](v1::ListHistoryRequest request) {
    request.set_page_size(500);
    const Answer a =
        Query("partner2", true, &v1::Queries::Stub::ListHistory, request);
    EXPECT_TRUE(a.status.ok()) << a.reason;
    EXPECT_FALSE(absl::StrContains(a.bytes, kVictim));
    return a.withheld_entries;
  };
  v1::ListHistoryRequest by_recommendation;
  by_recommendation.set_review_id("r");
  by_recommendation.set_number(1);
  EXPECT_EQ(withheld_for(by_recommendation), 1);  // its stream says so
  v1::ListHistoryRequest by_agency;
  by_agency.set_agency_id("police");
  EXPECT_EQ(withheld_for(by_agency), 1);  // whose it is: the envelope's
  v1::ListHistoryRequest by_person;       // who within the police: hidden
  by_person.set_agency_id("police");
  by_person.set_person(kTestPerson);
  EXPECT_EQ(withheld_for(by_person), 0);
  v1::ListHistoryRequest by_type;  // what it is: hidden
  by_type.set_review_id("r");
  by_type.add_event_types("oversight.v1.ProgressUpdateSubmitted");
  EXPECT_EQ(withheld_for(by_type), 0);
  // The person and the type find it for those who may read it.
  const Answer own =
      Query("police", true, &v1::Queries::Stub::ListHistory, by_person);
  EXPECT_TRUE(absl::StrContains(own.bytes, kVictim));
  const Answer typed =
      Query("opcc", true, &v1::Queries::Stub::ListHistory, by_type);
  EXPECT_TRUE(absl::StrContains(typed.bytes, kVictim));
}

// A log whose appends to the access log fail: the server must then answer
// nothing sensitive at all.
class NoAccessLog final : public testing::ForwardingLog {
 public:
  using ForwardingLog::ForwardingLog;
  void AppendAsync(std::string stream, eventstore::ExpectedRevision expected,
                   std::vector<eventstore::ProposedEvent> events,
                   AppendCallback done) override {
    if (stream == "access-log") {
      std::move(done)(absl::UnavailableError("the disk is full"));
      return;
    }
    ForwardingLog::AppendAsync(std::move(stream), expected, std::move(events),
                               std::move(done));
  }
};

TEST_F(NeedToKnowTest, NothingSensitiveIsSentWhenItCannotBeRecorded) {
  StopServer();
  NoAccessLog log(store_.get());
  ServerOptions options = server_options_;
  options.listen = "127.0.0.1:0";
  options.snapshots = store_.get();
  auto server = OversightServer::Start(options, &log);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
  channel_ = grpc::CreateChannel(server_->address(),
                                 grpc::InsecureChannelCredentials());
  stub_ = v1::EventStore::NewStub(channel_);
  queries_ = v1::Queries::NewStub(channel_);
  const uint64_t head = store_->Head().position;

  v1::GetRecommendationRequest recommendation;
  recommendation.set_review_id("r");
  recommendation.set_number(1);
  v1::ListHistoryRequest history;
  history.set_review_id("r");
  const std::vector<Answer> refused = {
      Query("opcc", true, &v1::Queries::Stub::GetRecommendation,
            recommendation),
      Query("auditor", true, &v1::Queries::Stub::ListHistory, history),
      ReadAll("auditor", true), ReadStream("auditor", true),
      Subscribe("auditor", true)};
  for (const Answer& a : refused) {
    EXPECT_EQ(a.status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << a.status.error_message();
    EXPECT_FALSE(absl::StrContains(a.bytes, kVictim));
    EXPECT_FALSE(absl::StrContains(a.bytes, kCaseStudy));
  }
  // What holds nothing sensitive is still answered; nothing was written.
  const Answer board =
      Query("opcc", false, &v1::Queries::Stub::GetStatusBoard, [] {
        v1::GetStatusBoardRequest r;
        r.set_review_id("r");
        return r;
      }());
  EXPECT_TRUE(board.status.ok()) << board.reason;
  EXPECT_EQ(store_->Head().position, head);
  StopServer();  // before `log` goes
}

}  // namespace
}  // namespace oversight::services
