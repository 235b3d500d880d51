// DecideCommand's common fields and envelope, the bootstrap and the
// registration of agencies, and the naming helpers of aggregates.h.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "projections/aggregates.h"
#include "projections/commands.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using testutil::EmptyWorldTest;
using testutil::RulesTest;
using testutil::Timestamp;
using Code = absl::StatusCode;

// ------------------------------------------------------------- bootstrap

TEST_F(EmptyWorldTest, FirstRegistrationIsAReviewingBodyRegisteringItself) {
  absl::StatusOr<Decision> d =
      Run("opcc", RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "agencies");
  EXPECT_EQ(d->expected_revision, std::nullopt);
  EXPECT_EQ(d->event.agency_registered().agency_id(), "opcc");
  EXPECT_EQ(Events("agencies").size(), 1u);
}

TEST_F(EmptyWorldTest, FirstRegistrationOfAnotherAgencyIsNotRegistered) {
  EXPECT_ERROR(Run("opcc", RegisterAgency("police", v1::AGENCY_KIND_FORCE)),
               Code::kPermissionDenied, "AGENCY_NOT_REGISTERED");
  EXPECT_ERROR(
      Run("opcc", RegisterAgency("other", v1::AGENCY_KIND_REVIEWING_BODY)),
      Code::kPermissionDenied, "AGENCY_NOT_REGISTERED");
  EXPECT_TRUE(Events("agencies").empty());
}

TEST_F(EmptyWorldTest, FirstRegistrationOfAForceItselfIsNotRegistered) {
  EXPECT_ERROR(Run("police", RegisterAgency("police", v1::AGENCY_KIND_FORCE)),
               Code::kPermissionDenied, "AGENCY_NOT_REGISTERED");
  EXPECT_ERROR(
      Run("partner", RegisterAgency("partner", v1::AGENCY_KIND_PARTNER)),
      Code::kPermissionDenied, "AGENCY_NOT_REGISTERED");
  EXPECT_TRUE(Events("agencies").empty());
}

TEST_F(EmptyWorldTest, CommandsBeforeAnyRegistrationAreNotRegistered) {
  EXPECT_ERROR(Run("opcc", OpenReview("r")), Code::kPermissionDenied,
               "AGENCY_NOT_REGISTERED");
}

TEST_F(EmptyWorldTest,
       FirstRecommendationStreamIsNewAndNamedByReviewAndNumber) {
  ASSERT_OK(
      Run("opcc", RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY)));
  ASSERT_OK(Run("opcc", RegisterAgency("police", v1::AGENCY_KIND_FORCE)));
  ASSERT_OK(Run("opcc", RegisterAgency("partner", v1::AGENCY_KIND_PARTNER)));
  ASSERT_OK(Run("opcc", OpenReview("r")));
  absl::StatusOr<Decision> d = Try("opcc", IssueRec(1));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "recommendation-r-1");
  EXPECT_EQ(d->expected_revision, std::nullopt);
  EXPECT_EQ(d->event.recommendation_issued().owning_agency_id(), "police");
}

// ------------------------------------------------------ registering agencies

TEST_F(RulesTest, ForceRegisteringAnAgencyIsReviewingBodyOnly) {
  EXPECT_ERROR(Run("police", RegisterAgency("other", v1::AGENCY_KIND_FORCE)),
               Code::kPermissionDenied, "REVIEWING_BODY_ONLY");
  EXPECT_ERROR(Run("partner", RegisterAgency("other", v1::AGENCY_KIND_PARTNER)),
               Code::kPermissionDenied, "REVIEWING_BODY_ONLY");
  EXPECT_ERROR(Run("panel", RegisterAgency("other", v1::AGENCY_KIND_PANEL)),
               Code::kPermissionDenied, "REVIEWING_BODY_ONLY");
}

TEST_F(RulesTest, UnregisteredActorRegisteringIsAgencyNotRegistered) {
  EXPECT_ERROR(Run("stranger",
                   RegisterAgency("stranger", v1::AGENCY_KIND_REVIEWING_BODY)),
               Code::kPermissionDenied, "AGENCY_NOT_REGISTERED");
}

TEST_F(RulesTest, DuplicateAgencyIsAgencyExists) {
  EXPECT_ERROR(Run("opcc", RegisterAgency("police", v1::AGENCY_KIND_FORCE)),
               Code::kAlreadyExists, "AGENCY_EXISTS");
  EXPECT_ERROR(
      Run("opcc", RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY)),
      Code::kAlreadyExists, "AGENCY_EXISTS");
}

TEST_F(RulesTest, AnotherReviewingBodyMayRegisterAgencies) {
  absl::StatusOr<Decision> d =
      Run("opcc", RegisterAgency("opcc2", v1::AGENCY_KIND_REVIEWING_BODY));
  ASSERT_OK(d);
  EXPECT_EQ(d->expected_revision, 4u);  // five agencies registered before
  EXPECT_OK(Run("opcc2", RegisterAgency("force2", v1::AGENCY_KIND_FORCE)));
  EXPECT_EQ(Events("agencies").size(), 7u);
}

TEST_F(RulesTest, RegisterAgencyChecksItsFields) {
  EXPECT_ERROR(Run("opcc", RegisterAgency("x", v1::AGENCY_KIND_UNSPECIFIED)),
               Code::kInvalidArgument, "INVALID_ENUM_VALUE");
  EXPECT_ERROR(Run("opcc", RegisterAgency("Bad_Id", v1::AGENCY_KIND_FORCE)),
               Code::kInvalidArgument, "INVALID_ID");
  v1::RegisterAgencyRequest nameless =
      RegisterAgency("nameless", v1::AGENCY_KIND_FORCE);
  nameless.mutable_agency()->clear_name();
  EXPECT_ERROR(Run("opcc", nameless), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(RulesTest, UnregisteredActorIsRefusedEveryCommand) {
  EXPECT_ERROR(Run("stranger", SubmitUpdate()), Code::kPermissionDenied,
               "AGENCY_NOT_REGISTERED");
  EXPECT_ERROR(Run("stranger", Rate(v1::RATING_RED)), Code::kPermissionDenied,
               "AGENCY_NOT_REGISTERED");
  EXPECT_ERROR(Run("stranger", Risk()), Code::kPermissionDenied,
               "AGENCY_NOT_REGISTERED");
  EXPECT_ERROR(Run("stranger", OpenPeriod("2025-02")), Code::kPermissionDenied,
               "AGENCY_NOT_REGISTERED");
  EXPECT_ERROR(Run("stranger", Report("isac", "2025-Q1")),
               Code::kPermissionDenied, "AGENCY_NOT_REGISTERED");
}

// ----------------------------------------------------------- common fields

TEST_F(RulesTest, EmptyRequestIdIsMissingField) {
  v1::AssignRatingRequest r = Rate(v1::RATING_RED);
  r.clear_request_id();
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "MISSING_FIELD");
}

TEST_F(RulesTest, MalformedRequestIdIsInvalidRequestId) {
  v1::AssignRatingRequest r = Rate(v1::RATING_RED);
  r.set_request_id("bad id!");
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_REQUEST_ID");
}

TEST_F(RulesTest, UnspecifiedClassificationIsInvalidEnumValue) {
  v1::AssignRatingRequest r = Rate(v1::RATING_RED);
  r.set_classification(v1::CLASSIFICATION_UNSPECIFIED);
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_ENUM_VALUE");
  r.set_classification(static_cast<v1::Classification>(7));
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_ENUM_VALUE");
}

TEST_F(RulesTest, UnsetOccurredAtIsTheContextsNow) {
  absl::StatusOr<Decision> d = Run("opcc", Rate(v1::RATING_RED));
  ASSERT_OK(d);
  EXPECT_EQ(d->event.occurred_at().seconds(), absl::ToUnixSeconds(now_));
  EXPECT_EQ(d->event.occurred_at().nanos(), 0);
}

TEST_F(RulesTest, OccurredAtAnHourAheadIsOccurredInFuture) {
  v1::AssignRatingRequest r = Rate(v1::RATING_RED);
  *r.mutable_occurred_at() = Timestamp(now_ + absl::Hours(1));
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "OCCURRED_IN_FUTURE");
}

TEST_F(RulesTest, OccurredAtWithNanosOutOfRangeIsInvalidTimestamp) {
  v1::AssignRatingRequest r = Rate(v1::RATING_RED);
  r.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(now_) - 60);
  r.mutable_occurred_at()->set_nanos(1000000000);
  EXPECT_ERROR(Run("opcc", r), Code::kInvalidArgument, "INVALID_TIMESTAMP");
}

TEST_F(RulesTest, PastOccurredAtIsCopiedToTheEventExactly) {
  v1::AssignRatingRequest r = Rate(v1::RATING_AMBER);
  r.mutable_occurred_at()->set_seconds(1709294400);  // 2024-03-01T12:00Z
  r.mutable_occurred_at()->set_nanos(123456789);
  absl::StatusOr<Decision> d = Run("opcc", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->event.occurred_at().seconds(), 1709294400);
  EXPECT_EQ(d->event.occurred_at().nanos(), 123456789);
}

TEST_F(RulesTest, OccurredAtBeforeTheEpochWithNanosIsCopiedExactly) {
  // A historical import of 1969-12-31T23:59:59.5Z.
  v1::AssignRatingRequest r = Rate(v1::RATING_AMBER);
  r.mutable_occurred_at()->set_seconds(-1);
  r.mutable_occurred_at()->set_nanos(500000000);
  absl::StatusOr<Decision> d = Run("opcc", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->event.occurred_at().seconds(), -1);
  EXPECT_EQ(d->event.occurred_at().nanos(), 500000000);
}

TEST_F(RulesTest, EnvelopeCarriesActorRequestIdAndClassification) {
  v1::AssignRatingRequest r = Rate(v1::RATING_GREEN);
  r.set_request_id("import:rating-0001");
  r.set_classification(v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
  absl::StatusOr<Decision> d = Run("opcc", r);
  ASSERT_OK(d);
  EXPECT_EQ(d->event.actor().agency_id(), "opcc");
  EXPECT_EQ(d->event.actor().person(), "tester");
  EXPECT_EQ(d->event.request_id(), "import:rating-0001");
  EXPECT_EQ(d->event.classification(), v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
  EXPECT_TRUE(d->event.request_sha256().empty());  // the caller's to fill
  EXPECT_EQ(d->event.rating_assigned().rating(), v1::RATING_GREEN);
}

TEST_F(RulesTest, DecisionIsTakenAtTheStreamsCurrentRevision) {
  // review-r holds ReviewOpened and ReportingPeriodOpened.
  absl::StatusOr<Decision> d = Try("opcc", OpenPeriod("2025-02"));
  ASSERT_OK(d);
  EXPECT_EQ(d->stream, "review-r");
  EXPECT_EQ(d->expected_revision, 1u);
  // recommendation-r-1 holds RecommendationIssued.
  absl::StatusOr<Decision> u = Try("police", SubmitUpdate());
  ASSERT_OK(u);
  EXPECT_EQ(u->stream, "recommendation-r-1");
  EXPECT_EQ(u->expected_revision, 0u);
}

TEST_F(RulesTest, SourceReadErrorIsPassedThrough) {
  source_.FailReads(absl::UnavailableError("disk on fire"));
  absl::StatusOr<Decision> d = Try("police", SubmitUpdate());
  EXPECT_EQ(d.status().code(), Code::kUnavailable);
  EXPECT_EQ(d.status().message(), "disk on fire");
}

TEST_F(RulesTest, ShapeIsCheckedBeforeTheSourceIsRead) {
  source_.FailReads(absl::UnavailableError("disk on fire"));
  v1::SubmitProgressUpdateRequest r = SubmitUpdate();
  r.mutable_update()->clear_bullets();
  EXPECT_ERROR(Try("police", r), Code::kInvalidArgument, "MISSING_FIELD");
}

// --------------------------------------------------------------- naming

TEST_F(RulesTest, EventTypeNameIsTheQualifiedPayloadName) {
  absl::StatusOr<Decision> d = Run("opcc", Rate(v1::RATING_RED));
  ASSERT_OK(d);
  EXPECT_EQ(EventTypeName(d->event), "oversight.v1.RatingAssigned");
  EXPECT_EQ(EventTypeName(Events("agencies").front()),
            "oversight.v1.AgencyRegistered");
  EXPECT_EQ(EventTypeName(Events("review-r").back()),
            "oversight.v1.ReportingPeriodOpened");
  EXPECT_EQ(EventTypeName(v1::DomainEvent()), "");
}

TEST_F(RulesTest, EntityIdOfNamesWhatTheEventTouched) {
  EXPECT_EQ(EntityIdOf(Events("agencies")[1]), "police");
  EXPECT_EQ(EntityIdOf(Events("review-r")[0]), "r");
  EXPECT_EQ(EntityIdOf(Events("review-r")[1]), "2025-01");
  EXPECT_EQ(EntityIdOf(Events("recommendation-r-1")[0]), "1");

  v1::SubmitProgressUpdateRequest u = SubmitUpdate();
  u.mutable_update()->set_update_id("u-42");
  absl::StatusOr<Decision> update = Run("police", u);
  ASSERT_OK(update);
  EXPECT_EQ(EntityIdOf(update->event), "u-42");

  absl::StatusOr<Decision> rating = Run("opcc", Rate(v1::RATING_RED));
  ASSERT_OK(rating);
  EXPECT_EQ(EntityIdOf(rating->event), "2025-01");

  v1::RaiseRiskRequest risk = Risk();
  absl::StatusOr<Decision> raised = Run("police", risk);
  ASSERT_OK(raised);
  EXPECT_EQ(EntityIdOf(raised->event), risk.request_id());

  absl::StatusOr<Decision> closed = Run("opcc", CloseRec(1));
  ASSERT_OK(closed);
  EXPECT_EQ(EntityIdOf(closed->event), "1");

  EXPECT_EQ(EntityIdOf(v1::DomainEvent()), "");
}

TEST(StreamNamesTest, StreamsAreNamedByTheirAggregate) {
  EXPECT_EQ(ReviewStream("r"), "review-r");
  EXPECT_EQ(RecommendationStream("stalking-2024", 12),
            "recommendation-stalking-2024-12");
  EXPECT_EQ(ProgrammeStream("isac"), "programme-isac");
  EXPECT_STREQ(kAgenciesStream, "agencies");
}

}  // namespace
}  // namespace oversight::projections
