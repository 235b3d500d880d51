// The bytes the log stores and the digests that name them, shared by
// everything that writes domain events (the command handlers, the access
// log, the benchmarks' log generator) and by the report seal.
//
// Example:
//   proposed.data = SerializeDeterministic(event);
//   std::string fingerprint = Sha256Of(proposed.data);  // 32 bytes

#ifndef OVERSIGHT_SERVICES_DIGEST_H_
#define OVERSIGHT_SERVICES_DIGEST_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace oversight::services {

// The SHA-256 of `bytes`: 32 bytes.
std::string Sha256Of(absl::string_view bytes);

// Protobuf's deterministic serialisation: the same message always gives
// the same bytes in this build, which fingerprints and stored events need.
std::string SerializeDeterministic(const google::protobuf::Message& m);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_DIGEST_H_
