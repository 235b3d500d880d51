#!/usr/bin/python3
"""A partner agency's program against Oversight, over mutual TLS.

With its own client certificate (docs/security.md: the certificate's URI
name says the agency and the role, here partner), it

1. submits a quarterly report on one of its programmes
   (Commands.SubmitPartnerReport) with a request id, so that running it
   again is safe: the server recognises the id and answers with the
   original position, writing nothing;
2. reads its partner view (Queries.GetPartnerView), waiting until the view
   includes the report (min_position);
3. follows the events about the agency from where the last run stopped,
   kept in a small state file, and saves where it got to. A partner may not
   call EventStore.Subscribe (raw records: auditors and the operator only),
   so it follows its own agency's history with Queries.FollowHistory, from
   the saved position: what was recorded since, then, with --follow, each
   new event as it is recorded, on the same stream.

Usage (docs/integration.md):

    PYTHONPATH=build/clients/python /usr/bin/python3 clients/python/partner_example.py \\
        --server=127.0.0.1:50051 --cert=certs/paladin.pem \\
        --key=certs/paladin.key --ca=certs/ca.pem

--server, --cert, --key and --ca default to $OVERSIGHT_SERVER,
$OVERSIGHT_CERT, $OVERSIGHT_KEY and $OVERSIGHT_CA. Without --report it
submits a sample report of the Paladin ISAC pilot for --quarter.

Every line it prints starts with a fixed word (connected, report, view,
programme, figures, contributes, following, event, caught-up, waiting);
errors go to stderr as one line, "error: CODE (REASON): message".
Exit codes: 0 ok, 1 refused by the server, 2 usage, 3 server unreachable.
"""

import argparse
import contextlib
import json
import os
import sys

import oversight_client as oc
from google.protobuf import json_format

DEFAULT_PROGRAMME = "paladin-isac-pilot"
DEFAULT_QUARTER = "2025-Q1"


def sample_report(programme, quarter):
    """The report of one quarter of the Paladin ISAC pilot, as a partner's
    own system would produce it (figures are running totals or counts of
    the quarter alone, each with the label readers see)."""
    return {
        "programme_id": programme,
        "report_id": "{}-{}".format(programme, quarter),
        "quarter": quarter,
        "figures": [
            {"key": "isacs_appointed", "value": 2, "cumulative": True,
             "label": {"en": "Independent Stalking Advocacy Caseworkers appointed"}},
            {"key": "victims_supported", "value": 21, "cumulative": True,
             "label": {"en": "Victims of stalking supported since the pilot began"}},
            {"key": "training_sessions_held", "value": 3, "cumulative": True,
             "label": {"en": "Training sessions held for professionals"}},
            {"key": "referrals_received", "value": 8, "cumulative": False,
             "label": {"en": "Referrals received in the quarter"}},
        ],
        "narrative": [
            {"en": "The third training session for professionals was held in March."},
        ],
    }


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(
        description="Submit a partner's quarterly report, read its partner "
                    "view and follow its events (docs/integration.md).")
    parser.add_argument("--server", default=env("OVERSIGHT_SERVER", "127.0.0.1:50051"),
                        help="host:port of oversightd ($OVERSIGHT_SERVER)")
    parser.add_argument("--cert", default=env("OVERSIGHT_CERT"),
                        help="the agency's client certificate, PEM ($OVERSIGHT_CERT)")
    parser.add_argument("--key", default=env("OVERSIGHT_KEY"),
                        help="its private key, PEM ($OVERSIGHT_KEY)")
    parser.add_argument("--ca", default=env("OVERSIGHT_CA"),
                        help="the CA that signed the server's certificate ($OVERSIGHT_CA)")
    parser.add_argument("--agency",
                        help="the agency whose view to read and events to follow "
                             "(default: the certificate's agency)")
    parser.add_argument("--actor", default=env("OVERSIGHT_ACTOR"),
                        help="the person acting (oversight-actor); default: the "
                             "certificate's common name")
    parser.add_argument("--programme", default=DEFAULT_PROGRAMME)
    parser.add_argument("--quarter", default=DEFAULT_QUARTER,
                        help="YYYY-Qn of the sample report (default %(default)s)")
    parser.add_argument("--report", metavar="FILE",
                        help="the report to submit instead of the sample: an "
                             "oversight.v1.PartnerReportSubmitted in protobuf's "
                             "JSON mapping")
    parser.add_argument("--request-id",
                        help="default: PROGRAMME-QUARTER-report, lowercase; keep it "
                             "when retrying")
    parser.add_argument("--state-file", default="partner-example.state.json",
                        help="where the last position followed is kept "
                             "(default %(default)s)")
    parser.add_argument("--follow", action="store_true",
                        help="after catching up, keep the stream open and "
                             "print new events as they are recorded (Ctrl-C "
                             "stops)")
    parser.add_argument("--stop-after", type=int, default=0, metavar="N",
                        help="with --follow: stop once N new events have been "
                             "printed after catching up (0: never)")
    parser.add_argument("--timeout-seconds", type=float,
                        default=oc.DEFAULT_TIMEOUT_SECONDS,
                        help="deadline of each call")
    args = parser.parse_args(argv)
    for name in ("cert", "key", "ca"):
        if not getattr(args, name):
            parser.error("--{0} is required (or $OVERSIGHT_{1})".format(
                name, name.upper()))
    return args


def load_report(args):
    """The PartnerReportSubmitted to send."""
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            data = json.load(f)
    else:
        data = sample_report(args.programme, args.quarter)
    report = oc.domain_pb2.PartnerReportSubmitted()
    json_format.ParseDict(data, report)
    return report


def load_state(path, agency):
    """The position the last run followed to (0: none yet)."""
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except FileNotFoundError:
        return 0
    if state.get("agency") != agency:
        raise ValueError("state file {} is for agency {!r}, not {!r}".format(
            path, state.get("agency"), agency))
    return int(state["position"])


def save_state(path, agency, position):
    """Writes the state file whole or not at all (a new file, renamed)."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump({"agency": agency, "position": position}, f)
        f.write("\n")
    os.replace(temporary, path)


def submit(client, report, request_id):
    request = oc.commands_pb2.SubmitPartnerReportRequest(
        request_id=request_id,
        classification=oc.domain_pb2.CLASSIFICATION_OFFICIAL)
    request.report.CopyFrom(report)
    result = client.call(client.commands.SubmitPartnerReport, request).result
    if result.deduplicated:
        print("report {}: already recorded at position {} (request id {}); "
              "nothing written".format(result.entity_id, result.position,
                                       request_id))
    else:
        print("report {}: submitted at position {} (request id {})".format(
            result.entity_id, result.position, request_id))
    print("report {}: programme {} quarter {} stream {} revision {}".format(
        result.entity_id, report.programme_id, report.quarter, result.stream,
        result.revision))
    return result.position


def show_partner_view(client, agency, min_position):
    view = client.call(
        client.queries.GetPartnerView,
        oc.queries_pb2.GetPartnerViewRequest(agency_id=agency,
                                             min_position=min_position))
    print("view {} ({}) as at position {}, {} withheld".format(
        view.agency_id, view.name.en, view.reflects.position,
        view.reflects.withheld))
    for programme in view.programmes:
        print("programme {}: {} quarter(s) reported, review {}".format(
            programme.programme_id, len(programme.quarters), programme.review_id))
        for quarter in programme.quarters:
            figures = ", ".join(
                "{}={}{}".format(f.key, f.value,
                                 " (running total)" if f.cumulative else "")
                for f in quarter.figures)
            print("figures {} {} at position {}: {}".format(
                programme.programme_id, quarter.quarter, quarter.position,
                figures or "none"))
    for c in view.contributions:
        print("contributes {} recommendation {}: {}, {}".format(
            c.review_id, c.number, "owner" if c.owner else "contributor",
            "closed" if c.closed else "open"))


def print_event(entry):
    if entry.withheld:
        print("event {} withheld (OFFICIAL-SENSITIVE) recorded by {}".format(
            entry.position, entry.event.actor.agency_id or "-"))
        return
    actor = entry.event.actor
    print("event {} {} {} by {}/{} occurred {}".format(
        entry.position, entry.event_type, entry.stream, actor.agency_id,
        actor.person, entry.event.occurred_at.ToJsonString()))


def follow(client, args, agency):
    """Queries.FollowHistory of `agency` after the saved position: the
    history since, then (with --follow) what is recorded next. Every
    message says how far the follow has read (caught_up_to), events of the
    agency or not, and that is saved, so the next run resumes there."""
    after = load_state(args.state_file, agency)
    print("following {} after position {} (state file {})".format(
        agency, after, args.state_file))
    request = oc.queries_pb2.FollowHistoryRequest(agency_id=agency,
                                                  after_position=after)
    # Catching up has the call's deadline; a follow kept open has none.
    timeout = None if args.follow else args.timeout_seconds
    live = False
    caught_up = 0  # events printed while catching up
    printed = 0    # events printed live
    with contextlib.closing(client.follow_history(request, timeout)) as stream:
        for message in stream:
            for entry in message.entries:
                print_event(entry)
            position = message.caught_up_to
            save_state(args.state_file, agency, position)
            if not live:
                caught_up += len(message.entries)
                if message.entries:
                    continue
                # The first message without entries: the history is done.
                print("caught-up at position {}: {} new event(s); the next run "
                      "resumes after {}".format(position, caught_up, position),
                      flush=True)
                if not args.follow:
                    return
                live = True
                print("waiting for position {} (following live)".format(
                    position + 1), flush=True)
                continue
            if message.entries:
                printed += len(message.entries)
                print("caught-up at position {}: {} new event(s)".format(
                    position, len(message.entries)), flush=True)
                if args.stop_after and printed >= args.stop_after:
                    return
    raise oc.OversightError("UNAVAILABLE", None,
                            "the server ended the follow")


def main(argv):
    args = parse_args(argv)
    identity = oc.agency_of_certificate(args.cert)
    agency = args.agency or (identity[0] if identity else None)
    if not agency:
        print("error: cannot read the agency from {}; give --agency".format(
            args.cert), file=sys.stderr)
        return 2
    try:
        report = load_report(args)
        request_id = args.request_id or "{}-{}-report".format(
            report.programme_id, report.quarter).lower()
        with oc.connect(args.server, args.cert, args.key, args.ca,
                        timeout=args.timeout_seconds, actor=args.actor) as client:
            print("connected to {} as {} ({})".format(
                args.server, identity[0] if identity else agency,
                identity[1] if identity else "role unknown"))
            position = submit(client, report, request_id)
            show_partner_view(client, agency, position)
            follow(client, args, agency)
    except oc.OversightError as error:
        print("error: {}".format(error), file=sys.stderr)
        return error.exit_code
    except (OSError, ValueError, json_format.ParseError) as error:
        print("error: {}".format(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
