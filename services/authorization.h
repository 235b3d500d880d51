// Who may call what: the one table of role × RPC (issue 6, written out in
// docs/security.md), and the check against it.
//
// The table has one row per method of oversight.v1.Commands, Queries,
// EventStore and Admin, keyed by its full gRPC name
// ("/oversight.v1.Commands/SubmitProgressUpdate"), naming the roles
// (identity.h) allowed to call it. A method without a row is allowed to
// nobody. The role decides whether a call may be made at all; what it may
// then do is for the domain rules, which judge the agency (only the owning
// agency submits its progress, only the reviewing body rates, ...).
// gRPC's own health and reflection services carry no data and are outside
// the table.
//
// Handlers do not call Authorize themselves: CallGate (call_gate.h)
// identifies the caller and authorises the call as every handler's first
// step.
//
// Example:
//   absl::Status s = Authorize(
//       caller, RpcName<v1::Commands, v1::AssignRatingRequest>());
//   // a partner: PERMISSION_DENIED, reason ROLE_NOT_ALLOWED

#ifndef OVERSIGHT_SERVICES_AUTHORIZATION_H_
#define OVERSIGHT_SERVICES_AUTHORIZATION_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "services/identity.h"

namespace oversight::services {

// PERMISSION_DENIED: the caller's role may not call this RPC (the table),
// or it has no role at all.
inline constexpr char kReasonRoleNotAllowed[] = "ROLE_NOT_ALLOWED";
// PERMISSION_DENIED: a partner asked GetPartnerView about another agency.
inline constexpr char kReasonNotOwnAgency[] = "NOT_OWN_AGENCY";

// A set of roles.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role role : roles) bits_ |= Bit(role);
  }

  constexpr bool Contains(Role role) const { return (bits_ & Bit(role)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  // The roles in the order of AllRoles().
  std::vector<Role> roles() const;

  friend constexpr bool operator==(RoleSet a, RoleSet b) {
    return a.bits_ == b.bits_;
  }
  friend constexpr bool operator!=(RoleSet a, RoleSet b) { return !(a == b); }

 private:
  static constexpr uint32_t Bit(Role role) {
    return uint32_t{1} << static_cast<int>(role);
  }
  uint32_t bits_ = 0;
};

// Every role, in the order of the enum: Role::kUnspecified ("none", the
// insecure test mode without `oversight-role`) first, then force,
// reviewing-body, partner, panel, auditor, importer, operator.
const std::vector<Role>& AllRoles();

// One row of the table.
struct RpcPermission {
  // The full gRPC name: "/oversight.v1.Commands/SubmitProgressUpdate".
  std::string method;
  RoleSet roles;
};

// The table, for documentation and tests: one row per method of
// oversight.v1.Commands, then Queries, then EventStore, each service's in
// the order its proto declares them.
const std::vector<RpcPermission>& AuthorizationTable();

// The roles allowed to call `method` (a full gRPC name); empty for a
// method the table does not name.
RoleSet AllowedRoles(absl::string_view method);

// OK when the table allows `caller`'s role to call `method`; otherwise
// PERMISSION_DENIED with reason ROLE_NOT_ALLOWED and a message naming the
// role, the RPC and the roles that may call it.
[[nodiscard]] absl::Status Authorize(const Caller& caller,
                                     absl::string_view method);

// GetPartnerView's rule on top of the table: a partner may ask only about
// its own agency. PERMISSION_DENIED with reason NOT_OWN_AGENCY when
// `caller` is a partner and `agency_id` is not its authenticated agency;
// OK for every other role.
[[nodiscard]] absl::Status CheckPartnerAsksForItself(
    const Caller& caller, absl::string_view agency_id);

// "/<service full name>/<method name>", the name gRPC routes a call by.
std::string FullMethodName(const google::protobuf::MethodDescriptor& method);

// The full gRPC name of the method `service_full_name` declares with
// `request` as its input type. Aborts when there is not exactly one such
// method: the services give each RPC a request message of its own, and a
// handler asking for another is a bug.
std::string RpcNameOf(absl::string_view service_full_name,
                      const google::protobuf::Descriptor& request);

// The full gRPC name of the method of `Service` (a generated gRPC service
// class: v1::Commands, v1::Queries, v1::EventStore) that takes `Request`,
// from the generated descriptors: the one source of the names handlers
// authorise by.
//
//   RpcName<v1::Queries, v1::GetStatusBoardRequest>()
//   // "/oversight.v1.Queries/GetStatusBoard"
template <typename Service, typename Request>
const std::string& RpcName() {
  static const std::string* const name = new std::string(
      RpcNameOf(Service::service_full_name(), *Request::descriptor()));
  return *name;
}

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_AUTHORIZATION_H_
