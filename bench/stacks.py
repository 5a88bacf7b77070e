#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""stacks.py RW STAT0 STAT1 BACKTRACES FIO_JSON

Summarise a poor man's profile of smbdirectd (bench/guest.sh,
profile_rdma): per-thread user/system CPU seconds between two snapshots
of /proc/PID/task/*/stat, and, from repeated gdb "thread apply all bt"
samples, how often each function is on the stack of a thread that is not
parked waiting (epoll/futex/poll/completion-channel reads), innermost
frame ("self") and anywhere on the stack ("inclusive").
"""
import collections
import json
import re
import sys

# Parts of the innermost frame's name of a thread that is waiting, not
# working.
WAITS = ("epoll_wait", "epoll_pwait", "futex", "cond_wait", "cond_timedwait",
         "poll", "nanosleep", "accept", "sigwait", "select", "get_cq_event",
         "get_cm_event", "libc_read")
FRAME = re.compile(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+) \(")


def thread_cpu(path):
    out = {}
    with open(path) as f:
        for line in f:
            head, rest = line.rsplit(") ", 1)
            tid, comm = head.split(" (", 1)
            fields = rest.split()
            out[int(tid)] = (comm, int(fields[11]), int(fields[12]))
    return out


def samples(path):
    """Yield each thread's list of function names, innermost first."""
    cur = None
    with open(path) as f:
        for line in f:
            if line.startswith("Thread "):
                if cur:
                    yield cur
                cur = []
            elif line.startswith("==="):
                if cur:
                    yield cur
                cur = None
            elif cur is not None:
                m = FRAME.match(line)
                if m:
                    cur.append(m.group(2))
    if cur:
        yield cur


def main():
    rw, s0, s1, bt, fio = sys.argv[1:6]
    try:
        with open(fio) as f:
            j = json.load(f)["jobs"][0]
        side = j["read"] if j["read"]["io_bytes"] else j["write"]
        print(f"# seq {rw} 1 MiB QD16 over SMB Direct: "
              f"{side['io_bytes'] / 1048576:.0f} MiB at "
              f"{side['bw_bytes'] / 1048576:.1f} MiB/s")
        gib = side["io_bytes"] / 2**30
    except (OSError, ValueError, KeyError, IndexError):
        gib = 0
    a, b = thread_cpu(s0), thread_cpu(s1)
    print("\n## CPU by thread over the run (s; user, system)")
    tu = ts = 0
    for tid in sorted(b):
        comm, u1, st1 = b[tid]
        _, u0, st0 = a.get(tid, (comm, 0, 0))
        du, ds = (u1 - u0) / 100, (st1 - st0) / 100
        tu, ts = tu + du, ts + ds
        if du or ds:
            print(f"  {tid:>6} {comm:<16} user {du:7.2f}  system {ds:7.2f}")
    print(f"  total: user {tu:.2f} s, system {ts:.2f} s"
          + (f"; {(tu + ts) / gib:.1f} s/GiB" if gib else ""))

    self_c, incl_c = collections.Counter(), collections.Counter()
    busy = waiting = 0
    for frames in samples(bt):
        if not frames:
            continue
        if any(w in frames[0] for w in WAITS) or frames[0] == "read":
            waiting += 1
            continue
        busy += 1
        self_c[frames[0]] += 1
        for fn in set(frames):
            incl_c[fn] += 1
    print(f"\n## stack samples: {busy} busy thread stacks, {waiting} waiting")
    if busy:
        print("\n### innermost frame (self)")
        for fn, n in self_c.most_common(15):
            print(f"  {100 * n / busy:5.1f}%  {fn}")
        print("\n### on the stack (inclusive)")
        for fn, n in incl_c.most_common(25):
            print(f"  {100 * n / busy:5.1f}%  {fn}")


if __name__ == "__main__":
    main()
