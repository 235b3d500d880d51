// The Panel progress report rendered from the worked example, through the
// real server: examples/dyfed-powys/stalking-review-2025-01.jsonl is
// imported into an in-process oversightd on a temporary RocksDB, the whole
// log is read back, and RenderReport's output for January 2025 is compared
// byte for byte with tests/golden/report/2025-01.{en,cy}.{md,html}.
//
// To regenerate the goldens after a deliberate change, run
//   OVERSIGHT_UPDATE_GOLDENS=1 build/tests/clients/report_golden_test
// and read the diff by eye against the seed report before committing.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "clients/cli_format.h"
#include "clients/import_command.h"
#include "eventstore/rocks_event_store.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "projections/read_model.h"
#include "projections/report.h"
#include "services/server.h"
#include "tests/testing/temp_dir.h"

namespace oversight::cli {
namespace {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kReview[] = "dyfed-powys-stalking-2023";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first line where `want` and `got` differ, for a readable failure.
std::string FirstDifference(const std::string& want, const std::string& got) {
  const std::vector<std::string> a = absl::StrSplit(want, '\n');
  const std::vector<std::string> b = absl::StrSplit(got, '\n');
  for (size_t i = 0; i < a.size() || i < b.size(); ++i) {
    const std::string x = i < a.size() ? a[i] : "<end>";
    const std::string y = i < b.size() ? b[i] : "<end>";
    if (x != y) {
      return absl::StrCat("line ", i + 1, ":\n  golden:   ", x,
                          "\n  rendered: ", y);
    }
  }
  return "no difference";
}

// The text of `markdown` from the heading line `from` up to the next
// heading line starting with `until` (or the end).
std::string Section(const std::string& markdown, const std::string& from,
                    const std::string& until) {
  const size_t start = markdown.find(from);
  if (start == std::string::npos) return "";
  const size_t end = markdown.find(until, start + from.size());
  return markdown.substr(
      start, end == std::string::npos ? std::string::npos : end - start);
}

class ReportGoldenTest : public ::testing::Test {
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

    std::ostringstream out, err;
    ImportOptions import;
    import.default_actor = "report-golden-test";
    import.quiet = true;
    ASSERT_EQ(RunImport(OVERSIGHT_EXAMPLE_PATH, *commands_, events_.get(),
                        import, out, err),
              kExitOk)
        << err.str();
    ASSERT_NO_FATAL_FAILURE(ReadLog());
  }
  void TearDown() override {
    commands_.reset();
    events_.reset();
    server_->Shutdown(absl::Seconds(1));
    server_.reset();
    store_.reset();
  }

  // Every domain event of the log, in order, into `log_`.
  void ReadLog() {
    es::Position from = 1;
    for (;;) {
      absl::StatusOr<es::ReadResult> page =
          store_->ReadAll(from, es::Direction::kForwards, 1000, {});
      ASSERT_TRUE(page.ok()) << page.status();
      for (const es::RecordedEvent& r : page->events) {
        if (std::optional<pj::RecordedDomainEvent> e = pj::ToDomainEvent(r)) {
          log_.push_back(*std::move(e));
        }
      }
      if (page->end_reached || page->events.empty()) break;
      from = page->next;
    }
    ASSERT_FALSE(log_.empty());
  }

  // The report as at log position `position` (0: the head).
  std::string Render(pj::ReportLanguage language, pj::ReportFormat format,
                     es::Position position = 0) {
    if (position == 0) position = store_->Head().position;
    pj::ReportRequest request;
    request.review_id = kReview;
    request.period = "2025-01";
    request.language = language;
    request.format = format;
    request.position = position;
    absl::StatusOr<std::string> report =
        pj::RenderReport(pj::SelectAsOf(log_, {position, {}}), request);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<es::RocksEventStore> store_;
  std::unique_ptr<services::OversightServer> server_;
  std::unique_ptr<v1::Commands::Stub> commands_;
  std::unique_ptr<v1::EventStore::Stub> events_;
  std::vector<pj::RecordedDomainEvent> log_;
};

TEST_F(ReportGoldenTest, January2025MatchesTheGoldens) {
  const char* update = std::getenv("OVERSIGHT_UPDATE_GOLDENS");
  const bool regenerate = update != nullptr && std::string(update) == "1";
  for (pj::ReportLanguage language :
       {pj::ReportLanguage::kEnglish, pj::ReportLanguage::kWelsh}) {
    for (pj::ReportFormat format :
         {pj::ReportFormat::kMarkdown, pj::ReportFormat::kHtml}) {
      const std::string path = absl::StrCat(OVERSIGHT_GOLDEN_DIR, "/2025-01.",
                                            pj::ReportLanguageCode(language),
                                            ".", pj::ReportExtension(format));
      const std::string rendered = Render(language, format);
      if (regenerate) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << rendered;
        continue;
      }
      const std::string golden = ReadFile(path);
      ASSERT_FALSE(golden.empty()) << "missing golden " << path;
      EXPECT_TRUE(golden == rendered)
          << path << " differs (" << FirstDifference(golden, rendered)
          << ")\nRegenerate with OVERSIGHT_UPDATE_GOLDENS=1 and review the "
             "diff.";
    }
  }
}

TEST_F(ReportGoldenTest, ProgressCoversTheRecommendationsNotCompleteInJune) {
  const std::string md =
      Render(pj::ReportLanguage::kEnglish, pj::ReportFormat::kMarkdown);
  const std::string progress = Section(md, "## Recommendation progress",
                                       "## Recommendations for the Reviewing");
  ASSERT_FALSE(progress.empty());
  // Exactly these recommendations, under the seed's themes, in order.
  const std::vector<std::pair<std::string, std::vector<int>>> want = {
      {"Resourcing Recommendations", {1}},
      {"Training Recommendations", {4, 6, 7}},
      {"Data Recommendations", {8, 9}},
      {"Perpetrator Interventions Recommendations", {11, 12, 13}},
      {"Perpetrator Monitoring Recommendations", {14, 15}},
      {"Victims Recommendations", {16}}};
  std::vector<std::pair<std::string, std::vector<int>>> got;
  for (absl::string_view line : absl::StrSplit(progress, '\n')) {
    if (absl::ConsumePrefix(&line, "## ")) {
      got.push_back({std::string(line), {}});
    } else if (absl::ConsumePrefix(&line, "### Recommendation ")) {
      int n = 0;
      ASSERT_TRUE(absl::SimpleAtoi(line, &n)) << line;
      ASSERT_FALSE(got.empty()) << "recommendation " << n << " before a theme";
      got.back().second.push_back(n);
    }
  }
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().first, "Recommendation progress");
  got.erase(got.begin());
  EXPECT_EQ(got, want);
  // Recommendation 7 was determined complete in January 2025.
  EXPECT_THAT(Section(progress, "### Recommendation 7\n", "\n### "),
              HasSubstr("**RAG rating for January 2025:** **Green**"));
  EXPECT_THAT(Section(progress, "### Recommendation 1\n", "\n### "),
              HasSubstr("**RAG rating for January 2025:** Rating not stated"));

  // The OPCC's own recommendation, with the Paladin pilot's figures.
  const std::string own =
      Section(md, "## Recommendations for the Reviewing", "## Conclusion");
  EXPECT_THAT(own, HasSubstr("### Recommendation 18\n"));
  EXPECT_THAT(own, HasSubstr("Victims of stalking supported or being "
                             "supported since the pilot began (running total "
                             "since the programme began) | 13 |"));
  EXPECT_THAT(own,
              HasSubstr("Training sessions held for professionals (running "
                        "total since the programme began) | 2 |"));
  // All four risks are open.
  const std::string risks = Section(md, "## Open Risks", "Content available");
  int open = 0;
  for (absl::string_view line : absl::StrSplit(risks, '\n')) {
    open += absl::StartsWith(line, "- **");
  }
  EXPECT_EQ(open, 4) << risks;
  EXPECT_THAT(risks, HasSubstr("MATAC business case"));
}

TEST_F(ReportGoldenTest, AsAtBeforeTheJanuaryUpdatesShowsTheJunePicture) {
  // The position at which period 2025-01 was opened: nothing of January
  // has been submitted yet.
  es::Position opened = 0;
  for (const pj::RecordedDomainEvent& e : log_) {
    if (e.event.has_reporting_period_opened() &&
        e.event.reporting_period_opened().period() == "2025-01") {
      opened = e.position;
    }
  }
  ASSERT_NE(opened, 0u);
  const std::string md =
      Render(pj::ReportLanguage::kEnglish, pj::ReportFormat::kMarkdown, opened);
  EXPECT_THAT(
      md, HasSubstr(absl::StrCat("As recorded at log position ", opened, ".")));
  // June's updates, and no January ones.
  EXPECT_THAT(md, HasSubstr("Funding for the post is confirmed until April "
                            "2025, and longer-term funding is being sought."));
  EXPECT_THAT(md, Not(HasSubstr("Long-term funding for the post has still not "
                                "been secured.")));
  const std::string rec1 = Section(md, "### Recommendation 1\n", "\n### ");
  EXPECT_THAT(rec1, HasSubstr("#### Progress January 2025\n\nNo update was "
                              "submitted for this period."));
  // Recommendation 7 is not yet rated, and there is no conclusion yet.
  EXPECT_THAT(Section(md, "### Recommendation 7\n", "\n### "),
              HasSubstr("**RAG rating for January 2025:** Rating not stated"));
  EXPECT_THAT(md,
              HasSubstr("No conclusion has been recorded for this period."));
}

}  // namespace
}  // namespace oversight::cli
