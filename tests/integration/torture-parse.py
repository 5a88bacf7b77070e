#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn one smbtorture run's output into result lines.

usage: torture-parse.py SUITE LOGFILE KNOWN_FAILURES EXIT_STATUS

smbtorture prints a subunit-like stream: "test: NAME", then
"success: NAME", "failure: NAME [", "error: NAME [", "skip: NAME [",
"xfail: NAME [" or "uxsuccess: NAME", where a "[" opens a reason that ends
with a line "]".  NAME is relative to SUITE; the full name is
SUITE.NAME, except when the suite is a single test of the same name
(smb2.connect prints "connect").

KNOWN_FAILURES has one full test name per line, then an optional
"# why"; blank and comment lines are ignored.

Prints one line per test: "PASS|FAIL|SKIP NAME[ (why)]", then a last line
"SUMMARY pass fail xfail skip" for the suite.  A test that started but
never ended (crash, timeout) is a failure (or a known failure).  A run
that exited non-zero without any failure reported gets a FAIL line named
after the suite.
"""
import re
import sys

RESULT = re.compile(
    r"^(success|successful|failure|fail|error|skip|xfail|uxsuccess): (.*?)( \[)?$")


def load_known(path):
    known = {}
    try:
        with open(path) as fh:
            for line in fh:
                body, _, why = line.partition("#")
                name = body.strip()
                if name:
                    known[name] = why.strip() or "listed"
    except FileNotFoundError:
        pass
    return known


def parse(log):
    """Returns [(name, outcome, reason)] in order, and the started-only names."""
    results = []
    started = []
    reason_for = None
    reason = []
    with open(log, errors="replace") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if reason_for is not None:
                if line == "]":
                    results[reason_for] = (results[reason_for][0],
                                           results[reason_for][1],
                                           " ".join(reason).strip())
                    reason_for = None
                    reason = []
                elif len(reason) < 3 and line.strip():
                    reason.append(line.strip())
                continue
            if line.startswith("test: "):
                started.append(line[6:].strip())
                continue
            m = RESULT.match(line)
            if not m:
                continue
            outcome = {"successful": "success", "fail": "failure"}.get(
                m.group(1), m.group(1))
            name = m.group(2).strip()
            results.append((name, outcome, ""))
            if m.group(3):
                reason_for = len(results) - 1
            # smbtorture may announce a test twice ("test: x" in the
            # tcase and in the test); one result settles both.
            started = [n for n in started if n != name]
    return results, started


def full_name(suite, name, single):
    last = suite.rsplit(".", 1)[-1]
    if single and name == last:
        return suite
    return suite + "." + name


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    suite, log, known_path, exit_status = argv[1], argv[2], argv[3], int(argv[4])
    known = load_known(known_path)
    results, unfinished = parse(log)
    for name in unfinished:
        why = "no result: smbtorture crashed or timed out (exit %d)" % exit_status
        results.append((name, "error", why))
    names = {n for n, _, _ in results}
    single = len(names) == 1
    counts = {"pass": 0, "fail": 0, "xfail": 0, "skip": 0}
    out = []
    for name, outcome, reason in results:
        full = full_name(suite, name, single)
        short = reason[:160]
        if outcome in ("success", "uxsuccess"):
            counts["pass"] += 1
            if full in known:
                out.append("PASS %s (known failure now passes: remove it from "
                           "torture-known-failures.txt)" % full)
            else:
                out.append("PASS %s" % full)
        elif outcome == "skip":
            counts["skip"] += 1
            out.append("SKIP %s (smbtorture skipped%s)" %
                       (full, ": " + short if short else ""))
        elif full in known or outcome == "xfail":
            counts["xfail"] += 1
            out.append("SKIP %s (known failure: %s)" %
                       (full, known.get(full, "xfail")))
        else:
            counts["fail"] += 1
            out.append("FAIL %s (%s%s)" %
                       (full, outcome, ": " + short if short else ""))
    if exit_status != 0 and counts["fail"] == 0 and counts["xfail"] == 0:
        if suite in known:
            counts["xfail"] += 1
            out.append("SKIP %s (known failure: %s)" % (suite, known[suite]))
        else:
            counts["fail"] += 1
            out.append("FAIL %s (smbtorture exit %d%s)" %
                       (suite, exit_status,
                        "" if results else ", no test ran"))
    for line in out:
        print(line)
    print("SUMMARY %d %d %d %d" %
          (counts["pass"], counts["fail"], counts["xfail"], counts["skip"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
