// Progress updates and their corrections and withdrawals
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

v1::Link Evidence(absl::string_view url, absl::string_view sha256 = "") {
  v1::Link link;
  *link.mutable_title() = Text("Evidence");
  link.set_url(std::string(url));
  link.set_sha256(std::string(sha256));
  return link;
}

// ------------------------------------------------------------ submitting

TEST_F(RulesTest, UpdateByTheOwnerIsAccepted) {
  absl::StatusOr<Decision> d = Run("police", SubmitUpdate());
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "recommendation-r-1");
  EXPECT_EQ(d->expected_revision, 0u);
  EXPECT_EQ(d->event.progress_update_submitted().agency_id(), "police");
}

TEST_F(RulesTest, UpdateByAContributorIsAccepted) {
  absl::StatusOr<Decision> d = Run("partner", SubmitUpdate());
  ASSERT_OK(d);
  EXPECT_EQ(d->event.progress_update_submitted().agency_id(), "partner");
}

TEST_F(RulesTest, UpdateByAnotherAgencyIsNotOwningAgency) {
  EXPECT_ERROR(Run("panel", SubmitUpdate()), Code::kPermissionDenied,
               "NOT_OWNING_AGENCY");
  EXPECT_ERROR(Run("auditor", SubmitUpdate()), Code::kPermissionDenied,
               "NOT_OWNING_AGENCY");
  EXPECT_ERROR(Run("opcc", SubmitUpdate()), Code::kPermissionDenied,
               "NOT_OWNING_AGENCY");
  EXPECT_TRUE(Rec(1).updates.empty());
}

TEST_F(RulesTest, UpdateNamingAnotherAgencyIsNotOwningAgency) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->set_agency_id("partner");
  EXPECT_ERROR(Run("police", r), Code::kPermissionDenied, "NOT_OWNING_AGENCY");
  r.mutable_update()->set_agency_id("police");
  EXPECT_OK(Run("police", r));
}

TEST_F(RulesTest, UpdateEventAgencyIsTheActor) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->clear_agency_id();
  ASSERT_OK(Run("partner", r));
  const RecommendationState rec = Rec(1);
  ASSERT_TRUE(rec.updates.contains(r.request_id()));
  EXPECT_EQ(rec.updates.at(r.request_id()).agency_id, "partner");
  EXPECT_EQ(Events("recommendation-r-1")
                .back()
                .progress_update_submitted()
                .agency_id(),
            "partner");
}

TEST_F(RulesTest, UpdateForAnUnopenedPeriodIsPeriodNotFound) {
  EXPECT_ERROR(Run("police", SubmitUpdate(1, "2025-02")), Code::kNotFound,
               "PERIOD_NOT_FOUND");
}

TEST_F(RulesTest, UpdateForClosedPeriodIsFailedPrecondition) {
  ASSERT_OK(Run("opcc", ClosePeriod("2025-01")));
  EXPECT_ERROR(Run("police", SubmitUpdate()), Code::kFailedPrecondition,
               "PERIOD_NOT_OPEN");
}

TEST_F(RulesTest, UpdateForAClosedRecommendationIsRecommendationClosed) {
  ASSERT_OK(Run("opcc", CloseRec(1)));
  EXPECT_ERROR(Run("police", SubmitUpdate()), Code::kFailedPrecondition,
               "RECOMMENDATION_CLOSED");
}

TEST_F(RulesTest, UpdateForAnUnknownRecommendationIsRecommendationNotFound) {
  EXPECT_ERROR(Run("police", SubmitUpdate(7)), Code::kNotFound,
               "RECOMMENDATION_NOT_FOUND");
}

TEST_F(RulesTest, UpdateForAnUnknownReviewIsReviewNotFound) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->set_review_id("nope");
  EXPECT_ERROR(Run("police", r), Code::kNotFound, "REVIEW_NOT_FOUND");
}

TEST_F(RulesTest, UpdateWithBadPeriodLabelIsInvalidPeriod) {
  EXPECT_ERROR(Run("police", SubmitUpdate(1, "January")),
               Code::kInvalidArgument, "INVALID_PERIOD");
}

TEST_F(RulesTest, UpdateWithFiftyBulletsIsAccepted) {
  EXPECT_OK(Run("police", SubmitUpdate(1, "2025-01", 50)));
}

TEST_F(RulesTest, UpdateWith51BulletsIsTooManyBullets) {
  EXPECT_ERROR(Run("police", SubmitUpdate(1, "2025-01", 51)),
               Code::kInvalidArgument, "TOO_MANY_BULLETS");
  // 26 bullets with 25 sub-bullets in all: 51.
  v1::SubmitProgressUpdateRequest r = SubmitUpdate(1, "2025-01", 26);
  for (int i = 0; i < 25; ++i) {
    *r.mutable_update()->mutable_bullets(i)->add_sub_bullets() = Text("sub");
  }
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "TOO_MANY_BULLETS");
}

TEST_F(RulesTest, UpdateWith4001CharBulletIsTextTooLong) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->mutable_bullets(0)->mutable_text()->set_en(
      std::string(4001, 'x'));
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "TEXT_TOO_LONG");
}

TEST_F(RulesTest, UpdateWithoutBulletsIsMissingField) {
  EXPECT_ERROR(Run("police", SubmitUpdate(1, "2025-01", 0)),
               Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(RulesTest, UpdateWithInvalidUtf8InABulletIsInvalidText) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate(1, "2025-01", 2);
  r.mutable_update()->mutable_bullets(1)->mutable_text()->set_en(
      "Truncated \xE2\x82");
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "INVALID_TEXT");
}

TEST_F(RulesTest, UpdateWithBadEvidenceUrlIsInvalidUrl) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  *r.mutable_update()->add_evidence() = Evidence("file:///c/secret.docx");
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "INVALID_URL");
}

TEST_F(RulesTest, UpdateWithBadSha256IsInvalidSha256) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  *r.mutable_update()->add_evidence() =
      Evidence("https://example.org/plan.pdf", std::string(64, 'Z'));
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "INVALID_SHA256");
}

TEST_F(RulesTest, UpdateWithGoodEvidenceIsAccepted) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  *r.mutable_update()->add_evidence() =
      Evidence("https://example.org/plan.pdf", std::string(64, 'e'));
  EXPECT_OK(Run("police", r));
}

TEST_F(RulesTest, UpdateIdDefaultsToTheRequestId) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  absl::StatusOr<Decision> d = Run("police", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->event.progress_update_submitted().update_id(), r.request_id());
  EXPECT_TRUE(Rec(1).updates.contains(r.request_id()));
}

TEST_F(RulesTest, GivenUpdateIdIsKept) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->set_update_id("q1-police");
  absl::StatusOr<Decision> d = Run("police", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->event.progress_update_submitted().update_id(), "q1-police");
}

TEST_F(RulesTest, BadUpdateIdIsInvalidId) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->set_update_id("q1 police");
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "INVALID_ID");
}

TEST_F(RulesTest, DuplicateUpdateIdIsIdExists) {
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->set_update_id("q1");
  ASSERT_OK(Run("police", r));
  v1::SubmitProgressUpdateRequest again = SubmitUpdate();
  again.mutable_update()->set_update_id("q1");
  EXPECT_ERROR(Run("partner", again), Code::kAlreadyExists, "ID_EXISTS");
}

// ------------------------------------------------- corrections, withdrawals

class UpdateHistoryTest : public RulesTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(RulesTest::SetUp());
    v1::SubmitProgressUpdateRequest r = SubmitUpdate(1, "2025-01", 2);
    r.mutable_update()->set_update_id("u1");
    absl::StatusOr<Decision> d = Run("police", r);
    ASSERT_OK(d);
    submitted_ = d->event;
  }
  v1::DomainEvent submitted_;
};

TEST_F(UpdateHistoryTest, CorrectionByTheSubmittingAgencyIsAccepted) {
  absl::StatusOr<Decision> d = Run("police", Correct("u1"));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "recommendation-r-1");
  EXPECT_EQ(d->event.progress_update_corrected().update_id(), "u1");
}

TEST_F(UpdateHistoryTest, CorrectionByAnotherAgencyIsNotSubmittingAgency) {
  EXPECT_ERROR(Run("partner", Correct("u1")), Code::kPermissionDenied,
               "NOT_SUBMITTING_AGENCY");
  EXPECT_ERROR(Run("opcc", Correct("u1")), Code::kPermissionDenied,
               "NOT_SUBMITTING_AGENCY");
}

TEST_F(UpdateHistoryTest, WithdrawalByAnotherAgencyIsNotSubmittingAgency) {
  EXPECT_ERROR(Run("partner", Withdraw("u1")), Code::kPermissionDenied,
               "NOT_SUBMITTING_AGENCY");
  EXPECT_FALSE(Rec(1).updates.at("u1").withdrawn);
}

TEST_F(UpdateHistoryTest, CorrectingAnUnknownUpdateIsUpdateNotFound) {
  EXPECT_ERROR(Run("police", Correct("u2")), Code::kNotFound,
               "UPDATE_NOT_FOUND");
}

TEST_F(UpdateHistoryTest, WithdrawingAnUnknownUpdateIsUpdateNotFound) {
  EXPECT_ERROR(Run("police", Withdraw("u2")), Code::kNotFound,
               "UPDATE_NOT_FOUND");
}

TEST_F(UpdateHistoryTest, WithdrawingTwiceIsUpdateWithdrawn) {
  ASSERT_OK(Run("police", Withdraw("u1")));
  EXPECT_TRUE(Rec(1).updates.at("u1").withdrawn);
  EXPECT_ERROR(Run("police", Withdraw("u1")), Code::kFailedPrecondition,
               "UPDATE_WITHDRAWN");
}

TEST_F(UpdateHistoryTest, CorrectingAWithdrawnUpdateIsUpdateWithdrawn) {
  ASSERT_OK(Run("police", Withdraw("u1")));
  EXPECT_ERROR(Run("police", Correct("u1")), Code::kFailedPrecondition,
               "UPDATE_WITHDRAWN");
}

TEST_F(UpdateHistoryTest, CorrectionWithoutReasonIsMissingField) {
  v1::CorrectProgressUpdateRequest r = Correct("u1");
  r.mutable_correction()->clear_reason();
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(UpdateHistoryTest, CorrectionWithoutBulletsIsMissingField) {
  v1::CorrectProgressUpdateRequest r = Correct("u1");
  r.mutable_correction()->clear_bullets();
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(UpdateHistoryTest, CorrectionWith51BulletsIsTooManyBullets) {
  v1::CorrectProgressUpdateRequest r = Correct("u1");
  for (int i = 0; i < 50; ++i) {
    *r.mutable_correction()->add_bullets() = testutil::MakeBullet("more");
  }
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "TOO_MANY_BULLETS");
}

TEST_F(UpdateHistoryTest, WithdrawalWithoutReasonIsMissingField) {
  v1::WithdrawProgressUpdateRequest r = Withdraw("u1");
  r.mutable_withdrawal()->clear_reason();
  EXPECT_ERROR(Run("police", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(UpdateHistoryTest,
       HistoryKeepsTheOriginalUpdateAfterCorrectAndWithdraw) {
  ASSERT_OK(Run("police", Correct("u1")));
  ASSERT_OK(Run("police", Withdraw("u1")));
  const std::vector<v1::DomainEvent>& events = Events("recommendation-r-1");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].SerializeAsString(), submitted_.SerializeAsString());
  EXPECT_EQ(events[1].progress_update_submitted().bullets_size(), 2);
  EXPECT_EQ(events[1].progress_update_submitted().bullets(0).text().en(),
            "Progress 1");
  EXPECT_TRUE(events[2].has_progress_update_corrected());
  EXPECT_TRUE(events[3].has_progress_update_withdrawn());
}

}  // namespace
}  // namespace oversight::projections
