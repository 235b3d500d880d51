// The command verbs (clients/command_args.h): building requests from
// FIELD=VALUE arguments, the derived request ids, the help, and every
// verb's example run against a real oversightd loaded with the worked
// example, as a user would type it.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/command_args.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "oversight/v1/commands.grpc.pb.h"
#include "tests/clients/cli_process.h"

namespace oversight::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const CommandVerb& Verb(const std::string& name) {
  const CommandVerb* verb = FindCommandVerb(name);
  EXPECT_NE(verb, nullptr) << name;
  return *verb;
}

CommandFlags Official() {
  CommandFlags flags;
  flags.classification = "official";
  flags.agency = "dyfed-powys-opcc";
  return flags;
}

TEST(CommandVerbsTest, EveryCommandRpcButPublishReportHasOneVerb) {
  const google::protobuf::ServiceDescriptor& service =
      *google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::Commands::service_full_name());
  std::set<std::string> requests;
  for (const CommandVerb& verb : CommandVerbs()) {
    EXPECT_TRUE(
        requests.insert(verb.line_field->message_type()->full_name()).second)
        << verb.name;
  }
  for (int i = 0; i < service.method_count(); ++i) {
    const auto& method = *service.method(i);
    if (method.name() == "PublishReport") {  // `oversight report publish`
      EXPECT_EQ(requests.count(method.input_type()->full_name()), 0u);
      continue;
    }
    EXPECT_EQ(requests.count(method.input_type()->full_name()), 1u)
        << method.name() << " has no verb";
  }
  EXPECT_EQ(CommandVerbs().size(),
            static_cast<size_t>(service.method_count() - 1));
  EXPECT_EQ(Verb("assign-rating").line_field->name(), "assign_rating");
  EXPECT_EQ(FindCommandVerb("assign_rating"), nullptr);
  EXPECT_EQ(FindCommandVerb("status"), nullptr);
}

TEST(CommandVerbsTest, FieldsAreSetByNameWithTheirTypes) {
  absl::StatusOr<v1::ImportLine> line = BuildCommand(
      Verb("assign-rating"),
      {"review_id=stalking", "number=3", "period=2025-01", "rating=amber",
       "rationale=Some progress", "rationale.cy=Peth cynnydd"},
      Official());
  ASSERT_TRUE(line.ok()) << line.status();
  const v1::AssignRatingRequest& request = line->assign_rating();
  EXPECT_EQ(request.classification(), v1::CLASSIFICATION_OFFICIAL);
  EXPECT_EQ(request.rating().review_id(), "stalking");
  EXPECT_EQ(request.rating().number(), 3);
  EXPECT_EQ(request.rating().period(), "2025-01");
  EXPECT_EQ(request.rating().rating(), v1::RATING_AMBER);
  EXPECT_EQ(request.rating().rationale().en(), "Some progress");
  EXPECT_EQ(request.rating().rationale().cy(), "Peth cynnydd");
  EXPECT_FALSE(request.has_occurred_at());
  EXPECT_EQ(line->agency(), "dyfed-powys-opcc");
  EXPECT_THAT(request.request_id(), StartsWith("cli-"));
  EXPECT_EQ(request.request_id().size(), 4u + 32u);
}

TEST(CommandVerbsTest, EnumsTakeShortOrFullNamesInAnyCase) {
  for (const char* spelling :
       {"kind=multi-agency-meeting", "kind=MULTI_AGENCY_MEETING",
        "kind=MEETING_KIND_MULTI_AGENCY_MEETING", "kind=Multi_Agency-Meeting",
        "kind=meeting-kind-multi-agency-meeting"}) {
    absl::StatusOr<v1::ImportLine> line =
        BuildCommand(Verb("record-meeting-observed"), {spelling}, Official());
    ASSERT_TRUE(line.ok()) << spelling << ": " << line.status();
    EXPECT_EQ(line->record_meeting_observed().meeting().kind(),
              v1::MEETING_KIND_MULTI_AGENCY_MEETING)
        << spelling;
  }
  absl::StatusOr<v1::ImportLine> bad =
      BuildCommand(Verb("assign-rating"), {"rating=purple"}, Official());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("rating: \"purple\" is not one of: red, amber, green"));
  // UNSPECIFIED is no choice.
  EXPECT_FALSE(
      BuildCommand(Verb("assign-rating"), {"rating=unspecified"}, Official())
          .ok());
}

TEST(CommandVerbsTest, RepeatedFieldsAddOneItemPerAssignmentOrAListOfJson) {
  absl::StatusOr<v1::ImportLine> line = BuildCommand(
      Verb("record-meeting-observed"),
      {"attending_agency_ids=police", "attending_agency_ids=calon",
       "findings=First", "findings:={\"en\": \"Second\", \"cy\": \"Ail\"}",
       "related_recommendations=1", "related_recommendations:=[2, 3]",
       "held_on=2026-05-20"},
      Official());
  ASSERT_TRUE(line.ok()) << line.status();
  const v1::MeetingObserved& meeting =
      line->record_meeting_observed().meeting();
  EXPECT_THAT(meeting.attending_agency_ids(),
              ::testing::ElementsAre("police", "calon"));
  ASSERT_EQ(meeting.findings_size(), 2);
  EXPECT_EQ(meeting.findings(0).en(), "First");
  EXPECT_EQ(meeting.findings(1).cy(), "Ail");
  EXPECT_THAT(meeting.related_recommendations(),
              ::testing::ElementsAre(1, 2, 3));
  EXPECT_EQ(meeting.held_on(), "2026-05-20");

  absl::StatusOr<v1::ImportLine> report = BuildCommand(
      Verb("submit-partner-report"),
      {R"(figures:=[{"key": "referrals", "value": 14, "cumulative": true}])",
       R"(figures:={"key": "closed", "value": 2})"},
      Official());
  ASSERT_TRUE(report.ok()) << report.status();
  const auto& figures = report->submit_partner_report().report().figures();
  ASSERT_EQ(figures.size(), 2);
  EXPECT_EQ(figures[0].key(), "referrals");
  EXPECT_EQ(figures[0].value(), 14);
  EXPECT_TRUE(figures[0].cumulative());
  EXPECT_EQ(figures[1].key(), "closed");
}

TEST(CommandVerbsTest, NestedMessagesByDotsOrWholeAsJson) {
  absl::StatusOr<v1::ImportLine> line = BuildCommand(
      Verb("open-review"),
      {"full_report.url=https://example.org/r.pdf", "full_report.title=Report",
       R"(themes:=[{"id": "training", "name": {"en": "Training"}}])",
       "title=T"},
      Official());
  ASSERT_TRUE(line.ok()) << line.status();
  const v1::ReviewOpened& review = line->open_review().review();
  EXPECT_EQ(review.full_report().url(), "https://example.org/r.pdf");
  EXPECT_EQ(review.full_report().title().en(), "Report");
  ASSERT_EQ(review.themes_size(), 1);
  EXPECT_EQ(review.themes(0).name().en(), "Training");
  // JSON names are accepted as well as proto names.
  absl::StatusOr<v1::ImportLine> camel =
      BuildCommand(Verb("open-review"),
                   {"reviewId=r", "commissioningAgencyId=opcc"}, Official());
  ASSERT_TRUE(camel.ok()) << camel.status();
  EXPECT_EQ(camel->open_review().review().commissioning_agency_id(), "opcc");
}

TEST(CommandVerbsTest, TheRequestsOwnFieldsComeFromFlags) {
  CommandFlags flags = Official();
  flags.classification = "sensitive";
  flags.occurred_at = "2024-06-01";
  flags.request_id = "rate-3";
  flags.actor = "Siân Jones";
  absl::StatusOr<v1::ImportLine> line =
      BuildCommand(Verb("assign-rating"), {"number=3"}, flags);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->assign_rating().classification(),
            v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
  EXPECT_EQ(line->assign_rating().occurred_at().seconds(), 1717200000);
  EXPECT_EQ(line->assign_rating().request_id(), "rate-3");
  EXPECT_EQ(line->actor(), "Siân Jones");

  flags.occurred_at = "2024-06-01T09:30:00+01:00";
  line = BuildCommand(Verb("assign-rating"), {"number=3"}, flags);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->assign_rating().occurred_at().seconds(),
            1717200000 + 8 * 3600 + 1800);

  flags.occurred_at = "June";
  line = BuildCommand(Verb("assign-rating"), {"number=3"}, flags);
  ASSERT_FALSE(line.ok());
  EXPECT_THAT(line.status().message(), HasSubstr("--occurred_at"));
}

TEST(CommandVerbsTest, MistakesAreRefusedSayingWhat) {
  struct Case {
    std::vector<std::string> args;
    std::string classification;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"number=3"}, "", "--classification is required"},
      {{"number=3"}, "secret", "official or sensitive, not \"secret\""},
      {{}, "official", "needs the fields of its RatingAssigned"},
      {{"number"}, "official", "expected FIELD=VALUE or FIELD:=JSON"},
      {{"=3"}, "official", "expected FIELD=VALUE"},
      {{"numbr=3"},
       "official",
       "no field \"numbr\" in RatingAssigned (its fields: review_id, number, "
       "period, rating, rationale)"},
      {{"number=three"}, "official", "number: \"three\" is not a whole number"},
      {{"number=99999999999"}, "official", "is not a whole number"},
      {{"number=3", "number=4"}, "official", "number is given twice"},
      {{"rationale=a", "rationale.en=b"}, "official", "given twice"},
      {{"rationale:={\"en\": \"a\"}", "rationale=b"},
       "official",
       "rationale.en and rationale are both given"},
      {{"rationale.cy=a", "rationale:={\"en\": \"b\"}"},
       "official",
       "rationale and rationale.cy are both given"},
      {{"rationale.fr=x"}, "official", "no field \"rationale.fr\""},
      {{"number.x=1"}, "official", "number has no fields to name"},
      {{"number:=\"x\""}, "official", "number: is not JSON for this field"},
      {{"rationale:={\"de\": \"x\"}"}, "official", "is not JSON"},
  };
  for (const Case& c : cases) {
    CommandFlags flags = Official();
    flags.classification = c.classification;
    absl::StatusOr<v1::ImportLine> line =
        BuildCommand(Verb("assign-rating"), c.args, flags);
    ASSERT_FALSE(line.ok()) << absl::StrJoin(c.args, " ");
    EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(line.status().message(), HasSubstr(c.says))
        << absl::StrJoin(c.args, " ");
  }
  absl::StatusOr<v1::ImportLine> list = BuildCommand(
      Verb("submit-progress-update"), {"bullets.text=x"}, Official());
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(),
              HasSubstr("it is a list, given whole as bullets:=[...]"));
  absl::StatusOr<v1::ImportLine> message =
      BuildCommand(Verb("open-review"), {"full_report=x"}, Official());
  ASSERT_FALSE(message.ok());
  EXPECT_THAT(message.status().message(),
              HasSubstr("is a Link: give its fields (full_report.FIELD"));
}

TEST(CommandVerbsTest, TheDerivedRequestIdFollowsTheCommandNotTheSender) {
  const std::vector<std::string> args = {"review_id=r", "number=3",
                                         "rating=red"};
  CommandFlags flags = Official();
  const std::string id = BuildCommand(Verb("assign-rating"), args, flags)
                             ->assign_rating()
                             .request_id();
  flags.actor = "someone else";
  EXPECT_EQ(BuildCommand(Verb("assign-rating"), args, flags)
                ->assign_rating()
                .request_id(),
            id);
  // Another value, agency, classification or time is another command.
  std::vector<std::string> other = args;
  other[2] = "rating=amber";
  EXPECT_NE(BuildCommand(Verb("assign-rating"), other, flags)
                ->assign_rating()
                .request_id(),
            id);
  CommandFlags agency = flags;
  agency.agency = "another-opcc";
  EXPECT_NE(BuildCommand(Verb("assign-rating"), args, agency)
                ->assign_rating()
                .request_id(),
            id);
  CommandFlags sensitive = flags;
  sensitive.classification = "sensitive";
  EXPECT_NE(BuildCommand(Verb("assign-rating"), args, sensitive)
                ->assign_rating()
                .request_id(),
            id);
  CommandFlags dated = flags;
  dated.occurred_at = "2024-06-01";
  EXPECT_NE(BuildCommand(Verb("assign-rating"), args, dated)
                ->assign_rating()
                .request_id(),
            id);
  // The same fields in another order are the same command.
  EXPECT_EQ(BuildCommand(Verb("assign-rating"),
                         {"rating=red", "number=3", "review_id=r"}, flags)
                ->assign_rating()
                .request_id(),
            id);
}

TEST(CommandVerbsTest, HelpListsEveryFieldOfTheFact) {
  for (const CommandVerb& verb : CommandVerbs()) {
    const std::string help = FieldHelp(verb);
    const google::protobuf::Descriptor& fact =
        *verb.line_field->message_type()->FindFieldByNumber(4)->message_type();
    for (int i = 0; i < fact.field_count(); ++i) {
      EXPECT_THAT(help, HasSubstr("  " + fact.field(i)->name()))
          << verb.name << " does not list " << fact.field(i)->name();
    }
    EXPECT_FALSE(verb.example_args.empty()) << verb.name;
  }
  const std::string rating = FieldHelp(Verb("assign-rating"));
  EXPECT_THAT(rating, HasSubstr("one of: red, amber, green"));
  EXPECT_THAT(rating, HasSubstr("rationale.cy= Welsh"));
  EXPECT_THAT(FieldHelp(Verb("submit-progress-update")),
              HasSubstr("bullets:=[{text: {en, cy}, sub_bullets: [{en, cy}]}"));
  EXPECT_THAT(FieldHelp(Verb("open-review")), HasSubstr("full_report.url"));
}

TEST(CommandVerbsTest, ShellWordsAreWhatTheShellGivesBack) {
  const std::vector<std::string> words = {
      "plain",      "two words", "it's", "a\"quote",
      "$HOME",      "x=`y`",     "Siân", R"(themes:=[{"id": "t"}])",
      "back\\slash"};
  std::string output;
  ASSERT_EQ(
      testing::RunShell(absl::StrCat("printf '%s\\n' ", ShellWords(words, 30)),
                        &output),
      0);
  std::vector<std::string> lines = absl::StrSplit(output, '\n');
  lines.pop_back();  // after the last newline
  EXPECT_EQ(lines, words);
  EXPECT_EQ(ShellWords({"a", "b c"}), "a 'b c'");
}

// Every verb's example, in table order, against a real server loaded with
// the worked example: the story they tell is recorded, and running it
// again records nothing.
class CommandVerbsEndToEndTest : public testing::CliServerTest {
 protected:
  std::string Cli(const std::string& address) {
    return absl::StrCat(OVERSIGHT_CLI_PATH, " --server=", address);
  }
  std::string ExampleCommand(const std::string& address,
                             const CommandVerb& verb) {
    std::vector<std::string> words = verb.example_flags;
    words.push_back(verb.name);
    words.insert(words.end(), verb.example_args.begin(),
                 verb.example_args.end());
    return absl::StrCat(Cli(address), " ", ShellWords(words));
  }
};

TEST_F(CommandVerbsEndToEndTest, EveryExampleRecordsItsFactOnceAndInOrder) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << testing::ReadFile(log_path_);
  std::string output;
  ASSERT_EQ(testing::RunShell(absl::StrCat(Cli(address), " import --quiet ",
                                           OVERSIGHT_EXAMPLE_PATH),
                              &output),
            0)
      << output;
  for (const CommandVerb& verb : CommandVerbs()) {
    EXPECT_EQ(testing::RunShell(ExampleCommand(address, verb), &output), 0)
        << verb.name << ": " << output;
    EXPECT_THAT(output, StartsWith("recorded at position ")) << verb.name;
    EXPECT_THAT(output, HasSubstr("request id cli-")) << verb.name;
  }
  // Again: the derived request ids are recognised; nothing is written.
  ASSERT_EQ(testing::RunShell(Cli(address) + " --role=auditor head", &output),
            0);
  const std::string head = output;
  for (const CommandVerb& verb : CommandVerbs()) {
    EXPECT_EQ(testing::RunShell(ExampleCommand(address, verb), &output), 0)
        << verb.name << ": " << output;
    EXPECT_THAT(output, StartsWith("already recorded at position "))
        << verb.name;
    EXPECT_THAT(output, HasSubstr("(seen before: nothing written)"));
  }
  ASSERT_EQ(testing::RunShell(Cli(address) + " --role=auditor head", &output),
            0);
  EXPECT_EQ(output, head);

  // The story is on the board: recommendation 1 was rated Amber for
  // 2026-06, and is open again.
  ASSERT_EQ(testing::RunShell(
                Cli(address) +
                    " --role=auditor status dyfed-powys-domestic-abuse-2026",
                &output),
            0)
      << output;
  EXPECT_THAT(output, HasSubstr("Amber 2026-06"));
  // --output=json is the CommandResult.
  ASSERT_EQ(
      testing::RunShell(
          Cli(address) +
              " --agency=dyfed-powys-police --role=force --output=json "
              "raise-risk review_id=dyfed-powys-domestic-abuse-2026 "
              "risk_id=data-sharing category=data related_recommendations=1 "
              "'description=The data-sharing agreement lapses in March.' "
              "--classification=official",
          &output),
      0)
      << output;
  EXPECT_THAT(output, HasSubstr("\"stream\":\"review-"));
  EXPECT_THAT(output, HasSubstr("\"entity_id\":\"data-sharing\""));
  EXPECT_THAT(output, Not(HasSubstr("deduplicated")));
}

TEST_F(CommandVerbsEndToEndTest, RefusalsAndMistakesExitWithTheirCodes) {
  const std::string address = StartServer("127.0.0.1:0");
  ASSERT_FALSE(address.empty()) << testing::ReadFile(log_path_);
  std::string output;
  // The server refuses: one line with the code and the reason, exit 1.
  EXPECT_EQ(testing::RunShell(
                Cli(address) +
                    " --agency=dyfed-powys-police --role=force assign-rating "
                    "review_id=nowhere number=1 period=2026-06 rating=red "
                    "rationale=x --classification=official",
                &output),
            1);
  EXPECT_THAT(output, StartsWith("error: PERMISSION_DENIED ("));
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
  // The role may not call it at all.
  EXPECT_EQ(
      testing::RunShell(Cli(address) + " --agency=x --role=panel raise-risk "
                                       "review_id=r risk_id=k "
                                       "--classification=official",
                        &output),
      1);
  EXPECT_THAT(output, HasSubstr("PERMISSION_DENIED (ROLE_NOT_ALLOWED)"));
  // A mistake in the arguments: exit 2, nothing sent.
  EXPECT_EQ(
      testing::RunShell(Cli(address) + " --role=force assign-rating numbr=1 "
                                       "--classification=official",
                        &output),
      2);
  EXPECT_THAT(output, HasSubstr("assign-rating: no field \"numbr\""));
  // Help for each, with its fields and an example.
  for (const CommandVerb& verb : CommandVerbs()) {
    EXPECT_EQ(
        testing::RunShell(absl::StrCat(OVERSIGHT_CLI_PATH, " help ", verb.name),
                          &output),
        0);
    EXPECT_THAT(output, HasSubstr("Example:\n  oversight ")) << verb.name;
    EXPECT_EQ(testing::RunShell(
                  absl::StrCat(OVERSIGHT_CLI_PATH, " ", verb.name, " --help"),
                  &output),
              0);
    EXPECT_THAT(output, HasSubstr("Fields of ")) << verb.name;
  }
  StopServer();
  // No server: exit 3.
  EXPECT_EQ(testing::RunShell(
                Cli(address) +
                    " --timeout_seconds=2 --role=force raise-risk review_id=r "
                    "risk_id=k --classification=official",
                &output),
            3)
      << output;
}

}  // namespace
}  // namespace oversight::cli
