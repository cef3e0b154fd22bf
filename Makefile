# The two commands a new user needs are `make` and `make test` (README.md).
SWIFT       ?= swift
APT_PACKAGES = libgraphviz-dev libopenblas-dev pkg-config
CHAPTERS     = workload-analysis nonlinear-hardware fixed-architecture scheduling nas gemmini-case-study modern-llms
GENERATED    = chapters figures data/nas/search-record.tsv data/nas/nas-result.tsv

.PHONY: all deps build chapters test check bench clean

## make: install missing system packages, build release, run every chapter (writes chapters/ and figures/)
all: chapters

## deps: apt-get install whatever of $(APT_PACKAGES) is missing (sudo when not root)
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  echo "installing system packages:$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

chapters: build
	@for c in $(CHAPTERS); do echo "== $$c"; .build/release/$$c --quiet || exit 1; done

## make test: the whole test suite (claims of every chapter, Core invariants, Render snapshots, freshness)
test: deps
	$(SWIFT) test

## make check: regenerate into a temporary folder; fail, naming the files, if chapters/, figures/ or the data/nas records differ;
## then run every exercise command of the reports as pasted (scripts/exercises.sh)
check: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for c in $(CHAPTERS); do .build/release/$$c --out "$$tmp" --quiet >/dev/null || exit 1; done; \
	status=0; \
	for d in $(GENERATED); do \
	  if [ -d "$$d" ]; then mkdir -p "$$tmp/$$d"; fi; \
	  out=$$(diff -rq "$$d" "$$tmp/$$d" 2>&1) || { echo "$$out" | sed "s|$$tmp/||g"; status=1; }; \
	done; \
	if [ $$status -ne 0 ]; then echo "make check: generated files are stale; run 'make' and commit them"; exit 1; fi; \
	echo "make check: chapters/, figures/ and the data/nas records are up to date"
	@scripts/exercises.sh

## make bench: timings and ratios, live against PyTorch when torch imports (not run by CI);
## BENCH="runtime --json" passes names and flags (benchmarks --help), PYTHON=... picks the Python with torch
bench: build
	$(if $(PYTHON),PYTHON='$(PYTHON)' ).build/release/benchmarks $(BENCH)

clean:
	rm -rf .build
