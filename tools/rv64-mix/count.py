#!/usr/bin/env python3
"""Counts, class by class, the RISC-V instructions the host CPU's float operations execute, and writes
data/cpu/rv64-mix.tsv, which chapter 6 (gemmini-case-study) prices with the Rocket latencies of HostCPUCostModel.

What it does:
  1. compiles kernels.c with riscv64-linux-gnu-gcc -O2 -static -march=rv64gc (in a temporary folder; nothing
     compiled is written into the repository);
  2. runs each operation twice (or, row-wise, three times) under qemu-riscv64 with one instruction per
     translation block and every executed block logged (-singlestep -d in_asm,exec,nochain): the in_asm lines
     give each address's mnemonic, the exec lines the address of every executed instruction, in order;
  3. counts the instructions between the first instruction of region_begin() and the first of region_end() that
     the operation's own function executes, and apart from them those of the functions it calls, each call
     counted under the function the operation called (so erff's inner expf stays erff's);
  4. classifies each mnemonic into HostCPUCostModel's classes (a mnemonic it does not know stops the run);
  5. takes per-element counts as the difference of two runs over N and 2N elements (per row: of R and 2R rows),
     and writes them with the tool chain's versions and the sha256 of kernels.c.

expf and erff are kept apart (instructions per call, calls per element), so the model's libm scale still acts on
them; any other function the kernel calls (GCC 12 calls glibc's fmaxf, fminf, lrintf and sqrtf rather than
inlining them) is counted in the operation's own row and named in an @helpers line.

It installs nothing. On Debian 12 the tool chain is:
    apt-get install gcc-riscv64-linux-gnu qemu-user
(gcc-riscv64-linux-gnu brings libc6-dev-riscv64-cross, glibc for static linking; qemu-user brings
qemu-riscv64. qemu-user-static works too: pass --qemu qemu-riscv64-static.)

Usage, from the repository root:
    python3 tools/rv64-mix/count.py              # writes data/cpu/rv64-mix.tsv
    python3 tools/rv64-mix/count.py --out /tmp/mix.tsv
"""

import argparse
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from bisect import bisect_right
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = HERE / "kernels.c"
FLAGS = ["-O2", "-static", "-march=rv64gc"]
CLASSES = ["integer", "branch", "load", "store", "convert", "fma", "divide"]
LIBM = ["expf", "erff"]

# The runs: element-wise operations over N and 2N elements; row-wise ones over (R, L), (R, 2L) and (2R, L).
ELEMENTS = 4096
ROWWISE = {"softmax": (4, 256), "layernorm": (4, 384)}
ELEMENTWISE = ["dequantize", "quantize", "gelu", "resadd"]
OPERATIONS = ["dequantize", "quantize", "softmax", "layernorm", "gelu", "resadd"]

# Mnemonic -> class. qemu's disassembler prints compressed instructions with their base names (c.addi as addi)
# and uses the usual pseudo-instructions (mv, li, ret, j, beqz, fmv.s, fabs.s, ...).
INTEGER = """add addi addiw addw sub subw lui auipc and andi or ori xor xori sll slli slliw sllw srl srli srliw srlw
    sra srai sraiw sraw slt slti sltiu sltu mv li nop neg negw not sext.w seqz snez sltz sgtz
    mul mulh mulhsu mulhu mulw div divu divw divuw rem remu remw remuw""".split()
BRANCH = """beq bne blt bge bltu bgeu beqz bnez blez bgez bltz bgtz bgt ble bgtu bleu j jal jalr jr ret call tail""".split()
LOAD = "lb lbu lh lhu lw lwu ld flw fld".split()
STORE = "sb sh sw sd fsw fsd".split()
FMA = """fadd fsub fmul fmadd fmsub fnmadd fnmsub""".split()
DIVIDE = "fdiv fsqrt".split()
CONVERT = """fcvt feq flt fle fmin fmax fmv fsgnj fsgnjn fsgnjx fneg fabs fclass frrm fsrm frflags fsflags frcsr fscsr""".split()


def classify(mnemonic):
    """The model's class of one mnemonic; None when unknown (the caller stops)."""
    m = mnemonic.lower()
    if m.startswith("c."):
        m = m[2:]
    if m in INTEGER:
        return "integer"
    if m in BRANCH:
        return "branch"
    if m in LOAD:
        return "load"
    if m in STORE:
        return "store"
    # Floating point: the name up to its first dot (fmadd.s, fcvt.w.s, fmv.x.w, fsgnjx.d).
    base = m.split(".")[0]
    if base in FMA:
        return "fma"
    if base in DIVIDE:
        return "divide"
    if base in CONVERT:
        return "convert"
    return None


def tool(name, *args):
    path = shutil.which(name)
    if not path:
        sys.exit(f"count.py: {name} not found; on Debian: apt-get install gcc-riscv64-linux-gnu qemu-user")
    return [path, *args]


def first_line(command):
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()[0].strip()


class Symbols:
    """Function symbols of the static binary: address ranges and every name at an address."""

    def __init__(self, nm, binary):
        out = subprocess.run([nm, "-S", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
        ranges = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) != 4 or parts[2] not in "TtWw":
                continue
            start, size, name = int(parts[0], 16), int(parts[1], 16), parts[3]
            names, end = ranges.get(start, (set(), start + size))
            names.add(name)
            ranges[start] = (names, max(end, start + size))
        self.starts = sorted(ranges)
        self.ranges = ranges
        self.entry = {}
        for start, (names, _) in ranges.items():
            for name in names:
                self.entry[name] = start

    def function(self, pc):
        """The start address of the function holding pc, or None."""
        i = bisect_right(self.starts, pc) - 1
        if i < 0:
            return None
        start = self.starts[i]
        return start if pc < self.ranges[start][1] else None

    def name(self, start):
        """A readable name: the shortest one without leading underscores, else the shortest."""
        names = sorted(self.ranges[start][0], key=lambda n: (n.startswith("_"), len(n), n))
        return names[0]

    def canonical(self, start):
        """The libm name (expf, erff) the function answers to, if any."""
        for name in LIBM:
            if name in self.ranges[start][0]:
                return name
        return None


EXEC = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
ASM = re.compile(r"^0x([0-9a-f]+):\s+[0-9a-f]+\s+(\S+)")


def run_counted(qemu, binary, symbols, kernel, args):
    """Runs one operation under qemu and returns (own class counts, {callee: class counts}, {callee: calls})."""
    begin, end = symbols.entry["region_begin"], symbols.entry["region_end"]
    kernel_start = symbols.entry[kernel]
    with tempfile.TemporaryDirectory() as folder:
        fifo = os.path.join(folder, "trace")
        os.mkfifo(fifo)
        process = subprocess.Popen(qemu + ["-singlestep", "-d", "in_asm,exec,nochain", "-D", fifo, binary, *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        output = {}
        reader = threading.Thread(target=lambda: output.update(stdout=process.stdout.read(), stderr=process.stderr.read()))
        reader.start()
        mnemonic = {}
        own, callees, calls = Counter(), {}, Counter()
        state = "before"       # before, inside, after
        top = None              # the function main called (region_begin or the kernel)
        callee = None           # the function the kernel called, while it runs
        block_lines = 0
        with open(fifo) as log:
            for line in log:
                if line.startswith("0x"):
                    m = ASM.match(line)
                    if not m:
                        sys.exit(f"count.py: cannot read qemu's disassembly line {line!r}")
                    pc, name = int(m.group(1), 16), m.group(2)
                    if mnemonic.get(pc, name) != name:
                        sys.exit(f"count.py: address {pc:#x} disassembled as both {mnemonic[pc]} and {name}")
                    mnemonic[pc] = name
                    block_lines += 1
                    if block_lines > 1:
                        sys.exit("count.py: a translation block holds more than one instruction (is -singlestep on?)")
                    continue
                if line.startswith("IN:"):
                    block_lines = 0
                    continue
                m = EXEC.match(line)
                if not m:
                    continue
                pc = int(m.group(1), 16)
                if state == "before":
                    if pc != begin:
                        continue
                    state = "inside"
                if state == "after":
                    continue
                if pc == end:
                    state = "after"
                    continue
                function = symbols.function(pc)
                if function is None:
                    sys.exit(f"count.py: executed address {pc:#x} lies in no function symbol")
                if symbols.name(function) == "main":
                    top = callee = None
                    continue
                if top is None:
                    top = function
                if top != kernel_start:
                    continue
                if function == kernel_start:
                    callee = None
                    counts = own
                else:
                    if callee is None:
                        callee = function
                        calls[callee] += 1
                    counts = callees.setdefault(callee, Counter())
                if pc not in mnemonic:
                    sys.exit(f"count.py: no disassembly for executed address {pc:#x}")
                kind = classify(mnemonic[pc])
                if kind is None:
                    sys.exit(f"count.py: mnemonic '{mnemonic[pc]}' at {pc:#x} has no class; add it to count.py's table")
                counts[kind] += 1
        process.wait()
        reader.join()
        if process.returncode != 0:
            sys.exit(f"count.py: kernels {' '.join(args)} exited with {process.returncode}: {output.get('stderr', '')}")
        if state != "after":
            sys.exit(f"count.py: kernels {' '.join(args)}: the counted region never closed")
        return own, callees, calls, output["stdout"].strip()


def split(symbols, own, callees, calls):
    """Own counts (helpers folded in), libm counts by name, libm calls by name, helper calls by name."""
    own = Counter(own)
    libm, libm_calls, helpers = {n: Counter() for n in LIBM}, Counter(), Counter()
    for start, counts in callees.items():
        name = symbols.canonical(start)
        if name:
            libm[name] += counts
            libm_calls[name] += calls[start]
        else:
            own += counts
            helpers[symbols.name(start)] += calls[start]
    return own, libm, libm_calls, helpers


def difference(a, b, scale):
    return {k: (a.get(k, 0) - b.get(k, 0)) / scale for k in set(a) | set(b)}


def number(x):
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "data/cpu/rv64-mix.tsv"), help="where to write the table")
    parser.add_argument("--gcc", default="riscv64-linux-gnu-gcc")
    parser.add_argument("--qemu", default="qemu-riscv64")
    args = parser.parse_args()

    gcc = tool(args.gcc)
    nm = tool(args.gcc.replace("gcc", "nm"))[0]
    qemu = tool(args.qemu)
    source = SOURCE.read_bytes()
    sha = hashlib.sha256(source).hexdigest()
    with tempfile.TemporaryDirectory() as folder:
        binary = os.path.join(folder, "kernels")
        subprocess.run(gcc + FLAGS + ["-o", binary, str(SOURCE), "-lm"], check=True)
        symbols = Symbols(nm, binary)

        rows, helper_lines, libm_totals, run_lines = [], [], {n: Counter() for n in LIBM}, []
        libm_call_totals = Counter()

        def measure(op, *counts):
            own, callees, calls, printed = run_counted(qemu, binary, symbols, op, [op, *map(str, counts)])
            run_lines.append(f"{op} {' '.join(map(str, counts))} -> {printed.split()[-1]}")
            return split(symbols, own, callees, calls)

        for op in OPERATIONS:
            if op in ROWWISE:
                r, n = ROWWISE[op]
                base, longer, more = measure(op, r, n), measure(op, r, 2 * n), measure(op, 2 * r, n)
                elements = r * n
            else:
                base, longer = measure(op, ELEMENTS), measure(op, 2 * ELEMENTS)
                more, elements = None, ELEMENTS
            per_element = difference(longer[0], base[0], elements)
            calls = difference(longer[2], base[2], elements)
            row = [op, "element"] + [number(per_element.get(c, 0)) for c in CLASSES] + [number(calls.get(n, 0)) for n in LIBM]
            rows.append(row)
            for name in LIBM:
                libm_totals[name] += longer[1][name] - base[1][name]
                libm_call_totals[name] += longer[2][name] - base[2][name]
            helpers = difference(longer[3], base[3], elements)
            if any(helpers.values()):
                helper_lines.append(f"{op}: " + ", ".join(f"{name} {number(v)}" for name, v in sorted(helpers.items()) if v))
            if more is not None:
                r, n = ROWWISE[op]
                per_rows = difference(more[0], base[0], r)
                per_row = {c: per_rows.get(c, 0) - n * per_element.get(c, 0) for c in CLASSES}
                row_calls = difference(more[2], base[2], r)
                row_calls = {name: row_calls.get(name, 0) - n * calls.get(name, 0) for name in LIBM}
                rows.append([op, "row"] + [number(per_row[c]) for c in CLASSES] + [number(row_calls[n]) for n in LIBM])
                row_helpers = difference(more[3], base[3], r)
                row_helpers = {k: v - n * helpers.get(k, 0) for k, v in row_helpers.items()}
                if any(abs(v) > 1e-9 for v in row_helpers.values()):
                    helper_lines.append(f"{op} per row: " + ", ".join(f"{k} {number(v)}" for k, v in sorted(row_helpers.items()) if abs(v) > 1e-9))
        for name in LIBM:
            if not libm_call_totals[name]:
                sys.exit(f"count.py: no run called {name}")
            per_call = {c: libm_totals[name][c] / libm_call_totals[name] for c in CLASSES}
            rows.append([name, "call"] + [number(per_call[c]) for c in CLASSES] + ["0", "0"])

    for row in rows:
        if any(float(v) < 0 for v in row[2:]):
            sys.exit(f"count.py: {row[0]} per {row[1]} has a negative count: {row}")

    libc = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libc6-dev-riscv64-cross"], capture_output=True, text=True)
    libc_version = f"glibc {libc.stdout.strip()} (Debian libc6-dev-riscv64-cross), static" if libc.returncode == 0 else "glibc (version unknown), static"
    lines = [
        "# Instructions per element of tools/rv64-mix/kernels.c on rv64gc, counted under qemu's user mode.",
        "# Written by `python3 tools/rv64-mix/count.py` (see its documentation); do not edit. Chapter 6 reads it.",
        "# Classes are HostCPUCostModel's: integer ALU, branch/jump, load, store, FP convert/compare/min/max/move,",
        "# FP add/mul/FMA, FP divide/sqrt; expf and erff are calls per element, their own rows instructions per call.",
        f"@source-sha256\t{sha}",
        f"@compiler\t{first_line(gcc + ['--version'])}",
        f"@flags\t{' '.join(FLAGS)}",
        f"@libc\t{libc_version}",
        f"@qemu\t{first_line(qemu + ['--version'])}",
        "@tracing\tqemu -singlestep -d in_asm,exec,nochain: one instruction per translation block, every executed block logged",
        f"@runs\t" + "; ".join(run_lines),
        f"@helpers\t" + ("; ".join(helper_lines) or "none"),
        f"@date\t{datetime.date.today().isoformat()}",
        "operation\tper\t" + "\t".join(CLASSES + LIBM),
    ] + ["\t".join(row) for row in rows]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text(), end="")


if __name__ == "__main__":
    main()
