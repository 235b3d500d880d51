// The Commands service end to end: a real server on a real log, driven
// through gRPC with identity from call metadata.

#include "services/command_service.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "eventstore/errors.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "oversight/v1/domain.pb.h"
#include "tests/services/command_fixture.h"
#include "tests/testing/forwarding_log.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;
using Stub = v1::Commands::Stub;

class CommandServiceTest : public CommandTest {
 protected:
  // Every domain event of `stream`, as stored.
  std::vector<v1::DomainEvent> StreamEvents(const std::string& stream) {
    std::vector<v1::DomainEvent> out;
    absl::StatusOr<es::ReadResult> read =
        store_->ReadStream(stream, 0, es::Direction::kForwards, 1000);
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok()) return out;
    for (const es::RecordedEvent& e : read->events) {
      EXPECT_TRUE(out.emplace_back().ParseFromString(e.data));
    }
    return out;
  }
};

TEST_F(CommandServiceTest, CommandsRecordDomainEventsWithTheirEnvelope) {
  SetUpWorld();
  const v1::CommandResult result = MustOk("police", &Stub::SubmitProgressUpdate,
                                          Update("u1", 1, "Work began"));
  EXPECT_EQ(result.stream(), "recommendation-r-1");
  EXPECT_EQ(result.revision(), 1u);
  EXPECT_EQ(result.entity_id(), "u1");
  EXPECT_FALSE(result.deduplicated());
  EXPECT_EQ(result.event_id(),
            CommandService::CommandEventId("police", "u1").ToString());

  absl::StatusOr<es::ReadResult> read =
      store_->ReadStream("recommendation-r-1", 1, es::Direction::kForwards, 10);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->events.size(), 1u);
  const es::RecordedEvent& recorded = read->events[0];
  EXPECT_EQ(recorded.position, result.position());
  EXPECT_EQ(recorded.type, "oversight.v1.ProgressUpdateSubmitted");
  v1::DomainEvent event;
  ASSERT_TRUE(event.ParseFromString(recorded.data));
  EXPECT_EQ(event.actor().agency_id(), "police");
  EXPECT_EQ(event.actor().person(), "test-person");
  EXPECT_EQ(event.request_id(), "u1");
  EXPECT_EQ(event.request_sha256().size(), 32u);
  EXPECT_EQ(event.classification(), v1::CLASSIFICATION_OFFICIAL);
  EXPECT_EQ(event.progress_update_submitted().agency_id(), "police");
  // occurred_at defaults to the server's now.
  EXPECT_EQ(event.occurred_at().seconds(), absl::ToUnixSeconds(TestNow()));
  EXPECT_EQ(result.occurred_at().seconds(), absl::ToUnixSeconds(TestNow()));
}

TEST_F(CommandServiceTest, RetryWithSameRequestReturnsTheOriginalResult) {
  SetUpWorld();
  const v1::CommandResult first = MustOk("police", &Stub::SubmitProgressUpdate,
                                         Update("u1", 1, "Work began"));
  const es::Position head = store_->Head().position;
  const v1::CommandResult again = MustOk("police", &Stub::SubmitProgressUpdate,
                                         Update("u1", 1, "Work began"));
  EXPECT_TRUE(again.deduplicated());
  EXPECT_EQ(again.position(), first.position());
  EXPECT_EQ(again.revision(), first.revision());
  EXPECT_EQ(again.entity_id(), "u1");
  EXPECT_EQ(again.occurred_at().seconds(), first.occurred_at().seconds());
  EXPECT_EQ(store_->Head().position, head);
}

TEST_F(CommandServiceTest, RetryIsRecognisedEvenAfterTheStateChanged) {
  SetUpWorld();
  const v1::CommandResult first = MustOk("police", &Stub::SubmitProgressUpdate,
                                         Update("u1", 1, "Work began"));
  v1::CloseRecommendationRequest close;
  close.mutable_closure()->set_review_id("r");
  close.mutable_closure()->set_number(1);
  close.mutable_closure()->set_decided_by("Commissioner");
  *close.mutable_closure()->mutable_rationale() = Text("Done");
  MustOk("opcc", &Stub::CloseRecommendation, Common(close, "close-1"));
  // A fresh update would now be refused, but the retry of the old one is
  // answered from the log.
  const v1::CommandResult again = MustOk("police", &Stub::SubmitProgressUpdate,
                                         Update("u1", 1, "Work began"));
  EXPECT_TRUE(again.deduplicated());
  EXPECT_EQ(again.position(), first.position());
  v1::SubmitProgressUpdateResponse response;
  std::string reason;
  grpc::Status s = Send("police", &Stub::SubmitProgressUpdate,
                        Update("u2", 1, "More"), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(reason, "RECOMMENDATION_CLOSED");
}

TEST_F(CommandServiceTest, SameRequestIdWithOtherContentIsAlreadyExists) {
  SetUpWorld();
  MustOk("police", &Stub::SubmitProgressUpdate, Update("u1", 1, "Work began"));
  const es::Position head = store_->Head().position;
  for (const auto& other :
       {Update("u1", 1, "Something else"), Update("u1", 2, "Work began")}) {
    v1::SubmitProgressUpdateResponse response;
    std::string reason;
    grpc::Status s =
        Send("police", &Stub::SubmitProgressUpdate, other, &response, &reason);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_EQ(reason, "REQUEST_ID_REUSED");
    EXPECT_FALSE(response.has_result());
  }
  EXPECT_EQ(store_->Head().position, head);
}

TEST_F(CommandServiceTest, RequestIdsAreScopedToTheActingAgency) {
  SetUpWorld();
  v1::IssueRecommendationRequest issue;
  issue.mutable_recommendation()->set_review_id("r");
  issue.mutable_recommendation()->set_number(3);
  *issue.mutable_recommendation()->mutable_text() = Text("Three");
  issue.mutable_recommendation()->set_owning_agency_id("partner");
  MustOk("opcc", &Stub::IssueRecommendation, Common(issue, "same-id"));
  const v1::CommandResult partner = MustOk(
      "partner", &Stub::SubmitProgressUpdate, Update("same-id", 3, "Begun"));
  EXPECT_FALSE(partner.deduplicated());
}

TEST_F(CommandServiceTest, RuleViolationsCarryCodeAndReasonAndWriteNothing) {
  SetUpWorld();
  const es::Position head = store_->Head().position;
  v1::SubmitProgressUpdateResponse response;
  std::string reason;
  grpc::Status s = Send("partner", &Stub::SubmitProgressUpdate,
                        Update("p1", 1, "Not mine"), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reason, "NOT_OWNING_AGENCY");
  s = Send("police", &Stub::SubmitProgressUpdate, Update("p2", 9, "Nothing"),
           &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason, "RECOMMENDATION_NOT_FOUND");
  s = Send("police", &Stub::SubmitProgressUpdate,
           Update("p3", 1, std::string(4001, 'x')), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "TEXT_TOO_LONG");
  v1::SubmitProgressUpdateRequest future = Update("p4", 1, "Tomorrow");
  future.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(TestNow()) +
                                            3600);
  s = Send("police", &Stub::SubmitProgressUpdate, future, &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason, "OCCURRED_IN_FUTURE");
  EXPECT_EQ(store_->Head().position, head);
}

TEST_F(CommandServiceTest, CallsWithoutIdentityAreUnauthenticated) {
  SetUpWorld();
  v1::SubmitProgressUpdateResponse response;
  std::string reason;
  grpc::Status s = Send("", &Stub::SubmitProgressUpdate,
                        Update("u1", 1, "Anonymous"), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason, "IDENTITY_MISSING");
  s = Send("unknown-agency", &Stub::SubmitProgressUpdate,
           Update("u1", 1, "Stranger"), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reason, "AGENCY_NOT_REGISTERED");
}

TEST_F(CommandServiceTest, WelshActorNamesTravelInTheBinaryHeader) {
  SetUpWorld();
  auto ctx = BareContext();
  ctx->AddMetadata("oversight-agency", "police");
  ctx->AddMetadata("oversight-role", "force");
  ctx->AddMetadata("oversight-actor-bin", "Siân Llŷr");
  v1::SubmitProgressUpdateResponse response;
  ASSERT_TRUE(commands_
                  ->SubmitProgressUpdate(
                      ctx.get(), Update("w1", 1, "Diweddariad"), &response)
                  .ok());
  EXPECT_EQ(StreamEvents("recommendation-r-1").back().actor().person(),
            "Siân Llŷr");
}

TEST_F(CommandServiceTest, CorrectionAndWithdrawalKeepTheOriginal) {
  SetUpWorld();
  MustOk("police", &Stub::SubmitProgressUpdate, Update("u1", 1, "Original"));
  v1::CorrectProgressUpdateRequest correct;
  correct.mutable_correction()->set_review_id("r");
  correct.mutable_correction()->set_number(1);
  correct.mutable_correction()->set_update_id("u1");
  *correct.mutable_correction()->add_bullets()->mutable_text() =
      Text("Corrected");
  *correct.mutable_correction()->mutable_reason() = Text("Wrong date");
  MustOk("police", &Stub::CorrectProgressUpdate, Common(correct, "c1"));
  v1::WithdrawProgressUpdateRequest withdraw;
  withdraw.mutable_withdrawal()->set_review_id("r");
  withdraw.mutable_withdrawal()->set_number(1);
  withdraw.mutable_withdrawal()->set_update_id("u1");
  *withdraw.mutable_withdrawal()->mutable_reason() = Text("Duplicate");
  MustOk("police", &Stub::WithdrawProgressUpdate, Common(withdraw, "w1"));

  const std::vector<v1::DomainEvent> events =
      StreamEvents("recommendation-r-1");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].progress_update_submitted().bullets(0).text().en(),
            "Original");
  EXPECT_EQ(events[2].progress_update_corrected().bullets(0).text().en(),
            "Corrected");
  EXPECT_EQ(events[3].progress_update_withdrawn().update_id(), "u1");
  v1::WithdrawProgressUpdateResponse response;
  std::string reason;
  grpc::Status s = Send("police", &Stub::WithdrawProgressUpdate,
                        Common(withdraw, "w2"), &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(reason, "UPDATE_WITHDRAWN");
}

TEST_F(CommandServiceTest, ConcurrentUpdatesToOneRecommendationAllLand) {
  SetUpWorld();
  constexpr int kWriters = 4;  // below kMaxAttempts: each must get through
  std::vector<std::thread> threads;
  std::vector<grpc::Status> statuses(kWriters);
  std::vector<v1::CommandResult> results(kWriters);
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      v1::SubmitProgressUpdateResponse response;
      statuses[i] =
          Send("police", &Stub::SubmitProgressUpdate,
               Update(absl::StrCat("c", i), 1, absl::StrCat("Writer ", i)),
               &response);
      results[i] = response.result();
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<uint64_t> revisions;
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    revisions.insert(results[i].revision());
  }
  EXPECT_EQ(revisions.size(), static_cast<size_t>(kWriters));
  EXPECT_EQ(StreamEvents("recommendation-r-1").size(), 1u + kWriters);
}

// Serves a log that lets another writer slip an event into the command's
// stream just before each of the command's first `interfere` appends: the
// handler's expected revision is then stale.
class InterferingLog final : public testing::ForwardingLog {
 public:
  InterferingLog(es::EventLog* log, int interfere)
      : ForwardingLog(log), left_(interfere) {}

  void AppendAsync(std::string stream, es::ExpectedRevision expected,
                   std::vector<es::ProposedEvent> events,
                   AppendCallback done) override {
    if (left_.fetch_sub(1) > 0) {
      ++interfered_;
      v1::DomainEvent other;
      other.set_classification(v1::CLASSIFICATION_OFFICIAL);
      other.mutable_actor()->set_agency_id("opcc");
      auto* x = other.mutable_cross_reference_recorded();
      x->set_review_id("r");
      x->set_number(1);
      x->set_reference_id(absl::StrCat("x", interfered_.load()));
      x->set_kind(v1::CROSS_REFERENCE_KIND_OTHER);
      x->mutable_title()->set_en("Slipped in");
      es::ProposedEvent e;
      e.id = es::EventId::Random();
      e.type = "oversight.v1.CrossReferenceRecorded";
      e.data = other.SerializeAsString();
      absl::StatusOr<es::AppendResult> r =
          base()->Append(stream, es::ExpectedRevision::Any(), {e});
      if (!r.ok()) ADD_FAILURE() << r.status();
    }
    ForwardingLog::AppendAsync(std::move(stream), expected, std::move(events),
                               std::move(done));
  }

  int interfered() const { return interfered_.load(); }

 private:
  std::atomic<int> left_;
  std::atomic<int> interfered_{0};
};

class InterferenceTest : public CommandServiceTest {
 protected:
  // Serves the store through an InterferingLog; returns its stub.
  std::unique_ptr<Stub> ServeInterfering(int interfere) {
    interfering_ = std::make_unique<InterferingLog>(store_.get(), interfere);
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.insecure_identity_from_metadata = true;
    options.clock = [] { return TestNow(); };
    auto server = OversightServer::Start(options, interfering_.get());
    EXPECT_TRUE(server.ok()) << server.status();
    second_ = *std::move(server);
    second_channel_ = grpc::CreateChannel(second_->address(),
                                          grpc::InsecureChannelCredentials());
    return v1::Commands::NewStub(second_channel_);
  }
  void TearDown() override {
    second_channel_.reset();
    if (second_) second_->Shutdown(absl::Seconds(1));
    second_.reset();
    CommandServiceTest::TearDown();
  }

  std::unique_ptr<InterferingLog> interfering_;
  std::unique_ptr<OversightServer> second_;
  std::shared_ptr<grpc::Channel> second_channel_;
};

TEST_F(InterferenceTest, HandlerRetriesWhenTheStreamMovedAndSucceeds) {
  SetUpWorld();
  std::unique_ptr<Stub> stub = ServeInterfering(2);
  auto ctx = As("police");
  v1::SubmitProgressUpdateResponse response;
  grpc::Status s = stub->SubmitProgressUpdate(
      ctx.get(), Update("u1", 1, "Despite interference"), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(interfering_->interfered(), 2);
  // Issued, two slipped-in events, then the update.
  EXPECT_EQ(response.result().revision(), 3u);
  EXPECT_EQ(StreamEvents("recommendation-r-1").size(), 4u);
}

TEST_F(InterferenceTest, HandlerGivesUpAbortedAfterBoundedAttempts) {
  SetUpWorld();
  std::unique_ptr<Stub> stub = ServeInterfering(1000);
  auto ctx = As("police");
  v1::SubmitProgressUpdateResponse response;
  grpc::Status s = stub->SubmitProgressUpdate(
      ctx.get(), Update("u1", 1, "Never lands"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "WRONG_EXPECTED_REVISION");
  EXPECT_EQ(interfering_->interfered(), CommandService::kMaxAttempts);
  // Only the slipped-in events were written; the command's never was.
  for (const v1::DomainEvent& e : StreamEvents("recommendation-r-1")) {
    EXPECT_FALSE(e.has_progress_update_submitted());
  }
}

// Keeps every append's callback, and what it holds, after calling it, as a
// log may (the store's writer thread drops a group's callbacks only after
// the whole group is answered): they go when this log goes, which is after
// the server in KeptCallbackTest.
class CallbackKeepingLog final : public testing::ForwardingLog {
 public:
  using ForwardingLog::ForwardingLog;

  void AppendAsync(std::string stream, es::ExpectedRevision expected,
                   std::vector<es::ProposedEvent> events,
                   AppendCallback done) override {
    auto kept = std::make_shared<AppendCallback>(std::move(done));
    {
      absl::MutexLock lock(&mu_);
      kept_.push_back(kept);
    }
    ForwardingLog::AppendAsync(
        std::move(stream), expected, std::move(events),
        [kept](absl::StatusOr<es::AppendResult> appended) {
          std::move (*kept)(std::move(appended));
        });
  }

  size_t kept() {
    absl::MutexLock lock(&mu_);
    return kept_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::shared_ptr<AppendCallback>> kept_ ABSL_GUARDED_BY(mu_);
};

class KeptCallbackTest : public CommandServiceTest {
 protected:
  void TearDown() override {
    // The server goes first, then the log with the callbacks it kept,
    // which must not reach into the destroyed server.
    second_channel_.reset();
    if (second_) second_->Shutdown(absl::Seconds(1));
    second_.reset();
    keeping_.reset();
    CommandServiceTest::TearDown();
  }

  std::unique_ptr<CallbackKeepingLog> keeping_;
  std::unique_ptr<OversightServer> second_;
  std::shared_ptr<grpc::Channel> second_channel_;
};

// A command lets go of its aggregate's key before it answers, not when the
// last reference to it goes: a log holding an answered append's callback
// neither holds up the next command on that aggregate nor, destroyed after
// the server, touches the server's sequencer (ASan and TSan saw that).
TEST_F(KeptCallbackTest, AnsweredCommandReleasesItsKeyBeforeItsCallbackGoes) {
  SetUpWorld();
  keeping_ = std::make_unique<CallbackKeepingLog>(store_.get());
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.insecure_identity_from_metadata = true;
  options.clock = [] { return TestNow(); };
  absl::StatusOr<std::unique_ptr<OversightServer>> server =
      OversightServer::Start(options, keeping_.get());
  ASSERT_TRUE(server.ok()) << server.status();
  second_ = *std::move(server);
  second_channel_ = grpc::CreateChannel(second_->address(),
                                        grpc::InsecureChannelCredentials());
  std::unique_ptr<Stub> stub = v1::Commands::NewStub(second_channel_);
  for (const char* id : {"u1", "u2", "u3"}) {
    auto ctx = As("police");
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
    v1::SubmitProgressUpdateResponse response;
    grpc::Status s = stub->SubmitProgressUpdate(
        ctx.get(), Update(id, 1, absl::StrCat("Update ", id)), &response);
    ASSERT_TRUE(s.ok()) << id << ": " << s.error_message();
  }
  EXPECT_EQ(keeping_->kept(), 3u);
  EXPECT_EQ(StreamEvents("recommendation-r-1").size(), 4u);
}

TEST(CommandServerTest, InsecureIdentityIsRefusedOffLoopback) {
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.insecure_identity_from_metadata = true;
  auto server = OversightServer::Start(options, nullptr);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
}

class NoIdentityTest : public CommandTest {
 protected:
  void SetUp() override {
    server_options_.insecure_identity_from_metadata = false;
    ServiceTest::SetUp();
    commands_ = v1::Commands::NewStub(channel_);
  }
};

TEST_F(NoIdentityTest, WithoutAnIdentityModeEveryCommandIsRefused) {
  v1::RegisterAgencyResponse response;
  std::string reason;
  grpc::Status s = Send("opcc", &Stub::RegisterAgency,
                        RegisterAgency("opcc", v1::AGENCY_KIND_REVIEWING_BODY),
                        &response, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason, "IDENTITY_MISSING");
  // The raw log asks the same gate, whatever the metadata claims.
  auto ctx = Context();
  v1::GetHeadResponse head;
  EXPECT_EQ(stub_->GetHead(ctx.get(), {}, &head).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "IDENTITY_MISSING");
  EXPECT_EQ(store_->Head().position, 0u);
}

}  // namespace
}  // namespace oversight::services

namespace oversight::services {
namespace {

// Sends `payload` as the raw request bytes of `method`.
grpc::Status SendRaw(std::shared_ptr<grpc::Channel> channel,
                     const std::string& method, const std::string& payload,
                     std::string* reason) {
  grpc::GenericStub stub(channel);
  auto ctx = ServiceTest::RoleContext("police", "force");
  grpc::Slice slice(payload);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  absl::Mutex mu;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   absl::MutexLock lock(&mu);
                   status = s;
                   done = true;
                 });
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&done));
  *reason = ServiceTest::Trailer(*ctx, "oversight-reason");
  return status;
}

TEST_F(CommandServiceTest, InvalidUtf8TextIsRefusedAndNothingWritten) {
  SetUpWorld();
  const es::Position head = store_->Head().position;
  v1::SubmitProgressUpdateRequest request =
      Update("bad-utf8", 1, "PLACEHOLDER");
  std::string bytes = request.SerializeAsString();
  const size_t at = bytes.find("PLACEHOLDER");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 11, "\xC3\x28 broken  ");  // same length, invalid UTF-8
  std::string reason;
  grpc::Status s = SendRaw(
      channel_, "/oversight.v1.Commands/SubmitProgressUpdate", bytes, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_code() << " " << s.error_message();
  EXPECT_EQ(reason, "MALFORMED_REQUEST");
  EXPECT_EQ(store_->Head().position, head);
  // The server keeps serving.
  MustOk("police", &Stub::SubmitProgressUpdate, Update("after", 1, "Fine"));
}

}  // namespace
}  // namespace oversight::services
