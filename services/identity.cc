#include "services/identity.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/validation.h"

namespace oversight::services {
namespace {

absl::Status Unauthenticated(absl::string_view message) {
  return eventstore::WithReason(absl::UnauthenticatedError(message),
                                kReasonIdentityMissing);
}

class MetadataIdentity final : public IdentityProvider {
 public:
  absl::StatusOr<v1::Actor> Identify(
      const grpc::ServerContextBase& context) const override {
    const auto& md = context.client_metadata();
    auto agency = md.find(kAgencyMetadataKey);
    if (agency == md.end()) {
      return Unauthenticated(absl::StrCat("the call carries no ",
                                          kAgencyMetadataKey, " metadata"));
    }
    v1::Actor actor;
    actor.set_agency_id(
        std::string(agency->second.data(), agency->second.size()));
    if (!projections::CheckId("agency", actor.agency_id()).ok()) {
      return Unauthenticated(
          absl::StrCat(kAgencyMetadataKey, " is not an agency id"));
    }
    auto person = md.find(kActorBinMetadataKey);
    if (person == md.end()) person = md.find(kActorMetadataKey);
    if (person == md.end()) {
      return Unauthenticated(absl::StrCat("the call carries no ",
                                          kActorMetadataKey,
                                          " metadata (the person or service)"));
    }
    actor.set_person(std::string(person->second.data(), person->second.size()));
    if (!projections::CheckPlainText("actor", actor.person(),
                                     projections::kMaxPersonChars, true)
             .ok()) {
      return Unauthenticated(absl::StrCat(kActorMetadataKey, " must be 1 to ",
                                          projections::kMaxPersonChars,
                                          " characters of UTF-8 text"));
    }
    return actor;
  }
};

class NoIdentity final : public IdentityProvider {
 public:
  absl::StatusOr<v1::Actor> Identify(
      const grpc::ServerContextBase&) const override {
    return Unauthenticated(
        "this server cannot identify callers; start it with an identity "
        "mode to accept commands");
  }
};

}  // namespace

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
