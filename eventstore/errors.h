// Stable, machine-readable reasons attached to the log's errors.
//
// Every error the event store returns is an absl::Status with the most
// specific canonical code and, as a payload, one of the reasons below. The
// gRPC edge copies the reason into the `oversight-reason` trailer, so
// clients can switch on it without parsing messages. Reasons never change
// meaning once published; new ones may be added.
//
// Example:
//   absl::Status s = WithReason(absl::AbortedError("..."),
//                               kReasonWrongExpectedRevision);
//   ReasonOf(s);  // "WRONG_EXPECTED_REVISION"

#ifndef OVERSIGHT_EVENTSTORE_ERRORS_H_
#define OVERSIGHT_EVENTSTORE_ERRORS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "eventstore/types.h"

namespace oversight::eventstore {

// INVALID_ARGUMENT
inline constexpr absl::string_view kReasonInvalidStreamName =
    "INVALID_STREAM_NAME";
inline constexpr absl::string_view kReasonMissingEventId = "MISSING_EVENT_ID";
inline constexpr absl::string_view kReasonInvalidEventId = "INVALID_EVENT_ID";
inline constexpr absl::string_view kReasonDuplicateEventIdInBatch =
    "DUPLICATE_EVENT_ID_IN_BATCH";
inline constexpr absl::string_view kReasonInvalidEventType =
    "INVALID_EVENT_TYPE";
inline constexpr absl::string_view kReasonEmptyBatch = "EMPTY_BATCH";
inline constexpr absl::string_view kReasonEventTooLarge = "EVENT_TOO_LARGE";
inline constexpr absl::string_view kReasonBatchTooLarge = "BATCH_TOO_LARGE";
inline constexpr absl::string_view kReasonTooManyEvents = "TOO_MANY_EVENTS";
inline constexpr absl::string_view kReasonInvalidRange = "INVALID_RANGE";
inline constexpr absl::string_view kReasonInvalidFilter = "INVALID_FILTER";
inline constexpr absl::string_view kReasonInvalidArgument = "INVALID_ARGUMENT";
// ABORTED
inline constexpr absl::string_view kReasonWrongExpectedRevision =
    "WRONG_EXPECTED_REVISION";
// NOT_FOUND
inline constexpr absl::string_view kReasonStreamNotFound = "STREAM_NOT_FOUND";
inline constexpr absl::string_view kReasonEventNotFound = "EVENT_NOT_FOUND";
// ALREADY_EXISTS
inline constexpr absl::string_view kReasonEventIdReused = "EVENT_ID_REUSED";
// DATA_LOSS
inline constexpr absl::string_view kReasonChainBroken = "CHAIN_BROKEN";
inline constexpr absl::string_view kReasonRecordCorrupt = "RECORD_CORRUPT";
// UNAVAILABLE
inline constexpr absl::string_view kReasonStorageUnavailable =
    "STORAGE_UNAVAILABLE";
inline constexpr absl::string_view kReasonStoreClosed = "STORE_CLOSED";
inline constexpr absl::string_view kReasonOverloaded = "OVERLOADED";
// CANCELLED / RESOURCE_EXHAUSTED (subscriptions)
inline constexpr absl::string_view kReasonSubscriptionClosed =
    "SUBSCRIPTION_CLOSED";

// Unavailable (STORE_CLOSED): the log has been closed.
absl::Status StoreClosedError();

// Returns `status` with `reason` attached. `status` must not be OK.
absl::Status WithReason(absl::Status status, absl::string_view reason);

// The reason attached to `status`, if any.
std::optional<std::string> ReasonOf(const absl::Status& status);

// An ABORTED status for an expected-revision mismatch, carrying the
// stream's current revision (nullopt: the stream does not exist).
absl::Status WrongExpectedRevision(absl::string_view stream,
                                   const ExpectedRevision& expected,
                                   std::optional<Revision> current);

// The current revision carried by a WrongExpectedRevision status:
// nullopt if there is none; an engaged optional holding nullopt when the
// stream does not exist.
std::optional<std::optional<Revision>> CurrentRevisionOf(
    const absl::Status& status);

}  // namespace oversight::eventstore

#endif  // OVERSIGHT_EVENTSTORE_ERRORS_H_
