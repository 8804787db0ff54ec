// Package events carries change notices from the services to the GraphQL
// subscriptions: after a transaction commits, the ent hook (Hook) publishes
// which records changed — tenant, record type, kind of change and ids,
// never the records themselves — and each subscription re-reads them
// through its own viewer, so a subscriber receives only what they may read.
//
// One Bus per server. On SQLite it is in-process only. On PostgreSQL a
// publication is also sent with NOTIFY on Channel and every other replica's
// Listen delivers it to its own subscribers; a replica delivers its own
// events at once and ignores their echo.
//
// Delivery never blocks a publisher: each subscription has a bounded queue,
// and an event that finds it full is counted as missed (Subscription.Missed)
// for the subscriber to be told.
package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Channel is the PostgreSQL NOTIFY channel of change events.
const Channel = "dutychain_events"

// Topic is the type of record an event is about.
type Topic string

// Topics of events.
const (
	Hazard Topic = "HAZARD"
	Letter Topic = "LETTER"
)

// Kind is what happened; the values are those of the GraphQL change kinds.
type Kind string

// Kinds of change.
const (
	Created      Kind = "CREATED"
	Transitioned Kind = "TRANSITIONED"
	Assigned     Kind = "ASSIGNED"
	Updated      Kind = "UPDATED"
)

// Event says that records changed. It is also the NOTIFY payload.
type Event struct {
	Tenant int   `json:"t"`
	Topic  Topic `json:"o"`
	Kind   Kind  `json:"k"`
	IDs    []int `json:"i"`
	// At is when the change committed.
	At time.Time `json:"a"`
	// Origin is the replica that published it.
	Origin string `json:"r"`
}

// maxIDsPerNotice keeps a NOTIFY payload well under PostgreSQL's 8000 bytes.
const maxIDsPerNotice = 400

// Notifier sends a payload to the other replicas (pg_notify).
type Notifier func(ctx context.Context, payload string) error

// Bus fans events out to the subscriptions of this server.
type Bus struct {
	origin string
	notify Notifier
	log    *slog.Logger

	mu   sync.RWMutex
	subs map[int]map[*Subscription]struct{} // by tenant

	published, delivered, missed atomic.Int64
}

// NewBus returns an in-process bus; SetNotifier connects it to the other
// replicas.
func NewBus(log *slog.Logger) *Bus {
	var b [8]byte
	_, _ = rand.Read(b[:])
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Bus{origin: hex.EncodeToString(b[:]), log: log, subs: map[int]map[*Subscription]struct{}{}}
}

// SetNotifier makes Publish also send every event to the other replicas.
func (b *Bus) SetNotifier(n Notifier) { b.notify = n }

// Publish delivers ev to this server's subscribers of its tenant and, with
// a notifier, to the other replicas. It never blocks on a subscriber; a
// failure to notify is logged, not returned: the change has committed.
func (b *Bus) Publish(ctx context.Context, ev Event) {
	if len(ev.IDs) == 0 {
		return
	}
	ev.Origin = b.origin
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	b.published.Add(1)
	b.deliver(ev)
	if b.notify == nil {
		return
	}
	for start := 0; start < len(ev.IDs); start += maxIDsPerNotice {
		part := ev
		part.IDs = ev.IDs[start:min(start+maxIDsPerNotice, len(ev.IDs))]
		payload, err := json.Marshal(part)
		if err == nil {
			err = b.notify(context.WithoutCancel(ctx), string(payload))
		}
		if err != nil {
			b.log.WarnContext(ctx, "event not sent to the other replicas", "topic", ev.Topic, "kind", ev.Kind, "err", err)
		}
	}
}

// Received delivers a payload that another replica published; the echo of
// this bus's own events is ignored (they were delivered at Publish).
func (b *Bus) Received(payload string) error {
	var ev Event
	if err := json.Unmarshal([]byte(payload), &ev); err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	if ev.Origin != b.origin {
		b.deliver(ev)
	}
	return nil
}

func (b *Bus) deliver(ev Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs[ev.Tenant] {
		if s.topics[ev.Topic] {
			s.offer(ev, b)
		}
	}
}

// Stats are the bus's counters since it started.
type Stats struct {
	Published, Delivered, Missed int64
	Subscriptions                int
}

// Stats returns the counters.
func (b *Bus) Stats() Stats {
	b.mu.RLock()
	n := 0
	for _, ss := range b.subs {
		n += len(ss)
	}
	b.mu.RUnlock()
	return Stats{Published: b.published.Load(), Delivered: b.delivered.Load(), Missed: b.missed.Load(), Subscriptions: n}
}

// Subscription receives the events of one tenant's topics.
type Subscription struct {
	bus    *Bus
	tenant int
	topics map[Topic]bool
	queue  chan Event
	missed atomic.Int64
	once   sync.Once
}

// Subscribe returns a subscription to tenant's events of topics with a
// queue of size events (at least 1). Close it when done.
func (b *Bus) Subscribe(tenant, size int, topics ...Topic) *Subscription {
	s := &Subscription{bus: b, tenant: tenant, topics: map[Topic]bool{}, queue: make(chan Event, max(size, 1))}
	for _, t := range topics {
		s.topics[t] = true
	}
	b.mu.Lock()
	if b.subs[tenant] == nil {
		b.subs[tenant] = map[*Subscription]struct{}{}
	}
	b.subs[tenant][s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Events is the queue to read from.
func (s *Subscription) Events() <-chan Event { return s.queue }

// Missed returns, and resets, how many events found the queue full since
// the last call.
func (s *Subscription) Missed() int { return int(s.missed.Swap(0)) }

// Close stops delivery. The queue is not closed: a reader selects on its
// own context.
func (s *Subscription) Close() {
	s.once.Do(func() {
		b := s.bus
		b.mu.Lock()
		delete(b.subs[s.tenant], s)
		if len(b.subs[s.tenant]) == 0 {
			delete(b.subs, s.tenant)
		}
		b.mu.Unlock()
	})
}

func (s *Subscription) offer(ev Event, b *Bus) {
	select {
	case s.queue <- ev:
		b.delivered.Add(1)
	default:
		s.missed.Add(1)
		b.missed.Add(1)
	}
}
