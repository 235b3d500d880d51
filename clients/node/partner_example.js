#!/usr/bin/env node
'use strict';
// A partner agency's program against Oversight, over mutual TLS: the Node
// twin of clients/python/partner_example.py, printing the same lines.
//
// With its own client certificate (docs/security.md: the certificate's URI
// name says the agency and the role, here partner), it
//
// 1. submits a quarterly report on one of its programmes
//    (Commands.SubmitPartnerReport) with a request id, so that running it
//    again is safe: the server recognises the id and answers with the
//    original position, writing nothing;
// 2. reads its partner view (Queries.GetPartnerView), waiting until the
//    view includes the report (min_position);
// 3. follows the events about the agency from where the last run stopped,
//    kept in a small state file, and saves where it got to. A partner may
//    not call EventStore.Subscribe (raw records: auditors and the operator
//    only), so it follows its own agency's history with
//    Queries.FollowHistory, from the saved position: what was recorded
//    since, then, with --follow, each new event as it is recorded, on the
//    same stream.
//
// Usage (docs/integration.md), after `npm ci --prefix clients/node`:
//
//   node clients/node/partner_example.js --server=127.0.0.1:50051 \
//     --cert=certs/paladin.pem --key=certs/paladin.key --ca=certs/ca.pem
//
// --server, --cert, --key and --ca default to $OVERSIGHT_SERVER,
// $OVERSIGHT_CERT, $OVERSIGHT_KEY and $OVERSIGHT_CA. Exit codes: 0 ok, 1
// refused by the server, 2 usage, 3 server unreachable. Errors go to
// stderr as one line, "error: CODE (REASON): message".

const fs = require('fs');
const util = require('util');
const oc = require('./oversight_client');

const DEFAULT_PROGRAMME = 'paladin-isac-pilot';
const DEFAULT_QUARTER = '2025-Q1';

const USAGE = `usage: partner_example.js [--server=HOST:PORT] --cert=FILE --key=FILE --ca=FILE
    [--agency=ID] [--actor=NAME] [--programme=ID] [--quarter=YYYY-Qn] [--report=FILE]
    [--request-id=ID] [--state-file=FILE] [--follow [--stop-after=N]]
    [--timeout-seconds=S]

Submit a partner's quarterly report, read its partner view and follow its
events (docs/integration.md). --server, --cert, --key, --ca default to
$OVERSIGHT_SERVER (else 127.0.0.1:50051), $OVERSIGHT_CERT, $OVERSIGHT_KEY,
$OVERSIGHT_CA; --actor to $OVERSIGHT_ACTOR. --report FILE: an
oversight.v1.PartnerReportSubmitted in protobuf's JSON mapping instead of the
sample. --request-id: default PROGRAMME-QUARTER-report, lowercase.
--state-file: default partner-example.state.json.`;

class UsageError extends Error {}

// The report of one quarter of the Paladin ISAC pilot, as a partner's own
// system would produce it.
function sampleReport(programme, quarter) {
  return {
    programme_id: programme,
    report_id: `${programme}-${quarter}`,
    quarter,
    figures: [
      {key: 'isacs_appointed', value: 2, cumulative: true,
        label: {en: 'Independent Stalking Advocacy Caseworkers appointed'}},
      {key: 'victims_supported', value: 21, cumulative: true,
        label: {en: 'Victims of stalking supported since the pilot began'}},
      {key: 'training_sessions_held', value: 3, cumulative: true,
        label: {en: 'Training sessions held for professionals'}},
      {key: 'referrals_received', value: 8, cumulative: false,
        label: {en: 'Referrals received in the quarter'}},
    ],
    narrative: [{en: 'The third training session for professionals was held in March.'}],
  };
}

function parseArguments(argv) {
  let parsed;
  try {
    parsed = util.parseArgs({
      args: argv,
      options: {
        'server': {type: 'string', default: process.env.OVERSIGHT_SERVER || '127.0.0.1:50051'},
        'cert': {type: 'string', default: process.env.OVERSIGHT_CERT || ''},
        'key': {type: 'string', default: process.env.OVERSIGHT_KEY || ''},
        'ca': {type: 'string', default: process.env.OVERSIGHT_CA || ''},
        'agency': {type: 'string'},
        'actor': {type: 'string', default: process.env.OVERSIGHT_ACTOR || ''},
        'programme': {type: 'string', default: DEFAULT_PROGRAMME},
        'quarter': {type: 'string', default: DEFAULT_QUARTER},
        'report': {type: 'string'},
        'request-id': {type: 'string'},
        'state-file': {type: 'string', default: 'partner-example.state.json'},
        'follow': {type: 'boolean', default: false},
        'stop-after': {type: 'string', default: '0'},
        'timeout-seconds': {type: 'string', default: String(oc.DEFAULT_TIMEOUT_SECONDS)},
        'help': {type: 'boolean', short: 'h', default: false},
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const args = parsed.values;
  if (args.help) {
    console.log(USAGE);
    process.exit(0);
  }
  for (const name of ['cert', 'key', 'ca']) {
    if (!args[name]) throw new UsageError(`--${name} is required (or $OVERSIGHT_${name.toUpperCase()})`);
  }
  for (const name of ['stop-after', 'timeout-seconds']) {
    const value = Number(args[name]);
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${name}: not a number: ${args[name]}`);
    args[name] = value;
  }
  return args;
}

function loadReport(args) {
  if (!args.report) return sampleReport(args.programme, args.quarter);
  return JSON.parse(fs.readFileSync(args.report, 'utf8'));
}

// The position the last run followed to (0n: none yet).
function loadState(file, agency) {
  let state;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return 0n;
    throw error;
  }
  if (state.agency !== agency) {
    throw new UsageError(`state file ${file} is for agency '${state.agency}', not '${agency}'`);
  }
  return BigInt(state.position);
}

// Writes the state file whole or not at all (a new file, renamed).
function saveState(file, agency, position) {
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify({agency, position: Number(position)})}\n`);
  fs.renameSync(temporary, file);
}

async function submit(client, report, requestId) {
  const {result} = await client.call('commands', 'SubmitPartnerReport', {
    request_id: requestId,
    classification: 'CLASSIFICATION_OFFICIAL',
    report,
  });
  if (result.deduplicated) {
    console.log(`report ${result.entity_id}: already recorded at position ${result.position} ` +
        `(request id ${requestId}); nothing written`);
  } else {
    console.log(`report ${result.entity_id}: submitted at position ${result.position} ` +
        `(request id ${requestId})`);
  }
  console.log(`report ${result.entity_id}: programme ${report.programme_id} quarter ` +
      `${report.quarter} stream ${result.stream} revision ${result.revision}`);
  return result.position;
}

async function showPartnerView(client, agency, minPosition) {
  const view = await client.call('queries', 'GetPartnerView',
      {agency_id: agency, min_position: minPosition});
  console.log(`view ${view.agency_id} (${view.name ? view.name.en : ''}) as at position ` +
      `${view.reflects.position}, ${view.reflects.withheld} withheld`);
  for (const programme of view.programmes) {
    console.log(`programme ${programme.programme_id}: ${programme.quarters.length} ` +
        `quarter(s) reported, review ${programme.review_id}`);
    for (const quarter of programme.quarters) {
      const figures = quarter.figures.map(
          (f) => `${f.key}=${f.value}${f.cumulative ? ' (running total)' : ''}`).join(', ');
      console.log(`figures ${programme.programme_id} ${quarter.quarter} at position ` +
          `${quarter.position}: ${figures || 'none'}`);
    }
  }
  for (const c of view.contributions) {
    console.log(`contributes ${c.review_id} recommendation ${c.number}: ` +
        `${c.owner ? 'owner' : 'contributor'}, ${c.closed ? 'closed' : 'open'}`);
  }
}

function printEvent(entry) {
  const actor = (entry.event && entry.event.actor) || {};
  if (entry.withheld) {
    console.log(`event ${entry.position} withheld (OFFICIAL-SENSITIVE) recorded by ` +
        `${actor.agency_id || '-'}`);
    return;
  }
  console.log(`event ${entry.position} ${entry.event_type} ${entry.stream} by ` +
      `${actor.agency_id}/${actor.person} occurred ${oc.timestampToString(entry.event.occurred_at)}`);
}

// Queries.FollowHistory of `agency` after the saved position: the history
// since, then (with --follow) what is recorded next. Every message says how
// far the follow has read (caught_up_to), events of the agency or not, and
// that is saved, so the next run resumes there.
async function follow(client, args, agency) {
  const after = loadState(args['state-file'], agency);
  console.log(`following ${agency} after position ${after} (state file ${args['state-file']})`);
  const request = {agency_id: agency, after_position: String(after)};
  // Catching up has the call's deadline; a follow kept open has none.
  const timeoutSeconds = args.follow ? undefined : args['timeout-seconds'];
  let live = false;
  let caughtUp = 0;  // events printed while catching up
  let printed = 0;   // events printed live
  for await (const message of client.followHistory(request, {timeoutSeconds})) {
    message.entries.forEach(printEvent);
    const position = BigInt(message.caught_up_to);
    saveState(args['state-file'], agency, position);
    if (!live) {
      caughtUp += message.entries.length;
      if (message.entries.length > 0) continue;
      // The first message without entries: the history is done.
      console.log(`caught-up at position ${position}: ${caughtUp} new event(s); ` +
          `the next run resumes after ${position}`);
      if (!args.follow) return;
      live = true;
      console.log(`waiting for position ${position + 1n} (following live)`);
      continue;
    }
    if (message.entries.length > 0) {
      printed += message.entries.length;
      console.log(`caught-up at position ${position}: ${message.entries.length} new event(s)`);
      if (args['stop-after'] > 0 && printed >= args['stop-after']) return;
    }
  }
  throw new oc.OversightError('UNAVAILABLE', null, 'the server ended the follow');
}

async function main(argv) {
  let client = null;
  try {
    const args = parseArguments(argv);
    const identity = oc.agencyOfCertificate(args.cert);
    const agency = args.agency || (identity && identity.agency);
    if (!agency) throw new UsageError(`cannot read the agency from ${args.cert}; give --agency`);
    const report = loadReport(args);
    const requestId = args['request-id'] ||
        `${report.programme_id}-${report.quarter}-report`.toLowerCase();
    client = oc.connect({server: args.server, cert: args.cert, key: args.key, ca: args.ca,
      timeoutSeconds: args['timeout-seconds'], actor: args.actor || undefined});
    console.log(`connected to ${args.server} as ${identity ? identity.agency : agency} ` +
        `(${identity ? identity.role : 'role unknown'})`);
    const position = await submit(client, report, requestId);
    await showPartnerView(client, agency, position);
    await follow(client, args, agency);
    return 0;
  } catch (error) {
    if (error instanceof oc.OversightError) {
      console.error(`error: ${error.message}`);
      return error.exitCode;
    }
    // Usage, a file that cannot be read, a report that is not JSON.
    if (error instanceof UsageError || error instanceof SyntaxError || error.code) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;  // a bug: the stack, and exit code 1
  } finally {
    if (client) client.close();
  }
}

process.on('SIGINT', () => process.exit(0));
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
