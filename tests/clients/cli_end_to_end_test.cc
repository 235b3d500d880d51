// The real binaries, as a user runs them: oversightd with identity from
// metadata on loopback, and `oversight import` loading the worked example.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/cli_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_certs.h"

namespace oversight {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using testing::ReadFile;
using testing::RunShell;

// The server and shell helpers are in tests/clients/cli_process.h, shared
// with the export and replay tests.
class CliEndToEndTest : public testing::CliServerTest {};

TEST_F(CliEndToEndTest, ImportLoadsTheExampleAndIsSafeToRepeat) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  const std::string import =
      absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address,
                   " --quiet import ", OVERSIGHT_EXAMPLE_PATH);
  std::string output;
  ASSERT_EQ(RunShell(import, &output), 0) << output;
  const std::regex summary(
      "imported ([0-9]+) lines: ([0-9]+) applied, 0 already applied; head "
      "position ([0-9]+)");
  std::smatch first;
  ASSERT_TRUE(std::regex_search(output, first, summary)) << output;
  EXPECT_EQ(first[1].str(), first[2].str());
  const std::string head = first[3].str();

  ASSERT_EQ(RunShell(import, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat(" 0 applied, ", first[1].str(),
                                             " already applied; head position ",
                                             head)));
  ASSERT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address,
                                  " --role=auditor verify"),
                     &output),
            0)
      << output;
  // The import recorded the lines as the test mode's importer, for the
  // agencies they name.
  ASSERT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address,
                                  " --role=auditor history "
                                  "--review=dyfed-powys-stalking-2023 "
                                  "--number=1 --all"),
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("dyfed-powys-police/import:january-2025-report "
                                "(recorded by oversight-cli)"));
}

// In the test mode, --role (or $OVERSIGHT_ROLE) is the caller's role, and
// the server lets each role call what docs/security.md says.
TEST_F(CliEndToEndTest, InTheTestModeTheRoleDecidesWhatMayBeCalled) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  const std::string cli =
      absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address, " ");
  std::string output;
  // No role: nothing but refusals.
  EXPECT_EQ(RunShell(cli + "head", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("PERMISSION_DENIED (ROLE_NOT_ALLOWED)"));
  EXPECT_THAT(output, HasSubstr("states no role"));
  // Raw appends are the operator's only.
  EXPECT_EQ(
      RunShell(cli + "--role=auditor append notes-1 t.Noted hello", &output), 1)
      << output;
  EXPECT_THAT(output, HasSubstr("ROLE_NOT_ALLOWED"));
  ASSERT_EQ(
      RunShell(cli + "--role=operator append notes-1 t.Noted hello", &output),
      0)
      << output;
  ASSERT_EQ(RunShell("OVERSIGHT_ROLE=auditor " + cli + "read-stream notes-1",
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("t.Noted"));
  // An agency's own role imports only its own lines.
  EXPECT_EQ(RunShell(cli +
                         "--agency=dyfed-powys-police --role=force --quiet "
                         "import " +
                         OVERSIGHT_EXAMPLE_PATH,
                     &output),
            1)
      << output;
  EXPECT_THAT(output,
              HasSubstr("PERMISSION_DENIED (ON_BEHALF_OF_NOT_ALLOWED)"));
}

// The README's way: oversightd with mutual TLS, the example imported with
// an importer's certificate on behalf of the agencies its lines name.
TEST_F(CliEndToEndTest, OverTlsAnImporterLoadsTheExampleForItsAgencies) {
  using testing::CertSpec;
  using testing::KeyPair;
  testing::TestCa ca("Oversight test CA");
  auto write = [&](const std::string& name, const KeyPair& pair) {
    testing::WriteTextFile(dir_.Sub(name + ".pem"), pair.cert_pem);
    testing::WriteTextFile(dir_.Sub(name + ".key"), pair.key_pem);
  };
  testing::WriteTextFile(dir_.Sub("ca.pem"), ca.cert_pem());
  write("server", ca.Issue(CertSpec::Server()));
  write("importer",
        ca.Issue(CertSpec::Client(
            "spiffe://oversight.test/agency/dyfed-powys-opcc/role/importer",
            "OPCC importer")));
  write("police", ca.Issue(CertSpec::Client(
                      "spiffe://oversight.test/agency/dyfed-powys-police/"
                      "role/force",
                      "Police desk")));
  write("hmicfrs",
        ca.Issue(CertSpec::Client(
            "spiffe://oversight.test/agency/hmicfrs/role/auditor", "HMICFRS")));
  testing::TestCa other("Another CA");
  write("stranger", other.Issue(CertSpec::Client(
                        "spiffe://oversight.test/agency/dyfed-powys-opcc/"
                        "role/importer",
                        "Stranger")));

  const std::string address =
      StartServer("127.0.0.1:0", "--verify_on_open",
                  {"--tls_cert=" + dir_.Sub("server.pem"),
                   "--tls_key=" + dir_.Sub("server.key"),
                   "--tls_client_ca=" + dir_.Sub("ca.pem"),
                   "--tls_trust_domain=oversight.test"});
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  EXPECT_THAT(ReadFile(log_path_), HasSubstr("mutual TLS"));
  auto cli = [&](const std::string& who) {
    return absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address,
                        " --cert=", dir_.Sub(who + ".pem"),
                        " --key=", dir_.Sub(who + ".key"),
                        " --ca=", dir_.Sub("ca.pem"), " ");
  };
  std::string output;
  ASSERT_EQ(
      RunShell(cli("importer") + "--quiet import " + OVERSIGHT_EXAMPLE_PATH,
               &output),
      0)
      << output;
  EXPECT_THAT(output, HasSubstr(" 0 already applied"));

  // History says for whom and who typed it (to an auditor: an importer
  // records, it does not read).
  ASSERT_EQ(
      RunShell(cli("hmicfrs") + "history --review=dyfed-powys-stalking-2023 "
                                "--number=1 --all",
               &output),
      0)
      << output;
  EXPECT_THAT(output,
              HasSubstr("dyfed-powys-police/import:january-2025-report "
                        "(recorded by dyfed-powys-opcc/OPCC importer)"));

  // The certificate may come from the environment.
  ASSERT_EQ(
      RunShell(absl::StrCat("OVERSIGHT_CERT=", dir_.Sub("police.pem"),
                            " OVERSIGHT_KEY=", dir_.Sub("police.key"),
                            " OVERSIGHT_CA=", dir_.Sub("ca.pem"), " ",
                            OVERSIGHT_CLI_PATH, " --server=", address, " head"),
               &output),
      0)
      << output;

  // A force may not import the OPCC's lines; a certificate from another CA
  // or none at all does not get through the handshake.
  EXPECT_EQ(RunShell(cli("police") + "--quiet import " + OVERSIGHT_EXAMPLE_PATH,
                     &output),
            1);
  EXPECT_THAT(output,
              HasSubstr("PERMISSION_DENIED (ON_BEHALF_OF_NOT_ALLOWED)"));
  // A force reads the record, not the raw log, whatever --role says.
  EXPECT_EQ(RunShell(cli("police") + "--role=auditor read-all", &output), 1)
      << output;
  EXPECT_THAT(output, HasSubstr("PERMISSION_DENIED (ROLE_NOT_ALLOWED)"));
  EXPECT_EQ(RunShell(cli("stranger") + "head", &output), 3) << output;
  EXPECT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address,
                                  " --timeout_seconds=2 head"),
                     &output),
            3)
      << output;
  EXPECT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address,
                                  " --cert=", dir_.Sub("police.pem"), " head"),
                     &output),
            2)
      << output;
}

TEST_F(CliEndToEndTest, InsecureIdentityOffLoopbackRefusesToStart) {
  EXPECT_TRUE(StartServer("0.0.0.0:0").empty());
  EXPECT_TRUE(WIFEXITED(exit_status_));
  EXPECT_NE(WEXITSTATUS(exit_status_), 0);
  EXPECT_THAT(ReadFile(log_path_), HasSubstr("loopback"));
}

TEST_F(CliEndToEndTest, EveryVerbHasHelp) {
  for (const char* verb :
       {"import", "head", "verify", "append", "read-stream", "read-all", "tail",
        "status", "recommendation", "history", "attention", "partner",
        "access-log", "report"}) {
    std::string output;
    EXPECT_EQ(
        RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " help ", verb), &output), 0)
        << verb << ": " << output;
    EXPECT_THAT(output, HasSubstr("Example")) << verb;
    EXPECT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " ", verb, " --help"),
                       &output),
              0)
        << verb;
  }
}

TEST_F(CliEndToEndTest, ReadModelsResumeFromTheirSnapshotOrRebuild) {
  std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  std::string output;
  ASSERT_EQ(RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address,
                                  " --quiet import ", OVERSIGHT_EXAMPLE_PATH),
                     &output),
            0)
      << output;
  EXPECT_THAT(StopServer(),
              HasSubstr("read models: rebuilt from the log (there is no "
                        "snapshot)"));

  address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  EXPECT_THAT(StopServer(),
              HasSubstr("read models: from the snapshot at position 99; "
                        "applied 0 events"));

  address = StartServer("127.0.0.1:0", "--rebuild");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  EXPECT_THAT(StopServer(), HasSubstr("read models: rebuilt from the log (a "
                                      "rebuild was asked for); applied 99 "
                                      "events"));
}

TEST_F(CliEndToEndTest, QueryVerbsAnswerAsAtThePast) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  const std::string cli =
      absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address, " ");
  std::string output;
  ASSERT_EQ(RunShell(cli + "--quiet import " + OVERSIGHT_EXAMPLE_PATH, &output),
            0)
      << output;
  const std::string review = "dyfed-powys-stalking-2023";
  // Read as an auditor (the import went as the test mode's importer).
  const std::string reader = cli + "--role=auditor ";
  // As at 31 July 2024 nothing of January 2025 is known; ratings of June
  // 2024's open recommendations were not stated.
  ASSERT_EQ(RunShell(reader + "status " + review +
                         " --as-of=2024-07-31 --min_position=99",
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("not stated"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("2025-01")));
  ASSERT_EQ(RunShell(reader + "status " + review + " --output=json", &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("\"review_id\":\"" + review + "\""));
  ASSERT_EQ(RunShell(reader + "recommendation " + review + " 7", &output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr("Soteria"));
  ASSERT_EQ(RunShell(reader + "partner paladin", &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("victims_supported"));
  ASSERT_EQ(
      RunShell(reader + "history --review=" + review + " --number=7 --all",
               &output),
      0)
      << output;
  EXPECT_THAT(output, HasSubstr("RecommendationClosed"));
  ASSERT_EQ(RunShell(reader + "attention " + review, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("risk"));
  // An unknown review is refused with its reason, exit 1.
  EXPECT_EQ(RunShell(reader + "status no-such-review", &output), 1);
  EXPECT_THAT(output, HasSubstr("REVIEW_NOT_FOUND"));
  // A panel reads reports, not the board; a partner only its own view.
  EXPECT_EQ(RunShell(cli + "--role=panel status " + review, &output), 1);
  EXPECT_THAT(output, HasSubstr("ROLE_NOT_ALLOWED"));
  EXPECT_EQ(RunShell(cli + "--agency=paladin --role=partner partner "
                           "welsh-womens-aid",
                     &output),
            1);
  EXPECT_THAT(output, HasSubstr("PERMISSION_DENIED (NOT_OWN_AGENCY)"));
  ASSERT_EQ(RunShell(cli + "--agency=paladin --role=partner partner paladin",
                     &output),
            0)
      << output;
  // `tail` from the start prints the whole history, then goes live (it
  // runs until stopped: `timeout` stops it).
  RunShell("timeout 5 " + reader + "tail 1", &output);
  EXPECT_THAT(output, ::testing::ContainsRegex("\n1 +agencies@0 "));
  EXPECT_THAT(output, HasSubstr("-- caught up at position "));
}

// Waits up to 30 s for `path` to contain `text`; returns its content.
std::string WaitForText(const std::string& path, const std::string& text) {
  std::string content;
  for (int i = 0; i < 300; ++i) {
    content = ReadFile(path);
    if (content.find(text) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return content;
}

TEST_F(CliEndToEndTest, HistoryFollowPrintsNewFactsAsTheyAreRecorded) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  const std::string cli =
      absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address, " ");
  const std::string paladin = cli + "--agency=paladin --role=partner ";
  std::string output;
  ASSERT_EQ(RunShell(cli + "--quiet import " + OVERSIGHT_EXAMPLE_PATH, &output),
            0)
      << output;
  // A partner follows its own history (`timeout` stops it).
  const std::string followed = dir_.Sub("follow.txt");
  ASSERT_EQ(RunShell(absl::StrCat("(timeout 40 ", paladin,
                                  "history --follow --agency=paladin > ",
                                  followed, " 2>&1 &)"),
                     &output),
            0);
  std::string text = WaitForText(followed, "-- caught up at position 99;");
  ASSERT_THAT(text, HasSubstr("-- caught up at position 99; live "
                              "(resume with --after=99) --"));
  EXPECT_THAT(text, HasSubstr("PartnerReportSubmitted  programme "
                              "paladin-isac-pilot report "
                              "paladin-isac-pilot-2024-Q4"));
  // Recorded now: it appears, after the catching-up line.
  ASSERT_EQ(
      RunShell(paladin + "submit-partner-report "
                         "programme_id=paladin-isac-pilot report_id=2025-q1 "
                         "quarter=2025-Q1 'figures:=[{\"key\": \"referrals\", "
                         "\"value\": 3, \"label\": {\"en\": \"Referrals\"}}]' "
                         "--classification=official",
               &output),
      0)
      << output;
  text = WaitForText(followed, "report 2025-q1");
  const size_t live = text.find("-- caught up");
  const size_t entry = text.find("\n100  ");
  ASSERT_NE(entry, std::string::npos) << text;
  EXPECT_GT(entry, live);
  EXPECT_THAT(text.substr(entry), HasSubstr("report 2025-q1 (2025-Q1)"));
  // Resuming after 99 sends only what came since, here as JSON lines.
  RunShell("timeout 10 " + paladin +
               "history --follow --agency=paladin --after=99 --output=json "
               "| head -1",
           &output);
  EXPECT_THAT(output, HasSubstr("\"position\":\"100\""));
  EXPECT_THAT(output, HasSubstr("\"caught_up_to\":\"100\""));
  EXPECT_THAT(output, Not(HasSubstr("\"position\":\"98\"")));
  // Follow takes no past moment.
  EXPECT_EQ(RunShell(paladin + "history --follow --as-of=@3", &output), 2);
  EXPECT_EQ(RunShell(paladin + "history --after=3", &output), 2);
}

TEST_F(CliEndToEndTest, ReportIsRenderedPublishedAndVerified) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  const std::string cli =
      absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address, " ");
  std::string output;
  ASSERT_EQ(RunShell(cli + "--quiet import " + OVERSIGHT_EXAMPLE_PATH, &output),
            0)
      << output;
  const std::string subject =
      " --review dyfed-powys-stalking-2023 --period 2025-01";
  // The Panel reads the report once published, and checks its copy.
  const std::string panel =
      cli + "--agency=dyfed-powys-police-and-crime-panel --role=panel ";
  EXPECT_EQ(RunShell(panel + "report" + subject +
                         " --lang en --format md --min_position=99",
                     &output),
            1);
  EXPECT_THAT(output, HasSubstr("NOT_FOUND (REPORT_NOT_PUBLISHED)"));

  // Only the reviewing body publishes.
  const std::string publish =
      "report publish" + subject + " --lang en --format md --request-id pub-1";
  EXPECT_EQ(
      RunShell(cli + "--agency=dyfed-powys-police --role=force " + publish,
               &output),
      1);
  EXPECT_THAT(output, HasSubstr("ROLE_NOT_ALLOWED"));
  // The rules judge the agency too.
  EXPECT_EQ(
      RunShell(
          cli + "--agency=dyfed-powys-police --role=reviewing-body " + publish,
          &output),
      1);
  EXPECT_THAT(output, HasSubstr("REVIEWING_BODY_ONLY"));
  const std::string opcc =
      cli + "--agency=dyfed-powys-opcc --role=reviewing-body ";
  ASSERT_EQ(RunShell(opcc + publish, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("rendered at position 99\n"));
  std::smatch published;
  ASSERT_TRUE(std::regex_search(output, published,
                                std::regex("at position ([0-9]+)\nrendered")))
      << output;
  const std::string position = published[1].str();
  // Publishing the same request again is safe.
  ASSERT_EQ(RunShell(opcc + publish, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("already published"));
  EXPECT_THAT(output, HasSubstr("at position " + position + "\n"));
  ASSERT_EQ(RunShell(opcc + "report publish" + subject +
                         " --lang cy --format html --position=99 "
                         "--request-id pub-2",
                     &output),
            0)
      << output;

  // The report alone on stdout, as published: the golden, byte for byte.
  // On stderr, where its disclosure was recorded, and nothing else.
  const std::string markdown = dir_.Sub("2025-01.en.md");
  ASSERT_EQ(RunShell("(" + panel + "report" + subject +
                         " --lang en --format md --min_position=99 > " +
                         markdown + ")",
                     &output),
            0)
      << output;
  EXPECT_THAT(output,
              ::testing::MatchesRegex("access recorded at position [0-9]+\n"));
  const std::string golden_dir = OVERSIGHT_GOLDEN_DIR;
  EXPECT_TRUE(ReadFile(markdown) == ReadFile(golden_dir + "/2025-01.en.md"));
  const std::string html = dir_.Sub("2025-01.cy.html");
  ASSERT_EQ(RunShell(panel + "report" + subject +
                         " --lang=cy --format=html --out=" + html,
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("wrote "));
  EXPECT_THAT(output, HasSubstr("\naccess recorded at position "));
  EXPECT_TRUE(ReadFile(html) == ReadFile(golden_dir + "/2025-01.cy.html"));
  // The Panel reads it as published, not as at another moment.
  EXPECT_EQ(RunShell(panel + "report" + subject +
                         " --lang en --format md --as-of=@50",
                     &output),
            1);
  EXPECT_THAT(output, HasSubstr("PERMISSION_DENIED (PUBLISHED_REPORTS_ONLY)"));

  // The copy the Panel was given verifies, by period or by position.
  ASSERT_EQ(RunShell(panel + "report verify" + subject +
                         " --lang en --format md --file " + markdown,
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("file     sha256"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("DOES NOT")));
  ASSERT_EQ(RunShell(panel +
                         "report verify --review dyfed-powys-stalking-2023 "
                         "--publication " +
                         position + " --output=json",
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("\"matches\":true"));

  // A tampered copy does not, and says where.
  std::string text = ReadFile(markdown);
  const size_t at = text.find("Long-term funding");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 4, "Few");
  std::ofstream(markdown, std::ios::binary | std::ios::trunc) << text;
  EXPECT_EQ(RunShell(panel +
                         "report verify --review dyfed-powys-stalking-2023 "
                         "--publication=" +
                         position + " --file=" + markdown,
                     &output),
            4)
      << output;
  EXPECT_THAT(output, HasSubstr("oversight: report does not verify: "));
  EXPECT_THAT(output, HasSubstr("first difference at line"));
  EXPECT_THAT(output, HasSubstr("file:      - Few-term funding"));

  // A position that is not a publication.
  EXPECT_EQ(RunShell(panel + "report verify --review dyfed-powys-stalking-2023 "
                             "--publication=3",
                     &output),
            1);
  EXPECT_THAT(output, HasSubstr("REPORT_NOT_PUBLISHED"));
  // A bad --format is a usage error.
  EXPECT_EQ(RunShell(panel + "report" + subject + " --format=pdf", &output), 2);
  EXPECT_THAT(output, HasSubstr("--format must be md or html"));
}

// Need-to-know through the CLI: the force records an OFFICIAL-SENSITIVE
// update naming a victim; another agency's history shows it withheld; the
// reviewing body reads it with a justification, which the access log
// records and an auditor lists; raw reads withhold it without one.
TEST_F(CliEndToEndTest, SensitiveContentNeedsAJustificationAndIsLogged) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << ReadFile(log_path_);
  const std::string cli =
      absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address, " ");
  std::string output;
  ASSERT_EQ(RunShell(cli + "--quiet import " + OVERSIGHT_EXAMPLE_PATH, &output),
            0)
      << output;
  const std::string sensitive = dir_.Sub("sensitive.jsonl");
  std::ofstream(sensitive)
      << R"({"agency": "dyfed-powys-police", "actor": "Police desk", )"
         R"("submit_progress_update": {"request_id": "dpp-r1-victim", )"
         R"("occurred_at": "2025-01-15T00:00:00Z", "classification": )"
         R"("CLASSIFICATION_OFFICIAL_SENSITIVE", "update": {"review_id": )"
         R"("dyfed-powys-stalking-2023", "number": 1, "update_id": )"
         R"("r1-victim-contact", "period": "2025-01", "agency_id": )"
         R"("dyfed-powys-police", "bullets": [{"text": {"en": "VICTIM-V )"
         R"(contacted twice about case 2025/17."}}]}}})"
      << "\n";
  ASSERT_EQ(RunShell(cli + "import " + sensitive, &output), 0) << output;
  std::smatch imported;
  ASSERT_TRUE(
      std::regex_search(output, imported, std::regex("head position ([0-9]+)")))
      << output;
  const std::string position = imported[1].str();
  const std::string history =
      "history --review=dyfed-powys-stalking-2023 --number=1 --all";
  const std::string justification = "Complaint 2025/17: review of handling";

  // Another partner: its position, type and agency, nothing of its content.
  // (Without TLS --agency is also the history's subject: the reader is the
  // CLI's own agency, in the role given.)
  const std::string partner = cli + "--role=partner ";
  ASSERT_EQ(RunShell(partner + history, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("1 OFFICIAL-SENSITIVE event withheld (not "
                                "entitled, or no --justification)\n"));
  EXPECT_THAT(output, ::testing::ContainsRegex(
                          " " + position +
                          "  2025-01-15  [-0-9: ]+  dyfed-powys-police +"
                          "- +withheld \\(OFFICIAL-SENSITIVE\\)"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("r1-victim-contact")));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("Police desk")));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("access recorded")));
  // A justification does not entitle a partner.
  ASSERT_EQ(RunShell(cli + "--agency=welsh-womens-aid --role=partner " +
                         "--justification='" + justification + "' " +
                         "recommendation dyfed-powys-stalking-2023 1",
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("OFFICIAL-SENSITIVE event withheld"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("VICTIM-V")));

  // The reviewing body: withheld too without a justification; with one,
  // the content, and where the access log recorded reading it.
  const std::string reviewing_body = cli + "--role=reviewing-body ";
  ASSERT_EQ(RunShell(reviewing_body + history, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("1 OFFICIAL-SENSITIVE event withheld"));
  ASSERT_EQ(RunShell(reviewing_body + "--justification='" + justification +
                         "' " + history,
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("r1-victim-contact"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("withheld")));
  std::smatch recorded;
  ASSERT_TRUE(std::regex_search(
      output, recorded, std::regex("\naccess recorded at position ([0-9]+)\n")))
      << output;
  const std::string access = recorded[1].str();
  // In Welsh, from the environment (sent as oversight-justification-bin).
  const std::string opcc =
      cli + "--agency=dyfed-powys-opcc --role=reviewing-body ";
  ASSERT_EQ(
      RunShell("OVERSIGHT_JUSTIFICATION='Cwyn 2025/17: adolygu’r achos' " +
                   opcc + "recommendation dyfed-powys-stalking-2023 1",
               &output),
      0)
      << output;
  EXPECT_THAT(output, HasSubstr("VICTIM-V contacted twice"));
  EXPECT_THAT(output, HasSubstr("\naccess recorded at position "));

  // What the CLI can tell is wrong with a justification is not sent.
  EXPECT_EQ(
      RunShell(reviewing_body + "--justification=\"$(printf 'two\\nlines')\" " +
                   history,
               &output),
      2)
      << output;
  EXPECT_THAT(output, HasSubstr("--justification must be one line of text"));
  EXPECT_EQ(RunShell(reviewing_body + "--justification=" +
                         std::string(1001, 'x') + " " + history,
                     &output),
            2)
      << output;
  EXPECT_THAT(output, HasSubstr("1001 bytes; at most 1000"));

  // A report rendered is a disclosure, to the recipients named.
  ASSERT_EQ(RunShell(opcc +
                         "report --review=dyfed-powys-stalking-2023 "
                         "--period=2025-01 --recipients='Police and Crime "
                         "Panel, HMICFRS' --out=" +
                         dir_.Sub("report.md"),
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("\naccess recorded at position "));

  // An auditor lists the access log: who, when, what, why.
  const std::string auditor = cli + "--role=auditor ";
  ASSERT_EQ(RunShell(auditor + "access-log --all", &output), 0) << output;
  EXPECT_THAT(output, ::testing::ContainsRegex(
                          "\n +" + access +
                          "  [-0-9: ]+  oversight-cli/oversight-cli:[^ ]+ +"
                          "reviewing-body  consultation  "
                          "Queries/ListHistory +" +
                          position + " +" + justification + " +- "));
  EXPECT_THAT(output, HasSubstr("Cwyn 2025/17: adolygu’r achos"));
  EXPECT_THAT(output, HasSubstr("Police and Crime Panel; HMICFRS"));
  ASSERT_EQ(RunShell(auditor + "access-log --agency=dyfed-powys-opcc "
                               "--kind=disclosure --output=json",
                     &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("\"recipients\":[\"Police and Crime Panel\","
                                "\"HMICFRS\"]"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("ACCESS_KIND_CONSULTATION")));
  // Only auditors may.
  EXPECT_EQ(RunShell(partner + "access-log", &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("PERMISSION_DENIED (ROLE_NOT_ALLOWED)"));
  EXPECT_EQ(RunShell(auditor + "access-log --kind=reads", &output), 2)
      << output;

  // The raw log: withheld without a justification; with one, recorded.
  const std::string stream =
      "read-stream recommendation-dyfed-powys-stalking-2023-1 --all";
  ASSERT_EQ(RunShell(auditor + stream, &output), 0) << output;
  EXPECT_THAT(output, ::testing::ContainsRegex(
                          "\n" + position +
                          " [^\n]*ProgressUpdateSubmitted [^\n]* withheld "
                          "\\(OFFICIAL-SENSITIVE\\)\n"));
  EXPECT_THAT(output, HasSubstr("\n1 OFFICIAL-SENSITIVE event withheld"));
  ASSERT_EQ(
      RunShell(auditor + "--justification='Annual audit' " + stream, &output),
      0)
      << output;
  EXPECT_THAT(output, ::testing::Not(HasSubstr("withheld")));
  EXPECT_THAT(output, HasSubstr("\naccess recorded at position "));
}

}  // namespace
}  // namespace oversight
