// Need-to-know (docs/security.md): who may read the content of an
// OFFICIAL-SENSITIVE event. Pure, like the rest of projections/: the
// services decide who the reader is; this decides what the reader gets.
//
// An event is sensitive unless it is classified CLASSIFICATION_OFFICIAL
// (a missing classification is treated as sensitive). A sensitive event's
// content is readable only by a reader who gave a justification and who
// is either entitled to all sensitive content (the reviewing body, an
// auditor) or the agency that recorded it (the actor's agency; for an
// import, the agency it was recorded for). Everyone else gets the answer
// folded without it, as if it had never been recorded, and a count of
// what was left out; the history shows it as withheld.
//
// Example:
//   Reader reader{"paladin", /*entitled_to_all=*/false, /*justified=*/true};
//   ForReader visible = FilterForReader(std::move(events), reader);
//   for (const RecordedDomainEvent& e : visible.events) Apply(e, &state);
//   // visible.consulted: positions to record in the access log.

#ifndef OVERSIGHT_PROJECTIONS_NEED_TO_KNOW_H_
#define OVERSIGHT_PROJECTIONS_NEED_TO_KNOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "projections/read_model.h"

namespace oversight::projections {

struct Reader {
  // The reader's agency: its own sensitive events are readable to it.
  std::string agency_id;
  // The reviewing body and auditors read every sensitive event.
  bool entitled_to_all = false;
  // Whether the call gave a justification: without one, no sensitive
  // content is read, whoever asks.
  bool justified = false;
};

// Whether `event` is OFFICIAL-SENSITIVE (anything not classified OFFICIAL).
bool IsSensitive(const v1::DomainEvent& event);

// Whether `reader` may read the content of `event`.
bool MayRead(const Reader& reader, const v1::DomainEvent& event);

// What `reader` gets of `events`.
struct ForReader {
  // The events it may read, in the order given.
  std::vector<RecordedDomainEvent> events;
  // The positions of the sensitive events among them, ascending: the
  // consultation the access log records.
  std::vector<uint64_t> consulted;
  // How many sensitive events were left out.
  uint32_t withheld = 0;
};
ForReader FilterForReader(std::vector<RecordedDomainEvent> events,
                          const Reader& reader);

// What the history shows of an event whose content is withheld: when it
// occurred, its classification and the recording agency; no payload, no
// person, no request id.
v1::DomainEvent WithheldEnvelope(const v1::DomainEvent& event);

// Whether the state holds any sensitive event under the history key `key`
// (read_model.h). When none does, an answer about that subject from the
// live state discloses nothing sensitive to anyone.
bool HasSensitive(const v1::ProjectionState& state, absl::string_view key);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_NEED_TO_KNOW_H_
