// The access log (services/access_log.h) against a real RocksEventStore:
// what Record writes, the justification metadata, the recorded query text,
// and ListAccessLog's filters, pages and tokens.

#include "services/access_log.h"

#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "eventstore/rocks_event_store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/test/server_context_test_spouse.h"
#include "gtest/gtest.h"
#include "projections/validation.h"
#include "services/raw_append_policy.h"
#include "tests/testing/forwarding_log.h"
#include "tests/testing/temp_dir.h"

namespace oversight::services {
namespace {

namespace es = ::oversight::eventstore;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kMethod[] = "/oversight.v1.Queries/ListHistory";
// Two UTF-8 header values with Welsh in them.
constexpr char kWelsh[] =
    "Adolygiad o g\xC5\xB5yn 17: \xE2\x80\x9C"
    "achos stelcio\xE2\x80\x9D";  // Adolygiad o gŵyn 17: “achos stelcio”

std::string Reason(const absl::Status& status) {
  return es::ReasonOf(status).value_or("");
}

absl::Time At(const std::string& rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error))
      << error;
  return t;
}

google::protobuf::Timestamp Ts(const std::string& rfc3339) {
  const absl::Time t = At(rfc3339);
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(out.seconds()))));
  return out;
}

Caller AuditorCaller(const std::string& agency = "hmicfrs",
                     const std::string& person = "Inspector Rees") {
  Caller caller;
  caller.role = Role::kAuditor;
  caller.authenticated_agency_id = agency;
  caller.actor.set_agency_id(agency);
  caller.actor.set_person(person);
  return caller;
}

// The OPCC's importer typing in for the force.
Caller ImporterCaller() {
  Caller caller;
  caller.role = Role::kImporter;
  caller.authenticated_agency_id = "dyfed-powys-opcc";
  caller.actor.set_agency_id("dyfed-powys-police");
  caller.actor.set_person("import:january-2025-report");
  caller.actor.set_recorded_by_agency_id("dyfed-powys-opcc");
  caller.actor.set_recorded_by_person("OPCC importer");
  return caller;
}

Access Consultation(std::vector<uint64_t> positions = {1}) {
  Access access;
  access.kind = v1::ACCESS_KIND_CONSULTATION;
  access.method = kMethod;
  access.query = R"({"reviewId":"dyfed-powys-stalking-2023"})";
  access.positions = std::move(positions);
  access.justification = "Annual audit 2025";
  return access;
}

// An event log whose appends all fail with a given status; reads go to
// the store beneath.
class FailingAppends final : public testing::ForwardingLog {
 public:
  FailingAppends(es::EventLog* base, absl::Status status)
      : ForwardingLog(base), status_(std::move(status)) {}
  void AppendAsync(std::string, es::ExpectedRevision,
                   std::vector<es::ProposedEvent>,
                   AppendCallback done) override {
    std::move(done)(status_);
  }

 private:
  const absl::Status status_;
};

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  // Opens the store in dir_ and an AccessLog on it whose clock is now_.
  void Open(bool sync = true) {
    access_.reset();
    store_.reset();
    es::RocksEventStore::Options options;
    options.sync = sync;
    auto store = es::RocksEventStore::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    access_ =
        std::make_unique<AccessLog>(store_.get(), [this] { return now_; });
  }

  // Appends `n` events to a stream that is not the access log.
  void AppendOther(int n, const std::string& stream = "notes-1") {
    for (int i = 0; i < n; ++i) {
      es::ProposedEvent e;
      e.id = es::EventId::Random();
      e.type = "example.Noted";
      e.data = absl::StrCat("note ", i);
      ASSERT_TRUE(
          store_->Append(stream, es::ExpectedRevision::Any(), {e}).ok());
    }
  }

  // The events of the access log, in order.
  std::vector<es::RecordedEvent> AccessStream() {
    absl::StatusOr<es::ReadResult> read = store_->ReadStream(
        kAccessLogStream, 0, es::Direction::kForwards, es::kMaxReadCount);
    if (absl::IsNotFound(read.status())) return {};
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? read->events : std::vector<es::RecordedEvent>{};
  }

  // Records `access` as `caller` at `when`; its position.
  uint64_t RecordAt(const Caller& caller, Access access, absl::Time when) {
    now_ = when;
    absl::StatusOr<uint64_t> position =
        access_->Record(caller, std::move(access));
    EXPECT_TRUE(position.ok()) << position.status();
    return position.value_or(0);
  }

  // One page; fails the test on an error.
  v1::ListAccessLogResponse List(const v1::ListAccessLogRequest& request) {
    v1::ListAccessLogResponse response;
    absl::Status s = ListAccessLog(store_.get(), tokens_, request, &response);
    EXPECT_TRUE(s.ok()) << s;
    return response;
  }

  absl::Status ListStatus(const v1::ListAccessLogRequest& request) {
    v1::ListAccessLogResponse response;
    return ListAccessLog(store_.get(), tokens_, request, &response);
  }

  // Every page of `request`, as positions; checks that every page
  // reflects the position the first did.
  std::vector<uint64_t> ListAll(v1::ListAccessLogRequest request,
                                int* pages = nullptr) {
    std::vector<uint64_t> positions;
    uint64_t reflects = 0;
    for (int page = 0;; ++page) {
      v1::ListAccessLogResponse response = List(request);
      if (page == 0) reflects = response.reflects().position();
      EXPECT_EQ(response.reflects().position(), reflects);
      for (const v1::AccessLogEntry& e : response.entries()) {
        positions.push_back(e.position());
      }
      if (response.next_page_token().empty() || page > 1000) {
        if (pages != nullptr) *pages = page + 1;
        break;
      }
      request.set_page_token(response.next_page_token());
    }
    return positions;
  }

  testing::TempDir dir_;
  std::unique_ptr<es::RocksEventStore> store_;
  absl::Time now_ = At("2025-02-03T10:00:00.123456Z");
  std::unique_ptr<AccessLog> access_;
  PageTokens tokens_{"access-log-test-key"};
};

// --- Record -----------------------------------------------------------

TEST_F(AccessLogTest, RecordWritesOneEventWithEveryField) {
  AppendOther(3);
  const es::ChainHead before = store_->Head();
  Access access;
  access.kind = v1::ACCESS_KIND_DISCLOSURE;
  access.method = "/oversight.v1.Queries/GetReport";
  access.query =
      R"({"reviewId":"dyfed-powys-stalking-2023","period":"2025-01"})";
  access.positions = {9, 3, 7, 3, 9};
  access.justification = kWelsh;
  access.recipients = {"Police and Crime Panel", "Panel yr Heddlu"};

  absl::StatusOr<uint64_t> position = access_->Record(ImporterCaller(), access);
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(*position, before.position + 1);
  EXPECT_EQ(store_->Head().position, before.position + 1);

  std::vector<es::RecordedEvent> stream = AccessStream();
  ASSERT_EQ(stream.size(), 1u);
  const es::RecordedEvent recorded = stream[0];
  EXPECT_EQ(recorded.position, *position);
  EXPECT_EQ(recorded.stream, kAccessLogStream);
  EXPECT_EQ(recorded.revision, 0u);
  EXPECT_EQ(recorded.type, "oversight.v1.AccessRecorded");
  EXPECT_EQ(recorded.metadata, "");

  v1::DomainEvent event;
  ASSERT_TRUE(event.ParseFromString(recorded.data));
  // When: the clock's time, to the microsecond.
  EXPECT_EQ(event.occurred_at().seconds(), absl::ToUnixSeconds(now_));
  EXPECT_EQ(event.occurred_at().nanos(), 123456000);
  EXPECT_EQ(event.classification(), v1::CLASSIFICATION_OFFICIAL);
  // Who, with the importer who typed it.
  EXPECT_EQ(event.actor().agency_id(), "dyfed-powys-police");
  EXPECT_EQ(event.actor().person(), "import:january-2025-report");
  EXPECT_EQ(event.actor().recorded_by_agency_id(), "dyfed-powys-opcc");
  EXPECT_EQ(event.actor().recorded_by_person(), "OPCC importer");
  // A fresh request id, from which the event id derives.
  EXPECT_TRUE(es::EventId::Parse(event.request_id()).ok())
      << event.request_id();
  EXPECT_EQ(recorded.id, AccessLog::AccessEventId(event.request_id()));
  EXPECT_TRUE(IsCommandEventId(recorded.id));  // raw appends may not use it
  EXPECT_TRUE(event.request_sha256().empty());
  // What.
  ASSERT_TRUE(event.has_access_recorded());
  const v1::AccessRecorded& a = event.access_recorded();
  EXPECT_EQ(a.kind(), v1::ACCESS_KIND_DISCLOSURE);
  EXPECT_EQ(a.method(), "/oversight.v1.Queries/GetReport");
  EXPECT_EQ(a.query(), access.query);
  EXPECT_THAT(a.positions(), ElementsAre(3, 7, 9));
  EXPECT_EQ(a.justification(), kWelsh);
  EXPECT_THAT(a.recipients(),
              ElementsAre("Police and Crime Panel", "Panel yr Heddlu"));
  EXPECT_EQ(a.role(), "importer");

  // The chain still verifies, through the new record.
  absl::StatusOr<es::VerifyResult> verified = store_->Verify(1, 0);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok) << verified->problem;
  EXPECT_EQ(verified->to, *position);
  EXPECT_EQ(verified->head_hash, store_->Head().hash);

  // It reads back by id, and after reopening the store.
  absl::StatusOr<es::RecordedEvent> by_id = store_->ReadEvent(recorded.id);
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->data, recorded.data);
  Open();
  stream = AccessStream();
  ASSERT_EQ(stream.size(), 1u);
  EXPECT_EQ(stream[0].data, recorded.data);
  EXPECT_EQ(stream[0].hash, recorded.hash);
}

TEST_F(AccessLogTest, EachRecordIsItsOwnEventWithItsOwnRequestId) {
  Caller auditor = AuditorCaller();
  const uint64_t first = RecordAt(auditor, Consultation({5}), now_);
  const uint64_t second = RecordAt(auditor, Consultation({5}), now_);
  EXPECT_EQ(second, first + 1);
  std::vector<es::RecordedEvent> stream = AccessStream();
  ASSERT_EQ(stream.size(), 2u);
  v1::DomainEvent a, b;
  ASSERT_TRUE(a.ParseFromString(stream[0].data));
  ASSERT_TRUE(b.ParseFromString(stream[1].data));
  EXPECT_NE(a.request_id(), b.request_id());
  EXPECT_NE(stream[0].id, stream[1].id);
  EXPECT_EQ(a.access_recorded().role(), "auditor");
  EXPECT_TRUE(a.actor().recorded_by_agency_id().empty());
  EXPECT_TRUE(a.access_recorded().recipients().empty());

  Caller no_role = AuditorCaller();
  no_role.role = Role::kUnspecified;
  RecordAt(no_role, Consultation(), now_);
  v1::DomainEvent c;
  ASSERT_TRUE(c.ParseFromString(AccessStream().back().data));
  EXPECT_EQ(c.access_recorded().role(), "unspecified");
}

TEST_F(AccessLogTest, RecordTrimsAndChecksTheJustificationItIsGiven) {
  Access access = Consultation();
  access.justification = "  Audit 17 \n";
  RecordAt(AuditorCaller(), access, now_);
  v1::DomainEvent event;
  ASSERT_TRUE(event.ParseFromString(AccessStream().back().data));
  EXPECT_EQ(event.access_recorded().justification(), "Audit 17");

  access.justification = "line one\nline two";
  absl::StatusOr<uint64_t> refused = access_->Record(AuditorCaller(), access);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_EQ(Reason(refused.status()), kReasonJustificationInvalid);
  EXPECT_EQ(AccessStream().size(), 1u);
}

TEST_F(AccessLogTest, RecordRefusesWhatCannotBeRecordedAndWritesNothing) {
  AppendOther(1);
  const uint64_t head = store_->Head().position;
  struct Case {
    const char* name;
    std::function<void(Access*, Caller*)> change;
    absl::StatusCode code;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"no kind",
       [](Access* a, Caller*) { a->kind = v1::ACCESS_KIND_UNSPECIFIED; },
       absl::StatusCode::kInternal, ""},
      {"no method", [](Access* a, Caller*) { a->method.clear(); },
       absl::StatusCode::kInternal, ""},
      {"no caller", [](Access*, Caller* c) { c->actor.Clear(); },
       absl::StatusCode::kInternal, ""},
      {"recipient with a control character",
       [](Access* a, Caller*) { a->recipients = {"Panel\x01"}; },
       absl::StatusCode::kInvalidArgument, "INVALID_TEXT"},
      {"blank recipient", [](Access* a, Caller*) { a->recipients = {"  "}; },
       absl::StatusCode::kInvalidArgument, "MISSING_FIELD"},
      {"too many recipients",
       [](Access* a, Caller*) {
         a->recipients.assign(kMaxRecipients + 1, "Panel");
       },
       absl::StatusCode::kInvalidArgument, "TOO_MANY_ITEMS"},
      {"justification too long",
       [](Access* a, Caller*) { a->justification.assign(1001, 'a'); },
       absl::StatusCode::kInvalidArgument, kReasonJustificationInvalid},
      {"over the log's event size",
       [](Access* a, Caller*) {
         a->query.assign(es::kMaxEventDataBytes + 1, 'q');
       },
       absl::StatusCode::kInvalidArgument, "EVENT_TOO_LARGE"},
  };
  for (const Case& c : cases) {
    Access access = Consultation();
    Caller caller = AuditorCaller();
    c.change(&access, &caller);
    absl::StatusOr<uint64_t> r = access_->Record(caller, access);
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status();
    if (!c.reason.empty()) {
      EXPECT_EQ(Reason(r.status()), c.reason) << c.name;
    }
  }
  EXPECT_EQ(store_->Head().position, head);
  EXPECT_THAT(AccessStream(), IsEmpty());
}

TEST_F(AccessLogTest, RecordOnAClosedStoreIsUnavailableAndWritesNothing) {
  AppendOther(2);
  const es::ChainHead head = store_->Head();
  store_->Close();
  absl::StatusOr<uint64_t> r =
      access_->Record(AuditorCaller(), Consultation({1, 2}));
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
  EXPECT_EQ(Reason(r.status()), "STORE_CLOSED");

  Open();
  EXPECT_EQ(store_->Head().position, head.position);
  EXPECT_EQ(store_->Head().hash, head.hash);
  EXPECT_THAT(AccessStream(), IsEmpty());
}

TEST_F(AccessLogTest, AnyStorageFailureIsUnavailable) {
  const struct {
    absl::Status failure;
    std::string reason;
  } cases[] = {
      {es::WithReason(absl::UnavailableError("disk full"),
                      es::kReasonStorageUnavailable),
       "STORAGE_UNAVAILABLE"},
      {es::WithReason(absl::UnavailableError("busy"), es::kReasonOverloaded),
       "OVERLOADED"},
      {absl::DataLossError("the chain is broken"), "STORAGE_UNAVAILABLE"},
      {absl::InternalError("rocksdb said no"), "STORAGE_UNAVAILABLE"},
  };
  for (const auto& c : cases) {
    FailingAppends failing(store_.get(), c.failure);
    AccessLog log(&failing, [this] { return now_; });
    absl::StatusOr<uint64_t> r = log.Record(AuditorCaller(), Consultation());
    EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
    EXPECT_EQ(Reason(r.status()), c.reason) << r.status();
    EXPECT_THAT(std::string(r.status().message()),
                ::testing::HasSubstr(std::string(c.failure.message())));
  }
  EXPECT_EQ(store_->Head().position, 0u);
}

// --- JustificationOf ----------------------------------------------------

absl::StatusOr<std::string> JustificationFrom(
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  grpc::ServerContext context;
  grpc::testing::ServerContextTestSpouse spouse(&context);
  for (const auto& [key, value] : metadata)
    spouse.AddClientMetadata(key, value);
  return JustificationOf(context);
}

void ExpectInvalid(const absl::StatusOr<std::string>& j,
                   const std::string& what) {
  EXPECT_TRUE(absl::IsInvalidArgument(j.status()))
      << what << ": " << j.status();
  EXPECT_EQ(Reason(j.status()), kReasonJustificationInvalid) << what;
}

TEST(JustificationTest, NoneWhenNotGivenOrBlank) {
  EXPECT_EQ(JustificationFrom({}).value_or("?"), "");
  EXPECT_EQ(JustificationFrom({{"oversight-actor", "x"}}).value_or("?"), "");
  EXPECT_EQ(JustificationFrom({{kJustificationMetadataKey, ""}}).value_or("?"),
            "");
  EXPECT_EQ(
      JustificationFrom({{kJustificationMetadataKey, "   "}}).value_or("?"),
      "");
  // No-break space, ideographic space, zero-width space, a newline.
  EXPECT_EQ(JustificationFrom({{kJustificationBinMetadataKey,
                                "\xC2\xA0\xE3\x80\x80\xE2\x80\x8B\n"}})
                .value_or("?"),
            "");
}

TEST(JustificationTest, AsciiAndUtf8AreTrimmed) {
  EXPECT_EQ(JustificationFrom({{kJustificationMetadataKey,
                                "  Audit 2025/17: complaint review  "}})
                .value_or("?"),
            "Audit 2025/17: complaint review");
  EXPECT_EQ(
      JustificationFrom({{kJustificationBinMetadataKey, kWelsh}}).value_or("?"),
      kWelsh);
  EXPECT_EQ(JustificationFrom({{kJustificationBinMetadataKey,
                                absl::StrCat("\xC2\xA0 ", kWelsh, "\n")}})
                .value_or("?"),
            kWelsh);
  // Inner white space stays.
  EXPECT_EQ(
      JustificationFrom({{kJustificationMetadataKey, "a  b"}}).value_or("?"),
      "a  b");
}

TEST(JustificationTest, BothHeadersOrOneTwiceAreRefused) {
  ExpectInvalid(JustificationFrom({{kJustificationMetadataKey, "audit"},
                                   {kJustificationBinMetadataKey, kWelsh}}),
                "both");
  ExpectInvalid(JustificationFrom({{kJustificationMetadataKey, "audit"},
                                   {kJustificationBinMetadataKey, ""}}),
                "both, one empty");
  ExpectInvalid(JustificationFrom({{kJustificationMetadataKey, "audit"},
                                   {kJustificationMetadataKey, "again"}}),
                "twice");
}

TEST(JustificationTest, AtMost1000Bytes) {
  const std::string limit(kMaxJustificationBytes, 'a');
  EXPECT_EQ(
      JustificationFrom({{kJustificationMetadataKey, limit}}).value_or("?"),
      limit);
  ExpectInvalid(JustificationFrom({{kJustificationMetadataKey, limit + "a"}}),
                "1001 bytes");
  // Bytes, not characters: 500 two-byte characters fit, 501 do not.
  std::string w;
  for (int i = 0; i < 500; ++i) w += "\xC5\xB5";
  EXPECT_EQ(
      JustificationFrom({{kJustificationBinMetadataKey, w}}).value_or("?"), w);
  ExpectInvalid(
      JustificationFrom({{kJustificationBinMetadataKey, w + "\xC5\xB5"}}),
      "1002 bytes");
}

TEST(JustificationTest, ControlCharactersAndBadUtf8AreRefused) {
  for (const std::string& value :
       {std::string("audit\x01x"), std::string("line\nline"),
        std::string("tab\there"), std::string("cr\rhere"),
        std::string("del\x7Fhere"), std::string("nel\xC2\x85here"),
        std::string("bidi \xE2\x80\xAEreversed"),  // U+202E
        std::string("isolate \xE2\x81\xA6x"),      // U+2066
        std::string("para\xE2\x80\xA9graph"),      // U+2029 inside
        std::string("nul\0here", 8)}) {
    ExpectInvalid(JustificationFrom({{kJustificationBinMetadataKey, value}}),
                  absl::CHexEscape(value));
  }
  for (const std::string& value :
       {std::string("\xFF\xFE"), std::string("half \xC5"),
        std::string("overlong \xC0\xAF"),
        std::string("surrogate \xED\xA0\x80")}) {
    ExpectInvalid(JustificationFrom({{kJustificationBinMetadataKey, value}}),
                  absl::CHexEscape(value));
  }
}

// Over a real call: gRPC carries the -bin header base64-encoded and hands
// the handler the UTF-8 bytes.
class JustificationEcho final : public grpc::CallbackGenericService {
 public:
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
    absl::StatusOr<std::string> j = JustificationOf(*context);
    return new Reactor(j.ok() ? "ok:" + *j : "refused:" + Reason(j.status()));
  }
};

TEST(JustificationTest, Utf8HeaderOverARealCall) {
  JustificationEcho service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterCallbackGenericService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());

  auto ask = [&](const std::vector<std::pair<std::string, std::string>>& md) {
    grpc::GenericStub stub(channel);
    grpc::CompletionQueue cq;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    for (const auto& [key, value] : md) ctx.AddMetadata(key, value);
    grpc::Slice slice(std::string("?"));
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::Status status;
    auto call = stub.PrepareUnaryCall(&ctx, "/test.Echo/Echo", request, &cq);
    call->StartCall();
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    if (!status.ok()) return absl::StrCat("call failed: ", status.error_code());
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(response.Dump(&slices).ok());
    std::string out;
    for (const grpc::Slice& s : slices) {
      out.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return out;
  };
  EXPECT_EQ(ask({{kJustificationBinMetadataKey, kWelsh}}),
            absl::StrCat("ok:", kWelsh));
  EXPECT_EQ(ask({{kJustificationMetadataKey, " audit "}}), "ok:audit");
  EXPECT_EQ(ask({}), "ok:");
  EXPECT_EQ(ask({{kJustificationMetadataKey, "audit"},
                 {kJustificationBinMetadataKey, kWelsh}}),
            absl::StrCat("refused:", kReasonJustificationInvalid));
  server->Shutdown();
}

// --- QueryText -------------------------------------------------------------

TEST(QueryTextTest, JsonWithoutPagingFields) {
  v1::ListHistoryRequest request;
  request.set_review_id("dyfed-powys-stalking-2023");
  request.set_number(7);
  request.add_event_types("oversight.v1.PartnerReportSubmitted");
  *request.mutable_occurred_from() = Ts("2024-01-01T00:00:00Z");
  request.mutable_as_of()->set_position(42);
  request.set_page_size(20);
  request.set_page_token("abc");
  request.set_min_position(41);
  const v1::ListHistoryRequest original = request;

  const std::string text = AccessLog::QueryText(request);
  EXPECT_EQ(
      text,
      R"({"reviewId":"dyfed-powys-stalking-2023","number":7,)"
      R"("eventTypes":["oversight.v1.PartnerReportSubmitted"],)"
      R"("occurredFrom":"2024-01-01T00:00:00Z","asOf":{"position":"42"}})");
  // The request itself is untouched.
  EXPECT_EQ(request.SerializeAsString(), original.SerializeAsString());
  // Stable: every page of one listing reads the same.
  EXPECT_EQ(AccessLog::QueryText(request), text);
  request.set_page_token("another page");
  request.set_page_size(500);
  request.clear_min_position();
  EXPECT_EQ(AccessLog::QueryText(request), text);
  // Other filters read otherwise.
  request.set_number(8);
  EXPECT_NE(AccessLog::QueryText(request), text);

  EXPECT_EQ(AccessLog::QueryText(v1::ListHistoryRequest()), "{}");
  v1::GetReportRequest report;
  report.set_review_id("dyfed-powys-stalking-2023");
  report.set_period("2025-01");
  report.add_recipients("Police and Crime Panel");
  report.set_min_position(9);
  EXPECT_EQ(AccessLog::QueryText(report),
            R"({"reviewId":"dyfed-powys-stalking-2023","period":"2025-01",)"
            R"("recipients":["Police and Crime Panel"]})");
}

TEST(QueryTextTest, WhatJsonCannotRenderIsGivenAsText) {
  v1::ListHistoryRequest request;
  request.set_review_id("r");
  request.mutable_occurred_from()->set_seconds(-99999999999999);  // year < 1
  request.set_page_token("t");
  const std::string text = AccessLog::QueryText(request);
  EXPECT_THAT(text, ::testing::HasSubstr("review_id: \"r\""));
  EXPECT_THAT(text, ::testing::HasSubstr("-99999999999999"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("page_token")));
  EXPECT_EQ(AccessLog::QueryText(request), text);
}

TEST(QueryTextTest, LongQueriesAreCutAtACharacter) {
  v1::ListHistoryRequest request;
  for (int i = 0; i < 4000; ++i) {
    request.add_event_types(absl::StrCat("oversight.v1.G\xC5\xB5yn", i));
  }
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(request, &json).ok());
  ASSERT_GT(json.size(), kMaxQueryTextBytes);

  const std::string text = AccessLog::QueryText(request);
  // The JSON up to the cut, whole characters only, then the mark.
  const std::string mark =
      absl::StrCat("... [cut: ", json.size(), " bytes in all]");
  ASSERT_TRUE(absl::EndsWith(text, mark)) << text.substr(text.size() - 80);
  const std::string kept = text.substr(0, text.size() - mark.size());
  EXPECT_LE(kept.size(), kMaxQueryTextBytes);
  EXPECT_GE(kept.size(), kMaxQueryTextBytes - 1);
  EXPECT_TRUE(absl::StartsWith(json, kept));
  size_t chars = 0;
  bool control = false;
  EXPECT_TRUE(projections::ScanUtf8(kept, &chars, &control));
  EXPECT_EQ(AccessLog::QueryText(request), text);
}

// --- ListAccessLog -------------------------------------------------------

class ListAccessLogTest : public AccessLogTest {};

TEST_F(ListAccessLogTest, EmptyLogAndNoAccessLog) {
  v1::ListAccessLogResponse empty = List({});
  EXPECT_THAT(empty.entries(), IsEmpty());
  EXPECT_EQ(empty.reflects().position(), 0u);
  EXPECT_TRUE(empty.next_page_token().empty());

  AppendOther(4);
  v1::ListAccessLogResponse none = List({});
  EXPECT_THAT(none.entries(), IsEmpty());
  EXPECT_EQ(none.reflects().position(), 4u);
  EXPECT_TRUE(none.next_page_token().empty());
}

TEST_F(ListAccessLogTest, EntriesCarryPositionHashTimeAndEvent) {
  AppendOther(2);
  Access access = Consultation({1, 2});
  const uint64_t p = RecordAt(ImporterCaller(), access, now_);
  AppendOther(1);
  v1::ListAccessLogResponse response = List({});
  ASSERT_EQ(response.entries_size(), 1);
  EXPECT_EQ(response.reflects().position(), 4u);
  const v1::AccessLogEntry& entry = response.entries(0);
  EXPECT_EQ(entry.position(), p);
  const es::RecordedEvent recorded = AccessStream()[0];
  EXPECT_EQ(entry.hash(), es::HashToHex(recorded.hash));
  EXPECT_EQ(entry.hash().size(), 64u);
  EXPECT_EQ(entry.hash(), absl::AsciiStrToLower(entry.hash()));
  EXPECT_EQ(absl::FromUnixSeconds(entry.recorded_at().seconds()) +
                absl::Nanoseconds(entry.recorded_at().nanos()),
            absl::FromUnixMicros(absl::ToUnixMicros(recorded.recorded_at)));
  v1::DomainEvent stored;
  ASSERT_TRUE(stored.ParseFromString(recorded.data));
  EXPECT_EQ(entry.event().SerializeAsString(), stored.SerializeAsString());
  EXPECT_EQ(entry.event().access_recorded().justification(),
            "Annual audit 2025");
}

TEST_F(ListAccessLogTest, FiltersByAgencyPersonTimeAndKind) {
  Caller rees = AuditorCaller("hmicfrs", "Inspector Rees");
  Caller jones = AuditorCaller("hmicfrs", "Siân Jones");
  Caller audit = AuditorCaller("internal-audit", "Inspector Rees");
  Caller importer = ImporterCaller();
  Access disclosure = Consultation();
  disclosure.kind = v1::ACCESS_KIND_DISCLOSURE;
  disclosure.recipients = {"Police and Crime Panel"};

  AppendOther(1);
  const uint64_t p1 =
      RecordAt(rees, Consultation(), At("2025-01-10T09:00:00Z"));
  const uint64_t p2 =
      RecordAt(jones, Consultation(), At("2025-01-20T09:00:00Z"));
  AppendOther(2);
  const uint64_t p3 = RecordAt(audit, disclosure, At("2025-02-01T00:00:00Z"));
  const uint64_t p4 =
      RecordAt(importer, Consultation(), At("2025-02-15T12:00:00Z"));
  const uint64_t p5 = RecordAt(rees, disclosure, At("2025-03-01T00:00:00Z"));

  v1::ListAccessLogRequest r;
  EXPECT_THAT(ListAll(r), ElementsAre(p1, p2, p3, p4, p5));

  r.set_agency_id("hmicfrs");
  EXPECT_THAT(ListAll(r), ElementsAre(p1, p2, p5));
  // The agency acted for, and the importer's own agency, both find it.
  r.set_agency_id("dyfed-powys-police");
  EXPECT_THAT(ListAll(r), ElementsAre(p4));
  r.set_agency_id("dyfed-powys-opcc");
  EXPECT_THAT(ListAll(r), ElementsAre(p4));
  r.set_agency_id("paladin");
  EXPECT_THAT(ListAll(r), IsEmpty());

  r = {};
  r.set_person("Inspector Rees");
  EXPECT_THAT(ListAll(r), ElementsAre(p1, p3, p5));
  r.set_agency_id("hmicfrs");
  EXPECT_THAT(ListAll(r), ElementsAre(p1, p5));
  r = {};
  r.set_person("Siân Jones");
  EXPECT_THAT(ListAll(r), ElementsAre(p2));
  r.set_person("OPCC importer");  // the importer's person is not the actor
  EXPECT_THAT(ListAll(r), IsEmpty());

  // [from, to): from is in, to is out.
  r = {};
  *r.mutable_from() = Ts("2025-01-20T09:00:00Z");
  *r.mutable_to() = Ts("2025-03-01T00:00:00Z");
  EXPECT_THAT(ListAll(r), ElementsAre(p2, p3, p4));
  r.clear_to();
  EXPECT_THAT(ListAll(r), ElementsAre(p2, p3, p4, p5));
  r.clear_from();
  *r.mutable_to() = Ts("2025-01-20T09:00:00.000001Z");
  EXPECT_THAT(ListAll(r), ElementsAre(p1, p2));
  *r.mutable_from() = Ts("2025-01-20T09:00:00.000001Z");
  EXPECT_THAT(ListAll(r), IsEmpty());  // from == to: an empty period

  r = {};
  r.set_kind(v1::ACCESS_KIND_DISCLOSURE);
  EXPECT_THAT(ListAll(r), ElementsAre(p3, p5));
  r.set_kind(v1::ACCESS_KIND_CONSULTATION);
  EXPECT_THAT(ListAll(r), ElementsAre(p1, p2, p4));
  r.set_person("Inspector Rees");
  *r.mutable_from() = Ts("2025-01-01T00:00:00Z");
  *r.mutable_to() = Ts("2025-02-01T00:00:00Z");
  EXPECT_THAT(ListAll(r), ElementsAre(p1));
}

TEST_F(ListAccessLogTest, PagesThrough120StablyWhileAccessesAreRecorded) {
  std::vector<uint64_t> recorded;
  for (int i = 0; i < 120; ++i) {
    if (i % 7 == 0) AppendOther(1);  // positions with gaps between accesses
    recorded.push_back(
        RecordAt(AuditorCaller(), Consultation(), now_ + absl::Seconds(1)));
  }
  const uint64_t head = store_->Head().position;

  v1::ListAccessLogRequest request;
  request.set_page_size(50);
  std::vector<uint64_t> seen;
  std::vector<int> sizes;
  for (int page = 0; page < 10; ++page) {
    v1::ListAccessLogResponse response = List(request);
    EXPECT_EQ(response.reflects().position(), head) << "page " << page;
    sizes.push_back(response.entries_size());
    for (const auto& e : response.entries()) seen.push_back(e.position());
    // Between pages, more is consulted and recorded; the listing does not
    // move.
    RecordAt(AuditorCaller(), Consultation(), now_ + absl::Seconds(1));
    AppendOther(1);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(sizes, ElementsAre(50, 50, 20));
  EXPECT_EQ(seen, recorded);  // in log order, none lost, none twice
  EXPECT_EQ(std::set<uint64_t>(seen.begin(), seen.end()).size(), 120u);

  // A new listing sees what was recorded since.
  int pages = 0;
  v1::ListAccessLogRequest fresh;
  fresh.set_page_size(50);
  EXPECT_EQ(ListAll(fresh, &pages).size(), 123u);
  EXPECT_EQ(pages, 3);
}

TEST_F(ListAccessLogTest, FilteredPagesStartWhereTheLastEnded) {
  // Accesses by two people, interleaved with other streams, so that a page
  // ends between positions the next page must find its way past.
  std::vector<uint64_t> rees;
  for (int i = 0; i < 40; ++i) {
    AppendOther(i % 3);
    const bool is_rees = i % 4 != 1;
    const uint64_t p = RecordAt(
        AuditorCaller("hmicfrs", is_rees ? "Inspector Rees" : "Siân Jones"),
        Consultation(), now_);
    if (is_rees) rees.push_back(p);
  }
  for (int size : {1, 2, 7, 29, 30, 31, 500}) {
    v1::ListAccessLogRequest r;
    r.set_person("Inspector Rees");
    r.set_page_size(size);
    int pages = 0;
    EXPECT_EQ(ListAll(r, &pages), rees) << "page size " << size;
    EXPECT_LE(pages, static_cast<int>(rees.size()) / size + 2);
  }
}

TEST_F(ListAccessLogTest, PageSizes) {
  for (int i = 0; i < 60; ++i) RecordAt(AuditorCaller(), Consultation(), now_);
  v1::ListAccessLogRequest r;
  EXPECT_EQ(List(r).entries_size(), kDefaultAccessLogPageSize);  // 0: 50
  r.set_page_size(1);
  EXPECT_EQ(List(r).entries_size(), 1);
  r.set_page_size(500);
  v1::ListAccessLogResponse all = List(r);
  EXPECT_EQ(all.entries_size(), 60);
  EXPECT_TRUE(all.next_page_token().empty());
  r.set_page_size(60);
  EXPECT_TRUE(List(r).next_page_token().empty());
  for (int bad : {-1, 501, std::numeric_limits<int32_t>::min(),
                  std::numeric_limits<int32_t>::max()}) {
    r.set_page_size(bad);
    absl::Status s = ListStatus(r);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << bad << ": " << s;
    EXPECT_EQ(Reason(s), kReasonInvalidPageSize) << bad;
  }
}

TEST_F(ListAccessLogTest, ForgedAndMismatchedTokensAreRefused) {
  for (int i = 0; i < 5; ++i) RecordAt(AuditorCaller(), Consultation(), now_);
  v1::ListAccessLogRequest r;
  r.set_agency_id("hmicfrs");
  r.set_page_size(2);
  const std::string token = List(r).next_page_token();
  ASSERT_FALSE(token.empty());

  auto expect_refused = [&](v1::ListAccessLogRequest request,
                            const std::string& what) {
    absl::Status s = ListStatus(request);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << what << ": " << s;
    EXPECT_EQ(Reason(s), kReasonInvalidPageToken) << what;
  };
  // Forged.
  v1::ListAccessLogRequest forged = r;
  forged.set_page_token("not a token");
  expect_refused(forged, "garbage");
  std::string tampered = token;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  forged.set_page_token(tampered);
  expect_refused(forged, "one character changed");
  PageTokens other_key("another server's key");
  forged.set_page_token(
      other_key.Issue({0, 1000}, PageTokens::FilterDigest(r)));
  expect_refused(forged, "another key");
  // Issued for other filters.
  for (auto change :
       std::vector<std::function<void(v1::ListAccessLogRequest*)>>{
           [](v1::ListAccessLogRequest* x) { x->set_agency_id("paladin"); },
           [](v1::ListAccessLogRequest* x) { x->set_person("Inspector Rees"); },
           [](v1::ListAccessLogRequest* x) {
             x->set_kind(v1::ACCESS_KIND_DISCLOSURE);
           },
           [](v1::ListAccessLogRequest* x) {
             *x->mutable_from() = Ts("2025-01-01T00:00:00Z");
           },
           [](v1::ListAccessLogRequest* x) {
             *x->mutable_to() = Ts("2026-01-01T00:00:00Z");
           }}) {
    v1::ListAccessLogRequest other = r;
    change(&other);
    other.set_page_token(token);
    expect_refused(other, other.ShortDebugString());
  }
  // A ListHistory token with filters whose bytes are the same (none).
  v1::ListAccessLogRequest plain;
  plain.set_page_token(tokens_.Issue(
      {0, 1000}, PageTokens::FilterDigest(v1::ListHistoryRequest())));
  expect_refused(plain, "a ListHistory token");

  // The page size and min_position are not filters: the token still goes.
  v1::ListAccessLogRequest next = r;
  next.set_page_token(token);
  next.set_page_size(3);
  next.set_min_position(2);
  v1::ListAccessLogResponse rest = List(next);
  EXPECT_EQ(rest.entries_size(), 3);
  EXPECT_TRUE(rest.next_page_token().empty());
}

TEST_F(ListAccessLogTest, InvalidFilters) {
  auto expect_invalid = [&](const v1::ListAccessLogRequest& r,
                            const std::string& reason) {
    absl::Status s = ListStatus(r);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << r.ShortDebugString() << s;
    EXPECT_EQ(Reason(s), reason) << r.ShortDebugString();
  };
  v1::ListAccessLogRequest r;
  r.set_agency_id("Not An Id");
  expect_invalid(r, "INVALID_ID");
  r = {};
  r.set_person("a\x01");
  expect_invalid(r, "INVALID_TEXT");
  r = {};
  *r.mutable_from() = Ts("2025-02-01T00:00:00Z");
  *r.mutable_to() = Ts("2025-01-31T23:59:59.999999Z");
  expect_invalid(r, "INVALID_RANGE");
  r = {};
  r.mutable_from()->set_nanos(-1);
  expect_invalid(r, "INVALID_TIMESTAMP");
  r = {};
  r.mutable_to()->set_seconds(253402300800);  // year 10000
  expect_invalid(r, "INVALID_TIMESTAMP");
  r = {};
  r.set_kind(static_cast<v1::AccessKind>(9));
  expect_invalid(r, "INVALID_ENUM_VALUE");
}

TEST_F(ListAccessLogTest, OnlyAccessesRecordWroteAreListed) {
  const uint64_t real = RecordAt(AuditorCaller(), Consultation(), now_);
  // What a raw append could put in the stream: an AccessRecorded event
  // under a random (version-4) id, and another type.
  v1::DomainEvent forged;
  forged.mutable_actor()->set_agency_id("hmicfrs");
  forged.mutable_actor()->set_person("Someone Else");
  forged.set_request_id(es::EventId::Random().ToString());
  forged.mutable_access_recorded()->set_kind(v1::ACCESS_KIND_CONSULTATION);
  es::ProposedEvent e;
  e.id = es::EventId::Random();
  e.type = kAccessRecordedType;
  e.data = forged.SerializeAsString();
  ASSERT_TRUE(
      store_->Append(kAccessLogStream, es::ExpectedRevision::Any(), {e}).ok());
  e.id = es::EventId::Random();
  e.type = "example.Noted";
  ASSERT_TRUE(
      store_->Append(kAccessLogStream, es::ExpectedRevision::Any(), {e}).ok());
  e.id = AccessLog::AccessEventId(forged.request_id());  // right id, bad data
  e.type = kAccessRecordedType;
  e.data = "not a DomainEvent \xFF";
  ASSERT_TRUE(
      store_->Append(kAccessLogStream, es::ExpectedRevision::Any(), {e}).ok());
  const uint64_t later = RecordAt(AuditorCaller(), Consultation(), now_);

  EXPECT_THAT(ListAll({}), ElementsAre(real, later));
  v1::ListAccessLogRequest paged;
  paged.set_page_size(1);
  EXPECT_THAT(ListAll(paged), ElementsAre(real, later));
}

TEST_F(ListAccessLogTest, APageExaminesAtMost4096Events) {
  Open(/*sync=*/false);
  for (int i = 0; i < 4100; ++i) {
    RecordAt(AuditorCaller(), Consultation(), now_);
  }
  Access disclosure = Consultation();
  disclosure.kind = v1::ACCESS_KIND_DISCLOSURE;
  const uint64_t wanted = RecordAt(AuditorCaller(), disclosure, now_);

  v1::ListAccessLogRequest r;
  r.set_kind(v1::ACCESS_KIND_DISCLOSURE);
  r.set_page_size(10);
  v1::ListAccessLogResponse first = List(r);
  EXPECT_THAT(first.entries(), IsEmpty());
  ASSERT_FALSE(first.next_page_token().empty());
  r.set_page_token(first.next_page_token());
  v1::ListAccessLogResponse second = List(r);
  ASSERT_EQ(second.entries_size(), 1);
  EXPECT_EQ(second.entries(0).position(), wanted);
  EXPECT_TRUE(second.next_page_token().empty());
}

}  // namespace
}  // namespace oversight::services
