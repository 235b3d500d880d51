// Crash test of the whole server: this test starts the real oversightd
// (plaintext, identity from call metadata, --snapshot_every=25 so that
// kills also land in snapshot writes) on one data directory, drives it
// with concurrent gRPC clients, kills it with SIGKILL at a random moment,
// restarts it on the same directory and checks what the restarted server
// serves. The clients:
//  - three command lanes (Commands, acting as the reviewing body or the
//    force), each following its own endless script of domain commands on
//    its own reviews (open a review, issue recommendations, open a period,
//    submit updates, rate, record monitoring, raise a risk, close the
//    period, ...), each command with its own request id; the agencies are
//    registered first, by a fourth, finite lane;
//  - two raw appenders (EventStore.Append as the operator) writing batches
//    of 1 to 4 events with random event ids, with exact expected revisions
//    on streams of their own and ANY on shared streams.
// A client records every acknowledged result (position, stream, revision,
// event id; a batch's positions and revisions) and, when a call fails in a
// way that leaves its outcome unknown (the server died under it), stops
// with that request pending.
//
// After each kill the server is restarted (B, from its read-model
// snapshot and the log) and the test checks, through B's API:
//  - positions 1..head are gapless (ReadAll over the whole log), the chain
//    recomputed from the records read matches every record's hash, the
//    record at the last round's head still has the hash it had then,
//    VerifyChain over the whole log succeeds, and GetHead and VerifyChain
//    end at the last record's hash;
//  - every acknowledged command's event is at its acknowledged position,
//    stream and revision, with its event id and request id; every
//    acknowledged raw batch is at its positions and revisions with its
//    event ids; a batch seen once never moves;
//  - every raw batch ever sent is wholly present, at consecutive positions
//    and revisions of its stream, or wholly absent; no request id is
//    recorded twice; every event in the log is one the clients sent;
//  - every pending request is retried with the same request id (or the
//    same event ids, stream and expected revision): a command found in the
//    log must be answered `deduplicated` with its position, one not found
//    is applied once, after the head; likewise for raw batches. The log
//    is then read again from the old head and checked as above;
//  - B is stopped with SIGTERM (it must exit 0, writing its final
//    read-model snapshot), and that snapshot (the whole ProjectionState)
//    must equal the test's own fold of every event it read, with
//    protobuf's parser and projections::Apply, as an auditor's offline
//    replay would fold them;
//  - in a full round (every one by default), every read model also
//    equals a fresh rebuild's: B answers GetStatusBoard,
//    ListAttention, ListHistory (every page) for every review, and
//    GetRecommendation and ListHistory for every recommendation, and
//    GetPartnerView and ListHistory for every registered agency, each
//    with min_position = the head, before it stops, and none may fail; a
//    server started with --rebuild on the same directory (C) must be at
//    the same head and give the same answers, byte for byte, and its
//    final snapshot (the whole ProjectionState) must equal B's (an
//    attention list is judged on the server's today, so a pair judged on
//    different days, midnight UTC having passed between B's answer and
//    C's, is left out and counted). From the second round on B must
//    have started from a snapshot (its log says which, and how many
//    events it caught up), or the comparison would be of two rebuilds.
// In a third of the rounds the restart is itself killed first, 0 to 1.5
// times the last restart's time to listen after it starts (in RocksDB's
// recovery, the chain verification, the read models' catch-up, or just
// after), before B starts.
// State accumulates: every round restarts the server on the same
// directory, and the next round drives a server started normally.
//
// Rounds: 25 by default. Override with OVERSIGHT_SERVER_CRASH_ROUNDS=N or
// --rounds=N (the flag wins):
//   build/tests/crash/server_crash_test --rounds=100
// The seed is printed at the start; repeat a run with --seed=S or
// OVERSIGHT_SERVER_CRASH_SEED=S (timing still varies, so a rerun makes the
// same choices, not the same interleaving). --keep leaves the data
// directory and the servers' logs in place and prints their path.
// --oversightd=PATH runs another build of the server (by default the one
// built with this test), e.g. a copy, so that a long run is not disturbed
// by a rebuild replacing the binary under it.
// --compare_every=N (or OVERSIGHT_SERVER_CRASH_COMPARE_EVERY=N) makes only
// every Nth round, the first and the last full; the rounds between read
// only the log's new tail (the record at the last round's head must keep
// its hash, and GetHead and VerifyChain, run from there, must end at the
// chain the test extends from it, which binds everything before) and
// compare B's state with the test's fold, which they extend by the tail
// alone.
//
// Each round lets the clients run 100..1,000 ms after the server listens
// before the kill. A full round starts the server two or three times and
// reads the whole log and every read model twice, so its cost grows with
// the log; on two busy shared cores 25 rounds take 70 to 100 s (a log of
// some 15,000 events), 100 rounds about 14 minutes (46,000 events). Under
// CTest the test has a 600 s timeout, so run long soaks with the binary:
//   server_crash_test --rounds=1000 --compare_every=50

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/eventstore.grpc.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "projections/read_model.h"
#include "services/digest.h"
#include "tests/crash/crash_protocol.h"
#include "tests/testing/temp_dir.h"

namespace oversight::crash {
namespace {

using eventstore::ChainHash;
using eventstore::EncodeRecord;
using eventstore::Hash;
using eventstore::HashToHex;
using eventstore::kGenesisHash;
using eventstore::RocksEventStore;

int g_rounds = 25;
int g_compare_every = 1;
uint64_t g_seed = 0;
bool g_keep = false;
std::string g_oversightd = OVERSIGHTD_PATH;

constexpr int kCommandLanes = 3;
constexpr int kSetupLane = kCommandLanes;  // Registers the agencies.
constexpr int kRawWriters = 2;
constexpr int kRawOwnedStreams = 3;
constexpr int kRawSharedStreams = 2;
constexpr char kReviewingBody[] = "opcc";
constexpr char kForce[] = "police";
constexpr char kPartner[] = "partner";

// ---------------------------------------------------------------------
// The server process.

struct Process {
  pid_t pid = -1;
  std::string log_path;
  std::chrono::steady_clock::time_point started;
};

// Starts oversightd on `dir` with `extra` flags, its stdout and stderr to
// `log_path`.
Process StartServer(const std::string& dir, const std::string& log_path,
                    const std::vector<std::string>& extra) {
  std::vector<std::string> args = {g_oversightd,
                                   "--listen=127.0.0.1:0",
                                   "--insecure_identity_from_metadata",
                                   "--snapshot_every=25",
                                   "--shutdown_grace_seconds=5",
                                   "--data_dir=" + dir};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Process p;
  p.log_path = log_path;
  p.started = std::chrono::steady_clock::now();
  const pid_t parent = getpid();
  p.pid = fork();
  if (p.pid == 0) {
    // Only async-signal-safe calls until execv.
    const int fd =
        open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
      _exit(126);
    }
    close(fd);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(125);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return p;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The address the server's log says it listens on; "" while it does not.
std::string ListeningAddress(const std::string& log_path) {
  static const std::regex kListening("listening on (127\\.0\\.0\\.1:[0-9]+)");
  const std::string text = ReadText(log_path);
  std::smatch m;
  if (!std::regex_search(text, m, kListening)) return "";
  return m[1].str();
}

// Waits until the server listens; sets `*address` or returns a problem.
std::string WaitListening(const Process& p, std::string* address) {
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    *address = ListeningAddress(p.log_path);
    if (!address->empty()) return "";
    int status = 0;
    if (waitpid(p.pid, &status, WNOHANG) == p.pid) {
      return absl::StrCat("oversightd ended before listening, wait status ",
                          status, "; its log:\n", ReadText(p.log_path));
    }
    if (std::chrono::steady_clock::now() > give_up) {
      kill(p.pid, SIGKILL);
      waitpid(p.pid, &status, 0);
      return absl::StrCat("oversightd did not listen within 60 s; its log:\n",
                          ReadText(p.log_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Kills the server with SIGKILL; returns a problem if it had ended before.
std::string Kill(const Process& p) {
  kill(p.pid, SIGKILL);
  int status = 0;
  while (waitpid(p.pid, &status, 0) < 0) {
    if (errno != EINTR) return "waitpid failed";
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return "";
  return absl::StrCat(
      "oversightd ended by itself before the kill, wait "
      "status ",
      status, "; its log:\n", ReadText(p.log_path));
}

// Stops the server with SIGTERM; returns a problem unless it exits 0.
std::string Stop(const Process& p) {
  kill(p.pid, SIGTERM);
  int status = 0;
  while (waitpid(p.pid, &status, 0) < 0) {
    if (errno != EINTR) return "waitpid failed";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  return absl::StrCat(
      "oversightd did not stop cleanly on SIGTERM, wait "
      "status ",
      status, "; its log:\n", ReadText(p.log_path));
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& agency,
                                             const std::string& role) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("oversight-agency", agency);
  ctx->AddMetadata("oversight-role", role);
  ctx->AddMetadata("oversight-actor", "server crash test");
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(20));
  return ctx;
}
std::unique_ptr<grpc::ClientContext> AsOperator() {
  return Context("deployment", "operator");
}
std::unique_ptr<grpc::ClientContext> AsReviewingBody() {
  return Context(kReviewingBody, "reviewing-body");
}

std::string Reason(const grpc::ClientContext& ctx) {
  const auto& trailers = ctx.GetServerTrailingMetadata();
  auto it = trailers.find("oversight-reason");
  if (it == trailers.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

std::string Describe(const grpc::Status& s, const grpc::ClientContext& ctx) {
  return absl::StrCat("code ", s.error_code(), " ", Reason(ctx), ": ",
                      s.error_message());
}

// Whether a failed call may or may not have taken effect: the server died
// under it, or it never reached the server.
bool OutcomeUnknown(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------
// The command lanes' scripts.

// One command, ready to send (and to resend, identically).
struct Command {
  std::string agency;
  std::string role;
  std::string request_id;
  std::function<grpc::Status(v1::Commands::Stub*, grpc::ClientContext*,
                             v1::CommandResult*)>
      send;
};

v1::LocalizedText Text(const std::string& en) {
  v1::LocalizedText t;
  t.set_en(en);
  return t;
}

template <typename Request, typename Response>
Command Make(grpc::Status (v1::Commands::Stub::*method)(grpc::ClientContext*,
                                                        const Request&,
                                                        Response*),
             Request request, const std::string& request_id, int64_t minute,
             const std::string& agency, const std::string& role) {
  request.set_request_id(request_id);
  request.set_classification(v1::CLASSIFICATION_OFFICIAL);
  // A fixed instant per step, so that a resent request is the same one.
  request.mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilMinute(2024, 7, 1, 0, 0),
                                          absl::UTCTimeZone())) +
      60 * minute);
  auto shared = std::make_shared<Request>(std::move(request));
  Command c;
  c.agency = agency;
  c.role = role;
  c.request_id = request_id;
  c.send = [method, shared](v1::Commands::Stub* stub, grpc::ClientContext* ctx,
                            v1::CommandResult* out) {
    Response response;
    grpc::Status s = (stub->*method)(ctx, *shared, &response);
    if (s.ok()) *out = response.result();
    return s;
  };
  return c;
}

constexpr int kPeriodsPerReview = 12;
constexpr int kStepsPerPeriod = 10;
constexpr int kStepsPerReview = 4 + kPeriodsPerReview * kStepsPerPeriod;

std::string ReviewId(int lane, int review) {
  return absl::StrCat("l", lane, "-r", review);
}

// Step `step` of lane `lane`'s script; nullopt past the end of a finite
// lane (the setup lane).
std::optional<Command> StepOf(int lane, int step) {
  using S = v1::Commands::Stub;
  const std::string id = absl::StrCat("l", lane, "-s", step);
  const std::string rb = kReviewingBody;
  if (lane == kSetupLane) {
    const std::pair<const char*, v1::AgencyKind> agencies[] = {
        {kReviewingBody, v1::AGENCY_KIND_REVIEWING_BODY},
        {kForce, v1::AGENCY_KIND_FORCE},
        {kPartner, v1::AGENCY_KIND_PARTNER}};
    if (step >= 3) return std::nullopt;
    v1::RegisterAgencyRequest r;
    r.mutable_agency()->set_agency_id(agencies[step].first);
    *r.mutable_agency()->mutable_name() =
        Text(absl::StrCat("Agency ", agencies[step].first));
    r.mutable_agency()->set_kind(agencies[step].second);
    return Make(&S::RegisterAgency, r, id, step, rb, "reviewing-body");
  }
  const int review_index = step / kStepsPerReview;
  const int s = step % kStepsPerReview;
  const std::string review = ReviewId(lane, review_index);
  if (s == 0) {
    v1::OpenReviewRequest r;
    r.mutable_review()->set_review_id(review);
    *r.mutable_review()->mutable_title() =
        Text(absl::StrCat("Review ", review));
    *r.mutable_review()->mutable_question() = Text("Is it working?");
    r.mutable_review()->set_opened_on("2023");
    v1::Theme* theme = r.mutable_review()->add_themes();
    theme->set_id("a");
    *theme->mutable_name() = Text("Theme a");
    return Make(&S::OpenReview, r, id, step, rb, "reviewing-body");
  }
  if (s <= 3) {
    v1::IssueRecommendationRequest r;
    r.mutable_recommendation()->set_review_id(review);
    r.mutable_recommendation()->set_number(s);
    r.mutable_recommendation()->set_theme_id("a");
    *r.mutable_recommendation()->mutable_text() =
        Text(absl::StrCat("Do thing ", s, " of ", review));
    r.mutable_recommendation()->set_owning_agency_id(kForce);
    if (s == 2)
      r.mutable_recommendation()->add_contributing_agency_ids(kPartner);
    return Make(&S::IssueRecommendation, r, id, step, rb, "reviewing-body");
  }
  const int p = (s - 4) / kStepsPerPeriod;
  const int j = (s - 4) % kStepsPerPeriod;
  const std::string period =
      absl::StrCat("2024-", p + 1 < 10 ? "0" : "", p + 1);
  switch (j) {
    case 0: {
      v1::OpenReportingPeriodRequest r;
      r.mutable_period()->set_review_id(review);
      r.mutable_period()->set_period(period);
      r.mutable_period()->set_submissions_due_on(period + "-28");
      return Make(&S::OpenReportingPeriod, r, id, step, rb, "reviewing-body");
    }
    case 1:
    case 2:
    case 3: {
      v1::SubmitProgressUpdateRequest r;
      r.mutable_update()->set_review_id(review);
      r.mutable_update()->set_number(j);
      r.mutable_update()->set_period(period);
      *r.mutable_update()->add_bullets()->mutable_text() =
          Text(absl::StrCat("Progress on ", j, " in ", period, " (", id, ")"));
      return Make(&S::SubmitProgressUpdate, r, id, step, kForce, "force");
    }
    case 4:
    case 5:
    case 6: {
      v1::AssignRatingRequest r;
      r.mutable_rating()->set_review_id(review);
      r.mutable_rating()->set_number(j - 3);
      r.mutable_rating()->set_period(period);
      r.mutable_rating()->set_rating(
          static_cast<v1::Rating>(1 + (lane + review_index + p + j) % 3));
      *r.mutable_rating()->mutable_rationale() =
          Text(absl::StrCat("Rated in step ", step));
      return Make(&S::AssignRating, r, id, step, rb, "reviewing-body");
    }
    case 7: {
      v1::RecordMonitoringActivityRequest r;
      r.mutable_activity()->set_review_id(review);
      r.mutable_activity()->set_number(1);
      r.mutable_activity()->set_period(period);
      *r.mutable_activity()->mutable_description() =
          Text(absl::StrCat("Audit of ", period));
      r.mutable_activity()->set_due_on(period + "-15");
      return Make(&S::RecordMonitoringActivity, r, id, step, rb,
                  "reviewing-body");
    }
    case 8: {
      v1::RaiseRiskRequest r;
      r.mutable_risk()->set_review_id(review);
      r.mutable_risk()->set_category(v1::RISK_CATEGORY_CAPACITY);
      *r.mutable_risk()->mutable_description() =
          Text(absl::StrCat("Staffing in ", period));
      r.mutable_risk()->add_related_recommendations(2);
      return Make(&S::RaiseRisk, r, id, step, rb, "reviewing-body");
    }
    default: {
      v1::CloseReportingPeriodRequest r;
      r.mutable_period()->set_review_id(review);
      r.mutable_period()->set_period(period);
      return Make(&S::CloseReportingPeriod, r, id, step, rb, "reviewing-body");
    }
  }
}

// ---------------------------------------------------------------------
// What the clients did.

struct Lane {
  int next = 0;  // The next step to send (== the pending one, if any).
  bool pending = false;
  bool broken = false;  // Refused unexpectedly: stop driving it.
};

struct AckedCommand {
  std::string key;  // agency + "/" + request id.
  v1::CommandResult result;
};

struct RawBatch {
  std::string stream;
  v1::ExpectedRevisionKind kind = v1::EXPECTED_REVISION_KIND_ANY;
  uint64_t expected_revision = 0;
  std::vector<EventId> ids;
  bool acked = false;
  v1::AppendResponse ack;
  std::optional<uint64_t> seen_first;  // Once seen it must never move.
};

struct RawWriter {
  std::mt19937_64 rng;
  std::optional<uint64_t> owned_last[kRawOwnedStreams];
  std::optional<size_t> pending;  // Index into the batches.
  bool broken = false;
};

std::string RawOwnedStream(int writer, int k) {
  return absl::StrCat("crash-raw-w", writer, "-", k);
}

v1::AppendRequest AppendRequestOf(const RawBatch& b) {
  v1::AppendRequest r;
  r.set_stream(b.stream);
  r.set_expected_kind(b.kind);
  r.set_expected_revision(b.expected_revision);
  for (const EventId& id : b.ids) {
    const ProposedEvent e = EventFor(id);
    v1::ProposedEvent* p = r.add_events();
    p->set_event_id(id.ToString());
    p->set_type(e.type);
    p->set_data(e.data);
    p->set_metadata(e.metadata);
  }
  return r;
}

// One event of the log as the test read it.
struct Entry {
  std::string stream;
  uint64_t revision = 0;
  std::string id;
  std::string request_key;  // Domain events: agency + "/" + request id.
  Hash hash = kGenesisHash;
};

// One query's answer: its pages (one for a unary query), compared by
// their deterministic serialisation, or the error it failed with.
struct Answer {
  std::string error;
  std::string bytes;
  std::vector<std::shared_ptr<google::protobuf::Message>> pages;

  void Add(std::shared_ptr<google::protobuf::Message> page) {
    std::string serialized;
    {
      google::protobuf::io::StringOutputStream stream(&serialized);
      google::protobuf::io::CodedOutputStream coded(&stream);
      coded.SetSerializationDeterministic(true);
      page->SerializeToCodedStream(&coded);
    }
    absl::StrAppend(&bytes, serialized.size(), ":", serialized);
    pages.push_back(std::move(page));
  }
  bool operator==(const Answer& other) const {
    return error == other.error && bytes == other.bytes;
  }
  // The answer as text.
  std::string Text() const {
    if (!error.empty()) return error;
    std::string text;
    for (const auto& page : pages) {
      absl::StrAppend(&text, page->ShortDebugString(), "\n");
    }
    return text;
  }
};

// Where two answers first differ, as text: some context around it.
std::string Difference(const Answer& a, const Answer& b) {
  const std::string x = a.Text(), y = b.Text();
  size_t at = 0;
  while (at < x.size() && at < y.size() && x[at] == y[at]) ++at;
  const size_t from = at > 300 ? at - 300 : 0;
  return absl::StrCat("first difference at character ", at,
                      ":\n  resumed: ", x.substr(from, 700),
                      "\n  rebuilt: ", y.substr(from, 700));
}

// A problem found, kept short.
class Problems {
 public:
  void Add(const std::string& what) {
    if (++count_ <= 10) ADD_FAILURE() << what;
  }
  int count() const { return count_; }

 private:
  int count_ = 0;
};

// ---------------------------------------------------------------------
// The test.

class ServerCrashTest : public ::testing::Test {
 protected:
  // Drives `address` with every lane and writer until `stop`; returns the
  // problems the threads saw.
  void Drive(const std::string& address, std::atomic<bool>* stop,
             std::vector<std::thread>* threads) {
    for (int lane = 0; lane < kCommandLanes; ++lane) {
      threads->emplace_back([this, address, stop, lane] {
        auto stub = v1::Commands::NewStub(Connect(address));
        RunLane(stub.get(), lane, stop);
      });
    }
    for (int w = 0; w < kRawWriters; ++w) {
      threads->emplace_back([this, address, stop, w] {
        auto stub = v1::EventStore::NewStub(Connect(address));
        RunWriter(stub.get(), w, stop);
      });
    }
  }

  void Fail(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    thread_problems_.push_back(what);
  }

  // Sends lane `lane`'s steps until `stop`, the script's end, or a call
  // whose outcome is unknown (left pending).
  void RunLane(v1::Commands::Stub* stub, int lane_index,
               const std::atomic<bool>* stop) {
    Lane& lane = lanes_[lane_index];
    while (!stop->load() && !lane.broken && !lane.pending) {
      std::optional<Command> c = StepOf(lane_index, lane.next);
      if (!c.has_value()) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        sent_requests_.insert(absl::StrCat(c->agency, "/", c->request_id));
      }
      auto ctx = Context(c->agency, c->role);
      v1::CommandResult result;
      const grpc::Status s = c->send(stub, ctx.get(), &result);
      if (s.ok()) {
        if (result.deduplicated()) {
          Fail(absl::StrCat("lane ", lane_index, " step ", lane.next,
                            ": first send answered deduplicated"));
        }
        std::lock_guard<std::mutex> lock(mu_);
        acked_.push_back({absl::StrCat(c->agency, "/", c->request_id), result});
        ++lane.next;
        ++round_acked_commands_;
      } else if (OutcomeUnknown(s)) {
        lane.pending = true;
      } else {
        lane.broken = true;
        Fail(absl::StrCat("lane ", lane_index, " step ", lane.next, " (",
                          c->request_id, ") refused: ", Describe(s, *ctx)));
      }
    }
  }

  void RunWriter(v1::EventStore::Stub* stub, int w,
                 const std::atomic<bool>* stop) {
    RawWriter& writer = writers_[w];
    while (!stop->load() && !writer.broken && !writer.pending.has_value()) {
      RawBatch b;
      const int choice = writer.rng() % (kRawOwnedStreams + kRawSharedStreams);
      if (choice < kRawOwnedStreams) {
        b.stream = RawOwnedStream(w, choice);
        if (writer.owned_last[choice].has_value()) {
          b.kind = v1::EXPECTED_REVISION_KIND_EXACT;
          b.expected_revision = *writer.owned_last[choice];
        } else {
          b.kind = v1::EXPECTED_REVISION_KIND_NO_STREAM;
        }
      } else {
        b.stream = absl::StrCat("crash-raw-shared-", choice - kRawOwnedStreams);
        b.kind = v1::EXPECTED_REVISION_KIND_ANY;
      }
      const int n = 1 + writer.rng() % 4;
      for (int i = 0; i < n; ++i) b.ids.push_back(IdFrom(writer.rng));
      const v1::AppendRequest request = AppendRequestOf(b);
      size_t index;
      {
        std::lock_guard<std::mutex> lock(mu_);
        index = batches_.size();
        for (const EventId& id : b.ids) raw_ids_[id.ToString()] = index;
        batches_.push_back(std::move(b));
      }
      auto ctx = AsOperator();
      v1::AppendResponse response;
      const grpc::Status s = stub->Append(ctx.get(), request, &response);
      if (s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        RawBatch& stored = batches_[index];
        if (response.deduplicated() ||
            response.last_position() - response.first_position() + 1 !=
                stored.ids.size()) {
          Fail(absl::StrCat("raw batch ", index, ": bad first answer ",
                            response.ShortDebugString()));
        }
        stored.acked = true;
        stored.ack = response;
        if (choice < kRawOwnedStreams) {
          writer.owned_last[choice] = response.last_revision();
        }
        ++round_acked_batches_;
      } else if (OutcomeUnknown(s)) {
        writer.pending = index;
      } else {
        writer.broken = true;
        Fail(
            absl::StrCat("raw batch ", index, " refused: ", Describe(s, *ctx)));
      }
    }
  }

  // Reads the log from position `from` (1, or the head read before plus
  // one) to its end into log_, checking gaplessness, the chain and that
  // every event is one the clients sent. Returns false if it could not.
  bool ReadLog(v1::EventStore::Stub* stub, uint64_t from, int round) {
    if (from == 1) {
      log_.clear();
      request_positions_.clear();
      id_positions_.clear();
      chain_ = kGenesisHash;
    }
    Problems problems;
    for (uint64_t next = from;;) {
      v1::ReadAllRequest request;
      request.set_from_position(next);
      request.set_max_count(1000);
      auto ctx = AsOperator();
      v1::ReadAllResponse page;
      const grpc::Status s = stub->ReadAll(ctx.get(), request, &page);
      if (!s.ok()) {
        ADD_FAILURE() << "round " << round << ": ReadAll(" << next
                      << "): " << Describe(s, *ctx);
        return false;
      }
      for (const v1::RecordedEvent& e : page.events()) {
        const uint64_t position = log_.size() + 1;
        if (e.position() != position) {
          ADD_FAILURE() << "round " << round
                        << ": gap in positions: " << e.position() << " follows "
                        << position - 1;
          return false;
        }
        absl::StatusOr<EventId> id = EventId::Parse(e.event_id());
        if (!id.ok() || e.withheld()) {
          problems.Add(absl::StrCat("round ", round, ": position ", position,
                                    ": bad id or withheld"));
          return false;
        }
        // The chain, recomputed from what the server sent.
        eventstore::RecordedEvent r;
        r.position = e.position();
        r.stream = e.stream();
        r.revision = e.revision();
        r.id = *id;
        r.type = e.type();
        r.data = e.data();
        r.metadata = e.metadata();
        r.recorded_at = absl::FromUnixSeconds(e.recorded_at().seconds()) +
                        absl::Nanoseconds(e.recorded_at().nanos());
        std::string record;
        EncodeRecord(r, &record);
        Entry entry;
        chain_ = ChainHash(chain_, record);
        r.hash = chain_;
        // The test's own fold of the log, as an auditor's offline replay
        // would do it: protobuf's parser and Apply, event by event.
        if (position > folded_.position()) {
          if (std::optional<projections::RecordedDomainEvent> d =
                  projections::ToDomainEvent(r)) {
            projections::Apply(*d, &folded_);
          }
          folded_.set_position(position);
        }
        if (e.hash().size() != chain_.size() ||
            !std::equal(chain_.begin(), chain_.end(),
                        reinterpret_cast<const uint8_t*>(e.hash().data()))) {
          problems.Add(absl::StrCat("round ", round, ": position ", position,
                                    ": the record does not chain from its "
                                    "predecessor"));
        }
        entry.hash = chain_;
        entry.stream = e.stream();
        entry.revision = e.revision();
        entry.id = e.event_id();
        if (position == anchor_position_ && entry.hash != anchor_hash_) {
          problems.Add(absl::StrCat("round ", round, ": the record at ",
                                    position, " changed since the last round"));
        }
        if (!id_positions_.emplace(entry.id, position).second) {
          problems.Add(absl::StrCat("round ", round, ": event id ", entry.id,
                                    " at ", position, " and ",
                                    id_positions_[entry.id]));
        }
        auto raw = raw_ids_.find(entry.id);
        if (raw == raw_ids_.end()) {
          v1::DomainEvent domain;
          if (!domain.ParseFromString(e.data()) ||
              domain.request_id().empty()) {
            problems.Add(absl::StrCat("round ", round, ": position ", position,
                                      " is neither a raw event the test sent "
                                      "nor a domain event"));
          } else {
            entry.request_key = absl::StrCat(domain.actor().agency_id(), "/",
                                             domain.request_id());
            if (sent_requests_.count(entry.request_key) == 0) {
              problems.Add(absl::StrCat("round ", round, ": position ",
                                        position, ": request ",
                                        entry.request_key, " was never sent"));
            }
            if (!request_positions_.emplace(entry.request_key, position)
                     .second) {
              problems.Add(absl::StrCat(
                  "round ", round, ": request ", entry.request_key,
                  " applied twice, at ", request_positions_[entry.request_key],
                  " and ", position));
            }
          }
        } else {
          const ProposedEvent want = EventFor(*id);
          if (e.type() != want.type || e.data() != want.data ||
              e.metadata() != want.metadata) {
            problems.Add(absl::StrCat("round ", round, ": position ", position,
                                      ": raw content differs from what was "
                                      "sent"));
          }
        }
        log_.push_back(std::move(entry));
      }
      if (page.end_of_log()) break;
      if (page.next_position() <= next) {
        ADD_FAILURE() << "round " << round << ": ReadAll made no progress";
        return false;
      }
      next = page.next_position();
    }
    return problems.count() == 0;
  }

  // The record at the last round's head still has the hash it had then.
  bool CheckAnchor(v1::EventStore::Stub* stub, int round) {
    if (anchor_position_ == 0) return true;
    v1::ReadAllRequest request;
    request.set_from_position(anchor_position_);
    request.set_max_count(1);
    auto ctx = AsOperator();
    v1::ReadAllResponse page;
    const grpc::Status s = stub->ReadAll(ctx.get(), request, &page);
    if (!s.ok()) {
      ADD_FAILURE() << "round " << round << ": ReadAll(" << anchor_position_
                    << "): " << Describe(s, *ctx);
      return false;
    }
    if (page.events_size() != 1 ||
        page.events(0).position() != anchor_position_ ||
        page.events(0).hash() !=
            std::string(anchor_hash_.begin(), anchor_hash_.end())) {
      ADD_FAILURE() << "round " << round << ": the record at "
                    << anchor_position_ << " changed since the last round";
      return false;
    }
    return true;
  }

  // GetHead and VerifyChain agree with the log read. VerifyChain covers
  // positions `from`..head (from the anchor in a round that reads only the
  // tail: the test's chain binds what came before).
  void CheckHead(v1::EventStore::Stub* stub, int round, uint64_t from = 1) {
    const std::string last =
        log_.empty() ? HashToHex(kGenesisHash) : HashToHex(log_.back().hash);
    auto ctx = AsOperator();
    v1::GetHeadResponse head;
    grpc::Status s = stub->GetHead(ctx.get(), {}, &head);
    ASSERT_TRUE(s.ok()) << Describe(s, *ctx);
    EXPECT_EQ(head.position(), log_.size()) << "round " << round;
    EXPECT_EQ(absl::BytesToHexString(head.hash()), last) << "round " << round;
    if (log_.empty()) return;
    auto vctx = AsOperator();
    v1::VerifyChainRequest range;
    range.set_from_position(from);
    v1::VerifyChainResponse verified;
    s = stub->VerifyChain(vctx.get(), range, &verified);
    EXPECT_TRUE(s.ok()) << "round " << round
                        << ": VerifyChain: " << Describe(s, *vctx);
    if (!s.ok()) return;
    EXPECT_EQ(verified.from_position(), from) << "round " << round;
    EXPECT_EQ(verified.to_position(), log_.size()) << "round " << round;
    EXPECT_EQ(absl::BytesToHexString(verified.head_hash()), last)
        << "round " << round;
  }

  // Acknowledged results are in the log where acknowledged; raw batches
  // are all there or not at all; a batch seen never moves.
  void CheckAcknowledged(int round) {
    Problems problems;
    for (const AckedCommand& a : acked_) {
      const v1::CommandResult& r = a.result;
      const uint64_t p = r.position();
      if (p < 1 || p > log_.size()) {
        problems.Add(absl::StrCat("round ", round, ": request ", a.key,
                                  " acknowledged at ", p, ", past the head ",
                                  log_.size()));
        continue;
      }
      const Entry& e = log_[p - 1];
      if (e.id != r.event_id() || e.stream != r.stream() ||
          e.revision != r.revision() || e.request_key != a.key) {
        problems.Add(absl::StrCat(
            "round ", round, ": request ", a.key, " acknowledged as ",
            r.ShortDebugString(), " but position ", p, " holds ", e.id, " of ",
            e.stream, "@", e.revision, " request ", e.request_key));
      }
    }
    for (size_t i = 0; i < batches_.size(); ++i) {
      RawBatch& b = batches_[i];
      std::vector<uint64_t> at;
      for (const EventId& id : b.ids) {
        auto it = id_positions_.find(id.ToString());
        if (it != id_positions_.end()) at.push_back(it->second);
      }
      const std::string name =
          absl::StrCat("round ", round, ": raw batch ", i, " (", b.stream, ")");
      if (at.empty()) {
        if (b.acked) {
          problems.Add(absl::StrCat(name, ": acknowledged at ",
                                    b.ack.first_position(), " but missing"));
        } else if (b.seen_first.has_value()) {
          problems.Add(
              absl::StrCat(name, ": was at ", *b.seen_first, ", now missing"));
        }
        continue;
      }
      if (at.size() != b.ids.size()) {
        problems.Add(absl::StrCat(name, ": torn: ", at.size(), " of ",
                                  b.ids.size(), " events are in the log"));
        continue;
      }
      const uint64_t first = at[0];
      const uint64_t first_revision = log_[first - 1].revision;
      bool ok = true;
      for (size_t k = 0; k < at.size(); ++k) {
        const Entry& e = log_[at[k] - 1];
        ok = ok && at[k] == first + k && e.stream == b.stream &&
             e.revision == first_revision + k;
      }
      if (!ok) {
        problems.Add(absl::StrCat(name,
                                  ": not at consecutive positions and "
                                  "revisions of its stream"));
        continue;
      }
      if (b.acked && (b.ack.first_position() != first ||
                      b.ack.first_revision() != first_revision)) {
        problems.Add(absl::StrCat(name, ": acknowledged at ",
                                  b.ack.first_position(), " revision ",
                                  b.ack.first_revision(), ", in the log at ",
                                  first, " revision ", first_revision));
      }
      if (b.seen_first.has_value() && *b.seen_first != first) {
        problems.Add(
            absl::StrCat(name, ": moved from ", *b.seen_first, " to ", first));
      }
      b.seen_first = first;
    }
  }

  // Resends every pending command and raw batch to `channel`, checking
  // each answer against the log read before (log_, up to `head`).
  void RetryPending(const std::shared_ptr<grpc::Channel>& channel,
                    uint64_t head, int round, int* retried,
                    int* found_applied) {
    auto commands = v1::Commands::NewStub(channel);
    for (int l = 0; l <= kSetupLane; ++l) {
      Lane& lane = lanes_[l];
      if (!lane.pending) continue;
      std::optional<Command> c = StepOf(l, lane.next);
      ASSERT_TRUE(c.has_value());
      const std::string key = absl::StrCat(c->agency, "/", c->request_id);
      auto it = request_positions_.find(key);
      const bool stored = it != request_positions_.end();
      auto ctx = Context(c->agency, c->role);
      v1::CommandResult result;
      const grpc::Status s = c->send(commands.get(), ctx.get(), &result);
      ++*retried;
      *found_applied += stored;
      ASSERT_TRUE(s.ok()) << "round " << round << ": retry of " << key << ": "
                          << Describe(s, *ctx);
      if (stored) {
        EXPECT_TRUE(result.deduplicated())
            << "round " << round << ": " << key << " was in the log at "
            << it->second << " yet its retry was applied again at "
            << result.position();
        EXPECT_EQ(result.position(), it->second)
            << "round " << round << ": retry of " << key;
      } else {
        EXPECT_FALSE(result.deduplicated())
            << "round " << round << ": " << key << " was not in the log, yet "
            << "its retry was answered as already applied at "
            << result.position();
        EXPECT_GT(result.position(), head) << "round " << round << ": " << key;
      }
      acked_.push_back({key, result});
      lane.pending = false;
      ++lane.next;
    }
    auto raw = v1::EventStore::NewStub(channel);
    for (int w = 0; w < kRawWriters; ++w) {
      RawWriter& writer = writers_[w];
      if (!writer.pending.has_value()) continue;
      RawBatch& b = batches_[*writer.pending];
      auto it = id_positions_.find(b.ids[0].ToString());
      const bool stored = it != id_positions_.end();
      auto ctx = AsOperator();
      v1::AppendResponse response;
      const grpc::Status s =
          raw->Append(ctx.get(), AppendRequestOf(b), &response);
      ++*retried;
      *found_applied += stored;
      ASSERT_TRUE(s.ok()) << "round " << round << ": retry of raw batch "
                          << *writer.pending << ": " << Describe(s, *ctx);
      EXPECT_EQ(response.deduplicated(), stored)
          << "round " << round << ": retry of raw batch " << *writer.pending
          << ": " << response.ShortDebugString();
      if (stored) {
        EXPECT_EQ(response.first_position(), it->second)
            << "round " << round << ": retry of raw batch " << *writer.pending;
      } else {
        EXPECT_GT(response.first_position(), head) << "round " << round;
      }
      EXPECT_EQ(response.last_position() - response.first_position() + 1,
                b.ids.size());
      b.acked = true;
      b.ack = response;
      for (int k = 0; k < kRawOwnedStreams; ++k) {
        if (b.stream == RawOwnedStream(w, k)) {
          writer.owned_last[k] = response.last_revision();
        }
      }
      writer.pending.reset();
    }
  }

  // Every read model's answers, by query (page tokens cleared: they are
  // sealed with a key of the server's process).
  std::map<std::string, Answer> QueryAll(
      const std::shared_ptr<grpc::Channel>& channel, uint64_t head) {
    std::set<std::string> reviews, agencies;
    std::set<std::pair<std::string, int>> recommendations;
    for (int l = 0; l < kCommandLanes; ++l) {
      for (int step = 0; step < lanes_[l].next; ++step) {
        const int s = step % kStepsPerReview;
        const std::string review = ReviewId(l, step / kStepsPerReview);
        if (s == 0) reviews.insert(review);
        if (s >= 1 && s <= 3) recommendations.insert({review, s});
      }
    }
    for (const char* a : {kReviewingBody, kForce, kPartner}) agencies.insert(a);
    auto queries = v1::Queries::NewStub(channel);
    std::map<std::string, Answer> out;
    auto record = [&](const std::string& key, const grpc::Status& s,
                      std::shared_ptr<google::protobuf::Message> m) {
      Answer& a = out[key];
      if (!s.ok()) {
        a.error =
            absl::StrCat("error ", s.error_code(), ": ", s.error_message());
        return;
      }
      a.Add(std::move(m));
    };
    auto history = [&](const std::string& key, v1::ListHistoryRequest request) {
      request.set_min_position(head);
      request.set_page_size(500);
      Answer& a = out[key];
      for (int page = 0; page < 10000; ++page) {
        auto ctx = AsReviewingBody();
        auto response = std::make_shared<v1::ListHistoryResponse>();
        const grpc::Status s =
            queries->ListHistory(ctx.get(), request, response.get());
        if (!s.ok()) {
          a.error =
              absl::StrCat("error ", s.error_code(), ": ", s.error_message());
          break;
        }
        const std::string token = response->next_page_token();
        response->clear_next_page_token();
        a.Add(std::move(response));
        if (token.empty()) break;
        request.set_page_token(token);
      }
    };
    for (const std::string& review : reviews) {
      {
        v1::GetStatusBoardRequest request;
        request.set_review_id(review);
        request.set_min_position(head);
        auto ctx = AsReviewingBody();
        auto response = std::make_shared<v1::GetStatusBoardResponse>();
        record("status-board " + review,
               queries->GetStatusBoard(ctx.get(), request, response.get()),
               response);
      }
      {
        v1::ListAttentionRequest request;
        request.set_review_id(review);
        request.set_min_position(head);
        auto ctx = AsReviewingBody();
        auto response = std::make_shared<v1::ListAttentionResponse>();
        record("attention " + review,
               queries->ListAttention(ctx.get(), request, response.get()),
               response);
      }
      v1::ListHistoryRequest request;
      request.set_review_id(review);
      history("history " + review, request);
    }
    for (const auto& [review, number] : recommendations) {
      v1::GetRecommendationRequest request;
      request.set_review_id(review);
      request.set_number(number);
      request.set_min_position(head);
      auto ctx = AsReviewingBody();
      auto response = std::make_shared<v1::GetRecommendationResponse>();
      record(absl::StrCat("recommendation ", review, "/", number),
             queries->GetRecommendation(ctx.get(), request, response.get()),
             response);
      v1::ListHistoryRequest h;
      h.set_review_id(review);
      h.set_number(number);
      history(absl::StrCat("history ", review, "/", number), h);
    }
    for (const std::string& agency : agencies) {
      v1::GetPartnerViewRequest request;
      request.set_agency_id(agency);
      request.set_min_position(head);
      auto ctx = AsReviewingBody();
      auto response = std::make_shared<v1::GetPartnerViewResponse>();
      record("partner-view " + agency,
             queries->GetPartnerView(ctx.get(), request, response.get()),
             response);
      v1::ListHistoryRequest h;
      h.set_agency_id(agency);
      history("history agency " + agency, h);
    }
    return out;
  }

  // The read-model snapshot the last server wrote in `dir`.
  std::optional<eventstore::Snapshot> ReadSnapshot(const std::string& dir,
                                                   int round) {
    RocksEventStore::Options options;
    options.verify_on_open = false;
    absl::StatusOr<std::unique_ptr<RocksEventStore>> store =
        RocksEventStore::Open(dir, options);
    EXPECT_TRUE(store.ok()) << "round " << round << ": " << store.status();
    if (!store.ok()) return std::nullopt;
    absl::StatusOr<std::optional<eventstore::Snapshot>> s =
        (*store)->GetSnapshot("read-model");
    EXPECT_TRUE(s.ok()) << "round " << round << ": " << s.status();
    (*store)->Close();
    if (!s.ok()) return std::nullopt;
    EXPECT_TRUE(s->has_value()) << "round " << round << ": no snapshot";
    return *s;
  }

  std::mutex mu_;  // Guards what the driving threads share.
  Lane lanes_[kCommandLanes + 1];
  RawWriter writers_[kRawWriters];
  std::vector<AckedCommand> acked_;
  std::vector<RawBatch> batches_;
  absl::flat_hash_map<std::string, size_t> raw_ids_;  // Id -> batch.
  std::set<std::string> sent_requests_;
  std::vector<std::string> thread_problems_;
  int round_acked_commands_ = 0, round_acked_batches_ = 0;

  // The log as read by the last check.
  std::vector<Entry> log_;  // By position - 1.
  Hash chain_ = kGenesisHash;
  absl::flat_hash_map<std::string, uint64_t> id_positions_;
  absl::flat_hash_map<std::string, uint64_t> request_positions_;
  uint64_t anchor_position_ = 0;
  Hash anchor_hash_ = kGenesisHash;
  // Every event read so far, folded by the test (ReadLog).
  v1::ProjectionState folded_;
};

// The day an attention list was judged on; "" for other answers.
std::string JudgedOn(const Answer& a) {
  if (a.pages.size() != 1) return "";
  const auto* r =
      dynamic_cast<const v1::ListAttentionResponse*>(a.pages[0].get());
  return r == nullptr ? "" : r->judged_on();
}

// "" if `a` equals `b`; else where they differ. Their deterministic bytes
// (maps in key order) compare quickly; MessageDifferencer says where.
std::string StateDifference(const v1::ProjectionState& a,
                            const v1::ProjectionState& b) {
  if (services::SerializeDeterministic(a) ==
      services::SerializeDeterministic(b)) {
    return "";
  }
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(a, b)) return "";
  return diff.substr(0, 3000);
}

TEST_F(ServerCrashTest, AcknowledgedWritesAndReadModelsSurviveSigkill) {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  struct Keep {
    const std::string& path;
    ~Keep() {
      if (!g_keep) return;
      const std::string kept = path + ".kept";
      if (std::rename(path.c_str(), kept.c_str()) == 0) {
        std::printf("server_crash_test: data and logs kept in %s\n",
                    kept.c_str());
      }
    }
  } keep{tmp.path()};
  std::printf("server_crash_test: %d rounds, seed %llu%s%s\n", g_rounds,
              static_cast<unsigned long long>(g_seed),
              g_keep ? ", data in " : "", g_keep ? dir.c_str() : "");
  std::fflush(stdout);
  std::mt19937_64 rng(g_seed);
  for (int w = 0; w < kRawWriters; ++w) writers_[w].rng.seed(rng());
  std::uniform_int_distribution<int> drive_ms(100, 1000);

  uint64_t total_commands = 0, total_batches = 0;
  int total_retried = 0, total_found = 0, restarts_killed = 0,
      restarts_killed_before_listening = 0;
  int resumed_rounds = 0;
  int midnight_skips = 0;    // Attention lists judged on different days.
  int64_t startup_ms = 300;  // The last restart's time to listen.
  const auto started = std::chrono::steady_clock::now();
  int rounds_run = 0;
  for (int round = 1; round <= g_rounds; ++round) {
    ++rounds_run;
    const auto round_start = std::chrono::steady_clock::now();
    std::string phases;  // Time spent in each phase, for the round's line.
    auto lap_start = round_start;
    auto lap = [&](const char* name) {
      const auto now = std::chrono::steady_clock::now();
      absl::StrAppend(
          &phases, phases.empty() ? "" : ", ", name, " ",
          std::chrono::duration_cast<std::chrono::milliseconds>(now - lap_start)
              .count());
      lap_start = now;
    };
    round_acked_commands_ = round_acked_batches_ = 0;
    // 1. Drive a server until the kill.
    const Process a =
        StartServer(dir, tmp.Sub(absl::StrCat("round-", round, "-a.log")), {});
    std::string address;
    std::string problem = WaitListening(a, &address);
    ASSERT_EQ(problem, "") << "round " << round;
    const std::chrono::milliseconds delay(drive_ms(rng));
    {
      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      if (lanes_[kSetupLane].next < 3 && !lanes_[kSetupLane].pending) {
        auto stub = v1::Commands::NewStub(Connect(address));
        RunLane(stub.get(), kSetupLane, &stop);
      }
      if (lanes_[kSetupLane].next >= 3) Drive(address, &stop, &threads);
      std::this_thread::sleep_for(delay);
      problem = Kill(a);
      stop = true;
      for (std::thread& t : threads) t.join();
    }
    ASSERT_EQ(problem, "") << "round " << round;
    for (const std::string& p : thread_problems_) {
      ADD_FAILURE() << "round " << round << ": " << p;
    }
    thread_problems_.clear();

    lap("drive");
    // 2. Sometimes kill the restart too, in its recovery.
    bool killed_restart = false, before_listening = false;
    if (rng() % 3 == 0) {
      std::uniform_int_distribution<int64_t> at(0, startup_ms * 3 / 2);
      const std::chrono::milliseconds when(at(rng));
      const Process x = StartServer(
          dir, tmp.Sub(absl::StrCat("round-", round, "-x.log")), {});
      std::this_thread::sleep_for(when);
      before_listening = ListeningAddress(x.log_path).empty();
      problem = Kill(x);
      ASSERT_EQ(problem, "") << "round " << round;
      killed_restart = true;
      ++restarts_killed;
      restarts_killed_before_listening += before_listening;
    }

    // 3. Restart (B) and check the log through its API.
    const Process b =
        StartServer(dir, tmp.Sub(absl::StrCat("round-", round, "-b.log")), {});
    problem = WaitListening(b, &address);
    ASSERT_EQ(problem, "") << "round " << round;
    startup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - b.started)
                     .count();
    // How B's read models started: from the snapshot the killed server
    // (or the last clean stop) left, caught up from the log. A rebuild
    // after round 1 means the snapshot was lost or unreadable.
    std::string resumed_from = "rebuilt";
    {
      static const std::regex kFrom(
          "read models: from the snapshot at position ([0-9]+); applied "
          "([0-9]+) events");
      const std::string text = ReadText(b.log_path);
      std::smatch m;
      if (std::regex_search(text, m, kFrom)) {
        resumed_from = absl::StrCat("snapshot ", m[1].str(), " + ", m[2].str());
        ++resumed_rounds;
      } else {
        EXPECT_EQ(round, 1) << "B did not start from a snapshot:\n" << text;
      }
    }
    lap("restart");
    // A full round reads the whole log again and compares every read
    // model's answers with a rebuild's; the others read the log from the
    // last round's head (the head hash, which GetHead and VerifyChain must
    // end at, covers what came before) and compare B's state with the
    // test's own fold. The first and last rounds are full.
    const bool full =
        round == 1 || round == g_rounds || round % g_compare_every == 0;
    std::shared_ptr<grpc::Channel> channel = Connect(address);
    auto store = v1::EventStore::NewStub(channel);
    if (!full) {
      ASSERT_EQ(log_.size(), anchor_position_);
      ASSERT_TRUE(CheckAnchor(store.get(), round));
    }
    ASSERT_TRUE(ReadLog(store.get(), full ? 1 : anchor_position_ + 1, round))
        << "round " << round;
    const uint64_t head_after_crash = log_.size();
    EXPECT_GE(head_after_crash, anchor_position_)
        << "round " << round << ": the head went back";
    const uint64_t verify_from =
        full ? 1 : std::max<uint64_t>(anchor_position_, 1);
    CheckHead(store.get(), round, verify_from);
    CheckAcknowledged(round);
    ASSERT_FALSE(HasFailure())
        << "round " << round << " (seed " << g_seed << "), after the crash";
    int retried = 0, found = 0;
    RetryPending(channel, head_after_crash, round, &retried, &found);
    ASSERT_FALSE(HasFailure())
        << "round " << round << " (seed " << g_seed << "), retrying";
    ASSERT_TRUE(ReadLog(store.get(), head_after_crash + 1, round));
    CheckHead(store.get(), round, verify_from);
    CheckAcknowledged(round);
    const uint64_t head = log_.size();
    anchor_position_ = head;
    anchor_hash_ = head == 0 ? kGenesisHash : log_.back().hash;

    lap("check");
    // 4. The read models B resumed equal the test's fold of the log, and
    //    in a full round a rebuild's (C), answer by answer and snapshot by
    //    snapshot.
    std::map<std::string, Answer> resumed;
    if (full) {
      resumed = QueryAll(channel, head);
      if (g_keep) {
        std::ofstream out(
            tmp.Sub(absl::StrCat("round-", round, "-answers.txt")));
        for (const auto& [key, answer] : resumed) {
          out << key << "\n  " << answer.Text() << "\n";
        }
      }
      lap("query");
    }
    store.reset();
    channel.reset();
    problem = Stop(b);
    ASSERT_EQ(problem, "") << "round " << round;
    v1::ProjectionState resumed_state;
    {
      const std::optional<eventstore::Snapshot> snapshot =
          ReadSnapshot(dir, round);
      ASSERT_TRUE(snapshot.has_value()) << "round " << round;
      EXPECT_EQ(snapshot->position, head) << "round " << round;
      ASSERT_TRUE(resumed_state.ParseFromString(snapshot->data))
          << "round " << round;
    }
    EXPECT_EQ(folded_.position(), head) << "round " << round;
    const std::string folded_diff = StateDifference(folded_, resumed_state);
    EXPECT_EQ(folded_diff, "")
        << "round " << round << ": the resumed read models differ from the "
        << "test's fold of the log";
    lap("stop");

    size_t answers_compared = 0;
    if (full) {
      const Process c = StartServer(
          dir, tmp.Sub(absl::StrCat("round-", round, "-c.log")), {"--rebuild"});
      problem = WaitListening(c, &address);
      ASSERT_EQ(problem, "") << "round " << round;
      channel = Connect(address);
      {
        auto head_stub = v1::EventStore::NewStub(channel);
        auto ctx = AsOperator();
        v1::GetHeadResponse h;
        grpc::Status s = head_stub->GetHead(ctx.get(), {}, &h);
        ASSERT_TRUE(s.ok()) << Describe(s, *ctx);
        EXPECT_EQ(h.position(), head) << "round " << round;
      }
      const std::map<std::string, Answer> rebuilt = QueryAll(channel, head);
      channel.reset();
      problem = Stop(c);
      ASSERT_EQ(problem, "") << "round " << round;
      const std::optional<eventstore::Snapshot> rebuilt_snapshot =
          ReadSnapshot(dir, round);
      lap("rebuild");

      answers_compared = resumed.size();
      EXPECT_EQ(resumed.size(), rebuilt.size()) << "round " << round;
      int differing = 0;
      for (const auto& [key, answer] : resumed) {
        auto it = rebuilt.find(key);
        if (it != rebuilt.end() && it->second == answer) continue;
        // An attention list is judged on the server's today: one asked of
        // B before midnight (UTC) and of C after it differs. Such a pair
        // is left out, the rest of the answers still compared.
        if (it != rebuilt.end() && JudgedOn(answer) != JudgedOn(it->second)) {
          ++midnight_skips;
          continue;
        }
        if (++differing <= 3) {
          ADD_FAILURE() << "round " << round << ": " << key
                        << " differs from a rebuild's: "
                        << (it == rebuilt.end()
                                ? "the rebuild has no answer"
                                : Difference(answer, it->second));
        }
      }
      EXPECT_EQ(differing, 0) << "round " << round << ": answers differing";
      int errors = 0;
      for (const auto& [key, answer] : resumed) {
        if (!answer.error.empty() && ++errors <= 3) {
          ADD_FAILURE() << "round " << round << ": " << key
                        << " failed: " << answer.error;
        }
      }
      if (rebuilt_snapshot.has_value()) {
        EXPECT_EQ(rebuilt_snapshot->position, head) << "round " << round;
        v1::ProjectionState rebuilt_state;
        EXPECT_TRUE(rebuilt_state.ParseFromString(rebuilt_snapshot->data));
        EXPECT_EQ(StateDifference(rebuilt_state, resumed_state), "")
            << "round " << round << ": the resumed read models differ from a "
            << "rebuild's";
      }
    }

    total_commands += round_acked_commands_;
    total_batches += round_acked_batches_;
    total_retried += retried;
    total_found += found;
    std::printf(
        "round %3d: killed %4lld ms after listening%s; %4d commands and %4d "
        "raw batches acked; %d retried (%d found applied); head %llu -> "
        "%llu; read models from %s, equal to the test's fold%s; round took "
        "%lld ms (%s)\n",
        round, static_cast<long long>(delay.count()),
        killed_restart ? (before_listening ? ", restart killed in its start"
                                           : ", restart killed after listening")
                       : "",
        round_acked_commands_, round_acked_batches_, retried, found,
        static_cast<unsigned long long>(head_after_crash),
        static_cast<unsigned long long>(head), resumed_from.c_str(),
        full ? absl::StrCat(" and, in ", answers_compared,
                            " answers, to a rebuild's")
                   .c_str()
             : "",
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - round_start)
                .count()),
        phases.c_str());
    std::fflush(stdout);
    if (HasFailure()) {
      std::printf(
          "server_crash_test: failed in round %d; rerun with "
          "--seed=%llu\n",
          round, static_cast<unsigned long long>(g_seed));
      break;
    }
  }
  const double total_s = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count() /
                         1000.0;
  std::printf(
      "server_crash_test: %d rounds in %.1f s, seed %llu: %llu commands and "
      "%llu raw batches acknowledged, %d retried (%d found applied), final "
      "head %zu, %d restarts killed (%d before listening), %d attention "
      "lists left uncompared as midnight passed between them\n",
      rounds_run, total_s, static_cast<unsigned long long>(g_seed),
      static_cast<unsigned long long>(total_commands),
      static_cast<unsigned long long>(total_batches), total_retried,
      total_found, log_.size(), restarts_killed,
      restarts_killed_before_listening, midnight_skips);
  EXPECT_GT(total_commands, 0u) << "no command was ever acknowledged";
  EXPECT_GT(total_batches, 0u) << "no raw batch was ever acknowledged";
  if (rounds_run > 1) {
    EXPECT_GT(resumed_rounds, 0) << "no restart resumed from a snapshot";
  }
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
  using oversight::crash::g_compare_every;
  using oversight::crash::g_keep;
  using oversight::crash::g_rounds;
  using oversight::crash::g_seed;
  bool seed_set = false;
  if (const char* env = std::getenv("OVERSIGHT_SERVER_CRASH_ROUNDS")) {
    if (!ParseCount(env, &g_rounds)) {
      std::fprintf(stderr, "bad OVERSIGHT_SERVER_CRASH_ROUNDS=%s\n", env);
      return 2;
    }
  }
  if (const char* env = std::getenv("OVERSIGHT_SERVER_CRASH_COMPARE_EVERY")) {
    if (!ParseCount(env, &g_compare_every)) {
      std::fprintf(stderr, "bad OVERSIGHT_SERVER_CRASH_COMPARE_EVERY=%s\n",
                   env);
      return 2;
    }
  }
  if (const char* env = std::getenv("OVERSIGHT_SERVER_CRASH_SEED")) {
    if (!absl::SimpleAtoi(env, &g_seed)) {
      std::fprintf(stderr, "bad OVERSIGHT_SERVER_CRASH_SEED=%s\n", env);
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
    } else if (absl::ConsumePrefix(&arg, "--compare_every=")) {
      if (!ParseCount(arg, &g_compare_every)) {
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
    } else if (absl::ConsumePrefix(&arg, "--oversightd=")) {
      oversight::crash::g_oversightd = std::string(arg);
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
