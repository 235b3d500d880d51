// Sending import lines (clients/import_dispatch.h) and `oversight import`
// (clients/import_command.h), against a fake Commands service on a loopback
// port that answers every method generically, the way oversightd does:
// a new (agency, request id) is applied at the next position, a known one
// is deduplicated, and a request id starting with "refuse" is refused.
// Also what --justification may be, and how it travels.

#include "clients/import_command.h"

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/cli_format.h"
#include "clients/import_dispatch.h"
#include "clients/import_file.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "tests/testing/temp_dir.h"

namespace oversight::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class FakeCommands : public grpc::CallbackGenericService {
 public:
  struct Call {
    std::string method;
    std::string agency;        // oversight-agency
    std::string role;          // oversight-role
    std::string on_behalf_of;  // oversight-on-behalf-of
    // The agency the command is for: on_behalf_of, else agency.
    std::string for_agency;
    std::string actor;      // oversight-actor
    std::string actor_bin;  // oversight-actor-bin
    std::string request_id;
    std::string justification;      // oversight-justification
    std::string justification_bin;  // oversight-justification-bin
  };

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Reactor(this, context);
  }

  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  // One unary call: read the request, answer once.
  class Reactor : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(FakeCommands* fake, grpc::GenericCallbackServerContext* context)
        : fake_(fake), context_(context) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INTERNAL, "no request"));
        return;
      }
      grpc::Status status = fake_->Handle(context_, request_, &response_);
      if (status.ok()) {
        StartWriteAndFinish(&response_, grpc::WriteOptions(), status);
      } else {
        Finish(status);
      }
    }
    void OnDone() override { delete this; }

   private:
    FakeCommands* fake_;
    grpc::GenericCallbackServerContext* context_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  static std::string Bytes(const grpc::ByteBuffer& buffer) {
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (!buffer.Dump(&slices).ok()) return bytes;
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    return bytes;
  }

  static grpc::ByteBuffer Buffer(const std::string& bytes) {
    grpc::Slice slice(bytes);
    return grpc::ByteBuffer(&slice, 1);
  }

  static std::string Metadata(grpc::GenericCallbackServerContext* context,
                              const std::string& key) {
    auto it = context->client_metadata().find(key);
    if (it == context->client_metadata().end()) return "";
    return std::string(it->second.data(), it->second.size());
  }

  grpc::Status Handle(grpc::GenericCallbackServerContext* context,
                      const grpc::ByteBuffer& in, grpc::ByteBuffer* out) {
    std::lock_guard<std::mutex> lock(mu_);
    if (context->method() == "/oversight.v1.EventStore/GetHead") {
      v1::GetHeadResponse head;
      head.set_position(head_);
      *out = Buffer(head.SerializeAsString());
      return grpc::Status::OK;
    }
    // Every request has request_id = 1, every response result = 1.
    v1::RegisterAgencyRequest request;
    request.ParseFromString(Bytes(in));
    Call call{context->method(),
              Metadata(context, kAgencyMetadataKey),
              Metadata(context, kRoleMetadataKey),
              Metadata(context, kOnBehalfOfMetadataKey),
              "",
              Metadata(context, kActorMetadataKey),
              Metadata(context, kActorBinMetadataKey),
              request.request_id(),
              Metadata(context, kJustificationMetadataKey),
              Metadata(context, kJustificationBinMetadataKey)};
    call.for_agency =
        call.on_behalf_of.empty() ? call.agency : call.on_behalf_of;
    calls_.push_back(call);
    if (absl::StartsWith(call.request_id, "refuse")) {
      context->AddTrailingMetadata("oversight-reason", "PERIOD_NOT_OPEN");
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "period 2024-01 is not open");
    }
    v1::RegisterAgencyResponse response;
    auto key = std::make_pair(call.for_agency, call.request_id);
    auto it = applied_.find(key);
    if (it == applied_.end()) {
      v1::CommandResult result;
      result.set_position(++head_);
      result.set_event_id(absl::StrCat("event-", head_));
      it = applied_.emplace(key, result).first;
      *response.mutable_result() = result;
    } else {
      *response.mutable_result() = it->second;
      response.mutable_result()->set_deduplicated(true);
    }
    *out = Buffer(response.SerializeAsString());
    return grpc::Status::OK;
  }

  std::mutex mu_;
  std::vector<Call> calls_;
  std::map<std::pair<std::string, std::string>, v1::CommandResult> applied_;
  uint64_t head_ = 0;
};

// An importer of the test mode.
const CallIdentity kImporter = {IdentityMode::kMetadata, "records-office",
                                "importer", ""};

class ImportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterCallbackGenericService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                       grpc::InsecureChannelCredentials());
    commands_ = v1::Commands::NewStub(channel);
    events_ = v1::EventStore::NewStub(channel);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  std::string Write(const std::string& content,
                    const std::string& name = "import.jsonl") {
    const std::string path = dir_.Sub(name);
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  // Runs the import of `path`; keeps what it printed.
  int Import(const std::string& path, bool quiet = false) {
    ImportOptions options;
    options.timeout = std::chrono::seconds(10);
    options.default_actor = "oversight-cli:tester";
    options.quiet = quiet;
    out_.str("");
    err_.str("");
    return RunImport(path, *commands_, events_.get(), options, out_, err_);
  }

  oversight::testing::TempDir dir_;
  FakeCommands fake_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Commands::Stub> commands_;
  std::unique_ptr<v1::EventStore::Stub> events_;
  std::ostringstream out_;
  std::ostringstream err_;
};

// Every command of ImportLine goes to the Commands method that takes its
// request type, with the line's identity as metadata.
TEST_F(ImportCommandTest, EveryCommandReachesItsMethod) {
  const google::protobuf::OneofDescriptor* commands =
      v1::ImportLine::descriptor()->FindOneofByName("command");
  const google::protobuf::ServiceDescriptor* service =
      v1::ImportLine::descriptor()->file()->FindServiceByName("Commands");
  ASSERT_NE(commands, nullptr);
  ASSERT_NE(service, nullptr);
  ASSERT_EQ(commands->field_count(), service->method_count());
  for (int i = 0; i < commands->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = commands->field(i);
    const google::protobuf::MethodDescriptor* method = nullptr;
    for (int m = 0; m < service->method_count(); ++m) {
      if (service->method(m)->input_type() == field->message_type()) {
        method = service->method(m);
      }
    }
    ASSERT_NE(method, nullptr) << field->name();
    v1::ImportLine line;
    line.set_agency("opcc");
    line.set_actor("j.jones");
    google::protobuf::Message* request =
        line.GetReflection()->MutableMessage(&line, field);
    request->GetReflection()->SetString(
        request, request->GetDescriptor()->FindFieldByName("request_id"),
        "req-" + field->name());

    CommandCall call = SendImportLine(*commands_, line, "default-actor",
                                      std::chrono::seconds(10), kImporter);
    ASSERT_TRUE(call.status.ok())
        << field->name() << ": " << call.status.error_message();
    EXPECT_EQ(call.result.position(), static_cast<uint64_t>(i + 1));
    EXPECT_FALSE(call.result.deduplicated());
    const FakeCommands::Call sent = fake_.calls().back();
    EXPECT_EQ(sent.method, "/oversight.v1.Commands/" + method->name());
    EXPECT_EQ(sent.request_id, "req-" + field->name());
    EXPECT_EQ(sent.agency, "records-office");
    EXPECT_EQ(sent.role, "importer");
    EXPECT_EQ(sent.on_behalf_of, "opcc");
    EXPECT_EQ(sent.actor, "j.jones");
    EXPECT_EQ(sent.actor_bin, "");
  }
}

TEST_F(ImportCommandTest, LineWithoutActorIsSentAsTheDefaultActor) {
  v1::ImportLine line;
  line.set_agency("force");
  line.mutable_raise_risk()->set_request_id("risk-1");
  CommandCall call = SendImportLine(*commands_, line, "oversight-cli:tester",
                                    std::chrono::seconds(10), kImporter);
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_EQ(fake_.calls().back().for_agency, "force");
  EXPECT_EQ(fake_.calls().back().actor, "oversight-cli:tester");
}

// Who a line is sent as: over TLS only the agency it is for (the
// certificate says who sends); in the test mode the caller's agency and
// role too, and the agency it is for only when it is another.
TEST_F(ImportCommandTest, IdentityMetadataByMode) {
  v1::ImportLine line;
  line.set_agency("opcc");
  line.mutable_assign_rating()->set_request_id("rate-1");
  ASSERT_TRUE(SendImportLine(*commands_, line, "", std::chrono::seconds(10),
                             {IdentityMode::kCertificate, "", "", ""})
                  .status.ok());
  FakeCommands::Call sent = fake_.calls().back();
  EXPECT_EQ(sent.agency, "");
  EXPECT_EQ(sent.role, "");
  EXPECT_EQ(sent.on_behalf_of, "opcc");

  line.mutable_assign_rating()->set_request_id("rate-2");
  ASSERT_TRUE(
      SendImportLine(*commands_, line, "", std::chrono::seconds(10),
                     {IdentityMode::kMetadata, "opcc", "reviewing-body", ""})
          .status.ok());
  sent = fake_.calls().back();
  EXPECT_EQ(sent.agency, "opcc");
  EXPECT_EQ(sent.role, "reviewing-body");
  EXPECT_EQ(sent.on_behalf_of, "");

  line.mutable_assign_rating()->set_request_id("rate-3");
  ASSERT_TRUE(SendImportLine(*commands_, line, "", std::chrono::seconds(10),
                             {IdentityMode::kMetadata, "opcc", "", ""})
                  .status.ok());
  EXPECT_EQ(fake_.calls().back().role, "");  // none stated
}

TEST_F(ImportCommandTest, ActorBeyondAsciiIsSentAsBinaryMetadata) {
  v1::ImportLine line;
  line.set_agency("opcc");
  line.set_actor("Siân Jones");
  line.mutable_assign_rating()->set_request_id("rate-1");
  CommandCall call =
      SendImportLine(*commands_, line, "", std::chrono::seconds(10), kImporter);
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_EQ(fake_.calls().back().actor_bin, "Siân Jones");
  EXPECT_EQ(fake_.calls().back().actor, "");
}

// Why the caller reads goes with every call, in either mode: ASCII as it
// is, Welsh in the binary header.
TEST_F(ImportCommandTest, JustificationTravelsAsAsciiOrBinaryMetadata) {
  v1::ImportLine line;
  line.set_agency("opcc");
  line.mutable_assign_rating()->set_request_id("rate-1");
  CallIdentity identity = kImporter;
  ASSERT_TRUE(
      SendImportLine(*commands_, line, "", std::chrono::seconds(10), identity)
          .status.ok());
  EXPECT_EQ(fake_.calls().back().justification, "");
  EXPECT_EQ(fake_.calls().back().justification_bin, "");

  identity.justification = "Complaint 2025/17: review of case handling";
  line.mutable_assign_rating()->set_request_id("rate-2");
  ASSERT_TRUE(
      SendImportLine(*commands_, line, "", std::chrono::seconds(10), identity)
          .status.ok());
  EXPECT_EQ(fake_.calls().back().justification,
            "Complaint 2025/17: review of case handling");
  EXPECT_EQ(fake_.calls().back().justification_bin, "");

  identity = {IdentityMode::kCertificate, "", "",
              "Cwyn 2025/17: adolygu'r ffordd yr ymdriniwyd â'r achos"};
  line.mutable_assign_rating()->set_request_id("rate-3");
  ASSERT_TRUE(
      SendImportLine(*commands_, line, "", std::chrono::seconds(10), identity)
          .status.ok());
  EXPECT_EQ(fake_.calls().back().justification, "");
  EXPECT_EQ(fake_.calls().back().justification_bin,
            "Cwyn 2025/17: adolygu'r ffordd yr ymdriniwyd â'r achos");
}

TEST(ParseJustificationTest, OneLineOfTextTrimmed) {
  EXPECT_EQ(*ParseJustification(""), "");
  EXPECT_EQ(*ParseJustification("  \t "), "");
  EXPECT_EQ(*ParseJustification(" Complaint 2025/17\n"), "Complaint 2025/17");
  EXPECT_EQ(*ParseJustification("Cwyn 2025/17: â'r achos"),
            "Cwyn 2025/17: â'r achos");
  EXPECT_EQ(ParseJustification(std::string(1000, 'x'))->size(), 1000u);
  // Welsh counts in bytes, as sent: 500 "â" are 1000 bytes.
  std::string welsh;
  for (int i = 0; i < 500; ++i) welsh += "â";
  EXPECT_TRUE(ParseJustification(welsh).ok());
}

TEST(ParseJustificationTest, WhatTheServerWouldRefuseIsRefusedHere) {
  struct Case {
    std::string text;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {std::string(1001, 'x'), "1001 bytes; at most 1000"},
           {std::string(499, 'x') + std::string("\xC3\xA2") +
                std::string(500, 'y'),
            "1001 bytes"},
           {"first line\nsecond line", "one line of text; it holds U+000A"},
           {"a\ttab", "U+0009"},
           {"bell\x07", "U+0007"},
           {"del\x7F", "U+007F"},
           {"c1 \xC2\x85 next line", "U+0085"},
           {"line\xE2\x80\xA8separator", "U+2028"},
           {"override \xE2\x80\xAEtxet", "U+202E"},
           {"not utf-8 \xC3", "not UTF-8"},
           {"overlong \xC0\xAF", "not UTF-8"},
           {"surrogate \xED\xA0\x80", "not UTF-8"},
       }) {
    absl::StatusOr<std::string> parsed = ParseJustification(c.text);
    ASSERT_FALSE(parsed.ok()) << c.why;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.why));
  }
}

TEST_F(ImportCommandTest, RefusalKeepsTheReasonTrailer) {
  v1::ImportLine line;
  line.set_agency("opcc");
  line.mutable_assign_rating()->set_request_id("refuse-1");
  CommandCall call =
      SendImportLine(*commands_, line, "", std::chrono::seconds(10), kImporter);
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FormatStatus(call.status, *call.context),
            "FAILED_PRECONDITION (PERIOD_NOT_OPEN): period 2024-01 is not "
            "open");
  EXPECT_EQ(ExitCodeFor(call.status, *call.context), kExitRefused);
}

TEST_F(ImportCommandTest, LineWithoutCommandFailsLocally) {
  v1::ImportLine line;
  line.set_agency("opcc");
  CommandCall call =
      SendImportLine(*commands_, line, "", std::chrono::seconds(10), kImporter);
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(fake_.calls().empty());
}

constexpr char kThreeLines[] =
    "# Three commands.\n"
    R"({"agency": "opcc", "openReview": {"requestId": "open"}})"
    "\n\n"
    R"({"agency": "opcc", "issueRecommendation": {"requestId": "rec-1"}})"
    "\n"
    R"({"agency": "force", "actor": "a.force", "submitProgressUpdate": )"
    R"({"requestId": "upd-1"}})"
    "\n";

TEST_F(ImportCommandTest, ImportsInOrderAndRunningAgainIsSafe) {
  const std::string path = Write(kThreeLines);
  ASSERT_EQ(Import(path), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "imported 3 lines: 3 applied, 0 already applied; head position "
            "3\n");
  EXPECT_EQ(err_.str(),
            "[1/3] line 2 open_review: applied, position 1\n"
            "[2/3] line 4 issue_recommendation: applied, position 2\n"
            "[3/3] line 5 submit_progress_update: applied, position 3\n");
  std::vector<FakeCommands::Call> calls = fake_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].method, "/oversight.v1.Commands/OpenReview");
  EXPECT_EQ(calls[0].actor, "oversight-cli:tester");
  // By default, the test mode's importer: the CLI's own agency.
  EXPECT_EQ(calls[0].agency, "oversight-cli");
  EXPECT_EQ(calls[0].role, "importer");
  EXPECT_EQ(calls[0].on_behalf_of, "opcc");
  EXPECT_EQ(calls[1].method, "/oversight.v1.Commands/IssueRecommendation");
  EXPECT_EQ(calls[2].method, "/oversight.v1.Commands/SubmitProgressUpdate");
  EXPECT_EQ(calls[2].for_agency, "force");
  EXPECT_EQ(calls[2].actor, "a.force");

  ASSERT_EQ(Import(path), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "imported 3 lines: 0 applied, 3 already applied; head position "
            "3\n");
  EXPECT_THAT(err_.str(),
              HasSubstr("[1/3] line 2 open_review: already applied, position "
                        "1\n"));
}

TEST_F(ImportCommandTest, QuietPrintsOnlyTheSummary) {
  ASSERT_EQ(Import(Write(kThreeLines), /*quiet=*/true), kExitOk);
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(out_.str(),
            "imported 3 lines: 3 applied, 0 already applied; head position "
            "3\n");
}

TEST_F(ImportCommandTest, StopsAtTheFirstRefusedLine) {
  const std::string path = Write(absl::StrCat(
      R"({"agency": "opcc", "openReview": {"requestId": "open"}})", "\n",
      R"({"agency": "opcc", "assignRating": {"requestId": "refuse-r"}})", "\n",
      R"({"agency": "opcc", "issueRecommendation": {"requestId": "rec-1"}})",
      "\n"));
  EXPECT_EQ(Import(path), kExitRefused);
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(),
              HasSubstr("line 2: FAILED_PRECONDITION (PERIOD_NOT_OPEN): "
                        "period 2024-01 is not open\n"));
  EXPECT_THAT(err_.str(),
              HasSubstr(absl::StrCat("import stopped at ", path,
                                     ":2 (assign_rating \"refuse-r\") after 1 "
                                     "applied, 0 already applied; 1 later "
                                     "lines not sent.")));
  ASSERT_EQ(fake_.calls().size(), 2u);  // Line 3 was not sent.
}

TEST_F(ImportCommandTest, BadLineStopsTheImportBeforeAnythingIsSent) {
  const std::string path = Write(absl::StrCat(
      R"({"agency": "opcc", "openReview": {"requestId": "open"}})", "\n",
      "# fine so far\n", R"({"agency": "opcc", "openReveiw": {}})", "\n"));
  EXPECT_EQ(Import(path), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith(path + ":3: not a valid ImportLine"));
  EXPECT_TRUE(fake_.calls().empty());

  EXPECT_EQ(Import(dir_.Sub("missing.jsonl")), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("oversight: cannot open "));
  EXPECT_THAT(err_.str(), HasSubstr("missing.jsonl"));
}

TEST_F(ImportCommandTest, UnreachableServerIsExitThree) {
  auto channel =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  auto commands = v1::Commands::NewStub(channel);
  ImportOptions options;
  options.timeout = std::chrono::seconds(5);
  EXPECT_EQ(
      RunImport(Write(kThreeLines), *commands, nullptr, options, out_, err_),
      kExitUnreachable);
  EXPECT_THAT(err_.str(), StartsWith("line 2: UNAVAILABLE"));
}

TEST_F(ImportCommandTest, WithoutHeadTheSummaryGivesTheLastPosition) {
  ImportOptions options;
  EXPECT_EQ(
      RunImport(Write(kThreeLines), *commands_, nullptr, options, out_, err_),
      kExitOk);
  EXPECT_EQ(out_.str(),
            "imported 3 lines: 3 applied, 0 already applied; last position "
            "3\n");
}

}  // namespace
}  // namespace oversight::cli
