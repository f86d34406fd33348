"""The real programs of bench/real: where their sources are, how to build
them, what one run does and how to tell it worked.  Sources come from
Debian's source packages (scripts/fetch-debian-src.sh); nothing of theirs is
kept in this repository."""
import filecmp
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def make_text(path, size, seed):
    """Deterministic text-like data: Zipf-distributed words and numbers, so
    the compressors have realistic work (not all-random, not all-zero)."""
    if os.path.exists(path) and os.path.getsize(path) >= size:
        return
    rng = random.Random(seed)
    letters = "etaoinshrdlucmfwypvbgkjqxz"
    vocab = ["".join(rng.choice(letters[: rng.randint(6, 26)]) for _ in range(rng.randint(2, 10)))
             for _ in range(4000)]
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    out, total = [], 0
    while total < size:
        line = " ".join(rng.choices(vocab, weights, k=12)) + f" {rng.randint(0, 99999)}\n"
        out.append(line)
        total += len(line)
    with open(path + ".tmp", "w") as f:
        f.write("".join(out)[:size])
    os.replace(path + ".tmp", path)


class Program:
    """name: Debian source package; subdir: where the .c files are; sources:
    those compiled into the program; steps(binary, inputs): one run, as a list
    of (argv tail, stdin path or None, stdout file name); check(rundir, inputs):
    None if the run's results are right, else what is wrong."""

    def __init__(self, name, package, subdir, sources, cflags, libs, steps, check, inputs,
                 small=None):
        self.name, self.package, self.subdir = name, package, subdir
        self.sources, self.cflags, self.libs = sources, cflags, libs
        self.steps, self.check, self.inputs = steps, check, inputs
        self.small = small  # a short workload for callgrind, like steps, or None
        self.srcdir = None  # set once fetched


def _roundtrip(compressed, back):
    def check(rundir, inputs):
        if not filecmp.cmp(os.path.join(rundir, back), inputs["data"], shallow=False):
            return f"{back} differs from the input (round trip through {compressed} failed)"
        return None
    return check


def _bzip2_inputs(work):
    path, small = os.path.join(work, "bzip2-input.txt"), os.path.join(work, "bzip2-small.txt")
    make_text(path, 4 << 20, 1)
    make_text(small, 512 << 10, 1)
    return {"data": path, "small": small}


def _zlib_inputs(work):
    path = os.path.join(work, "zlib-input.txt")
    make_text(path, 8 << 20, 2)
    return {"data": path}


def _lua_inputs(work):
    return {"script": os.path.join(HERE, "bench.lua")}


def _lua_check(rundir, inputs):
    with open(os.path.join(rundir, "out.txt")) as f:
        lines = f.read().split("\n")
    return None if lines[0] == "fib\t832040" and len(lines) == 6 else "unexpected output"


BZIP2 = Program(
    "bzip2", "bzip2", ".",
    ["blocksort.c", "huffman.c", "crctable.c", "randtable.c", "compress.c", "decompress.c",
     "bzlib.c", "bzip2.c"],
    ["-D_FILE_OFFSET_BITS=64"], [],
    lambda inp: [(["-9", "-c"], inp["data"], "z.bz2"), (["-d", "-c"], "z.bz2", "back.txt")],
    _roundtrip("z.bz2", "back.txt"), _bzip2_inputs,
    lambda inp: [(["-9", "-c"], inp["small"], "z.bz2")])

LUA = Program(
    "lua", "lua5.4", "src",
    ["lapi.c", "lcode.c", "lctype.c", "ldebug.c", "ldo.c", "ldump.c", "lfunc.c", "lgc.c",
     "llex.c", "lmem.c", "lobject.c", "lopcodes.c", "lparser.c", "lstate.c", "lstring.c",
     "ltable.c", "ltm.c", "lundump.c", "lvm.c", "lzio.c", "lauxlib.c", "lbaselib.c",
     "lcorolib.c", "ldblib.c", "liolib.c", "lmathlib.c", "loadlib.c", "loslib.c", "lstrlib.c",
     "ltablib.c", "lutf8lib.c", "linit.c", "lua.c"],
    ["-DLUA_COMPAT_5_3", "-DLUA_USE_LINUX"], ["-lm", "-ldl"],
    lambda inp: [([inp["script"], "1"], None, "out.txt")],
    _lua_check, _lua_inputs,
    lambda inp: [([inp["script"], "0.05"], None, "out.txt")])

ZLIB = Program(
    "zlib", "zlib", ".",
    ["adler32.c", "crc32.c", "deflate.c", "infback.c", "inffast.c", "inflate.c", "inftrees.c",
     "trees.c", "zutil.c", "compress.c", "uncompr.c", "gzclose.c", "gzlib.c", "gzread.c",
     "gzwrite.c", "test/minigzip.c"],
    ["-D_LARGEFILE64_SOURCE=1", "-DHAVE_HIDDEN"], [],
    lambda inp: [(["-9"], inp["data"], "z.gz"), (["-d"], "z.gz", "back.txt")],
    _roundtrip("z.gz", "back.txt"), _zlib_inputs)

PROGRAMS = {p.name: p for p in (BZIP2, LUA, ZLIB)}


def prepare_lua(srcdir, gendir):
    """Debian's luaconf.h includes a header its build generates."""
    os.makedirs(gendir, exist_ok=True)
    with open(os.path.join(gendir, "lua5.4-deb-multiarch.h"), "w") as f:
        f.write('#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"\n'
                '#define LUA_ROOT "/usr/local/"\n#define LUA_ROOT2 "/usr/"\n')
    return ["-I" + gendir]
