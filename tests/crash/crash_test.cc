// Crash test of RocksEventStore: a child process (crash_child) appends from
// several threads and reports every acknowledged append; this test kills it
// with SIGKILL at a random moment, reopens the store and checks that
//  - the store opens with verify_on_open = true;
//  - positions 1..head are gapless (a ReadAll walk), every record decodes,
//    re-encodes to the bytes its chain hash covers, and carries exactly the
//    content the child derives from its event id;
//  - every stream's revisions are gapless, and ReadStream (the stream
//    index) agrees with the log;
//  - every acknowledged append is present at its reported positions and
//    revisions, in its stream, with its event ids;
//  - every batch the child began is either wholly present, at consecutive
//    positions and revisions, or wholly absent; refused batches (ABORTED)
//    are absent; every stored event belongs to a batch the child began; a
//    batch once seen never moves or disappears;
//  - deduplicated answers (retries, including retries across rounds of
//    batches whose fate the killed child never learned) give the original
//    positions, and fresh answers are only given to batches not stored;
//  - Verify(0, 0) is ok and its head hash, Head().hash and the last
//    record's hash agree.
// State accumulates: every round restarts the child on the same directory.
//
// Rounds: 20 by default. Override with the environment variable
// OVERSIGHT_CRASH_ROUNDS=N, or with --rounds=N on the command line (the
// flag wins):
//   build/tests/crash/crash_test --rounds=1000
// The seed is printed at the start; repeat a run with --seed=S or
// OVERSIGHT_CRASH_SEED=S (timing still varies, so a rerun exercises the
// same choices, not the same interleaving). --keep leaves the data
// directory and the child's reports in place and prints their path, for
// inspection after a failure.
//
// Each round waits a random 20..300 ms, counted in three rounds of four from
// the child's report that the store is open (so the kill lands among
// appends) and in one from its start (so it may land in RocksDB's recovery).
// Each check opens the store (verifying the chain), walks the whole log and
// verifies it again, so a round's cost grows with the log (see CheckStore):
// on two shared cores 20 rounds take about 15 s, 200 rounds about 9 minutes
// (a log of some 200,000 events), 1,000 rounds a couple of hours. Under
// CTest the test has a 600 s timeout, so run long soaks with the binary.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "eventstore/errors.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_protocol.h"
#include "tests/testing/temp_dir.h"

namespace oversight::crash {
namespace {

using eventstore::ChainHash;
using eventstore::Direction;
using eventstore::EncodeRecord;
using eventstore::Hash;
using eventstore::HashToHex;
using eventstore::kGenesisHash;
using eventstore::ReadResult;
using eventstore::RecordedEvent;
using eventstore::RocksEventStore;

int g_rounds = 20;
uint64_t g_seed = 0;
bool g_keep = false;

// A batch the child began: its fate as far as the test knows.
struct Batch {
  std::string stream;
  std::vector<EventId> ids;
  bool refused = false;
  // First acknowledgement: positions and revisions.
  bool acked = false;
  Position ack_first = 0;
  Revision ack_first_revision = 0;
  // Where the test found it (once found it must never move).
  std::optional<Position> seen_first;
  std::optional<Revision> seen_first_revision;
};

struct Slot {
  int stream = 0;  // Index into `stream_names`.
  Revision revision = 0;
  EventId id;
};

// Whether the file at `path` holds a complete first line.
bool HasFirstLine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  return std::getline(in, line) && !in.eof();
}

// Runs crash_child and kills it with SIGKILL `delay` after it starts or,
// with `from_open`, after it reports that the store is open (its first
// line). Returns a description of anything unexpected (empty if the child
// died of the SIGKILL).
std::string RunAndKill(const std::vector<std::string>& args,
                       const std::string& report_path, bool from_open,
                       std::chrono::milliseconds delay) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.data()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    // Only async-signal-safe calls until execv.
    const int fd = open(report_path.c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) _exit(126);
    close(fd);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(125);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  if (from_open) {
    const auto give_up =
        std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!HasFirstLine(report_path)) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        return absl::StrCat(
            "child ended before opening the store, wait "
            "status ",
            status);
      }
      if (std::chrono::steady_clock::now() > give_up) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return "child did not open the store within 30 s";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::this_thread::sleep_for(delay);
  kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return "waitpid failed";
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return "";
  if (WIFEXITED(status)) {
    return absl::StrCat("child exited by itself with status ",
                        WEXITSTATUS(status));
  }
  return absl::StrCat("child ended with wait status ", status);
}

// The complete lines of a report file (an unterminated last line, cut
// short by the SIGKILL, is dropped).
std::vector<std::string> ReadLines(const std::string& path, bool* torn) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  *torn = !text.empty() && text.back() != '\n';
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  lines.pop_back();  // After the last '\n', or the torn line.
  return lines;
}

class CrashTest : public ::testing::Test {
 protected:
  // Applies one round's report lines, in the order written, to the model
  // of batches, recording a failure for anything inconsistent.
  void ApplyReports(const std::vector<std::string>& lines, int round,
                    Position head_before, int* acked, int* began, int* refused,
                    int* deduplicated) {
    for (const std::string& line : lines) {
      std::optional<Report> r = ParseReport(line);
      ASSERT_TRUE(r.has_value()) << "round " << round << ": bad line: " << line;
      switch (r->kind) {
        case 'O':
          EXPECT_EQ(r->head, head_before)
              << "round " << round
              << ": the child opened the store at another head than the "
                 "test left it";
          break;
        case 'X':
          ADD_FAILURE() << "round " << round
                        << ": the child reports: " << r->text;
          break;
        case 'B': {
          ++*began;
          auto [it, inserted] = batches_.try_emplace(r->ids);
          Batch& b = it->second;
          if (inserted) {
            std::optional<std::vector<EventId>> ids = SplitIds(r->ids);
            ASSERT_TRUE(ids.has_value()) << line;
            b.stream = r->stream;
            b.ids = *std::move(ids);
            order_.push_back(r->ids);
          } else {
            EXPECT_EQ(b.stream, r->stream) << line;
          }
          break;
        }
        case 'F': {
          ++*refused;
          auto it = batches_.find(r->ids);
          ASSERT_NE(it, batches_.end()) << "refusal without begin: " << line;
          Batch& b = it->second;
          EXPECT_EQ(r->text, eventstore::kReasonWrongExpectedRevision) << line;
          EXPECT_FALSE(b.acked) << "refused after an acknowledgement: " << line;
          b.refused = true;
          break;
        }
        case 'A': {
          ++*acked;
          if (r->deduplicated) ++*deduplicated;
          auto it = batches_.find(r->ids);
          ASSERT_NE(it, batches_.end()) << "ack without begin: " << line;
          Batch& b = it->second;
          const uint64_t n = b.ids.size();
          EXPECT_EQ(b.stream, r->stream) << line;
          EXPECT_EQ(r->last_position - r->first_position + 1, n) << line;
          EXPECT_EQ(r->last_revision - r->first_revision + 1, n) << line;
          EXPECT_FALSE(b.refused) << "acknowledged after a refusal: " << line;
          const bool known_stored = b.acked || b.seen_first.has_value();
          if (r->deduplicated) {
            EXPECT_TRUE(known_stored)
                << "round " << round
                << ": deduplicated answer for a batch not known to be "
                   "stored: "
                << line;
          } else {
            EXPECT_FALSE(known_stored)
                << "round " << round
                << ": a stored batch was written again instead of being "
                   "deduplicated: "
                << line;
          }
          if (b.seen_first.has_value()) {
            EXPECT_EQ(r->first_position, *b.seen_first) << line;
            EXPECT_EQ(r->first_revision, *b.seen_first_revision) << line;
          }
          if (b.acked) {
            EXPECT_EQ(r->first_position, b.ack_first) << line;
            EXPECT_EQ(r->first_revision, b.ack_first_revision) << line;
          } else {
            b.acked = true;
            b.ack_first = r->first_position;
            b.ack_first_revision = r->first_revision;
          }
          break;
        }
      }
    }
  }

  // Opens the store and checks it; returns the head position.
  //
  // Every round: the store opens with verify_on_open; a ReadAll walk of
  // the whole log finds positions 1..head without a gap; Verify(0, 0) is
  // ok; the head hash is the last record's; and the record at the head of
  // the previous check still has the hash it had then. That last check
  // anchors the history: with the chain verified, no earlier record can
  // have changed. So records, streams and batches already checked are only
  // re-checked in a `full` round (every tenth, and the last); the others
  // check what is new: each new record's content, re-encoding and revision,
  // the stream index from where the last check ended, and every batch not
  // yet seen in the log.
  Position CheckStore(const std::string& dir, int round, bool full) {
    phases_.clear();
    auto lap_start = std::chrono::steady_clock::now();
    auto lap = [&](const char* name) {
      const auto now = std::chrono::steady_clock::now();
      absl::StrAppend(
          &phases_, phases_.empty() ? "" : ", ", name, " ",
          std::chrono::duration_cast<std::chrono::milliseconds>(now - lap_start)
              .count());
      lap_start = now;
    };
    RocksEventStore::Options options;
    options.verify_on_open = true;
    absl::StatusOr<std::unique_ptr<RocksEventStore>> opened =
        RocksEventStore::Open(dir, options);
    EXPECT_TRUE(opened.ok()) << "round " << round << ": " << opened.status();
    if (!opened.ok()) return 0;
    RocksEventStore& store = **opened;
    const eventstore::ChainHead head = store.Head();
    lap("open");

    if (full) {
      log_.clear();
      where_.clear();
      stream_index_.clear();
      stream_names_.clear();
      stream_positions_.clear();
      streams_checked_.clear();
      stored_events_ = 0;
    }
    const Position checked = log_.size();  // Positions checked before.

    // 1. Walk the whole log.
    Hash previous = kGenesisHash;
    absl::Time last_time = absl::InfinitePast();
    Position expected = 1;
    int bad_records = 0;
    for (Position next = 1;;) {
      absl::StatusOr<ReadResult> page =
          store.ReadAll(next, Direction::kForwards, 1000, {});
      EXPECT_TRUE(page.ok()) << "round " << round << ": ReadAll(" << next
                             << "): " << page.status();
      if (!page.ok()) return 0;
      for (const RecordedEvent& e : page->events) {
        EXPECT_EQ(e.position, expected)
            << "round " << round << ": gap in positions";
        if (e.position != expected) return 0;
        ++expected;
        if (e.position == anchor_position_) {
          EXPECT_EQ(HashToHex(e.hash), HashToHex(anchor_hash_))
              << "round " << round << ": the record at position "
              << anchor_position_ << " changed since the last check";
        }
        if (e.position <= checked) {
          previous = e.hash;
          last_time = e.recorded_at;
          continue;
        }
        std::string problem = CheckRecord(e, previous, last_time);
        previous = e.hash;
        last_time = e.recorded_at;

        auto [it, inserted] =
            stream_index_.try_emplace(e.stream, stream_names_.size());
        if (inserted) {
          stream_names_.push_back(e.stream);
          stream_positions_.emplace_back();
        }
        std::vector<Position>& revs = stream_positions_[it->second];
        if (problem.empty() && e.revision != revs.size()) {
          problem =
              absl::StrCat("revision ", e.revision, " of stream ", e.stream,
                           " follows ", revs.size(), " earlier events");
        }
        revs.push_back(e.position);
        if (!where_.emplace(e.id, e.position).second && problem.empty()) {
          problem = absl::StrCat("event id ", e.id.ToString(), " is also at ",
                                 where_[e.id]);
        }
        if (!problem.empty() && ++bad_records <= 10) {
          ADD_FAILURE() << "round " << round << ": position " << e.position
                        << ": " << problem;
        }
        log_.push_back(Slot{it->second, e.revision, e.id});
      }
      if (page->end_reached) break;
      EXPECT_GT(page->next, next) << "ReadAll made no progress";
      if (page->next <= next) return 0;
      next = page->next;
    }
    EXPECT_EQ(bad_records, 0) << "round " << round << ": bad records"
                              << " (the first 10 are listed above)";
    EXPECT_EQ(expected - 1, head.position) << "round " << round;
    EXPECT_EQ(log_.size(), head.position) << "round " << round;
    EXPECT_EQ(HashToHex(previous), HashToHex(head.hash))
        << "round " << round << ": head hash is not the last record's";
    EXPECT_GE(head.position, anchor_position_)
        << "round " << round << ": the head went back";
    anchor_position_ = head.position;
    anchor_hash_ = head.hash;
    lap("walk");

    // 2. The whole chain verifies, and ends at the head hash.
    absl::StatusOr<eventstore::VerifyResult> v = store.Verify(0, 0);
    EXPECT_TRUE(v.ok()) << v.status();
    if (v.ok()) {
      EXPECT_TRUE(v->ok) << "round " << round << ": Verify fails at "
                         << v->first_bad << ": " << v->problem;
      EXPECT_EQ(v->to, head.position);
      if (head.position > 0) {
        EXPECT_EQ(HashToHex(v->head_hash), HashToHex(head.hash));
      }
    }
    lap("verify");

    // 3. Every stream read through its index matches the log (from where
    //    the last check ended; one read past the end shows that the index
    //    holds nothing more).
    for (size_t s = 0; s < stream_names_.size(); ++s) {
      const std::string& name = stream_names_[s];
      const std::vector<Position>& want = stream_positions_[s];
      const Revision start =
          std::min<Revision>(streams_checked_[name], want.size());
      std::vector<Position> got;
      for (Revision from = start;;) {
        absl::StatusOr<ReadResult> page =
            store.ReadStream(name, from, Direction::kForwards, 1000);
        EXPECT_TRUE(page.ok()) << name << ": " << page.status();
        if (!page.ok()) break;
        for (const RecordedEvent& e : page->events) {
          EXPECT_EQ(e.stream, name);
          EXPECT_EQ(e.revision, start + got.size()) << name;
          got.push_back(e.position);
        }
        if (page->end_reached || page->events.empty()) break;
        from = page->next;
      }
      EXPECT_TRUE(
          std::equal(got.begin(), got.end(), want.begin() + start, want.end()))
          << "round " << round << ": stream " << name
          << " read by index (from revision " << start
          << ") differs from the log";
      streams_checked_[name] = want.size();
    }
    lap("streams");

    // 4. Batches: all or nothing, where acknowledged, never moving.
    int bad_batches = 0;
    for (const std::string& key : order_) {
      Batch& b = batches_[key];
      if (!full && b.seen_first.has_value()) continue;  // Anchored.
      const std::string problem = CheckBatch(b, full);
      if (problem.empty()) continue;
      if (++bad_batches <= 10) {
        ADD_FAILURE() << "round " << round << ": batch " << key << " ("
                      << b.stream << "): " << problem;
      }
    }
    EXPECT_EQ(bad_batches, 0) << "round " << round << ": batches with problems"
                              << " (the first 10 are listed above)";
    // Batch ids are distinct, so this means no stored event is foreign.
    EXPECT_EQ(stored_events_, head.position)
        << "round " << round
        << ": the log holds events of no batch the child began";
    lap("batches");

    store.Close();
    lap("close");
    return head.position;
  }

  // Checks a newly read record: content, time, chain. Returns what is
  // wrong, or "".
  static std::string CheckRecord(const RecordedEvent& e, const Hash& previous,
                                 absl::Time last_time) {
    const ProposedEvent want = EventFor(e.id);
    if (e.type != want.type || e.data != want.data ||
        e.metadata != want.metadata) {
      return "content differs from what the child wrote";
    }
    if (e.recorded_at < last_time) return "recorded_at goes backwards";
    std::string record;
    EncodeRecord(e, &record);
    if (ChainHash(previous, record) != e.hash) {
      return "re-encoded record does not chain from its predecessor";
    }
    return "";
  }

  // Checks one batch against the log; returns what is wrong, or "".
  // Counts the batch's events in stored_events_ when it is first seen (or,
  // with `full`, again).
  std::string CheckBatch(Batch& b, bool full) {
    const std::vector<Slot>& log = log_;
    const std::vector<std::string>& stream_names = stream_names_;
    std::vector<Position> at;
    for (const EventId& id : b.ids) {
      auto it = where_.find(id);
      if (it != where_.end()) at.push_back(it->second);
    }
    if (at.empty()) {
      if (b.acked) {
        return absl::StrCat("acknowledged at position ", b.ack_first,
                            " but missing");
      }
      if (b.seen_first.has_value()) {
        return absl::StrCat("was at position ", *b.seen_first, ", now missing");
      }
      return "";  // Never stored (refused, or killed before the commit).
    }
    if (at.size() != b.ids.size()) {
      return absl::StrCat("torn: ", at.size(), " of ", b.ids.size(),
                          " events are stored");
    }
    const Position first = at[0];
    const Revision first_revision = log[first - 1].revision;
    for (size_t i = 0; i < at.size(); ++i) {
      if (at[i] != first + i) {
        return absl::StrCat("event ", i, " is at position ", at[i], ", not at ",
                            first + i);
      }
      const Slot& slot = log[at[i] - 1];
      if (stream_names[slot.stream] != b.stream) {
        return absl::StrCat("event ", i, " is in stream ",
                            stream_names[slot.stream]);
      }
      if (slot.revision != first_revision + i) {
        return absl::StrCat("event ", i, " has revision ", slot.revision,
                            ", not ", first_revision + i);
      }
    }
    if (b.refused) {
      return absl::StrCat("refused, yet stored at position ", first);
    }
    if (b.acked &&
        (first != b.ack_first || first_revision != b.ack_first_revision)) {
      return absl::StrCat("acknowledged at position ", b.ack_first,
                          " revision ", b.ack_first_revision,
                          ", stored at position ", first, " revision ",
                          first_revision);
    }
    if (b.seen_first.has_value() &&
        (first != *b.seen_first || first_revision != *b.seen_first_revision)) {
      return absl::StrCat("moved from position ", *b.seen_first, " to ", first);
    }
    if (full || !b.seen_first.has_value()) stored_events_ += at.size();
    b.seen_first = first;
    b.seen_first_revision = first_revision;
    return "";
  }

  // Batches begun but neither acknowledged nor refused, for the next child
  // to retry.
  std::string Unresolved(int* count) const {
    std::string out;
    *count = 0;
    for (const std::string& key : order_) {
      const Batch& b = batches_.at(key);
      if (b.acked || b.refused) continue;
      absl::StrAppend(&out, b.stream, " ", key, "\n");
      ++*count;
    }
    return out;
  }

  std::string phases_;  // Time spent in each phase of the last check.

  // What the checks so far found in the log (positions 1..log_.size()).
  std::vector<Slot> log_;                         // By position - 1.
  absl::flat_hash_map<EventId, Position> where_;  // Event id -> position.
  absl::flat_hash_map<std::string, int> stream_index_;
  std::vector<std::string> stream_names_;
  std::vector<std::vector<Position>> stream_positions_;  // By revision.
  // Per stream, how many revisions a ReadStream check has covered.
  absl::flat_hash_map<std::string, Revision> streams_checked_;
  uint64_t stored_events_ = 0;  // Events of batches seen in the log.
  // The head found by the last check, and its hash.
  Position anchor_position_ = 0;
  Hash anchor_hash_ = kGenesisHash;
  absl::flat_hash_map<std::string, Batch> batches_;  // By joined ids.
  std::vector<std::string> order_;                   // Keys, as begun.
};

TEST_F(CrashTest, AcknowledgedAppendsSurviveSigkill) {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  // With --keep, move the directory away before TempDir removes it, however
  // the test ends.
  struct Keep {
    const std::string& path;
    ~Keep() {
      if (!g_keep) return;
      const std::string kept = path + ".kept";
      if (std::rename(path.c_str(), kept.c_str()) == 0) {
        std::printf("crash_test: data and reports kept in %s\n", kept.c_str());
      }
    }
  } keep{tmp.path()};
  std::printf("crash_test: %d rounds, seed %llu%s%s\n", g_rounds,
              static_cast<unsigned long long>(g_seed),
              g_keep ? ", data in " : "", g_keep ? dir.c_str() : "");
  std::mt19937_64 rng(g_seed);
  std::uniform_int_distribution<int> delay_ms(20, 300);

  Position head = 0;
  uint64_t total_acked = 0, total_began = 0, torn_lines = 0;
  int rounds_unopened = 0, rounds_run = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 1; round <= g_rounds; ++round) {
    ++rounds_run;
    const std::chrono::milliseconds delay(delay_ms(rng));
    // Mostly time the kill from the moment the store is open, so that it
    // lands among appends; one round in four from the start, so that it
    // may land in RocksDB's recovery of the previous round's log.
    const bool from_open = rng() % 4 != 0;
    const uint64_t child_seed = rng();
    const std::string report = tmp.Sub(absl::StrCat("report-", round));
    const std::string retry = tmp.Sub(absl::StrCat("retry-", round));
    int retries = 0;
    {
      std::ofstream out(retry, std::ios::trunc);
      out << Unresolved(&retries);
    }
    std::vector<std::string> args = {CRASH_CHILD_PATH, dir,
                                     absl::StrCat(child_seed)};
    if (retries > 0) args.push_back(absl::StrCat("--retry=", retry));

    const std::string problem = RunAndKill(args, report, from_open, delay);
    bool torn = false;
    const std::vector<std::string> lines = ReadLines(report, &torn);
    ASSERT_EQ(problem, "") << "round " << round << " (seed " << g_seed
                           << "), last report line: "
                           << (lines.empty() ? "" : lines.back());
    torn_lines += torn;
    const bool opened = !lines.empty() && absl::StartsWith(lines.front(), "O ");
    rounds_unopened += !opened;

    int acked = 0, began = 0, refused = 0, deduplicated = 0;
    ApplyReports(lines, round, head, &acked, &began, &refused, &deduplicated);
    const auto check_start = std::chrono::steady_clock::now();
    const bool full = round % 10 == 0 || round == g_rounds;
    const Position new_head = CheckStore(dir, round, full);
    const auto check_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - check_start)
                              .count();
    total_acked += acked;
    total_began += began;
    std::printf(
        "round %3d: killed %3lld ms after %s%s; %4d begun, %4d acked (%d "
        "deduplicated), %3d refused, %2d retried; head %llu -> %llu; "
        "checked%s in %lld ms (%s)\n",
        round, static_cast<long long>(delay.count()),
        from_open ? "open" : "start", opened ? "" : " (before open)", began,
        acked, deduplicated, refused, retries,
        static_cast<unsigned long long>(head),
        static_cast<unsigned long long>(new_head), full ? " in full" : "",
        static_cast<long long>(check_ms), phases_.c_str());
    std::fflush(stdout);
    head = new_head;
    if (::testing::Test::HasFailure()) {
      std::printf("crash_test: failed in round %d; rerun with --seed=%llu\n",
                  round, static_cast<unsigned long long>(g_seed));
      break;
    }
  }
  const auto total_s = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count() /
                       1000.0;
  std::printf(
      "crash_test: %d rounds in %.1f s, seed %llu: %llu appends begun, "
      "%llu acknowledged, final head %llu, %d rounds killed before open, "
      "%llu torn report lines\n",
      rounds_run, total_s, static_cast<unsigned long long>(g_seed),
      static_cast<unsigned long long>(total_began),
      static_cast<unsigned long long>(total_acked),
      static_cast<unsigned long long>(head), rounds_unopened,
      static_cast<unsigned long long>(torn_lines));
  EXPECT_GT(total_acked, 0u) << "the child never acknowledged an append";
}

}  // namespace
}  // namespace oversight::crash

namespace {

bool ParseCount(absl::string_view text, int* out) {
  int v = 0;
  if (!absl::SimpleAtoi(text, &v) || v < 1) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using oversight::crash::g_keep;
  using oversight::crash::g_rounds;
  using oversight::crash::g_seed;
  bool seed_set = false;
  if (const char* env = std::getenv("OVERSIGHT_CRASH_ROUNDS")) {
    if (!ParseCount(env, &g_rounds)) {
      std::fprintf(stderr, "bad OVERSIGHT_CRASH_ROUNDS=%s\n", env);
      return 2;
    }
  }
  if (const char* env = std::getenv("OVERSIGHT_CRASH_SEED")) {
    if (!absl::SimpleAtoi(env, &g_seed)) {
      std::fprintf(stderr, "bad OVERSIGHT_CRASH_SEED=%s\n", env);
      return 2;
    }
    seed_set = true;
  }
  // Take our flags out before GoogleTest sees the rest.
  int kept_args = 1;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--rounds=")) {
      if (!ParseCount(arg, &g_rounds)) {
        std::fprintf(stderr, "bad %s\n", argv[i]);
        return 2;
      }
    } else if (absl::ConsumePrefix(&arg, "--seed=")) {
      if (!absl::SimpleAtoi(arg, &g_seed)) {
        std::fprintf(stderr, "bad %s\n", argv[i]);
        return 2;
      }
      seed_set = true;
    } else if (arg == "--keep") {
      g_keep = true;
    } else {
      argv[kept_args++] = argv[i];
    }
  }
  argc = kept_args;
  argv[argc] = nullptr;
  if (!seed_set) g_seed = std::random_device{}();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
