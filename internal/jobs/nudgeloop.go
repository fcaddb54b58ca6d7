package jobs

import (
	"context"
	"time"
)

// DefaultNudgeInterval is how often serve checks whether digests are due.
// A digest goes out at most this long after its slot.
const DefaultNudgeInterval = 5 * time.Minute

// RunNudges runs Nudge at once and then every interval (DefaultNudgeInterval
// when 0) until ctx ends. Each run logs what it did; a failed run is
// logged and the next one tries again.
func RunNudges(ctx context.Context, store NudgeStore, sl Slack, o NudgeOptions, interval time.Duration) {
	o = o.withDefaults()
	if interval <= 0 {
		interval = DefaultNudgeInterval
	}
	log := o.Logger
	run := func() {
		start := time.Now()
		sum, err := Nudge(ctx, store, sl, o)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("slack nudges failed", "err", err)
			}
			return
		}
		level := log.Debug
		if sum.Digests > 0 || sum.Failed > 0 {
			level = log.Info
		}
		level("slack nudges", "digests", sum.Digests, "lines", sum.Lines, "already", sum.Already,
			"resting", sum.Resting, "failed", sum.Failed, "snoozed", sum.Snoozed, "unrouted", sum.Unrouted,
			"deferred", sum.Deferred, "took", time.Since(start).Round(time.Millisecond))
	}
	run()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			run()
		}
	}
}
