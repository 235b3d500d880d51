#include "services/disclosure.h"

#include <optional>
#include <utility>

#include "projections/read_model.h"
#include "services/access_log.h"
#include "services/proto_convert.h"

namespace oversight::services {

namespace pj = ::oversight::projections;

absl::StatusOr<Reading> AdmitReading(const CallGate& gate,
                                     const grpc::ServerContextBase& context,
                                     absl::string_view method) {
  absl::StatusOr<Caller> caller = gate.Admit(context, method);
  if (!caller.ok()) return caller.status();
  absl::StatusOr<std::string> justification = JustificationOf(context);
  if (!justification.ok()) return justification.status();
  Reading reading;
  reading.reader = ReaderOf(*caller, !justification->empty());
  reading.caller = *std::move(caller);
  reading.justification = *std::move(justification);
  return reading;
}

bool EntitledToAllSensitive(Role role) {
  return role == Role::kReviewingBody || role == Role::kAuditor;
}

pj::Reader ReaderOf(const Caller& caller, bool justified) {
  pj::Reader reader;
  reader.agency_id = caller.actor.agency_id();
  reader.entitled_to_all = EntitledToAllSensitive(caller.role);
  reader.justified = justified;
  return reader;
}

bool ToProtoForReader(const pj::Reader& reader,
                      eventstore::RecordedEvent&& event,
                      v1::RecordedEvent* out) {
  // Only domain streams hold domain events; anything else (the access
  // log, an operator's raw streams) carries no classification.
  std::optional<pj::RecordedDomainEvent> domain = pj::ToDomainEvent(event);
  const bool sensitive = domain.has_value() && pj::IsSensitive(domain->event);
  if (sensitive && !pj::MayRead(reader, domain->event)) {
    event.data.clear();
    event.metadata.clear();
    ToProto(std::move(event), out);
    out->set_withheld(true);
    return false;
  }
  ToProto(std::move(event), out);
  return sensitive;
}

}  // namespace oversight::services
