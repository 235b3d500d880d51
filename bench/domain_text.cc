#include "bench/domain_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace oversight::bench {

const std::vector<Area>& Areas() {
  static const auto* areas = new std::vector<Area>{
      {"avon-and-somerset", "Avon and Somerset", ""},
      {"bedfordshire", "Bedfordshire", ""},
      {"cambridgeshire", "Cambridgeshire", ""},
      {"cheshire", "Cheshire", ""},
      {"city-of-london", "City of London", ""},
      {"cleveland", "Cleveland", ""},
      {"cumbria", "Cumbria", ""},
      {"derbyshire", "Derbyshire", ""},
      {"devon-and-cornwall", "Devon and Cornwall", ""},
      {"dorset", "Dorset", ""},
      {"durham", "Durham", ""},
      {"dyfed-powys", "Dyfed-Powys", "Dyfed-Powys"},
      {"essex", "Essex", ""},
      {"gloucestershire", "Gloucestershire", ""},
      {"greater-manchester", "Greater Manchester", ""},
      {"gwent", "Gwent", "Gwent"},
      {"hampshire", "Hampshire", ""},
      {"hertfordshire", "Hertfordshire", ""},
      {"humberside", "Humberside", ""},
      {"kent", "Kent", ""},
      {"lancashire", "Lancashire", ""},
      {"leicestershire", "Leicestershire", ""},
      {"lincolnshire", "Lincolnshire", ""},
      {"merseyside", "Merseyside", ""},
      {"metropolitan", "Metropolitan", ""},
      {"norfolk", "Norfolk", ""},
      {"north-wales", "North Wales", "Gogledd Cymru"},
      {"north-yorkshire", "North Yorkshire", ""},
      {"northamptonshire", "Northamptonshire", ""},
      {"northumbria", "Northumbria", ""},
      {"nottinghamshire", "Nottinghamshire", ""},
      {"south-wales", "South Wales", "De Cymru"},
      {"south-yorkshire", "South Yorkshire", ""},
      {"staffordshire", "Staffordshire", ""},
      {"suffolk", "Suffolk", ""},
      {"surrey", "Surrey", ""},
      {"sussex", "Sussex", ""},
      {"thames-valley", "Thames Valley", ""},
      {"warwickshire", "Warwickshire", ""},
      {"west-mercia", "West Mercia", ""},
      {"west-midlands", "West Midlands", ""},
      {"west-yorkshire", "West Yorkshire", ""},
      {"wiltshire", "Wiltshire", ""},
  };
  return *areas;
}

const std::vector<NamedAgency>& NationalPartners() {
  static const auto* v = new std::vector<NamedAgency>{
      {"paladin", "Paladin National Stalking Advocacy Service", ""},
      {"welsh-womens-aid", "Welsh Women's Aid", "Cymorth i Fenywod Cymru"},
      {"suzy-lamplugh-trust", "Suzy Lamplugh Trust", ""},
      {"victim-support", "Victim Support", "Cymorth i Ddioddefwyr"},
      {"refuge", "Refuge", ""},
      {"safelives", "SafeLives", ""},
      {"respect", "Respect", ""},
      {"the-survivors-trust", "The Survivors Trust", ""},
      {"probation-service", "The Probation Service", "Y Gwasanaeth Prawf"},
      {"crown-prosecution-service", "Crown Prosecution Service",
       "Gwasanaeth Erlyn y Goron"},
      {"mind", "Mind, the mental health charity", ""},
      {"nspcc", "NSPCC", ""},
  };
  return *v;
}

const std::vector<NamedAgency>& Auditors() {
  static const auto* v = new std::vector<NamedAgency>{
      {"hmicfrs",
       "His Majesty's Inspectorate of Constabulary and Fire & Rescue Services",
       ""},
      {"iopc", "Independent Office for Police Conduct",
       "Swyddfa Annibynnol Ymddygiad yr Heddlu"},
      {"tiaa-internal-audit", "TIAA, internal auditors to police bodies", ""},
  };
  return *v;
}

const std::vector<std::pair<std::string, std::string>>& LocalPartnerKinds() {
  static const auto* v = new std::vector<std::pair<std::string, std::string>>{
      {"domestic-abuse-service", "{area} Domestic Abuse Service"},
      {"victim-care-hub", "{area} Victim Care Hub"},
      {"community-safety-partnership", "{area} Community Safety Partnership"},
  };
  return *v;
}

const std::vector<Topic>& Topics() {
  static const auto* v = new std::vector<Topic>{
      {"stalking",
       "manages perpetrators of stalking and harassment",
       "stalking and harassment",
       {{"resourcing", "Resourcing"},
        {"training", "Training"},
        {"data", "Data"},
        {"perpetrator-interventions", "Perpetrator Interventions"},
        {"perpetrator-monitoring", "Perpetrator Monitoring"},
        {"victims", "Victims"}},
       {"Public Protection Unit", "Stalking Clinic", "Offender Management Unit",
        "Civil Orders team"}},
      {"domestic-abuse",
       "responds to domestic abuse, from first call to outcome",
       "domestic abuse",
       {{"call-handling", "Call Handling"},
        {"risk-assessment", "Risk Assessment"},
        {"safeguarding", "Safeguarding"},
        {"investigation", "Investigation"},
        {"partnership", "Partnership Working"},
        {"victims", "Victims"}},
       {"Domestic Abuse Unit", "Multi-Agency Safeguarding Hub",
        "Secondary Risk Assessment Unit", "Force Control Room"}},
      {"custody",
       "keeps detainees safe in custody",
       "custody",
       {{"detainee-welfare", "Detainee Welfare"},
        {"healthcare", "Healthcare"},
        {"appropriate-adults", "Appropriate Adults"},
        {"estate", "Custody Estate"},
        {"governance", "Governance"}},
       {"Criminal Justice Department", "Custody Inspectors",
        "Healthcare provider", "Independent Custody Visiting scheme"}},
      {"stop-and-search",
       "uses stop and search fairly and effectively",
       "stop and search",
       {{"grounds", "Reasonable Grounds"},
        {"body-worn-video", "Body-Worn Video"},
        {"disproportionality", "Disproportionality"},
        {"community-scrutiny", "Community Scrutiny"},
        {"training", "Training"}},
       {"Operational Support Department", "Professional Standards Department",
        "Stop and Search Scrutiny Panel", "Neighbourhood Policing Teams"}},
      {"rape-investigation",
       "investigates rape and serious sexual offences",
       "rape and serious sexual offences",
       {{"victim-engagement", "Victim Engagement"},
        {"suspect-focus", "Suspect Focus"},
        {"disclosure", "Disclosure"},
        {"specialist-workforce", "Specialist Workforce"},
        {"data", "Data"},
        {"partnership", "Partnership with the CPS"}},
       {"Rape and Serious Sexual Offences team", "Op Soteria Bluestone team",
        "Sexual Assault Referral Centre", "Digital Forensics Unit"}},
      {"missing-persons",
       "responds to reports of missing people",
       "missing persons",
       {{"risk-grading", "Risk Grading"},
        {"return-interviews", "Return Interviews"},
        {"children-in-care", "Children in Care"},
        {"partnership", "Partnership Working"},
        {"data", "Data"}},
       {"Missing Persons Co-ordinators", "Force Control Room",
        "Child Exploitation team", "Local Policing Area command"}},
      {"hate-crime",
       "records, investigates and prevents hate crime",
       "hate crime",
       {{"recording", "Recording"},
        {"investigation", "Investigation Quality"},
        {"victims", "Victim Care"},
        {"community-engagement", "Community Engagement"},
        {"training", "Training"}},
       {"Hate Crime Unit", "Community Cohesion team", "Crime Standards team",
        "Neighbourhood Policing Teams"}},
      {"call-handling",
       "answers and grades calls for service",
       "call handling",
       {{"answer-times", "Answer Times"},
        {"thrive", "THRIVE Assessment"},
        {"vulnerability", "Vulnerability"},
        {"workforce", "Workforce"},
        {"technology", "Technology"}},
       {"Force Control Room", "Resolution Centre", "Contact Management team",
        "Demand Management team"}},
      {"complaints",
       "handles public complaints and learns from them",
       "police complaints",
       {{"timeliness", "Timeliness"},
        {"communication", "Communication with Complainants"},
        {"learning", "Organisational Learning"},
        {"reviews", "Reviews"},
        {"data", "Data"}},
       {"Professional Standards Department", "Complaint Resolution Unit",
        "Organisational Learning Board", "Complaint Review team"}},
      {"child-exploitation",
       "identifies and protects children at risk of exploitation",
       "child exploitation",
       {{"identification", "Identification"},
        {"disruption", "Disruption"},
        {"safeguarding", "Safeguarding"},
        {"partnership", "Partnership Working"},
        {"training", "Training"},
        {"data", "Data"}},
       {"Child Exploitation team", "Multi-Agency Safeguarding Hub",
        "Missing Persons Co-ordinators", "Serious Organised Crime Unit"}},
      {"mental-health",
       "responds to people in mental health crisis",
       "mental health",
       {{"right-care-right-person", "Right Care, Right Person"},
        {"section-136", "Section 136 Detentions"},
        {"street-triage", "Street Triage"},
        {"training", "Training"},
        {"partnership", "Partnership with Health"}},
       {"Mental Health Liaison team", "Force Control Room",
        "Street Triage service", "Local Policing Area command"}},
      {"out-of-court-disposals",
       "uses out of court disposals",
       "out of court disposals",
       {{"decision-making", "Decision Making"},
        {"conditions", "Conditions and Interventions"},
        {"scrutiny", "Scrutiny"},
        {"victims", "Victims' Views"},
        {"data", "Data"}},
       {"Criminal Justice Department", "Out of Court Disposals Scrutiny Panel",
        "Diversion Scheme", "Youth Offending Service liaison"}},
      {"vetting",
       "vets officers and staff and manages the risks it finds",
       "vetting",
       {{"capacity", "Vetting Capacity"},
        {"aftercare", "Aftercare"},
        {"counter-corruption", "Counter Corruption"},
        {"data", "Data"},
        {"governance", "Governance"}},
       {"Force Vetting Unit", "Counter Corruption Unit",
        "Professional Standards Department", "People Services"}},
      {"serious-violence",
       "works with partners to prevent serious violence",
       "serious violence",
       {{"prevention", "Prevention"},
        {"hotspots", "Hotspot Policing"},
        {"young-people", "Young People"},
        {"partnership", "Violence Reduction Partnership"},
        {"data", "Data"}},
       {"Violence Reduction Unit", "Proactive Crime team",
        "Youth Engagement Officers", "Community Safety Partnership"}},
  };
  return *v;
}

std::string MonthName(int year, int month) {
  static const char* kMonths[] = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return absl::StrCat(kMonths[(month - 1) % 12], " ", year);
}

std::string Fill(absl::string_view pattern, const TextContext& c, Rng& rng) {
  return absl::StrReplaceAll(
      pattern, {{"{force}", c.force},
                {"{opcc}", c.opcc},
                {"{area}", c.area},
                {"{topic}", c.topic},
                {"{team}", c.team},
                {"{partner}", c.partner},
                {"{month}", c.month},
                {"{next_month}", c.next_month},
                {"{n}", absl::StrCat(c.number)},
                {"{m}", absl::StrCat(c.other_number)},
                {"{count}", absl::StrCat(rng.Uniform(3, 140))},
                {"{percent}", absl::StrCat(rng.Uniform(12, 96))}});
}

namespace {

using Bank = std::vector<std::string>;

const Bank& Templates(TextKind kind) {
  static const auto* recommendation = new Bank{
      "{force} should identify longer-term, sustainable funding for the "
      "posts that support its work on {topic}, so that the progress made "
      "under short-term grants is not lost.",
      "Within 12 months, {force} should review the impact of its refreshed "
      "training on {topic}, taking into account victim feedback, outcomes "
      "and reoffending data.",
      "{force} should make sure that every officer who deals with {topic} "
      "records the risk assessment, the interventions considered and the "
      "reasons for the decision taken.",
      "{force} should develop a performance dashboard for {topic}, so that "
      "supervisors and the {opcc} can see trends, outcomes and repeat cases "
      "at a glance.",
      "{force} should work with partners to agree a single referral pathway "
      "for {topic}, with clear responsibilities and timescales for each "
      "agency.",
      "The {team} should carry out regular dip samples of cases involving "
      "{topic} and share what it learns with frontline supervisors.",
      "{force} should make sure that victims of {topic} are kept informed "
      "at every stage, in line with the Victims' Code, and that compliance "
      "is monitored.",
      "{force} should consider how people with lived experience of {topic} "
      "can help shape training and the way services are delivered.",
      "The {opcc} should commission a review of the support available to "
      "victims of {topic} across the area, and use it to target future "
      "funding.",
      "{force} should review how it uses ancillary and civil orders in cases "
      "of {topic}, and how breaches are identified and acted upon.",
      "{force} should make sure that its policy on {topic} reflects current "
      "College of Policing guidance and is understood by the officers who "
      "apply it.",
      "{force} should set out how it will measure the effectiveness of its "
      "response to {topic}, and report on it to the {opcc} twice a year.",
      "The {team} should be resourced to meet demand, and {force} should "
      "review its capacity once the new operating model has bedded in.",
      "{force} should improve the quality of the data it holds on {topic}, "
      "including the protected characteristics of the people involved.",
      "{force} should agree with the Crown Prosecution Service how cases of "
      "{topic} will be reviewed jointly when they do not proceed to "
      "charge.",
      "{force} should make sure that supervisors review every high-risk case "
      "of {topic} within 24 hours and record their review.",
  };
  static const auto* bullet = new Bank{
      "Funding for the post is confirmed until {next_month}, and longer-term "
      "funding is being sought through the Force's Planning and Assurance "
      "Cycle.",
      "The {team} led a training day on {topic} in {month}, attended by "
      "{count} officers and staff; feedback was positive and will inform "
      "the next round of inputs.",
      "A formal evaluation of the training is to be completed by "
      "{next_month}; its findings will be shared with the {opcc}.",
      "{force} has written an options paper for the Assistant Chief "
      "Constable setting out how the {team} could be expanded to meet "
      "rising demand.",
      "A Vulnerability Analyst has been recruited and is reviewing the data "
      "available on {topic}, to enrich what performance boards consider.",
      "The interim process, a Power BI dashboard that identifies repeat "
      "cases, is still in place while the permanent solution is developed.",
      "Senior officers now check at the Daily Management Meeting whether "
      "risk assessments and interventions have been considered, and hold "
      "supervisors to account where they have not.",
      "Single Points of Contact have been set up in each Local Policing "
      "Area; they work with the {team} to review cases and advise officers.",
      "{force} is working with {partner} to agree a referral pathway; a "
      "draft protocol was discussed at the partnership board in {month}.",
      "Work continues on a new contact management platform that will help "
      "monitor compliance with the Victims' Code, in particular for victims "
      "of {topic}.",
      "A dip sample of {count} cases found that {percent}% had a recorded "
      "risk assessment; the results have been fed back to supervisors and "
      "the sample will be repeated in {next_month}.",
      "The policy on {topic} has been rewritten to reflect the latest "
      "College of Policing guidance and was published on the intranet in "
      "{month}.",
      "Chief Officers rejected the business case for additional posts for "
      "financial reasons; it will be reconsidered as part of the Force-wide "
      "review of the operating model.",
      "The {team} has started a weekly review of open cases involving "
      "{topic}, chaired by a Detective Inspector, to make sure nothing is "
      "missed.",
      "{partner} delivered a session to {count} frontline officers on the "
      "impact of {topic} on victims, drawing on case studies from its "
      "caseworkers.",
      "A request has gone to the Service Improvement Unit for help in "
      "developing the data on {topic} and making it visible through "
      "dashboards; the outcome of its prioritisation meeting is awaited.",
      "The Detective Superintendent for Protecting Vulnerable People keeps "
      "the Survivor Advisory Panel informed of this work and uses the group "
      "to shape and review the processes.",
      "From {next_month} a pilot role dedicated to this work is being "
      "created for six months; the post holder will contact victims to ask "
      "for their views and keep them informed.",
      "There is no funding for the proposed process at present; it will be "
      "included in the departmental plan for next year to seek support.",
      "Internal data shows a clear rise in the number of cases of {topic} "
      "in which protective orders were considered, from {count} in the "
      "previous year.",
      "All officers will complete mandatory training on {topic} by "
      "{next_month}, including the College of Policing module and an input "
      "from {partner}.",
      "The {opcc} has seen the minutes of the governance board, which show "
      "that progress on this recommendation is reviewed every month.",
      "A new standalone occurrence is now created on the police system for "
      "each application, which makes monitoring applications and breaches "
      "more efficient.",
      "{force} sees several products in the national operating model that "
      "would benefit its response to {topic}, and is considering how to "
      "adopt them:",
  };
  static const auto* sub_bullet = new Bank{
      "a victim information guide written for victims of {topic};",
      "a yearly problem profile, giving a better understanding of {topic} "
      "and supporting prevention opportunities;",
      "a toolkit for disrupting offenders, to be considered for use by the "
      "{team};",
      "a victim engagement officer role, which the Force review team is "
      "considering for future models;",
      "joint case reviews with {partner}, starting in {next_month};",
      "better use of early advice from the Crown Prosecution Service.",
  };
  static const auto* red = new Bank{
      "No progress has been made since the last report: the funding needed "
      "has not been identified and no alternative has been proposed.",
      "The Force has not yet started this work; the {opcc} will ask for a "
      "plan with timescales at the next accountability board.",
      "The update describes intentions but no action taken; the {opcc} "
      "expects to see evidence of progress by {next_month}.",
  };
  static const auto* amber = new Bank{
      "Some progress has been made, but more is required: the pilot is "
      "under way and its evaluation is awaited.",
      "The Force has taken the first steps, and the {opcc} will look for "
      "evidence of their impact in the next reporting period.",
      "Progress has been made on training, but the data needed to show its "
      "effect on outcomes for victims of {topic} is not yet available.",
      "Work is in hand but depends on funding that has not yet been "
      "confirmed; the rating will be reviewed in {next_month}.",
  };
  static const auto* green = new Bank{
      "The recommendation is complete: the {opcc} has seen the evidence and "
      "is satisfied that the new process is embedded.",
      "Marked complete (Green) in the {month} progress report, presented to "
      "the Police and Crime Panel.",
      "Complete: the policy has been published, training delivered and a "
      "dip sample confirms that the process is being followed.",
  };
  static const auto* monitoring = new Bank{
      "The {opcc} will request an update on the dashboard's development "
      "before the next reporting period.",
      "The {opcc} will attend a meeting of the {team} to observe how cases "
      "of {topic} are reviewed.",
      "The {opcc}'s Quality Assurance Panel will review a sample of cases of "
      "{topic} and the accompanying body-worn video.",
      "The {opcc} will ask to see the evaluation of the training once it is "
      "complete.",
      "The {opcc} will review the data on {topic} presented to the "
      "performance board and raise any questions with the Force.",
      "The {opcc} will ask {partner} for its view of how the referral "
      "pathway is working in practice.",
  };
  static const auto* outcome = new Bank{
      "Update received; it confirms the progress reported and the {opcc} "
      "has no further questions at this stage.",
      "The {opcc} attended the meeting and saw cases reviewed thoroughly; "
      "findings are recorded as a meeting observation.",
      "The evaluation was received and shared with the Police and Crime "
      "Panel; it will inform the next rating.",
      "The data was reviewed; the {opcc} asked for a breakdown by Local "
      "Policing Area, which the Force has agreed to provide.",
  };
  static const auto* finding = new Bank{
      "Panel members viewed {count} body-worn video recordings; in most of "
      "them officers explained the options available to the victim "
      "clearly.",
      "In one of the records reviewed, the risk assessment had not been "
      "updated after a further incident was reported.",
      "Supervisors were seen to challenge decisions and to set clear "
      "actions with deadlines.",
      "Members found that referrals to {partner} were made promptly in "
      "every case sampled.",
      "The meeting considered {count} cases; the interventions discussed "
      "were proportionate and recorded.",
      "Some records did not show whether the victim had been told of the "
      "outcome; the Force agreed to remind officers of the requirement.",
  };
  static const auto* risk_funding = new Bank{
      "Funding for the posts that support this work is confirmed only until "
      "{next_month}; long-term funding has not been secured.",
      "The pilot depends on a grant that ends in {next_month} and there is "
      "no agreed exit strategy.",
  };
  static const auto* risk_capacity = new Bank{
      "Vacancies in the {team} mean that reviews are falling behind and the "
      "backlog is growing.",
      "The demand on the {team} has risen faster than its establishment, "
      "and the work on this recommendation competes with live cases.",
  };
  static const auto* risk_dependency = new Bank{
      "Progress depends on the Service Improvement Unit rebuilding the "
      "prioritisation tool, which is scheduled according to risk.",
      "Progress depends on {partner} agreeing the revised protocol, which "
      "is awaiting its board's approval.",
  };
  static const auto* risk_data = new Bank{
      "The data needed to show progress on {topic} is held in several "
      "systems that do not share identifiers, so figures must be compiled "
      "by hand.",
  };
  static const auto* risk_other = new Bank{
      "A change of national guidance on {topic} is expected, which may "
      "require the new process to be revised before it is embedded.",
  };
  static const auto* resolution = new Bank{
      "Funding was confirmed in the budget for the coming year; the risk no "
      "longer applies.",
      "The posts have been filled and the backlog cleared.",
      "The dependency has been delivered and the work is back on track.",
      "The revised guidance has been published and the process updated to "
      "match it.",
  };
  static const auto* xref_note = new Bank{
      "The work under recommendation {m} provides the data this "
      "recommendation needs.",
      "Progress on this recommendation is also reported through the Force's "
      "action plan.",
      "The same improvement is tracked as an area for improvement by the "
      "inspectorate.",
  };
  static const auto* conclusion = new Bank{
      "The {opcc} welcomes the progress reported in this period, in "
      "particular the training delivered and the new governance "
      "arrangements.",
      "Several recommendations depend on funding that has not yet been "
      "secured; the {opcc} will continue to raise this with the Chief "
      "Constable at the accountability board.",
      "The {opcc} will continue to monitor the remaining recommendations and "
      "will report to the Police and Crime Panel again in {next_month}.",
      "Of the recommendations made, a number are now complete; the rest "
      "show some progress, and the {opcc} has asked for clear timescales "
      "for each.",
  };
  static const auto* closure = new Bank{
      "The {opcc} is satisfied that the recommendation has been implemented "
      "and the new process is embedded.",
      "Evidence of completion was presented to the accountability board and "
      "accepted by the Commissioner.",
  };
  static const auto* reopening = new Bank{
      "A dip sample showed that the process is no longer being followed "
      "consistently; further work is needed.",
      "New national guidance requires the process to be revised, so the "
      "recommendation is reopened.",
  };
  static const auto* correction_reason = new Bank{
      "The figures given were for the wrong quarter; corrected at the "
      "Force's request.",
      "A bullet described a plan as complete when it had only been "
      "approved.",
      "Typing errors corrected and a missing bullet added.",
  };
  static const auto* withdrawal_reason = new Bank{
      "Submitted against the wrong recommendation in error.",
      "Duplicate of an update already submitted for this period.",
  };
  static const auto* narrative = new Bank{
      "In this quarter the caseworker supported {count} victims, received "
      "referrals from every Local Policing Area and delivered training to "
      "frontline officers.",
      "Demand continues to exceed capacity; a waiting list was introduced in "
      "{month} and cases are prioritised by risk.",
      "Feedback from victims supported this quarter was overwhelmingly "
      "positive; several said the advocacy made them feel safer.",
      "Joint working with the {team} has improved, with caseworkers now "
      "invited to the weekly case review meeting.",
  };
  static const auto* programme_name = new Bank{
      "{partner} Independent Advocacy Caseworker pilot in {area}",
      "{partner} training programme for {area} professionals",
      "{partner} early intervention service in {area}",
      "{partner} victim support service for {topic} in {area}",
  };
  switch (kind) {
    case TextKind::kRecommendation:
      return *recommendation;
    case TextKind::kUpdateBullet:
      return *bullet;
    case TextKind::kSubBullet:
      return *sub_bullet;
    case TextKind::kRatingRed:
      return *red;
    case TextKind::kRatingAmber:
      return *amber;
    case TextKind::kRatingGreen:
      return *green;
    case TextKind::kMonitoring:
      return *monitoring;
    case TextKind::kMonitoringOutcome:
      return *outcome;
    case TextKind::kMeetingFinding:
      return *finding;
    case TextKind::kRiskFunding:
      return *risk_funding;
    case TextKind::kRiskCapacity:
      return *risk_capacity;
    case TextKind::kRiskDependency:
      return *risk_dependency;
    case TextKind::kRiskData:
      return *risk_data;
    case TextKind::kRiskOther:
      return *risk_other;
    case TextKind::kRiskResolution:
      return *resolution;
    case TextKind::kCrossReferenceNote:
      return *xref_note;
    case TextKind::kConclusion:
      return *conclusion;
    case TextKind::kClosure:
      return *closure;
    case TextKind::kReopening:
      return *reopening;
    case TextKind::kCorrectionReason:
      return *correction_reason;
    case TextKind::kWithdrawalReason:
      return *withdrawal_reason;
    case TextKind::kNarrative:
      return *narrative;
    case TextKind::kProgrammeName:
      return *programme_name;
  }
  return *recommendation;
}

}  // namespace

std::string Sentence(TextKind kind, const TextContext& c, Rng& rng) {
  return Fill(rng.Pick(Templates(kind)), c, rng);
}

std::string PersonName(Rng& rng) {
  static const std::vector<std::string> first = {
      "sian",  "gareth", "rhian", "owain",  "emma", "james", "aisha",
      "david", "sarah",  "tom",   "priya",  "mark", "helen", "dylan",
      "ffion", "rachel", "ahmed", "claire", "ben",  "nia"};
  static const std::vector<std::string> last = {
      "morgan",  "jones",  "evans",  "williams", "davies", "thomas",
      "roberts", "hughes", "lewis",  "patel",    "khan",   "smith",
      "taylor",  "brown",  "walker", "wright",   "price",  "howells"};
  return absl::StrCat(rng.Pick(first), ".", rng.Pick(last));
}

}  // namespace oversight::bench
