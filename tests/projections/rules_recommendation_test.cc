// Rules on one recommendation other than progress updates: issuing it,
// ratings, monitoring, cross-references, closing and reopening
// (projections/decide_recommendation.cc).

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using testutil::RulesTest;
using testutil::Text;
using Code = absl::StatusCode;

// ---------------------------------------------------------------- issuing

TEST_F(RulesTest, IssuedRecommendationIsRecordedOnItsOwnStream) {
  absl::StatusOr<Decision> d = Run("opcc", IssueRec(2));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "recommendation-r-2");
  EXPECT_EQ(d->expected_revision, std::nullopt);
  const RecommendationState rec = Rec(2);
  EXPECT_TRUE(rec.exists);
  EXPECT_EQ(rec.owning_agency_id, "police");
  EXPECT_TRUE(rec.IsOwnerOrContributor("partner"));
  EXPECT_FALSE(rec.IsOwnerOrContributor("panel"));
}

TEST_F(RulesTest, RecommendationOfAnUnknownReviewIsReviewNotFound) {
  v1::IssueRecommendationRequest r = IssueRec(2);
  r.mutable_recommendation()->set_review_id("nope");
  EXPECT_ERROR(Run("opcc", r), Code::kNotFound, "REVIEW_NOT_FOUND");
}

TEST_F(RulesTest, DuplicateRecommendationNumberIsRecommendationExists) {
  EXPECT_ERROR(Run("opcc", IssueRec(1)), Code::kAlreadyExists,
               "RECOMMENDATION_EXISTS");
  EXPECT_EQ(Events("recommendation-r-1").size(), 1u);
}

TEST_F(RulesTest, UnknownThemeIsThemeNotFound) {
  v1::IssueRecommendationRequest r = IssueRec(2);
  r.mutable_recommendation()->set_theme_id("t9");
  EXPECT_ERROR(Run("opcc", r), Code::kNotFound, "THEME_NOT_FOUND");
}

TEST_F(RulesTest, RecommendationWithoutThemeIsAccepted) {
  v1::IssueRecommendationRequest r = IssueRec(2);
  r.mutable_recommendation()->clear_theme_id();
  EXPECT_OK(Run("opcc", r));
}

TEST_F(RulesTest, UnknownOwningAgencyIsAgencyNotFound) {
  EXPECT_ERROR(Run("opcc", IssueRec(2, "nobody")), Code::kNotFound,
               "AGENCY_NOT_FOUND");
}

TEST_F(RulesTest, UnknownContributingAgencyIsAgencyNotFound) {
  EXPECT_ERROR(Run("opcc", IssueRec(2, "police", {"partner", "nobody"})),
               Code::kNotFound, "AGENCY_NOT_FOUND");
}

TEST_F(RulesTest, ContributorTwiceOrTheOwnerAsContributorIsDuplicateValue) {
  EXPECT_ERROR(Run("opcc", IssueRec(2, "police", {"partner", "partner"})),
               Code::kInvalidArgument, "DUPLICATE_VALUE");
  EXPECT_ERROR(Run("opcc", IssueRec(2, "police", {"police"})),
               Code::kInvalidArgument, "DUPLICATE_VALUE");
}

TEST_F(RulesTest, TextNotInSourceWithTextIsFieldNotAllowed) {
  v1::IssueRecommendationRequest r = IssueRec(2);
  r.mutable_recommendation()->set_text_not_in_source(true);
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "FIELD_NOT_ALLOWED");
  *r.mutable_recommendation()->mutable_text() = Text("", "Testun");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "FIELD_NOT_ALLOWED");
}

TEST_F(RulesTest, TextNotInSourceWithoutTextIsAccepted) {
  v1::IssueRecommendationRequest r = IssueRec(2);
  r.mutable_recommendation()->set_text_not_in_source(true);
  r.mutable_recommendation()->clear_text();
  EXPECT_OK(Run("opcc", r));
}

TEST_F(RulesTest, EmptyTextWithoutTheFlagIsMissingField) {
  v1::IssueRecommendationRequest r = IssueRec(2);
  r.mutable_recommendation()->clear_text();
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(RulesTest, RecommendationIssuedByTheForceIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", IssueRec(2)), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
  EXPECT_TRUE(Events("recommendation-r-2").empty());
}

TEST_F(RulesTest, RecommendationNumberOutOfRangeIsInvalidNumber) {
  EXPECT_ERROR(Run("opcc", IssueRec(0)), Code::kInvalidArgument,
               "INVALID_NUMBER");
  EXPECT_ERROR(Run("opcc", IssueRec(-3)), Code::kInvalidArgument,
               "INVALID_NUMBER");
  EXPECT_ERROR(Run("opcc", IssueRec(10000)), Code::kInvalidArgument,
               "INVALID_NUMBER");
  EXPECT_OK(Run("opcc", IssueRec(9999)));
}

// ---------------------------------------------------------------- ratings

TEST_F(RulesTest, RatingByTheReviewingBodyIsRecordedForThePeriod) {
  absl::StatusOr<Decision> d = Run("opcc", Rate(v1::RATING_AMBER));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "recommendation-r-1");
  EXPECT_EQ(Rec(1).ratings.at("2025-01"), v1::RATING_AMBER);
}

TEST_F(RulesTest, RatingUnspecifiedIsInvalidEnumValue) {
  EXPECT_ERROR(Run("opcc", Rate(v1::RATING_UNSPECIFIED)),
               Code::kInvalidArgument, "INVALID_ENUM_VALUE");
}

TEST_F(RulesTest, RatingValue99IsInvalidEnumValue) {
  EXPECT_ERROR(Run("opcc", Rate(static_cast<v1::Rating>(99))),
               Code::kInvalidArgument, "INVALID_ENUM_VALUE");
}

TEST_F(RulesTest, RatingByTheForceIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", Rate(v1::RATING_GREEN)), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
  EXPECT_TRUE(Rec(1).ratings.empty());
}

TEST_F(RulesTest, RatingForAClosedPeriodIsPeriodNotOpen) {
  ASSERT_OK(Run("opcc", ClosePeriod("2025-01")));
  EXPECT_ERROR(Run("opcc", Rate(v1::RATING_RED)), Code::kFailedPrecondition,
               "PERIOD_NOT_OPEN");
}

TEST_F(RulesTest, RatingForAnUnopenedPeriodIsPeriodNotFound) {
  EXPECT_ERROR(Run("opcc", Rate(v1::RATING_RED, 1, "2025-02")), Code::kNotFound,
               "PERIOD_NOT_FOUND");
}

TEST_F(RulesTest, RatingForAClosedRecommendationIsRecommendationClosed) {
  ASSERT_OK(Run("opcc", CloseRec(1)));
  EXPECT_ERROR(Run("opcc", Rate(v1::RATING_GREEN)), Code::kFailedPrecondition,
               "RECOMMENDATION_CLOSED");
}

TEST_F(RulesTest, RatingForAnUnknownRecommendationIsRecommendationNotFound) {
  EXPECT_ERROR(Run("opcc", Rate(v1::RATING_GREEN, 7)), Code::kNotFound,
               "RECOMMENDATION_NOT_FOUND");
}

TEST_F(RulesTest, SecondRatingInTheSamePeriodIsAllowedAndTheLaterCounts) {
  ASSERT_OK(Run("opcc", Rate(v1::RATING_RED)));
  ASSERT_OK(Run("opcc", Rate(v1::RATING_GREEN)));
  EXPECT_EQ(Rec(1).ratings.at("2025-01"), v1::RATING_GREEN);
  EXPECT_EQ(Rec(1).ratings.size(), 1u);
  EXPECT_EQ(Events("recommendation-r-1").size(), 3u);  // both stay in history
}

TEST_F(RulesTest, RatingWithoutRationaleIsMissingField) {
  v1::AssignRatingRequest r = Rate(v1::RATING_RED);
  r.mutable_rating()->clear_rationale();
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "MISSING_FIELD");
}

// ------------------------------------------------------------- monitoring

TEST_F(RulesTest, MonitoringActivityIdDefaultsToTheRequestId) {
  v1::RecordMonitoringActivityRequest r = Activity();
  absl::StatusOr<Decision> d = Run("opcc", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->event.monitoring_activity_recorded().activity_id(),
            r.request_id());
  ASSERT_TRUE(Rec(1).activities.contains(r.request_id()));
  EXPECT_FALSE(Rec(1).activities.at(r.request_id()));
}

TEST_F(RulesTest, MonitoringActivityByAPartnerIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("partner", Activity()), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
  EXPECT_ERROR(Run("police", Activity()), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
}

TEST_F(RulesTest, MonitoringActivityWithBadDueOnIsInvalidDate) {
  v1::RecordMonitoringActivityRequest r = Activity();
  r.mutable_activity()->set_due_on("2025-02-30");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_DATE");
  r.mutable_activity()->set_due_on("next week");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_DATE");
}

TEST_F(RulesTest, MonitoringActivityWithoutDueOnIsAccepted) {
  v1::RecordMonitoringActivityRequest r = Activity();
  r.mutable_activity()->clear_due_on();
  EXPECT_OK(Run("opcc", r));
}

TEST_F(RulesTest, MonitoringActivityForAClosedPeriodIsAccepted) {
  ASSERT_OK(Run("opcc", ClosePeriod("2025-01")));
  EXPECT_OK(Run("opcc", Activity()));
  EXPECT_ERROR(Run("opcc", Activity(1, "2025-02")), Code::kNotFound,
               "PERIOD_NOT_FOUND");
}

TEST_F(RulesTest,
       MonitoringActivityOnAClosedRecommendationIsRecommendationClosed) {
  ASSERT_OK(Run("opcc", CloseRec(1)));
  EXPECT_ERROR(Run("opcc", Activity()), Code::kFailedPrecondition,
               "RECOMMENDATION_CLOSED");
}

TEST_F(RulesTest, DuplicateMonitoringActivityIdIsIdExists) {
  v1::RecordMonitoringActivityRequest r = Activity();
  r.mutable_activity()->set_activity_id("dip-sample");
  ASSERT_OK(Run("opcc", r));
  v1::RecordMonitoringActivityRequest again = Activity();
  again.mutable_activity()->set_activity_id("dip-sample");
  EXPECT_ERROR(Run("opcc", again), Code::kAlreadyExists, "ID_EXISTS");
}

TEST_F(RulesTest, CompletingAnActivityMarksItCompleted) {
  v1::RecordMonitoringActivityRequest r = Activity();
  ASSERT_OK(Run("opcc", r));
  ASSERT_OK(Run("opcc", CompleteActivity(r.request_id())));
  EXPECT_TRUE(Rec(1).activities.at(r.request_id()));
}

TEST_F(RulesTest, CompletingAnUnknownActivityIsActivityNotFound) {
  EXPECT_ERROR(Run("opcc", CompleteActivity("no-such-activity")),
               Code::kNotFound, "ACTIVITY_NOT_FOUND");
}

TEST_F(RulesTest, CompletingAnActivityTwiceIsActivityCompleted) {
  v1::RecordMonitoringActivityRequest r = Activity();
  ASSERT_OK(Run("opcc", r));
  ASSERT_OK(Run("opcc", CompleteActivity(r.request_id())));
  EXPECT_ERROR(Run("opcc", CompleteActivity(r.request_id())),
               Code::kFailedPrecondition, "ACTIVITY_COMPLETED");
}

TEST_F(RulesTest, CompletingAnActivityByTheForceIsReviewingBodyOnly) {
  v1::RecordMonitoringActivityRequest r = Activity();
  ASSERT_OK(Run("opcc", r));
  EXPECT_ERROR(Run("police", CompleteActivity(r.request_id())),
               Code::kPermissionDenied, "REVIEWING_BODY_ONLY");
}

// ------------------------------------------------------- cross-references

TEST_F(RulesTest, CrossReferenceToAnotherRecommendationByTheOwnerIsAccepted) {
  ASSERT_OK(Run("opcc", IssueRec(2)));
  v1::RecordCrossReferenceRequest r =
      CrossRef(v1::CROSS_REFERENCE_KIND_RECOMMENDATION, 2);
  absl::StatusOr<Decision> d = Run("police", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "recommendation-r-1");
  EXPECT_TRUE(Rec(1).reference_ids.contains(r.request_id()));
}

TEST_F(RulesTest,
       CrossReferenceToAnUnknownRecommendationIsRecommendationNotFound) {
  EXPECT_ERROR(
      Run("police", CrossRef(v1::CROSS_REFERENCE_KIND_RECOMMENDATION, 7)),
      Code::kNotFound, "RECOMMENDATION_NOT_FOUND");
}

TEST_F(RulesTest, CrossReferenceToItselfIsInvalidNumber) {
  EXPECT_ERROR(
      Run("police", CrossRef(v1::CROSS_REFERENCE_KIND_RECOMMENDATION, 1)),
      Code::kInvalidArgument, "INVALID_NUMBER");
}

TEST_F(RulesTest,
       CrossReferenceKindRecommendationWithoutNumberIsInvalidNumber) {
  EXPECT_ERROR(
      Run("police", CrossRef(v1::CROSS_REFERENCE_KIND_RECOMMENDATION, 0)),
      Code::kInvalidArgument, "INVALID_NUMBER");
}

TEST_F(RulesTest, RelatedRecommendationWithAnotherKindIsFieldNotAllowed) {
  ASSERT_OK(Run("opcc", IssueRec(2)));
  EXPECT_ERROR(
      Run("police",
          CrossRef(v1::CROSS_REFERENCE_KIND_HMICFRS_AREA_FOR_IMPROVEMENT, 2)),
      Code::kInvalidArgument, "FIELD_NOT_ALLOWED");
  EXPECT_OK(
      Run("police",
          CrossRef(v1::CROSS_REFERENCE_KIND_HMICFRS_AREA_FOR_IMPROVEMENT)));
}

TEST_F(RulesTest, CrossReferenceByAContributingPartnerIsNotOwningAgency) {
  EXPECT_ERROR(
      Run("partner", CrossRef(v1::CROSS_REFERENCE_KIND_NATIONAL_PROGRAMME)),
      Code::kPermissionDenied, "NOT_OWNING_AGENCY");
}

TEST_F(RulesTest, CrossReferenceByTheReviewingBodyIsAccepted) {
  EXPECT_OK(Run("opcc", CrossRef(v1::CROSS_REFERENCE_KIND_NATIONAL_PROGRAMME)));
}

TEST_F(RulesTest, CrossReferenceKindUnspecifiedIsInvalidEnumValue) {
  EXPECT_ERROR(Run("police", CrossRef(v1::CROSS_REFERENCE_KIND_UNSPECIFIED)),
               Code::kInvalidArgument, "INVALID_ENUM_VALUE");
}

TEST_F(RulesTest, CrossReferenceWithBadUrlIsInvalidUrl) {
  v1::RecordCrossReferenceRequest r =
      CrossRef(v1::CROSS_REFERENCE_KIND_FORCE_DEVELOPMENT_PLAN);
  r.mutable_cross_reference()->set_url("not a url");
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "INVALID_URL");
}

TEST_F(RulesTest, DuplicateCrossReferenceIdIsIdExists) {
  v1::RecordCrossReferenceRequest r =
      CrossRef(v1::CROSS_REFERENCE_KIND_FORCE_DEVELOPMENT_PLAN);
  r.mutable_cross_reference()->set_reference_id("fdp-3");
  ASSERT_OK(Run("police", r));
  v1::RecordCrossReferenceRequest again =
      CrossRef(v1::CROSS_REFERENCE_KIND_OTHER);
  again.mutable_cross_reference()->set_reference_id("fdp-3");
  EXPECT_ERROR(Run("police", again), Code::kAlreadyExists, "ID_EXISTS");
}

// --------------------------------------------------------- close, reopen

TEST_F(RulesTest, ClosingARecommendationMarksItClosed) {
  absl::StatusOr<Decision> d = Run("opcc", CloseRec(1));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "recommendation-r-1");
  EXPECT_TRUE(Rec(1).closed);
}

TEST_F(RulesTest, ClosingTwiceIsRecommendationClosed) {
  ASSERT_OK(Run("opcc", CloseRec(1)));
  EXPECT_ERROR(Run("opcc", CloseRec(1)), Code::kFailedPrecondition,
               "RECOMMENDATION_CLOSED");
}

TEST_F(RulesTest, ReopeningAnOpenRecommendationIsRecommendationOpen) {
  EXPECT_ERROR(Run("opcc", ReopenRec(1)), Code::kFailedPrecondition,
               "RECOMMENDATION_OPEN");
}

TEST_F(RulesTest, UpdatesAreAcceptedAgainAfterReopening) {
  ASSERT_OK(Run("opcc", CloseRec(1)));
  ASSERT_ERROR(Run("police", SubmitUpdate()), Code::kFailedPrecondition,
               "RECOMMENDATION_CLOSED");
  ASSERT_OK(Run("opcc", ReopenRec(1)));
  EXPECT_FALSE(Rec(1).closed);
  EXPECT_OK(Run("police", SubmitUpdate()));
}

TEST_F(RulesTest, ClosingOrReopeningWithoutDecidedByIsMissingField) {
  v1::CloseRecommendationRequest close = CloseRec(1);
  close.mutable_closure()->clear_decided_by();
  EXPECT_ERROR(Run("opcc", close), Code::kInvalidArgument, "MISSING_FIELD");
  close.mutable_closure()->set_decided_by("   ");
  EXPECT_ERROR(Run("opcc", close), Code::kInvalidArgument, "MISSING_FIELD");

  ASSERT_OK(Run("opcc", CloseRec(1)));
  v1::ReopenRecommendationRequest reopen = ReopenRec(1);
  reopen.mutable_reopening()->clear_decided_by();
  EXPECT_ERROR(Run("opcc", reopen), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(RulesTest, ClosingOrReopeningByTheForceIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", CloseRec(1)), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
  ASSERT_OK(Run("opcc", CloseRec(1)));
  EXPECT_ERROR(Run("police", ReopenRec(1)), Code::kPermissionDenied,
               "REVIEWING_BODY_ONLY");
}

TEST_F(RulesTest, ClosingAnUnknownRecommendationIsRecommendationNotFound) {
  EXPECT_ERROR(Run("opcc", CloseRec(7)), Code::kNotFound,
               "RECOMMENDATION_NOT_FOUND");
}

TEST_F(RulesTest, RecommendationOwnedByThePanelIsAgencyKindMismatch) {
  EXPECT_ERROR(Run("opcc", IssueRec(7, "panel", {})), Code::kInvalidArgument,
               "AGENCY_KIND_MISMATCH");
}

TEST_F(RulesTest, AuditorContributingIsAgencyKindMismatch) {
  EXPECT_ERROR(Run("opcc", IssueRec(7, "police", {"auditor"})),
               Code::kInvalidArgument, "AGENCY_KIND_MISMATCH");
}

TEST_F(RulesTest, ReviewingBodyMayOwnItsOwnRecommendation) {
  EXPECT_OK(Run("opcc", IssueRec(18, "opcc", {})));
}

}  // namespace
}  // namespace oversight::projections
