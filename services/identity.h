// Who is calling: the one place that turns a call into a Caller, the
// acting agency and person, the role the agency holds, and, for a
// historical import, the agency acted for. Handlers ask an
// IdentityProvider and never look at credentials or metadata themselves.
//
// Two providers serve real calls (docs/security.md):
//  - certificates (certificate_identity.h): the agency and the role come
//    from the client certificate the TLS handshake verified, and identity
//    metadata (oversight-agency, oversight-role) is ignored;
//  - metadata, for tests and local use only: the agency, and optionally
//    the role, come from call metadata, unverified.
// In both, the person may be stated in `oversight-actor` (the agency's
// word for who within it acts), and an importer may name the agency it
// records for in `oversight-on-behalf-of`.
//
// Example:
//   std::unique_ptr<IdentityProvider> identity = NewMetadataIdentity();
//   absl::StatusOr<Caller> caller = identity->IdentifyCaller(*context);
//   if (caller.ok() && caller->role == Role::kAuditor) ...

#ifndef OVERSIGHT_SERVICES_IDENTITY_H_
#define OVERSIGHT_SERVICES_IDENTITY_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::services {

// Call metadata read by the insecure test mode only: the acting agency and
// the role it holds (a role name as below; optional).
inline constexpr char kAgencyMetadataKey[] = "oversight-agency";
inline constexpr char kRoleMetadataKey[] = "oversight-role";
// The person or service acting: ASCII in `oversight-actor`, or UTF-8 in
// the binary header `oversight-actor-bin`. Read in both modes.
inline constexpr char kActorMetadataKey[] = "oversight-actor";
inline constexpr char kActorBinMetadataKey[] = "oversight-actor-bin";
// The agency an importer records for (an agency id). Read in both modes;
// any other role may name only its own agency here.
inline constexpr char kOnBehalfOfMetadataKey[] = "oversight-on-behalf-of";

// UNAUTHENTICATED: the call carries no identity (no certificate identity,
// no agency metadata, no person).
inline constexpr char kReasonIdentityMissing[] = "IDENTITY_MISSING";
// UNAUTHENTICATED: the identity is there but not in the one accepted form
// (two identity URIs, a malformed one, an unknown role, another trust
// domain, a subject name that is not plain text).
inline constexpr char kReasonIdentityInvalid[] = "IDENTITY_INVALID";
// PERMISSION_DENIED: `oversight-on-behalf-of` names another agency and the
// caller is not an importer.
inline constexpr char kReasonOnBehalfOfNotAllowed[] =
    "ON_BEHALF_OF_NOT_ALLOWED";
// INVALID_ARGUMENT: `oversight-on-behalf-of` is not an agency id.
inline constexpr char kReasonOnBehalfOfInvalid[] = "ON_BEHALF_OF_INVALID";

// The role an agency's certificate gives it. Authorisation (issue 6's
// table) is decided on the role; the domain rules on the agency.
enum class Role {
  // Insecure test mode without `oversight-role`: no role was stated.
  kUnspecified,
  kForce,          // "force": the owning agency, Dyfed-Powys Police
  kReviewingBody,  // "reviewing-body": the OPCC
  kPartner,        // "partner": Paladin, Welsh Women's Aid, ...
  kPanel,          // "panel": the Police and Crime Panel
  kAuditor,        // "auditor": internal audit, HMICFRS, a court
  kImporter,       // "importer": records history on behalf of agencies
  // "operator": the deployment's own tooling (benchmarks, torture tests,
  // backups), not an agency's role: the only role that may write the raw
  // log (authorization.h).
  kOperator,
};

// "force", "reviewing-body", "partner", "panel", "auditor", "importer",
// "operator"; "unspecified" for kUnspecified.
absl::string_view RoleName(Role role);
// The role named `name` (one of the names above but "unspecified"), or
// nullopt.
std::optional<Role> RoleFromName(absl::string_view name);

// Who is calling.
struct Caller {
  // The actor the rules judge the command as and the event records: the
  // authenticated agency and person or, for an importer, the agency it
  // records for (`oversight-on-behalf-of`, else its own) with
  // recorded_by_* naming the importer.
  v1::Actor actor;
  // The authenticated agency's role.
  Role role = Role::kUnspecified;
  // The agency the certificate (or, in test mode, the metadata) names:
  // actor.agency_id(), or when acting on behalf, the importer's agency.
  std::string authenticated_agency_id;

  // Whether an importer is recording (history typed in, for whom
  // actor.agency_id() says).
  bool imported() const { return !actor.recorded_by_agency_id().empty(); }
};

class IdentityProvider {
 public:
  virtual ~IdentityProvider() = default;

  // Who makes the call. UNAUTHENTICATED with IDENTITY_MISSING or
  // IDENTITY_INVALID when the call carries no usable identity;
  // PERMISSION_DENIED (ON_BEHALF_OF_NOT_ALLOWED) or INVALID_ARGUMENT
  // (ON_BEHALF_OF_INVALID) for a refused `oversight-on-behalf-of`.
  [[nodiscard]] virtual absl::StatusOr<Caller> IdentifyCaller(
      const grpc::ServerContextBase& context) const = 0;

  // The actor of IdentifyCaller, for handlers that need no more.
  [[nodiscard]] absl::StatusOr<v1::Actor> Identify(
      const grpc::ServerContextBase& context) const;
};

// Takes the identity from call metadata, unverified. For tests and local
// use only: the server accepts it only on a loopback address and only
// when started with --insecure_identity_from_metadata.
std::unique_ptr<IdentityProvider> NewMetadataIdentity();

// Refuses every call: the server has no way to identify callers.
std::unique_ptr<IdentityProvider> NewNoIdentity();

// Whether `host` (as in --listen) is a loopback address.
bool IsLoopbackHost(absl::string_view host);

// Shared by the providers: completes `caller`, whose
// authenticated_agency_id and role are set, from the call's metadata.
// actor.person is the `oversight-actor(-bin)` metadata when present, else
// `default_person` (a certificate's subject; IDENTITY_MISSING when both are
// empty). For an importer, the actor's agency is the one
// `oversight-on-behalf-of` names (its own when absent), with
// recorded_by_agency_id its own agency and recorded_by_person
// `default_person`; any other role naming another agency there is refused.
[[nodiscard]] absl::Status CompleteCaller(
    const grpc::ServerContextBase& context, absl::string_view default_person,
    Caller* caller);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_IDENTITY_H_
