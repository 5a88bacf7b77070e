#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""metadata.py DIR N SECONDS

Metadata benchmark on a mounted share: create N empty files in DIR (a new
directory), stat each, delete each.  Each phase stops after N files or
SECONDS, whichever comes first; the next phase works on the files the
previous one got to.  Prints one JSON object:
{"create": ops/s, "stat": ops/s, "delete": ops/s, "files": n, ...}.
Whatever is left is removed afterwards (untimed, bounded by 120 s).
"""
import json
import os
import sys
import time


def phase(names, op, limit):
    t0 = time.monotonic()
    done = 0
    for name in names:
        op(name)
        done += 1
        if time.monotonic() - t0 >= limit:
            break
    secs = max(time.monotonic() - t0, 1e-6)
    return done, secs


def create(name):
    os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))


def main():
    d, n, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    os.mkdir(d)
    names = [os.path.join(d, f"m{i:05d}") for i in range(n)]
    out = {}
    made, secs = phase(names, create, limit)
    out.update(create=made / secs, files=made, create_s=secs)
    names = names[:made]
    statted, secs = phase(names, os.stat, limit)
    out.update(stat=statted / secs, stat_files=statted, stat_s=secs)
    deleted, secs = phase(names, os.unlink, limit)
    out.update(delete=deleted / secs, delete_files=deleted, delete_s=secs)
    t0 = time.monotonic()
    for name in names[deleted:]:
        if time.monotonic() - t0 > 120:
            break
        os.unlink(name)
    os.rmdir(d)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
