package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// PostgresNotifier sends payloads with pg_notify on Channel through db.
func PostgresNotifier(db *sql.DB) Notifier {
	return func(ctx context.Context, payload string) error {
		if _, err := db.ExecContext(ctx, "SELECT pg_notify($1, $2)", Channel, payload); err != nil {
			return fmt.Errorf("notify %s: %w", Channel, err)
		}
		return nil
	}
}

// Listen delivers the events other replicas publish on the PostgreSQL
// server at databaseURL (LISTEN on Channel, one connection, reconnected by
// lib/pq) until ctx ends. It returns once listening has started (or failed).
func (b *Bus) Listen(ctx context.Context, databaseURL string) error {
	l := pq.NewListener(databaseURL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil && ctx.Err() == nil {
			b.log.Warn("event listener", "event", ev, "err", err)
		}
	})
	if err := l.Listen(Channel); err != nil {
		_ = l.Close()
		return fmt.Errorf("listen on %s: %w", Channel, err)
	}
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-l.Notify:
				if n == nil {
					continue // reconnected: events in between are lost, as with any NOTIFY
				}
				if err := b.Received(n.Extra); err != nil {
					b.log.Warn("event from another replica ignored", "err", err)
				}
			}
		}
	}()
	return nil
}
