#!/usr/bin/env python3
"""Compile a C test program with an autoprof plugin, run it, check the profile.

usage: run_case.py --cc gcc --opt -O2 --plugin-flag=-fplugin=... --runtime-dir DIR
                   --case tests/e2e/progs/NAME  [--workdir DIR]

NAME.c is the program; NAME.expect holds one expectation per line:
  [@O0|@O2 ...] EXPECTATION      (prefixes limit a line to those -O levels; @clang-O2,
                                 @gcc-O2: that level with that compiler only; @nodebug,
                                 @debug: only without / with -g, as well as the levels)
  compile-args ARGS...           extra compiler arguments ({src} = the case's folder,
                                 {arg} = the plugin's option prefix, e.g. -fplugin-arg-autoprof-)
  policy FILE                    -fplugin-arg-...-policy={src}/FILE
  args ARGS...                   program arguments
  env NAME=VALUE                 environment of the run
  exit N                         expected exit status of the program (default 0)
  compile-fails                  the compile must fail ...
  compile-stderr TEXT            ... (or succeed) with TEXT on a line of its stderr (a line
                                 "TOOL: TEXT" counts too: GCC says "cc1: error:", clang "error:")
  stdout TEXT / stderr TEXT      TEXT appears in the run's stdout / stderr
  stderr-lines N                 the run printed exactly N lines on stderr
  no-profile                     no profile file was written
  profiles N                     N profiles were written (fork: one per process); only the
                                 two keys below are checked then
  calls-each FUNC N1,N2,...      FUNC's calls in each profile, in any order
  loop-each LINE N1,N2,...       the entries of the loop at LINE in each profile, in any order
  calls FUNC N                   functions[name=FUNC].calls == N
  absent FUNC                    FUNC is not in the profile
  present FUNC                   FUNC is in the profile
  field KEY VALUE                top-level profile[KEY] == VALUE (int or string)
  flag FUNC NAME / no-flag ...   FUNC's flags include (do not include) NAME, e.g. leaf
  calibrated KIND                calibration_ns[KIND] was measured (> 0)
  calibration-same K1 K2         calibration_ns[K1] == calibration_ns[K2] > 0 (a kind used
                                 little takes another's figure)
  callpath A>B>C N               the call path A>B>C (from a root) was called N times
  hint RANK KIND FUNC            hints[RANK] has that kind and function (RANK 0 = first)
  hint-any KIND FUNC             some hint has that kind and function
  hint-top FUNC                  the first hint (largest savings) is about FUNC, whatever its kind
  hint-none KIND FUNC            no hint of that kind for FUNC (FUNC may be *)
  hint-text KIND FUNC TEXT       that hint's message contains TEXT
  hint-lacks KIND FUNC TEXT      no hint of that kind for FUNC contains TEXT
  excl-le-incl                   every function has 0 <= excl_ns <= incl_ns
  loop-callee-within LINE FUNC   the calls made in the loop at LINE, and their time, are no more
                                 than FUNC's in all (FUNC called only there: its exact figures)
  self-within-run                the functions' self times add up to no more than the run's
                                 instrumented time (the roots' inclusive), within 5 %
  timed-loop LINE                the loop at LINE has timed entries and a time
  threads-busy N                 thread_list has N records, each with calls has a time, and
                                 their times add up to the roots' (threads still running at exit)
  thread-records-le N            thread_list has at most N records (ended threads' records
                                 serve later threads), holding `threads` threads in all
  loop LINE [in=F] [KEY=N ...]   the loop at LINE (living in F) has these values; KEY is one
                                 of entries iterations min max zero depth timed calls nested,
                                 or origin=G, parent=LINE2, callee=NAME (heaviest callee)
  loop-within LINE FUNC          the loop at LINE took no more time than FUNC in all, within
                                 5 % (the two compensations differ by a few probes; with
                                 exact timing the loop runs inside FUNC's calls)
  no-loop LINE                   no loop at LINE was counted
  memo FUNC [KEY=N ...]          FUNC's memo evidence: calls distinct same other pointer proven
                                 hits16 hits256 hits4096
  no-memo FUNC                   FUNC is not a memo candidate
  callsite CALLEE LINE [KEY=N]   the loop-invariant call candidate CALLEE at LINE: calls
                                 same_args same_both loop_line
  skip-sanitized REASON          not run against a sanitized runtime (REASON said)
  skip-if-stdout TEXT            the run printed TEXT: the machine lacks what the case needs
                                 (said, and nothing else checked)
  stdout-ratio F.FIELD KEY LO HI functions[name=F][FIELD] (or the top-level FIELD when F is
                                 empty) over the number the program printed as KEY=N is within
                                 [LO, HI]: a time against one the program measured itself
Exact counts only: durations are never compared, except by stdout-ratio's wide bounds.
"""
import argparse, json, os, re, shlex, subprocess, sys

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def parse_expect(path, opt, src_dir, arg_prefix, compiler, debug=True):
    lines = []
    for raw in open(path):
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        words = raw.split(None, 1)
        levels = []
        while words and words[0].startswith("@"):
            levels.append("-" + words[0][1:])
            words = words[1].split(None, 1) if len(words) > 1 else []
        if ("-nodebug" in levels and debug) or ("-debug" in levels and not debug):
            continue
        levels = [l for l in levels if l not in ("-debug", "-nodebug")]
        if levels and opt not in levels and "-" + compiler + opt not in levels:
            continue
        if words:
            rest = words[1] if len(words) > 1 else ""
            lines.append((words[0], rest.replace("{src}", src_dir).replace("{arg}", arg_prefix)))
    return lines

def func_by_name(prof, name):
    for f in prof.get("functions", []):
        if f.get("name") == name:
            return f
    return None

def callpath_calls(prof, path):
    nodes = prof.get("callpaths", [])
    funcs = prof.get("functions", [])
    names = path.split(">")
    by_id = {n["id"]: n for n in nodes}
    total = 0
    for n in nodes:
        chain, cur = [], n
        while cur is not None:
            chain.append(funcs[cur["func"]]["name"])
            cur = by_id.get(cur["parent"])
        if list(reversed(chain)) == names:
            total += n["calls"]
    return total

LOOP_KEYS = {"entries": "entries", "iterations": "iterations", "min": "min_trip",
             "max": "max_trip", "zero": "zero_trip", "depth": "depth", "calls": "calls",
             "nested": "nested_entries"}

def check_loop(prof, key, a):
    loops = prof.get("loops", [])
    line = int(a[0])
    opts = dict(w.split("=", 1) for w in a[1:])
    match = [l for l in loops if l["line"] == line and ("in" not in opts or l["function"] == opts["in"])]
    if key == "no-loop":
        if match:
            fail("loop at line %d should not be counted: %s" % (line, match))
        return
    if len(match) != 1:
        fail("expected one loop at line %d%s, found %s; loops: %s" % (
            line, " in " + opts["in"] if "in" in opts else "", len(match),
            [(l["function"], l["line"]) for l in loops]))
    l = match[0]
    for k, v in opts.items():
        if k == "in":
            continue
        if k == "origin":
            got, want = l.get("origin_function"), v
        elif k == "timed":
            got, want = int(bool(l.get("timed"))), int(v)
        elif k == "parent":
            got = loops[l["parent"]]["line"] if l.get("parent", -1) >= 0 else -1
            want = int(v)
        elif k == "callee":
            got, want = (l.get("top_callee") or {}).get("name"), v
        else:
            got, want = l.get(LOOP_KEYS[k]), int(v)
        if got != want:
            fail("loop at line %d: %s is %r, expected %r (%s)" % (line, k, got, want, l))

MEMO_KEYS = {"calls": "calls", "distinct": "distinct", "same": "same_result",
             "other": "other_result", "pointer": "pointer_args", "proven": "proven"}

def check_memo(prof, key, a):
    match = [m for m in prof.get("memo", []) if m["function"] == a[0]]
    if key == "no-memo":
        if match:
            fail("%s should not be a memo candidate: %s" % (a[0], match[0]))
        return
    if len(match) != 1:
        fail("no memo evidence for %s; have %s" % (a[0], [m["function"] for m in prof.get("memo", [])]))
    m = match[0]
    for w in a[1:]:
        k, v = w.split("=", 1)
        if k.startswith("hits"):
            got = {c["size"]: c["hits"] for c in m["caches"]}.get(int(k[4:]))
        else:
            got = m.get(MEMO_KEYS[k])
            got = int(got) if isinstance(got, bool) else got
        if got != int(v):
            fail("memo %s: %s is %r, expected %s (%s)" % (a[0], k, got, v, m))

def check_profile(prof, exp, out):
    hints = prof.get("hints", [])
    for key, rest in exp:
        a = rest.split()
        if key == "calls":
            f = func_by_name(prof, a[0])
            if f is None:
                fail("function %s not in profile (have %s)" % (a[0], [g["name"] for g in prof.get("functions", [])]))
            if f["calls"] != int(a[1]):
                fail("calls of %s: got %d, expected %s" % (a[0], f["calls"], a[1]))
        elif key == "absent":
            if func_by_name(prof, a[0]) is not None:
                fail("function %s should not be instrumented" % a[0])
        elif key == "present":
            if func_by_name(prof, a[0]) is None:
                fail("function %s missing from profile" % a[0])
        elif key in ("flag", "no-flag"):
            f = func_by_name(prof, a[0])
            if f is None or (a[1] in f.get("flags", [])) != (key == "flag"):
                fail("function %s: flags %s, expected %s%s" % (a[0], f and f.get("flags"), "" if key == "flag" else "no ", a[1]))
        elif key == "calibrated":
            if not prof.get("calibration_ns", {}).get(a[0], 0) > 0:
                fail("calibration_ns[%s] is not measured: %r" % (a[0], prof.get("calibration_ns")))
        elif key == "calibration-same":
            cal = prof.get("calibration_ns", {})
            if not (a[0] in cal and a[1] in cal and cal[a[0]] == cal[a[1]] > 0):
                fail("calibration_ns[%s] is not calibration_ns[%s]: %r" % (a[0], a[1], cal))
        elif key == "field":
            got = prof.get(a[0])
            want = int(a[1]) if re.fullmatch(r"-?\d+", a[1]) else a[1]
            if got != want:
                fail("profile[%s]: got %r, expected %r" % (a[0], got, want))
        elif key == "callpath":
            got = callpath_calls(prof, a[0])
            if got != int(a[1]):
                fail("callpath %s: got %d calls, expected %s" % (a[0], got, a[1]))
        elif key == "hint":
            r = int(a[0])
            if r >= len(hints):
                fail("only %d hints, wanted rank %d: %s" % (len(hints), r, [(h["kind"], h["function"]) for h in hints]))
            h = hints[r]
            if h["kind"] != a[1] or h["function"] != a[2]:
                fail("hint %d is %s %s, expected %s %s; all: %s" % (r, h["kind"], h["function"], a[1], a[2], [(x["kind"], x["function"]) for x in hints]))
        elif key == "hint-top":
            if not hints or hints[0]["function"] != a[0]:
                fail("the first hint is not about %s: %s" % (a[0], [(x["kind"], x["function"]) for x in hints[:3]]))
        elif key == "hint-lacks":
            text = rest.split(None, 2)[2]
            bad = [h["message"] for h in hints
                   if h["kind"] == a[0] and (a[1] == "*" or h["function"] == a[1]) and text in h["message"]]
            if bad:
                fail("a %s hint for %s contains %r: %s" % (a[0], a[1], text, bad[0]))
        elif key in ("hint-any", "hint-none", "hint-text"):
            match = [h for h in hints if h["kind"] == a[0] and (a[1] == "*" or h["function"] == a[1])]
            if key == "hint-none" and match:
                fail("unexpected hint %s %s: %s" % (a[0], a[1], match[0]["message"]))
            if key != "hint-none" and not match:
                fail("no %s hint for %s; hints: %s" % (a[0], a[1], [(x["kind"], x["function"]) for x in hints]))
            if key == "hint-text":
                text = rest.split(None, 2)[2]
                if not any(text in h["message"] for h in match):
                    fail("no %s hint for %s contains %r: %s" % (a[0], a[1], text, [h["message"] for h in match]))
        elif key == "callsite":
            match = [c for c in prof.get("callsites", []) if c["callee"] == a[0] and c["line"] == int(a[1])]
            if len(match) != 1:
                fail("no call site %s at line %s: %s" % (a[0], a[1], prof.get("callsites", [])))
            for w in a[2:]:
                k, v = w.split("=", 1)
                if match[0].get(k) != int(v):
                    fail("call site %s:%s: %s is %r, expected %s" % (a[0], a[1], k, match[0].get(k), v))
        elif key in ("memo", "no-memo"):
            check_memo(prof, key, a)
        elif key in ("loop", "no-loop"):
            check_loop(prof, key, a)
        elif key == "loop-within":
            match = [l for l in prof.get("loops", []) if l["line"] == int(a[0])]
            f = func_by_name(prof, a[1])
            if len(match) != 1 or f is None:
                fail("loop-within: no single loop at line %s or no function %s" % (a[0], a[1]))
            if not 0 < match[0]["incl_ns"] <= 1.05 * f["incl_ns"]:
                fail("loop at line %s: %d ns, more than %s's %d ns in all (or none)" % (
                    a[0], match[0]["incl_ns"], a[1], f["incl_ns"]))
        elif key == "loop-callee-within":
            match = [l for l in prof.get("loops", []) if l["line"] == int(a[0])]
            f = func_by_name(prof, a[1])
            if len(match) != 1 or f is None:
                fail("loop-callee-within: no single loop at line %s or no function %s" % (a[0], a[1]))
            l = match[0]
            if l.get("calls", 0) > f["calls"] or l.get("calls_ns", 0) > 1.01 * f["incl_ns"] + 1000:
                fail("loop at line %s: its calls %d (%d ns) exceed %s's %d calls (%d ns) in all" % (
                    a[0], l.get("calls", 0), l.get("calls_ns", 0), a[1], f["calls"], f["incl_ns"]))
        elif key == "self-within-run":
            run = sum(n["incl_ns"] for n in prof.get("callpaths", []) if n["parent"] < 0)
            self_sum = sum(f["excl_ns"] for f in prof.get("functions", []))
            if self_sum > 1.05 * run:
                fail("self times add up to %d ns, more than the run's %d ns" % (self_sum, run))
        elif key == "thread-records-le":
            recs = prof.get("thread_list", [])
            held = sum(t.get("threads", 1) for t in recs)
            if len(recs) > int(a[0]) or held != prof.get("threads"):
                fail("%d thread records holding %d threads (profile says %s), expected at most %s"
                     % (len(recs), held, prof.get("threads"), a[0]))
        elif key == "threads-busy":
            recs = prof.get("thread_list", [])
            idle = [t for t in recs if t.get("calls") and not t.get("root_ns")]
            total = sum(t.get("root_ns", 0) for t in recs)
            roots = sum(n["incl_ns"] for n in prof.get("callpaths", []) if n["parent"] < 0)
            if len(recs) != int(a[0]) or idle or abs(total - roots) > max(1, roots // 1000):
                fail("thread_list: %d records (expected %s), with calls and no time: %s; "
                     "their time %d against the roots' %d" % (len(recs), a[0], idle, total, roots))
        elif key == "timed-loop":
            match = [l for l in prof.get("loops", []) if l["line"] == int(a[0])]
            if len(match) != 1 or not match[0].get("timed_entries") or not match[0]["incl_ns"]:
                fail("loop at line %s: expected timed entries and a time, got %s" % (a[0], match))
        elif key == "stdout-ratio":
            fn, field = a[0].split(".", 1)
            obj = prof if not fn else func_by_name(prof, fn)
            m = re.search(r"\b%s=(\d+)" % re.escape(a[1]), out.stdout)
            if obj is None or m is None or int(m.group(1)) == 0:
                fail("stdout-ratio %s: no %s in the profile or no %s= in stdout:\n%s" % (a[0], a[0], a[1], out.stdout))
            r = obj.get(field, 0) / int(m.group(1))
            if not float(a[2]) <= r <= float(a[3]):
                fail("%s / %s = %d / %s = %.3f, expected within [%s, %s]" % (a[0], a[1], obj.get(field, 0), m.group(1), r, a[2], a[3]))
        elif key == "excl-le-incl":
            for f in prof.get("functions", []):
                if not (0 <= f["excl_ns"] <= f["incl_ns"]):
                    fail("%s: excl %d, incl %d" % (f["name"], f["excl_ns"], f["incl_ns"]))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", required=True)
    ap.add_argument("--opt", required=True)
    ap.add_argument("--plugin-flag", required=True)
    ap.add_argument("--policy-arg", required=True, help="e.g. -fplugin-arg-autoprof-policy=")
    ap.add_argument("--runtime-dir", required=True)
    ap.add_argument("--include-dir", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--no-debug", action="store_true", help="compile without -g")
    ap.add_argument("--plugin-args", default="", help="more plugin options, e.g. the verifier's")
    ap.add_argument("--link-flags", default="",
                    help="extra link flags: a sanitizer build links the sanitized runtime")
    args = ap.parse_args()

    src_dir = os.path.dirname(os.path.abspath(args.case))
    name = os.path.basename(args.case)
    # the plugin's option prefix: --policy-arg without its "policy="
    arg_prefix = args.policy_arg[:-len("policy=")] if args.policy_arg.endswith("policy=") else args.policy_arg
    compiler = "clang" if "clang" in os.path.basename(args.cc) else "gcc"
    exp = parse_expect(args.case + ".expect", args.opt, src_dir, arg_prefix, compiler,
                       not args.no_debug)
    os.makedirs(args.workdir, exist_ok=True)
    for f in os.listdir(args.workdir):
        if f.startswith("autoprof."):
            os.unlink(os.path.join(args.workdir, f))
    exe = os.path.join(args.workdir, name)

    cflags, run_args, env, want_exit = [], [], dict(os.environ), 0
    for key, rest in exp:
        if key == "compile-args":
            cflags += shlex.split(rest)
        elif key == "policy":
            cflags.append(args.policy_arg + os.path.join(src_dir, rest))
        elif key == "args":
            run_args += shlex.split(rest)
        elif key == "env":
            k, v = rest.split("=", 1)
            env[k] = v.replace("{work}", args.workdir)
        elif key == "exit":
            want_exit = int(rest)
    env.setdefault("AUTOPROF_OUTPUT", os.path.join(args.workdir, "autoprof.%n"))
    for key, rest in exp:
        if key == "skip-sanitized" and "-fsanitize" in args.link_flags:
            print("ok: skipped with a sanitized runtime: %s" % rest)
            return
    if "-fsanitize" in args.link_flags:
        # A sanitized runtime's probes cost 10-50x, and as much again with the
        # shadow memory's state: the cost calibrated at exit can exceed what
        # the program's own probes took, and compensation then zeroes the
        # times (TSan: recursion's fib, in 2 runs of 3).  Sanitizer runs check
        # memory and thread safety and the counts; times, raw.
        env.setdefault("AUTOPROF_COMPENSATE", "0")

    debug = [] if args.no_debug else ["-g"]
    obj = exe + ".o"
    cmd = [args.cc, args.opt] + debug + [args.plugin_flag] + shlex.split(args.plugin_args) + \
          ["-I" + args.include_dir] + cflags + \
          ["-c", args.case + ".c", "-o", obj]
    comp = subprocess.run(cmd, capture_output=True, text=True)
    if comp.returncode == 0:
        link = [args.cc] + shlex.split(args.link_flags) + [obj, "-o", exe, "-L" + args.runtime_dir,
                "-Wl,-rpath," + args.runtime_dir, "-lautoprof", "-lpthread"]
        comp = subprocess.run(link, capture_output=True, text=True)
        cmd = link
    comp_err = [l for l in comp.stderr.splitlines()]
    def has_line(text):
        return any(l == text or (l.endswith(": " + text) and " " not in l[:-len(text) - 2])
                   for l in comp_err)
    for key, rest in exp:
        if key == "compile-stderr" and not has_line(rest):
            fail("compile stderr lacks the line %r; got:\n%s" % (rest, comp.stderr))
    if any(k == "compile-fails" for k, _ in exp):
        if comp.returncode == 0:
            fail("compile succeeded but should have failed")
        print("ok: compile failed as expected")
        return
    if comp.returncode != 0:
        fail("compile failed: %s\n%s" % (" ".join(cmd), comp.stderr))

    run = subprocess.run([exe] + run_args, capture_output=True, text=True, env=env, cwd=args.workdir, timeout=120)
    if run.returncode != want_exit:
        fail("exit status %d, expected %d\nstderr:\n%s" % (run.returncode, want_exit, run.stderr))
    for key, rest in exp:
        if key == "skip-if-stdout" and rest in run.stdout:
            print("ok: skipped, the run printed %r" % rest)
            return
    for key, rest in exp:
        if key == "stdout" and rest not in run.stdout:
            fail("stdout lacks %r; got:\n%s" % (rest, run.stdout))
        if key == "stderr" and rest not in run.stderr:
            fail("stderr lacks %r; got:\n%s" % (rest, run.stderr))
        if key == "stderr-lines" and len(run.stderr.splitlines()) != int(rest):
            fail("stderr has %d lines, expected %s:\n%s" % (len(run.stderr.splitlines()), rest, run.stderr))
    profiles = [f for f in os.listdir(args.workdir) if f.startswith("autoprof.") and f.endswith(".json")]
    if any(k == "no-profile" for k, _ in exp):
        if profiles:
            fail("a profile was written: %s" % profiles)
        print("ok: no profile, as expected")
        return
    want = [int(rest) for k, rest in exp if k == "profiles"]
    if want:
        if len(profiles) != want[0]:
            fail("expected %d profiles, found %s" % (want[0], profiles))
        profs = [json.load(open(os.path.join(args.workdir, f))) for f in profiles]
        for key, rest in exp:
            a = rest.split()
            if key == "calls-each":
                got = sorted((func_by_name(q, a[0]) or {}).get("calls", 0) for q in profs)
            elif key == "loop-each":
                got = sorted(sum(l["entries"] + l["zero_trip"] for l in q.get("loops", [])
                                 if l["line"] == int(a[0])) for q in profs)
            else:
                continue
            if got != sorted(int(x) for x in a[1].split(",")):
                fail("%s %s: got %s, expected %s" % (key, a[0], got, a[1]))
        print("ok: %d profiles" % len(profs))
        return
    if len(profiles) != 1:
        fail("expected one profile in %s, found %s\nstderr:\n%s" % (args.workdir, profiles, run.stderr))
    with open(os.path.join(args.workdir, profiles[0])) as fh:
        try:
            prof = json.load(fh)
        except ValueError as e:
            fail("profile is not valid JSON: %s" % e)
    check_profile(prof, exp, run)
    print("ok: %d expectations" % len(exp))

if __name__ == "__main__":
    main()
