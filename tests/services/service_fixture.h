// A real RocksEventStore in a temporary directory served by a real
// in-process OversightServer on a free loopback port, with a client stub.
// The server takes identity from call metadata (the insecure test mode)
// unless a test says otherwise; Context() calls as the deployment's
// operator, the role the raw log's writes need.

#ifndef OVERSIGHT_TESTS_SERVICES_SERVICE_FIXTURE_H_
#define OVERSIGHT_TESTS_SERVICES_SERVICE_FIXTURE_H_

#include <memory>
#include <string>

#include "eventstore/rocks_event_store.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "services/server.h"
#include "tests/testing/temp_dir.h"

namespace oversight::services {

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() { server_options_.insecure_identity_from_metadata = true; }

  void SetUp() override {
    OpenStore(/*verify_on_open=*/true);
    StartServer();
  }
  void TearDown() override {
    StopServer();
    store_.reset();
  }

  void OpenStore(bool verify_on_open) {
    eventstore::RocksEventStore::Options options;
    options.verify_on_open = verify_on_open;
    options.write_buffer_size = 64 << 10;
    auto store = eventstore::RocksEventStore::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void StartServer() {
    ServerOptions options = server_options_;
    options.listen = "127.0.0.1:0";
    if (serve_queries_) options.snapshots = store_.get();
    auto server = OversightServer::Start(options, store_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::EventStore::NewStub(channel_);
  }

  void StopServer() {
    stub_.reset();
    channel_.reset();
    if (server_) server_->Shutdown(absl::Seconds(1));
    server_.reset();
  }

  // Helpers usable outside the fixture too.
 public:
  // The agency and person Context() calls as.
  static constexpr char kOperatorAgency[] = "deployment";
  static constexpr char kTestPerson[] = "test-person";

  // A context with a deadline, as every client call should have, and no
  // identity.
  static std::unique_ptr<grpc::ClientContext> BareContext(
      absl::Duration timeout = absl::Seconds(10)) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(timeout));
    return ctx;
  }

  // A context with a deadline calling, in the insecure test mode, as
  // `agency` with `role` (a role name; none when empty) and the person
  // test-person.
  static std::unique_ptr<grpc::ClientContext> RoleContext(
      const std::string& agency, const std::string& role,
      absl::Duration timeout = absl::Seconds(10)) {
    auto ctx = BareContext(timeout);
    ctx->AddMetadata("oversight-agency", agency);
    if (!role.empty()) ctx->AddMetadata("oversight-role", role);
    ctx->AddMetadata("oversight-actor", kTestPerson);
    return ctx;
  }

  // A context with a deadline calling as the deployment's operator, which
  // may append to and read the raw log (docs/security.md).
  static std::unique_ptr<grpc::ClientContext> Context(
      absl::Duration timeout = absl::Seconds(10)) {
    return RoleContext(kOperatorAgency, "operator", timeout);
  }

  // The value of trailing metadata `key`, or "" if absent.
  static std::string Trailer(const grpc::ClientContext& ctx,
                             const std::string& key) {
    auto it = ctx.GetServerTrailingMetadata().find(key);
    if (it == ctx.GetServerTrailingMetadata().end()) return "";
    return std::string(it->second.data(), it->second.size());
  }

  static v1::ProposedEvent Event(const std::string& type = "test.Created",
                                 const std::string& data = "payload") {
    v1::ProposedEvent e;
    e.set_event_id(eventstore::EventId::Random().ToString());
    e.set_type(type);
    e.set_data(data);
    e.set_metadata("{\"actor\":\"test\"}");
    return e;
  }

  static v1::AppendRequest AppendOne(
      const std::string& stream,
      v1::ExpectedRevisionKind kind = v1::EXPECTED_REVISION_KIND_ANY,
      uint64_t revision = 0) {
    v1::AppendRequest r;
    r.set_stream(stream);
    r.set_expected_kind(kind);
    r.set_expected_revision(revision);
    *r.add_events() = Event();
    return r;
  }

 protected:
  // Appends and returns the response; fails the test on error.
  v1::AppendResponse MustAppend(const v1::AppendRequest& request) {
    auto ctx = Context();
    v1::AppendResponse response;
    grpc::Status s = stub_->Append(ctx.get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    return response;
  }

  // Used by StartServer; identity from metadata unless a test changes it.
  ServerOptions server_options_;
  // Host the read models (snapshots in the store) and serve Queries.
  bool serve_queries_ = false;
  testing::TempDir dir_;
  std::unique_ptr<eventstore::RocksEventStore> store_;
  std::unique_ptr<OversightServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EventStore::Stub> stub_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_TESTS_SERVICES_SERVICE_FIXTURE_H_
