# The two commands a newcomer needs: `make demo` and `make test`. Both start from nothing.
# `make chaos` runs the chaos suite at full size and prints its audit table (a short form runs
# inside `make test`).
# `make bench` prints throughput and memory figures (`make bench BENCH_ARGS=--quick`: a smoke run).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all bootstrap build test chaos demo bench stack-up stack-down clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	swift build

# Starts its own stack (in .stack/test), runs every test, and stops the stack again,
# also when a test fails.
test: bootstrap
	@scripts/test

# Starts its own stack (in .stack/chaos), kills, freezes and restarts workers and the broker
# for about ten minutes, prints the audit table, and stops the stack again.
chaos: bootstrap
	@scripts/chaos

demo: bootstrap
	@scripts/demo

# Builds in release mode, starts its own stack (in .stack/bench), prints the machine and a
# table of figures, and stops the stack again. Not part of `make test`.
bench: bootstrap
	@scripts/bench $(BENCH_ARGS)

stack-up:
	@scripts/stack up

stack-down:
	@scripts/stack down

clean:
	rm -rf .build .stack
