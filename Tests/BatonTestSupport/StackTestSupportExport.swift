// The domain's tests and the benchmark use the stack support (addresses, timeouts, child
// processes) beside what this target adds; re-exported so that one import serves them, as
// before the stack support became a target of its own for the layers' tests.
@_exported import StackTestSupport
