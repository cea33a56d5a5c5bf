# The two commands a newcomer needs: `make demo` and `make test`. Both start from nothing.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: all bootstrap build test demo stack-up stack-down clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	swift build

# Starts its own stack (in .stack/test), runs every test, and stops the stack again,
# also when a test fails.
test: bootstrap
	@scripts/test

demo: bootstrap
	@scripts/demo

stack-up:
	@scripts/stack up

stack-down:
	@scripts/stack down

clean:
	rm -rf .build .stack
