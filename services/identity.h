// Who is calling: the one place that turns a call into an acting agency
// and person. Handlers ask an IdentityProvider and never look at
// credentials or metadata themselves, so certificate-based identity can
// replace the insecure test mode without touching them.
//
// Example:
//   std::unique_ptr<IdentityProvider> identity = NewMetadataIdentity();
//   absl::StatusOr<v1::Actor> actor = identity->Identify(*context);

#ifndef OVERSIGHT_SERVICES_IDENTITY_H_
#define OVERSIGHT_SERVICES_IDENTITY_H_

#include <memory>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::services {

// Call metadata read by the insecure test mode.
inline constexpr char kAgencyMetadataKey[] = "oversight-agency";
// The person or service acting: ASCII in `oversight-actor`, or UTF-8 in
// the binary header `oversight-actor-bin`.
inline constexpr char kActorMetadataKey[] = "oversight-actor";
inline constexpr char kActorBinMetadataKey[] = "oversight-actor-bin";

inline constexpr char kReasonIdentityMissing[] = "IDENTITY_MISSING";

class IdentityProvider {
 public:
  virtual ~IdentityProvider() = default;
  // The acting agency and person of the call, or UNAUTHENTICATED
  // (IDENTITY_MISSING) when the call carries no usable identity.
  [[nodiscard]] virtual absl::StatusOr<v1::Actor> Identify(
      const grpc::ServerContextBase& context) const = 0;
};

// Takes the identity from call metadata, unverified. For tests and local
// use only: the server accepts it only on a loopback address and only
// when started with --insecure_identity_from_metadata.
std::unique_ptr<IdentityProvider> NewMetadataIdentity();

// Refuses every call: the server has no way to identify callers.
std::unique_ptr<IdentityProvider> NewNoIdentity();

// Whether `host` (as in --listen) is a loopback address.
bool IsLoopbackHost(absl::string_view host);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_IDENTITY_H_
