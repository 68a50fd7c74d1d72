//go:build race

package main

// raceEnabled: the race detector multiplies what every allocation costs in
// resident memory, so tests that measure the process's memory only report
// it then.
const raceEnabled = true
