// The Panel progress report through the real server: GetReport renders it
// from the log as at a moment, PublishReport seals it (only the reviewing
// body), VerifyReport renders it again at the sealed position and checks
// the seal and a caller's copy.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "projections/read_model.h"
#include "projections/report.h"
#include "services/query_report.h"
#include "tests/services/command_fixture.h"

namespace oversight::services {
namespace {

namespace pj = ::oversight::projections;
using Stub = v1::Commands::Stub;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Sends as "opcc" (the reviewing body) unless told otherwise.
class ReportServiceTest : public CommandTest {
 protected:
  void SetUp() override {
    serve_queries_ = true;
    CommandTest::SetUp();
    queries_ = v1::Queries::NewStub(channel_);
  }
  void TearDown() override {
    queries_.reset();
    CommandTest::TearDown();
  }

  // SetUpWorld, and an update to recommendation 1 for 2025-01.
  void SetUpReview() {
    SetUpWorld();
    update_ = MustOk("police", &Stub::SubmitProgressUpdate,
                     Update("u1", 1, "Work began in December"));
  }

  // Corrects update u1 to say `text`; returns its result.
  v1::CommandResult Correct(const std::string& request_id,
                            const std::string& text) {
    v1::CorrectProgressUpdateRequest r;
    r.mutable_correction()->set_review_id("r");
    r.mutable_correction()->set_number(1);
    r.mutable_correction()->set_update_id("u1");
    *r.mutable_correction()->add_bullets()->mutable_text() = Text(text);
    *r.mutable_correction()->mutable_reason() = Text("Wrong month");
    return MustOk("police", &Stub::CorrectProgressUpdate,
                  Common(r, request_id));
  }

  static v1::GetReportRequest ReportRequest(
      v1::ReportLanguage language = v1::REPORT_LANGUAGE_ENGLISH,
      v1::ReportFormat format = v1::REPORT_FORMAT_MARKDOWN,
      uint64_t position = 0) {
    v1::GetReportRequest r;
    r.set_review_id("r");
    r.set_period("2025-01");
    r.set_language(language);
    r.set_format(format);
    r.mutable_as_of()->set_position(position);
    return r;
  }

  grpc::Status GetReport(const v1::GetReportRequest& request,
                         v1::GetReportResponse* response,
                         std::string* reason = nullptr) {
    auto ctx = As("opcc");
    grpc::Status s = queries_->GetReport(ctx.get(), request, response);
    if (reason != nullptr) *reason = Trailer(*ctx, "oversight-reason");
    return s;
  }

  // The report's bytes; fails the test on error.
  std::string MustGetReport(const v1::GetReportRequest& request) {
    v1::GetReportResponse response;
    grpc::Status s = GetReport(request, &response);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return response.content();
  }

  static v1::PublishReportRequest Publish(
      const std::string& request_id, uint64_t position = 0,
      v1::ReportLanguage language = v1::REPORT_LANGUAGE_ENGLISH,
      v1::ReportFormat format = v1::REPORT_FORMAT_MARKDOWN) {
    v1::PublishReportRequest r;
    r.mutable_report()->set_review_id("r");
    r.mutable_report()->set_period("2025-01");
    r.mutable_report()->set_language(language);
    r.mutable_report()->set_format(format);
    r.mutable_report()->set_rendered_position(position);
    return Common(r, request_id);
  }

  v1::PublishReportResponse MustPublish(const v1::PublishReportRequest& r) {
    v1::PublishReportResponse response;
    std::string reason;
    grpc::Status s = Send("opcc", &Stub::PublishReport, r, &response, &reason);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << reason << ": "
                        << s.error_message();
    return response;
  }

  grpc::Status Verify(const v1::VerifyReportRequest& request,
                      v1::VerifyReportResponse* response,
                      std::string* reason = nullptr) {
    auto ctx = As("opcc");
    grpc::Status s = queries_->VerifyReport(ctx.get(), request, response);
    if (reason != nullptr) *reason = Trailer(*ctx, "oversight-reason");
    return s;
  }

  static v1::VerifyReportRequest ByPosition(uint64_t position,
                                            const std::string& content = "") {
    v1::VerifyReportRequest r;
    r.set_review_id("r");
    r.set_publication_position(position);
    r.set_content(content);
    return r;
  }

  std::unique_ptr<v1::Queries::Stub> queries_;
  v1::CommandResult update_;
};

// ---------------------------------------------------------------- GetReport

TEST_F(ReportServiceTest, RendersEachLanguageAndFormatWithItsHash) {
  SetUpReview();
  struct Case {
    v1::ReportLanguage language;
    v1::ReportFormat format;
    const char* media_type;
    const char* starts_with;
    const char* heading;
  };
  const Case cases[] = {
      {v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_MARKDOWN,
       "text/markdown; charset=utf-8", "# Review progress report",
       "January 2025"},
      {v1::REPORT_LANGUAGE_WELSH, v1::REPORT_FORMAT_MARKDOWN,
       "text/markdown; charset=utf-8", "# Adroddiad cynnydd ar yr adolygiad",
       "Ionawr 2025"},
      {v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_HTML,
       "text/html; charset=utf-8", "<!DOCTYPE html>\n<html lang=\"en\">",
       "January 2025"},
      {v1::REPORT_LANGUAGE_WELSH, v1::REPORT_FORMAT_HTML,
       "text/html; charset=utf-8", "<!DOCTYPE html>\n<html lang=\"cy\">",
       "Ionawr 2025"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.starts_with);
    v1::GetReportResponse response;
    grpc::Status s = GetReport(ReportRequest(c.language, c.format), &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.media_type(), c.media_type);
    EXPECT_THAT(response.content(), StartsWith(c.starts_with));
    EXPECT_THAT(response.content(), HasSubstr(c.heading));
    EXPECT_THAT(response.content(), HasSubstr("Work began in December"));
    EXPECT_EQ(response.sha256(), Sha256Of(response.content()));
    EXPECT_EQ(response.sha256().size(), 32u);
    EXPECT_GE(response.reflects().position(), update_.position());
  }
}

TEST_F(ReportServiceTest, AsAtAPositionBeforeACorrectionGivesTheOldBytes) {
  SetUpReview();
  const std::string before = MustGetReport(
      ReportRequest(v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_MARKDOWN,
                    update_.position()));
  EXPECT_THAT(before, HasSubstr("Work began in December"));
  EXPECT_THAT(before, HasSubstr(absl::StrCat("As recorded at log position ",
                                             update_.position(), ".")));
  const v1::CommandResult corrected = Correct("c1", "Work began in January");

  // As at the update's position: the same bytes as before the correction.
  EXPECT_EQ(MustGetReport(ReportRequest(v1::REPORT_LANGUAGE_ENGLISH,
                                        v1::REPORT_FORMAT_MARKDOWN,
                                        update_.position())),
            before);
  // Now: the corrected text.
  v1::GetReportRequest now = ReportRequest();
  now.set_min_position(corrected.position());
  const std::string after = MustGetReport(now);
  EXPECT_THAT(after, HasSubstr("Work began in January"));
  EXPECT_THAT(after, Not(HasSubstr("Work began in December")));
}

TEST_F(ReportServiceTest, UnknownReviewOrPeriodIsNotFound) {
  SetUpReview();
  v1::GetReportResponse response;
  std::string reason;
  v1::GetReportRequest request = ReportRequest();
  request.set_review_id("nobody");
  EXPECT_EQ(GetReport(request, &response, &reason).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "REVIEW_NOT_FOUND");

  request = ReportRequest();
  request.set_period("2024-07");
  EXPECT_EQ(GetReport(request, &response, &reason).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "PERIOD_NOT_FOUND");

  // The review did not exist yet at position 1.
  request =
      ReportRequest(v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_MARKDOWN, 1);
  EXPECT_EQ(GetReport(request, &response, &reason).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "REVIEW_NOT_FOUND");
}

// A position the log has but the read models have not reached: whether
// the review exists is judged as at that position, not by the models.
TEST_F(ReportServiceTest, RendersAtAPositionTheReadModelsHaveNotReached) {
  // The read models stop following before the review is opened.
  ProjectionHost* host = const_cast<ProjectionHost*>(server_->projections());
  ASSERT_NE(host, nullptr);
  ASSERT_TRUE(host->Stop().ok());
  SetUpReview();
  ASSERT_LT(host->position(), update_.position());
  const std::string md = MustGetReport(
      ReportRequest(v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_MARKDOWN,
                    update_.position()));
  EXPECT_THAT(md, HasSubstr("Work began in December"));
}

TEST_F(ReportServiceTest, BadLanguageFormatOrPeriodIsInvalidArgument) {
  SetUpReview();
  v1::GetReportResponse response;
  std::string reason;
  v1::GetReportRequest request = ReportRequest();
  request.set_language(static_cast<v1::ReportLanguage>(7));
  EXPECT_EQ(GetReport(request, &response, &reason).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_ENUM_VALUE");

  request = ReportRequest();
  request.set_language(v1::REPORT_LANGUAGE_UNSPECIFIED);
  EXPECT_EQ(GetReport(request, &response, &reason).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_ENUM_VALUE");

  request = ReportRequest();
  request.set_format(v1::REPORT_FORMAT_UNSPECIFIED);
  EXPECT_EQ(GetReport(request, &response, &reason).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_ENUM_VALUE");

  request = ReportRequest();
  request.set_period("January");
  EXPECT_EQ(GetReport(request, &response, &reason).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_PERIOD");
}

// ------------------------------------------------------------ PublishReport

TEST_F(ReportServiceTest, OnlyTheReviewingBodyPublishes) {
  SetUpReview();
  const uint64_t head = store_->Head().position;
  // Other roles are refused by the table before the rules run.
  for (const char* agency : {"police", "partner", "panel"}) {
    v1::PublishReportResponse response;
    std::string reason;
    grpc::Status s =
        Send(agency, &Stub::PublishReport,
             Publish(absl::StrCat("pub-", agency)), &response, &reason);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << agency;
    EXPECT_EQ(reason, "ROLE_NOT_ALLOWED") << agency;
  }
  // The rules still judge the agency: a reviewing-body role held by an
  // agency registered as the force publishes nothing.
  v1::PublishReportResponse response;
  std::string reason;
  grpc::Status s = SendAs("police", "reviewing-body", &Stub::PublishReport,
                          Publish("pub-police-as-rb"), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reason, "REVIEWING_BODY_ONLY");
  EXPECT_EQ(store_->Head().position, head);
}

TEST_F(ReportServiceTest, TheSealIsTheHashOfTheReportAtThatPosition) {
  SetUpReview();
  const uint64_t head = store_->Head().position;
  const v1::PublishReportResponse published = MustPublish(Publish("pub-1"));
  const v1::ReportPublished& seal = published.report();
  EXPECT_EQ(seal.rendered_position(), head);  // 0 means the head
  EXPECT_EQ(published.result().position(), head + 1);
  EXPECT_EQ(published.result().stream(), "review-r");
  EXPECT_EQ(published.result().entity_id(), "2025-01.en.md");

  const std::string content = MustGetReport(ReportRequest(
      v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_MARKDOWN, head));
  EXPECT_EQ(seal.sha256(), Sha256Of(content));
  EXPECT_EQ(seal.byte_size(), content.size());

  // At an earlier position, in Welsh HTML: that report's hash.
  const v1::PublishReportResponse earlier =
      MustPublish(Publish("pub-2", update_.position() - 1,
                          v1::REPORT_LANGUAGE_WELSH, v1::REPORT_FORMAT_HTML));
  const std::string old_html = MustGetReport(
      ReportRequest(v1::REPORT_LANGUAGE_WELSH, v1::REPORT_FORMAT_HTML,
                    update_.position() - 1));
  EXPECT_THAT(old_html, Not(HasSubstr("Work began")));
  EXPECT_EQ(earlier.report().rendered_position(), update_.position() - 1);
  EXPECT_EQ(earlier.report().sha256(), Sha256Of(old_html));
}

TEST_F(ReportServiceTest, PublishingAgainWithTheSameRequestIdIsDeduplicated) {
  SetUpReview();
  const v1::PublishReportResponse first = MustPublish(Publish("pub-1"));
  ASSERT_FALSE(first.result().deduplicated());
  Correct("c1", "Work began in January");  // the head moves on
  const v1::PublishReportResponse again = MustPublish(Publish("pub-1"));
  EXPECT_TRUE(again.result().deduplicated());
  EXPECT_EQ(again.result().position(), first.result().position());
  EXPECT_EQ(again.report().sha256(), first.report().sha256());
  EXPECT_EQ(again.report().rendered_position(),
            first.report().rendered_position());

  // The same id for another request is refused.
  v1::PublishReportResponse response;
  std::string reason;
  EXPECT_EQ(
      Send("opcc", &Stub::PublishReport,
           Publish("pub-1", 0, v1::REPORT_LANGUAGE_WELSH), &response, &reason)
          .error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(reason, "REQUEST_ID_REUSED");
}

TEST_F(ReportServiceTest, PublishRefusesWhatItCannotSeal) {
  SetUpReview();
  v1::PublishReportResponse response;
  std::string reason;
  // The client does not get to say what the hash is.
  v1::PublishReportRequest claimed = Publish("pub-claimed");
  claimed.mutable_report()->set_sha256(std::string(32, 'x'));
  EXPECT_EQ(Send("opcc", &Stub::PublishReport, claimed, &response, &reason)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "FIELD_NOT_ALLOWED");

  const uint64_t head = store_->Head().position;
  EXPECT_EQ(Send("opcc", &Stub::PublishReport, Publish("pub-future", head + 5),
                 &response, &reason)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "POSITION_PAST_HEAD");

  v1::PublishReportRequest unknown = Publish("pub-period");
  unknown.mutable_report()->set_period("2024-07");
  EXPECT_EQ(Send("opcc", &Stub::PublishReport, unknown, &response, &reason)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "PERIOD_NOT_FOUND");

  // The period exists now but had not been opened at position 5.
  EXPECT_EQ(Send("opcc", &Stub::PublishReport, Publish("pub-early", 5),
                 &response, &reason)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "PERIOD_NOT_FOUND");

  v1::PublishReportRequest language = Publish("pub-lang");
  language.mutable_report()->set_language(v1::REPORT_LANGUAGE_UNSPECIFIED);
  EXPECT_EQ(Send("opcc", &Stub::PublishReport, language, &response, &reason)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "INVALID_ENUM_VALUE");
  EXPECT_EQ(store_->Head().position, head);  // nothing recorded
}

TEST_F(ReportServiceTest, APublicationIsInTheReviewsHistory) {
  SetUpReview();
  const v1::PublishReportResponse published = MustPublish(Publish("pub-1"));
  v1::ListHistoryRequest request;
  request.set_review_id("r");
  request.add_event_types("oversight.v1.ReportPublished");
  request.set_min_position(published.result().position());
  v1::ListHistoryResponse history;
  auto ctx = As("opcc");
  grpc::Status s = queries_->ListHistory(ctx.get(), request, &history);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(history.entries_size(), 1);
  EXPECT_EQ(history.entries(0).position(), published.result().position());
  EXPECT_EQ(history.entries(0).event().report_published().sha256(),
            published.report().sha256());
}

// ------------------------------------------------------------ VerifyReport

TEST_F(ReportServiceTest, APublishedReportVerifies) {
  SetUpReview();
  const v1::PublishReportResponse published = MustPublish(Publish("pub-1"));
  v1::VerifyReportResponse response;
  grpc::Status s = Verify(ByPosition(published.result().position()), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(response.matches());
  EXPECT_EQ(response.publication_position(), published.result().position());
  EXPECT_EQ(response.publication().sha256(), published.report().sha256());
  EXPECT_EQ(response.rendered_sha256(), published.report().sha256());
  EXPECT_EQ(response.rendered_byte_size(), published.report().byte_size());
  EXPECT_EQ(response.published_by().agency_id(), "opcc");
  EXPECT_FALSE(response.content_checked());
}

TEST_F(ReportServiceTest, StillVerifiesAfterALaterCorrection) {
  SetUpReview();
  const v1::PublishReportResponse published = MustPublish(Publish("pub-1"));
  const std::string sealed_copy = MustGetReport(
      ReportRequest(v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_MARKDOWN,
                    published.report().rendered_position()));
  const v1::CommandResult corrected = Correct("c1", "Work began in January");
  // The report now is another one...
  v1::GetReportRequest now = ReportRequest();
  now.set_min_position(corrected.position());
  ASSERT_NE(Sha256Of(MustGetReport(now)), published.report().sha256());

  // ...but the publication was sealed at a position, and still verifies,
  // found by its position or as the latest of its period, language and
  // format, with the copy the Panel was given.
  v1::VerifyReportRequest latest;
  latest.set_review_id("r");
  latest.set_period("2025-01");
  latest.set_language(v1::REPORT_LANGUAGE_ENGLISH);
  latest.set_format(v1::REPORT_FORMAT_MARKDOWN);
  latest.set_content(sealed_copy);
  for (const v1::VerifyReportRequest& request :
       {ByPosition(published.result().position(), sealed_copy), latest}) {
    v1::VerifyReportResponse response;
    grpc::Status s = Verify(request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(response.matches());
    EXPECT_EQ(response.publication_position(), published.result().position());
    EXPECT_TRUE(response.content_checked());
    EXPECT_TRUE(response.content_matches());
    EXPECT_FALSE(response.has_content_difference());
  }
}

TEST_F(ReportServiceTest, ATamperedCopyIsReportedWithItsFirstDifferingLine) {
  SetUpReview();
  const v1::PublishReportResponse published = MustPublish(Publish("pub-1"));
  std::string copy = MustGetReport(
      ReportRequest(v1::REPORT_LANGUAGE_ENGLISH, v1::REPORT_FORMAT_MARKDOWN,
                    published.report().rendered_position()));
  const size_t at = copy.find("Work began in December");
  ASSERT_NE(at, std::string::npos);
  const int line =
      1 + static_cast<int>(std::count(copy.begin(), copy.begin() + at, '\n'));
  copy.replace(at, 10, "Work ended");

  v1::VerifyReportResponse response;
  grpc::Status s =
      Verify(ByPosition(published.result().position(), copy), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(response.matches());  // the seal itself holds
  EXPECT_TRUE(response.content_checked());
  EXPECT_FALSE(response.content_matches());
  EXPECT_EQ(response.content_sha256(), Sha256Of(copy));
  ASSERT_TRUE(response.has_content_difference());
  EXPECT_EQ(response.content_difference().line(), line);
  EXPECT_THAT(response.content_difference().expected(),
              HasSubstr("Work began in December"));
  EXPECT_THAT(response.content_difference().actual(),
              HasSubstr("Work ended in December"));

  // A copy cut short (its first line alone) differs where it ends.
  const std::string cut = copy.substr(0, copy.find('\n'));
  ASSERT_TRUE(
      Verify(ByPosition(published.result().position(), cut), &response).ok());
  EXPECT_FALSE(response.content_matches());
  EXPECT_EQ(response.content_difference().line(), 2);
  EXPECT_TRUE(response.content_difference().actual_missing());
  EXPECT_FALSE(response.content_difference().expected_missing());
}

TEST_F(ReportServiceTest, ASealThatDoesNotMatchTheRecordIsDetected) {
  SetUpReview();
  // A ReportPublished whose hash is not the report's, written past the
  // command handlers, as only someone with the database could.
  v1::DomainEvent forged;
  forged.set_classification(v1::CLASSIFICATION_OFFICIAL);
  forged.mutable_actor()->set_agency_id("opcc");
  forged.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(TestNow()));
  v1::ReportPublished* p = forged.mutable_report_published();
  p->set_review_id("r");
  p->set_period("2025-01");
  p->set_language(v1::REPORT_LANGUAGE_ENGLISH);
  p->set_format(v1::REPORT_FORMAT_MARKDOWN);
  p->set_rendered_position(update_.position());
  p->set_sha256(std::string(32, '\x01'));
  p->set_byte_size(10);
  eventstore::ProposedEvent e;
  e.id = eventstore::EventId::Random();
  e.type = "oversight.v1.ReportPublished";
  forged.SerializeToString(&e.data);
  absl::StatusOr<eventstore::AppendResult> appended = store_->Append(
      "review-r", eventstore::ExpectedRevision::Any(), {std::move(e)});
  ASSERT_TRUE(appended.ok()) << appended.status();

  v1::VerifyReportResponse response;
  grpc::Status s = Verify(ByPosition(appended->first_position), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(response.matches());
  EXPECT_EQ(response.rendered_sha256(),
            Sha256Of(MustGetReport(ReportRequest(v1::REPORT_LANGUAGE_ENGLISH,
                                                 v1::REPORT_FORMAT_MARKDOWN,
                                                 update_.position()))));
}

TEST_F(ReportServiceTest, AnUnknownPublicationIsNotFound) {
  SetUpReview();
  v1::VerifyReportResponse response;
  std::string reason;
  // A position that holds another event.
  EXPECT_EQ(
      Verify(ByPosition(update_.position()), &response, &reason).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "REPORT_NOT_PUBLISHED");

  MustPublish(Publish("pub-1"));
  v1::VerifyReportRequest welsh;
  welsh.set_review_id("r");
  welsh.set_period("2025-01");
  welsh.set_language(v1::REPORT_LANGUAGE_WELSH);
  welsh.set_format(v1::REPORT_FORMAT_MARKDOWN);
  EXPECT_EQ(Verify(welsh, &response, &reason).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "REPORT_NOT_PUBLISHED");

  welsh.set_review_id("nobody");
  EXPECT_EQ(Verify(welsh, &response, &reason).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "REVIEW_NOT_FOUND");
}

// Without read models (no Queries service), PublishReport finds the
// report's streams in the log itself, and seals the same bytes.
class PublishWithoutReadModelsTest : public CommandTest {};

TEST_F(PublishWithoutReadModelsTest, SealsTheReportRenderedFromTheLog) {
  SetUpWorld();
  MustOk("police", &Stub::SubmitProgressUpdate,
         Update("u1", 2, "Recommendation two began"));
  v1::PublishReportRequest request;
  request.mutable_report()->set_review_id("r");
  request.mutable_report()->set_period("2025-01");
  request.mutable_report()->set_language(v1::REPORT_LANGUAGE_ENGLISH);
  request.mutable_report()->set_format(v1::REPORT_FORMAT_MARKDOWN);
  v1::PublishReportResponse response;
  std::string reason;
  grpc::Status s = Send("opcc", &Stub::PublishReport, Common(request, "pub-1"),
                        &response, &reason);
  ASSERT_TRUE(s.ok()) << reason << ": " << s.error_message();

  // The same report, rendered here from the whole log.
  std::vector<pj::RecordedDomainEvent> log;
  absl::StatusOr<eventstore::ReadResult> page =
      store_->ReadAll(1, eventstore::Direction::kForwards, 1000, {});
  ASSERT_TRUE(page.ok()) << page.status();
  for (const eventstore::RecordedEvent& r : page->events) {
    if (auto e = pj::ToDomainEvent(r)) log.push_back(*std::move(e));
  }
  pj::ReportRequest render;
  render.review_id = "r";
  render.period = "2025-01";
  render.position = response.report().rendered_position();
  absl::StatusOr<std::string> expected =
      pj::RenderReport(pj::SelectAsOf(log, {render.position, {}}), render);
  ASSERT_TRUE(expected.ok()) << expected.status();
  EXPECT_THAT(*expected, HasSubstr("Recommendation two began"));
  EXPECT_EQ(response.report().sha256(), Sha256Of(*expected));
}

}  // namespace
}  // namespace oversight::services
