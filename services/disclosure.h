// Need-to-know at the edge (docs/security.md): the reader a call reads as,
// and raw log records as that reader may see them. The rule itself is
// projections/need_to_know.h; the record of what was read is
// access_log.h.
//
// Example:
//   pj::Reader reader = ReaderOf(caller, !justification.empty());
//   bool consulted = ToProtoForReader(reader, std::move(record), &out);

#ifndef OVERSIGHT_SERVICES_DISCLOSURE_H_
#define OVERSIGHT_SERVICES_DISCLOSURE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/types.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.pb.h"
#include "projections/need_to_know.h"
#include "services/call_gate.h"
#include "services/identity.h"

namespace oversight::services {

// Who reads, and what they may read.
struct Reading {
  Caller caller;
  std::string justification;  // "" when the call gives none
  projections::Reader reader;
};

// Who makes this call of `method`, if they may (CallGate::Admit), with the
// justification it gives (access_log.h's JustificationOf: INVALID_ARGUMENT
// JUSTIFICATION_INVALID for one that breaks its rules) and the reader it
// reads as.
[[nodiscard]] absl::StatusOr<Reading> AdmitReading(
    const CallGate& gate, const grpc::ServerContextBase& context,
    absl::string_view method);

// Whether `role` reads every OFFICIAL-SENSITIVE event (with a
// justification): the reviewing body and auditors.
bool EntitledToAllSensitive(Role role);

// The reader `caller` reads as: whether its role is entitled to all
// sensitive content, whether the call gave a justification, and, for an
// agency's own roles (force, partner, reviewing body), its authenticated
// agency, whose own sensitive events it may read. The panel, auditors,
// importers and the operator read no agency's events as their own.
projections::Reader ReaderOf(const Caller& caller, bool justified);

// `event` as `reading` may see it: as recorded, or with `withheld` set and
// no data or metadata (position, stream, type and hash stay, so the chain
// still shows where it is) when it is
//  - an OFFICIAL-SENSITIVE domain event the reader may not read,
//  - a record of a domain stream that does not parse as a domain event
//    (its classification unknown) and the reader is not entitled to all
//    sensitive content with a justification, or
//  - an entry of the access log and the reader is not an auditor (its
//    justifications and queries are for auditors).
// Returns whether `out` carries sensitive content: a consultation for the
// access log.
bool ToProtoForReader(const Reading& reading, eventstore::RecordedEvent&& event,
                      v1::RecordedEvent* out);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_DISCLOSURE_H_
