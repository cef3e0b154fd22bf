"""Re-runs chapter 5's search for several seeds and records its headline gains in data/nas/seed-spread.tsv.

    swift build -c release && python3 tools/nas-seed-spread.py            # seeds 1-8, ~1-3 min each on 2 cores

Everything but --seed keeps the chapter's defaults, so seed 1's row is the committed report's run (a test checks
that). The search is bit-identical on every machine and thread count, so the file depends on the code only.
With --json-dir DIR it reads DIR/<seed>.json (the output of `nas --seed <seed> --json`) instead of running.
"""
import argparse, json, os, subprocess, sys

parser = argparse.ArgumentParser()
parser.add_argument("--seeds", type=int, default=8, help="seeds 1...N (default 8)")
parser.add_argument("--json-dir", help="read <seed>.json files from here instead of running nas")
args = parser.parse_args()

rows = []
for seed in range(1, args.seeds + 1):
    if args.json_dir:
        with open(os.path.join(args.json_dir, f"{seed}.json")) as f:
            doc = json.load(f)
    else:
        out = subprocess.run([".build/release/nas", "--seed", str(seed), "--json"], check=True,
                             capture_output=True, text=True).stdout
        doc = json.loads(out)
    gains = {g["budget"]: g for g in doc["results"]["gains"]}
    row = [str(seed)]
    for budget in ("+0.1", "+1"):
        row += ["%.6f" % gains[budget][metric] for metric in ("latency", "energy", "edp")]
    rows.append("\t".join(row))
    print(f"seed {seed}: " + " ".join(row[1:]), file=sys.stderr)

with open("data/nas/seed-spread.tsv", "w") as f:
    f.write("seed\tlatency_0.1\tenergy_0.1\tedp_0.1\tlatency_1\tenergy_1\tedp_1\n")
    f.write("\n".join(rows) + "\n")
