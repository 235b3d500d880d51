// oversight.v1.EventStore end to end: every RPC and every error code,
// against a real server on a loopback port.

#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "eventstore/limits.h"
#include "eventstore/rocks_layout.h"
#include "rocksdb/db.h"
#include "tests/services/service_fixture.h"

namespace oversight::services {
namespace {

using ::oversight::eventstore::kMaxBatchEvents;

class EventStoreServiceTest : public ServiceTest {
 protected:
  // Calls Append and returns the status; `ctx_out` keeps the trailers.
  grpc::Status TryAppend(
      const v1::AppendRequest& request, v1::AppendResponse* response = nullptr,
      std::unique_ptr<grpc::ClientContext>* ctx_out = nullptr) {
    auto ctx = Context();
    v1::AppendResponse ignored;
    grpc::Status s =
        stub_->Append(ctx.get(), request, response ? response : &ignored);
    if (ctx_out) *ctx_out = std::move(ctx);
    return s;
  }

  // The reason trailer of a failed append.
  std::string AppendReason(const v1::AppendRequest& request,
                           grpc::StatusCode* code) {
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::Status s = TryAppend(request, nullptr, &ctx);
    *code = s.error_code();
    return Trailer(*ctx, "oversight-reason");
  }

  uint64_t HeadPosition() {
    auto ctx = Context();
    v1::GetHeadResponse head;
    EXPECT_TRUE(stub_->GetHead(ctx.get(), {}, &head).ok());
    return head.position();
  }
};

TEST_F(EventStoreServiceTest, AppendAssignsPositionsAndRevisions) {
  v1::AppendResponse first = MustAppend(AppendOne("notes-1"));
  EXPECT_EQ(first.first_position(), 1u);
  EXPECT_EQ(first.first_revision(), 0u);

  v1::AppendRequest batch = AppendOne("notes-1");
  *batch.add_events() = Event();
  *batch.add_events() = Event();
  v1::AppendResponse second = MustAppend(batch);
  EXPECT_EQ(second.first_position(), 2u);
  EXPECT_EQ(second.last_position(), 4u);
  EXPECT_EQ(second.first_revision(), 1u);
  EXPECT_EQ(second.last_revision(), 3u);
  EXPECT_FALSE(second.deduplicated());
  EXPECT_EQ(HeadPosition(), 4u);
}

TEST_F(EventStoreServiceTest, GetHeadReturnsChainHashOfLastEvent) {
  MustAppend(AppendOne("s"));
  auto ctx = Context();
  v1::GetHeadResponse head;
  ASSERT_TRUE(stub_->GetHead(ctx.get(), {}, &head).ok());
  EXPECT_EQ(head.position(), 1u);

  auto read_ctx = Context();
  v1::ReadAllRequest read;
  v1::ReadAllResponse events;
  ASSERT_TRUE(stub_->ReadAll(read_ctx.get(), read, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).hash(), head.hash());
  EXPECT_EQ(head.hash().size(), 32u);
}

TEST_F(EventStoreServiceTest, ExpectedRevisionMismatchIsAbortedWithCurrent) {
  MustAppend(AppendOne("rec-1"));
  MustAppend(AppendOne("rec-1"));  // Revision 1 now.
  std::unique_ptr<grpc::ClientContext> ctx;
  grpc::Status s = TryAppend(
      AppendOne("rec-1", v1::EXPECTED_REVISION_KIND_EXACT, 0), nullptr, &ctx);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "WRONG_EXPECTED_REVISION");
  EXPECT_EQ(Trailer(*ctx, "oversight-current-revision"), "1");

  s = TryAppend(AppendOne("rec-2", v1::EXPECTED_REVISION_KIND_STREAM_EXISTS),
                nullptr, &ctx);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Trailer(*ctx, "oversight-current-revision"), "none");

  s = TryAppend(AppendOne("rec-1", v1::EXPECTED_REVISION_KIND_NO_STREAM),
                nullptr, &ctx);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(HeadPosition(), 2u);  // Nothing written by the failures.

  v1::AppendResponse ok =
      MustAppend(AppendOne("rec-1", v1::EXPECTED_REVISION_KIND_EXACT, 1));
  EXPECT_EQ(ok.first_revision(), 2u);
}

TEST_F(EventStoreServiceTest, RetryWithSameEventIdReturnsOriginalPositions) {
  v1::AppendRequest request = AppendOne("rec-1");
  v1::AppendResponse first = MustAppend(request);
  MustAppend(AppendOne("other"));
  v1::AppendResponse retry = MustAppend(request);
  EXPECT_TRUE(retry.deduplicated());
  EXPECT_EQ(retry.first_position(), first.first_position());
  EXPECT_EQ(retry.last_revision(), first.last_revision());
  EXPECT_EQ(HeadPosition(), 2u);
}

TEST_F(EventStoreServiceTest, ReusedEventIdWithOtherContentIsAlreadyExists) {
  v1::AppendRequest request = AppendOne("rec-1");
  MustAppend(request);
  request.mutable_events(0)->set_data("different");
  grpc::StatusCode code;
  EXPECT_EQ(AppendReason(request, &code), "EVENT_ID_REUSED");
  EXPECT_EQ(code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(EventStoreServiceTest,
       MalformedAppendsAreInvalidArgumentAndWriteNothing) {
  struct Case {
    std::string name;
    std::function<void(v1::AppendRequest*)> mutate;
    std::string reason;
  };
  const std::string big(eventstore::kMaxEventDataBytes + 1, 'x');
  const std::vector<Case> cases = {
      {"empty stream", [](auto* r) { r->set_stream(""); },
       "INVALID_STREAM_NAME"},
      {"control character in stream", [](auto* r) { r->set_stream("a\nb"); },
       "INVALID_STREAM_NAME"},
      {"missing event id",
       [](auto* r) { r->mutable_events(0)->clear_event_id(); },
       "MISSING_EVENT_ID"},
      {"event id not a uuid",
       [](auto* r) { r->mutable_events(0)->set_event_id("not-a-uuid"); },
       "INVALID_EVENT_ID"},
      {"empty type", [](auto* r) { r->mutable_events(0)->set_type(""); },
       "INVALID_EVENT_TYPE"},
      {"data over 1 MiB", [&](auto* r) { r->mutable_events(0)->set_data(big); },
       "EVENT_TOO_LARGE"},
      {"no events", [](auto* r) { r->clear_events(); }, "EMPTY_BATCH"},
      {"over 1000 events",
       [](auto* r) {
         for (size_t i = 0; i < kMaxBatchEvents; ++i)
           *r->add_events() = Event();
       },
       "TOO_MANY_EVENTS"},
      {"batch over 4 MiB",
       [](auto* r) {
         r->clear_events();
         for (int i = 0; i < 5; ++i) {
           *r->add_events() = Event("t", std::string((1 << 20) - 16, 'y'));
         }
       },
       "BATCH_TOO_LARGE"},
      {"duplicate id in batch",
       [](auto* r) { *r->add_events() = r->events(0); },
       "DUPLICATE_EVENT_ID_IN_BATCH"},
      {"unknown expected kind",
       [](auto* r) {
         r->set_expected_kind(static_cast<v1::ExpectedRevisionKind>(42));
       },
       "INVALID_ENUM_VALUE"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::AppendRequest request = AppendOne("stream-1");
    c.mutate(&request);
    grpc::StatusCode code;
    EXPECT_EQ(AppendReason(request, &code), c.reason);
    EXPECT_EQ(code, grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_EQ(HeadPosition(), 0u);
  // The server still serves.
  EXPECT_EQ(MustAppend(AppendOne("stream-1")).first_position(), 1u);
}

// Protobuf refuses to parse a string field that is not UTF-8, so such a
// request never reaches Oversight's handler: gRPC itself refuses it.
TEST_F(EventStoreServiceTest, InvalidUtf8IsRefusedBeforeTheHandler) {
  v1::AppendRequest request = AppendOne("stream-1");
  request.set_stream("\xff\xfe");
  EXPECT_FALSE(TryAppend(request).ok());
  EXPECT_EQ(HeadPosition(), 0u);
  EXPECT_EQ(MustAppend(AppendOne("stream-1")).first_position(), 1u);
}

TEST_F(EventStoreServiceTest, ReadStreamOfUnknownStreamIsNotFound) {
  auto ctx = Context();
  v1::ReadStreamRequest request;
  request.set_stream("nope");
  v1::ReadStreamResponse response;
  grpc::Status s = stub_->ReadStream(ctx.get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "STREAM_NOT_FOUND");
}

TEST_F(EventStoreServiceTest, ReadStreamPagesForwardsAndBackwards) {
  for (int i = 0; i < 7; ++i) {
    MustAppend(AppendOne("s"));
    MustAppend(AppendOne("noise"));
  }
  std::vector<uint64_t> revisions;
  v1::ReadStreamRequest request;
  request.set_stream("s");
  request.set_max_count(3);
  for (;;) {
    auto ctx = Context();
    v1::ReadStreamResponse page;
    ASSERT_TRUE(stub_->ReadStream(ctx.get(), request, &page).ok());
    for (const auto& e : page.events()) {
      EXPECT_EQ(e.stream(), "s");
      revisions.push_back(e.revision());
    }
    if (page.end_of_stream()) break;
    request.set_from_revision(page.next_revision());
  }
  EXPECT_EQ(revisions, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6}));

  revisions.clear();
  request.set_from_end(true);
  request.set_direction(v1::READ_DIRECTION_BACKWARDS);
  for (;;) {
    auto ctx = Context();
    v1::ReadStreamResponse page;
    ASSERT_TRUE(stub_->ReadStream(ctx.get(), request, &page).ok());
    for (const auto& e : page.events()) revisions.push_back(e.revision());
    if (page.end_of_stream()) break;
    request.set_from_end(false);
    request.set_from_revision(page.next_revision());
  }
  EXPECT_EQ(revisions, (std::vector<uint64_t>{6, 5, 4, 3, 2, 1, 0}));
}

TEST_F(EventStoreServiceTest, ReadAllFiltersByStreamPrefixAndType) {
  MustAppend(AppendOne("notes-1"));
  MustAppend(AppendOne("tasks-1"));
  v1::AppendRequest typed = AppendOne("tasks-2");
  typed.mutable_events(0)->set_type("test.Rated");
  MustAppend(typed);

  auto ctx = Context();
  v1::ReadAllRequest request;
  request.mutable_filter()->set_stream_prefix("tasks-");
  v1::ReadAllResponse response;
  ASSERT_TRUE(stub_->ReadAll(ctx.get(), request, &response).ok());
  ASSERT_EQ(response.events_size(), 2);
  EXPECT_EQ(response.events(0).position(), 2u);
  EXPECT_EQ(response.events(1).position(), 3u);
  EXPECT_TRUE(response.end_of_log());

  auto ctx2 = Context();
  request.mutable_filter()->add_event_types("test.Rated");
  ASSERT_TRUE(stub_->ReadAll(ctx2.get(), request, &response).ok());
  ASSERT_EQ(response.events_size(), 1);
  EXPECT_EQ(response.events(0).stream(), "tasks-2");
}

TEST_F(EventStoreServiceTest, ReadAllBackwardsFromEnd) {
  for (int i = 0; i < 5; ++i) MustAppend(AppendOne(absl::StrCat("s", i)));
  auto ctx = Context();
  v1::ReadAllRequest request;
  request.set_from_end(true);
  request.set_direction(v1::READ_DIRECTION_BACKWARDS);
  request.set_max_count(2);
  v1::ReadAllResponse response;
  ASSERT_TRUE(stub_->ReadAll(ctx.get(), request, &response).ok());
  ASSERT_EQ(response.events_size(), 2);
  EXPECT_EQ(response.events(0).position(), 5u);
  EXPECT_EQ(response.events(1).position(), 4u);
  EXPECT_EQ(response.next_position(), 3u);
  EXPECT_FALSE(response.end_of_log());
}

TEST_F(EventStoreServiceTest, ReadWithOversizedOrUnknownParametersIsInvalid) {
  auto ctx = Context();
  v1::ReadAllRequest request;
  request.set_max_count(100000);
  v1::ReadAllResponse response;
  grpc::Status s = stub_->ReadAll(ctx.get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "INVALID_MAX_COUNT");

  auto ctx2 = Context();
  request.set_max_count(10);
  request.set_direction(static_cast<v1::ReadDirection>(9));
  s = stub_->ReadAll(ctx2.get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*ctx2, "oversight-reason"), "INVALID_ENUM_VALUE");
}

TEST_F(EventStoreServiceTest, ReadAllResponseIsCappedInBytes) {
  // Five events of ~1 MiB: one response cannot carry them all.
  for (int i = 0; i < 5; ++i) {
    v1::AppendRequest r = AppendOne("big");
    r.mutable_events(0)->set_data(std::string((1 << 20) - 100, 'z'));
    MustAppend(r);
  }
  std::vector<uint64_t> positions;
  v1::ReadAllRequest request;
  request.set_from_position(1);
  int calls = 0;
  for (;;) {
    auto ctx = Context();
    v1::ReadAllResponse page;
    ASSERT_TRUE(stub_->ReadAll(ctx.get(), request, &page).ok());
    ++calls;
    for (const auto& e : page.events()) positions.push_back(e.position());
    if (page.end_of_log()) break;
    request.set_from_position(page.next_position());
  }
  EXPECT_EQ(positions, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_GE(calls, 2);
}

TEST_F(EventStoreServiceTest, VerifyChainSucceedsOnIntactLog) {
  for (int i = 0; i < 10; ++i) MustAppend(AppendOne("s"));
  auto ctx = Context();
  v1::VerifyChainResponse response;
  ASSERT_TRUE(stub_->VerifyChain(ctx.get(), {}, &response).ok());
  EXPECT_EQ(response.from_position(), 1u);
  EXPECT_EQ(response.to_position(), 10u);
  EXPECT_EQ(response.head_hash().size(), 32u);

  auto ctx2 = Context();
  v1::VerifyChainRequest bad;
  bad.set_from_position(5);
  bad.set_to_position(99);
  grpc::Status s = stub_->VerifyChain(ctx2.get(), bad, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Trailer(*ctx2, "oversight-reason"), "INVALID_RANGE");
}

// VerifyChain works through long ranges in chunks; the chunks together
// must check exactly what one pass would.
TEST_F(EventStoreServiceTest, ChunkedVerifyChainAgreesWithOnePass) {
  StopServer();
  server_options_.verify_chunk_positions = 4;
  StartServer();
  for (int i = 0; i < 18; ++i) MustAppend(AppendOne("s"));
  auto ctx = Context();
  v1::VerifyChainResponse response;
  ASSERT_TRUE(stub_->VerifyChain(ctx.get(), {}, &response).ok());
  EXPECT_EQ(response.from_position(), 1u);
  EXPECT_EQ(response.to_position(), 18u);
  auto head_ctx = Context();
  v1::GetHeadResponse head;
  ASSERT_TRUE(stub_->GetHead(head_ctx.get(), {}, &head).ok());
  EXPECT_EQ(response.head_hash(), head.hash());

  auto ctx2 = Context();
  v1::VerifyChainRequest middle;
  middle.set_from_position(3);
  middle.set_to_position(13);
  ASSERT_TRUE(stub_->VerifyChain(ctx2.get(), middle, &response).ok());
  EXPECT_EQ(response.to_position(), 13u);
  auto at13 = store_->ReadAll(13, eventstore::Direction::kForwards, 1, {});
  ASSERT_TRUE(at13.ok() && at13->events.size() == 1);
  const eventstore::Hash& h = at13->events[0].hash;
  EXPECT_EQ(response.head_hash(),
            std::string(reinterpret_cast<const char*>(h.data()), h.size()));
}

TEST_F(EventStoreServiceTest, VerifyChainNamesTamperedPositionAsDataLoss) {
  for (int i = 0; i < 6; ++i) MustAppend(AppendOne("s"));
  StopServer();
  store_.reset();

  {  // Flip one byte of the record at position 4, straight in RocksDB.
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (auto name : eventstore::kColumnFamilyNames) {
      cfs.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.Sub("db"), cfs,
                                  &handles, &db)
                    .ok());
    auto* log_cf = handles[static_cast<int>(eventstore::ColumnFamily::kLog)];
    std::string value;
    ASSERT_TRUE(db->Get({}, log_cf, eventstore::LogKey(4), &value).ok());
    value[value.size() - 3] ^= 0x01;
    ASSERT_TRUE(db->Put({}, log_cf, eventstore::LogKey(4), value).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }

  OpenStore(/*verify_on_open=*/false);
  server_options_.verify_chunk_positions = 2;  // Position 4: second chunk.
  StartServer();
  auto ctx = Context();
  v1::VerifyChainResponse response;
  grpc::Status s = stub_->VerifyChain(ctx.get(), {}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(Trailer(*ctx, "oversight-reason"), "CHAIN_BROKEN");
  EXPECT_EQ(Trailer(*ctx, "oversight-first-bad-position"), "4");
  EXPECT_NE(s.error_message().find("position 4"), std::string::npos);

  // The range before the damage still verifies.
  auto ctx2 = Context();
  v1::VerifyChainRequest before;
  before.set_to_position(3);
  EXPECT_TRUE(stub_->VerifyChain(ctx2.get(), before, &response).ok());
}

TEST_F(EventStoreServiceTest, AppendAfterStoreClosedIsUnavailable) {
  MustAppend(AppendOne("s"));
  store_->Close();
  grpc::StatusCode code;
  EXPECT_EQ(AppendReason(AppendOne("s"), &code), "STORE_CLOSED");
  EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE);
}

TEST_F(EventStoreServiceTest, ConcurrentClientsGetUniqueGaplessPositions) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> conflicts{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Half to a private stream, half racing on a shared one.
        const bool shared = i % 2 == 0;
        v1::AppendRequest r =
            AppendOne(shared ? "shared" : absl::StrCat("own-", t));
        auto ctx = Context();
        v1::AppendResponse response;
        grpc::Status s = stub_->Append(ctx.get(), r, &response);
        if (s.ok()) {
          got[t].push_back(response.first_position());
        } else {
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts.load(), 0);  // Expected revision "any" never conflicts.
  absl::flat_hash_set<uint64_t> all;
  for (const auto& v : got) {
    for (uint64_t p : v) EXPECT_TRUE(all.insert(p).second) << p;
  }
  ASSERT_EQ(all.size(), size_t{kThreads * kPerThread});
  for (uint64_t p = 1; p <= all.size(); ++p) EXPECT_TRUE(all.contains(p)) << p;
  EXPECT_EQ(HeadPosition(), all.size());
}

}  // namespace
}  // namespace oversight::services
