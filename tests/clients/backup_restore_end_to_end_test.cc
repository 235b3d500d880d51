// `oversight backup` against a real oversightd loaded with the worked
// example, then the backup restored the documented ways: a second
// oversightd on the backup directory itself, and one on a `cp -a` copy of
// it, each with --verify_on_open. The restored servers' `head`, chain and
// status board are the source's at the backup point, while the source has
// moved on. Also: the refusals as the CLI prints them.

#include <regex>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/cli_process.h"

namespace oversight {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::RunShell;

constexpr char kReview[] = "dyfed-powys-stalking-2023";

// The command's stdout alone (stderr dropped).
std::string StdoutOf(const std::string& command) {
  return "{ " + command + " 2>/dev/null; }";
}

std::string Match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return "";
  return m[1].str();
}

class BackupRestoreTest : public testing::CliServerTest {
 protected:
  // The CLI against the server at address_, as `role`.
  std::string Cli(const std::string& role) const {
    return absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address_,
                        " --role=", role, " ");
  }

  // `command`'s stdout, expecting exit code 0.
  std::string Ok(const std::string& command) {
    std::string output;
    EXPECT_EQ(RunShell(StdoutOf(command), &output), 0) << command << output;
    return output;
  }

  // Starts oversightd on `data_dir` (given after the fixture's own
  // --data_dir, so it wins) with --verify_on_open.
  void StartOn(const std::string& data_dir) {
    address_ =
        StartServer("127.0.0.1:0", "--data_dir=" + data_dir,
                    {"--insecure_identity_from_metadata", "--verify_on_open"});
    ASSERT_FALSE(address_.empty()) << ReadFile(log_path_);
  }

  std::string address_;
};

TEST_F(BackupRestoreTest, ARestoredBackupHasTheHeadAndAnswersOfTheBackup) {
  const std::string backups = dir_.Sub("backups");
  std::string output;
  ASSERT_EQ(RunShell("mkdir " + backups, &output), 0) << output;
  address_ = StartServer("127.0.0.1:0", "--backup_dir=" + backups);
  ASSERT_FALSE(address_.empty()) << ReadFile(log_path_);
  ASSERT_EQ(
      RunShell(Cli("") + "--quiet import " + OVERSIGHT_EXAMPLE_PATH, &output),
      0)
      << output;

  // The backup, and the source's head and answers at that point.
  const std::string backup = Ok(Cli("operator") + "backup 2025-01-31");
  const std::string directory = Match(backup, "backup +(\\S+)\n");
  const std::string position = Match(backup, "position ([0-9]+)\n");
  const std::string hash = Match(backup, "hash +([0-9a-f]{64})\n");
  EXPECT_EQ(directory, backups + "/2025-01-31") << backup;
  ASSERT_FALSE(position.empty()) << backup;
  ASSERT_FALSE(hash.empty()) << backup;
  const std::string head = Ok(Cli("auditor") + "head");
  EXPECT_EQ(head,
            absl::StrCat("position ", position, "\nhash     ", hash, "\n"));
  const std::string status =
      Ok(Cli("auditor") + "status " + kReview + " --as-of=@" + position +
         " --min_position=" + position);
  EXPECT_THAT(status, HasSubstr(absl::StrCat("as at position ", position)));

  // The same name again is refused; other roles may not back up.
  EXPECT_EQ(RunShell(Cli("operator") + "backup 2025-01-31", &output), 1);
  EXPECT_THAT(output, HasSubstr("BACKUP_EXISTS"));
  EXPECT_NE(RunShell(Cli("auditor") + "backup by-an-auditor", &output), 0);
  EXPECT_THAT(output, HasSubstr("ROLE_NOT_ALLOWED"));
  EXPECT_NE(RunShell(Cli("operator") + "backup ../escape", &output), 0);
  EXPECT_THAT(output, HasSubstr("INVALID_BACKUP_NAME"));
  EXPECT_EQ(RunShell("ls " + backups, &output), 0);
  EXPECT_EQ(output, "2025-01-31\n");

  // The source moves on past the backup.
  Ok(Cli("operator") + "append notes-after-backup example.Noted later");
  EXPECT_NE(Ok(Cli("auditor") + "head"), head);
  const std::string source_at_backup =
      Ok(Cli("auditor") + "--quiet verify 1 " + position);
  StopServer();

  // Restored in place: the backup directory as the data directory.
  ASSERT_NO_FATAL_FAILURE(StartOn(directory));
  EXPECT_EQ(Ok(Cli("auditor") + "head"), head);
  EXPECT_EQ(Ok(Cli("auditor") + "--quiet verify"), source_at_backup);
  EXPECT_EQ(Ok(Cli("auditor") + "status " + kReview + " --as-of=@" + position +
               " --min_position=" + position),
            status);
  StopServer();

  // Restored from a copy, as an operator moves a backup to a new machine.
  const std::string copy = dir_.Sub("restored");
  ASSERT_EQ(RunShell("cp -a " + directory + " " + copy, &output), 0) << output;
  ASSERT_NO_FATAL_FAILURE(StartOn(copy));
  EXPECT_EQ(Ok(Cli("auditor") + "head"), head);
  EXPECT_THAT(
      ReadFile(log_path_),
      HasSubstr(absl::StrCat("head position ", position, " hash ", hash)));
}

TEST_F(BackupRestoreTest, WithoutABackupDirTheServerTakesNoBackups) {
  address_ = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address_.empty()) << ReadFile(log_path_);
  std::string output;
  EXPECT_NE(RunShell(Cli("operator") + "backup nightly", &output), 0);
  EXPECT_THAT(output, HasSubstr("BACKUP_NOT_CONFIGURED"));
}

TEST_F(BackupRestoreTest, BackupNeedsExactlyOneName) {
  std::string output;
  EXPECT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " backup"), &output), 2);
  EXPECT_THAT(output, HasSubstr("NAME"));
  EXPECT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " help backup"), &output),
            0);
  EXPECT_THAT(output, HasSubstr("--verify_on_open"));
  EXPECT_THAT(output, HasSubstr("oversight --role=operator backup"));
}

}  // namespace
}  // namespace oversight
