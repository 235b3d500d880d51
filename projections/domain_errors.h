// Stable reasons for the domain's errors, and the constructors that attach
// them.
//
// Every rule a command can break has one canonical status code and one
// reason here; the gRPC edge sends the reason in the `oversight-reason`
// trailer (services/status_mapping.h). Reasons never change meaning once
// published. docs/events.md lists which command raises which.
//
// Example:
//   return NotFound(kReasonReviewNotFound,
//                   absl::StrCat("review \"", id, "\" does not exist"));

#ifndef OVERSIGHT_PROJECTIONS_DOMAIN_ERRORS_H_
#define OVERSIGHT_PROJECTIONS_DOMAIN_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace oversight::projections {

// INVALID_ARGUMENT: the request is malformed, whatever the state.
inline constexpr absl::string_view kReasonMalformedRequest =
    "MALFORMED_REQUEST";
inline constexpr absl::string_view kReasonMissingField = "MISSING_FIELD";
inline constexpr absl::string_view kReasonInvalidId = "INVALID_ID";
inline constexpr absl::string_view kReasonInvalidRequestId =
    "INVALID_REQUEST_ID";
inline constexpr absl::string_view kReasonInvalidText = "INVALID_TEXT";
inline constexpr absl::string_view kReasonTextTooLong = "TEXT_TOO_LONG";
inline constexpr absl::string_view kReasonTooManyBullets = "TOO_MANY_BULLETS";
inline constexpr absl::string_view kReasonTooManyItems = "TOO_MANY_ITEMS";
inline constexpr absl::string_view kReasonInvalidDate = "INVALID_DATE";
inline constexpr absl::string_view kReasonDateInFuture = "DATE_IN_FUTURE";
inline constexpr absl::string_view kReasonInvalidPeriod = "INVALID_PERIOD";
inline constexpr absl::string_view kReasonInvalidQuarter = "INVALID_QUARTER";
inline constexpr absl::string_view kReasonInvalidUrl = "INVALID_URL";
inline constexpr absl::string_view kReasonInvalidSha256 = "INVALID_SHA256";
inline constexpr absl::string_view kReasonInvalidEnum = "INVALID_ENUM_VALUE";
inline constexpr absl::string_view kReasonInvalidNumber = "INVALID_NUMBER";
// A log position past the log's head (PublishReport's rendered_position).
inline constexpr absl::string_view kReasonPositionPastHead =
    "POSITION_PAST_HEAD";
inline constexpr absl::string_view kReasonInvalidTimestamp =
    "INVALID_TIMESTAMP";
inline constexpr absl::string_view kReasonOccurredInFuture =
    "OCCURRED_IN_FUTURE";
inline constexpr absl::string_view kReasonDuplicateValue = "DUPLICATE_VALUE";
inline constexpr absl::string_view kReasonFieldNotAllowed = "FIELD_NOT_ALLOWED";
// An agency named for a role its kind cannot take (a panel owning a
// recommendation, a force running a partner's programme).
inline constexpr absl::string_view kReasonAgencyKindMismatch =
    "AGENCY_KIND_MISMATCH";

// PERMISSION_DENIED: the acting agency may not record this.
inline constexpr absl::string_view kReasonAgencyNotRegistered =
    "AGENCY_NOT_REGISTERED";
inline constexpr absl::string_view kReasonReviewingBodyOnly =
    "REVIEWING_BODY_ONLY";
inline constexpr absl::string_view kReasonNotOwningAgency = "NOT_OWNING_AGENCY";
inline constexpr absl::string_view kReasonNotSubmittingAgency =
    "NOT_SUBMITTING_AGENCY";
inline constexpr absl::string_view kReasonProgrammeOwnerOnly =
    "PROGRAMME_OWNER_ONLY";
inline constexpr absl::string_view kReasonNotRiskOwner = "NOT_RISK_OWNER";

// NOT_FOUND: something the command names does not exist.
inline constexpr absl::string_view kReasonAgencyNotFound = "AGENCY_NOT_FOUND";
inline constexpr absl::string_view kReasonReviewNotFound = "REVIEW_NOT_FOUND";
inline constexpr absl::string_view kReasonRecommendationNotFound =
    "RECOMMENDATION_NOT_FOUND";
inline constexpr absl::string_view kReasonPeriodNotFound = "PERIOD_NOT_FOUND";
inline constexpr absl::string_view kReasonThemeNotFound = "THEME_NOT_FOUND";
inline constexpr absl::string_view kReasonUpdateNotFound = "UPDATE_NOT_FOUND";
inline constexpr absl::string_view kReasonActivityNotFound =
    "ACTIVITY_NOT_FOUND";
inline constexpr absl::string_view kReasonRiskNotFound = "RISK_NOT_FOUND";
// No ReportPublished matches what VerifyReport asked for.
inline constexpr absl::string_view kReasonReportNotPublished =
    "REPORT_NOT_PUBLISHED";
inline constexpr absl::string_view kReasonProgrammeNotFound =
    "PROGRAMME_NOT_FOUND";

// ALREADY_EXISTS: the identifier is taken.
inline constexpr absl::string_view kReasonAgencyExists = "AGENCY_EXISTS";
inline constexpr absl::string_view kReasonReviewExists = "REVIEW_EXISTS";
inline constexpr absl::string_view kReasonRecommendationExists =
    "RECOMMENDATION_EXISTS";
inline constexpr absl::string_view kReasonPeriodExists = "PERIOD_EXISTS";
inline constexpr absl::string_view kReasonProgrammeExists = "PROGRAMME_EXISTS";
inline constexpr absl::string_view kReasonPartnerReportExists =
    "PARTNER_REPORT_EXISTS";
inline constexpr absl::string_view kReasonIdExists = "ID_EXISTS";
inline constexpr absl::string_view kReasonRequestIdReused = "REQUEST_ID_REUSED";

// FAILED_PRECONDITION: not allowed until the state changes.
inline constexpr absl::string_view kReasonPeriodNotOpen = "PERIOD_NOT_OPEN";
inline constexpr absl::string_view kReasonRecommendationClosed =
    "RECOMMENDATION_CLOSED";
inline constexpr absl::string_view kReasonRecommendationOpen =
    "RECOMMENDATION_OPEN";
inline constexpr absl::string_view kReasonUpdateWithdrawn = "UPDATE_WITHDRAWN";
inline constexpr absl::string_view kReasonActivityCompleted =
    "ACTIVITY_COMPLETED";
inline constexpr absl::string_view kReasonRiskResolved = "RISK_RESOLVED";

// UNIMPLEMENTED: this server cannot render reports (PublishReport).
inline constexpr absl::string_view kReasonReportsUnavailable =
    "REPORTS_UNAVAILABLE";

// INTERNAL: a domain stream holds something that is not a domain event.
inline constexpr absl::string_view kReasonCorruptDomainEvent =
    "CORRUPT_DOMAIN_EVENT";

// Statuses with the code named and `reason` attached.
absl::Status InvalidArgument(absl::string_view reason,
                             absl::string_view message);
absl::Status PermissionDenied(absl::string_view reason,
                              absl::string_view message);
absl::Status NotFound(absl::string_view reason, absl::string_view message);
absl::Status AlreadyExists(absl::string_view reason, absl::string_view message);
absl::Status FailedPrecondition(absl::string_view reason,
                                absl::string_view message);
absl::Status Unimplemented(absl::string_view reason, absl::string_view message);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_DOMAIN_ERRORS_H_
