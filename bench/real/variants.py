"""How each variant of bench/real is built and run, and how many probes its
output says ran.  A variant is measured against its `base` (the
uninstrumented build of the same compiler), so XRay is compared with clang
-O2, everything else with gcc -O2."""
import glob
import json
import os
import re
import shutil
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Variant:
    def __init__(self, key, label, cc="gcc", cflags=(), ldflags=(), extra=(), base="plain",
                 binary_of=None, needs=()):
        self.key, self.label, self.cc = key, label, cc
        self.cflags, self.ldflags, self.extra = list(cflags), list(ldflags), list(extra)
        self.base, self.binary_of, self.needs = base, binary_of, list(needs)
        self.problem = None  # why it cannot be measured here, if it cannot
        self.after = None  # built once this variant has run (see AutoprofTuned)

    def env(self, rundir):
        return {}

    def wrap(self, argv, rundir, step):
        return argv

    def outputs(self, rundir):
        """The profiler's output files (for their size)."""
        return []

    def probes(self, rundir, binary, run_count):
        """Probes executed in the run whose outputs are in rundir, or None."""
        return None


class Autoprof(Variant):
    def __init__(self, key, label, build, policy=None):
        plugin = os.path.join(build, "lib", "autoprof", "autoprof.so")
        rtdir = os.path.join(build, "runtime")
        flags = ["-fplugin=" + plugin]
        if policy:
            flags.append("-fplugin-arg-autoprof-policy=" + os.path.join(HERE, policy))
        super().__init__(key, label, cflags=flags,
                         ldflags=["-L" + rtdir, "-Wl,-rpath," + rtdir, "-lautoprof", "-lpthread"])
        if not os.path.exists(plugin):
            self.problem = f"no plugin at {plugin} (build autoprof first)"

    def env(self, rundir):
        return {"AUTOPROF_OUTPUT": os.path.join(rundir, "autoprof.%p"), "AUTOPROF_QUIET": "1"}

    def outputs(self, rundir):
        return glob.glob(os.path.join(rundir, "autoprof.*"))

    def probes(self, rundir, binary, run_count):
        """Instrumented calls (one enter + one exit probe each) plus loop exits
        (one record per exit of an outermost loop, inline or a call; inner loops
        report through their nest)."""
        total = {"calls": 0, "loop_exits": 0, "folded": 0, "lost": 0}
        for path in glob.glob(os.path.join(rundir, "autoprof.*.json")):
            with open(path) as f:
                prof = json.load(f)
            total["calls"] += sum(fn.get("calls", 0) for fn in prof.get("functions", []))
            total["loop_exits"] += sum(lp.get("entries", 0) + lp.get("zero_trip", 0)
                                       for lp in prof.get("loops", []) if lp.get("depth") == 1)
            total["folded"] += prof.get("folded_calls", 0)
            total["lost"] += prof.get("lost_frames", 0)
        return total


class AutoprofTuned(Autoprof):
    """The two-run workflow: the default build's profile of the same workload
    (its warm-up run), `autoprof policy suggest` on it (the profiles of the
    steps merged first), and the program built again with that policy —
    the default policy without the functions whose probes cost more than
    they tell.  Built once the default build has run (bench.py)."""

    def __init__(self, build):
        super().__init__("ap_tuned", "autoprof, policy from a 1st run", build)
        self.cli = os.path.join(build, "tools", "autoprof")
        self.after = "ap_default"  # built from that variant's warm-up profiles
        if not self.problem and not os.path.exists(self.cli):
            self.problem = f"no autoprof command at {self.cli} (build autoprof first)"

    def make_policy(self, profile_dir, out_dir):
        """Writes the suggested policy; returns its path and how many
        functions it leaves out."""
        profiles = sorted(glob.glob(os.path.join(profile_dir, "autoprof.*.json")))
        if not profiles:
            raise RuntimeError(f"no profile in {profile_dir}")
        merged = os.path.join(out_dir, "first-run.json")
        subprocess.run([self.cli, "merge"] + profiles + ["-o", merged], check=True,
                       stdout=subprocess.DEVNULL)
        policy = os.path.join(out_dir, "suggested.yaml")
        with open(policy, "w") as f:
            subprocess.run([self.cli, "policy", "suggest", merged], check=True, stdout=f)
        with open(policy) as f:
            excluded = sum(1 for line in f if line.startswith("    - "))
        self.cflags = [c for c in self.cflags if "-policy=" not in c]
        self.cflags.append("-fplugin-arg-autoprof-policy=" + policy)
        return policy, excluded


class AutoprofCode(Variant):
    """The default policy's objects linked with null_runtime.c instead of
    libautoprof: what the instrumented code costs before any runtime work
    (the floor no runtime can go below).  No output, no probe count."""

    def __init__(self, build):
        plugin = os.path.join(build, "lib", "autoprof", "autoprof.so")
        super().__init__("ap_code", "autoprof default, null runtime", cflags=["-fplugin=" + plugin],
                         extra=[os.path.join(HERE, "null_runtime.c")])
        if not os.path.exists(plugin):
            self.problem = f"no plugin at {plugin} (build autoprof first)"


class Finstrument(Variant):
    def __init__(self):
        super().__init__("finstr", "-finstrument-functions + hook",
                         cflags=["-finstrument-functions"],
                         extra=[os.path.join(ROOT, "bench", "callcost", "finstrument_hook.c")])

    def probes(self, rundir, binary, run_count):
        return run_count("finstr", {"HOOK_VERBOSE": "1"}, r"hook: (\d+) calls")


class Gprof(Variant):
    def __init__(self):
        super().__init__("gprof", "gprof (-pg)", cflags=["-pg"], ldflags=["-pg"], needs=["gprof"])

    def env(self, rundir):
        return {"GMON_OUT_PREFIX": os.path.join(rundir, "gmon.out")}

    def outputs(self, rundir):
        return glob.glob(os.path.join(rundir, "gmon.out.*"))

    def probes(self, rundir, binary, run_count):
        """mcount calls: the flat profile's `calls` column, summed."""
        total = 0
        for gmon in self.outputs(rundir):
            out = subprocess.run(["gprof", "-b", "-p", binary, gmon], capture_output=True,
                                 text=True).stdout
            for line in out.splitlines():
                f = line.split()
                if len(f) >= 7 and f[3].isdigit():
                    total += int(f[3])
        return {"calls": total}


class Uftrace(Variant):
    def __init__(self):
        super().__init__("uftrace", "uftrace record (-pg)", binary_of="gprof",
                         needs=["uftrace"])

    def env(self, rundir):
        return {"GMON_OUT_PREFIX": os.path.join(rundir, "gmon.out")}

    def wrap(self, argv, rundir, step):
        return ["uftrace", "record", "-d", os.path.join(rundir, f"uftrace.{step}")] + argv

    def outputs(self, rundir):
        return glob.glob(os.path.join(rundir, "uftrace.*"))

    def probes(self, rundir, binary, run_count):
        """Calls recorded (`uftrace report`), library calls included, kernel
        events (`linux:`) left out."""
        total = 0
        for d in self.outputs(rundir):
            out = subprocess.run(["uftrace", "report", "-d", d], capture_output=True,
                                 text=True).stdout
            for line in out.splitlines():
                m = re.match(r"\s*[\d.]+ \S+\s+[\d.]+ \S+\s+(\d+)\s+(\S+)", line)
                if m and not m.group(2).startswith("linux:"):
                    total += int(m.group(1))
        return {"calls": total}


class Xray(Variant):
    def __init__(self):
        super().__init__("xray", "XRay, profiling mode", cc="clang",
                         cflags=["-fxray-instrument", "-fxray-instruction-threshold=1"],
                         ldflags=["-fxray-instrument", "-fxray-modes=xray-profiling",
                                  "-Wl,--wrap=main"],
                         extra=[os.path.join(HERE, "xray_start.c")], base="clang", needs=["clang"])

    def env(self, rundir):
        # The default per-thread allocator (16 KiB) runs out within
        # milliseconds on Lua and XRay then drops nearly every call (362 of
        # ~47 million recorded); 16 MiB x 8 buffers keeps them all.
        return {"XRAY_OPTIONS": f"xray_logfile_base={rundir}/xray-log. verbosity=0",
                "XRAY_PROFILING_OPTIONS": "per_thread_allocator_max=16777216 buffers_max=8"}

    def outputs(self, rundir):
        return glob.glob(os.path.join(rundir, "xray-log.*"))

    def probes(self, rundir, binary, run_count):
        """Sum of the call counts of every call-path node in the profiling
        mode's binary log (format of compiler-rt's xray_profile_collector:
        a 32-byte file header, then per thread a 16-byte block header and
        records: function ids, a 0 sentinel, u64 call count, u64 local time)."""
        total = 0
        for path in self.outputs(rundir):
            with open(path, "rb") as f:
                data = f.read()
            off = 32
            while off + 16 <= len(data):
                size = struct.unpack_from("<I", data, off)[0]
                end, p = off + size, off + 16
                while p < end:
                    while struct.unpack_from("<i", data, p)[0] != 0:
                        p += 4
                    total += struct.unpack_from("<Q", data, p + 4)[0]
                    p += 20
                off = end
        return {"calls": total}


def all_variants(build):
    vs = [
        Variant("plain", "uninstrumented gcc -O2", base=None),
        Autoprof("ap_default", "autoprof, default policy", build),
        Autoprof("ap_every", "autoprof, every function", build, "every.yaml"),
        Autoprof("ap_loops", "autoprof, loop counts only", build, "loops.yaml"),
        AutoprofCode(build),
        AutoprofTuned(build),
        Finstrument(),
        Gprof(),
        Uftrace(),
        Variant("clang", "uninstrumented clang -O2", cc="clang", needs=["clang"]),
        Xray(),
    ]
    for v in vs:
        missing = [t for t in v.needs if not shutil.which(t)]
        if missing and not v.problem:
            v.problem = f"{', '.join(missing)} not installed (see bench/README.md)"
    return vs
