// The access log that the Data Protection Act 2018, s.62, requires: every
// consultation of OFFICIAL-SENSITIVE content and every disclosure (a
// report rendered, an export) is recorded as an AccessRecorded event
// (domain.proto) in the stream `access-log` of the log itself, so that it
// is as tamper-evident as everything else.
//
// The read path records first and answers after: when Record fails, the
// answer is not sent, and the caller gets Record's status (UNAVAILABLE
// when storage failed), so that nothing is disclosed without a record.
//
// Example (a sensitive read in a Queries handler):
//   ASSIGN_OR_RETURN(std::string justification, JustificationOf(*context));
//   Access access;
//   access.kind = v1::ACCESS_KIND_CONSULTATION;
//   access.method = "/oversight.v1.Queries/ListHistory";
//   access.query = AccessLog::QueryText(request);
//   access.positions = sensitive_positions_in_the_answer;
//   access.justification = justification;
//   ASSIGN_OR_RETURN(uint64_t recorded, access_log.Record(caller, access));
//   response->mutable_reflects()->set_access_recorded_position(recorded);
//   // ... only now send the answer.
//
// Auditors list the access log with ListAccessLog (Queries.ListAccessLog).

#ifndef OVERSIGHT_SERVICES_ACCESS_LOG_H_
#define OVERSIGHT_SERVICES_ACCESS_LOG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "eventstore/types.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/queries.pb.h"
#include "services/identity.h"
#include "services/query_support.h"

namespace oversight::services {

// The stream every AccessRecorded event goes to, and their event type.
inline constexpr char kAccessLogStream[] = "access-log";
inline constexpr char kAccessRecordedType[] = "oversight.v1.AccessRecorded";

// Why the caller reads: printable ASCII in `oversight-justification`, or
// UTF-8 in the binary header `oversight-justification-bin` (for Welsh).
inline constexpr char kJustificationMetadataKey[] = "oversight-justification";
inline constexpr char kJustificationBinMetadataKey[] =
    "oversight-justification-bin";
// At most this many bytes, as sent.
inline constexpr size_t kMaxJustificationBytes = 1000;

// INVALID_ARGUMENT: the justification metadata is given twice (both
// headers, or one twice), is over kMaxJustificationBytes, is not valid
// UTF-8, or holds a control character (newline and tab included).
inline constexpr char kReasonJustificationInvalid[] = "JUSTIFICATION_INVALID";

// A recorded query text longer than this is cut (QueryText).
inline constexpr size_t kMaxQueryTextBytes = 64 << 10;
// A disclosure names at most this many recipients, each plain text of 1
// to projections::kMaxNameChars characters.
inline constexpr int kMaxRecipients = 100;

// Page sizes of ListAccessLog.
inline constexpr int kMaxAccessLogPageSize = 500;
inline constexpr int kDefaultAccessLogPageSize = 50;

// The justification the call states, with surrounding white space
// (Unicode's) trimmed; "" when it states none (no header, or only white
// space). INVALID_ARGUMENT (JUSTIFICATION_INVALID) as above.
[[nodiscard]] absl::StatusOr<std::string> JustificationOf(
    const grpc::ServerContextBase& context);

// One access to record.
struct Access {
  // ACCESS_KIND_CONSULTATION or ACCESS_KIND_DISCLOSURE.
  v1::AccessKind kind = v1::ACCESS_KIND_UNSPECIFIED;
  // The RPC answered: "/oversight.v1.Queries/ListHistory".
  std::string method;
  // What was asked: AccessLog::QueryText(request).
  std::string query;
  // The log positions of the OFFICIAL-SENSITIVE events whose content the
  // answer carries, in any order; recorded sorted and without repeats.
  std::vector<uint64_t> positions;
  // JustificationOf(context): "" when none was given.
  std::string justification;
  // For a disclosure: to whom ("Police and Crime Panel"), as the request
  // names them.
  std::vector<std::string> recipients;
};

// Thread-safe when the clock is: Record may be called from any thread.
class AccessLog {
 public:
  // `log` must outlive this. `clock` gives the access's occurred_at.
  AccessLog(eventstore::EventLog* log, std::function<absl::Time()> clock);

  // Appends one AccessRecorded event for `access` by `caller` to
  // `access-log` (any expected revision) and returns its log position once
  // it is durable. The event: a DomainEvent with occurred_at = clock(),
  // CLASSIFICATION_OFFICIAL, actor = caller.actor (recorded_by_* of an
  // importer included), a fresh request_id, and the payload with role =
  // RoleName(caller.role); its event id is derived from the request id
  // (AccessEventId), a version-8 UUID, which raw appends may not use.
  //
  // Errors; on any, the caller must not send the answer, and may return
  // the status as it is:
  //  - UNAVAILABLE (the storage's reason, e.g. STORE_CLOSED or
  //    STORAGE_UNAVAILABLE): the log could not record it;
  //  - INVALID_ARGUMENT: what the request gave cannot be recorded
  //    (recipients not plain text, more than kMaxRecipients, a
  //    justification JustificationOf would refuse, an event over the log's
  //    size limit);
  //  - INTERNAL: misuse (no kind or method, a caller without an actor).
  [[nodiscard]] absl::StatusOr<uint64_t> Record(const Caller& caller,
                                                Access access) const;

  // What was asked: `request` in protobuf's JSON mapping (field names in
  // lowerCamelCase, fields in field-number order, defaults omitted), with
  // page_token, page_size and min_position cleared, so that every page of
  // one listing reads the same. The same request always gives the same
  // text. A request that JSON cannot render (a timestamp out of range) is
  // given in protobuf's text format instead. Longer than
  // kMaxQueryTextBytes: cut there, at a character boundary, and marked.
  static std::string QueryText(const google::protobuf::Message& request);

  // The event id of the access recorded with `request_id`: the first 16
  // bytes of SHA-256("oversight.v1 access\n" + request_id), as a version-8
  // UUID, like command ids but in a namespace of its own.
  static eventstore::EventId AccessEventId(absl::string_view request_id);

 private:
  eventstore::EventLog* const log_;
  const std::function<absl::Time()> clock_;
};

// Queries.ListAccessLog: the AccessRecorded events of `access-log` in log
// order, filtered by agency (the actor's agency or, for an importer, its
// own), person (the actor's), occurred_at in [from, to) and kind, one page
// of page_size (0: kDefaultAccessLogPageSize; 1 to kMaxAccessLogPageSize).
// The first page pins the log's head, which reflects.position gives; the
// page token carries it, so that every page of a listing answers for the
// same moment while new accesses are recorded. Events in `access-log`
// that are not AccessRecorded events with the id Record gives them are
// skipped. Examines at most 4,096 events per call, so a page may come
// back short with a token to go on.
//
// min_position is the handler's to wait for; the listing reads the log
// itself, not the read models.
//
// INVALID_ARGUMENT: page_size (INVALID_PAGE_SIZE); a page token not issued
// for these filters (INVALID_PAGE_TOKEN); agency_id not an agency id or
// person not plain text (the reasons of projections/validation.h); from or
// to not a valid timestamp (INVALID_TIMESTAMP); from after to
// (INVALID_RANGE); kind not an AccessKind (INVALID_ENUM_VALUE).
// UNAVAILABLE when the log cannot be read.
//
// Cost: a page locates its start in the stream by binary search (a few
// point reads), then reads the stream forwards in pages of up to 1,000
// events. The access log grows with sensitive reads, far slower than the
// log, so reading the stream rather than an index is enough.
[[nodiscard]] absl::Status ListAccessLog(
    eventstore::EventLog* log, const PageTokens& tokens,
    const v1::ListAccessLogRequest& request,
    v1::ListAccessLogResponse* response);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_ACCESS_LOG_H_
