// `oversight export` against a real oversightd loaded with the worked
// example, then `oversight replay` of the file, offline: the chain
// verifies, tampering is found and named, the replayed answers and report
// are the server's, stream and range exports, withheld events, bad files;
// and the progress lines of export and verify.

#include <fstream>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/cli_process.h"
#include "tests/testing/test_certs.h"

namespace oversight {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;
using testing::RunShell;
using testing::WriteTextFile;

constexpr char kReview[] = "dyfed-powys-stalking-2023";

// The command's stdout alone (stderr dropped).
std::string StdoutOf(const std::string& command) {
  return "{ " + command + " 2>/dev/null; }";
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

class ExportReplayTest : public testing::CliServerTest {
 protected:
  void SetUp() override {
    address_ = StartServer("127.0.0.1:0");
    ASSERT_FALSE(address_.empty()) << ReadFile(log_path_);
    std::string output;
    ASSERT_EQ(
        RunShell(Cli() + "--role= --quiet import " + OVERSIGHT_EXAMPLE_PATH,
                 &output),
        0)
        << output;
  }

  // The CLI against the server, as an auditor.
  std::string Cli() const {
    return absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address_,
                        " --role=auditor ");
  }
  // The CLI offline.
  static std::string Offline() { return absl::StrCat(OVERSIGHT_CLI_PATH, " "); }

  // Exports with `args` to `name`; returns the export's stderr summary.
  std::string Export(const std::string& name, const std::string& args = "") {
    std::string output;
    EXPECT_EQ(RunShell(Cli() + "export --out=" + dir_.Sub(name) + " " + args,
                       &output),
              0)
        << output;
    return output;
  }

  uint64_t Head() {
    std::string output;
    EXPECT_EQ(RunShell(Cli() + "head", &output), 0) << output;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(output, m, std::regex("position ([0-9]+)")));
    return std::stoull(m[1].str());
  }

  std::string address_;
};

TEST_F(ExportReplayTest, AFullExportReplaysToTheServersHeadAndAnswers) {
  const uint64_t head = Head();
  const std::string summary = Export("log.jsonl");
  EXPECT_THAT(summary,
              HasSubstr(absl::StrCat("exported ", head,
                                     " events, positions 1 to ", head)));
  EXPECT_THAT(summary, Not(HasSubstr("withheld")));
  EXPECT_EQ(Lines(ReadFile(dir_.Sub("log.jsonl"))).size(), head);

  std::string online_head, output;
  ASSERT_EQ(RunShell(Cli() + "head", &online_head), 0);
  const std::string hash = Lines(online_head)[1].substr(9);
  ASSERT_EQ(RunShell(Offline() + "replay " + dir_.Sub("log.jsonl"), &output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat(
                          "chain verified: ", head, " events, positions 1 to ",
                          head, ", ", head, " hashes recomputed\n")));
  EXPECT_THAT(output, Not(HasSubstr("not verifiable")));
  EXPECT_THAT(output, HasSubstr(absl::StrCat("reviews  1: ", kReview)));
  EXPECT_THAT(output, HasSubstr(absl::StrCat("head     position ", head,
                                             ", hash ", hash)));

  // The same answers, now and as at past moments, in both outputs.
  const std::string file = dir_.Sub("log.jsonl");
  for (const std::string& question :
       {absl::StrCat("status ", kReview),
        absl::StrCat("status ", kReview, " --as-of=2024-07-31"),
        absl::StrCat("status ", kReview, " --as-of=@60 --lang=cy"),
        absl::StrCat("recommendation ", kReview, " 1"),
        absl::StrCat("recommendation ", kReview, " 7 --as-of=@80"),
        absl::StrCat("attention ", kReview),
        absl::StrCat("attention ", kReview, " --as-of=2025-01-31"),
        std::string("partner paladin"),
        std::string("partner paladin --as-of=@70")}) {
    for (const char* output_flag : {" --output=json", " --output=table"}) {
      std::string online, offline;
      ASSERT_EQ(RunShell(StdoutOf(Cli() + question + output_flag), &online), 0)
          << question << online;
      ASSERT_EQ(RunShell(StdoutOf(Offline() + "replay " + file + " " +
                                  question + output_flag),
                         &offline),
                0)
          << question << offline;
      EXPECT_THAT(online, HasSubstr("position")) << question;
      EXPECT_EQ(offline, online) << question << output_flag;
    }
  }
  // What the server refuses, replay refuses the same way.
  std::string online, offline;
  EXPECT_EQ(RunShell(Cli() + "status no-such-review", &online), 1);
  EXPECT_EQ(
      RunShell(Offline() + "--quiet replay " + file + " status no-such-review",
               &offline),
      1);
  EXPECT_EQ(offline, online);

  // The report: byte for byte the server's at the file's last position
  // (every GetReport records a disclosure, so the server's head moves on;
  // it renders as at the export's head).
  for (const char* lang : {"en", "cy"}) {
    for (const char* format : {"md", "html"}) {
      const std::string flags =
          absl::StrCat(" --review=", kReview, " --period=2025-01 --lang=", lang,
                       " --format=", format);
      const std::string server_copy = dir_.Sub("server.report");
      const std::string replay_copy = dir_.Sub("replay.report");
      ASSERT_EQ(RunShell(Cli() + "report" + flags + " --as-of=@" +
                             std::to_string(head) + " --out=" + server_copy,
                         &output),
                0)
          << output;
      ASSERT_EQ(RunShell(Offline() + "replay " + file + " report" + flags +
                             " --out=" + replay_copy,
                         &output),
                0)
          << output;
      EXPECT_THAT(output, HasSubstr(absl::StrCat("as at position ", head)));
      const std::string expected = ReadFile(server_copy);
      ASSERT_GT(expected.size(), 1000u);
      EXPECT_TRUE(ReadFile(replay_copy) == expected) << lang << " " << format;
      // To stdout, the same bytes.
      ASSERT_EQ(
          RunShell(StdoutOf(Offline() + "replay " + file + " report" + flags),
                   &output),
          0);
      EXPECT_TRUE(output == expected) << lang << " " << format;
    }
  }
  // As at an earlier position, too.
  const std::string flags =
      absl::StrCat(" report --review=", kReview, " --period=2025-01");
  ASSERT_EQ(RunShell(StdoutOf(Cli() + flags + " --as-of=@90"), &online), 0);
  ASSERT_EQ(
      RunShell(StdoutOf(Offline() + "replay " + file + flags + " --as-of=@90"),
               &offline),
      0);
  EXPECT_THAT(online, HasSubstr("90"));
  EXPECT_TRUE(offline == online);
}

// Rewrites line `n` (1-based) of `path` with `edit`.
void EditLine(const std::string& path, size_t n,
              const std::function<std::string(std::string)>& edit) {
  std::vector<std::string> lines = Lines(ReadFile(path));
  lines[n - 1] = edit(lines[n - 1]);
  WriteTextFile(path, absl::StrJoin(lines, "\n") + "\n");
}

// The value of a string field in an export line.
std::string Field(const std::string& line, const std::string& name) {
  std::smatch m;
  std::regex_search(line, m, std::regex("\"" + name + "\":\"([^\"]*)\""));
  return m[1].str();
}

TEST_F(ExportReplayTest, TamperingWithTheFileIsFoundAndNamed) {
  Export("log.jsonl");
  const std::string file = dir_.Sub("log.jsonl");
  const std::string pristine = ReadFile(file);
  std::string output;

  // One byte of the data of position 10.
  EditLine(file, 10, [](std::string line) {
    std::string data;
    absl::Base64Unescape(Field(line, "data"), &data);
    data[data.size() / 2] ^= 0x01;
    const std::string old_data = Field(line, "data");
    return line.replace(line.find(old_data), old_data.size(),
                        absl::Base64Escape(data));
  });
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 4) << output;
  EXPECT_THAT(output, HasSubstr("chain broken at position 10 (line 10): "
                                "chain hash mismatch: stored "));
  // A query from a broken file is not answered.
  EXPECT_EQ(
      RunShell(Offline() + "replay " + file + " status " + kReview, &output),
      4);
  EXPECT_THAT(output, Not(HasSubstr("as at position")));

  // An edited field: the stream of position 25.
  WriteTextFile(file, pristine);
  EditLine(file, 25, [](std::string line) {
    const std::string stream = Field(line, "stream");
    return line.replace(line.find(stream), stream.size(), stream + "x");
  });
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 4);
  EXPECT_THAT(output, HasSubstr("chain broken at position 25 (line 25)"));

  // The stored hash of position 40.
  WriteTextFile(file, pristine);
  EditLine(file, 40, [](std::string line) {
    std::string hash;
    absl::Base64Unescape(Field(line, "hash"), &hash);
    hash[0] ^= 0x80;
    const std::string old_hash = Field(line, "hash");
    return line.replace(line.find(old_hash), old_hash.size(),
                        absl::Base64Escape(hash));
  });
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 4);
  EXPECT_THAT(output, HasSubstr("chain broken at position 40 (line 40)"));

  // A line deleted: a gap, which only a partial export may have.
  std::vector<std::string> lines = Lines(pristine);
  lines.erase(lines.begin() + 29);
  WriteTextFile(file, absl::StrJoin(lines, "\n") + "\n");
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 4);
  EXPECT_THAT(output, HasSubstr("1 after a gap in positions"));
  EXPECT_THAT(output, HasSubstr("not verified"));

  // A line edited and passed off as withheld (its data dropped).
  WriteTextFile(file, pristine);
  EditLine(file, 50, [](std::string line) {
    const std::string data = Field(line, "data");
    line.replace(line.find(data), data.size(), "");
    const std::string visible = "\"withheld\":false";
    return line.replace(line.find(visible), visible.size(),
                        "\"withheld\":true");
  });
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 4) << output;
  EXPECT_THAT(output, HasSubstr("1 withheld (no data)"));
  EXPECT_THAT(output, HasSubstr("not verified"));
}

TEST_F(ExportReplayTest, AnExportCutShortLeavesNoFile) {
  // A force may ask for the head but not read the raw log: the export
  // starts, then is refused; nothing that looks like an export is left.
  std::string output;
  const std::string file = dir_.Sub("refused.jsonl");
  EXPECT_EQ(RunShell(Cli() + "--role=force export --out=" + file, &output), 1);
  EXPECT_THAT(output, HasSubstr("PERMISSION_DENIED (ROLE_NOT_ALLOWED)"));
  EXPECT_FALSE(std::ifstream(file).good());
  EXPECT_FALSE(std::ifstream(file + ".partial").good());
  // A complete one is renamed into place.
  Export("whole.jsonl");
  EXPECT_TRUE(std::ifstream(dir_.Sub("whole.jsonl")).good());
  EXPECT_FALSE(std::ifstream(dir_.Sub("whole.jsonl.partial")).good());
}

TEST_F(ExportReplayTest, BadFilesAreUsageErrorsNamingTheLine) {
  Export("log.jsonl");
  const std::string file = dir_.Sub("log.jsonl");
  const std::string pristine = ReadFile(file);
  std::string output;

  EditLine(file, 3, [](std::string) { return std::string("{not json"); });
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 2);
  EXPECT_THAT(output, HasSubstr(file + ":3: not a RecordedEvent in JSON"));

  WriteTextFile(file, pristine);
  EditLine(file, 5, [](std::string line) {
    const std::string hash = "\"hash\":\"" + Field(line, "hash") + "\",";
    return line.erase(line.find(hash), hash.size());
  });
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 2);
  EXPECT_THAT(output, HasSubstr(file + ":5: missing or empty field \"hash\""));

  WriteTextFile(file, pristine);
  std::vector<std::string> lines = Lines(pristine);
  std::swap(lines[5], lines[6]);
  WriteTextFile(file, absl::StrJoin(lines, "\n") + "\n");
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 2);
  EXPECT_THAT(output,
              HasSubstr(file + ":7: position 6 does not follow position 7 "
                               "(line 6)"));

  EXPECT_EQ(
      RunShell(Offline() + "replay " + dir_.Sub("missing.jsonl"), &output), 2);
  EXPECT_EQ(RunShell(Offline() + "replay", &output), 2);
  WriteTextFile(file, pristine);
  EXPECT_EQ(RunShell(Offline() + "replay " + file + " history", &output), 2);
  EXPECT_THAT(output, HasSubstr("replay answers status"));
}

TEST_F(ExportReplayTest, StreamAndRangeExportsSayWhatCannotBeVerified) {
  std::string output;
  // One stream: its revisions, in order; most links' predecessors are
  // other streams' events.
  std::string summary =
      Export("review.jsonl", absl::StrCat("--stream=review-", kReview));
  std::vector<std::string> lines = Lines(ReadFile(dir_.Sub("review.jsonl")));
  ASSERT_GT(lines.size(), 3u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(Field(lines[i], "stream"), absl::StrCat("review-", kReview));
    EXPECT_THAT(lines[i], HasSubstr(absl::StrCat("\"revision\":\"", i, "\"")));
  }
  // Not verified unless the reader accepts a partial export.
  EXPECT_EQ(RunShell(Offline() + "replay " + dir_.Sub("review.jsonl"), &output),
            4);
  EXPECT_THAT(output, HasSubstr("not verified: the chain could not be "
                                "recomputed throughout"));
  ASSERT_EQ(RunShell(Offline() + "--partial replay " + dir_.Sub("review.jsonl"),
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("hashes not verifiable, taken as given: 0 "
                                "withheld (no data)"));

  // A range of positions: the first link is not verifiable, the rest are.
  summary = Export("range.jsonl", "10 30");
  EXPECT_THAT(summary, HasSubstr("exported 21 events, positions 10 to 30"));
  EXPECT_EQ(RunShell(Offline() + "replay " + dir_.Sub("range.jsonl"), &output),
            4);
  ASSERT_EQ(RunShell(Offline() + "--partial replay " + dir_.Sub("range.jsonl"),
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("chain verified: 21 events, positions 10 to "
                                "30, 20 hashes recomputed\n1 hash not "
                                "verifiable, taken as given: 0 withheld (no "
                                "data), 1 after a gap in positions (the "
                                "predecessor is not in the file): position "
                                "10\n"));
  // A prefix.
  summary = Export("recs.jsonl", "--stream_prefix=recommendation-");
  for (const std::string& line : Lines(ReadFile(dir_.Sub("recs.jsonl")))) {
    EXPECT_EQ(Field(line, "stream").rfind("recommendation-", 0), 0u);
  }
  // Recorded times: everything was recorded today, nothing before 2000.
  summary = Export("none.jsonl", "--to=1999-12-31");
  EXPECT_THAT(summary, HasSubstr("exported 0 events"));
  EXPECT_EQ(ReadFile(dir_.Sub("none.jsonl")), "");
  summary = Export("all.jsonl", "--from=2000-01-01 5");
  EXPECT_THAT(summary, HasSubstr("positions 5 to "));
  // Bad arguments.
  EXPECT_EQ(RunShell(Cli() + "export 5 3", &output), 2);
  EXPECT_EQ(RunShell(Cli() + "export --stream=a --stream_prefix=b", &output),
            2);
  EXPECT_EQ(RunShell(Cli() + "export --from=yesterday", &output), 2);
}

TEST_F(ExportReplayTest, WithheldEventsAreExportedWithheldAndCounted) {
  // One OFFICIAL-SENSITIVE risk in the review.
  const std::string line = absl::StrCat(
      "{\"agency\": \"dyfed-powys-police\", \"actor\": \"test\", "
      "\"raise_risk\": {\"request_id\": \"test-sensitive-risk\", "
      "\"occurred_at\": \"2025-01-02T00:00:00Z\", \"classification\": "
      "\"CLASSIFICATION_OFFICIAL_SENSITIVE\", \"risk\": {\"review_id\": \"",
      kReview,
      "\", \"risk_id\": \"risk-test-sensitive\", \"category\": "
      "\"RISK_CATEGORY_FUNDING\", \"description\": {\"en\": \"A sensitive "
      "risk.\"}, \"related_recommendations\": [1]}}}\n");
  WriteTextFile(dir_.Sub("sensitive.jsonl"), line);
  std::string output;
  ASSERT_EQ(
      RunShell(Cli() + "--role= --quiet import " + dir_.Sub("sensitive.jsonl"),
               &output),
      0)
      << output;
  const uint64_t head = Head();

  // Without a justification: withheld, and said so.
  std::string summary = Export("withheld.jsonl");
  EXPECT_THAT(summary, HasSubstr("1 OFFICIAL-SENSITIVE event withheld"));
  const std::vector<std::string> lines =
      Lines(ReadFile(dir_.Sub("withheld.jsonl")));
  ASSERT_EQ(lines.size(), head);
  EXPECT_THAT(lines.back(), HasSubstr("\"withheld\":true"));
  EXPECT_EQ(Field(lines.back(), "data"), "");
  const std::string file = dir_.Sub("withheld.jsonl");
  EXPECT_EQ(RunShell(Offline() + "replay " + file, &output), 4);
  EXPECT_THAT(output, HasSubstr("give --partial"));
  ASSERT_EQ(RunShell(Offline() + "--partial replay " + file, &output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat(head - 1, " hashes recomputed")));
  EXPECT_THAT(output, HasSubstr(absl::StrCat(
                          "1 hash not verifiable, taken as given: 1 withheld "
                          "(no data), 0 after a gap in positions (the "
                          "predecessor is not in the file): position ",
                          head)));
  EXPECT_THAT(output, HasSubstr("(1 withheld;"));
  // The replayed board is the server's for the same reader: the risk left
  // out, and counted.
  std::string online, offline;
  const std::string status = absl::StrCat("status ", kReview);
  ASSERT_EQ(RunShell(StdoutOf(Cli() + status + " --output=json"), &online), 0);
  ASSERT_EQ(RunShell(StdoutOf(Offline() + "--partial replay " + file + " " +
                              status + " --output=json"),
                     &offline),
            0);
  EXPECT_THAT(online, HasSubstr("\"withheld\":1"));
  EXPECT_EQ(offline, online);

  // With a justification: complete, and the consultation recorded.
  summary = Export("complete.jsonl", "--justification='Audit 2025/17'");
  EXPECT_THAT(summary, Not(HasSubstr("withheld")));
  EXPECT_THAT(summary, HasSubstr("access recorded at position"));
  ASSERT_EQ(
      RunShell(Offline() + "replay " + dir_.Sub("complete.jsonl"), &output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat(head, " hashes recomputed")));
  EXPECT_THAT(output, Not(HasSubstr("not verifiable")));
  const std::string recommendation =
      absl::StrCat(" recommendation ", kReview, " 1");
  ASSERT_EQ(RunShell(StdoutOf(Offline() + "replay " +
                              dir_.Sub("complete.jsonl") + recommendation),
                     &offline),
            0);
  EXPECT_THAT(offline, HasSubstr("A sensitive risk."));
  EXPECT_THAT(offline, Not(HasSubstr("withheld")));
  ASSERT_EQ(RunShell(StdoutOf(Offline() + "--partial replay " + file +
                              recommendation),
                     &offline),
            0);
  EXPECT_THAT(offline, Not(HasSubstr("A sensitive risk.")));
  EXPECT_THAT(offline, HasSubstr("1 OFFICIAL-SENSITIVE event withheld"));
}

TEST_F(ExportReplayTest, LongOperationsReportProgressUnlessQuiet) {
  const uint64_t head = Head();
  std::string output, quiet;
  ASSERT_EQ(RunShell(Cli() + "--progress_every=10 export --out=" +
                         dir_.Sub("log.jsonl"),
                     &output),
            0);
  EXPECT_THAT(output, HasSubstr("exported 10 events to position 10\n"));
  EXPECT_THAT(output, HasSubstr("exported 90 events to position 90\n"));
  ASSERT_EQ(RunShell(Cli() + "--progress_every=10 --quiet export --out=" +
                         dir_.Sub("log2.jsonl"),
                     &quiet),
            0);
  EXPECT_THAT(quiet, Not(HasSubstr("to position 10\n")));
  EXPECT_EQ(ReadFile(dir_.Sub("log.jsonl")), ReadFile(dir_.Sub("log2.jsonl")));

  // verify: in parts, each reported; the result is the same.
  ASSERT_EQ(RunShell(StdoutOf(Cli() + "verify --quiet"), &quiet), 0);
  ASSERT_EQ(RunShell(Cli() + "verify --progress_every=25", &output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat("verified positions 1 to 25 of ",
                                             head, "\n")));
  EXPECT_THAT(output, HasSubstr(absl::StrCat("verified positions 1 to 50 of ",
                                             head, "\n")));
  ASSERT_EQ(RunShell(StdoutOf(Cli() + "verify --progress_every=25"), &output),
            0);
  EXPECT_EQ(output, quiet);
  EXPECT_THAT(output, HasSubstr(absl::StrCat("verified positions 1 to ", head,
                                             "\nhead hash ")));
  ASSERT_EQ(
      RunShell(StdoutOf(Cli() + "verify 10 60 --progress_every=7"), &output),
      0);
  EXPECT_THAT(output, HasSubstr("verified positions 10 to 60\n"));
  // A range past the head is refused as before.
  EXPECT_EQ(RunShell(Cli() + "verify 1 100000 --progress_every=7", &output), 1);
  EXPECT_THAT(output, HasSubstr("INVALID_RANGE"));

  // replay: reading and checking a large file.
  ASSERT_EQ(RunShell(Offline() + "--progress_every=10 replay " +
                         dir_.Sub("log.jsonl") + " status " + kReview,
                     &output),
            0);
  EXPECT_THAT(output, HasSubstr("read 10 lines of " + dir_.Sub("log.jsonl")));
  EXPECT_THAT(output, HasSubstr("checked 10 hashes to position 10\n"));
  EXPECT_THAT(output, HasSubstr("chain verified"));
  ASSERT_EQ(RunShell(Offline() + "--progress_every=10 --quiet replay " +
                         dir_.Sub("log.jsonl"),
                     &output),
            0);
  EXPECT_THAT(output, Not(HasSubstr("checked 10")));

  // Both verbs have help.
  for (const char* verb : {"export", "replay"}) {
    ASSERT_EQ(
        RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " help ", verb), &output), 0);
    EXPECT_THAT(output, HasSubstr("Example"));
  }
}

}  // namespace
}  // namespace oversight
