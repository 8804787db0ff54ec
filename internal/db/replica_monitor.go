package db

import (
	"context"
	"fmt"
	"time"
)

// probePeriod is how often the replica's health and lag are measured.
const probePeriod = 500 * time.Millisecond

// monitor measures the replica's lag in time: it samples the primary's
// flushed WAL position, and the lag is the age of the oldest sample the
// replica has not replayed yet. Only its own goroutine uses it.
type monitor struct {
	reads   *Reads
	samples []walSample
}

type walSample struct {
	at  time.Time
	lsn LSN
}

func (m *monitor) run(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(probePeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			m.probe(ctx, now)
		}
	}
}

// probe measures once and publishes the status.
func (m *monitor) probe(ctx context.Context, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 2*probePeriod)
	defer cancel()
	r := m.reads
	down := func(reason string) {
		r.status.Store(&ReplicaStatus{Reason: reason})
	}
	var flushed string
	if err := r.primary.QueryRowContext(ctx, "SELECT pg_current_wal_flush_lsn()").Scan(&flushed); err != nil {
		down(fmt.Sprintf("cannot read the primary's WAL position: %v", err))
		return
	}
	if lsn, ok := ParseLSN(flushed); ok {
		m.samples = append(m.samples, walSample{at: now, lsn: lsn})
	}
	replayed, err := r.replayLSN(ctx)
	if err != nil {
		down(fmt.Sprintf("the replica does not answer: %v", err))
		m.trim()
		return
	}
	for len(m.samples) > 0 && m.samples[0].lsn <= replayed {
		m.samples = m.samples[1:]
	}
	m.trim()
	var lag time.Duration
	if len(m.samples) > 0 {
		lag = now.Sub(m.samples[0].at)
	}
	if lag > r.maxLag {
		r.status.Store(&ReplicaStatus{Lag: lag, Reason: fmt.Sprintf("the replica lags %s behind the primary (bound %s)", lag.Round(time.Millisecond), r.maxLag)})
		return
	}
	r.status.Store(&ReplicaStatus{Healthy: true, Lag: lag})
}

// maxSamples bounds the samples kept while the replica does not replay:
// ten minutes' worth is enough to tell any lag worth reporting.
const maxSamples = int(10 * time.Minute / probePeriod)

func (m *monitor) trim() {
	if n := len(m.samples); n > maxSamples {
		m.samples = append(m.samples[:0], m.samples[n-maxSamples:]...)
	}
}
