// Identity from client certificates: the agency and the role of a caller
// come from the one URI subject alternative name of the certificate the
// TLS handshake verified against the deployment's CA, in exactly this form
// (docs/security.md):
//
//   spiffe://<trust-domain>/agency/<agency-id>/role/<role>
//
//   trust-domain  1 to 255 of [a-z0-9.-_] (a SPIFFE trust domain), and the
//                 server's own when it names one
//   agency-id     an agency id: 1 to 64 of [a-z0-9-], starting with a
//                 letter or digit (projections/validation.h, CheckId)
//   role          force | reviewing-body | partner | panel | auditor |
//                 importer | operator
//
// The person is the `oversight-actor` metadata when the call carries it (the
// agency's own word for who within it acts), else the certificate's
// subject common name. Identity metadata (`oversight-agency`,
// `oversight-role`) is ignored.
//
// Example:
//   absl::StatusOr<CertificateIdentity> id = ParseIdentityUri(
//       "spiffe://oversight.example/agency/paladin/role/partner");
//   id->agency_id;  // "paladin"
//   id->role;       // Role::kPartner

#ifndef OVERSIGHT_SERVICES_CERTIFICATE_IDENTITY_H_
#define OVERSIGHT_SERVICES_CERTIFICATE_IDENTITY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/identity.h"

namespace oversight::services {

// What a client certificate says about its holder.
struct CertificateIdentity {
  std::string trust_domain;
  std::string agency_id;
  Role role = Role::kUnspecified;
  // The subject's common name; empty when it has none.
  std::string common_name;
};

// Parses an identity URI of the form above (common_name left empty).
// UNAUTHENTICATED / IDENTITY_INVALID, saying what is wrong, otherwise.
[[nodiscard]] absl::StatusOr<CertificateIdentity> ParseIdentityUri(
    absl::string_view uri);

// The identity of a PEM certificate (the first in `pem`), which must carry
// exactly one URI subject alternative name, of the form above.
// UNAUTHENTICATED with IDENTITY_MISSING when it has none (or `pem` holds no
// certificate), IDENTITY_INVALID for two or more, a malformed one, or a
// common name that is not plain text of at most 200 characters. It does
// not check the signature or the validity period: the TLS handshake has.
[[nodiscard]] absl::StatusOr<CertificateIdentity> IdentityFromCertificate(
    absl::string_view pem);

// Identifies callers by the certificate of their TLS connection (gRPC's
// `x509_pem_cert` peer property). A call without one is IDENTITY_MISSING.
// With a non-empty `trust_domain`, an identity URI in another trust domain
// is IDENTITY_INVALID.
std::unique_ptr<IdentityProvider> NewCertificateIdentity(
    std::string trust_domain);

// Checks the PEM files a TLS server is given before gRPC sees them, so
// that a mistake is a sentence rather than a failed start: `cert_chain`
// holds a certificate, `private_key` a key that belongs to it, and
// `client_ca` at least one certificate. INVALID_ARGUMENT otherwise.
[[nodiscard]] absl::Status CheckServerTlsFiles(absl::string_view cert_chain,
                                               absl::string_view private_key,
                                               absl::string_view client_ca);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_CERTIFICATE_IDENTITY_H_
