"""The study's Simple CNN (LeNet-5 style) in PyTorch, as a trial of your own: the shower files read with h5py and pandas,
test_f1 reported after every epoch, a checkpoint written after every epoch and resumed from.

SweepCluster runs it as `python3 convnet.py PARAMS_FILE` (docs/trial-contract.md); it needs torch, h5py and pandas
(Debian: python3-torch python3-h5py python3-pandas python3-tables) and a folder with one Train_*.h5 and one Test_*.h5
(`--data DIR`, or `data:` in the experiment; `sweepctl data generate --out DIR` makes a synthetic set).
"""
import glob
import json
import os
import sys

import h5py
import pandas
import torch
from torch import nn

params = json.load(open(sys.argv[1]))
torch.manual_seed(int(os.environ.get("SWEEP_SEED", params.get("seed", 0))))
torch.set_num_threads(int(os.environ.get("SWEEP_THREADS", "1")))
device = "cuda" if torch.cuda.is_available() else "cpu"  # the slot's GPU, through CUDA_VISIBLE_DEVICES


def load(pattern):
    data_dir = os.environ["SWEEP_DATA_DIR"]
    files = sorted(glob.glob(os.path.join(data_dir, pattern)))
    if len(files) != 1:
        sys.exit(f"{data_dir} needs exactly one {pattern} (found {len(files)})")
    with h5py.File(files[0], "r") as f:
        images = torch.tensor(f["data"][:], dtype=torch.float32).unsqueeze(1)
    labels = torch.tensor(pandas.read_hdf(files[0], "info")["Y_class"].to_numpy(), dtype=torch.long)
    return images, labels


def classifier(sizes, outputs):
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], outputs))


class ConvNet(nn.Module):
    def __init__(self, c1, c2):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, c1, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classify = classifier([17 * 17 * c2, 100, 50, 10], 2)

    def forward(self, x):
        return self.classify(torch.flatten(self.features(x), 1))


def f1(predicted, truth):
    tp = int(((predicted == 1) & (truth == 1)).sum())
    fp = int(((predicted == 1) & (truth == 0)).sum())
    fn = int(((predicted == 0) & (truth == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


train_x, train_y = load("Train_*.h5")
test_x, test_y = load("Test_*.h5")
if params.get("normalize", "no") == "yes":
    mean, std = train_x.mean(), train_x.std()
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std

optimizer_choice = params.get("optimizer", "adam")
name = optimizer_choice["name"] if isinstance(optimizer_choice, dict) else optimizer_choice
lr = optimizer_choice.get("lr", params["lr"]) if isinstance(optimizer_choice, dict) else params["lr"]
model = ConvNet(*params["out_channels"]).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=lr) if name == "adam" else torch.optim.SGD(model.parameters(), lr=lr)

checkpoint = os.path.join(os.environ["SWEEP_CHECKPOINT_DIR"], "checkpoint.pt")
start = 0
if os.path.exists(checkpoint):
    state = torch.load(checkpoint)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    start = state["epoch"]
    print(f"resuming after epoch {start}", file=sys.stderr)

epochs = int(os.environ.get("SWEEP_EPOCHS", params["epochs"]))
loss_function = nn.CrossEntropyLoss()
for epoch in range(start + 1, epochs + 1):
    model.train()
    order = torch.randperm(len(train_x))
    total = 0.0
    for i in range(0, len(order), params["bs"]):
        batch = order[i:i + params["bs"]]
        if len(batch) < 2:
            continue  # batch norm needs two samples
        optimizer.zero_grad()
        loss = loss_function(model(train_x[batch].to(device)), train_y[batch].to(device))
        loss.backward()
        optimizer.step()
        total += float(loss) * len(batch)
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(test_x[i:i + 512].to(device)).argmax(1).cpu() for i in range(0, len(test_x), 512)])
    report = {"epoch": epoch, "test_f1": f1(predicted, test_y), "test_acc": float((predicted == test_y).float().mean()), "loss": total / len(train_x)}
    print(json.dumps(report), flush=True)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, checkpoint)

torch.save(model.state_dict(), os.path.join(os.environ["SWEEP_TRIAL_DIR"], "model.pt"))
