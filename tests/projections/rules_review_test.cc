// Review-level rules: opening reviews and reporting periods, observed
// meetings, risks, conclusions and published reports
// (projections/decide_review.cc).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using testutil::RulesTest;
using Code = absl::StatusCode;

// ---------------------------------------------------------------- reviews

TEST_F(RulesTest, OpenReviewGoesToANewStreamWithTheActorAsCommissioningBody) {
  absl::StatusOr<Decision> d = Run("opcc", OpenReview("r2"));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "review-r2");
  EXPECT_EQ(d->expected_revision, std::nullopt);
  EXPECT_EQ(d->event.review_opened().commissioning_agency_id(), "opcc");
}

TEST_F(RulesTest, DuplicateReviewIsReviewExists) {
  EXPECT_ERROR(Run("opcc", OpenReview("r")), Code::kAlreadyExists,
               "REVIEW_EXISTS");
  EXPECT_EQ(Events("review-r").size(), 2u);
}

TEST_F(RulesTest, ForceOpeningAReviewIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", OpenReview("r2")), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
  EXPECT_TRUE(Events("review-r2").empty());
}

TEST_F(RulesTest,
       OpeningAReviewForAnotherCommissioningBodyIsReviewingBodyOnly) {
  ASSERT_OK(
      Run("opcc", RegisterAgency("opcc2", v1::AGENCY_KIND_REVIEWING_BODY)));
  v1::OpenReviewRequest r = OpenReview("r2");
  r.mutable_review()->set_commissioning_agency_id("opcc2");
  EXPECT_ERROR(Run("opcc", r), Code::kPermissionDenied, "REVIEWING_BODY_ONLY");
}

TEST_F(RulesTest, DuplicateThemeIdIsDuplicateValue) {
  EXPECT_ERROR(Run("opcc", OpenReview("r2", {"t1", "t2", "t1"})),
               Code::kInvalidArgument, "DUPLICATE_VALUE");
}

TEST_F(RulesTest, ReviewWithoutThemesIsMissingField) {
  EXPECT_ERROR(Run("opcc", OpenReview("r2", {})), Code::kInvalidArgument,
               "MISSING_FIELD");
}

TEST_F(RulesTest, BadThemeIdIsInvalidId) {
  EXPECT_ERROR(Run("opcc", OpenReview("r2", {"Theme One"})),
               Code::kInvalidArgument, "INVALID_ID");
}

TEST_F(RulesTest, BadOpenedOnIsInvalidDate) {
  v1::OpenReviewRequest r = OpenReview("r2");
  r.mutable_review()->set_opened_on("2025-02-30");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_DATE");
  r.mutable_review()->set_opened_on("15/01/2025");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_DATE");
}

TEST_F(RulesTest, OpenedOnInTheFutureIsDateInFuture) {
  v1::OpenReviewRequest r = OpenReview("r2");
  r.mutable_review()->set_opened_on("2025-06-02");  // now is 2025-06-01
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "DATE_IN_FUTURE");
  r.mutable_review()->set_opened_on("2025-06-01");
  EXPECT_OK(Run("opcc", r));
}

TEST_F(RulesTest, ReviewWithoutTitleIsMissingField) {
  v1::OpenReviewRequest r = OpenReview("r2");
  r.mutable_review()->clear_title();
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(RulesTest, ReviewFullReportLinkIsChecked) {
  v1::OpenReviewRequest r = OpenReview("r2");
  *r.mutable_review()->mutable_full_report()->mutable_title() =
      testutil::Text("Full report");
  r.mutable_review()->mutable_full_report()->set_url("ftp://example.org/r.pdf");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_URL");
}

// --------------------------------------------------------------- periods

TEST_F(RulesTest, OpenPeriodWithBadLabelIsInvalidPeriod) {
  EXPECT_ERROR(Run("opcc", OpenPeriod("2025-1")), Code::kInvalidArgument,
               "INVALID_PERIOD");
  EXPECT_ERROR(Run("opcc", OpenPeriod("2025-01-01")), Code::kInvalidArgument,
               "INVALID_PERIOD");
  EXPECT_ERROR(Run("opcc", OpenPeriod("2025-13")), Code::kInvalidArgument,
               "INVALID_PERIOD");
}

TEST_F(RulesTest, DuplicatePeriodIsPeriodExists) {
  EXPECT_ERROR(Run("opcc", OpenPeriod("2025-01")), Code::kAlreadyExists,
               "PERIOD_EXISTS");
}

TEST_F(RulesTest, ReopeningAClosedPeriodLabelIsPeriodExists) {
  ASSERT_OK(Run("opcc", ClosePeriod("2025-01")));
  EXPECT_ERROR(Run("opcc", OpenPeriod("2025-01")), Code::kAlreadyExists,
               "PERIOD_EXISTS");
}

TEST_F(RulesTest, ClosingAPeriodMarksItClosed) {
  ASSERT_TRUE(Review().periods.at("2025-01").open);
  ASSERT_OK(Run("opcc", ClosePeriod("2025-01")));
  EXPECT_FALSE(Review().periods.at("2025-01").open);
}

TEST_F(RulesTest, ClosingAClosedPeriodIsPeriodNotOpen) {
  ASSERT_OK(Run("opcc", ClosePeriod("2025-01")));
  EXPECT_ERROR(Run("opcc", ClosePeriod("2025-01")), Code::kFailedPrecondition,
               "PERIOD_NOT_OPEN");
}

TEST_F(RulesTest, ClosingAnUnopenedPeriodIsPeriodNotFound) {
  EXPECT_ERROR(Run("opcc", ClosePeriod("2025-02")), Code::kNotFound,
               "PERIOD_NOT_FOUND");
}

TEST_F(RulesTest, ForceOpeningOrClosingAPeriodIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", OpenPeriod("2025-02")), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
  EXPECT_ERROR(Run("police", ClosePeriod("2025-01")), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
}

TEST_F(RulesTest, PeriodOfAnUnknownReviewIsReviewNotFound) {
  v1::OpenReportingPeriodRequest r = OpenPeriod("2025-02");
  r.mutable_period()->set_review_id("nope");
  EXPECT_ERROR(Run("opcc", r), Code::kNotFound, "REVIEW_NOT_FOUND");
}

TEST_F(RulesTest, SubmissionsDueOnMustBeAFullDate) {
  v1::OpenReportingPeriodRequest r = OpenPeriod("2025-02");
  r.mutable_period()->set_submissions_due_on("2025-03");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_DATE");
  r.mutable_period()->set_submissions_due_on("2025-03-14");
  EXPECT_OK(Run("opcc", r));
}

// --------------------------------------------------------------- meetings

TEST_F(RulesTest, MeetingByTheReviewingBodyIsRecordedWithRequestIdAsId) {
  v1::RecordMeetingObservedRequest r = Meeting();
  absl::StatusOr<Decision> d = Run("opcc", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "review-r");
  EXPECT_EQ(d->event.meeting_observed().meeting_id(), r.request_id());
  EXPECT_TRUE(Review().meeting_ids.contains(r.request_id()));
}

TEST_F(RulesTest, MeetingWithUnknownAttendingAgencyIsAgencyNotFound) {
  EXPECT_ERROR(Run("opcc", Meeting({"police", "nobody"})), Code::kNotFound,
               "AGENCY_NOT_FOUND");
}

TEST_F(RulesTest,
       MeetingWithUnknownRelatedRecommendationIsRecommendationNotFound) {
  EXPECT_ERROR(Run("opcc", Meeting({"police"}, {1, 7})), Code::kNotFound,
               "RECOMMENDATION_NOT_FOUND");
}

TEST_F(RulesTest, MeetingWithDuplicateRelatedNumbersIsDuplicateValue) {
  EXPECT_ERROR(Run("opcc", Meeting({"police"}, {1, 1})), Code::kInvalidArgument,
               "DUPLICATE_VALUE");
}

TEST_F(RulesTest, MeetingHeldInTheFutureIsDateInFuture) {
  v1::RecordMeetingObservedRequest r = Meeting();
  r.mutable_meeting()->set_held_on("2025-06-02");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "DATE_IN_FUTURE");
}

TEST_F(RulesTest, MeetingKindUnspecifiedIsInvalidEnumValue) {
  v1::RecordMeetingObservedRequest r = Meeting();
  r.mutable_meeting()->set_kind(v1::MEETING_KIND_UNSPECIFIED);
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_ENUM_VALUE");
}

TEST_F(RulesTest, MeetingByTheForceIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", Meeting()), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
}

TEST_F(RulesTest, DuplicateMeetingIdIsIdExists) {
  v1::RecordMeetingObservedRequest r = Meeting();
  r.mutable_meeting()->set_meeting_id("clinic-2025-05");
  ASSERT_OK(Run("opcc", r));
  v1::RecordMeetingObservedRequest again = Meeting();
  again.mutable_meeting()->set_meeting_id("clinic-2025-05");
  EXPECT_ERROR(Run("opcc", again), Code::kAlreadyExists, "ID_EXISTS");
}

// ------------------------------------------------------------------ risks

TEST_F(RulesTest, RiskRaisedByTheOwnerOnItsRecommendationIsAccepted) {
  v1::RaiseRiskRequest r = Risk({1});
  absl::StatusOr<Decision> d = Run("police", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "review-r");
  EXPECT_EQ(d->event.risk_raised().risk_id(), r.request_id());
  ASSERT_TRUE(Review().risks.contains(r.request_id()));
  EXPECT_EQ(Review().risks.at(r.request_id()).raised_by, "police");
}

TEST_F(RulesTest, RiskRaisedByAContributingPartnerIsAccepted) {
  EXPECT_OK(Run("partner", Risk({1})));
}

TEST_F(RulesTest, RiskRaisedByThePanelIsNotOwningAgency) {
  EXPECT_ERROR(Run("panel", Risk({1})), Code::kPermissionDenied,
               "NOT_OWNING_AGENCY");
}

TEST_F(RulesTest, RiskRaisedByTheForceWithoutRecommendationsIsNotOwningAgency) {
  EXPECT_ERROR(Run("police", Risk({})), Code::kPermissionDenied,
               "NOT_OWNING_AGENCY");
}

TEST_F(RulesTest,
       RiskRaisedByTheReviewingBodyWithoutRecommendationsIsAccepted) {
  EXPECT_OK(Run("opcc", Risk({})));
}

TEST_F(RulesTest, RiskOnARecommendationTheForceDoesNotOwnIsNotOwningAgency) {
  ASSERT_OK(Run("opcc", IssueRec(2, "partner", {})));
  EXPECT_ERROR(Run("police", Risk({1, 2})), Code::kPermissionDenied,
               "NOT_OWNING_AGENCY");
}

TEST_F(RulesTest, RiskOnAnUnknownRecommendationIsRecommendationNotFound) {
  EXPECT_ERROR(Run("police", Risk({1, 7})), Code::kNotFound,
               "RECOMMENDATION_NOT_FOUND");
}

TEST_F(RulesTest, RiskCategoryUnspecifiedIsInvalidEnumValue) {
  v1::RaiseRiskRequest r = Risk();
  r.mutable_risk()->set_category(v1::RISK_CATEGORY_UNSPECIFIED);
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "INVALID_ENUM_VALUE");
}

TEST_F(RulesTest, DuplicateRiskIdIsIdExists) {
  v1::RaiseRiskRequest r = Risk();
  r.mutable_risk()->set_risk_id("funding");
  ASSERT_OK(Run("police", r));
  v1::RaiseRiskRequest again = Risk();
  again.mutable_risk()->set_risk_id("funding");
  EXPECT_ERROR(Run("opcc", again), Code::kAlreadyExists, "ID_EXISTS");
}

TEST_F(RulesTest, RiskResolvedByTheAgencyThatRaisedItIsAccepted) {
  v1::RaiseRiskRequest r = Risk();
  ASSERT_OK(Run("police", r));
  EXPECT_OK(Run("police", ResolveRisk(r.request_id())));
  EXPECT_TRUE(Review().risks.at(r.request_id()).resolved);
}

TEST_F(RulesTest, RiskResolvedByTheReviewingBodyIsAccepted) {
  v1::RaiseRiskRequest r = Risk();
  ASSERT_OK(Run("police", r));
  EXPECT_OK(Run("opcc", ResolveRisk(r.request_id())));
}

TEST_F(RulesTest, RiskResolvedByAnotherAgencyIsNotRiskOwner) {
  v1::RaiseRiskRequest r = Risk();
  ASSERT_OK(Run("police", r));
  EXPECT_ERROR(Run("partner", ResolveRisk(r.request_id())),
               Code::kPermissionDenied, "NOT_RISK_OWNER");
  EXPECT_FALSE(Review().risks.at(r.request_id()).resolved);
}

TEST_F(RulesTest, ResolvingARiskTwiceIsRiskResolved) {
  v1::RaiseRiskRequest r = Risk();
  ASSERT_OK(Run("police", r));
  ASSERT_OK(Run("police", ResolveRisk(r.request_id())));
  EXPECT_ERROR(Run("police", ResolveRisk(r.request_id())),
               Code::kFailedPrecondition, "RISK_RESOLVED");
}

TEST_F(RulesTest, ResolvingAnUnknownRiskIsRiskNotFound) {
  EXPECT_ERROR(Run("opcc", ResolveRisk("no-such-risk")), Code::kNotFound,
               "RISK_NOT_FOUND");
}

// ------------------------------------------------------------ conclusions

TEST_F(RulesTest, ConclusionForAnUnopenedPeriodIsPeriodNotFound) {
  EXPECT_ERROR(Run("opcc", Conclusion("2025-02")), Code::kNotFound,
               "PERIOD_NOT_FOUND");
}

TEST_F(RulesTest, ConclusionForAClosedPeriodIsAccepted) {
  ASSERT_OK(Run("opcc", ClosePeriod("2025-01")));
  absl::StatusOr<Decision> d = Run("opcc", Conclusion("2025-01"));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "review-r");
  EXPECT_EQ(d->event.conclusion_recorded().period(), "2025-01");
}

TEST_F(RulesTest, ConclusionByTheForceIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", Conclusion("2025-01")), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
}

TEST_F(RulesTest, ConclusionWithoutParagraphsIsMissingField) {
  v1::RecordConclusionRequest r = Conclusion("2025-01");
  r.mutable_conclusion()->clear_paragraphs();
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(RulesTest, LaterConclusionForTheSamePeriodIsAccepted) {
  ASSERT_OK(Run("opcc", Conclusion("2025-01")));
  EXPECT_OK(Run("opcc", Conclusion("2025-01")));
}

// ------------------------------------------------------ published reports

// A ReportSealer that remembers what it was asked to render.
class FakeSealer : public ReportSealer {
 public:
  absl::StatusOr<uint64_t> Head() override { return head; }
  absl::StatusOr<Sealed> Seal(const ReportRequest& request) override {
    asked.push_back(request);
    return Sealed{std::string(32, '\x07'), 1234};
  }
  uint64_t head = 40;
  std::vector<ReportRequest> asked;
};

class PublishReportTest : public RulesTest {
 protected:
  v1::PublishReportRequest Publish(uint64_t position = 0) {
    v1::PublishReportRequest r;
    r.mutable_report()->set_review_id(kReview);
    r.mutable_report()->set_period(kPeriod);
    r.mutable_report()->set_language(v1::REPORT_LANGUAGE_WELSH);
    r.mutable_report()->set_format(v1::REPORT_FORMAT_HTML);
    r.mutable_report()->set_rendered_position(position);
    return Stamped(r);
  }
  absl::StatusOr<Decision> TryPublish(absl::string_view agency,
                                      const v1::PublishReportRequest& r,
                                      ReportSealer* sealer) {
    CommandContext ctx = Context(agency);
    ctx.reports = sealer;
    return DecideCommand(ctx, r, source_);
  }
  FakeSealer sealer_;
};

TEST_F(PublishReportTest, SealsWhatTheServerRenderedAtTheHead) {
  absl::StatusOr<Decision> d = TryPublish("opcc", Publish(), &sealer_);
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "review-r");
  EXPECT_EQ(d->expected_revision, 1u);  // opened, period opened
  const v1::ReportPublished& p = d->event.report_published();
  EXPECT_EQ(p.rendered_position(), 40u);
  EXPECT_EQ(p.sha256(), std::string(32, '\x07'));
  EXPECT_EQ(p.byte_size(), 1234u);
  EXPECT_EQ(EntityIdOf(d->event), "2025-01.cy.html");
  ASSERT_EQ(sealer_.asked.size(), 1u);
  EXPECT_EQ(sealer_.asked[0].review_id, "r");
  EXPECT_EQ(sealer_.asked[0].period, "2025-01");
  EXPECT_EQ(sealer_.asked[0].language, ReportLanguage::kWelsh);
  EXPECT_EQ(sealer_.asked[0].format, ReportFormat::kHtml);
  EXPECT_EQ(sealer_.asked[0].position, 40u);

  ASSERT_OK(TryPublish("opcc", Publish(12), &sealer_));
  EXPECT_EQ(sealer_.asked.back().position, 12u);
}

TEST_F(PublishReportTest, OthersAreReviewingBodyOnlyAndNothingIsRendered) {
  for (const char* agency : {"police", "partner", "panel", "auditor"}) {
    EXPECT_ERROR(TryPublish(agency, Publish(), &sealer_),
                 Code::kPermissionDenied, "REVIEWING_BODY_ONLY");
  }
  EXPECT_TRUE(sealer_.asked.empty());
}

TEST_F(PublishReportTest, RefusesWhatCannotBeSealed) {
  v1::PublishReportRequest r = Publish();
  r.mutable_report()->set_period("2024-07");
  EXPECT_ERROR(TryPublish("opcc", r, &sealer_), Code::kNotFound,
               "PERIOD_NOT_FOUND");
  EXPECT_ERROR(TryPublish("opcc", Publish(41), &sealer_),
               Code::kInvalidArgument, "POSITION_PAST_HEAD");
  r = Publish();
  r.mutable_report()->set_byte_size(10);
  EXPECT_ERROR(TryPublish("opcc", r, &sealer_), Code::kInvalidArgument,
               "FIELD_NOT_ALLOWED");
  r = Publish();
  r.mutable_report()->set_format(v1::REPORT_FORMAT_UNSPECIFIED);
  EXPECT_ERROR(TryPublish("opcc", r, &sealer_), Code::kInvalidArgument,
               "INVALID_ENUM_VALUE");
  EXPECT_TRUE(sealer_.asked.empty());
  EXPECT_ERROR(TryPublish("opcc", Publish(), nullptr), Code::kUnimplemented,
               "REPORTS_UNAVAILABLE");
}

}  // namespace
}  // namespace oversight::projections
