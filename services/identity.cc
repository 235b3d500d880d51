#include "services/identity.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/validation.h"

namespace oversight::services {
namespace {

absl::Status Unauthenticated(absl::string_view reason,
                             absl::string_view message) {
  return eventstore::WithReason(absl::UnauthenticatedError(message), reason);
}

constexpr struct {
  Role role;
  const char* name;
} kRoleNames[] = {
    {Role::kForce, "force"},       {Role::kReviewingBody, "reviewing-body"},
    {Role::kPartner, "partner"},   {Role::kPanel, "panel"},
    {Role::kAuditor, "auditor"},   {Role::kImporter, "importer"},
    {Role::kOperator, "operator"},
};

// The value of metadata `key`, or nullopt.
std::optional<std::string> Metadata(const grpc::ServerContextBase& context,
                                    absl::string_view key) {
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

class MetadataIdentity final : public IdentityProvider {
 public:
  absl::StatusOr<Caller> IdentifyCaller(
      const grpc::ServerContextBase& context) const override {
    std::optional<std::string> agency = Metadata(context, kAgencyMetadataKey);
    if (!agency.has_value()) {
      return Unauthenticated(kReasonIdentityMissing,
                             absl::StrCat("the call carries no ",
                                          kAgencyMetadataKey, " metadata"));
    }
    if (!projections::CheckId("agency", *agency).ok()) {
      return Unauthenticated(
          kReasonIdentityMissing,
          absl::StrCat(kAgencyMetadataKey, " is not an agency id"));
    }
    Caller caller;
    caller.authenticated_agency_id = *std::move(agency);
    if (std::optional<std::string> role = Metadata(context, kRoleMetadataKey)) {
      std::optional<Role> parsed = RoleFromName(*role);
      if (!parsed.has_value()) {
        return Unauthenticated(
            kReasonIdentityInvalid,
            absl::StrCat(kRoleMetadataKey, " \"", *role,
                         "\" is not a role: force, reviewing-body, partner, "
                         "panel, auditor, importer or operator"));
      }
      caller.role = *parsed;
    }
    if (absl::Status s = CompleteCaller(context, "", &caller); !s.ok()) {
      return s;
    }
    return caller;
  }
};

class NoIdentity final : public IdentityProvider {
 public:
  absl::StatusOr<Caller> IdentifyCaller(
      const grpc::ServerContextBase&) const override {
    return Unauthenticated(
        kReasonIdentityMissing,
        "this server cannot identify callers; start it with an identity "
        "mode to accept commands");
  }
};

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& r : kRoleNames) {
    if (r.role == role) return r.name;
  }
  return "unspecified";
}

std::optional<Role> RoleFromName(absl::string_view name) {
  for (const auto& r : kRoleNames) {
    if (name == r.name) return r.role;
  }
  return std::nullopt;
}

absl::StatusOr<v1::Actor> IdentityProvider::Identify(
    const grpc::ServerContextBase& context) const {
  absl::StatusOr<Caller> caller = IdentifyCaller(context);
  if (!caller.ok()) return caller.status();
  return std::move(caller->actor);
}

absl::Status CompleteCaller(const grpc::ServerContextBase& context,
                            absl::string_view default_person, Caller* caller) {
  std::optional<std::string> person = Metadata(context, kActorBinMetadataKey);
  if (!person.has_value()) person = Metadata(context, kActorMetadataKey);
  if (person.has_value()) {
    if (!projections::CheckPlainText("actor", *person,
                                     projections::kMaxPersonChars, true)
             .ok()) {
      return Unauthenticated(kReasonIdentityMissing,
                             absl::StrCat(kActorMetadataKey, " must be 1 to ",
                                          projections::kMaxPersonChars,
                                          " characters of UTF-8 text"));
    }
  } else if (!default_person.empty()) {
    person = std::string(default_person);
  } else {
    return Unauthenticated(
        kReasonIdentityMissing,
        absl::StrCat("the call carries no ", kActorMetadataKey,
                     " metadata (the person or service)"));
  }
  caller->actor.Clear();
  caller->actor.set_agency_id(caller->authenticated_agency_id);
  caller->actor.set_person(*std::move(person));

  std::optional<std::string> for_agency =
      Metadata(context, kOnBehalfOfMetadataKey);
  if (caller->role != Role::kImporter) {
    if (!for_agency.has_value() ||
        *for_agency == caller->authenticated_agency_id) {
      return absl::OkStatus();  // acting as itself
    }
    return eventstore::WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "agency \"", caller->authenticated_agency_id, "\" (role ",
            RoleName(caller->role), ") may not act on behalf of \"",
            *for_agency, "\"; only an importer records for another agency")),
        kReasonOnBehalfOfNotAllowed);
  }
  // An importer types in history: what it records always says so, for its
  // own agency as for another.
  if (!for_agency.has_value()) for_agency = caller->authenticated_agency_id;
  if (!projections::CheckId("agency", *for_agency).ok()) {
    return eventstore::WithReason(
        absl::InvalidArgumentError(
            absl::StrCat(kOnBehalfOfMetadataKey, " is not an agency id")),
        kReasonOnBehalfOfInvalid);
  }
  caller->actor.set_agency_id(*std::move(for_agency));
  caller->actor.set_recorded_by_agency_id(caller->authenticated_agency_id);
  caller->actor.set_recorded_by_person(std::string(default_person));
  return absl::OkStatus();
}

std::unique_ptr<IdentityProvider> NewMetadataIdentity() {
  return std::make_unique<MetadataIdentity>();
}

std::unique_ptr<IdentityProvider> NewNoIdentity() {
  return std::make_unique<NoIdentity>();
}

bool IsLoopbackHost(absl::string_view host) {
  if (host == "localhost") return true;
  // Literal addresses only: a name such as "127.example.com" could resolve
  // anywhere.
  std::string literal(host);
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  in_addr v4;
  if (inet_pton(AF_INET, literal.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, literal.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

}  // namespace oversight::services
