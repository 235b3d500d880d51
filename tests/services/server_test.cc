// The server around the service: the standard health service, server
// reflection, deadlines, and the oversightd binary's start and stop.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/services/service_fixture.h"

namespace oversight::services {
namespace {

// Makes one unary call by method name with raw request bytes.
grpc::Status GenericUnary(grpc::Channel* channel, const std::string& method,
                          const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel->shared_from_this());
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice slice(request);
  grpc::ByteBuffer send(&slice, 1);
  auto call = stub.PrepareUnaryCall(&ctx, method, send, &cq);
  call->StartCall();
  grpc::ByteBuffer recv;
  grpc::Status status;
  call->Finish(&recv, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  EXPECT_TRUE(cq.Next(&tag, &ok));
  std::vector<grpc::Slice> slices;
  if (status.ok() && recv.Dump(&slices).ok()) {
    for (const auto& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

using ServerTest = ServiceTest;

TEST_F(ServerTest, HealthServiceReportsServing) {
  std::string response;
  // HealthCheckRequest{service: ""} is the empty message.
  grpc::Status s = GenericUnary(channel_.get(), "/grpc.health.v1.Health/Check",
                                "", &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // HealthCheckResponse{status: SERVING (1)}: field 1, varint 1.
  EXPECT_EQ(response, std::string("\x08\x01", 2));
}

TEST_F(ServerTest, ReflectionListsTheEventStoreService) {
  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto call = stub.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  // ServerReflectionRequest{list_services: ""}: field 7, length 0.
  grpc::Slice request(std::string("\x3a\x00", 2));
  grpc::ByteBuffer send(&request, 1);
  call->Write(send, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer recv;
  call->Read(&recv, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(recv.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  EXPECT_NE(bytes.find("oversight.v1.EventStore"), std::string::npos);
  ctx.TryCancel();
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(ServerTest, ExpiredDeadlineIsDeadlineExceededAndServerKeepsServing) {
  auto ctx = Context(absl::Seconds(-1));
  v1::AppendResponse response;
  grpc::Status s = stub_->Append(ctx.get(), AppendOne("s"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(MustAppend(AppendOne("s")).first_revision(), 0u);
}

// Starts the real oversightd binary, reads its "listening on" line, makes
// a call, sends SIGTERM and expects a clean exit that keeps the data. (The
// grace period is short because this process's idle connection to the
// server keeps the server's shutdown waiting until the grace ends.)
TEST(OversightdTest, StartsServesAndStopsCleanlyOnSigterm) {
  testing::TempDir dir;
  const std::string log_path = dir.Sub("oversightd.log");
  auto run = [&]() -> pid_t {
    pid_t pid = fork();
    if (pid == 0) {
      std::freopen(log_path.c_str(), "a", stderr);
      // One thread each: the server serves on the fewest it accepts.
      execl(OVERSIGHTD_PATH, OVERSIGHTD_PATH, "--listen=127.0.0.1:0",
            "--insecure_identity_from_metadata", "--shutdown_grace_seconds=2",
            "--subscription_threads=1", "--command_threads=1",
            ("--data_dir=" + dir.Sub("data")).c_str(), nullptr);
      _exit(127);
    }
    return pid;
  };
  auto wait_for = [&](const std::regex& pattern, std::smatch* match,
                      int occurrence) {
    for (int i = 0; i < 200; ++i) {
      std::ifstream in(log_path);
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::string text = buffer.str();
      int seen = 0;
      for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern);
           it != std::sregex_iterator(); ++it) {
        if (++seen == occurrence) {
          static std::string keep;
          keep = text;
          std::regex_search(keep.cbegin() + it->position(), keep.cend(), *match,
                            pattern);
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };

  const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
  for (int round = 1; round <= 2; ++round) {
    pid_t pid = run();
    std::smatch match;
    ASSERT_TRUE(wait_for(listening, &match, round)) << "no listening line";
    const std::string address = "127.0.0.1:" + match[1].str();
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = v1::EventStore::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
    auto ctx = ServiceTest::Context();  // as the operator
    v1::AppendResponse response;
    grpc::Status appended =
        stub->Append(ctx.get(), ServiceTest::AppendOne("s"), &response);
    ASSERT_TRUE(appended.ok()) << appended.error_message();
    // Positions continue across restarts.
    EXPECT_EQ(response.first_position(), static_cast<uint64_t>(round));

    stub.reset();
    ASSERT_EQ(kill(pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  std::ifstream in(log_path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("received SIGTERM; stopping"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("stopped; head position 2"), std::string::npos);
}

// Without TLS files oversightd does not start, unless told to serve the
// insecure test mode; with some of them only, neither.
TEST(OversightdTest, RefusesToStartWithoutTlsOrTheInsecureFlag) {
  testing::TempDir dir;
  const std::string log_path = dir.Sub("oversightd.log");
  auto run = [&](const std::vector<std::string>& flags) {
    std::remove(log_path.c_str());
    pid_t pid = fork();
    if (pid == 0) {
      std::freopen(log_path.c_str(), "a", stderr);
      std::vector<std::string> args = {OVERSIGHTD_PATH, "--listen=127.0.0.1:0",
                                       "--data_dir=" + dir.Sub("data")};
      args.insert(args.end(), flags.begin(), flags.end());
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(OVERSIGHTD_PATH, argv.data());
      _exit(127);
    }
    // A daemon that starts after all would serve until killed: wait 30 s
    // at most.
    int status = 0;
    pid_t waited = 0;
    for (int i = 0; i < 3000 && waited == 0; ++i) {
      waited = waitpid(pid, &status, WNOHANG);
      if (waited == 0) usleep(10000);
    }
    if (waited == 0) {
      ADD_FAILURE() << "oversightd did not exit";
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    std::ifstream in(log_path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1) << text.str();
    return text.str();
  };
  EXPECT_NE(run({}).find("--tls_cert"), std::string::npos);
  EXPECT_NE(run({"--tls_cert=" + dir.Sub("server.pem")}).find("all three"),
            std::string::npos);
  EXPECT_NE(run({"--tls_cert=a", "--tls_key=b", "--tls_client_ca=c",
                 "--insecure_identity_from_metadata"})
                .find("cannot be combined"),
            std::string::npos);
  EXPECT_NE(run({"--tls_cert=" + dir.Sub("missing.pem"),
                 "--tls_key=" + dir.Sub("missing.key"),
                 "--tls_client_ca=" + dir.Sub("ca.pem")})
                .find("cannot open"),
            std::string::npos);
  EXPECT_NE(
      run({"--insecure_identity_from_metadata", "--subscription_threads=0"})
          .find("--subscription_threads must be 1 to 256, got 0"),
      std::string::npos);
  EXPECT_NE(run({"--insecure_identity_from_metadata", "--command_threads=257"})
                .find("--command_threads must be 1 to 256, got 257"),
            std::string::npos);
  // Checked before the store is opened: a data directory that cannot be
  // one does not hide it.
  {
    std::ofstream not_a_dir(dir.Sub("file"));
    not_a_dir << "x";
  }
  const std::string refused =
      run({"--insecure_identity_from_metadata", "--data_dir=" + dir.Sub("file"),
           "--subscription_threads=300"});
  EXPECT_NE(refused.find("--subscription_threads must be 1 to 256, got 300"),
            std::string::npos)
      << refused;
  EXPECT_EQ(refused.find("cannot open event log"), std::string::npos)
      << refused;
}

// 1 and kMaxExecutorThreads are the bounds, both accepted.
TEST(OversightServerTest, AcceptsExecutorThreadCountsInRange) {
  for (int threads : {1, 2, kMaxExecutorThreads}) {
    ServerOptions options;
    options.subscription_threads = threads;
    options.command_threads = threads;
    EXPECT_TRUE(CheckExecutorThreads(options).ok()) << threads;
  }
}

// Each executor has 1 to kMaxExecutorThreads threads; Start refuses any
// other count first, before it reads any other option or opens a port.
TEST(OversightServerTest, RefusesExecutorThreadCountsOutOfRange) {
  for (int threads : {0, -1, kMaxExecutorThreads + 1}) {
    ServerOptions subscription;
    subscription.listen = "127.0.0.1:0";
    subscription.subscription_threads = threads;
    absl::Status s = OversightServer::Start(subscription, nullptr).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(absl::StrCat(
                  "--subscription_threads must be 1 to 256, got ", threads)),
              std::string::npos)
        << s;
    ServerOptions command;
    command.listen = "127.0.0.1:0";
    command.command_threads = threads;
    s = OversightServer::Start(command, nullptr).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(absl::StrCat(
                  "--command_threads must be 1 to 256, got ", threads)),
              std::string::npos)
        << s;
  }
}

}  // namespace
}  // namespace oversight::services
