// The one accepted form of a certificate identity, and what a certificate
// without exactly one such identity gets (services/certificate_identity.h).

#include "services/certificate_identity.h"

#include <string>

#include "eventstore/errors.h"
#include "gtest/gtest.h"
#include "tests/testing/test_certs.h"

namespace oversight::services {
namespace {

using testing::CertSpec;
using testing::TestCa;

std::string ReasonOf(const absl::Status& status) {
  return eventstore::ReasonOf(status).value_or("");
}

TEST(ParseIdentityUriTest, EveryRoleInTheOneForm) {
  const struct {
    const char* name;
    Role role;
  } roles[] = {
      {"force", Role::kForce},     {"reviewing-body", Role::kReviewingBody},
      {"partner", Role::kPartner}, {"panel", Role::kPanel},
      {"auditor", Role::kAuditor}, {"importer", Role::kImporter}};
  for (const auto& r : roles) {
    absl::StatusOr<CertificateIdentity> id = ParseIdentityUri(
        std::string("spiffe://oversight.example/agency/dyfed-powys-police/"
                    "role/") +
        r.name);
    ASSERT_TRUE(id.ok()) << r.name << ": " << id.status();
    EXPECT_EQ(id->trust_domain, "oversight.example");
    EXPECT_EQ(id->agency_id, "dyfed-powys-police");
    EXPECT_EQ(id->role, r.role);
    EXPECT_EQ(RoleName(r.role), r.name);
    EXPECT_EQ(RoleFromName(r.name), r.role);
  }
}

TEST(ParseIdentityUriTest, AnythingElseIsInvalid) {
  for (const char* uri : {
           "",
           "https://oversight.example/agency/paladin/role/partner",
           "SPIFFE://oversight.example/agency/paladin/role/partner",
           "spiffe://oversight.example",
           "spiffe:///agency/paladin/role/partner",
           "spiffe://Oversight.example/agency/paladin/role/partner",
           "spiffe://oversight.example:443/agency/paladin/role/partner",
           "spiffe://user@oversight.example/agency/paladin/role/partner",
           "spiffe://oversight.example/agency/paladin",
           "spiffe://oversight.example/agency/paladin/role/",
           "spiffe://oversight.example/agency/paladin/role/partner/",
           "spiffe://oversight.example/agency/paladin/role/partner/x",
           "spiffe://oversight.example//agency/paladin/role/partner",
           "spiffe://oversight.example/agency/Paladin/role/partner",
           "spiffe://oversight.example/agency/-paladin/role/partner",
           "spiffe://oversight.example/agency//role/partner",
           "spiffe://oversight.example/role/partner/agency/paladin",
           "spiffe://oversight.example/agency/paladin/role/admin",
           "spiffe://oversight.example/agency/paladin/role/Partner",
           "spiffe://oversight.example/agency/paladin/role/unspecified",
           "spiffe://oversight.example/agency/paladin/role/partner?x=1",
           "spiffe://oversight.example/agency/paladin/role/partner#f",
           "spiffe://oversight.example/agency/pal%61din/role/partner",
       }) {
    absl::StatusOr<CertificateIdentity> id = ParseIdentityUri(uri);
    ASSERT_FALSE(id.ok()) << uri;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated) << uri;
    EXPECT_EQ(ReasonOf(id.status()), "IDENTITY_INVALID") << uri;
  }
  constexpr char kNul[] =
      "spiffe://oversight.example/agency/paladin\0x/role/partner";
  absl::StatusOr<CertificateIdentity> nul =
      ParseIdentityUri(std::string(kNul, sizeof(kNul) - 1));
  EXPECT_EQ(ReasonOf(nul.status()), "IDENTITY_INVALID");
}

class IdentityFromCertificateTest : public ::testing::Test {
 protected:
  static TestCa& Ca() {
    static TestCa* ca = new TestCa("Oversight test CA");
    return *ca;
  }
  static absl::StatusOr<CertificateIdentity> Identity(const CertSpec& spec) {
    return IdentityFromCertificate(Ca().Issue(spec).cert_pem);
  }
};

TEST_F(IdentityFromCertificateTest, OneUriGivesAgencyRoleAndCommonName) {
  CertSpec spec =
      CertSpec::Client("spiffe://oversight.example/agency/paladin/role/partner",
                       "Paladin case system");
  spec.dns_names = {"paladin.example"};  // other kinds of name are ignored
  absl::StatusOr<CertificateIdentity> id = Identity(spec);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->agency_id, "paladin");
  EXPECT_EQ(id->role, Role::kPartner);
  EXPECT_EQ(id->common_name, "Paladin case system");
}

TEST_F(IdentityFromCertificateTest, CommonNameIsOptionalAndUtf8) {
  const std::string uri = "spiffe://x/agency/welsh-womens-aid/role/partner";
  absl::StatusOr<CertificateIdentity> id = Identity(CertSpec::Client(uri, ""));
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->common_name, "");
  id = Identity(CertSpec::Client(uri, "Cymorth i Fenywod Cymru – Siân"));
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->common_name, "Cymorth i Fenywod Cymru – Siân");
}

TEST_F(IdentityFromCertificateTest, NoUriIsMissing) {
  CertSpec spec = CertSpec::Client("", "no identity");
  spec.dns_names = {"spiffe.example"};
  absl::StatusOr<CertificateIdentity> id = Identity(spec);
  EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(id.status()), "IDENTITY_MISSING");
  id = Identity(CertSpec::Client("", "no names at all"));
  EXPECT_EQ(ReasonOf(id.status()), "IDENTITY_MISSING");
}

TEST_F(IdentityFromCertificateTest, TwoUrisAreInvalidEvenIfBothAreGood) {
  CertSpec spec =
      CertSpec::Client("spiffe://x/agency/paladin/role/partner", "two");
  spec.uris.push_back("spiffe://x/agency/dyfed-powys-opcc/role/reviewing-body");
  absl::StatusOr<CertificateIdentity> id = Identity(spec);
  EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(id.status()), "IDENTITY_INVALID");
}

TEST_F(IdentityFromCertificateTest, MalformedUriOrUnknownRoleIsInvalid) {
  for (const char* uri : {"spiffe://x/agency/paladin/role/superuser",
                          "spiffe://x/agency/PALADIN/role/partner",
                          "urn:oversight:paladin:partner"}) {
    absl::StatusOr<CertificateIdentity> id =
        Identity(CertSpec::Client(uri, "bad"));
    EXPECT_EQ(ReasonOf(id.status()), "IDENTITY_INVALID") << uri;
  }
}

TEST_F(IdentityFromCertificateTest,
       ControlCharactersInTheCommonNameAreInvalid) {
  absl::StatusOr<CertificateIdentity> id = Identity(CertSpec::Client(
      "spiffe://x/agency/paladin/role/partner", "Paladin\x1b[31m"));
  EXPECT_EQ(ReasonOf(id.status()), "IDENTITY_INVALID");
}

TEST_F(IdentityFromCertificateTest, NotACertificateIsMissing) {
  EXPECT_EQ(ReasonOf(IdentityFromCertificate("").status()), "IDENTITY_MISSING");
  EXPECT_EQ(
      ReasonOf(
          IdentityFromCertificate("-----BEGIN CERTIFICATE-----\n").status()),
      "IDENTITY_MISSING");
}

TEST(CheckServerTlsFilesTest, KeyMustBelongToTheCertificate) {
  TestCa ca("Oversight test CA");
  testing::KeyPair server = ca.Issue(CertSpec::Server());
  testing::KeyPair other = ca.Issue(CertSpec::Server());
  EXPECT_TRUE(
      CheckServerTlsFiles(server.cert_pem, server.key_pem, ca.cert_pem()).ok());
  EXPECT_EQ(
      CheckServerTlsFiles(server.cert_pem, other.key_pem, ca.cert_pem()).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      CheckServerTlsFiles(server.key_pem, server.key_pem, ca.cert_pem()).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckServerTlsFiles(server.cert_pem, server.cert_pem, ca.cert_pem())
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckServerTlsFiles(server.cert_pem, server.key_pem, "").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace oversight::services
