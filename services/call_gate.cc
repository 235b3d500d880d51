#include "services/call_gate.h"

#include "services/authorization.h"

namespace oversight::services {

absl::StatusOr<Caller> CallGate::Admit(const grpc::ServerContextBase& context,
                                       absl::string_view method) const {
  absl::StatusOr<Caller> caller = identity_->IdentifyCaller(context);
  if (!caller.ok()) return caller.status();
  if (absl::Status s = Authorize(*caller, method); !s.ok()) return s;
  return caller;
}

}  // namespace oversight::services
