// Partners' programmes and their quarterly reports
// (projections/decide_programme.cc).

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

// ------------------------------------------------------------- registering

TEST_F(RulesTest, ProgrammeRegisteredByThePartnerItselfIsAccepted) {
  absl::StatusOr<Decision> d = Run("partner", Programme("isac"));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "programme-isac");
  EXPECT_EQ(d->expected_revision, std::nullopt);
  const ProgrammeState p = Fold<ProgrammeState>(Events("programme-isac"));
  EXPECT_TRUE(p.exists);
  EXPECT_EQ(p.owning_agency_id, "partner");
}

TEST_F(RulesTest, ProgrammeRegisteredByTheReviewingBodyIsAccepted) {
  EXPECT_OK(Run("opcc", Programme("isac")));
}

TEST_F(RulesTest,
       ProgrammeRegisteredByTheForceForThePartnerIsProgrammeOwnerOnly) {
  EXPECT_ERROR(Run("police", Programme("isac")), Code::kPermissionDenied,
               "PROGRAMME_OWNER_ONLY");
  EXPECT_TRUE(Events("programme-isac").empty());
}

TEST_F(RulesTest, DuplicateProgrammeIsProgrammeExists) {
  ASSERT_OK(Run("partner", Programme("isac")));
  EXPECT_ERROR(Run("opcc", Programme("isac")), Code::kAlreadyExists,
               "PROGRAMME_EXISTS");
}

TEST_F(RulesTest, ProgrammeWithAnUnknownOwnerIsAgencyNotFound) {
  EXPECT_ERROR(Run("opcc", Programme("isac", "nobody")), Code::kNotFound,
               "AGENCY_NOT_FOUND");
}

TEST_F(RulesTest, ProgrammeOfAnUnknownReviewIsReviewNotFound) {
  v1::RegisterProgrammeRequest r = Programme("isac");
  r.mutable_programme()->set_review_id("nope");
  EXPECT_ERROR(Run("partner", r), Code::kNotFound, "REVIEW_NOT_FOUND");
}

TEST_F(RulesTest,
       ProgrammeWithAnUnknownRelatedRecommendationIsRecommendationNotFound) {
  v1::RegisterProgrammeRequest r = Programme("isac");
  r.mutable_programme()->add_related_recommendations(7);
  EXPECT_ERROR(Run("partner", r), Code::kNotFound, "RECOMMENDATION_NOT_FOUND");
}

TEST_F(RulesTest, ProgrammeStartedInTheFutureIsDateInFuture) {
  v1::RegisterProgrammeRequest r = Programme("isac");
  r.mutable_programme()->set_started_on("2025-07");
  EXPECT_ERROR(Run("partner", r), Code::kInvalidArgument, "DATE_IN_FUTURE");
}

TEST_F(RulesTest, ProgrammeWithBadIdIsInvalidId) {
  EXPECT_ERROR(Run("partner", Programme("ISAC pilot")), Code::kInvalidArgument,
               "INVALID_ID");
}

// ----------------------------------------------------------------- reports

class PartnerReportTest : public RulesTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(RulesTest::SetUp());
    // Registered by the reviewing body; still the partner's programme.
    ASSERT_OK(Run("opcc", Programme("isac")));
  }
};

TEST_F(PartnerReportTest, ReportByTheOwnerIsAccepted) {
  v1::SubmitPartnerReportRequest r = Report("isac", "2025-Q1");
  absl::StatusOr<Decision> d = Run("partner", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "programme-isac");
  EXPECT_EQ(d->expected_revision, 0u);
  EXPECT_EQ(d->event.partner_report_submitted().report_id(), r.request_id());
  EXPECT_TRUE(Fold<ProgrammeState>(Events("programme-isac"))
                  .quarters.contains("2025-Q1"));
}

TEST_F(PartnerReportTest, ReportByTheReviewingBodyIsProgrammeOwnerOnly) {
  EXPECT_ERROR(Run("opcc", Report("isac", "2025-Q1")), Code::kPermissionDenied,
               "PROGRAMME_OWNER_ONLY");
  EXPECT_ERROR(Run("police", Report("isac", "2025-Q1")),
               Code::kPermissionDenied, "PROGRAMME_OWNER_ONLY");
}

TEST_F(PartnerReportTest, SecondReportForTheSameQuarterIsPartnerReportExists) {
  ASSERT_OK(Run("partner", Report("isac", "2025-Q1")));
  EXPECT_ERROR(Run("partner", Report("isac", "2025-Q1")), Code::kAlreadyExists,
               "PARTNER_REPORT_EXISTS");
  EXPECT_OK(Run("partner", Report("isac", "2025-Q2")));
}

TEST_F(PartnerReportTest, DuplicateReportIdIsIdExists) {
  v1::SubmitPartnerReportRequest r = Report("isac", "2025-Q1");
  r.mutable_report()->set_report_id("report-1");
  ASSERT_OK(Run("partner", r));
  v1::SubmitPartnerReportRequest again = Report("isac", "2025-Q2");
  again.mutable_report()->set_report_id("report-1");
  EXPECT_ERROR(Run("partner", again), Code::kAlreadyExists, "ID_EXISTS");
}

TEST_F(PartnerReportTest, BadQuarterIsInvalidQuarter) {
  EXPECT_ERROR(Run("partner", Report("isac", "2024-Q5")),
               Code::kInvalidArgument, "INVALID_QUARTER");
  EXPECT_ERROR(Run("partner", Report("isac", "2024-03")),
               Code::kInvalidArgument, "INVALID_QUARTER");
}

TEST_F(PartnerReportTest, NegativeFigureIsInvalidNumber) {
  v1::SubmitPartnerReportRequest r = Report("isac", "2025-Q1");
  r.mutable_report()->mutable_figures(0)->set_value(-1);
  EXPECT_ERROR(Run("partner", r), Code::kInvalidArgument, "INVALID_NUMBER");
  r.mutable_report()->mutable_figures(0)->set_value(0);
  EXPECT_OK(Run("partner", r));
}

TEST_F(PartnerReportTest, DuplicateFigureKeyIsDuplicateValue) {
  v1::SubmitPartnerReportRequest r = Report("isac", "2025-Q1");
  v1::Figure& f = *r.mutable_report()->add_figures();
  f.set_key("victims_supported");
  f.set_value(2);
  *f.mutable_label() = Text("Again");
  EXPECT_ERROR(Run("partner", r), Code::kInvalidArgument, "DUPLICATE_VALUE");
}

TEST_F(PartnerReportTest, BadFigureKeyIsInvalidId) {
  v1::SubmitPartnerReportRequest r = Report("isac", "2025-Q1");
  r.mutable_report()->mutable_figures(0)->set_key("Victims-Supported");
  EXPECT_ERROR(Run("partner", r), Code::kInvalidArgument, "INVALID_ID");
}

TEST_F(PartnerReportTest, FigureWithoutLabelIsMissingField) {
  v1::SubmitPartnerReportRequest r = Report("isac", "2025-Q1");
  r.mutable_report()->mutable_figures(0)->clear_label();
  EXPECT_ERROR(Run("partner", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(PartnerReportTest, ReportWithNeitherFiguresNorNarrativeIsMissingField) {
  v1::SubmitPartnerReportRequest r = Report("isac", "2025-Q1");
  r.mutable_report()->clear_figures();
  r.mutable_report()->clear_narrative();
  EXPECT_ERROR(Run("partner", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(PartnerReportTest, ReportForAnUnknownProgrammeIsProgrammeNotFound) {
  EXPECT_ERROR(Run("partner", Report("no-such", "2025-Q1")), Code::kNotFound,
               "PROGRAMME_NOT_FOUND");
}

TEST_F(RulesTest, ProgrammeOwnedByAForceIsAgencyKindMismatch) {
  EXPECT_ERROR(Run("opcc", Programme("isac", "police")), Code::kInvalidArgument,
               "AGENCY_KIND_MISMATCH");
}

TEST_F(RulesTest, ProgrammeOwnedByThePanelIsAgencyKindMismatch) {
  EXPECT_ERROR(Run("opcc", Programme("isac", "panel")), Code::kInvalidArgument,
               "AGENCY_KIND_MISMATCH");
}

}  // namespace
}  // namespace oversight::projections
