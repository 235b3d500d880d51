// The real binaries in a test: a shell command's exit code and output, and
// oversightd started as a child process (identity from metadata on
// loopback by default) with its data and log in a temporary directory.
// Header-only; the test's target defines OVERSIGHTD_PATH.
//
// Example:
//   class MyTest : public oversight::testing::CliServerTest {};
//   TEST_F(MyTest, Head) {
//     const std::string address = StartServer("127.0.0.1:0");
//     std::string output;
//     EXPECT_EQ(RunShell(cli + " --server=" + address + " head", &output), 1);
//   }

#ifndef OVERSIGHT_TESTS_CLIENTS_CLI_PROCESS_H_
#define OVERSIGHT_TESTS_CLIENTS_CLI_PROCESS_H_

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

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace oversight::testing {

// Runs `command` through the shell; returns its exit code and output
// (stdout and stderr together).
inline int RunShell(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  output->clear();
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output->append(buffer, n);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CliServerTest : public ::testing::Test {
 protected:
  // Starts oversightd with `flags`; returns the address it listens on, or
  // "" if it did not start (its log is in log_path_).
  // `identity_flags` choose the identity mode: by default the insecure
  // test mode, or the --tls_* flags.
  std::string StartServer(const std::string& listen,
                          const std::string& extra_flag = "--verify_on_open",
                          const std::vector<std::string>& identity_flags = {
                              "--insecure_identity_from_metadata"}) {
    log_path_ = dir_.Sub("oversightd.log");
    std::remove(log_path_.c_str());  // so no earlier run's lines are read
    pid_ = fork();
    if (pid_ == 0) {
      std::freopen(log_path_.c_str(), "a", stderr);
      std::vector<std::string> args = {
          OVERSIGHTD_PATH, "--listen=" + listen, "--shutdown_grace_seconds=1",
          "--data_dir=" + dir_.Sub("data"), extra_flag};
      args.insert(args.end(), identity_flags.begin(), identity_flags.end());
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(OVERSIGHTD_PATH, argv.data());
      _exit(127);
    }
    const std::regex listening("listening on (127\\.0\\.0\\.1:[0-9]+)");
    for (int i = 0; i < 600; ++i) {  // 30 s: a loaded machine runs ctest -j
      std::smatch match;
      const std::string text = ReadFile(log_path_);
      if (std::regex_search(text, match, listening)) return match[1].str();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        pid_ = -1;
        return "";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  // Stops the server with SIGTERM; returns its log.
  std::string StopServer() {
    Stop();
    return ReadFile(log_path_);
  }

  void TearDown() override { Stop(); }

  // SIGTERM, then SIGKILL if the server has not exited within 30 s, so a
  // server that hangs on shutdown fails the test instead of hanging it.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 600; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "oversightd did not stop within 30 s of SIGTERM";
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  TempDir dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

}  // namespace oversight::testing

#endif  // OVERSIGHT_TESTS_CLIENTS_CLI_PROCESS_H_
