#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""proc.py cpu|pss SID

A server's cost, summed over every process of its session SID (the
server is started with setsid, so Samba's per-connection children are
in it, and smbdirectd is one process):
  cpu  utime + stime + cutime + cstime in jiffies (children that ended
       and were reaped count through their parent's cutime/cstime);
  pss  proportional set size in KiB (shared pages split between
       Samba's processes, so the sum is not inflated).
"""
import os
import sys


def session_pids(sid):
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After "pid (comm) ": state ppid pgrp session ...
        if int(fields[3]) == sid:
            yield int(name), fields


def cpu(sid):
    total = 0
    for _, fields in session_pids(sid):
        # utime stime cutime cstime are fields 14-17 of stat (1-based),
        # 12-15 counted from "state".
        total += sum(int(v) for v in fields[11:15])
    return total


def pss(sid):
    total = 0
    for pid, _ in session_pids(sid):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def main():
    what, sid = sys.argv[1], int(sys.argv[2])
    print({"cpu": cpu, "pss": pss}[what](sid))


if __name__ == "__main__":
    main()
