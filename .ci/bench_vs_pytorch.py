#!/usr/bin/env python3
"""resnet4j against PyTorch on the same machine, in one run; prints the README's performance table.

Usage (from the project folder, after `mvn -q package -DskipTests`):
  python3 .ci/bench_vs_pytorch.py [--skip-torch] [--rows sgemm,seed,resnet20,resnet18,fmnist,mem] [--repeat 3]

PyTorch runs first through ../shared/reference/torch_bench.py (Debian's python3-torch with OpenBLAS, as
../shared/reference/README.md installs it); then every row runs with resnet4j's `bench` command, on the
Vector API kernels and on the plain-Java ones. Each resnet4j figure is the median over --repeat launches of
the median of 7 timed steps (21 for batch-1 latency; torch_bench.py takes 21, and 11 for ResNet-18) after 3
warm-up steps (10 at batch 1) and at least 5 s of warm-up, 12 s for training (bench's --warmup-seconds
defaults), so the timed steps run C2-compiled kernels. The `sgemm` rows time 1024^3 on 1 and 2 threads;
the `mem` row is the peak RSS (VmHWM) of a ResNet-20 training process at batch 128: 10 steps in torch_bench.py;
resnet4j with -Xmx768m, 7 timed steps after 5 s of warm-up (about 30 steps in all, so no lower than 10 would
give), median and range over --repeat launches.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
TORCH_BENCH = os.path.join(PROJECT, "..", "shared", "reference", "torch_bench.py")

@dataclass(frozen=True)
class StepRow:
    """A forward (infer) or train step of a model: latency in ms at batch 1, else images/s."""
    label: str
    section: str  # torch_bench.py's JSON section
    key: str  # and key in it
    model: str
    mode: str  # infer | train
    batch: int
    size: int  # input height = width
    unit: str  # ms | img/s


@dataclass(frozen=True)
class GemmRow:
    """SGEMM 1024^3 on a number of threads, in GFLOP/s."""
    label: str
    key: str  # torch_bench.py's key under sgemm_gflops
    threads: int


@dataclass(frozen=True)
class MemoryRow:
    """Peak RSS of a training process, in MiB (less is better)."""
    label: str
    model: str
    batch: int


R20 = "resnet20_cifar_3x32x32"
R18 = "torchvision_resnet18_3x224x224"
FMNIST = "fmnist_resnet_1x28x28"
ROWS = {
    "seed": [
        StepRow("seed 3x32x32, inference batch 1", "seed_3x32x32", "infer_b1_latency_ms", "seed", "infer", 1, 32, "ms"),
        StepRow("seed, inference batch 32", "seed_3x32x32", "infer_b32_img_s", "seed", "infer", 32, 32, "img/s"),
        StepRow("seed, train step batch 32", "seed_3x32x32", "train_b32_img_s", "seed", "train", 32, 32, "img/s"),
    ],
    "resnet20": [
        StepRow("ResNet-20, inference batch 1", R20, "infer_b1_latency_ms", "resnet20", "infer", 1, 32, "ms"),
        StepRow("ResNet-20, inference batch 128", R20, "infer_b128_img_s", "resnet20", "infer", 128, 32, "img/s"),
        StepRow("ResNet-20, train step batch 128", R20, "train_b128_img_s", "resnet20", "train", 128, 32, "img/s"),
    ],
    "fmnist": [
        StepRow("seed-small 1x28x28, inference batch 128", FMNIST, "infer_b128_img_s", "seed-small", "infer", 128, 28,
                "img/s"),
        StepRow("seed-small, train step batch 128", FMNIST, "train_b128_img_s", "seed-small", "train", 128, 28,
                "img/s"),
    ],
    "sgemm": [
        GemmRow("SGEMM 1024^3, 1 thread", "torch.mm n=1024 threads=1", 1),
        GemmRow("SGEMM 1024^3, 2 threads", "torch.mm n=1024 threads=2", 2),
    ],
    "mem": [
        MemoryRow("ResNet-20 training process (batch 128), peak RSS", "resnet20", 128),
    ],
    "resnet18": [
        StepRow("ResNet-18 3x224x224, inference batch 1", R18, "infer_b1_latency_ms", "resnet18", "infer", 1, 224, "ms"),
        StepRow("ResNet-18, inference batch 16", R18, "infer_b16_img_s", "resnet18", "infer", 16, 224, "img/s"),
        StepRow("ResNet-18, train step batch 16", R18, "train_b16_img_s", "resnet18", "train", 16, 224, "img/s"),
    ],
}


def java(vector, jvm_args=()):
    cp = os.path.join(PROJECT, "target", "classes") + os.pathsep + os.path.join(PROJECT, "target", "lib", "*")
    return (["java"] + (["--add-modules", "jdk.incubator.vector"] if vector else []) + list(jvm_args)
            + ["-cp", cp, "io.github.resnet4j.cli.Main"])


def median_of_launches(cmd, pattern, repeat):
    """Launches cmd repeat times and returns the median of the number each launch's output reports."""
    values = []
    for _ in range(repeat):
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        values.append(float(re.search(pattern, out).group(1)))
    return statistics.median(values)


def resnet4j(row, vector, repeat):
    iters, warmup = ("21", "10") if row.batch == 1 else ("7", "3")
    cmd = java(vector) + ["bench", "--model", row.model, "--mode", row.mode, "--batch", str(row.batch),
                          "--input-size", str(row.size), str(row.size), "--iters", iters, "--warmup", warmup]
    return median_of_launches(cmd, r"median: ([0-9.]+) ms", repeat)


def resnet4j_gemm(threads, vector, repeat):
    cmd = java(vector) + ["bench", "gemm", "--size", "1024", "--threads", str(threads)]
    return median_of_launches(cmd, r"GFLOP/s: ([0-9.]+)", repeat)


def images_per_second(x):
    return ("%.0f img/s" if x >= 100 else "%.1f img/s") % x


def peak_rss_mib(cmd):
    """VmHWM of the child, polled until it exits (the kernel keeps the high-water mark)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            with open("/proc/%d/status" % proc.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    if proc.returncode != 0:
        raise RuntimeError("%s exited with %d" % (cmd, proc.returncode))
    return peak / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-torch", action="store_true", help="reuse /tmp/resnet4j-torch.json")
    ap.add_argument("--rows", default="seed,resnet20,fmnist")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = [r for key in args.rows.split(",") for r in ROWS[key]]
    torch_json = "/tmp/resnet4j-torch.json"
    if not args.skip_torch:
        env = dict(os.environ, LD_LIBRARY_PATH="/usr/lib/x86_64-linux-gnu/openblas-openmp")
        # OpenBLAS's AVX-512 kernels where the CPU has them; elsewhere its own detection picks the AVX2 ones.
        with open("/proc/cpuinfo") as f:
            avx512 = " avx512f" in f.read()
        if avx512:
            env["OPENBLAS_CORETYPE"] = "SkylakeX"
        else:
            env.pop("OPENBLAS_CORETYPE", None)
        subprocess.run(["/usr/bin/python3", TORCH_BENCH, "--label", "side-by-side", "--only", args.rows, "--out",
                        torch_json], env=env, check=True, stdout=sys.stderr)
    torch = json.load(open(torch_json))["runs"]["side-by-side"]
    print("| work | PyTorch 1.13 | resnet4j, Vector API | ratio | resnet4j, plain Java | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        torch_value, cells = measure(row, torch, args.repeat)
        print("| %s | %s | %s |" % (row.label, torch_value, " | ".join(cells)), flush=True)


def measure(row, torch, repeat):
    """PyTorch's figure and resnet4j's (Vector API, then plain Java) with their ratios, as table cells."""
    cells = []
    if isinstance(row, GemmRow):
        t = torch["sgemm_gflops"][row.key]
        for vector in (True, False):
            gf = resnet4j_gemm(row.threads, vector, repeat)
            cells += ["%.1f GFLOP/s" % gf, "%.2fx" % (gf / t)]
        return "%.1f GFLOP/s" % t, cells
    if isinstance(row, MemoryRow):
        t = torch["resnet20_train_b128_peak_rss"]["vmhwm_after_10_train_steps_b128_MiB"]
        for vector in (True, False):
            # G1 sizes the heap by timing, so the peak moves a lot between launches: median and range.
            peaks = sorted(peak_rss_mib(java(vector, ["-Xmx768m"]) + [
                "bench", "--model", row.model, "--mode", "train", "--batch", str(row.batch), "--iters", "7",
                "--warmup", "3", "--warmup-seconds", "5"]) for _ in range(repeat))
            mib = statistics.median(peaks)
            spread = " (%.0f-%.0f)" % (peaks[0], peaks[-1]) if repeat > 1 else ""
            # Less memory is better: the ratio is PyTorch's peak over ours.
            cells += ["%.0f MiB%s" % (mib, spread), "%.2fx" % (t / mib)]
        return "%.0f MiB" % t, cells
    t = torch[row.section][row.key]
    for vector in (True, False):
        ms = resnet4j(row, vector, repeat)
        if row.unit == "ms":
            cells += ["%.2f ms" % ms, "%.2fx" % (t / ms)]
        else:
            ips = row.batch * 1000 / ms
            cells += [images_per_second(ips), "%.2fx" % (ips / t)]
    return ("%.2f ms" % t) if row.unit == "ms" else images_per_second(t), cells

if __name__ == "__main__":
    main()
