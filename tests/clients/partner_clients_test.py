#!/usr/bin/python3
"""The partner examples, clients/python/partner_example.py and
clients/node/partner_example.js, against a real oversightd with mutual TLS.

    partner_clients_test.py --language=python|node --oversightd=PATH \\
        --cli=PATH --python-generated=BUILD/clients/python

For one language: fresh certificates (scripts/certs.sh), a fresh server
(oversight_testbed.py, shared by both languages), the worked example loaded
with the importer's certificate; then the example as Paladin, a partner:

1. first run: its report is submitted at the next position, the partner
   view shows the new figures, and it follows Paladin's history from the
   start, saving where it stopped;
2. the OPCC registers another programme of Paladin's (a fact naming
   Paladin, so in its history);
3. second run: the request id is recognised (already recorded, same
   position, nothing written), and it follows from the saved position: that
   one new event and nothing before it;
4. errors, each one line with the status code and reason: the same request
   id with other figures (ALREADY_EXISTS / REQUEST_ID_REUSED), another
   agency's view (PERMISSION_DENIED / NOT_OWN_AGENCY);
5. --follow: it keeps its Queries.FollowHistory stream open after catching
   up, prints an event recorded while it waits, then stops
   (--stop-after=1);
6. (python) the client library's Subscribe: refused to a partner
   (PERMISSION_DENIED / ROLE_NOT_ALLOWED), delivered to an auditor from a
   position on.

Exits 0 when every check passed, 1 otherwise; never skips: a missing
prerequisite (node, node_modules, the generated Python code) is a failure
that says what to do. Every wait is bounded, and the server is always
stopped.
"""

import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import oversight_testbed  # noqa: E402  pylint: disable=wrong-import-position

RUN_TIMEOUT_SECONDS = 120
PROGRAMME = "paladin-isac-pilot"
REPORT_ID = "paladin-isac-pilot-2025-Q1"
REQUEST_ID = "paladin-isac-pilot-2025-q1-report"
NEW_FIGURES = ("isacs_appointed=2 (running total), victims_supported=21 "
               "(running total), training_sessions_held=3 (running total), "
               "referrals_received=8")
# Paladin's certificate's common name: the person of what it records.
PALADIN_CN = "Paladin National Stalking Advocacy Service"


class Failure(Exception):
    pass


def check(condition, what, output=""):
    if not condition:
        raise Failure(what + ("\n--- output ---\n" + output if output else ""))


def programme_line(programme_id, name, request_id):
    """One import line: the OPCC registers a programme Paladin runs."""
    return json.dumps({
        "agency": "dyfed-powys-opcc", "actor": "partner-clients-test",
        "register_programme": {
            "request_id": request_id,
            "classification": "CLASSIFICATION_OFFICIAL",
            "programme": {
                "programme_id": programme_id, "name": {"en": name},
                "owning_agency_id": "paladin",
                "review_id": "dyfed-powys-stalking-2023",
                "related_recommendations": [4], "started_on": "2025-04-01"}}})


class Example:
    """Runs one language's partner example as Paladin."""

    def __init__(self, language, bed, generated):
        self.language = language
        self.bed = bed
        self.state_file = os.path.join(bed.dir, "partner-state.json")
        self.env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        if language == "python":
            self.command = [sys.executable,
                            os.path.join(SOURCE_DIR, "clients", "python",
                                         "partner_example.py")]
            self.env["PYTHONPATH"] = generated
        else:
            self.command = [shutil.which("node"),
                            os.path.join(SOURCE_DIR, "clients", "node",
                                         "partner_example.js")]
        cert, key = bed.cert("paladin")
        self.flags = ["--server=" + bed.address, "--cert=" + cert,
                      "--key=" + key, "--ca=" + bed.ca,
                      "--state-file=" + self.state_file]

    def argv(self, extra):
        return self.command + self.flags + list(extra)

    def run(self, *extra):
        run = subprocess.run(self.argv(extra), env=self.env, cwd=self.bed.dir,
                             capture_output=True, text=True,
                             timeout=RUN_TIMEOUT_SECONDS, check=False)
        return run.returncode, run.stdout, run.stderr

    def state(self):
        with open(self.state_file, encoding="utf-8") as f:
            return json.load(f)


def events_of(stdout):
    """[(position, rest of line)] of the `event` lines, in order."""
    return [(int(m.group(1)), m.group(2))
            for m in re.finditer(r"^event ([0-9]+) (.*)$", stdout, re.M)]


def caught_up(stdout):
    match = re.search(r"^caught-up at position ([0-9]+): ([0-9]+) new event\(s\)",
                      stdout, re.M)
    check(match is not None, "no caught-up line", stdout)
    return int(match.group(1)), int(match.group(2))


def first_and_second_run(example, bed, head):
    # 1. First run.
    code, out, err = example.run()
    check(code == 0, "first run exited {}".format(code), out + err)
    check(re.search(r"^connected to {} as paladin \(partner\)$".format(
        re.escape(bed.address)), out, re.M), "no connected line", out)
    match = re.search(r"^report {}: submitted at position ([0-9]+) \(request id {}\)$"
                      .format(REPORT_ID, REQUEST_ID), out, re.M)
    check(match, "the report was not submitted", out + err)
    position = int(match.group(1))
    check(position == head + 1,
          "report at {}, not at the position after the example's head {}".format(
              position, head), out)
    check("report {}: programme {} quarter 2025-Q1 stream programme-{} revision "
          .format(REPORT_ID, PROGRAMME, PROGRAMME) in out, "no stream line", out)
    # The partner view, read after the write, holds the new figures and the
    # example's own quarter.
    check(re.search(r"^view paladin \(Paladin National Stalking Advocacy Service\) "
                    r"as at position ([0-9]+), 0 withheld$", out, re.M),
          "no view line", out)
    check("figures {} 2025-Q1 at position {}: {}\n".format(
        PROGRAMME, position, NEW_FIGURES) in out,
          "the partner view lacks the new figures", out)
    check(re.search(r"^figures {} 2024-Q4 at position [0-9]+: isacs_appointed=2 "
                    r"\(running total\), victims_supported=13".format(PROGRAMME),
                    out, re.M), "the partner view lacks the example's 2024-Q4", out)
    check("programme {}: 2 quarter(s) reported, review dyfed-powys-stalking-2023"
          .format(PROGRAMME) in out, "no programme line", out)
    # Following from the start: Paladin's whole history, in order, ending
    # with the report just submitted.
    check("following paladin after position 0 (state file {})".format(
        example.state_file) in out, "did not follow from the start", out)
    events = events_of(out)
    positions = [p for p, _ in events]
    check(positions == sorted(set(positions)) and positions,
          "events not in log order", out)
    check(any("oversight.v1.AgencyRegistered agencies by dyfed-powys-opcc/"
              "import:january-2025-report" in rest for _, rest in events),
          "Paladin's registration not followed", out)
    check(any("oversight.v1.PartnerReportSubmitted programme-{} by paladin/"
              "import:january-2025-report".format(PROGRAMME) in rest
              for _, rest in events), "the example's report not followed", out)
    check(events[-1][0] == position and events[-1][1].startswith(
        "oversight.v1.PartnerReportSubmitted programme-{} by paladin/{} "
        "occurred ".format(PROGRAMME, PALADIN_CN)),
          "the last event followed is not the report submitted", out)
    saved, count = caught_up(out)
    check(count == len(events), "caught-up counts {} events, printed {}".format(
        count, len(events)), out)
    check(saved >= position, "saved position {} before the report {}".format(
        saved, position), out)
    check(example.state() == {"agency": "paladin", "position": saved},
          "state file holds {}".format(example.state()), out)

    # 2. Something new about Paladin, recorded by the OPCC.
    line_file = os.path.join(bed.dir, "new-programme.jsonl")
    with open(line_file, "w", encoding="utf-8") as f:
        f.write(programme_line("paladin-champion-training",
                               "Stalking Champion training", "partner-test-programme-1")
                + "\n")
    applied, new_position = bed.import_file(line_file)
    check(applied == 1 and new_position > saved,
          "the new programme was not recorded after {}".format(saved))

    # 3. Second run: recognised, resumed.
    code, out, err = example.run()
    check(code == 0, "second run exited {}".format(code), out + err)
    check("report {}: already recorded at position {} (request id {}); nothing "
          "written".format(REPORT_ID, position, REQUEST_ID) in out,
          "the request id was not recognised", out)
    check("figures {} 2025-Q1 at position {}: {}\n".format(
        PROGRAMME, position, NEW_FIGURES) in out,
          "the partner view lacks the figures on the second run", out)
    check("following paladin after position {} (state file".format(saved) in out,
          "did not resume from the saved position {}".format(saved), out)
    events = events_of(out)
    check(len(events) == 1 and events[0][0] == new_position and
          events[0][1].startswith("oversight.v1.ProgrammeRegistered "
                                  "programme-paladin-champion-training by "
                                  "dyfed-powys-opcc/partner-clients-test "),
          "second run followed {} instead of the one new event at {}".format(
              events, new_position), out)
    resaved, count = caught_up(out)
    check(count == 1 and resaved >= new_position, "caught-up line wrong", out)
    check(example.state() == {"agency": "paladin", "position": resaved},
          "state file holds {}".format(example.state()), out)
    return position, resaved


def errors(example, bed):
    # The same request id with other figures.
    other = os.path.join(bed.dir, "other-report.json")
    with open(other, "w", encoding="utf-8") as f:
        json.dump({"programme_id": PROGRAMME, "report_id": REPORT_ID,
                   "quarter": "2025-Q1",
                   "figures": [{"key": "victims_supported", "value": 22,
                                "cumulative": True,
                                "label": {"en": "Victims supported"}}]}, f)
    before = example.state()
    code, out, err = example.run("--report=" + other)
    check(code == 1, "a reused request id exited {}".format(code), out + err)
    check(re.search(r"^error: ALREADY_EXISTS \(REQUEST_ID_REUSED\): \S", err, re.M)
          and len(err.strip().splitlines()) == 1,
          "no one-line REQUEST_ID_REUSED error", out + err)
    check("following" not in out and example.state() == before,
          "a refused run followed or moved the state", out)
    # Another agency's partner view.
    code, out, err = example.run("--agency=welsh-womens-aid")
    check(code == 1, "another agency's view exited {}".format(code), out + err)
    check(re.search(r"^error: PERMISSION_DENIED \(NOT_OWN_AGENCY\): \S", err, re.M),
          "no one-line NOT_OWN_AGENCY error", out + err)
    # A server that is not there: UNAVAILABLE, no reason, exit 3.
    unreachable = example.argv(["--server=127.0.0.1:1", "--timeout-seconds=5"])
    run = subprocess.run([a for a in unreachable if not a.startswith("--server=" + bed.address)],
                         env=example.env, cwd=bed.dir, capture_output=True,
                         text=True, timeout=RUN_TIMEOUT_SECONDS, check=False)
    check(run.returncode == 3 and re.search(r"^error: UNAVAILABLE: ", run.stderr, re.M),
          "an unreachable server exited {}".format(run.returncode),
          run.stdout + run.stderr)


def live_follow(example, bed, saved):
    """--follow: waits after catching up and prints what is recorded then."""
    stderr_path = os.path.join(bed.dir, "follow.stderr")
    stderr = open(stderr_path, "w", encoding="utf-8")
    process = subprocess.Popen(
        example.argv(["--follow", "--stop-after=1"]),
        env=example.env, cwd=bed.dir, stdout=subprocess.PIPE, stderr=stderr,
        text=True)

    def errors_said():
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    lines = queue.Queue()

    def read():
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    out = []
    try:
        # Until it says it waits (or ends).
        while True:
            try:
                line = lines.get(timeout=RUN_TIMEOUT_SECONDS)
            except queue.Empty:
                raise Failure("--follow said nothing for {} s:\n{}".format(
                    RUN_TIMEOUT_SECONDS, "".join(out))) from None
            if line is None:
                process.wait(timeout=RUN_TIMEOUT_SECONDS)
                raise Failure("--follow ended before waiting: {}\n{}".format(
                    errors_said(), "".join(out)))
            out.append(line)
            if line.startswith("waiting for position "):
                break
        check("following paladin after position {} ".format(saved) in "".join(out)
              and not events_of("".join(out)),
              "--follow did not resume from {} with nothing new".format(saved),
              "".join(out))
        with open(os.path.join(bed.dir, "live.jsonl"), "w", encoding="utf-8") as f:
            f.write(programme_line("paladin-helpline", "Stalking helpline",
                                   "partner-test-programme-2") + "\n")
        _, live_position = bed.import_file(f.name)
        try:
            code = process.wait(timeout=RUN_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise Failure("--follow did not stop within {} s of the event at {}:\n{}"
                          .format(RUN_TIMEOUT_SECONDS, live_position,
                                  "".join(out) + errors_said())) from None
        reader.join(timeout=RUN_TIMEOUT_SECONDS)
        while True:
            line = lines.get_nowait() if not lines.empty() else None
            if line is None:
                break
            out.append(line)
        text = "".join(out)
        check(code == 0, "--follow exited {}: {}".format(code, errors_said()), text)
        events = events_of(text)
        check([p for p, _ in events] == [live_position] and
              events[0][1].startswith("oversight.v1.ProgrammeRegistered "
                                      "programme-paladin-helpline "),
              "--follow printed {} instead of the event at {}".format(
                  events, live_position), text)
        check(example.state()["position"] >= live_position,
              "--follow did not save its position", text)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=RUN_TIMEOUT_SECONDS)
        stderr.close()


def library_subscribe(bed, generated, position):
    """The Python library's Subscribe: a partner is refused, an auditor
    gets the events from the position asked for."""
    sys.path.insert(0, generated)
    sys.path.insert(0, os.path.join(SOURCE_DIR, "clients", "python"))
    import oversight_client as oc  # pylint: disable=import-outside-toplevel
    cert, key = bed.cert("paladin")
    with oc.connect(bed.address, cert, key, bed.ca) as client:
        try:
            next(iter(client.subscribe(from_position=1)))
            raise Failure("a partner's Subscribe was not refused")
        except oc.OversightError as error:
            check(error.code == "PERMISSION_DENIED" and
                  error.reason == "ROLE_NOT_ALLOWED",
                  "a partner's Subscribe: {}".format(error))
    cert, key = bed.cert("hmicfrs")
    with oc.connect(bed.address, cert, key, bed.ca) as client:
        received = []
        for response in client.subscribe(from_position=position):
            if response.HasField("caught_up"):
                break
            received.append(response.event.position)
            check(len(received) < 1000, "Subscribe did not catch up")
        check(received and received[0] == position and
              received == list(range(position, position + len(received))),
              "an auditor's Subscribe from {} delivered {}".format(position, received))


def prerequisites(language, generated):
    if language == "python":
        try:
            import grpc  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        except ImportError:
            raise Failure("{} cannot import grpc: install Debian's python3-grpcio "
                          "(bash scripts/install-deps.sh)".format(sys.executable)) from None
        check(os.path.isfile(os.path.join(generated, "oversight", "v1",
                                          "commands_pb2_grpc.py")),
              "no generated Python code in {}: build the target "
              "oversight_python_client".format(generated))
    else:
        check(shutil.which("node") is not None,
              "node is not installed (bash scripts/install-deps.sh)")
        check(os.path.isdir(os.path.join(SOURCE_DIR, "clients", "node",
                                         "node_modules", "@grpc", "grpc-js")),
              "clients/node/node_modules is missing: run "
              "`npm ci --prefix clients/node`")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", choices=("python", "node"), required=True)
    parser.add_argument("--oversightd", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--python-generated", required=True)
    args = parser.parse_args()
    # The examples run in the test's directory.
    args.python_generated = os.path.abspath(args.python_generated)
    args.oversightd = os.path.abspath(args.oversightd)
    args.cli = os.path.abspath(args.cli)
    try:
        prerequisites(args.language, args.python_generated)
        with oversight_testbed.Testbed(args.oversightd, args.cli, SOURCE_DIR) as bed:
            head = bed.load_example()
            example = Example(args.language, bed, args.python_generated)
            position, saved = first_and_second_run(example, bed, head)
            errors(example, bed)
            live_follow(example, bed, saved)
            if args.language == "python":
                library_subscribe(bed, args.python_generated, position)
    except (Failure, oversight_testbed.TestbedError) as failure:
        print("FAILED ({}): {}".format(args.language, failure))
        return 1
    print("PASSED ({}): the partner example submitted, was recognised on the "
          "second run, read its view and followed from its saved position".format(
              args.language))
    return 0


if __name__ == "__main__":
    sys.exit(main())
