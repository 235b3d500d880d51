// The HTML progress reports (tests/golden/report/2025-01.{en,cy}.html) as a
// browser sees them: Debian's Chromium, headless, prints each to PDF and
// dumps its DOM. Each must load without a console message (a blocked fetch,
// a script, a CSP violation all log one), give a real PDF, and keep its
// language and headings in the DOM.
//
// Chromium comes from scripts/install-deps.sh, which scripts/test.sh runs
// before the suite. Where it is not installed, or is installed but cannot
// run headless, the tests are skipped with a message saying which, and
// naming `bash scripts/install-deps.sh`.

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace oversight {
namespace {

using ::testing::HasSubstr;

constexpr int kTimeoutSeconds = 120;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The exit code of `command` run by the shell (-1 if it did not exit).
int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// The lines of Chromium's log that say a page did not load cleanly:
// console messages (CSP violations, blocked or failed fetches, script
// errors) and network errors.
std::vector<std::string> LoadErrors(const std::string& log) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, ":CONSOLE") ||
        absl::StrContains(line, "net::ERR_") ||
        absl::StrContains(line, "Failed to load")) {
      out.emplace_back(line);
    }
  }
  return out;
}

class ReportChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // scripts/test.sh runs scripts/install-deps.sh, which installs Debian's
    // chromium, before any test: a skip here means the suite was run some
    // other way, or Chromium cannot run on this machine.
    if (Shell("command -v chromium >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "chromium is not installed: run `bash "
                      "scripts/install-deps.sh` (it installs the Debian "
                      "package chromium; scripts/test.sh runs it first)";
    }
    // A trivial page, to tell "Chromium cannot run here" from a failure.
    const std::string probe = Write("probe.html", "<!DOCTYPE html><p>ok");
    if (Chromium(probe, absl::StrCat("--print-to-pdf=", dir_.Sub("probe.pdf")),
                 "probe") != 0) {
      GTEST_SKIP() << "chromium is installed but cannot run headless here "
                      "(--headless --no-sandbox --disable-gpu); `bash "
                      "scripts/install-deps.sh` has nothing more to install, "
                      "so this machine cannot run it: "
                   << ReadFile(dir_.Sub("probe.err")).substr(0, 2000);
    }
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Runs headless Chromium on `page` with `action` (--print-to-pdf=...,
  // --dump-dom), its stdout to <name>.out and its log to <name>.err.
  int Chromium(const std::string& page, const std::string& action,
               const std::string& name) {
    return Shell(absl::StrCat(
        "timeout ", kTimeoutSeconds,
        " chromium --headless --no-sandbox --disable-gpu"
        " --disable-dev-shm-usage --no-first-run --disable-extensions"
        " --user-data-dir=",
        dir_.Sub(absl::StrCat(name, ".profile")),
        " --enable-logging=stderr --v=0 ", action, " file://", page, " >",
        dir_.Sub(absl::StrCat(name, ".out")), " 2>",
        dir_.Sub(absl::StrCat(name, ".err"))));
  }

  // Prints the golden `file` to PDF and dumps its DOM, checking both.
  void Check(const std::string& file, const std::string& lang) {
    const std::string golden =
        ReadFile(absl::StrCat(OVERSIGHT_GOLDEN_DIR, "/", file));
    ASSERT_FALSE(golden.empty()) << "missing golden " << file;
    const std::string page = Write(file, golden);

    const std::string pdf = dir_.Sub(absl::StrCat(file, ".pdf"));
    ASSERT_EQ(Chromium(page, absl::StrCat("--print-to-pdf=", pdf), "pdf"), 0)
        << ReadFile(dir_.Sub("pdf.err"));
    const std::string bytes = ReadFile(pdf);
    EXPECT_TRUE(absl::StartsWith(bytes, "%PDF-")) << file;
    // The report runs to many A4 pages; a blank page is about 1 KB.
    EXPECT_GT(bytes.size(), 50u * 1024) << file;
    EXPECT_THAT(LoadErrors(ReadFile(dir_.Sub("pdf.err"))), ::testing::IsEmpty())
        << file;

    ASSERT_EQ(Chromium(page, "--dump-dom", "dom"), 0)
        << ReadFile(dir_.Sub("dom.err"));
    const std::string dom = ReadFile(dir_.Sub("dom.out"));
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("<html lang=\"", lang, "\">")));
    EXPECT_THAT(dom, HasSubstr("<h1 id=\"title\">"));
    for (const char* id : {"contents", "overview", "progress", "conclusion",
                           "summary", "risks"}) {
      EXPECT_THAT(dom, HasSubstr(absl::StrCat("<h2 id=\"", id, "\">"))) << id;
    }
    EXPECT_THAT(dom, HasSubstr("<h3 id=\"rec-7\">"));
    EXPECT_THAT(dom, HasSubstr("<th scope=\"col\">"));
    EXPECT_THAT(LoadErrors(ReadFile(dir_.Sub("dom.err"))), ::testing::IsEmpty())
        << file;
  }

  testing::TempDir dir_;
};

TEST_F(ReportChromiumTest, EnglishReportLoadsAndPrints) {
  Check("2025-01.en.html", "en");
}

TEST_F(ReportChromiumTest, WelshReportLoadsAndPrints) {
  Check("2025-01.cy.html", "cy");
}

// The check above would notice a page that tries to fetch something.
TEST_F(ReportChromiumTest, APageThatFetchesIsCaught) {
  const std::string page = Write(
      "fetches.html",
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
      "'none'; style-src 'unsafe-inline'\"><title>x</title></head><body>"
      "<h1>x</h1><img src=\"http://127.0.0.1:9/x.png\" alt=\"\"></body>"
      "</html>");
  ASSERT_EQ(
      Chromium(page, absl::StrCat("--print-to-pdf=", dir_.Sub("fetches.pdf")),
               "fetches"),
      0);
  EXPECT_THAT(LoadErrors(ReadFile(dir_.Sub("fetches.err"))),
              ::testing::Not(::testing::IsEmpty()));
}

}  // namespace
}  // namespace oversight
