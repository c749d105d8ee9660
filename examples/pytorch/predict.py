"""Class probabilities for every shower of an HDF5 file, with a model `sweepctl export pytorch` wrote, in PyTorch:

    python3 predict.py MODEL_DIR Test_file.h5 probabilities.csv

The CSV has the columns `sweepctl predict` writes. Needs torch, h5py and pandas (Debian: python3-torch python3-h5py python3-pandas python3-tables).
"""
import sys

import h5py
import pandas
import torch

import shower_networks

model_dir, data_file, out_file = sys.argv[1:4]
torch.set_num_threads(2)
model = shower_networks.load(model_dir)
with h5py.File(data_file, "r") as f:
    images = f["data"][:]
labels = pandas.read_hdf(data_file, "info")["Y_class"].to_numpy()
classes = model.description["classes"]
probabilities = torch.cat([shower_networks.predict(model, images[i:i + 256]) for i in range(0, len(images), 256)])
with open(out_file, "w") as out:
    out.write("shower," + ",".join(f"p_{c}" for c in classes) + ",predicted,label\n")
    for i, row in enumerate(probabilities.tolist()):
        out.write(f"{i},{','.join(repr(p) for p in row)},{classes[max(range(len(row)), key=row.__getitem__)]},{classes[int(labels[i])]}\n")
print(f"{out_file}: {len(images)} showers")
