"""A trial of your own, in the standard library alone: read the parameters, report a score per epoch, resume from a checkpoint.

SweepCluster runs it as `python3 train.py PARAMS_FILE` in this folder (docs/trial-contract.md). Try it:
    sweepctl run examples/minimal/experiment.yml
"""
import json
import math
import os
import sys
import time

params = json.load(open(sys.argv[1]))
checkpoint = os.path.join(os.environ.get("SWEEP_CHECKPOINT_DIR", "."), "epoch.json")
start = json.load(open(checkpoint))["epoch"] if os.path.exists(checkpoint) else 0

# A stand-in for training: the score approaches a peak at lr = 0.01 and width = 64, a little more each epoch.
distance = (math.log10(params["lr"]) + 2) ** 2 + ((params["width"] - 64) / 64) ** 2
for epoch in range(start + 1, params["epochs"] + 1):
    time.sleep(params.get("seconds_per_epoch", 0.1))
    score = (1 - math.exp(-epoch / 3)) * math.exp(-distance)
    print(json.dumps({"epoch": epoch, "score": score, "loss": 1 - score}))
    json.dump({"epoch": epoch}, open(checkpoint, "w"))
    print(f"epoch {epoch} done", file=sys.stderr)
