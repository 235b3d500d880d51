// What handlers learn about the caller (services/identity.h): a small
// "who am I" server answers every call with the Caller its identity
// provider gives, over mutual TLS (certificate identity) and over
// plaintext (the insecure metadata mode).

#include "services/identity.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/certificate_identity.h"
#include "services/status_mapping.h"
#include "tests/testing/test_certs.h"

namespace oversight::services {
namespace {

using testing::CertSpec;
using testing::KeyPair;
using testing::TestCa;

TEST(IdentityTest, OnlyLiteralLoopbackAddressesAreLoopback) {
  for (const char* host :
       {"127.0.0.1", "127.5.6.7", "::1", "[::1]", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host :
       {"", "0.0.0.0", "10.0.0.1", "[::]", "::", "127.example.com",
        "localhost.example.com", "128.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

// "agency=A role=R person=P" and, for an importer, " for=F by=B/C"; or the
// status, "CODE REASON".
std::string Describe(const absl::StatusOr<Caller>& caller,
                     grpc::ServerContextBase* context) {
  if (!caller.ok()) {
    grpc::Status status = ToGrpcStatus(caller.status(), context);
    return absl::StrCat("refused ", static_cast<int>(status.error_code()), " ",
                        eventstore::ReasonOf(caller.status()).value_or(""));
  }
  std::string text = absl::StrCat("agency=", caller->authenticated_agency_id,
                                  " role=", RoleName(caller->role),
                                  " person=", caller->actor.person());
  if (caller->imported()) {
    absl::StrAppend(&text, " for=", caller->actor.agency_id(),
                    " by=", caller->actor.recorded_by_agency_id(), "/",
                    caller->actor.recorded_by_person());
  } else {
    EXPECT_EQ(caller->actor.agency_id(), caller->authenticated_agency_id);
  }
  return text;
}

// Answers every call with Describe() of its caller.
class WhoAmIService final : public grpc::CallbackGenericService {
 public:
  explicit WhoAmIService(const IdentityProvider* identity)
      : identity_(identity) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    class Reactor final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(std::string answer) : slice_(std::move(answer)) {
        response_ = grpc::ByteBuffer(&slice_, 1);
        StartWrite(&response_);
      }
      void OnWriteDone(bool) override { Finish(grpc::Status::OK); }
      void OnDone() override { delete this; }

     private:
      grpc::Slice slice_;
      grpc::ByteBuffer response_;
    };
    return new Reactor(Describe(identity_->IdentifyCaller(*context), context));
  }

 private:
  const IdentityProvider* const identity_;
};

class WhoAmIServer {
 public:
  WhoAmIServer(std::unique_ptr<IdentityProvider> identity,
               std::shared_ptr<grpc::ServerCredentials> credentials)
      : identity_(std::move(identity)), service_(identity_.get()) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~WhoAmIServer() { server_->Shutdown(); }

  int port() const { return port_; }

 private:
  std::unique_ptr<IdentityProvider> identity_;
  WhoAmIService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// One unary call to `channel`; the answer, or "call failed: CODE".
std::string Ask(const std::shared_ptr<grpc::Channel>& channel,
                const std::vector<std::pair<std::string, std::string>>& md) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  for (const auto& [key, value] : md) ctx.AddMetadata(key, value);
  grpc::Slice slice(std::string("?"));
  grpc::ByteBuffer send(&slice, 1);
  auto call = stub.PrepareUnaryCall(&ctx, "/test.WhoAmI/Ask", send, &cq);
  call->StartCall();
  grpc::ByteBuffer recv;
  grpc::Status status;
  call->Finish(&recv, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  EXPECT_TRUE(cq.Next(&tag, &ok));
  std::string answer;
  std::vector<grpc::Slice> slices;
  if (status.ok() && recv.Dump(&slices).ok()) {
    for (const auto& s : slices) {
      answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  } else {
    answer =
        absl::StrCat("call failed: ", static_cast<int>(status.error_code()));
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return answer;
}

class CertificateIdentityTest : public ::testing::Test {
 protected:
  static constexpr char kTrustDomain[] = "oversight.test";

  CertificateIdentityTest()
      : server_(NewCertificateIdentity(kTrustDomain), ServerCredentials()) {}

  static TestCa& Ca() {
    static TestCa* ca = new TestCa("Oversight test CA");
    return *ca;
  }

  static std::shared_ptr<grpc::ServerCredentials> ServerCredentials() {
    KeyPair server = Ca().Issue(CertSpec::Server());
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = Ca().cert_pem();
    ssl.pem_key_cert_pairs.push_back({server.key_pem, server.cert_pem});
    return grpc::SslServerCredentials(ssl);
  }

  static std::string Uri(const std::string& agency, const std::string& role) {
    return absl::StrCat("spiffe://", kTrustDomain, "/agency/", agency, "/role/",
                        role);
  }

  std::string AskAs(
      const std::string& uri, const std::string& common_name,
      const std::vector<std::pair<std::string, std::string>>& md = {}) {
    KeyPair client = Ca().Issue(CertSpec::Client(uri, common_name));
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Ca().cert_pem();
    ssl.pem_private_key = client.key_pem;
    ssl.pem_cert_chain = client.cert_pem;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return Ask(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server_.port()),
                                  grpc::SslCredentials(ssl), args),
        md);
  }

  WhoAmIServer server_;
};

TEST_F(CertificateIdentityTest, EveryRoleReachesTheHandler) {
  for (const char* role :
       {"force", "reviewing-body", "partner", "panel", "auditor"}) {
    EXPECT_EQ(AskAs(Uri("dyfed-powys-police", role), "Records system"),
              absl::StrCat("agency=dyfed-powys-police role=", role,
                           " person=Records system"));
  }
  EXPECT_EQ(AskAs(Uri("dyfed-powys-opcc", "importer"), "OPCC importer"),
            "agency=dyfed-powys-opcc role=importer person=OPCC importer "
            "for=dyfed-powys-opcc by=dyfed-powys-opcc/OPCC importer");
}

TEST_F(CertificateIdentityTest, ThePersonMayComeFromMetadataTheAgencyNever) {
  EXPECT_EQ(AskAs(Uri("paladin", "partner"), "Paladin case system",
                  {{"oversight-actor", "Jo Bloggs"},
                   {"oversight-agency", "dyfed-powys-opcc"},
                   {"oversight-role", "reviewing-body"}}),
            "agency=paladin role=partner person=Jo Bloggs");
}

TEST_F(CertificateIdentityTest, OnlyAnImporterActsOnBehalfOfAnotherAgency) {
  EXPECT_EQ(AskAs(Uri("dyfed-powys-opcc", "importer"), "OPCC importer",
                  {{"oversight-on-behalf-of", "dyfed-powys-police"},
                   {"oversight-actor", "import:january-2025-report"}}),
            "agency=dyfed-powys-opcc role=importer "
            "person=import:january-2025-report for=dyfed-powys-police "
            "by=dyfed-powys-opcc/OPCC importer");
  EXPECT_EQ(AskAs(Uri("dyfed-powys-opcc", "reviewing-body"), "OPCC",
                  {{"oversight-on-behalf-of", "dyfed-powys-police"},
                   {"oversight-role", "importer"}}),
            "refused 7 ON_BEHALF_OF_NOT_ALLOWED");
  // Naming its own agency is acting as itself.
  EXPECT_EQ(AskAs(Uri("dyfed-powys-opcc", "reviewing-body"), "OPCC",
                  {{"oversight-on-behalf-of", "dyfed-powys-opcc"}}),
            "agency=dyfed-powys-opcc role=reviewing-body person=OPCC");
  EXPECT_EQ(AskAs(Uri("dyfed-powys-opcc", "importer"), "OPCC importer",
                  {{"oversight-on-behalf-of", "Not An Id"}}),
            "refused 3 ON_BEHALF_OF_INVALID");
}

TEST_F(CertificateIdentityTest, CertificatesWithoutAValidIdentityAreRefused) {
  EXPECT_EQ(AskAs("", "no uri"), "refused 16 IDENTITY_MISSING");
  EXPECT_EQ(AskAs(Uri("paladin", "superuser"), "x"),
            "refused 16 IDENTITY_INVALID");
  EXPECT_EQ(AskAs(Uri("Paladin", "partner"), "x"),
            "refused 16 IDENTITY_INVALID");
  EXPECT_EQ(AskAs("spiffe://elsewhere.test/agency/paladin/role/partner", "x"),
            "refused 16 IDENTITY_INVALID");
  // No common name and no oversight-actor: nobody to name as the person.
  EXPECT_EQ(AskAs(Uri("paladin", "partner"), ""),
            "refused 16 IDENTITY_MISSING");
  EXPECT_EQ(AskAs(Uri("paladin", "partner"), "", {{"oversight-actor", "Jo"}}),
            "agency=paladin role=partner person=Jo");
}

class MetadataIdentityTest : public ::testing::Test {
 protected:
  MetadataIdentityTest()
      : server_(NewMetadataIdentity(), grpc::InsecureServerCredentials()) {}

  std::string AskWith(
      const std::vector<std::pair<std::string, std::string>>& md) {
    return Ask(grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_.port()),
                                   grpc::InsecureChannelCredentials()),
               md);
  }

  WhoAmIServer server_;
};

TEST_F(MetadataIdentityTest, RoleIsOptionalInTestMode) {
  EXPECT_EQ(
      AskWith({{"oversight-agency", "paladin"}, {"oversight-actor", "Jo"}}),
      "agency=paladin role=unspecified person=Jo");
  EXPECT_EQ(AskWith({{"oversight-agency", "paladin"},
                     {"oversight-role", "partner"},
                     {"oversight-actor", "Jo"}}),
            "agency=paladin role=partner person=Jo");
  EXPECT_EQ(AskWith({{"oversight-agency", "paladin"},
                     {"oversight-role", "root"},
                     {"oversight-actor", "Jo"}}),
            "refused 16 IDENTITY_INVALID");
  EXPECT_EQ(AskWith({{"oversight-actor", "Jo"}}),
            "refused 16 IDENTITY_MISSING");
  EXPECT_EQ(AskWith({{"oversight-agency", "paladin"}}),
            "refused 16 IDENTITY_MISSING");
}

TEST_F(MetadataIdentityTest, OnBehalfOfNeedsTheImporterRole) {
  EXPECT_EQ(AskWith({{"oversight-agency", "paladin"},
                     {"oversight-actor", "Jo"},
                     {"oversight-on-behalf-of", "dyfed-powys-police"}}),
            "refused 7 ON_BEHALF_OF_NOT_ALLOWED");
  EXPECT_EQ(AskWith({{"oversight-agency", "records-office"},
                     {"oversight-role", "importer"},
                     {"oversight-actor", "Jo"},
                     {"oversight-on-behalf-of", "dyfed-powys-police"}}),
            "agency=records-office role=importer person=Jo "
            "for=dyfed-powys-police by=records-office/");
}

}  // namespace
}  // namespace oversight::services
