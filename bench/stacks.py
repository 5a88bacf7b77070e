#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""stacks.py RW STAT0 STAT1 BACKTRACES FIO_JSON KSAMPLES
stacks.py ksample PID SECONDS OUT

Summarise a poor man's profile of smbdirectd (bench/guest.sh,
profile_rdma): per-thread user/system CPU seconds between two snapshots
of /proc/PID/task/*/stat, and, from repeated gdb "thread apply all bt"
samples, how often each function is on the stack of a thread that is not
parked waiting (epoll/futex/poll/completion-channel reads), innermost
frame ("self") and anywhere on the stack ("inclusive"); and the same for
the kernel stacks (/proc/PID/task/TID/stack) of the server's running
threads, sampled every 20 ms by "ksample" (one line per running thread
and sample: "TID frame;frame;...", innermost first).
"""
import os
import time
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


def ksample(pid, secs, out):
    end = time.monotonic() + secs
    with open(out, "w") as o:
        while time.monotonic() < end:
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                return
            for tid in tids:
                try:
                    with open(f"/proc/{pid}/task/{tid}/stat") as f:
                        state = f.read().rsplit(") ", 1)[1].split()[0]
                    if state != "R":
                        continue
                    with open(f"/proc/{pid}/task/{tid}/stack") as f:
                        frames = [ln.split()[1].split("+")[0] for ln in f
                                  if len(ln.split()) > 1]
                except (OSError, IndexError):
                    continue
                # A thread running on another CPU has no readable stack:
                # it is in user space or in the kernel, unknown which.
                o.write(f"{tid} {';'.join(frames) or '(running, no stack)'}\n")
            o.write("--\n")
            time.sleep(0.02)


def ksummary(path):
    self_c, incl_c = collections.Counter(), collections.Counter()
    n = ticks = 0
    with open(path) as f:
        for line in f:
            if line.startswith("--"):
                ticks += 1
                continue
            frames = line.split(None, 1)[1].strip().split(";")
            n += 1
            self_c[frames[0]] += 1
            for fn in set(frames):
                incl_c[fn] += 1
    print(f"\n## kernel stacks of running server threads: {n} samples "
          f"in {ticks} ticks of 20 ms")
    if not n:
        return
    print("\n### innermost kernel frame ('(running, no stack)': on a CPU at the"
          " sample, user or kernel)")
    for fn, c in self_c.most_common(15):
        print(f"  {100 * c / n:5.1f}%  {fn}")
    print("\n### on the kernel stack (inclusive)")
    for fn, c in incl_c.most_common(25):
        print(f"  {100 * c / n:5.1f}%  {fn}")


def main():
    if sys.argv[1] == "ksample":
        ksample(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
        return
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
    if len(sys.argv) > 6 and os.path.exists(sys.argv[6]):
        ksummary(sys.argv[6])


if __name__ == "__main__":
    main()
