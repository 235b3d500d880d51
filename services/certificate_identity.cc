#include "services/certificate_identity.h"

#include <grpc/grpc_security_constants.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "eventstore/errors.h"
#include "projections/validation.h"

namespace oversight::services {
namespace {

constexpr absl::string_view kScheme = "spiffe://";
constexpr size_t kMaxTrustDomainBytes = 255;
constexpr char kUriForm[] =
    "spiffe://<trust-domain>/agency/<agency-id>/role/<role>";

absl::Status Unauthenticated(absl::string_view reason,
                             absl::string_view message) {
  return eventstore::WithReason(absl::UnauthenticatedError(message), reason);
}

// The URI as it may appear in a message: escaped, and cut short.
std::string Quoted(absl::string_view uri) {
  constexpr size_t kShown = 200;
  std::string shown = absl::CHexEscape(uri.substr(0, kShown));
  if (uri.size() > kShown) shown += "...";
  return absl::StrCat("\"", shown, "\"");
}

absl::Status BadUri(absl::string_view uri, absl::string_view why) {
  return Unauthenticated(
      kReasonIdentityInvalid,
      absl::StrCat("the certificate's identity URI ", Quoted(uri),
                   " is not of the form ", kUriForm, ": ", why));
}

bool IsTrustDomainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// Clears this thread's OpenSSL error queue when it goes out of scope: a
// failed parse leaves errors there, and gRPC's TLS on the same thread must
// not mistake them for its own.
struct ClearErrorsOnExit {
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};

// Never asks for a pass phrase (OpenSSL's default would read the terminal).
int NoPassphrase(char*, int, int, void*) { return -1; }

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::unique_ptr<BIO, BioFree> MemoryBio(absl::string_view pem) {
  return std::unique_ptr<BIO, BioFree>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate in `pem`, or null.
X509Ptr ReadCertificate(absl::string_view pem) {
  auto bio = MemoryBio(pem);
  if (bio == nullptr) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
}

// The subject's first common name as UTF-8, or "" when it has none.
absl::StatusOr<std::string> CommonName(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = subject == nullptr ? -1
                                       : X509_NAME_get_index_by_NID(
                                             subject, NID_commonName, -1);
  if (index < 0) return std::string();
  ASN1_STRING* data =
      X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, data);
  if (size < 0) {
    return Unauthenticated(kReasonIdentityInvalid,
                           "the certificate's common name is not text");
  }
  std::string name(reinterpret_cast<const char*>(utf8), size);
  OPENSSL_free(utf8);
  if (!projections::CheckPlainText("common name", name,
                                   projections::kMaxPersonChars, true)
           .ok()) {
    return Unauthenticated(
        kReasonIdentityInvalid,
        absl::StrCat("the certificate's common name must be 1 to ",
                     projections::kMaxPersonChars,
                     " characters of plain text"));
  }
  return name;
}

class CertificateIdentityProvider final : public IdentityProvider {
 public:
  explicit CertificateIdentityProvider(std::string trust_domain)
      : trust_domain_(std::move(trust_domain)) {}

  absl::StatusOr<Caller> IdentifyCaller(
      const grpc::ServerContextBase& context) const override {
    std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
    std::vector<grpc::string_ref> pems;
    if (auth != nullptr) {
      pems = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    }
    if (pems.empty()) {
      return Unauthenticated(kReasonIdentityMissing,
                             "the call carries no client certificate");
    }
    absl::StatusOr<CertificateIdentity> identity = IdentityFromCertificate(
        absl::string_view(pems.front().data(), pems.front().size()));
    if (!identity.ok()) return identity.status();
    if (!trust_domain_.empty() && identity->trust_domain != trust_domain_) {
      return Unauthenticated(
          kReasonIdentityInvalid,
          absl::StrCat("the certificate's identity is in trust domain \"",
                       identity->trust_domain, "\", not this server's \"",
                       trust_domain_, "\""));
    }
    Caller caller;
    caller.authenticated_agency_id = std::move(identity->agency_id);
    caller.role = identity->role;
    if (absl::Status s =
            CompleteCaller(context, identity->common_name, &caller);
        !s.ok()) {
      return s;
    }
    return caller;
  }

 private:
  const std::string trust_domain_;
};

}  // namespace

absl::StatusOr<CertificateIdentity> ParseIdentityUri(absl::string_view uri) {
  absl::string_view rest = uri;
  if (!absl::ConsumePrefix(&rest, kScheme)) {
    return BadUri(uri, "it does not start with spiffe://");
  }
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) {
    return BadUri(uri, "it has no path");
  }
  CertificateIdentity identity;
  identity.trust_domain = std::string(rest.substr(0, slash));
  if (identity.trust_domain.empty() ||
      identity.trust_domain.size() > kMaxTrustDomainBytes) {
    return BadUri(uri, "the trust domain must be 1 to 255 characters");
  }
  for (char c : identity.trust_domain) {
    if (!IsTrustDomainChar(c)) {
      return BadUri(uri,
                    "the trust domain may hold only a-z, 0-9, '.', '-' and "
                    "'_'");
    }
  }
  std::vector<absl::string_view> path =
      absl::StrSplit(rest.substr(slash + 1), '/');
  if (path.size() != 4 || path[0] != "agency" || path[2] != "role") {
    return BadUri(uri, "the path must be /agency/<agency-id>/role/<role>");
  }
  if (!projections::CheckId("agency", path[1]).ok()) {
    return BadUri(uri,
                  "the agency id must be 1 to 64 of a-z, 0-9 and '-', "
                  "starting with a letter or digit");
  }
  identity.agency_id = std::string(path[1]);
  std::optional<Role> role = RoleFromName(path[3]);
  if (!role.has_value()) {
    return BadUri(uri,
                  "the role must be force, reviewing-body, partner, panel, "
                  "auditor, importer or operator");
  }
  identity.role = *role;
  return identity;
}

absl::StatusOr<CertificateIdentity> IdentityFromCertificate(
    absl::string_view pem) {
  ClearErrorsOnExit clear_errors;
  X509Ptr cert = ReadCertificate(pem);
  if (cert == nullptr) {
    return Unauthenticated(kReasonIdentityMissing,
                           "the call carries no readable client certificate");
  }
  int critical = 0;
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, &critical, nullptr)));
  if (names == nullptr && critical == -2) {
    return Unauthenticated(
        kReasonIdentityInvalid,
        "the certificate has more than one subject alternative name "
        "extension");
  }
  std::vector<std::string> uris;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get());
       ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      ASN1_STRING_length(uri));
  }
  if (uris.empty()) {
    return Unauthenticated(
        kReasonIdentityMissing,
        absl::StrCat("the client certificate names no identity: it needs "
                     "one URI subject alternative name ",
                     kUriForm));
  }
  if (uris.size() > 1) {
    return Unauthenticated(
        kReasonIdentityInvalid,
        absl::StrCat("the client certificate has ", uris.size(),
                     " URI subject alternative names; it must have exactly "
                     "one, ",
                     kUriForm));
  }
  absl::StatusOr<CertificateIdentity> identity = ParseIdentityUri(uris[0]);
  if (!identity.ok()) return identity.status();
  absl::StatusOr<std::string> common_name = CommonName(cert.get());
  if (!common_name.ok()) return common_name.status();
  identity->common_name = *std::move(common_name);
  return identity;
}

std::unique_ptr<IdentityProvider> NewCertificateIdentity(
    std::string trust_domain) {
  return std::make_unique<CertificateIdentityProvider>(std::move(trust_domain));
}

absl::Status CheckServerTlsFiles(absl::string_view cert_chain,
                                 absl::string_view private_key,
                                 absl::string_view client_ca) {
  ClearErrorsOnExit clear_errors;
  X509Ptr cert = ReadCertificate(cert_chain);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        "the server certificate is not a PEM certificate");
  }
  auto key_bio = MemoryBio(private_key);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      key_bio == nullptr ? nullptr
                         : PEM_read_bio_PrivateKey(key_bio.get(), nullptr,
                                                   NoPassphrase, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        "the server key is not a PEM private key (an encrypted key is not "
        "supported)");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        "the server key does not belong to the server certificate");
  }
  if (ReadCertificate(client_ca) == nullptr) {
    return absl::InvalidArgumentError("the client CA is not a PEM certificate");
  }
  return absl::OkStatus();
}

}  // namespace oversight::services
