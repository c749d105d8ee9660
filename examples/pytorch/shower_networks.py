"""The study's four networks in PyTorch, with the parameter names SweepCluster's TorchSharp networks use, so that the weights
`sweepctl export pytorch TRIAL_DIR --out DIR` writes load into them:

    import shower_networks
    model = shower_networks.load("DIR")              # model.json + model.pt, in evaluation mode
    probabilities = shower_networks.predict(model, images)   # images: N x H x W float32, raw pixels

model.json names the network, the values that shape it (the experiment's keys) and the training set's pixel normalization;
docs/models.md describes it. Needs only torch (Debian: python3-torch).
"""
import json
import os
from collections import OrderedDict

import torch
from torch import nn


def classifier(sizes, outputs=2):
    """Linear -> BatchNorm1d -> ReLU per pair of sizes, then Linear to the classes' logits."""
    layers = OrderedDict()
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers[f"linear{i}"] = nn.Linear(a, b)
        layers[f"norm{i}"] = nn.BatchNorm1d(b)
        layers[f"relu{i}"] = nn.ReLU()
    layers["out"] = nn.Linear(sizes[-1], outputs)
    return nn.Sequential(layers)


class Classifier(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = classifier(sizes)

    def forward(self, x):
        return self.layers(x)


class ConvNet(nn.Module):
    def __init__(self, out_channels, image_size):
        super().__init__()
        c1, c2 = out_channels
        self.conv1 = nn.Conv2d(1, c1, 5)
        self.conv2 = nn.Conv2d(c1, c2, 5)
        self.pool = nn.MaxPool2d(2)
        side = ((image_size - 4) // 2 - 4) // 2
        self.classifier = Classifier([side * side * c2, 100, 50, 10])

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.classifier(torch.flatten(x, 1))


class ConvAutoencoder(nn.Module):
    """Only the path to the classes: the decoder's weights load, but predicting does not use them."""

    def __init__(self, depth, first_conv_out_channels, latent_size, image_size):
        super().__init__()
        down, channels, inputs = OrderedDict(), first_conv_out_channels, 1
        for i in range(depth):
            down[f"conv{i}"] = nn.Conv2d(inputs, channels, 3, stride=2, padding=1)
            down[f"relu{i}"] = nn.ReLU()
            inputs, channels = channels, channels * 2
        self.encoder = nn.Sequential(down)
        side = image_size
        for _ in range(depth):
            side = (side + 1) // 2
        self.toLatent = nn.Linear(inputs * side * side, latent_size)
        self.fromLatent = nn.Linear(latent_size, inputs * side * side)
        up = OrderedDict()
        for i in range(depth):
            outputs = 1 if i == depth - 1 else inputs // 2
            up[f"deconv{i}"] = nn.ConvTranspose2d(inputs, outputs, 2, stride=2)
            up[f"relu{i}"] = nn.ReLU()
            inputs = outputs
        self.decoder = nn.Sequential(up)
        self.classifier = Classifier([latent_size, 10, 5])

    def forward(self, x):
        return self.classifier(self.toLatent(torch.flatten(self.encoder(x), 1)))


class ResidualBlock(nn.Module):
    def __init__(self, inputs, outputs, stride, project_shortcut):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
        self.norm1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(outputs)
        self.shortcut = nn.Sequential(OrderedDict(
            conv=nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), norm=nn.BatchNorm2d(outputs))) if project_shortcut else None

    def forward(self, x):
        y = torch.relu(self.norm1(self.conv1(x)))
        y = self.norm2(self.conv2(y))
        return torch.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet(nn.Module):
    def __init__(self, number_of_blocks, num_channels):
        super().__init__()
        c = num_channels
        self.stem = nn.Sequential(OrderedDict(
            conv=nn.Conv2d(1, c[0], 7, stride=2, padding=3, bias=False), norm=nn.BatchNorm2d(c[0]), relu=nn.ReLU(), pool=nn.MaxPool2d(2)))
        blocks = OrderedDict()
        for g in range(4):
            for b in range(number_of_blocks[g]):
                first = b == 0
                blocks[f"group{g}_block{b}"] = ResidualBlock(c[g] if first else c[g + 1], c[g + 1], 2 if first and g > 0 else 1, first)
        self.groups = nn.Sequential(blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = Classifier([c[4], 200, 100, 10])

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.groups(self.stem(x))), 1))


class VariationalAutoencoder(nn.Module):
    """Predicts from the latent mean, without sampling, as SweepCluster evaluates it."""

    def __init__(self, autoencoder_sizes, pixels):
        super().__init__()
        sizes = [pixels] + list(autoencoder_sizes)
        self.encoder = self._dense("enc", sizes[:4])
        self.mean = nn.Linear(sizes[3], sizes[4])
        self.logVariance = nn.Linear(sizes[3], sizes[4])
        self.decoder = self._dense("dec", sizes[::-1])
        self.classifier = Classifier([sizes[4], 10, 5])

    @staticmethod
    def _dense(prefix, sizes):
        layers = OrderedDict()
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layers[f"{prefix}_linear{i}"] = nn.Linear(a, b)
            layers[f"{prefix}_relu{i}"] = nn.ReLU()
        return nn.Sequential(layers)

    def forward(self, x):
        return self.classifier(self.mean(self.encoder(torch.flatten(x, 1))))


def build(description):
    """The network model.json describes, with fresh weights."""
    a, image = description["architecture"], description["image"]
    network = description["network"]
    if network == "convnet":
        return ConvNet(a["out_channels"], image["height"])
    if network == "cae":
        return ConvAutoencoder(a["depth"], a["first_conv_out_channels"], a["latent_size"], image["height"])
    if network == "resnet":
        return ResNet(a["number_of_blocks"], a["num_channels"])
    if network == "vae":
        return VariationalAutoencoder(a["autoencoder_sizes"], image["height"] * image["width"])
    raise ValueError(f"model.json: no network is called {network!r}; known: convnet, cae, resnet, vae")


def load(directory):
    """The exported model in evaluation mode, its description (model.json) as `model.description`."""
    with open(os.path.join(directory, "model.json")) as f:
        description = json.load(f)
    if description.get("format", 0) > 1:
        raise ValueError(f"{directory}/model.json: format {description['format']} is newer than this file reads")
    model = build(description)
    model.load_state_dict(torch.load(os.path.join(directory, "model.pt"), map_location="cpu"))
    model.eval()
    model.description = description
    return model


def predict(model, images):
    """Class probabilities ([iron, proton] per row) for raw images (N x H x W), normalized as in training."""
    x = torch.as_tensor(images, dtype=torch.float32).unsqueeze(1)
    normalization = model.description.get("normalization")
    if normalization:
        x = (x - normalization["mean"]) / normalization["std"]
    with torch.no_grad():
        return torch.softmax(model(x), dim=1)
