#!/usr/bin/env python3
"""tests/bench/procstat.py - what make bench reads from /proc.

  procstat.py PID [CPU...]

prints one line, read at one moment:

  t_us=N cpu_us=N rss_kb=N procs=N threads=N fds=N [busyN_us=N ...]

t_us is CLOCK_MONOTONIC; the others are about the process PID and all
its descendants, and busyN_us is the busy time of CPU N since boot.

cpu_us is utime+stime of every process in the tree plus cutime+cstime
(children already reaped), so a proxy's helpers (Squid's basic_ncsa_auth)
and its exited threads count as well (proc(5)).  rss_kb sums VmRSS over
the tree (pages shared between processes count once per process).
"busy" is every /proc/stat column but idle and iowait, steal included:
time CPU N was not available to whatever was pinned to it.
"""
import os
import sys
import time

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """The fields of /proc/PID/stat after "(comm)", or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    return s[s.rindex(")") + 2:].split()


def tree(root):
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            f = stat_fields(d)
            if f is not None:
                parent[int(d)] = int(f[1])
    pids, todo = [], [root]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(c for c, pp in parent.items() if pp == p)
    return pids


def tree_line(root):
    cpu = rss = threads = fds = procs = 0
    for pid in tree(root):
        f = stat_fields(pid)
        if f is None:
            continue
        procs += 1
        # proc(5): utime(14) stime(15) cutime(16) cstime(17), counted
        # from field 3 (state) here.
        cpu += sum(int(x) for x in f[11:15]) * TICK_US
        threads += int(f[17])
        try:
            with open(f"/proc/{pid}/status") as s:
                for line in s:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
            fds += len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            pass
    return f"cpu_us={cpu:.0f} rss_kb={rss} procs={procs} threads={threads} fds={fds}"


def cpu_busy(cpus):
    out = []
    with open("/proc/stat") as f:
        for line in f:
            w = line.split()
            if w[0][3:] in cpus and w[0].startswith("cpu") and w[0] != "cpu":
                v = [int(x) for x in w[1:]]
                # user nice system idle iowait irq softirq steal ...
                busy = sum(v[:8]) - v[3] - v[4]
                out.append(f"busy{w[0][3:]}_us={busy * TICK_US:.0f}")
    return out


def main():
    if len(sys.argv) < 2 or not all(a.isdigit() for a in sys.argv[1:]):
        print("usage: procstat.py PID [CPU...]", file=sys.stderr)
        return 2
    t = time.monotonic_ns() // 1000
    print(" ".join([f"t_us={t}", tree_line(int(sys.argv[1]))] +
                   cpu_busy(sys.argv[2:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
