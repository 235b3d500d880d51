// Reading import files (clients/import_file.h): comments, line numbers and
// the reasons a file is refused before anything is sent.

#include "clients/import_file.h"

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace oversight::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kIssue[] =
    R"({"agency": "opcc", "issueRecommendation": {"requestId": "rec-1", )"
    R"("classification": "CLASSIFICATION_OFFICIAL", "recommendation": )"
    R"({"reviewId": "vawg", "number": 1, "text": {"en": "Do better."}, )"
    R"("owningAgencyId": "force"}}})";
constexpr char kRating[] =
    R"({"agency": "opcc", "actor": "j.jones", "assignRating": {"requestId": )"
    R"("rate-1", "rating": {"reviewId": "vawg", "number": 1, "period": )"
    R"("2024-01", "rating": "RATING_AMBER"}}})";

class ImportFileTest : public ::testing::Test {
 protected:
  // Writes `content` to a file of the temporary directory; returns its path.
  std::string Write(const std::string& content,
                    const std::string& name = "import.jsonl") {
    const std::string path = dir_.Sub(name);
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  // The error of reading `content`, which must fail.
  absl::Status Error(const std::string& content) {
    absl::StatusOr<std::vector<ImportEntry>> entries =
        ReadImportFile(Write(content));
    EXPECT_FALSE(entries.ok());
    return entries.status();
  }

  // The message of Error(); a std::string for gMock's string matchers
  // (Debian's absl::string_view is not std::string_view).
  std::string Why(const std::string& content) {
    return std::string(Error(content).message());
  }

  oversight::testing::TempDir dir_;
};

TEST_F(ImportFileTest, ReadsCommandsAndSkipsCommentsAndBlankLines) {
  auto entries = ReadImportFile(
      Write(absl::StrCat("# Recommendations of the VAWG review.\n", "\n",
                         "   \t\n", "  # an indented comment\n", kIssue, "\n",
                         "#", kRating, "\n", kRating, "\n")));
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].line_number, 5);
  EXPECT_EQ((*entries)[0].line.agency(), "opcc");
  EXPECT_TRUE((*entries)[0].line.actor().empty());
  ASSERT_TRUE((*entries)[0].line.has_issue_recommendation());
  const auto& issued =
      (*entries)[0].line.issue_recommendation().recommendation();
  EXPECT_EQ(issued.review_id(), "vawg");
  EXPECT_EQ(issued.number(), 1);
  EXPECT_EQ(issued.text().en(), "Do better.");
  EXPECT_EQ((*entries)[0].line.issue_recommendation().classification(),
            v1::CLASSIFICATION_OFFICIAL);
  EXPECT_EQ((*entries)[1].line_number, 7);
  EXPECT_EQ((*entries)[1].line.actor(), "j.jones");
  EXPECT_EQ((*entries)[1].line.assign_rating().rating().rating(),
            v1::RATING_AMBER);
}

TEST_F(ImportFileTest, EmptyFileAndOnlyCommentsGiveNoEntries) {
  auto empty = ReadImportFile(Write(""));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  auto comments = ReadImportFile(Write("# nothing yet\n\n", "comments"));
  ASSERT_TRUE(comments.ok()) << comments.status();
  EXPECT_TRUE(comments->empty());
}

TEST_F(ImportFileTest, AcceptsProtoFieldNamesCrlfAndByteOrderMark) {
  auto entries = ReadImportFile(Write(absl::StrCat(
      "\xEF\xBB\xBF# exported from a spreadsheet\r\n",
      R"({"agency": "opcc", "close_reporting_period": {"request_id": "c-1", )"
      R"("period": {"review_id": "vawg", "period": "2024-01"}}})",
      "\r\n", kRating)));  // No newline at the end.
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].line_number, 2);
  EXPECT_EQ((*entries)[0].line.close_reporting_period().period().review_id(),
            "vawg");
  EXPECT_EQ((*entries)[1].line_number, 3);
}

TEST_F(ImportFileTest, MalformedJsonReportsItsLineNumber) {
  absl::Status status = Error(absl::StrCat(
      "# header\n", kIssue, "\n", R"({"agency": "opcc", "openReview": {)", "\n",
      kRating, "\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("line 3: not a valid ImportLine"));
  // One line, whatever protobuf's parser says.
  EXPECT_FALSE(absl::StrContains(std::string(status.message()), "\n"));
}

TEST_F(ImportFileTest, UnknownFieldReportsItsLineNumberAndName) {
  absl::Status nested = Error(absl::StrCat(
      kIssue, "\n",
      R"({"agency": "opcc", "assignRating": {"requestId": "r", "ratting": {}}})",
      "\n"));
  EXPECT_EQ(nested.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(nested.message()), StartsWith("line 2: "));
  EXPECT_THAT(std::string(nested.message()), HasSubstr("ratting"));

  absl::Status top = Error(
      R"({"agency": "opcc", "agnecy": "x", "assignRating": {"requestId": "r"}})");
  EXPECT_THAT(std::string(top.message()), StartsWith("line 1: "));
  EXPECT_THAT(std::string(top.message()), HasSubstr("agnecy"));
}

TEST_F(ImportFileTest, WrongTypesAndEnumValuesAreRefused) {
  EXPECT_THAT(Why(R"({"agency": "opcc", "assignRating": {"requestId": 7}})"),
              StartsWith("line 1: not a valid ImportLine"));
  EXPECT_THAT(Why(R"({"agency": "opcc", "assignRating": {"requestId": "r", )"
                  R"("rating": {"rating": "RATING_PURPLE"}}})"),
              HasSubstr("RATING_PURPLE"));
  EXPECT_THAT(Why("[1, 2]"), StartsWith("line 1: "));
}

TEST_F(ImportFileTest, LineWithoutCommandIsRefused) {
  absl::Status status =
      Error(absl::StrCat(kIssue, "\n", "\n", R"({"agency": "opcc"})", "\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("line 3: no command"));
  // A null command is no command.
  EXPECT_THAT(Why(R"({"agency": "opcc", "openReview": null})"),
              StartsWith("line 1: no command"));
}

TEST_F(ImportFileTest, LineWithTwoCommandsIsRefused) {
  EXPECT_THAT(Why(R"({"agency": "opcc", "openReview": {"requestId": "a"}, )"
                  R"("assignRating": {"requestId": "b"}})"),
              StartsWith("line 1: not a valid ImportLine"));
}

TEST_F(ImportFileTest, LineWithoutAgencyIsRefused) {
  absl::Status status = Error(R"({"assignRating": {"requestId": "r"}})");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("line 1: no \"agency\""));
}

TEST_F(ImportFileTest, CommandWithoutRequestIdIsRefused) {
  EXPECT_THAT(Why(R"({"agency": "opcc", "assignRating": {}})"),
              StartsWith("line 1: assign_rating has no \"requestId\""));
}

TEST_F(ImportFileTest, AgencyMustBeSendableAsMetadata) {
  EXPECT_THAT(Why(R"({"agency": "op\ncc", )"
                  R"("assignRating": {"requestId": "r"}})"),
              StartsWith("line 1: \"agency\" must be printable ASCII"));
}

TEST_F(ImportFileTest, RequestIdUsedTwiceByAnAgencyIsRefused) {
  absl::Status status =
      Error(absl::StrCat("# twice\n", kRating, "\n", kRating, "\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("line 3: request id \"rate-1\""));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("already used on line 2"));

  // Request ids are per agency.
  auto entries = ReadImportFile(Write(
      absl::StrCat(R"({"agency": "force", "raiseRisk": {"requestId": "x"}})",
                   "\n", R"({"agency": "opcc", "raiseRisk": {"requestId": )",
                   R"("x"}})", "\n"),
      "per-agency"));
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ(entries->size(), 2u);
}

TEST_F(ImportFileTest, LineNumbersCountSkippedLines) {
  absl::Status status =
      Error(absl::StrCat("# 1\n", "\n", "# 3\n", kIssue, "\n", "   \n", "# 6\n",
                         "\n", R"({"agency": "opcc"})", "\n"));
  EXPECT_THAT(std::string(status.message()), StartsWith("line 8: "));
}

TEST_F(ImportFileTest, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = dir_.Sub("no-such-file.jsonl");
  absl::StatusOr<std::vector<ImportEntry>> entries = ReadImportFile(path);
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(entries.status().message()), HasSubstr(path));
}

TEST_F(ImportFileTest, DirectoryIsRefusedAndNamesThePath) {
  absl::StatusOr<std::vector<ImportEntry>> entries =
      ReadImportFile(dir_.path());
  ASSERT_FALSE(entries.ok());
  EXPECT_THAT(std::string(entries.status().message()), HasSubstr(dir_.path()));
}

TEST_F(ImportFileTest, ActorMayBeAnyText) {
  auto entries = ReadImportFile(
      Write(R"({"agency": "opcc", "actor": "Siân Jones", "assignRating": )"
            R"({"requestId": "r"}})"));
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ((*entries)[0].line.actor(), "Siân Jones");
}

TEST(ImportLineTest, CommandNameAndRequestId) {
  v1::ImportLine line;
  EXPECT_EQ(CommandName(line), "");
  EXPECT_EQ(RequestId(line), "");
  EXPECT_EQ(CommandRequest(line), nullptr);
  line.mutable_record_conclusion()->set_request_id("conclude-2024-01");
  EXPECT_EQ(CommandName(line), "record_conclusion");
  EXPECT_EQ(RequestId(line), "conclude-2024-01");
  EXPECT_EQ(CommandRequest(line), &line.record_conclusion());
}

}  // namespace
}  // namespace oversight::cli
