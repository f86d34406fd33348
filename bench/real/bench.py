#!/usr/bin/env python3
"""autoprof against its peers on real programs (bench/real/run.sh drives it).

Per program: build every variant once, timing the compiles (CPU time of the
compiler processes); run the variants alternately for ROUNDS rounds after
one warm-up round that also checks each variant's results against the
uninstrumented build; print medians of per-round ratios to the variant's
uninstrumented base.  Prints; never fails on a time."""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from programs import PROGRAMS, prepare_lua  # noqa: E402
from variants import all_variants  # noqa: E402

RUNONE = None  # path of the compiled launcher (runone.c)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def runone(argv, stdin=None, stdout=None, env=None, cwd=None, capture_err=False):
    """(wall s, cpu s, maxrss KiB, status, stderr) of one command."""
    cmd = [RUNONE]
    if stdin:
        cmd += ["-i", stdin]
    if stdout:
        cmd += ["-o", stdout]
    res = subprocess.run(cmd + ["--"] + argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    if res.returncode != 0 or not res.stdout.strip():
        raise RuntimeError(f"runone failed for {argv[0]}: {res.stderr.strip()}")
    wall, cpu, rss, status = res.stdout.split()
    return int(wall) / 1e9, int(cpu) / 1e9, int(rss), int(status), res.stderr


def build_all(prog, variants, work, extra_cflags):
    """Compile prog's sources with every variant, file by file with the
    variants side by side (so a drift of the machine hits them alike), two
    compiles at a time (each compile's CPU time is its own), then link each.
    Returns {key: binary}, {key: compile CPU seconds}, {key: why it failed}."""
    objdir = {v.key: os.path.join(work, "build", prog.name, v.key) for v in variants}
    for d in objdir.values():
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

    def compile_one(task):
        v, i, src = task
        obj = os.path.join(objdir[v.key], f"{i}.o")
        argv = ([v.cc, "-O2"] + prog.cflags + extra_cflags + v.cflags +
                ["-c", os.path.join(prog.srcdir, src), "-o", obj])
        _, cpu, _, status, err = runone(argv)
        return v.key, obj, cpu, None if status == 0 else f"{' '.join(argv)}\n{err.strip()[:2000]}"

    tasks = [(v, i, src) for i, src in enumerate(prog.sources) for v in variants]
    objs, ctime, problems = {v.key: [] for v in variants}, {v.key: 0.0 for v in variants}, {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for key, obj, cpu, err in pool.map(compile_one, tasks):
            objs[key].append(obj)
            ctime[key] += cpu
            if err and key not in problems:
                problems[key] = err
    bins = {}
    for v in variants:
        if v.key in problems:
            continue
        for j, src in enumerate(v.extra):  # the peers' hooks: not timed, not the program's code
            obj = os.path.join(objdir[v.key], f"extra{j}.o")
            subprocess.run([v.cc, "-O2", "-I", os.path.join(ROOT, "runtime", "include"), "-c", src,
                            "-o", obj], check=True)
            objs[v.key].append(obj)
        binary = os.path.join(objdir[v.key], prog.name)
        argv = [v.cc] + objs[v.key] + v.ldflags + prog.libs + ["-o", binary]
        _, cpu, _, status, err = runone(argv)
        ctime[v.key] += cpu
        if status != 0:
            problems[v.key] = f"link: {' '.join(argv)}\n{err.strip()[:2000]}"
        else:
            bins[v.key] = binary
    return bins, ctime, problems


def run_variant(prog, v, binary, inputs, rundir, extra_env=None):
    """One run of the workload: (wall s, CPU s, peak RSS KiB, stderr)."""
    shutil.rmtree(rundir, ignore_errors=True)
    os.makedirs(rundir)
    env = dict(os.environ, **v.env(rundir), **(extra_env or {}))
    wall, cpu, rss, errs = 0.0, 0.0, 0, ""
    for step, (args, stdin, stdout) in enumerate(prog.steps(inputs)):
        if stdin and not os.path.isabs(stdin):
            stdin = os.path.join(rundir, stdin)
        argv = v.wrap([binary] + args, rundir, step)
        w, c, r, status, err = runone(argv, stdin, os.path.join(rundir, stdout), env, rundir)
        if status != 0:
            raise RuntimeError(f"{prog.name}/{v.key} step {step} exited {status}: {err.strip()[:500]}")
        wall, cpu, rss, errs = wall + w, cpu + c, max(rss, r), errs + err
    return wall, cpu, rss, errs


def load_functions(rundir):
    """Per function name over a run's profiles (one per step): calls,
    timed calls, self ns, its reported error (ns, added in quadrature)."""
    out, total = {}, 0
    for path in glob.glob(os.path.join(rundir, "autoprof.*.json")):
        with open(path) as f:
            prof = json.load(f)
        for fn in prof.get("functions", []):
            o = out.setdefault(fn["name"], [0, 0, 0, 0.0])
            o[0] += fn["calls"]
            o[1] += fn.get("timed_calls", fn["calls"])
            o[2] += fn["excl_ns"]
            o[3] = (o[3] ** 2 + (fn.get("time_error", 0) * fn["excl_ns"]) ** 2) ** 0.5
        total += sum(n["incl_ns"] for n in prof.get("callpaths", []) if n["parent"] < 0)
    return out, total


def accuracy(prog, v, binary, inputs, work):
    """Adaptive timing against the same build timed on every call
    (AUTOPROF_EXACT_TIMING=1): counts must agree exactly; self-time shares
    of the top functions side by side, with the error the report gives."""
    runs = {}
    for mode, env in (("exact", {"AUTOPROF_EXACT_TIMING": "1"}), ("adaptive", {})):
        d = os.path.join(work, "run", prog.name, "accuracy-" + mode)
        run_variant(prog, v, binary, inputs, d, env)
        runs[mode] = load_functions(d)
    (ex, ext), (ad, adt) = runs["exact"], runs["adaptive"]
    same = sum(ex[k][0] == ad.get(k, [None])[0] for k in ex)
    print(f"\n-- accuracy of adaptive timing ({prog.name}, default policy; a second run of the same "
          f"build with AUTOPROF_EXACT_TIMING=1):\n   functions with the same calls in both runs: "
          f"{same} of {len(ex)}; self time as a share of each run's time, with the error the "
          f"report gives")
    print(f"{'function':<28}{'calls':>14}{'timed':>8}{'exact':>9}{'adaptive':>10}{'+-95%':>8}")
    for name in sorted(ex, key=lambda k: -ex[k][2])[:8]:
        e, a = ex[name], ad.get(name, [0, 0, 0, 0.0])
        timed = f"{100.0 * a[1] / a[0]:.0f}%" if a[0] else "-"
        err = f"{100.0 * a[3] / adt:.1f}" if adt else "-"
        print(f"{name[:27]:<28}{e[0]:>14,}{timed:>8}{100.0 * e[2] / max(ext, 1):>8.1f}%"
              f"{100.0 * a[2] / max(adt, 1):>9.1f}%{err:>8}")


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def bench_program(prog, variants, work, rounds, extra_cflags):
    print(f"\n== {prog.name} (Debian source package {prog.package}: {prog.srcdir})", flush=True)
    inputs = prog.inputs(work)
    buildable = [v for v in variants if not v.problem and not v.binary_of and not v.after]
    bins, ctime, failed = build_all(prog, buildable, work, extra_cflags)
    problems = {v.key: v.problem for v in variants if v.problem}
    for key, err in failed.items():
        problems[key] = "build failed: " + err.splitlines()[-1][:200]
        print(f"  {key}: build failed:\n{err}", file=sys.stderr)
    for v in variants:
        if v.binary_of and not v.problem:
            if v.binary_of in bins:
                bins[v.key], ctime[v.key] = bins[v.binary_of], ctime[v.binary_of]
            else:
                problems[v.key] = problems.get(v.binary_of, "its build failed")
    rundir = {v.key: os.path.join(work, "run", prog.name, v.key) for v in variants}
    # warm-up round: page cache, and every variant must compute what plain does;
    # a variant built from another's run (the tuned policy) is built when
    # that one has run
    for t in [t for t in variants if t.after and not t.problem]:
        try:
            if t.after not in bins:
                raise RuntimeError(f"{t.after} was not built")
            run_variant(prog, t, bins[t.after], inputs, rundir[t.after])
            _, excluded = t.make_policy(rundir[t.after], os.path.join(work, "build", prog.name))
            b, c, f = build_all(prog, [t], work, extra_cflags)
            if f:
                raise RuntimeError(f[t.key].splitlines()[-1][:200])
            bins.update(b)
            ctime.update(c)
            t.label = f"autoprof, 1st run's policy (-{excluded})"
        except (RuntimeError, subprocess.CalledProcessError) as e:
            problems[t.key] = "tuning failed: " + str(e).splitlines()[0][:200]
    live = [v for v in variants if v.key in bins]
    ref = None
    for v in list(live):
        try:
            run_variant(prog, v, bins[v.key], inputs, rundir[v.key])
            bad = prog.check(rundir[v.key], inputs)
            outs = [open(os.path.join(rundir[v.key], s[2]), "rb").read()
                    for s in prog.steps(inputs)]
            ref = ref or outs
            if bad or outs != ref:
                raise RuntimeError(bad or "output differs from the uninstrumented build's")
        except RuntimeError as e:
            problems[v.key] = "run failed: " + str(e).splitlines()[0][:200]
            live.remove(v)
    times = {v.key: [] for v in live}
    rss = {v.key: [] for v in live}
    for r in range(rounds):
        for v in live:  # alternate: a drift of the machine hits every variant alike
            wall, cpu, peak, _ = run_variant(prog, v, bins[v.key], inputs, rundir[v.key])
            times[v.key].append((wall, cpu))
            rss[v.key].append(peak)
    print_table(prog, inputs, variants, bins, rundir, times, rss, ctime, problems)
    ap_default = next((v for v in live if v.key == "ap_default"), None)
    if ap_default:
        accuracy(prog, ap_default, bins[ap_default.key], inputs, work)
    if os.environ.get("BENCH_VERBOSE"):
        for k, t in times.items():
            print(f"  raw {k} (wall/cpu s): " + " ".join(f"{w:.3f}/{c:.3f}" for w, c in t))


def count_runner(prog, v, binary, inputs, rundir):
    """For a variant whose probes are only known by running it again (with
    an environment that makes it print them): run, sum a regex over stderr."""
    def run_count(key, env, regex):
        d = rundir + ".count"
        _, _, _, err = run_variant(prog, v, binary, inputs, d, env)
        shutil.rmtree(d, ignore_errors=True)
        return {"calls": sum(int(m) for m in re.findall(regex, err))}
    return run_count


def print_table(prog, inputs, variants, bins, rundir, times, rss, ctime, problems):
    print(f"{'variant':<34}{'cpu':>8}{'ratio':>8}{'best':>8}{'wall':>8}{'ns/probe':>10}"
          f"{'probes':>15}"
          f"{'output':>11}{'compile':>9}{'peak RSS':>11}")
    for v in variants:
        if v.key not in times:
            print(f"{v.label:<34}  n/a: {problems.get(v.key, 'not measured')}")
            continue
        base = v.base or "plain"
        bt, t = times.get(base), times[v.key]
        cpu = [c for _, c in t]
        bcpu = [c for _, c in bt] if bt else None
        ratio = (lambda i: statistics.median(a[i] / b[i] for a, b in zip(t, bt)) if bt
                 else float("nan"))
        # other people's jobs on the machine only ever add time: the fastest
        # run of each is the least disturbed one
        best = min(cpu) / min(bcpu) if bcpu else float("nan")
        p = v.probes(rundir[v.key], bins[v.key],
                     count_runner(prog, v, bins[v.key], inputs, rundir[v.key]))
        n = None if p is None else p["calls"] + p.get("loop_exits", 0)
        per = (statistics.median((a - b) / n * 1e9 for a, b in zip(cpu, bcpu))
               if n and bcpu and v.base else None)
        outs = v.outputs(rundir[v.key])
        size = sum(os.path.getsize(x) if os.path.isfile(x) else dir_size(x) for x in outs)
        cratio = ctime[v.key] / ctime[base] if base in ctime else float("nan")
        label = v.label + ("" if base == "plain" else f" (vs {base})")
        print(f"{label:<34}{statistics.median(cpu):>7.3f}s{ratio(1):>7.3f}x{best:>7.3f}x"
              f"{ratio(0):>7.3f}x"
              f"{(f'{per:.1f}' if per is not None else '-'):>10}"
              f"{(f'{n:,}' if n is not None else 'n/a'):>15}"
              f"{(human(size) if outs else '-'):>11}"
              f"{cratio:>8.2f}x{human(statistics.median(rss[v.key]) * 1024):>11}")
        if p and (p.get("folded") or p.get("lost")):
            print(f"{'':<34}(autoprof: {p['folded']:,} calls folded, {p['lost']:,} frames untimed)")
        if p and "loop_exits" in p:
            print(f"{'':<34}(= {p['calls']:,} calls + {p['loop_exits']:,} loop exits)")
    print(f"cpu: median user+sys time of the run over {len(times.get('plain', []))} rounds; "
          "ratio: median of per-round cpu ratios to the base build;\n"
          "best: fastest cpu time over the base's fastest; wall: median ratio of wall times; "
          "ns/probe: median of (cpu - base cpu) / probes; compile: compiler CPU time ratio")


def dir_size(path):
    total = 0
    for d, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    return total


def callgrind(prog, inputs, work, variants):
    """Instructions executed (repeatable, unlike times) by a short workload."""
    if not shutil.which("valgrind"):
        print("\ncallgrind: valgrind not installed (see bench/README.md)")
        return
    steps = prog.small(inputs)
    what = "; ".join(" ".join(os.path.basename(a) for a in args) +
                     (f" < {os.path.basename(stdin)}" if stdin else "") for args, stdin, _ in steps)
    print(f"\n== callgrind: instructions executed by {prog.name} {what}")
    base = None
    for v in variants:
        binary = os.path.join(work, "build", prog.name, v.key, prog.name)
        if not os.path.exists(binary):
            print(f"{v.label:<34}  n/a: not built")
            continue
        d = os.path.join(work, "run", "callgrind", prog.name, v.key)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        # Under valgrind every call looks ~50x longer: scale adaptive timing's
        # threshold alike, so it samples the calls it samples natively.
        env = dict(os.environ, **v.env(d), AUTOPROF_SAMPLE_BELOW_NS="50000")
        ir = 0
        for args, stdin, stdout in steps:
            with open(stdin or os.devnull, "rb") as fin, open(os.path.join(d, stdout), "wb") as fout:
                res = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                                      binary] + args, env=env, cwd=d, stdin=fin, stdout=fout,
                                     stderr=subprocess.PIPE, text=True)
            m = re.search(r"Collected : (\d+)", res.stderr)
            if res.returncode != 0 or not m:
                print(f"{v.label:<34}  n/a: valgrind failed: {res.stderr.strip()[-200:]}")
                ir = None
                break
            ir += int(m.group(1))
        if ir is None:
            continue
        base = base or ir
        p = v.probes(d, binary, None)
        n = None if p is None else p["calls"] + p.get("loop_exits", 0)
        extra = (f"{(ir - base) / n:>8.1f} instructions/probe ({n:,} probes)"
                 if n and ir != base else "")
        print(f"{v.label:<34}{ir:>16,} Ir{ir / base:>8.3f}x  {extra}")


def main():
    global RUNONE
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--work", required=True)
    ap.add_argument("--src", action="append", default=[], help="NAME=DIR of a fetched source")
    ap.add_argument("--programs", default="bzip2,lua,zlib")
    ap.add_argument("--runone", required=True)
    ap.add_argument("--callgrind", type=int, default=1, help="0: skip the callgrind runs")
    args = ap.parse_args()
    RUNONE = args.runone
    srcs = dict(s.split("=", 1) for s in args.src)
    variants = all_variants(args.build)
    print(f"bench/real: {args.rounds} rounds, build {args.build}")
    for name in args.programs.split(","):
        prog = PROGRAMS[name]
        prog.srcdir = os.path.join(srcs[name], prog.subdir)
        extra = prepare_lua(prog.srcdir, os.path.join(args.work, "gen")) if name == "lua" else []
        bench_program(prog, variants, args.work, args.rounds, extra)
        if prog.small and args.callgrind:
            pick = [v for v in variants if v.key in ("plain", "ap_default", "ap_every", "ap_loops",
                                                  "ap_code", "ap_tuned")]
            callgrind(prog, prog.inputs(args.work), args.work, pick)


if __name__ == "__main__":
    main()
