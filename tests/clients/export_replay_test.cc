// The pure pieces of `oversight export` and `oversight replay`: the export
// file's lines, the offline chain check (against the worked example of
// docs/storage-format.md, whose hashes were computed there independently),
// the offline answers' errors, and the progress lines.

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "clients/export_file.h"
#include "clients/export_progress.h"
#include "clients/replay_chain.h"
#include "clients/replay_queries.h"
#include "eventstore/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace oversight::cli {
namespace {

using ::testing::HasSubstr;

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// The three events of docs/storage-format.md's worked example, as an
// export of them would hold them.
std::vector<ExportedEvent> WorkedExample() {
  struct Row {
    const char* stream;
    uint64_t revision;
    const char* id;
    const char* type;
    const char* data;
    const char* metadata;
    int64_t recorded_us;
    const char* hash;
  };
  const Row rows[] = {
      {"review-1", 0, "0194ad1e-7c00-7000-8000-000000000001",
       "oversight.v1.ReviewOpened", "title=Q1 audit", "", 1736931600000000,
       "768b37ddae6d4386a75d5e396e3ad3333373d535a9f2625ec015f048f3421221"},
      {"review-1", 1, "0194ad1e-7c00-7000-8000-000000000002",
       "oversight.v1.ReviewerAssigned", "reviewer=ana", "", 1736931600000000,
       "7473f076cbc06b7174f0cec9cc6d2e47b9543dd9ef0b10fb33cd0ee3815f47b8"},
      {"recommendation-1", 0, "0194ad1e-7d00-7000-8000-000000000003",
       "oversight.v1.RecommendationIssued", "text=publish logs", "cause=2",
       1736931600250000,
       "f875ef79d598faed0f9ff3c4f18b8eb5fdabb9d7766fe491c31a171a7fb3c570"},
  };
  std::vector<ExportedEvent> events;
  uint64_t position = 0;
  for (const Row& row : rows) {
    ExportedEvent e;
    e.line_number = static_cast<int>(++position);
    e.event.set_position(position);
    e.event.set_stream(row.stream);
    e.event.set_revision(row.revision);
    e.event.set_event_id(row.id);
    e.event.set_type(row.type);
    e.event.set_data(row.data);
    e.event.set_metadata(row.metadata);
    e.event.mutable_recorded_at()->set_seconds(row.recorded_us / 1000000);
    e.event.mutable_recorded_at()->set_nanos(
        static_cast<int32_t>(row.recorded_us % 1000000 * 1000));
    e.event.set_hash(Unhex(row.hash));
    events.push_back(std::move(e));
  }
  return events;
}

TEST(ExportLineTest, RoundTripsEveryFieldWithProtoNames) {
  const v1::RecordedEvent event = WorkedExample()[2].event;
  absl::StatusOr<std::string> line = ExportLine(event);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->back(), '\n');
  EXPECT_EQ(line->find('\n'), line->size() - 1);
  EXPECT_THAT(*line, HasSubstr("\"position\":\"3\""));
  EXPECT_THAT(*line, HasSubstr("\"event_id\":\"0194ad1e-7d00-7000-8000-"));
  EXPECT_THAT(*line, HasSubstr("\"recorded_at\":\"2025-01-15T09:00:00.250Z\""));
  EXPECT_THAT(*line, HasSubstr("\"withheld\":false"));
  absl::StatusOr<v1::RecordedEvent> back =
      ParseExportLine(line->substr(0, line->size() - 1));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), event.SerializeAsString());
  // Revision 0 and empty metadata are printed too.
  line = ExportLine(WorkedExample()[0].event);
  ASSERT_TRUE(line.ok());
  EXPECT_THAT(*line, HasSubstr("\"revision\":\"0\""));
  EXPECT_THAT(*line, HasSubstr("\"metadata\":\"\""));
}

TEST(ExportLineTest, BadLinesSayWhy) {
  const std::string good = *ExportLine(WorkedExample()[0].event);
  struct Case {
    std::string text;
    std::string why;
  };
  const std::string hash_b64 =
      absl::Base64Escape(WorkedExample()[0].event.hash());
  const std::vector<Case> cases = {
      {"not json", "not a RecordedEvent in JSON"},
      {"{\"position\":\"1\",\"colour\":\"red\"}", "not a RecordedEvent"},
      {absl::StrReplaceAll(good,
                           {{"\"position\":\"1\"", "\"position\":\"0\""}}),
       "\"position\""},
      {absl::StrReplaceAll(good,
                           {{"\"stream\":\"review-1\"", "\"stream\":\"\""}}),
       "\"stream\""},
      {absl::StrReplaceAll(
           good, {{"\"hash\":\"" + hash_b64 + "\"", "\"hash\":\"\""}}),
       "\"hash\""},
      {absl::StrReplaceAll(
           good, {{"\"hash\":\"" + hash_b64 + "\"", "\"hash\":\"AAAA\""}}),
       "hash is 3 bytes"},
      {absl::StrReplaceAll(good, {{"0194ad1e-7c00", "0194ad1e-7c0"}}),
       "event_id"},
      {absl::StrReplaceAll(good, {{"09:00:00Z", "09:00:00.000000001Z"}}),
       "below the microsecond"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<v1::RecordedEvent> e = ParseExportLine(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(e.status().message()), HasSubstr(c.why)) << c.text;
  }
}

TEST(ReadExportLinesTest, NamesTheLineOfAPositionOutOfOrder) {
  std::vector<ExportedEvent> example = WorkedExample();
  std::stringstream in;
  in << *ExportLine(example[0].event) << "\n"  // a blank line is skipped
     << *ExportLine(example[2].event) << *ExportLine(example[1].event);
  absl::StatusOr<std::vector<ExportedEvent>> read = ReadExportLines(in);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr("line 4: position 2 does not follow position 3 "
                        "(line 3)"));

  std::stringstream ok;
  for (const ExportedEvent& e : example) ok << *ExportLine(e.event);
  read = ReadExportLines(ok);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[2].line_number, 3);
}

TEST(ReadExportFileTest, PrefixesThePath) {
  absl::StatusOr<std::vector<ExportedEvent>> read =
      ReadExportFile("/nonexistent/export.jsonl");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr("/nonexistent/export.jsonl"));
}

TEST(CheckChainTest, RecomputesTheWorkedExample) {
  ChainCheck check = CheckChain(WorkedExample());
  ASSERT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.events, 3u);
  EXPECT_EQ(check.recomputed, 3u);
  EXPECT_EQ(check.unchecked(), 0u);
  EXPECT_EQ(check.first_position, 1u);
  EXPECT_EQ(check.last_position, 3u);
  EXPECT_EQ(absl::BytesToHexString(check.head_hash),
            "f875ef79d598faed0f9ff3c4f18b8eb5fdabb9d7766fe491c31a171a7fb3c570");
  EXPECT_EQ(DescribeChain(check),
            "chain verified: 3 events, positions 1 to 3, 3 hashes "
            "recomputed\n");
}

TEST(CheckChainTest, TheFlippedByteOfTheWorkedExampleBreaksPositionTwo) {
  std::vector<ExportedEvent> events = WorkedExample();
  events[1].event.set_data("reviewer=anc");  // docs/storage-format.md
  ChainCheck check = CheckChain(events);
  ASSERT_FALSE(check.ok);
  EXPECT_EQ(check.first_bad, 2u);
  EXPECT_EQ(check.first_bad_line, 2);
  EXPECT_EQ(check.problem,
            "chain hash mismatch: stored "
            "7473f076cbc06b7174f0cec9cc6d2e47b9543dd9ef0b10fb33cd0ee3815f47b8, "
            "computed "
            "49f6fd82806f70db5eb4c6142609808c1b99914304e22d5ab7eb5f75cec6e171");
  EXPECT_THAT(DescribeChain(check),
              HasSubstr("chain broken at position 2 (line 2): chain hash "
                        "mismatch"));
}

TEST(CheckChainTest, EveryFieldOfTheRecordIsCovered) {
  using Edit = void (*)(v1::RecordedEvent*);
  const Edit edits[] = {
      [](v1::RecordedEvent* e) { e->set_stream("review-2"); },
      [](v1::RecordedEvent* e) { e->set_revision(7); },
      [](v1::RecordedEvent* e) {
        e->set_event_id("0194ad1e-7c00-7000-8000-000000000009");
      },
      [](v1::RecordedEvent* e) { e->set_type("oversight.v1.Other"); },
      [](v1::RecordedEvent* e) { e->set_metadata("x"); },
      [](v1::RecordedEvent* e) { e->mutable_recorded_at()->set_nanos(1000); },
      [](v1::RecordedEvent* e) {
        std::string h = e->hash();
        h[31] ^= 1;
        e->set_hash(h);
      },
  };
  for (Edit edit : edits) {
    std::vector<ExportedEvent> events = WorkedExample();
    edit(&events[1].event);
    ChainCheck check = CheckChain(events);
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.first_bad, 2u);
  }
}

TEST(CheckChainTest, WithheldLinesAndGapsAreTakenAsGivenAndCounted) {
  // Position 2 withheld: its hash cannot be recomputed, but position 3's
  // is, from it.
  std::vector<ExportedEvent> events = WorkedExample();
  events[1].event.set_withheld(true);
  events[1].event.clear_data();
  ChainCheck check = CheckChain(events);
  ASSERT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.recomputed, 2u);
  EXPECT_EQ(check.withheld, 1u);
  EXPECT_EQ(check.after_gap, 0u);
  EXPECT_THAT(check.unchecked_positions, ::testing::ElementsAre(2));
  EXPECT_THAT(DescribeChain(check),
              HasSubstr("1 hash not verifiable, taken as given: 1 withheld "
                        "(no data), 0 after a gap in positions (the "
                        "predecessor is not in the file): position 2\n"));
  // ... and a tampered position 3 is still caught.
  events[2].event.set_data("text=publish nothing");
  EXPECT_EQ(CheckChain(events).first_bad, 3u);

  // An export from position 2: its first hash is taken as given.
  events = WorkedExample();
  events.erase(events.begin());
  check = CheckChain(events);
  ASSERT_TRUE(check.ok);
  EXPECT_EQ(check.after_gap, 1u);
  EXPECT_EQ(check.recomputed, 1u);
  // A gap: positions 1 and 3.
  events = WorkedExample();
  events.erase(events.begin() + 1);
  check = CheckChain(events);
  ASSERT_TRUE(check.ok);
  EXPECT_EQ(check.after_gap, 1u);
  EXPECT_EQ(check.recomputed, 1u);
  EXPECT_THAT(check.unchecked_positions, ::testing::ElementsAre(3));
}

TEST(ReplayedLogTest, AnswersAsTheServerDoesForWhatDoesNotExist) {
  ReplayedLog log(WorkedExample());  // not domain events: nothing folded
  EXPECT_EQ(log.head(), 3u);
  EXPECT_EQ(log.streams(), 2u);
  EXPECT_EQ(log.domain_events(), 0u);
  v1::GetStatusBoardRequest request;
  request.set_review_id("review-1");
  v1::GetStatusBoardResponse board;
  absl::Status s = log.StatusBoard(request, absl::Now(), &board);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FormatOfflineStatus(s),
            "NOT_FOUND (REVIEW_NOT_FOUND): review \"review-1\" does not exist "
            "(as at the moment asked)");
  // As at a position past the file's last is refused, as past the head.
  request.mutable_as_of()->set_position(4);
  s = log.StatusBoard(request, absl::Now(), &board);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FormatOfflineStatus(s), HasSubstr("AS_OF_IN_FUTURE"));
  v1::GetReportRequest report;
  report.set_review_id("review-1");
  report.set_period("2025-01");
  report.set_language(v1::REPORT_LANGUAGE_ENGLISH);
  report.set_format(v1::REPORT_FORMAT_MARKDOWN);
  v1::GetReportResponse rendered;
  s = log.Report(report, absl::Now(), &rendered);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
}

TEST(ProgressLineTest, EveryNUnitsAndNeverWhenQuiet) {
  std::stringstream out;
  ProgressLine progress(&out, 10, absl::Hours(1));
  int lines = 0;
  for (uint64_t done = 1; done <= 35; ++done) {
    if (progress.Due(done)) {
      progress.Print(absl::StrCat("done ", done));
      ++lines;
    }
  }
  EXPECT_EQ(lines, 3);
  EXPECT_EQ(out.str(), "done 10\ndone 20\ndone 30\n");
  ProgressLine quiet(nullptr, 1);
  EXPECT_FALSE(quiet.Due(1));
  // By time: due at the first multiple of 64 once the interval passed.
  ProgressLine timed(&out, 0, absl::ZeroDuration());
  EXPECT_FALSE(timed.Due(63));
  EXPECT_TRUE(timed.Due(64));
}

}  // namespace
}  // namespace oversight::cli
