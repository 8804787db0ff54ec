package events

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBus(t *testing.T) {
	t.Run("a subscriber receives its tenant's events of its topics only", func(t *testing.T) {
		b := NewBus(nil)
		hazards := b.Subscribe(1, 8, Hazard)
		defer hazards.Close()
		other := b.Subscribe(2, 8, Hazard, Letter)
		defer other.Close()
		b.Publish(context.Background(), Event{Tenant: 1, Topic: Letter, Kind: Created, IDs: []int{7}})
		b.Publish(context.Background(), Event{Tenant: 1, Topic: Hazard, Kind: Created, IDs: []int{8}})
		ev := <-hazards.Events()
		require.Equal(t, []int{8}, ev.IDs, "the letter event was not for this subscriber")
		require.Empty(t, other.Events(), "tenant 2 received nothing of tenant 1")
	})

	t.Run("a full queue drops events and counts them, without blocking the publisher", func(t *testing.T) {
		b := NewBus(nil)
		slow := b.Subscribe(1, 2, Hazard)
		defer slow.Close()
		done := make(chan struct{})
		go func() {
			for i := range 10 {
				b.Publish(context.Background(), Event{Tenant: 1, Topic: Hazard, Kind: Updated, IDs: []int{i}})
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Publish blocked on a slow subscriber")
		}
		require.Equal(t, []int{0}, (<-slow.Events()).IDs)
		require.Equal(t, []int{1}, (<-slow.Events()).IDs)
		require.Equal(t, 8, slow.Missed())
		require.Equal(t, 0, slow.Missed(), "Missed resets")
		require.Equal(t, Stats{Published: 10, Delivered: 2, Missed: 8, Subscriptions: 1}, b.Stats())
	})

	t.Run("a closed subscription receives nothing more", func(t *testing.T) {
		b := NewBus(nil)
		s := b.Subscribe(1, 2, Hazard)
		s.Close()
		s.Close()
		b.Publish(context.Background(), Event{Tenant: 1, Topic: Hazard, Kind: Updated, IDs: []int{1}})
		require.Empty(t, s.Events())
		require.Zero(t, b.Stats().Subscriptions)
	})
}

func TestBusesAcrossReplicas(t *testing.T) {
	t.Run("a published event reaches the other replica once and is not echoed back", func(t *testing.T) {
		a, b := NewBus(nil), NewBus(nil)
		var wire []string
		a.SetNotifier(func(_ context.Context, payload string) error { wire = append(wire, payload); return nil })
		onA, onB := a.Subscribe(3, 4, Letter), b.Subscribe(3, 4, Letter)
		a.Publish(context.Background(), Event{Tenant: 3, Topic: Letter, Kind: "SIGNED", IDs: []int{5}})
		require.Len(t, wire, 1)
		require.NoError(t, b.Received(wire[0]))
		require.NoError(t, a.Received(wire[0]), "the echo of a's own NOTIFY")
		require.Equal(t, Kind("SIGNED"), (<-onB.Events()).Kind)
		require.Len(t, onA.Events(), 1, "a delivered once, at Publish")
	})

	t.Run("many ids are split into payloads under PostgreSQL's limit", func(t *testing.T) {
		a := NewBus(nil)
		var wire []string
		a.SetNotifier(func(_ context.Context, payload string) error { wire = append(wire, payload); return nil })
		ids := make([]int, 1000)
		for i := range ids {
			ids[i] = 1_000_000_000 + i
		}
		a.Publish(context.Background(), Event{Tenant: 1, Topic: Hazard, Kind: Updated, IDs: ids})
		require.Len(t, wire, 3)
		total := 0
		for _, p := range wire {
			require.Less(t, len(p), 8000)
			var ev Event
			require.NoError(t, json.Unmarshal([]byte(p), &ev))
			total += len(ev.IDs)
		}
		require.Equal(t, 1000, total)
	})

	t.Run("a payload that is not an event is refused", func(t *testing.T) {
		require.Error(t, NewBus(nil).Received("not json"))
	})
}
