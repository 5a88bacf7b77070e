#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""report.py OUTDIR STAMP META.json SAMPLES.tsv...

Turn the benchmark's raw lines (bench/guest.sh's format:
"sample SERVER TRANSPORT TEST UNIT VALUE REP" and
"na SERVER TRANSPORT TEST REASON") into OUTDIR/STAMP.json,
OUTDIR/STAMP.md (also printed) and gnuplot charts OUTDIR/STAMP-*.png.

Every figure is the median of its runs with min and max; every row has
the ratio of ours to the peer measured in the same run (ksmbd.ko in the
VM, Samba on the host, raw rxe for SMB Direct throughput).  A cell with
no figure says why.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

NAMES = {"ours": "ours (smbdirectd)", "ksmbd": "ksmbd.ko",
         "samba": "Samba smbd", "rxe": "raw rxe"}

# (test, label, unit note); cost rows: lower is better.
VM_ROWS = [
    ("seq-read-q1", "seq read 1 MiB, QD1", "MiB/s"),
    ("seq-read-q16", "seq read 1 MiB, QD16", "MiB/s"),
    ("seq-write-q1", "seq write 1 MiB, QD1", "MiB/s"),
    ("seq-write-q16", "seq write 1 MiB, QD16", "MiB/s"),
    ("rand-read-4k", "random read 4 KiB, QD16", "IOPS"),
    ("rand-write-4k", "random write 4 KiB, QD16", "IOPS"),
    ("md-create", "metadata: create", "files/s"),
    ("md-stat", "metadata: stat", "files/s"),
    ("md-delete", "metadata: delete", "files/s"),
    ("seq-read-q16-server-cpu", "server CPU, seq read QD16",
     "s/GiB, lower is better"),
    ("seq-write-q16-server-cpu", "server CPU, seq write QD16",
     "s/GiB, lower is better"),
    ("seq-read-q16-guest-cpu", "whole-guest CPU, seq read QD16",
     "s/GiB, lower is better"),
    ("seq-write-q16-guest-cpu", "whole-guest CPU, seq write QD16",
     "s/GiB, lower is better"),
]
IDLE_ROWS = [
    ("idle-conn-rss", "idle connection: server RSS", "KiB/conn, lower is better"),
    ("idle-conn-kernel", "idle connection: guest kernel memory",
     "KiB/conn, lower is better"),
    ("idle-conn-total", "idle connection: RSS + kernel", "KiB/conn, lower is better"),
    ("idle-conn-count", "idle connections held", "conns"),
]
HOST_ROWS = [
    ("smbclient-put-plain", "smbclient put, plain", "MiB/s"),
    ("smbclient-get-plain", "smbclient get, plain", "MiB/s"),
    ("smbclient-put-signed", "smbclient put, signed", "MiB/s"),
    ("smbclient-get-signed", "smbclient get, signed", "MiB/s"),
    ("smbclient-put-encrypted", "smbclient put, encrypted", "MiB/s"),
    ("smbclient-get-encrypted", "smbclient get, encrypted", "MiB/s"),
    ("smbclient-put-plain-server-cpu", "server CPU, put plain",
     "s/GiB, lower is better"),
    ("smbclient-get-plain-server-cpu", "server CPU, get plain",
     "s/GiB, lower is better"),
    ("smbclient-put-signed-server-cpu", "server CPU, put signed",
     "s/GiB, lower is better"),
    ("smbclient-get-signed-server-cpu", "server CPU, get signed",
     "s/GiB, lower is better"),
    ("echo-1conn", "smb2.bench.echo, 1 connection", "echo/s"),
    ("echo-16conn", "smb2.bench.echo, 16 connections", "echo/s"),
    ("path-contention-shared", "smb2.bench.path-contention-shared", "open+close/s"),
    ("smb2.bench.read", "smb2.bench.read", "MiB/s"),
    ("idle-conn-pss", "idle connection: server PSS", "KiB/conn, lower is better"),
    ("idle-conn-count", "idle connections held", "conns"),
]
# SMB read data moves by the server's RDMA Write, write data by RDMA Read.
RAW_PEER = {"seq-read-q1": "ib_write_bw", "seq-read-q16": "ib_write_bw",
            "seq-write-q1": "ib_read_bw", "seq-write-q16": "ib_read_bw"}


def load(paths):
    samples, nas = {}, {}
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if p[0] == "sample" and len(p) >= 7:
                    try:
                        v = float(p[5])
                    except ValueError:
                        continue
                    if v != v:  # nan
                        continue
                    samples.setdefault((p[1], p[2], p[3]), []).append(v)
                elif p[0] == "na" and len(p) >= 5:
                    nas.setdefault((p[1], p[2], p[3]), p[4])
    return samples, nas


class Figures:
    def __init__(self, samples, nas, missing_why):
        self.samples, self.nas, self.missing_why = samples, nas, missing_why

    def stat(self, srv, tr, test):
        v = self.samples.get((srv, tr, test))
        if not v:
            return None
        return {"median": statistics.median(v), "min": min(v), "max": max(v),
                "n": len(v), "values": v}

    def why(self, srv, tr, test):
        for key in ((srv, tr, test), (srv, tr, "all"), (srv, "all", "all"),
                    (srv, tr, "later"), (srv, "all", "later")):
            if key in self.nas:
                return self.nas[key]
        return self.missing_why.get(srv, "no figure (run failed; see logs)")


def fmt(x):
    if x is None:
        return "?"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


REPS = [3]


def cell(figs, srv, tr, test):
    s = figs.stat(srv, tr, test)
    if s is None:
        return "n/a: " + figs.why(srv, tr, test)
    if s["n"] == 1:
        return f"{fmt(s['median'])} (1 run)"
    runs = f", {s['n']} runs" if s["n"] != REPS[0] else ""
    return f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])}{runs})"


def ratio(a, b):
    if a is None or b is None or b["median"] == 0:
        return None
    return a["median"] / b["median"]


def rcell(r):
    return "–" if r is None else f"{r:.2f}x"


# ksmbd.ko's own CPU is only its kernel threads' (a lower bound): no
# ratio against it; the whole-guest rows compare.
KSMBD_CPU_NOTE = " (kthreads only: a lower bound, no ratio; compare the whole-guest row)"


def vm_tables(figs, ratios):
    out = ["### VM: SMB Direct over soft-RoCE (rxe0)", "",
           "| test | unit | ours | ksmbd.ko | ours/ksmbd.ko | raw rxe | ours/raw rxe |",
           "|---|---|---|---|---|---|---|"]
    for test, label, unit in VM_ROWS:
        o = figs.stat("ours", "rdma", test)
        k = figs.stat("ksmbd", "rdma", test)
        r = ratio(o, k) if not test.endswith("server-cpu") else None
        raw_c, raw_r = "", ""
        if test in RAW_PEER:
            tool = RAW_PEER[test]
            raw = figs.stat("rxe", "rdma", tool)
            raw_c = f"{tool}: {cell(figs, 'rxe', 'rdma', tool)}"
            rr = ratio(o, raw)
            raw_r = rcell(rr)
            ratios.append({"test": test, "transport": "rdma",
                           "peer": f"rxe {tool}", "ratio": rr})
        ratios.append({"test": test, "transport": "rdma", "peer": "ksmbd",
                       "ratio": r})
        kc = cell(figs, "ksmbd", "rdma", test)
        if test.endswith("server-cpu"):
            kc += KSMBD_CPU_NOTE
        out.append(f"| {label} | {unit} | {cell(figs, 'ours', 'rdma', test)} | "
                   f"{kc} | {rcell(r)} | {raw_c} | {raw_r} |")
    out += ["", "### VM: TCP over veth (same guest, same client)", "",
            "| test | unit | ours | ksmbd.ko | ours/ksmbd.ko |",
            "|---|---|---|---|---|"]
    for test, label, unit in VM_ROWS + IDLE_ROWS:
        o = figs.stat("ours", "tcp", test)
        k = figs.stat("ksmbd", "tcp", test)
        r = ratio(o, k) if not test.endswith("server-cpu") else None
        if test.startswith("idle-conn-rss"):
            kc = "n/a: in-kernel server, no process RSS (see kernel memory)"
        else:
            kc = cell(figs, "ksmbd", "tcp", test)
        if test.endswith("server-cpu"):
            kc += KSMBD_CPU_NOTE
        ratios.append({"test": test, "transport": "tcp", "peer": "ksmbd",
                       "ratio": r})
        out.append(f"| {label} | {unit} | {cell(figs, 'ours', 'tcp', test)} | "
                   f"{kc} | {rcell(r)} |")
    out += ["", "### VM: raw soft-RoCE, 1 MiB messages (perftest)", "",
            "| test | unit | raw rxe |", "|---|---|---|"]
    for tool in ("ib_write_bw", "ib_read_bw"):
        out.append(f"| {tool} | MiB/s | {cell(figs, 'rxe', 'rdma', tool)} |")
    for tool in ("ib_write_bw", "ib_read_bw"):
        out.append(f"| {tool}, whole-guest CPU | s/GiB, lower is better | "
                   f"{cell(figs, 'rxe', 'rdma', tool + '-guest-cpu')} |")
    return out


def host_table(figs, ratios):
    out = ["### Host: loopback TCP, smbclient and smbtorture", "",
           "| test | unit | ours | Samba smbd | ours/Samba |",
           "|---|---|---|---|---|"]
    for test, label, unit in HOST_ROWS:
        o = figs.stat("ours", "loopback", test)
        s = figs.stat("samba", "loopback", test)
        r = ratio(o, s)
        ratios.append({"test": test, "transport": "loopback", "peer": "samba",
                       "ratio": r})
        out.append(f"| {label} | {unit} | {cell(figs, 'ours', 'loopback', test)} | "
                   f"{cell(figs, 'samba', 'loopback', test)} | {rcell(r)} |")
    return out


# The targets of issue [bench]: (label, srv, tr, test, peer srv, peer tr,
# peer test, wanted ratio).
TARGETS = [
    ("SMB Direct seq read QD16 vs raw rxe (ib_write_bw)", "ours", "rdma",
     "seq-read-q16", "rxe", "rdma", "ib_write_bw", 0.9),
    ("SMB Direct seq write QD16 vs raw rxe (ib_read_bw)", "ours", "rdma",
     "seq-write-q16", "rxe", "rdma", "ib_read_bw", 0.9),
    ("SMB Direct seq read QD16 vs ksmbd.ko", "ours", "rdma", "seq-read-q16",
     "ksmbd", "rdma", "seq-read-q16", 1.3),
    ("SMB Direct seq write QD16 vs ksmbd.ko", "ours", "rdma", "seq-write-q16",
     "ksmbd", "rdma", "seq-write-q16", 1.3),
    ("loopback smbclient get (plain) vs Samba", "ours", "loopback",
     "smbclient-get-plain", "samba", "loopback", "smbclient-get-plain", 1.5),
    ("loopback smbclient put (plain) vs Samba", "ours", "loopback",
     "smbclient-put-plain", "samba", "loopback", "smbclient-put-plain", 1.5),
    ("loopback smb2.bench.echo, 16 connections, vs Samba", "ours",
     "loopback", "echo-16conn", "samba", "loopback", "echo-16conn", 2.0),
]


def targets_table(figs):
    out = ["### Targets of issue [bench] (ratios of medians, this run)", "",
           "| target | wanted | measured | met |", "|---|---|---|---|"]
    for label, s, t, x, ps, pt, px, want in TARGETS:
        r = ratio(figs.stat(s, t, x), figs.stat(ps, pt, px))
        met = "–" if r is None else ("yes" if r >= want else "no")
        out.append(f"| {label} | >= {want:g}x | {rcell(r)} | {met} |")
    return out


def write_dat(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(" ".join(r) + "\n")


def chart(outdir, stamp, name, title, ylabel, groups, series, figs):
    """groups: [(label, test)], series: [(title, srv, tr)]: clustered bars
    of the medians with min-max error bars."""
    dat = os.path.join(outdir, f"{stamp}-{name}.dat")
    rows = []
    for label, test in groups:
        row = [f'"{label}"']
        for _, srv, tr in series:
            tst = test(srv) if callable(test) else test
            s = figs.stat(srv, tr, tst)
            row += ([f"{s['median']:.4g}", f"{s['min']:.4g}", f"{s['max']:.4g}"]
                    if s else ["?", "?", "?"])
        rows.append(row)
    write_dat(dat, rows)
    plots = []
    for i, (title_s, _, _) in enumerate(series):
        c = 2 + 3 * i
        # gnuplot stops on a series with no point at all: leave it out.
        if all(r[c - 1] == "?" for r in rows):
            continue
        xt = ":xtic(1)" if not plots else ""
        plots.append(f"'{dat}' using {c}:{c + 1}:{c + 2}{xt} title '{title_s}'")
    if not plots:
        os.remove(dat)
        return None
    png = os.path.join(outdir, f"{stamp}-{name}.png")
    gp = os.path.join(outdir, f"{stamp}-{name}.gp")
    with open(gp, "w") as f:
        f.write(f"""set terminal pngcairo size 1000,520 noenhanced
set output '{png}'
set title '{title}'
set ylabel '{ylabel}'
set datafile missing '?'
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key outside top center horizontal
set xtics rotate by -20
plot {", ".join(plots)}
""")
    rc = subprocess.run(["gnuplot", gp], capture_output=True, text=True,
                        timeout=60)
    os.remove(gp)
    if rc.returncode != 0 or not os.path.exists(png):
        print(f"gnuplot failed for {name}: {rc.stderr.strip()}",
              file=sys.stderr)
        return None
    os.remove(dat)
    return os.path.basename(png)


def charts(outdir, stamp, figs):
    if not shutil.which("gnuplot"):
        print("gnuplot not installed: no charts", file=sys.stderr)
        return []
    vm_series = [("ours, SMB Direct", "ours", "rdma"),
                 ("ksmbd.ko, SMB Direct", "ksmbd", "rdma"),
                 ("ours, TCP", "ours", "tcp"),
                 ("ksmbd.ko, TCP", "ksmbd", "tcp")]
    host_series = [("ours", "ours", "loopback"), ("Samba", "samba", "loopback")]
    made = [
        chart(outdir, stamp, "vm-seq", "VM: sequential 1 MiB (fio, cifs)",
              "MiB/s", [("read QD1", "seq-read-q1"), ("read QD16", "seq-read-q16"),
                        ("write QD1", "seq-write-q1"),
                        ("write QD16", "seq-write-q16")],
              vm_series, figs),
        chart(outdir, stamp, "vm-rxe", "VM: SMB Direct QD16 against raw rxe",
              "MiB/s", [("read QD16 / ib_write_bw",
                         lambda s: "ib_write_bw" if s == "rxe" else "seq-read-q16"),
                        ("write QD16 / ib_read_bw",
                         lambda s: "ib_read_bw" if s == "rxe" else "seq-write-q16")],
              [("ours", "ours", "rdma"), ("ksmbd.ko", "ksmbd", "rdma"),
               ("raw rxe", "rxe", "rdma")], figs),
        chart(outdir, stamp, "vm-ops", "VM: random 4 KiB (IOPS) and metadata (files/s)",
              "operations/s", [("rand read", "rand-read-4k"),
                               ("rand write", "rand-write-4k"),
                               ("create", "md-create"), ("stat", "md-stat"),
                               ("delete", "md-delete")], vm_series, figs),
        chart(outdir, stamp, "host-smbclient", "Host loopback: smbclient put/get, SMB 3.1.1",
              "MiB/s", [("put plain", "smbclient-put-plain"),
                        ("get plain", "smbclient-get-plain"),
                        ("put signed", "smbclient-put-signed"),
                        ("get signed", "smbclient-get-signed"),
                        ("put encrypted", "smbclient-put-encrypted"),
                        ("get encrypted", "smbclient-get-encrypted")],
              host_series, figs),
        chart(outdir, stamp, "host-torture", "Host loopback: smbtorture smb2.bench",
              "operations/s", [("echo, 1 conn", "echo-1conn"),
                               ("echo, 16 conns", "echo-16conn"),
                               ("path-contention-shared", "path-contention-shared")],
              host_series, figs),
    ]
    return [m for m in made if m]


def main():
    outdir, stamp, meta_path = sys.argv[1], sys.argv[2], sys.argv[3]
    samples, nas = load(sys.argv[4:])
    with open(meta_path) as f:
        meta = json.load(f)
    figs = Figures(samples, nas, meta.get("missing_why", {}))
    REPS[0] = meta.get("reps", 3)
    os.makedirs(outdir, exist_ok=True)
    ratios = []
    lines = [f"## Benchmark {stamp} ({meta.get('mode', '?')})", "",
             f"Machine: {meta.get('machine', '?')}. Each cell: median "
             f"(min–max) of {meta.get('reps', '?')} runs unless noted; "
             "ratios are of medians from the same run. Indicative only: "
             "the machine is shared and the VM is emulated (TCG).", ""]
    lines += vm_tables(figs, ratios) + [""] + host_table(figs, ratios)
    lines += [""] + targets_table(figs)
    pngs = charts(outdir, stamp, figs)
    if pngs:
        lines += ["", "Charts: " + ", ".join(pngs)]
    md = "\n".join(lines) + "\n"
    with open(os.path.join(outdir, f"{stamp}.md"), "w") as f:
        f.write(md)
    figures = []
    for (srv, tr, test), _ in sorted(samples.items()):
        s = figs.stat(srv, tr, test)
        figures.append({"server": srv, "transport": tr, "test": test, **s})
    doc = {"date": stamp, **meta, "figures": figures,
           "not_measured": [{"server": k[0], "transport": k[1], "test": k[2],
                             "reason": v} for k, v in sorted(nas.items())],
           "ratios": [r for r in ratios if r["ratio"] is not None],
           "charts": pngs}
    with open(os.path.join(outdir, f"{stamp}.json"), "w") as f:
        json.dump(doc, f, indent=1)
    print(md)


if __name__ == "__main__":
    main()
