#include "services/disclosure.h"

#include <optional>
#include <utility>

#include "projections/aggregates.h"
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
  if (caller.role == Role::kForce || caller.role == Role::kPartner ||
      caller.role == Role::kReviewingBody) {
    reader.agency_id = caller.authenticated_agency_id;
  }
  reader.entitled_to_all = EntitledToAllSensitive(caller.role);
  reader.justified = justified;
  return reader;
}

bool ToProtoForReader(const Reading& reading, eventstore::RecordedEvent&& event,
                      v1::RecordedEvent* out) {
  const pj::Reader& reader = reading.reader;
  bool withhold = false;
  bool sensitive = false;
  if (pj::IsDomainStream(event.stream)) {
    // The envelope alone says the classification: a payload this build
    // does not know still has one. A record that does not parse at all is
    // taken as sensitive.
    v1::DomainEvent envelope;
    if (!envelope.ParseFromString(event.data)) {
      sensitive = true;
      withhold = !(reader.entitled_to_all && reader.justified);
    } else if (pj::IsSensitive(envelope)) {
      sensitive = true;
      withhold = !pj::MayRead(reader, envelope);
    }
  } else if (event.stream == kAccessLogStream) {
    // Its justifications and queries are for auditors.
    withhold = reading.caller.role != Role::kAuditor;
  }
  if (withhold) {
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
