// CallGate: the one place every call of oversight.v1.Commands, Queries and
// EventStore goes through before its handler does anything else: it
// identifies the caller (IdentityProvider) and authorises the call
// against the table of role × RPC (authorization.h).
//
// Why in the handlers and not before them: gRPC C++ 1.51's server
// interceptors cannot refuse a call (grpc/grpc#24017), and an
// AuthMetadataProcessor does not run on the insecure servers the tests
// use. So each handler's first statement is Admit, before it reads its
// request, waits for a position or touches the log; a streaming RPC is
// refused before its stream starts.
//
// Example:
//   absl::StatusOr<Caller> caller = gate->Admit(
//       *context, RpcName<v1::Queries, v1::GetStatusBoardRequest>());
//   if (!caller.ok()) { reactor->Finish(ToGrpcStatus(caller.status(),
//                                                    context)); ... }

#ifndef OVERSIGHT_SERVICES_CALL_GATE_H_
#define OVERSIGHT_SERVICES_CALL_GATE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "services/identity.h"

namespace oversight::services {

class CallGate {
 public:
  explicit CallGate(std::unique_ptr<IdentityProvider> identity)
      : identity_(std::move(identity)) {}

  // Who makes this call of `method` (a full gRPC name, authorization.h's
  // RpcName), if they may make it: the identity's refusals
  // (UNAUTHENTICATED, or ON_BEHALF_OF_* for `oversight-on-behalf-of`),
  // then the table's (PERMISSION_DENIED, ROLE_NOT_ALLOWED).
  [[nodiscard]] absl::StatusOr<Caller> Admit(
      const grpc::ServerContextBase& context, absl::string_view method) const;

 private:
  const std::unique_ptr<IdentityProvider> identity_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_CALL_GATE_H_
