// `oversight import` against a real oversightd (in process, real log) with
// the worked example from examples/: it loads whole, a second import writes
// nothing, and the facts it encodes come out of the log as recorded.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli_format.h"
#include "clients/import_command.h"
#include "eventstore/rocks_event_store.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "projections/aggregates.h"
#include "services/server.h"
#include "tests/testing/temp_dir.h"

namespace oversight::cli {
namespace {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;
using ::testing::HasSubstr;

constexpr char kReview[] = "dyfed-powys-stalking-2023";

class ExampleImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = es::RocksEventStore::Open(dir_.Sub("db"), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    services::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.insecure_identity_from_metadata = true;
    options.snapshots = store_.get();
    auto server = services::OversightServer::Start(options, store_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(server_->address(),
                                       grpc::InsecureChannelCredentials());
    commands_ = v1::Commands::NewStub(channel);
    events_ = v1::EventStore::NewStub(channel);
    queries_ = v1::Queries::NewStub(channel);
  }
  void TearDown() override {
    commands_.reset();
    events_.reset();
    queries_.reset();
    server_->Shutdown(absl::Seconds(1));
    server_.reset();
    store_.reset();
  }

  int Import(const std::string& path, std::string* out, std::string* err) {
    std::ostringstream o, e;
    ImportOptions options;
    options.default_actor = "example-import-test";
    options.quiet = true;
    const int code = RunImport(path, *commands_, events_.get(), options, o, e);
    *out = o.str();
    *err = e.str();
    return code;
  }

  template <typename State>
  State Load(const std::string& stream) {
    std::vector<v1::DomainEvent> events;
    auto read = store_->ReadStream(stream, 0, es::Direction::kForwards, 1000);
    EXPECT_TRUE(read.ok()) << stream << ": " << read.status();
    if (read.ok()) {
      for (const es::RecordedEvent& e : read->events) {
        EXPECT_TRUE(events.emplace_back().ParseFromString(e.data));
      }
    }
    return pj::Fold<State>(events);
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path) << text;
    return path;
  }

  testing::TempDir dir_;
  std::unique_ptr<es::RocksEventStore> store_;
  std::unique_ptr<services::OversightServer> server_;
  std::unique_ptr<v1::Commands::Stub> commands_;
  std::unique_ptr<v1::EventStore::Stub> events_;
  std::unique_ptr<v1::Queries::Stub> queries_;

  // The status board as at the end of `day` (effective date), once the
  // read models include everything imported.
  v1::GetStatusBoardResponse BoardAsAt(absl::CivilDay day) {
    v1::GetStatusBoardRequest request;
    request.set_review_id(kReview);
    request.set_min_position(store_->Head().position);
    const absl::Time end =
        absl::FromCivil(day + 1, absl::UTCTimeZone()) - absl::Seconds(1);
    request.mutable_as_of()->mutable_effective_at()->set_seconds(
        absl::ToUnixSeconds(end));
    v1::GetStatusBoardResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    // Read as the OPCC, the reviewing body (the server's test mode).
    ctx.AddMetadata(kAgencyMetadataKey, "dyfed-powys-opcc");
    ctx.AddMetadata(kRoleMetadataKey, "reviewing-body");
    ctx.AddMetadata(kActorMetadataKey, "example-import-test");
    grpc::Status s = queries_->GetStatusBoard(&ctx, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }
};

const v1::StatusBoardRow* Row(const v1::GetStatusBoardResponse& board,
                              int number) {
  for (const v1::StatusBoardRow& row : board.rows()) {
    if (row.number() == number) return &row;
  }
  return nullptr;
}

TEST_F(ExampleImportTest, ImportingTwiceGivesTheSameHead) {
  std::string out, err;
  ASSERT_EQ(Import(OVERSIGHT_EXAMPLE_PATH, &out, &err), kExitOk) << err;
  EXPECT_THAT(out, HasSubstr(" 0 already applied"));
  const es::ChainHead first = store_->Head();
  EXPECT_GT(first.position, 50u);

  ASSERT_EQ(Import(OVERSIGHT_EXAMPLE_PATH, &out, &err), kExitOk) << err;
  EXPECT_THAT(out, HasSubstr(" 0 applied,"));
  const es::ChainHead second = store_->Head();
  EXPECT_EQ(second.position, first.position);
  EXPECT_EQ(second.hash, first.hash);
  absl::StatusOr<es::VerifyResult> verified = store_->Verify(1, 0);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok);
}

TEST_F(ExampleImportTest, TheExampleRecordsTheReportsFacts) {
  std::string out, err;
  ASSERT_EQ(Import(OVERSIGHT_EXAMPLE_PATH, &out, &err), kExitOk) << err;

  const auto agencies = Load<pj::AgencyRegistry>(pj::kAgenciesStream);
  for (const char* id : {"dyfed-powys-opcc", "dyfed-powys-police", "paladin",
                         "dyfed-powys-police-and-crime-panel"}) {
    EXPECT_NE(agencies.Find(id), nullptr) << id;
  }
  EXPECT_EQ(agencies.Find("dyfed-powys-opcc")->kind,
            v1::AGENCY_KIND_REVIEWING_BODY);

  const auto review = Load<pj::ReviewState>(pj::ReviewStream(kReview));
  EXPECT_EQ(review.theme_ids,
            (std::vector<std::string>{"resourcing", "training", "data",
                                      "perpetrator-interventions",
                                      "perpetrator-monitoring", "victims"}));
  ASSERT_EQ(review.periods.count("2024-06"), 1u);
  EXPECT_FALSE(review.periods.at("2024-06").open);
  ASSERT_EQ(review.periods.count("2025-01"), 1u);
  EXPECT_TRUE(review.periods.at("2025-01").open);
  EXPECT_GE(review.risks.size(), 2u);  // funding (1), MATAC (8)

  // Every recommendation the report names, 1 to 18.
  for (int n = 1; n <= 18; ++n) {
    const auto rec =
        Load<pj::RecommendationState>(pj::RecommendationStream(kReview, n));
    EXPECT_TRUE(rec.exists) << n;
  }
  // Complete by June 2024: closed, rated Green then.
  for (int n : {2, 3, 5, 10, 17, 18}) {
    const auto rec =
        Load<pj::RecommendationState>(pj::RecommendationStream(kReview, n));
    EXPECT_TRUE(rec.closed) << n;
    ASSERT_EQ(rec.ratings.count("2024-06"), 1u) << n;
    EXPECT_EQ(rec.ratings.at("2024-06"), v1::RATING_GREEN) << n;
  }
  // Recommendation 7: determined complete in January 2025.
  const auto rec7 =
      Load<pj::RecommendationState>(pj::RecommendationStream(kReview, 7));
  EXPECT_TRUE(rec7.closed);
  EXPECT_EQ(rec7.ratings.at("2025-01"), v1::RATING_GREEN);
  // The report does not say which were Red or Amber in June 2024: no
  // rating is invented.
  for (int n : {1, 4, 6, 8, 9, 11, 12, 13, 14, 15, 16}) {
    const auto rec =
        Load<pj::RecommendationState>(pj::RecommendationStream(kReview, n));
    EXPECT_FALSE(rec.closed) << n;
    EXPECT_EQ(rec.ratings.count("2024-06"), 0u) << n;
    EXPECT_EQ(rec.owning_agency_id, "dyfed-powys-police") << n;
    int june = 0, january = 0;
    for (const auto& [id, update] : rec.updates) {
      june += update.period == "2024-06";
      january += update.period == "2025-01";
    }
    EXPECT_EQ(june, 1) << n;
    EXPECT_EQ(january, 1) << n;
  }
  const auto pilot =
      Load<pj::ProgrammeState>(pj::ProgrammeStream("paladin-isac-pilot"));
  EXPECT_EQ(pilot.owning_agency_id, "paladin");
  EXPECT_EQ(pilot.quarters.size(), 1u);
}

TEST_F(ExampleImportTest, MalformedLineStopsTheImportBeforeAnythingIsSent) {
  const std::string good =
      R"({"agency": "opcc", "register_agency": {"request_id": "r1", )"
      R"("classification": "CLASSIFICATION_OFFICIAL", "agency": {)"
      R"("agency_id": "opcc", "name": {"en": "OPCC"}, )"
      R"("kind": "AGENCY_KIND_REVIEWING_BODY"}}})";
  const std::string path = WriteFile(
      "bad.jsonl", absl::StrCat("# comment\n", good, "\n",
                                "{\"agency\": \"opcc\", oops}\n", good, "\n"));
  std::string out, err;
  EXPECT_EQ(Import(path, &out, &err), kExitUsage);
  EXPECT_THAT(err, HasSubstr(absl::StrCat(path, ":3:")));
  EXPECT_EQ(store_->Head().position, 0u);
}

TEST_F(ExampleImportTest, RefusedLineStopsTheImportWithItsLineNumber) {
  auto agency = [](const std::string& request_id, const std::string& id,
                   const std::string& kind) {
    return absl::StrCat(
        R"({"agency": "opcc", "register_agency": {"request_id": ")", request_id,
        R"(", "classification": "CLASSIFICATION_OFFICIAL", )",
        R"("agency": {"agency_id": ")", id,
        R"(", "name": {"en": "Agency"}, "kind": ")", kind, R"("}}})");
  };
  const std::string path = WriteFile(
      "refused.jsonl",
      absl::StrCat(agency("r1", "opcc", "AGENCY_KIND_REVIEWING_BODY"), "\n",
                   agency("r2", "police", "AGENCY_KIND_FORCE"), "\n",
                   // The same agency again: ALREADY_EXISTS.
                   agency("r3", "police", "AGENCY_KIND_FORCE"), "\n",
                   agency("r4", "partner", "AGENCY_KIND_PARTNER"), "\n"));
  std::string out, err;
  EXPECT_EQ(Import(path, &out, &err), kExitRefused);
  EXPECT_THAT(err, HasSubstr("line 3: ALREADY_EXISTS"));
  EXPECT_THAT(err, HasSubstr("AGENCY_EXISTS"));
  EXPECT_EQ(store_->Head().position, 2u);  // line 4 was never sent
}

TEST_F(ExampleImportTest, TheBoardTravelsInTime) {
  std::string out, err;
  ASSERT_EQ(Import(OVERSIGHT_EXAMPLE_PATH, &out, &err), kExitOk) << err;

  // As at 31 July 2024: the June updates, none of January 2025, and
  // recommendation 7 still open.
  const v1::GetStatusBoardResponse july =
      BoardAsAt(absl::CivilDay(2024, 7, 31));
  EXPECT_THAT(july.periods(), ::testing::ElementsAre("2024-06"));
  for (int n : {1, 4, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16}) {
    const v1::StatusBoardRow* row = Row(july, n);
    ASSERT_NE(row, nullptr) << n;
    EXPECT_EQ(row->last_update_period(), "2024-06") << n;
  }
  EXPECT_FALSE(Row(july, 7)->closed());
  // June's Red/Amber ratings are not stated in the source.
  EXPECT_FALSE(Row(july, 1)->current().stated());
  EXPECT_EQ(Row(july, 2)->current().rating(), v1::RATING_GREEN);

  // As at February 2025: recommendation 7 complete, the January updates.
  const v1::GetStatusBoardResponse february =
      BoardAsAt(absl::CivilDay(2025, 2, 28));
  EXPECT_THAT(february.periods(), ::testing::ElementsAre("2024-06", "2025-01"));
  const v1::StatusBoardRow* seven = Row(february, 7);
  ASSERT_NE(seven, nullptr);
  EXPECT_TRUE(seven->closed());
  EXPECT_EQ(seven->current().rating(), v1::RATING_GREEN);
  for (int n : {1, 4, 6, 8, 9, 11, 12, 13, 14, 15, 16}) {
    EXPECT_EQ(Row(february, n)->last_update_period(), "2025-01") << n;
    EXPECT_EQ(Row(february, n)->previous().period(), "2024-06") << n;
  }
  // Recommendation 1: the funding risk is open.
  EXPECT_GE(Row(february, 1)->open_risks(), 1);
}

}  // namespace
}  // namespace oversight::cli
