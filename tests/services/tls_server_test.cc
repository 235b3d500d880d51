// OversightServer over mutual TLS: who may connect, who the recorded
// events say acted, and what the server refuses to start with
// (docs/security.md). Certificates are made at test time (test_certs.h).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/types.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "tests/services/command_fixture.h"
#include "tests/testing/test_certs.h"

namespace oversight::services {
namespace {

using testing::CertSpec;
using testing::KeyPair;
using testing::TestCa;
using Stub = v1::Commands::Stub;

constexpr char kTrustDomain[] = "oversight.test";

std::string Uri(const std::string& agency, const std::string& role) {
  return absl::StrCat("spiffe://", kTrustDomain, "/agency/", agency, "/role/",
                      role);
}

TestCa& Ca() {
  static TestCa* ca = new TestCa("Oversight test CA");
  return *ca;
}

TlsOptions ServerTls() {
  KeyPair server = Ca().Issue(CertSpec::Server());
  TlsOptions tls;
  tls.cert_chain_pem = server.cert_pem;
  tls.private_key_pem = server.key_pem;
  tls.client_ca_pem = Ca().cert_pem();
  tls.trust_domain = kTrustDomain;
  return tls;
}

class TlsServerTest : public CommandTest {
 protected:
  void SetUp() override {
    server_options_.tls = ServerTls();
    server_options_.insecure_identity_from_metadata = false;
    server_options_.clock = [] { return TestNow(); };
    ServiceTest::SetUp();
  }

  // A channel presenting `client` (none when null), trusting `ca`.
  std::shared_ptr<grpc::Channel> Channel(const KeyPair* client,
                                         const std::string& ca_pem) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca_pem;
    if (client != nullptr) {
      ssl.pem_private_key = client->key_pem;
      ssl.pem_cert_chain = client->cert_pem;
    }
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(server_->address(),
                                     grpc::SslCredentials(ssl), args);
  }

  // Registers `agency` as a reviewing body (allowed for the first agency,
  // as itself) through a channel presenting `client`, with `metadata`.
  grpc::Status Register(
      const KeyPair* client, const std::string& agency,
      const std::vector<std::pair<std::string, std::string>>& metadata = {},
      const std::string& ca_pem = Ca().cert_pem(),
      v1::CommandResult* result = nullptr, std::string* reason = nullptr) {
    auto stub = v1::Commands::NewStub(Channel(client, ca_pem));
    auto ctx = BareContext();
    for (const auto& [key, value] : metadata) ctx->AddMetadata(key, value);
    v1::RegisterAgencyResponse response;
    grpc::Status s = stub->RegisterAgency(
        ctx.get(), RegisterAgency(agency, v1::AGENCY_KIND_REVIEWING_BODY),
        &response);
    if (result != nullptr) *result = response.result();
    if (reason != nullptr) *reason = Trailer(*ctx, "oversight-reason");
    return s;
  }

  // The actor of the domain event at `position`.
  v1::Actor ActorAt(uint64_t position) {
    absl::StatusOr<eventstore::ReadResult> read =
        store_->ReadAll(position, eventstore::Direction::kForwards, 1, {});
    EXPECT_TRUE(read.ok() && read->events.size() == 1);
    v1::DomainEvent event;
    if (read.ok() && !read->events.empty()) {
      EXPECT_TRUE(event.ParseFromString(read->events[0].data));
    }
    return event.actor();
  }

  // Expects the call refused with `code` and `reason`, and nothing written.
  void ExpectRefused(const KeyPair* client, grpc::StatusCode code,
                     const std::string& reason,
                     const std::string& ca_pem = Ca().cert_pem()) {
    std::string got;
    grpc::Status s = Register(client, "opcc", {}, ca_pem, nullptr, &got);
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_EQ(got, reason) << s.error_message();
    EXPECT_EQ(store_->Head().position, 0u);
  }
};

TEST_F(TlsServerTest, ACertifiedClientActsAsItsAgencyAndCommonName) {
  KeyPair opcc =
      Ca().Issue(CertSpec::Client(Uri("opcc", "reviewing-body"), "OPCC desk"));
  v1::CommandResult result;
  std::string reason;
  grpc::Status s =
      Register(&opcc, "opcc", {}, Ca().cert_pem(), &result, &reason);
  ASSERT_TRUE(s.ok()) << s.error_code() << " " << reason << " "
                      << s.error_message();
  const v1::Actor actor = ActorAt(result.position());
  EXPECT_EQ(actor.agency_id(), "opcc");
  EXPECT_EQ(actor.person(), "OPCC desk");
  EXPECT_EQ(actor.recorded_by_agency_id(), "");
  EXPECT_EQ(actor.recorded_by_person(), "");
}

TEST_F(TlsServerTest, IdentityMetadataIsIgnoredUnderTls) {
  // An agency-A certificate claiming agency B in metadata acts as A: the
  // registration of B "as itself" is judged as A, which may not.
  KeyPair police =
      Ca().Issue(CertSpec::Client(Uri("police", "force"), "Police desk"));
  std::string reason;
  grpc::Status s = Register(&police, "opcc",
                            {{"oversight-agency", "opcc"},
                             {"oversight-role", "reviewing-body"},
                             {"oversight-actor", "Jo"}},
                            Ca().cert_pem(), nullptr, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << reason << " " << s.error_message();
  EXPECT_EQ(store_->Head().position, 0u);

  // Registering itself, it is recorded as A whatever the metadata says;
  // the person may come from oversight-actor.
  KeyPair opcc =
      Ca().Issue(CertSpec::Client(Uri("opcc", "reviewing-body"), "OPCC desk"));
  v1::CommandResult result;
  s = Register(&opcc, "opcc",
               {{"oversight-agency", "police"}, {"oversight-actor", "Jo"}},
               Ca().cert_pem(), &result, &reason);
  ASSERT_TRUE(s.ok()) << reason << " " << s.error_message();
  EXPECT_EQ(ActorAt(result.position()).agency_id(), "opcc");
  EXPECT_EQ(ActorAt(result.position()).person(), "Jo");
}

TEST_F(TlsServerTest, RoleMetadataIsIgnoredUnderTls) {
  // A partner's certificate claiming other roles in metadata keeps a
  // partner's rights: the table judges the certificate's role.
  KeyPair paladin =
      Ca().Issue(CertSpec::Client(Uri("paladin", "partner"), "Paladin desk"));
  for (const char* role : {"reviewing-body", "importer", "operator"}) {
    std::string reason;
    grpc::Status s = Register(&paladin, "paladin",
                              {{"oversight-role", role},
                               {"oversight-agency", "opcc"},
                               {"oversight-actor", "Jo"}},
                              Ca().cert_pem(), nullptr, &reason);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << role;
    EXPECT_EQ(reason, "ROLE_NOT_ALLOWED") << role;
    EXPECT_NE(s.error_message().find("role partner"), std::string::npos)
        << s.error_message();
  }

  auto events = v1::EventStore::NewStub(Channel(&paladin, Ca().cert_pem()));
  auto claim = [](const std::string& role) {
    auto ctx = BareContext();
    ctx->AddMetadata("oversight-role", role);
    return ctx;
  };
  // The raw log's writes are the operator's, its reads the auditor's.
  auto append_ctx = claim("operator");
  v1::AppendResponse appended;
  EXPECT_EQ(events->Append(append_ctx.get(), AppendOne("notes-1"), &appended)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trailer(*append_ctx, "oversight-reason"), "ROLE_NOT_ALLOWED");
  auto read_ctx = claim("auditor");
  v1::ReadAllRequest read;
  v1::ReadAllResponse read_response;
  EXPECT_EQ(events->ReadAll(read_ctx.get(), read, &read_response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trailer(*read_ctx, "oversight-reason"), "ROLE_NOT_ALLOWED");
  // What a partner may do, it does.
  auto head_ctx = claim("none-of-these");
  v1::GetHeadResponse head;
  EXPECT_TRUE(events->GetHead(head_ctx.get(), {}, &head).ok());
  EXPECT_EQ(store_->Head().position, 0u);
}

TEST_F(TlsServerTest, TheHandshakeRefusesAnotherCaExpiredOrNoCertificate) {
  TestCa other("Another CA");
  KeyPair foreign = other.Issue(
      CertSpec::Client(Uri("opcc", "reviewing-body"), "Foreign desk"));
  ExpectRefused(&foreign, grpc::StatusCode::UNAVAILABLE, "");

  CertSpec expired_spec =
      CertSpec::Client(Uri("opcc", "reviewing-body"), "Old desk");
  expired_spec.not_before = -absl::Hours(48);
  expired_spec.not_after = -absl::Hours(1);
  KeyPair expired = Ca().Issue(expired_spec);
  ExpectRefused(&expired, grpc::StatusCode::UNAVAILABLE, "");

  CertSpec future_spec =
      CertSpec::Client(Uri("opcc", "reviewing-body"), "Early desk");
  future_spec.not_before = absl::Hours(1);
  KeyPair future = Ca().Issue(future_spec);
  ExpectRefused(&future, grpc::StatusCode::UNAVAILABLE, "");

  ExpectRefused(nullptr, grpc::StatusCode::UNAVAILABLE, "");
}

TEST_F(TlsServerTest, ACertificateWithoutAValidIdentityIsUnauthenticated) {
  KeyPair none = Ca().Issue(CertSpec::Client("", "No identity"));
  ExpectRefused(&none, grpc::StatusCode::UNAUTHENTICATED, "IDENTITY_MISSING");

  CertSpec two_spec =
      CertSpec::Client(Uri("opcc", "reviewing-body"), "Two identities");
  two_spec.uris.push_back(Uri("police", "force"));
  KeyPair two = Ca().Issue(two_spec);
  ExpectRefused(&two, grpc::StatusCode::UNAUTHENTICATED, "IDENTITY_INVALID");

  for (const std::string& uri :
       {Uri("opcc", "admin"), Uri("OPCC", "reviewing-body"),
        std::string("spiffe://elsewhere.test/agency/opcc/role/reviewing-body"),
        std::string(
            "https://oversight.test/agency/opcc/role/reviewing-body")}) {
    KeyPair bad = Ca().Issue(CertSpec::Client(uri, "Bad identity"));
    ExpectRefused(&bad, grpc::StatusCode::UNAUTHENTICATED, "IDENTITY_INVALID");
  }
}

TEST_F(TlsServerTest, AnImporterRecordsOnBehalfWithBothIdentities) {
  KeyPair importer = Ca().Issue(
      CertSpec::Client(Uri("records-office", "importer"), "Records importer"));
  v1::CommandResult result;
  std::string reason;
  grpc::Status s = Register(&importer, "opcc",
                            {{"oversight-on-behalf-of", "opcc"},
                             {"oversight-actor", "import:january-2025"}},
                            Ca().cert_pem(), &result, &reason);
  ASSERT_TRUE(s.ok()) << reason << " " << s.error_message();
  const v1::Actor actor = ActorAt(result.position());
  // Judged and recorded as the agency it is for (the bootstrap rule lets
  // only an agency register itself), and it says who typed it.
  EXPECT_EQ(actor.agency_id(), "opcc");
  EXPECT_EQ(actor.person(), "import:january-2025");
  EXPECT_EQ(actor.recorded_by_agency_id(), "records-office");
  EXPECT_EQ(actor.recorded_by_person(), "Records importer");

  // The same command sent by the agency itself is the same command.
  KeyPair opcc =
      Ca().Issue(CertSpec::Client(Uri("opcc", "reviewing-body"), "OPCC desk"));
  v1::CommandResult again;
  s = Register(&opcc, "opcc", {}, Ca().cert_pem(), &again, &reason);
  ASSERT_TRUE(s.ok()) << reason << " " << s.error_message();
  EXPECT_TRUE(again.deduplicated());
  EXPECT_EQ(again.position(), result.position());
}

TEST_F(TlsServerTest, OnlyAnImporterMayActOnBehalfOfAnotherAgency) {
  KeyPair police =
      Ca().Issue(CertSpec::Client(Uri("police", "force"), "Police desk"));
  std::string reason;
  grpc::Status s =
      Register(&police, "opcc", {{"oversight-on-behalf-of", "opcc"}},
               Ca().cert_pem(), nullptr, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reason, "ON_BEHALF_OF_NOT_ALLOWED");
  EXPECT_EQ(store_->Head().position, 0u);
}

TEST(TlsServerStartTest,
     RefusesInsecureIdentityWithTlsAndPlaintextOffLoopback) {
  ServerOptions both;
  both.listen = "127.0.0.1:0";
  both.tls = ServerTls();
  both.insecure_identity_from_metadata = true;
  EXPECT_EQ(OversightServer::Start(both, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);

  for (bool insecure_identity : {true, false}) {
    ServerOptions plaintext;
    plaintext.listen = "0.0.0.0:0";
    plaintext.insecure_identity_from_metadata = insecure_identity;
    absl::Status s = OversightServer::Start(plaintext, nullptr).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("loopback"), std::string::npos) << s;
  }

  ServerOptions wrong_key;
  wrong_key.listen = "127.0.0.1:0";
  wrong_key.tls = ServerTls();
  wrong_key.tls->private_key_pem = Ca().Issue(CertSpec::Server()).key_pem;
  EXPECT_EQ(OversightServer::Start(wrong_key, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace oversight::services
