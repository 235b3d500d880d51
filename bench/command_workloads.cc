// Domain commands through the gRPC server: SubmitProgressUpdate from
// concurrent clients, each over its own recommendations, so the figure is
// the cost of a command (identity, request-id lookup, reading and folding
// three streams, deciding, a synced append) rather than of contention.

#include <atomic>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "bench/workload_util.h"
#include "oversight/v1/commands.grpc.pb.h"

namespace oversight::bench {

namespace v1 = ::oversight::v1;

namespace {

constexpr int kRecommendationsPerClient = 16;
constexpr char kReview[] = "bench-review";

// A context calling as `agency` with the role it holds here: the OPCC as
// the reviewing body, the police as the force.
std::unique_ptr<grpc::ClientContext> As(const std::string& agency) {
  auto context = std::make_unique<grpc::ClientContext>();
  SetDeadline(context.get());
  context->AddMetadata("oversight-agency", agency);
  context->AddMetadata("oversight-role",
                       agency == "opcc" ? "reviewing-body" : "force");
  context->AddMetadata("oversight-actor", "oversight-bench");
  return context;
}

template <typename Request>
Request Common(Request r, const std::string& request_id) {
  r.set_request_id(request_id);
  r.set_classification(v1::CLASSIFICATION_OFFICIAL);
  return r;
}

// Registers the agencies, opens the review and its period, and issues
// `recommendations` recommendations owned by the force.
absl::Status SetUpWorld(v1::Commands::Stub* stub, int recommendations) {
  auto check = [](const grpc::Status& s) {
    return s.ok() ? absl::OkStatus() : absl::InternalError(GrpcError(s));
  };
  for (auto [id, kind] : {std::pair{"opcc", v1::AGENCY_KIND_REVIEWING_BODY},
                          std::pair{"police", v1::AGENCY_KIND_FORCE}}) {
    v1::RegisterAgencyRequest r;
    r.mutable_agency()->set_agency_id(id);
    r.mutable_agency()->mutable_name()->set_en(id);
    r.mutable_agency()->set_kind(kind);
    v1::RegisterAgencyResponse response;
    absl::Status s = check(stub->RegisterAgency(
        As("opcc").get(), Common(r, absl::StrCat("agency-", id)), &response));
    if (!s.ok()) return s;
  }
  v1::OpenReviewRequest review;
  review.mutable_review()->set_review_id(kReview);
  review.mutable_review()->mutable_title()->set_en("Benchmark review");
  review.mutable_review()->mutable_question()->set_en("How fast?");
  review.mutable_review()->set_opened_on("2024");
  v1::Theme* theme = review.mutable_review()->add_themes();
  theme->set_id("speed");
  theme->mutable_name()->set_en("Speed");
  v1::OpenReviewResponse opened;
  if (absl::Status s = check(stub->OpenReview(
          As("opcc").get(), Common(review, "review"), &opened));
      !s.ok()) {
    return s;
  }
  v1::OpenReportingPeriodRequest period;
  period.mutable_period()->set_review_id(kReview);
  period.mutable_period()->set_period("2025-01");
  v1::OpenReportingPeriodResponse period_opened;
  if (absl::Status s = check(stub->OpenReportingPeriod(
          As("opcc").get(), Common(period, "period"), &period_opened));
      !s.ok()) {
    return s;
  }
  for (int n = 1; n <= recommendations; ++n) {
    v1::IssueRecommendationRequest issue;
    issue.mutable_recommendation()->set_review_id(kReview);
    issue.mutable_recommendation()->set_number(n);
    issue.mutable_recommendation()->set_theme_id("speed");
    issue.mutable_recommendation()->mutable_text()->set_en(
        absl::StrCat("Recommendation ", n));
    issue.mutable_recommendation()->set_owning_agency_id("police");
    v1::IssueRecommendationResponse issued;
    if (absl::Status s = check(stub->IssueRecommendation(
            As("opcc").get(), Common(issue, absl::StrCat("issue-", n)),
            &issued));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// One client: progress updates on its own recommendations, in turn.
class UpdateSubmitter {
 public:
  UpdateSubmitter(std::shared_ptr<grpc::Channel> channel, int index,
                  size_t bytes)
      : stub_(v1::Commands::NewStub(std::move(channel))), index_(index) {
    v1::ProgressUpdateSubmitted* u = request_.mutable_update();
    u->set_review_id(kReview);
    u->set_period("2025-01");
    // Three bullets making up about `bytes` of text.
    const std::string text(bytes / 3, 'x');
    for (int b = 0; b < 3; ++b) u->add_bullets()->mutable_text()->set_en(text);
    request_.set_classification(v1::CLASSIFICATION_OFFICIAL);
  }

  OpOutcome SubmitOnce() {
    request_.mutable_update()->set_number(
        index_ * kRecommendationsPerClient +
        static_cast<int>(sent_ % kRecommendationsPerClient) + 1);
    request_.set_request_id(absl::StrCat("u-", index_, "-", sent_++));
    v1::SubmitProgressUpdateResponse response;
    grpc::Status s =
        stub_->SubmitProgressUpdate(As("police").get(), request_, &response);
    if (!s.ok()) {
      NoteError(GrpcError(s));
      return {0, false};
    }
    return {1, true};
  }

 private:
  std::unique_ptr<v1::Commands::Stub> stub_;
  const int index_;
  uint64_t sent_ = 0;
  v1::SubmitProgressUpdateRequest request_;
};

}  // namespace

PointSpec CommandSpec(const WorkloadOptions& options, int clients) {
  PointSpec spec;
  spec.key = absl::StrCat("command.update.", clients);
  spec.workload = "gRPC SubmitProgressUpdate command";
  spec.variant = ChannelModeName(ChannelMode::kPerClient);
  spec.concurrency = clients;
  spec.run_once = [options, clients](const std::string& dir) {
    auto setup = std::make_shared<std::once_flag>();
    auto setup_status = std::make_shared<absl::Status>();
    Point p = RunAgainstServer(
        options, dir, clients, ChannelMode::kPerClient,
        [&](std::shared_ptr<grpc::Channel> channel, int i) {
          std::call_once(*setup, [&] {
            auto stub = v1::Commands::NewStub(channel);
            *setup_status =
                SetUpWorld(stub.get(), clients * kRecommendationsPerClient);
          });
          auto submitter = std::make_shared<UpdateSubmitter>(
              std::move(channel), i, options.event_bytes);
          return Operation([submitter] { return submitter->SubmitOnce(); });
        });
    if (!setup_status->ok()) {
      p.note = JoinNote(std::string(setup_status->message()), p.note);
    }
    p.note = JoinNote("commands/s", p.note);
    return p;
  };
  return spec;
}

}  // namespace oversight::bench
