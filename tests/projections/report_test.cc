// The progress report of projections/report.h on small hand-built
// histories: commands are decided by the domain rules against a
// MemorySource, and every event decided is recorded at the next position,
// as the log would. Each test renders the report and checks one behaviour
// in the text.

#include "projections/report.h"

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.pb.h"
#include "oversight/v1/domain.pb.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "projections/read_model.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testutil::MakeBullet;
using testutil::RulesTest;
using testutil::Text;

constexpr ReportLanguage kLanguages[] = {ReportLanguage::kEnglish,
                                         ReportLanguage::kWelsh};
constexpr ReportFormat kFormats[] = {ReportFormat::kMarkdown,
                                     ReportFormat::kHtml};

// The text between the line `from` and the next line starting `until`.
std::string Section(const std::string& text, const std::string& from,
                    const std::string& until) {
  const size_t start = text.find(from);
  if (start == std::string::npos) return "";
  const size_t end = text.find(until, start + from.size());
  return text.substr(
      start, end == std::string::npos ? std::string::npos : end - start);
}

// Review "r" (themes t1, t2) with recommendations 1 and 2 owned by the
// police and 3 owned by the OPCC, periods 2024-06 and 2025-01 open; every
// event recorded into `log_`.
class ReportTest : public RulesTest {
 protected:
  void SetUp() override {
    // Within the period reported, so that what the tests record by default
    // happened by its end.
    now_ = January(20);
    ASSERT_OK(
        Record("opcc", RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY)));
    ASSERT_OK(Record("opcc", RegisterAgency("police", v1::AGENCY_KIND_FORCE)));
    ASSERT_OK(
        Record("opcc", RegisterAgency("partner", v1::AGENCY_KIND_PARTNER)));
    ASSERT_OK(Record("opcc", OpenReview(kReview)));
    ASSERT_OK(Record("opcc", IssueRec(1)));
    ASSERT_OK(Record("opcc", IssueRec(2)));
    ASSERT_OK(Record("opcc", IssueRec(3, "opcc", {})));
    ASSERT_OK(Record("opcc", OpenPeriod("2024-06")));
    ASSERT_OK(Record("opcc", OpenPeriod(kPeriod)));
  }

  // Decides `request` as `agency`; when allowed, records it.
  template <typename Request>
  absl::StatusOr<Decision> Record(absl::string_view agency,
                                  const Request& request) {
    absl::StatusOr<Decision> d = Run(agency, request);
    if (d.ok()) {
      RecordedDomainEvent r;
      r.position = log_.size() + 1;
      r.stream = d->stream;
      r.revision = Events(d->stream).size() - 1;
      r.recorded_at = now_;
      r.event = d->event;
      log_.push_back(std::move(r));
    }
    return d;
  }

  // Records `request`, which must be allowed; returns the id it created.
  template <typename Request>
  std::string Id(absl::string_view agency, const Request& request) {
    absl::StatusOr<Decision> d = Record(agency, request);
    EXPECT_OK(d);
    return d.ok() ? EntityIdOf(d->event) : "";
  }

  // `day` January 2025 at noon (UTC), or the given time of day.
  static absl::Time January(int day, int hour = 12, int minute = 0,
                            int second = 0) {
    return absl::FromCivil(
        absl::CivilSecond(2025, 1, day, hour, minute, second),
        absl::UTCTimeZone());
  }

  // `request` saying it happened at `t`.
  template <typename Request>
  static Request At(Request request, absl::Time t) {
    const int64_t seconds = absl::ToUnixSeconds(t);
    request.mutable_occurred_at()->set_seconds(seconds);
    request.mutable_occurred_at()->set_nanos(0);
    return request;
  }

  // A programme started in the past (as the rules require by now_).
  v1::RegisterProgrammeRequest StartedProgramme(
      absl::string_view id, absl::string_view owner = "partner") {
    v1::RegisterProgrammeRequest r = Programme(id, owner);
    r.mutable_programme()->set_started_on("2024-09-01");
    return r;
  }

  template <typename Request>
  static Request Sensitive(Request request) {
    request.set_classification(v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
    return request;
  }

  v1::SubmitProgressUpdateRequest UpdateSaying(
      absl::string_view en, int32_t number = 1,
      absl::string_view period = kPeriod, absl::string_view cy = "") {
    v1::SubmitProgressUpdateRequest r = SubmitUpdate(number, period, 0);
    v1::Bullet& b = *r.mutable_update()->add_bullets();
    *b.mutable_text() = Text(en, cy);
    return r;
  }

  absl::StatusOr<std::string> Try(ReportLanguage language, ReportFormat format,
                                  absl::string_view period = kPeriod,
                                  absl::string_view review = kReview) {
    ReportRequest request;
    request.review_id = std::string(review);
    request.period = std::string(period);
    request.language = language;
    request.format = format;
    request.position = log_.size();
    return RenderReport(log_, request);
  }
  std::string Render(ReportLanguage language = ReportLanguage::kEnglish,
                     ReportFormat format = ReportFormat::kMarkdown) {
    absl::StatusOr<std::string> out = Try(language, format);
    EXPECT_OK(out);
    return out.ok() ? *out : "";
  }
  // Every language and format, concatenated.
  std::string RenderAll() {
    std::string all;
    for (ReportLanguage l : kLanguages) {
      for (ReportFormat f : kFormats) absl::StrAppend(&all, Render(l, f));
    }
    return all;
  }

  std::vector<RecordedDomainEvent> log_;
};

TEST_F(ReportTest, SensitiveEventsNeverReachAReport) {
  ASSERT_OK(Record("police", Sensitive(UpdateSaying("SECRET update"))));
  const std::string official = Id("police", UpdateSaying("Official update"));
  v1::CorrectProgressUpdateRequest correct = Correct(official);
  *correct.mutable_correction()->mutable_bullets(0)->mutable_text() =
      Text("SECRET correction");
  ASSERT_OK(Record("police", Sensitive(correct)));
  v1::RaiseRiskRequest risk = Risk();
  *risk.mutable_risk()->mutable_description() = Text("SECRET risk");
  ASSERT_OK(Record("police", Sensitive(risk)));
  v1::RecordConclusionRequest conclusion = Conclusion(kPeriod);
  *conclusion.mutable_conclusion()->mutable_paragraphs(0) =
      Text("SECRET conclusion");
  ASSERT_OK(Record("opcc", Sensitive(conclusion)));
  // A sensitive recommendation, and an official update about it: nothing
  // derived from the sensitive issuing appears either.
  v1::IssueRecommendationRequest issue = IssueRec(4);
  *issue.mutable_recommendation()->mutable_text() =
      Text("SECRET recommendation");
  ASSERT_OK(Record("opcc", Sensitive(issue)));
  ASSERT_OK(Record("police", UpdateSaying("SECRET follow-on", 4)));

  // A sensitive Green at the previous period does not hide recommendation
  // 1; a sensitive rating for this period, with its rationale, is not shown.
  ASSERT_OK(Record("opcc", Sensitive(Rate(v1::RATING_GREEN, 1, "2024-06"))));
  v1::AssignRatingRequest rating = Rate(v1::RATING_RED, 1);
  *rating.mutable_rating()->mutable_rationale() = Text("SECRET rationale");
  ASSERT_OK(Record("opcc", Sensitive(rating)));
  // A sensitive meeting.
  v1::RecordMeetingObservedRequest meeting = Meeting({"police"}, {1});
  meeting.mutable_meeting()->set_held_on("2024-09-10");
  *meeting.mutable_meeting()->mutable_title() = Text("SECRET meeting");
  ASSERT_OK(Record("opcc", Sensitive(meeting)));
  // A sensitive monitoring activity; a sensitive completion of an official
  // one (which stays open).
  v1::RecordMonitoringActivityRequest hidden = Activity();
  *hidden.mutable_activity()->mutable_description() = Text("SECRET activity");
  ASSERT_OK(Record("opcc", Sensitive(hidden)));
  const std::string activity = Id("opcc", Activity());
  v1::CompleteMonitoringActivityRequest done = CompleteActivity(activity);
  *done.mutable_completion()->mutable_outcome() = Text("SECRET outcome");
  ASSERT_OK(Record("opcc", Sensitive(done)));
  // A sensitive agency registration: a programme it owns shows a neutral
  // label, never its id.
  v1::RegisterAgencyRequest agency =
      RegisterAgency("hush-agency", v1::AGENCY_KIND_PARTNER);
  *agency.mutable_agency()->mutable_name() = Text("SECRET agency");
  ASSERT_OK(Record("opcc", Sensitive(agency)));
  v1::RegisterProgrammeRequest owned = StartedProgramme("owned", "hush-agency");
  *owned.mutable_programme()->mutable_name() = Text("Official programme");
  ASSERT_OK(Record("opcc", owned));
  // A sensitive programme; sensitive figures of an official one.
  v1::RegisterProgrammeRequest programme = StartedProgramme("hidden");
  *programme.mutable_programme()->mutable_name() = Text("SECRET programme");
  ASSERT_OK(Record("opcc", Sensitive(programme)));
  ASSERT_OK(Record("opcc", StartedProgramme("pilot")));
  v1::SubmitPartnerReportRequest figures = Report("pilot", "2024-Q4");
  *figures.mutable_report()->mutable_narrative(0) = Text("SECRET narrative");
  *figures.mutable_report()->mutable_figures(0)->mutable_label() =
      Text("SECRET figure");
  ASSERT_OK(Record("partner", Sensitive(figures)));
  // A sensitive resolution of an official risk (which stays open), related
  // to recommendation 1 and to the sensitive recommendation 4.
  v1::RaiseRiskRequest open = Risk({1, 4});
  *open.mutable_risk()->mutable_description() = Text("Visible risk");
  const std::string visible = Id("police", open);
  v1::ResolveRiskRequest resolve = ResolveRisk(visible);
  *resolve.mutable_resolution()->mutable_resolution() =
      Text("SECRET resolution");
  ASSERT_OK(Record("police", Sensitive(resolve)));

  const std::string all = RenderAll();
  EXPECT_THAT(all, Not(HasSubstr("SECRET")));
  EXPECT_THAT(all, Not(HasSubstr("hush-agency")));
  EXPECT_THAT(all, HasSubstr("Official update"));
  EXPECT_THAT(all, Not(HasSubstr("Recommendation 4")));
  EXPECT_THAT(all, Not(HasSubstr("Argymhelliad 4")));
  const std::string md = Render();
  EXPECT_THAT(md, Not(HasSubstr("| 4 |")));
  EXPECT_THAT(Render(ReportLanguage::kEnglish, ReportFormat::kHtml),
              Not(HasSubstr("<th scope=\"row\">4</th>")));
  EXPECT_THAT(md,
              HasSubstr("No conclusion has been recorded for this period."));
  const std::string progress =
      Section(md, "## Recommendation progress", "## Recommendations for the");
  const std::string rec1 =
      Section(progress, "### Recommendation 1\n", "\n### ");
  ASSERT_THAT(rec1, Not(::testing::IsEmpty()));
  EXPECT_THAT(rec1, HasSubstr("**RAG rating for January 2025:** Rating not "
                              "stated"));
  EXPECT_THAT(rec1, Not(HasSubstr("Meetings observed")));
  EXPECT_THAT(rec1, HasSubstr("- Dip-sample twenty case files (due 31 July "
                              "2025)\n"));
  EXPECT_THAT(rec1, Not(HasSubstr("Completed:")));
  EXPECT_THAT(rec1, HasSubstr("#### Programme: Official programme\n\n"
                              "**Agency:** an agency\n"));
  EXPECT_THAT(Render(ReportLanguage::kWelsh),
              HasSubstr("**Asiantaeth:** asiantaeth\n"));
  EXPECT_THAT(rec1, HasSubstr("#### Programme: ISAC pilot\n"));
  EXPECT_THAT(rec1, Not(HasSubstr("Figures for")));
  EXPECT_THAT(md, HasSubstr("| 1 | Theme t1 | Rating not stated | Rating not "
                            "stated |"));
  const std::string risks = Section(md, "## Open Risks", "Content available");
  EXPECT_THAT(risks, HasSubstr("Visible risk (Related recommendations: 1)"));
}

TEST_F(ReportTest, ASensitiveReviewIsNotFound) {
  v1::OpenReviewRequest review = OpenReview("hidden");
  ASSERT_OK(Record("opcc", Sensitive(review)));
  EXPECT_ERROR(
      Try(ReportLanguage::kEnglish, ReportFormat::kMarkdown, kPeriod, "hidden"),
      absl::StatusCode::kNotFound, "REVIEW_NOT_FOUND");
}

TEST_F(ReportTest, UnknownReviewOrPeriodIsNotFound) {
  EXPECT_ERROR(
      Try(ReportLanguage::kEnglish, ReportFormat::kMarkdown, kPeriod, "nope"),
      absl::StatusCode::kNotFound, "REVIEW_NOT_FOUND");
  EXPECT_ERROR(Try(ReportLanguage::kWelsh, ReportFormat::kHtml, "2023-01"),
               absl::StatusCode::kNotFound, "PERIOD_NOT_FOUND");
  EXPECT_ERROR(Try(ReportLanguage::kEnglish, ReportFormat::kMarkdown, "2025-1"),
               absl::StatusCode::kInvalidArgument, "INVALID_PERIOD");
  // A period opened only after the events selected is not there.
  log_.resize(log_.size() - 1);
  EXPECT_ERROR(Try(ReportLanguage::kEnglish, ReportFormat::kMarkdown),
               absl::StatusCode::kNotFound, "PERIOD_NOT_FOUND");
}

TEST_F(ReportTest, ARecommendationWithoutARatingSaysRatingNotStated) {
  const std::string md = Render();
  EXPECT_THAT(Section(md, "### Recommendation 1\n", "\n### "),
              HasSubstr("**RAG rating for January 2025:** Rating not stated"));
  EXPECT_THAT(Render(ReportLanguage::kWelsh),
              HasSubstr("**Statws RAG ar gyfer Ionawr 2025:** Statws heb ei "
                        "nodi"));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_AMBER, 1)));
  EXPECT_THAT(Section(Render(), "### Recommendation 1\n", "\n### "),
              HasSubstr("**RAG rating for January 2025:** **Amber** – Some "
                        "progress has been made but more is required."));
}

TEST_F(ReportTest, GreenAtThePreviousPeriodIsLeftOutOfProgressButSummarised) {
  ASSERT_OK(Record("opcc", Rate(v1::RATING_GREEN, 2, "2024-06")));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED, 1, "2024-06")));
  const std::string md = Render();
  const std::string progress =
      Section(md, "## Recommendation progress", "## Recommendations for the");
  EXPECT_THAT(progress, HasSubstr("### Recommendation 1\n"));
  EXPECT_THAT(progress, Not(HasSubstr("### Recommendation 2\n")));
  EXPECT_THAT(md, HasSubstr("| 1 | Theme t1 | **Red** | **Red** (since June "
                            "2024) |"));
  EXPECT_THAT(md, HasSubstr("| 2 | Theme t1 | **Green** | **Green** (since "
                            "June 2024) |"));
  // The OPCC's own recommendation has a section of its own.
  EXPECT_THAT(progress, Not(HasSubstr("### Recommendation 3\n")));
  EXPECT_THAT(
      Section(md, "## Recommendations for the Reviewing Body", "## Conclusion"),
      HasSubstr("### Recommendation 3\n"));
  // Exactly the overview's rule: an update or another rating for this
  // period does not bring a recommendation Green at June 2024 back.
  ASSERT_OK(Record("police", UpdateSaying("More work", 2)));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_AMBER, 2)));
  EXPECT_THAT(Section(Render(), "## Recommendation progress",
                      "## Recommendations for the"),
              Not(HasSubstr("### Recommendation 2\n")));
}

TEST_F(ReportTest, ARecommendationReopenedSinceThePreviousPeriodComesBack) {
  ASSERT_OK(Record("opcc", At(Rate(v1::RATING_GREEN, 2, "2024-06"),
                              January(1) - absl::Hours(24 * 200))));
  ASSERT_OK(
      Record("opcc", At(CloseRec(2), January(1) - absl::Hours(24 * 190))));
  auto progress = [&] {
    return Section(Render(), "## Recommendation progress",
                   "## Recommendations for the");
  };
  EXPECT_THAT(progress(), Not(HasSubstr("### Recommendation 2\n")));
  ASSERT_OK(Record("opcc", At(ReopenRec(2), January(10))));
  EXPECT_THAT(progress(), HasSubstr("### Recommendation 2\n"));
}

TEST_F(ReportTest, AClosedRecommendationShowsItsClosureNotFiller) {
  ASSERT_OK(Record("opcc", Rate(v1::RATING_GREEN, 1)));
  ASSERT_OK(Record("opcc", At(CloseRec(1), January(15))));
  const std::string md = Render();
  const std::string rec1 = Section(md, "### Recommendation 1\n", "\n### ");
  EXPECT_THAT(rec1, HasSubstr("**Closed on 15 January 2025** (decided by: "
                              "Police and Crime Commissioner)\n"));
  EXPECT_THAT(rec1, Not(HasSubstr("No update was submitted")));
  EXPECT_THAT(rec1, Not(HasSubstr("No monitoring activity")));
  EXPECT_THAT(rec1, Not(HasSubstr("#### Progress")));
  EXPECT_THAT(md, HasSubstr("| 1 | Theme t1 | Rating not stated | **Green**; "
                            "Closed on 15 January 2025 (decided by: Police "
                            "and Crime Commissioner) |"));
  // Recommendation 2, open, keeps its filler lines.
  const std::string rec2 = Section(md, "### Recommendation 2\n", "\n## ");
  EXPECT_THAT(rec2, HasSubstr("No update was submitted for this period."));
  EXPECT_THAT(rec2, HasSubstr("No monitoring activity is recorded"));
  EXPECT_THAT(Render(ReportLanguage::kWelsh),
              HasSubstr("**Wedi'i gau ar 15 Ionawr 2025** (penderfynwyd gan: "
                        "Police and Crime Commissioner)\n"));
}

TEST_F(ReportTest, RisksAndCompletionsAreCutAtTheEndOfThePeriod) {
  now_ = absl::FromCivil(absl::CivilSecond(2025, 7, 15, 12, 0, 0),
                         absl::UTCTimeZone());
  auto risk = [&](const char* text, absl::Time at) {
    v1::RaiseRiskRequest r = Risk();
    *r.mutable_risk()->mutable_description() = Text(text);
    return Id("police", At(r, at));
  };
  risk("Raised in July", now_);
  risk("Raised on the last second", January(31, 23, 59, 59));
  const std::string later = risk("Resolved in July", January(10));
  ASSERT_OK(Record("police", ResolveRisk(later)));
  const std::string sooner = risk("Resolved in January", January(5));
  ASSERT_OK(Record("police", At(ResolveRisk(sooner), January(25))));
  risk("Raised in February", January(31) + absl::Hours(12));

  auto activity = [&](const char* text) {
    v1::RecordMonitoringActivityRequest a = Activity();
    *a.mutable_activity()->mutable_description() = Text(text);
    return Id("opcc", At(a, January(10)));
  };
  const std::string july = activity("Completed in July");
  ASSERT_OK(Record("opcc", CompleteActivity(july)));
  const std::string january = activity("Completed in January");
  ASSERT_OK(Record("opcc", At(CompleteActivity(january), January(30))));

  const std::string md = Render();
  const std::string risks = Section(md, "## Open Risks", "Content available");
  EXPECT_THAT(risks, HasSubstr("Raised on the last second"));
  EXPECT_THAT(risks, HasSubstr("Resolved in July"));
  EXPECT_THAT(risks, Not(HasSubstr("Raised in July")));
  EXPECT_THAT(risks, Not(HasSubstr("Resolved in January")));
  EXPECT_THAT(risks, Not(HasSubstr("Raised in February")));
  const std::string rec1 = Section(md, "### Recommendation 1\n", "\n### ");
  EXPECT_THAT(rec1, HasSubstr("- Completed in July (due 31 July 2025)\n- "));
  EXPECT_THAT(rec1, HasSubstr("- Completed in January (due 31 July 2025)\n"
                              "  - **Completed:** Eighteen of twenty files "
                              "compliant\n"));
}

TEST_F(ReportTest, CorrectionsAreAppliedAndWithdrawalsDropped) {
  const std::string corrected = Id("police", UpdateSaying("Original text"));
  v1::CorrectProgressUpdateRequest correct = Correct(corrected);
  *correct.mutable_correction()->mutable_bullets(0) = MakeBullet("Fixed", 2);
  ASSERT_OK(Record("police", correct));
  const std::string withdrawn = Id("police", UpdateSaying("Wrong text"));
  ASSERT_OK(Record("police", Withdraw(withdrawn)));
  ASSERT_OK(Record("police", UpdateSaying("June text", 1, "2024-06")));

  const std::string rec1 =
      Section(Render(), "### Recommendation 1\n", "\n### ");
  EXPECT_THAT(rec1, HasSubstr("#### Progress January 2025\n\n- Fixed\n"
                              "  - sub-bullet 1\n  - sub-bullet 2\n"));
  EXPECT_THAT(rec1, HasSubstr("#### Progress June 2024\n\n- June text\n"));
  EXPECT_THAT(rec1, Not(HasSubstr("Original text")));
  EXPECT_THAT(rec1, Not(HasSubstr("Wrong text")));
}

TEST_F(ReportTest, TheLatestConclusionForThePeriodWins) {
  for (const char* text : {"First thoughts", "Final thoughts"}) {
    v1::RecordConclusionRequest c = Conclusion(kPeriod);
    *c.mutable_conclusion()->mutable_paragraphs(0) = Text(text);
    ASSERT_OK(Record("opcc", c));
  }
  v1::RecordConclusionRequest june = Conclusion("2024-06");
  *june.mutable_conclusion()->mutable_paragraphs(0) = Text("June thoughts");
  ASSERT_OK(Record("opcc", june));
  const std::string conclusion =
      Section(Render(), "## Conclusion", "## Summary");
  EXPECT_THAT(conclusion, HasSubstr("Final thoughts"));
  EXPECT_THAT(conclusion, Not(HasSubstr("First thoughts")));
  EXPECT_THAT(conclusion, Not(HasSubstr("June thoughts")));
}

TEST_F(ReportTest, HtmlEscapesHostileText) {
  ASSERT_OK(Record(
      "police", UpdateSaying("<script>alert(\"x\")</script> Tom & Jerry's")));
  for (ReportLanguage l : kLanguages) {
    const std::string html = Render(l, ReportFormat::kHtml);
    EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&quot;x&quot;)&lt;/"
                                "script&gt; Tom &amp; Jerry&#39;s"));
    EXPECT_THAT(html, Not(HasSubstr("<script")));
    EXPECT_THAT(html, Not(HasSubstr("Jerry's")));
  }
}

TEST_F(ReportTest, MarkdownEscapesWhatWouldChangeItsStructure) {
  ASSERT_OK(
      Record("police", UpdateSaying("# Not *a* [link](http://x) <b>x</b> | a_b "
                                    "`c` &amp; \\ ~d~ Fire & Rescue")));
  ASSERT_OK(Record("police", UpdateSaying("1. Not a list")));
  ASSERT_OK(Record("police", UpdateSaying("- not a sub-list")));
  const std::string md = Render();
  EXPECT_THAT(md, HasSubstr("- \\# Not \\*a\\* \\[link\\](http://x) "
                            "\\<b\\>x\\</b\\> \\| a\\_b \\`c\\` \\&amp; \\\\ "
                            "\\~d\\~ Fire & Rescue\n"));
  EXPECT_THAT(md, HasSubstr("- 1\\. Not a list\n"));
  EXPECT_THAT(md, HasSubstr("- \\- not a sub-list\n"));
}

TEST_F(ReportTest, WelshShowsWelshWhereRecordedAndMarksTheRest) {
  ASSERT_OK(Record("police", UpdateSaying("Training has begun.", 1, kPeriod,
                                          "Mae'r hyfforddiant wedi dechrau.")));
  ASSERT_OK(Record("police", UpdateSaying("Funding is not secured.")));
  v1::RecordMonitoringActivityRequest activity = Activity();
  activity.mutable_activity()->set_due_on("2025-07-31");
  ASSERT_OK(Record("opcc", activity));

  const std::string md = Render(ReportLanguage::kWelsh);
  EXPECT_THAT(md, HasSubstr("- Mae'r hyfforddiant wedi dechrau.\n"));
  EXPECT_THAT(md, Not(HasSubstr("Training has begun.")));
  EXPECT_THAT(md, HasSubstr("- Funding is not secured. [Saesneg yn unig / "
                            "English only]\n"));
  EXPECT_THAT(md, HasSubstr("#### Cynnydd Ionawr 2025\n"));
  EXPECT_THAT(md, HasSubstr("#### Cynnydd Mehefin 2024\n"));
  EXPECT_THAT(md, HasSubstr("(erbyn 31 Gorffennaf 2025)"));
  EXPECT_THAT(md, Not(HasSubstr("January")));
  EXPECT_THAT(md, HasSubstr("\nDarnau o gynnwys yn Gymraeg: 1 o "));

  const std::string html = Render(ReportLanguage::kWelsh, ReportFormat::kHtml);
  EXPECT_THAT(html, HasSubstr("<html lang=\"cy\">"));
  EXPECT_THAT(html, HasSubstr("<li>Mae&#39;r hyfforddiant wedi dechrau.</li>"));
  EXPECT_THAT(html, HasSubstr("<li><span lang=\"en\">Funding is not "
                              "secured.</span> <span class=\"untranslated\">"
                              "[Saesneg yn unig / <span lang=\"en\">English "
                              "only</span>]</span></li>"));

  // The English edition states the same coverage.
  const std::string en = Render();
  EXPECT_THAT(en, HasSubstr("- Training has begun.\n"));
  EXPECT_THAT(en, Not(HasSubstr("Saesneg yn unig")));
  std::smatch cy_count, en_count;
  ASSERT_TRUE(std::regex_search(
      md, cy_count,
      std::regex("Darnau o gynnwys yn Gymraeg: 1 o ([0-9]+)\\.")));
  ASSERT_TRUE(std::regex_search(
      en, en_count,
      std::regex("Content available in Welsh: 1 of ([0-9]+) passages\\.")));
  EXPECT_EQ(cy_count[1], en_count[1]);
}

TEST_F(ReportTest, HtmlIsSelfContainedPrintableAndAccessible) {
  ASSERT_OK(Record("opcc", Rate(v1::RATING_GREEN, 2, "2024-06")));
  const std::string html =
      Render(ReportLanguage::kEnglish, ReportFormat::kHtml);
  EXPECT_THAT(html, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(html, HasSubstr("@page { size: A4;"));
  EXPECT_THAT(html, HasSubstr("<h1 "));
  EXPECT_THAT(html, HasSubstr("<h2 id=\"overview\">Overview</h2>"));
  EXPECT_THAT(html, HasSubstr("<h3 id=\"rec-1\">Recommendation 1</h3>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"col\">Recommendation</th>"));
  EXPECT_THAT(html, HasSubstr("<th scope=\"row\">2</th>"));
  // The rating is named, not only coloured.
  EXPECT_THAT(html, HasSubstr("<span class=\"rag rag-green\">Green</span>"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
}

TEST_F(ReportTest, TitleBlockStatesThePositionAndEffectiveDate) {
  ReportRequest request;
  request.review_id = kReview;
  request.period = kPeriod;
  request.position = 42;
  request.effective_at = absl::FromCivil(
      absl::CivilSecond(2025, 1, 31, 23, 59, 59), absl::UTCTimeZone());
  absl::StatusOr<std::string> md = RenderReport(log_, request);
  ASSERT_OK(md);
  EXPECT_THAT(*md, HasSubstr("As recorded at log position 42. Including only "
                             "what had happened by 31 January 2025, 23:59:59 "
                             "UTC.\n"));
  request.language = ReportLanguage::kWelsh;
  md = RenderReport(log_, request);
  ASSERT_OK(md);
  EXPECT_THAT(*md, HasSubstr("Fel y'i cofnodwyd yn y log hyd at safle 42. Yn "
                             "cynnwys dim ond "
                             "yr hyn a oedd wedi digwydd erbyn 31 Ionawr 2025, "
                             "23:59:59 UTC.\n"));
}

TEST_F(ReportTest, MeetingsProgrammesAndRisksAppearWhereTheyBelong) {
  v1::RecordMeetingObservedRequest meeting = Meeting({"police"}, {1});
  meeting.mutable_meeting()->set_held_on("2024-09-10");
  ASSERT_OK(Record("opcc", meeting));
  const std::string resolved = Id("police", Risk());
  ASSERT_OK(Record("police", ResolveRisk(resolved)));
  v1::RaiseRiskRequest open = Risk({1, 2});
  *open.mutable_risk()->mutable_description() = Text("Capacity is short");
  ASSERT_OK(Record("police", open));
  v1::RegisterProgrammeRequest programme = Programme("pilot");
  programme.mutable_programme()->set_related_recommendations(0, 3);
  programme.mutable_programme()->set_started_on("2024-09-01");
  ASSERT_OK(Record("opcc", programme));
  ASSERT_OK(Record("partner", Report("pilot", "2024-Q4")));

  const std::string md = Render();
  EXPECT_THAT(
      Section(md, "### Recommendation 1\n", "\n### "),
      HasSubstr("#### Meetings observed\n\n- **Stalking clinic** "
                "(10 September 2024)\n  - Risk assessments were discussed\n"));
  const std::string risks = Section(md, "## Open Risks", "Content available");
  EXPECT_THAT(risks, HasSubstr("Capacity is short (Related recommendations: "
                               "1, 2)"));
  EXPECT_THAT(risks, Not(HasSubstr("Funding ends in March")));
  const std::string own =
      Section(md, "### Recommendation 3\n", "## Conclusion");
  EXPECT_THAT(own, HasSubstr("#### Programme: ISAC pilot\n"));
  EXPECT_THAT(own, HasSubstr("**Figures for October–December 2024**\n"));
  EXPECT_THAT(own, HasSubstr("| Victims supported | 13 |"));
  EXPECT_THAT(own, HasSubstr("- A steady quarter\n"));
}

// The same events with the streams interleaved differently (each stream
// still in its own order, the review's after the agencies', positions
// renumbered in the new order) give the same report: the fold depends on
// nothing but each stream's order.
TEST_F(ReportTest, RenderingDoesNotDependOnHowStreamsInterleave) {
  ASSERT_OK(Record("police", UpdateSaying("Progress")));
  ASSERT_OK(Record("police", UpdateSaying("Second", 2)));
  ASSERT_OK(Record("police", UpdateSaying("June", 1, "2024-06")));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_AMBER, 1, "2024-06")));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_GREEN, 2, "2024-06")));
  ASSERT_OK(Record("opcc", Rate(v1::RATING_RED, 1)));
  v1::RecordMeetingObservedRequest meeting = Meeting({"police"}, {1, 2});
  meeting.mutable_meeting()->set_held_on("2025-01-10");
  ASSERT_OK(Record("opcc", meeting));
  ASSERT_OK(Record("police", Risk({1})));
  const std::string activity = Id("opcc", Activity());
  ASSERT_OK(Record("opcc", CompleteActivity(activity)));
  ASSERT_OK(Record("opcc", StartedProgramme("pilot")));
  ASSERT_OK(Record("partner", Report("pilot", "2024-Q4")));
  ASSERT_OK(Record("opcc", Conclusion(kPeriod)));

  // Agencies, then the review, then the other streams in the reverse of
  // the order they first appear in.
  std::vector<std::string> streams;
  for (const RecordedDomainEvent& e : log_) {
    if (std::find(streams.begin(), streams.end(), e.stream) == streams.end()) {
      streams.push_back(e.stream);
    }
  }
  ASSERT_GE(streams.size(), 4u);
  std::vector<std::string> order = {kAgenciesStream, ReviewStream(kReview)};
  for (auto it = streams.rbegin(); it != streams.rend(); ++it) {
    if (*it != order[0] && *it != order[1]) order.push_back(*it);
  }
  std::vector<RecordedDomainEvent> interleaved;
  for (const std::string& stream : order) {
    for (const RecordedDomainEvent& e : log_) {
      if (e.stream == stream) interleaved.push_back(e);
    }
  }
  ASSERT_EQ(interleaved.size(), log_.size());
  bool moved = false;
  for (size_t i = 0; i < interleaved.size(); ++i) {
    moved |= interleaved[i].position != log_[i].position;
    interleaved[i].position = i + 1;
  }
  ASSERT_TRUE(moved);

  for (ReportLanguage l : kLanguages) {
    for (ReportFormat f : kFormats) {
      ReportRequest request;
      request.review_id = kReview;
      request.period = kPeriod;
      request.language = l;
      request.format = f;
      request.position = log_.size();
      absl::StatusOr<std::string> a = RenderReport(log_, request);
      absl::StatusOr<std::string> b = RenderReport(interleaved, request);
      ASSERT_OK(a);
      ASSERT_OK(b);
      EXPECT_EQ(*a, *b);
      EXPECT_THAT(*a, HasSubstr("Progress"));
    }
  }
}

// Links other than http(s), in evidence or as the full report, are not
// written as links in either format.
TEST_F(ReportTest, JavascriptAndDataLinksAreDropped) {
  ASSERT_OK(Record("police", UpdateSaying("With evidence")));
  v1::ProgressUpdateSubmitted& update =
      *log_.back().event.mutable_progress_update_submitted();
  for (const char* url :
       {"javascript:alert(1)", "JavaScript:alert(2)",
        "data:text/html,<script>alert(3)</script>", "https://example.org/ok"}) {
    v1::Link& link = *update.add_evidence();
    link.set_url(url);
    *link.mutable_title() =
        Text(absl::StrCat("Evidence ", url[0] == 'h' ? "good" : "bad"));
  }
  for (RecordedDomainEvent& e : log_) {
    if (!e.event.has_review_opened()) continue;
    v1::Link& full = *e.event.mutable_review_opened()->mutable_full_report();
    full.set_url("javascript:alert(4)");
    *full.mutable_title() = Text("The full report");
  }
  for (ReportLanguage l : kLanguages) {
    const std::string md = Render(l, ReportFormat::kMarkdown);
    const std::string html = Render(l, ReportFormat::kHtml);
    for (const std::string* out : {&md, &html}) {
      EXPECT_THAT(*out, Not(HasSubstr("javascript:")));
      EXPECT_THAT(*out, Not(HasSubstr("JavaScript:")));
      EXPECT_THAT(*out, Not(HasSubstr("data:")));
      EXPECT_THAT(*out, HasSubstr("The full report"));
      EXPECT_THAT(*out, HasSubstr("Evidence bad"));
    }
    EXPECT_THAT(md, Not(HasSubstr("[Evidence bad]")));
    EXPECT_THAT(md, Not(HasSubstr("[The full report]")));
    EXPECT_THAT(md, HasSubstr("[Evidence good](https://example.org/ok)"));
    EXPECT_THAT(html, Not(HasSubstr(">Evidence bad</a>")));
    EXPECT_THAT(html, Not(HasSubstr(">The full report</a>")));
    EXPECT_THAT(
        html,
        HasSubstr("<a href=\"https://example.org/ok\">Evidence good</a>"));
  }
}

}  // namespace
}  // namespace oversight::projections
