#include "projections/need_to_know.h"

#include <algorithm>
#include <utility>

namespace oversight::projections {

bool IsSensitive(const v1::DomainEvent& event) {
  return event.classification() != v1::CLASSIFICATION_OFFICIAL;
}

bool MayRead(const Reader& reader, const v1::DomainEvent& event) {
  if (!IsSensitive(event)) return true;
  if (!reader.justified) return false;
  if (reader.entitled_to_all) return true;
  return !reader.agency_id.empty() &&
         reader.agency_id == event.actor().agency_id();
}

ForReader FilterForReader(std::vector<RecordedDomainEvent> events,
                          const Reader& reader) {
  ForReader out;
  out.events.reserve(events.size());
  for (RecordedDomainEvent& e : events) {
    if (!IsSensitive(e.event)) {
      out.events.push_back(std::move(e));
    } else if (MayRead(reader, e.event)) {
      out.consulted.push_back(e.position);
      out.events.push_back(std::move(e));
    } else {
      ++out.withheld;
    }
  }
  std::sort(out.consulted.begin(), out.consulted.end());
  out.consulted.erase(std::unique(out.consulted.begin(), out.consulted.end()),
                      out.consulted.end());
  return out;
}

v1::DomainEvent WithheldEnvelope(const v1::DomainEvent& event) {
  v1::DomainEvent out;
  *out.mutable_occurred_at() = event.occurred_at();
  out.set_classification(event.classification());
  out.mutable_actor()->set_agency_id(event.actor().agency_id());
  return out;
}

bool HasSensitive(const v1::ProjectionState& state, absl::string_view key) {
  auto it = state.sensitive().find(std::string(key));
  return it != state.sensitive().end() && it->second.positions_size() > 0;
}

}  // namespace oversight::projections
