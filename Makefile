# Switchboard's checks. `make test` is what CI runs (through .ci/run).
GO      ?= go
PKGS    ?= ./...
# An execution count, not a duration: on Go 1.26 a duration budget can end
# in a spurious "context deadline exceeded" with no failing input (a race in
# the fuzzing coordinator, golang/go#75804, fixed in Go 1.27).
FUZZTIME ?= 20000x

.PHONY: test test-short lint tidy-check bench bench-smoke fuzz-smoke build

build:
	$(GO) build -o bin/switchboard ./cmd/switchboard

## test: formatting, vet, tidy go.mod, the race-enabled test suite (shuffled),
## every benchmark once so they keep compiling, and a short fuzz of each target.
test: lint tidy-check
	$(GO) test -race -shuffle=on -count=1 -timeout 20m $(PKGS)
	$(MAKE) bench-smoke fuzz-smoke

## test-short: the fast tier (no subprocess crash tests).
test-short:
	$(GO) test -short -race $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

tidy-check:
	@cp go.mod /tmp/go.mod.before; cp go.sum /tmp/go.sum.before
	@$(GO) mod tidy
	@if ! diff -q go.mod /tmp/go.mod.before >/dev/null || ! diff -q go.sum /tmp/go.sum.before >/dev/null; then \
		echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit"; exit 1; fi

bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 1x $(PKGS)

## bench: the benchmarks for real.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## fuzz-smoke: each Fuzz target for FUZZTIME (runs; FUZZTIME=60s for a longer look).
fuzz-smoke:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; out=$$($(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg 2>&1) || { echo "$$out"; exit 1; }; \
		done; \
	done
