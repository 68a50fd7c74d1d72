package main

import (
	"log/slog"
	"runtime/debug"
	"runtime/metrics"

	"creditpocket/internal/membudget"
)

// memoryHeadroom is what the soft memory limit allows beyond the baseline
// and the budget: request memory the budget does not count (connections,
// goroutine stacks, small bodies) and the collector's slack.
const memoryHeadroom = 32 << 20

// softMemoryLimit sets the Go runtime's soft memory limit, unless the
// environment's GOMEMLIMIT sets one, to the memory the runtime holds after
// start-up (the baseline) plus the memory budget plus memoryHeadroom. The
// budget bounds what requests hold at once; without a limit the collector
// lets the heap reach twice what is live, so garbage of finished requests
// would take the process well past its baseline plus the budget. Near the
// limit the collector works harder (never more than about half the CPU),
// nothing fails.
func softMemoryLimit(budget int64, env func(string) (string, bool), log *slog.Logger) {
	if v, ok := env("GOMEMLIMIT"); ok && v != "" {
		log.Info("memory limit from GOMEMLIMIT", "limit", v)
		return
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	baseline := int64(s[0].Value.Uint64())
	limit := baseline + budget + memoryHeadroom
	debug.SetMemoryLimit(limit)
	log.Info("soft memory limit set", "limit", membudget.FormatSize(limit&^(1<<20-1)), "baseline", membudget.FormatSize(baseline&^(1<<20-1)), "memory_budget", membudget.FormatSize(budget))
}
