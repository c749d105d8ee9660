# The commands a user types. `make run` and `make test` are all a fresh machine needs.
DOTNET ?= dotnet
CONFIG ?= Release
CLI_BUILD := src/SweepCluster.Cli/bin/$(CONFIG)/net10.0/sweepctl
# cpu, or cuda for NVIDIA GPUs (TorchSharp-cuda-linux; not served here, so only where NuGet.org is reachable).
TORCH ?= cpu

# Debian's Python peers that write the reference HDF5 files some tests compare against (and pandas, which reads reports),
# PyTorch for the example of a user's own training script and the exported weights, PyYAML to read an exported MLflow store,
# the Prometheus server the Grafana dashboard test queries, the PostgreSQL journal, SLURM (with munge) that the batch
# script is submitted to, and chromium with playwright-core (npm) for the node's web dashboard.
PEERS := python3-h5py python3-pandas python3-tables python3-torch python3-yaml

.PHONY: build test test-fast test-deps format format-check docs run study bench clean

build:
	$(DOTNET) build SweepCluster.sln -c $(CONFIG) --nologo -v quiet -p:TorchSharpBackend=$(TORCH)
	@mkdir -p bin && ln -sf ../$(CLI_BUILD) bin/sweepctl
	@echo "built bin/sweepctl"

test: build format-check test-deps
	$(DOTNET) test SweepCluster.sln -c $(CONFIG) --no-build --nologo

# The layout .editorconfig asks for (whitespace, using order, no unused using): `make format` applies it.
format-check:
	$(DOTNET) format SweepCluster.sln --verify-no-changes --no-restore -v q || { echo "the code is not formatted as .editorconfig says: run make format"; exit 1; }

format:
	$(DOTNET) format SweepCluster.sln --no-restore -v q

# docs/commands.md, written from the commands themselves (a test fails when they differ).
docs: build
	SWEEP_WRITE_DOCS=1 $(DOTNET) test tests/SweepCluster.Cli.Tests -c $(CONFIG) --no-build --nologo --filter "FullyQualifiedName~CommandReferenceTests"

# The quick loop while changing code: every test that needs nothing beyond its own process (about two minutes on 2 cores;
# no root): the domain, the actors, the trainers and sweepctl in process. Left out by category: tests that start processes
# (nodes, sweepctl), make namespace hosts, drive a browser or need a Debian peer. `make test` runs everything.
FAST_FILTER := TestCategory!=peer&TestCategory!=process&TestCategory!=host&TestCategory!=browser
test-fast:
	$(DOTNET) build SweepCluster.sln -c $(CONFIG) --nologo -v quiet -p:TorchSharpBackend=$(TORCH)
	$(DOTNET) test SweepCluster.sln -c $(CONFIG) --no-build --nologo --filter "$(FAST_FILTER)"

test-deps:
	@/usr/bin/python3 -c "import h5py, pandas, tables, torch, yaml" 2>/dev/null || { \
	  echo "installing the test peers: $(PEERS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PEERS) >/dev/null; }
	@command -v prometheus >/dev/null || { \
	  echo "installing the test peer: prometheus"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
	@command -v slurmctld >/dev/null && command -v munged >/dev/null || { \
	  echo "installing the scheduler peers: slurm-wlm munge"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  echo "installing the journal peer: postgresql"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
	@command -v chromium >/dev/null || { \
	  echo "installing the dashboard tests' browser: chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@test -d tests/browser/node_modules/playwright-core || { \
	  echo "installing playwright-core (it drives Debian's chromium; it downloads no browser)"; \
	  cd tests/browser && npm ci --no-audit --no-fund --loglevel=error; }

# The main job: the study's convnet sweep on the synthetic showers, in one process (about ten minutes on 2 cores).
run: build
	bin/sweepctl run experiments/convnet.yml --trials 12 --epochs 3

# The study's table on synthetic showers: its four experiment files run as the study ran them (random sampling, no
# pruning, 5 epochs), beside the study's own figures. On the default 10,000 showers and a CPU this takes hours;
# STUDY_ARGS="--trials 6 --data DIR" runs a smaller set (README: the study's table).
STUDY_ARGS ?= --trials 8
study: build
	bin/sweepctl study experiments/cae.yml experiments/convnet.yml experiments/resnet.yml experiments/vae.yml $(STUDY_ARGS)

# PyTorch (Debian's python3-torch, reading the shower files with h5py) is the peer the training and curves benchmarks are
# compared with, Optuna (python3-optuna) the search benchmark's.
bench: build
	@/usr/bin/python3 -c "import torch, h5py, optuna" 2>/dev/null || { \
	  echo "installing the benchmark peers: python3-torch python3-h5py python3-optuna"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-h5py python3-optuna >/dev/null; }
	$(DOTNET) run --project tests/SweepCluster.Bench -c $(CONFIG) --no-build

clean:
	$(DOTNET) clean SweepCluster.sln -c $(CONFIG) --nologo -v quiet
	rm -rf bin artifacts
