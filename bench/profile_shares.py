#!/usr/bin/env python3
"""Where a worker loop's time goes, by what it was doing: reads the text of
`perf script -F tid,ip,sym` over a profile recorded with call graphs
(profile.sh records DWARF stacks) and prints, for the busiest threads (a
worker's loops: one per core), the share of their samples whose stack holds
each activity. Shares overlap (any system call holds the others), so they
do not add up to 100 %. Only activities found near the stack's leaf are
listed: a DWARF stack is cut at its copied size, so deep Beast stacks often
lose their top frames.

  perf script -i profile.data -F tid,ip,sym | profile_shares.py --loops 2
"""
import argparse
import collections
import re
import sys

# activity -> a regular expression over the stack's function names
ACTIVITIES = [
    ("sendmsg (our writes; delivery into the platform's socket runs in this call)", r"__libc_sendmsg|__sys_sendmsg"),
    ("recvmsg (frames, answers, and Asio's speculative reads that find nothing)", r"__libc_recvmsg|__sys_recvmsg|__libc_recvfrom|__sys_recvfrom"),
    ("connect (two per session)", r"__libc_connect|__sys_connect"),
    ("close and shutdown (teardown)", r"^__close$|__libc_close|__x64_sys_close|^shutdown$|__sys_shutdown"),
    ("socket, epoll_ctl, ioctl, poll, setsockopt, getsockopt (a connection's setup)",
     r"__x64_sys_(socket|epoll_ctl|ioctl|poll|setsockopt|getsockopt)$"),
    ("epoll_wait", r"__x64_sys_epoll_wait"),
    ("any system call", r"^entry_SYSCALL_64|^__libc_|^__GI___"),
    ("JSON: reading answers' fields", r"read_reply_text|nlohmann.*parse"),
    ("JSON: filling the frames' templates", r"TextTemplate::fill"),
    ("event build and emit (protobuf Event)", r"VirtualUser::emit_|VirtualUser::event|VirtualUser::on_connect_stage"),
    ("event batches handed to the link (gRPC write inline)", r"EventBuffer::flush"),
    ("allocator (jemalloc)", r"jemalloc|^je_|^operator new|^operator delete|sdallocx"),
]


def read_samples(lines):
    samples, tid, stack = [], None, []
    for line in lines:
        if not line.strip():
            if tid is not None:
                samples.append((tid, stack))
            tid, stack = None, []
        elif not line.startswith("\t"):
            tid, stack = int(line.split()[0]), []
        else:
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                stack.append(parts[1])
    if tid is not None:
        samples.append((tid, stack))
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loops", type=int, default=2, help="how many of the busiest threads are the loops")
    args = parser.parse_args()
    samples = read_samples(sys.stdin)
    if not samples:
        sys.exit("profile_shares: no samples (was the profile recorded with call graphs?)")
    busiest = [tid for tid, _ in collections.Counter(t for t, _ in samples).most_common(args.loops)]
    loops = [stack for tid, stack in samples if tid in busiest]
    print("%d samples, %d (%.0f %%) in the %d busiest threads (the worker loops)"
          % (len(samples), len(loops), 100.0 * len(loops) / len(samples), len(busiest)))
    for name, pattern in ACTIVITIES:
        regex = re.compile(pattern)
        hits = sum(1 for stack in loops if any(regex.search(frame) for frame in stack))
        print("%5.1f %%  %s" % (100.0 * hits / len(loops), name))


if __name__ == "__main__":
    main()
