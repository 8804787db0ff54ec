package authz_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/org"
	"github.com/dutychain/dutychain/internal/testdb"
)

// TestPostValidityAcrossTimeZones: only posts valid at the request time grant
// rights (validFrom ≤ now < validTo), whatever UTC offset the timestamps were
// written with. GraphQL accepts any RFC 3339 offset (a browser sends "Z", a
// clerk in 示范县 may send "+08:00"), and the server's clock is in its local
// zone (time.Now), so stored windows and "now" routinely differ in offset.
//
// The comparison must be on instants. On PostgreSQL (timestamptz) it is. On
// the embedded SQLite database times are stored as text in the offset they
// were given ("2024-01-01 08:00:00+08:00") and compared as text, so an ended
// post keeps granting rights — and a future post grants them early — for up
// to the offset difference (8 hours for +08:00 against UTC).
func TestPostValidityAcrossTimeZones(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600) // China Standard Time, no DST
	at := func(s string, loc *time.Location) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	ptr := func(x time.Time) *time.Time { return &x }
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
		w.units = []gUnit{{kind: domain.KindCounty, parent: -1, ent: -1, town: -1}}
		w.users = []gUser{{home: 0}}
		w.posts = []gPost{
			// Starts 2024-01-01 00:00 UTC, written in +08:00.
			{user: 0, unit: 0, role: domain.RoleGovernmentHead, from: at("2024-01-01 08:00", cst)},
			// Ends 2024-06-01 00:00 UTC, written in +08:00.
			{user: 0, unit: 0, role: domain.RoleAuditor, from: at("2023-01-01 00:00", time.UTC), to: ptr(at("2024-06-01 08:00", cst))},
			// Starts 2025-01-01 00:00 UTC, written in UTC.
			{user: 0, unit: 0, role: domain.RoleAdmin, from: at("2025-01-01 00:00", time.UTC)},
		}
		if err := build(ctx, d.Client, w); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		head, auditor, admin := w.posts[0].id, w.posts[1].id, w.posts[2].id
		tests := []struct {
			name string
			now  time.Time
			want []int
		}{
			{"4h after a +08:00 start, server in UTC", at("2024-01-01 04:00", time.UTC), []int{head, auditor}},
			{"4h after a +08:00 end, server in UTC", at("2024-06-01 04:00", time.UTC), []int{head}},
			{"2h before a UTC start, server in +08:00", at("2025-01-01 06:00", cst), []int{head}},
			{"1h after a UTC start, server in +08:00", at("2025-01-01 09:00", cst), []int{head, admin}},
		}
		for _, tt := range tests {
			v, err := authz.LoadViewer(ctx, d.Client, store.Current(), w.users[0].id, w.tenant, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(slices.Values(v.PostIDs))
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("%s (now %s = %s UTC): valid posts %s, want %s", tt.name, tt.now.Format(time.RFC3339), tt.now.UTC().Format("15:04"),
					roleNames(w, got), roleNames(w, want))
			}
		}
	})
}

func roleNames(w *world, ids []int) string {
	var out []string
	for _, id := range ids {
		for _, p := range w.posts {
			if p.id == id {
				out = append(out, string(p.role))
			}
		}
	}
	return fmt.Sprint(out)
}

// TestPostOverlapAcrossTimeZones: createPost refuses a second post of the same
// user, unit and role whose window overlaps an existing one, whatever offset
// the client wrote the window in. Stored times are normalised to UTC; the
// query arguments must be too (on SQLite times compare as text).
func TestPostOverlapAcrossTimeZones(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
		w.units = []gUnit{{kind: domain.KindCounty, parent: -1, ent: -1, town: -1}}
		w.users = []gUser{{home: 0}, {home: 0}}
		end := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
		w.posts = []gPost{
			// An INSPECTOR post for the first half of 2024 (UTC).
			{user: 0, unit: 0, role: domain.RoleInspector, from: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), to: &end},
			// The tenant administrator who appoints.
			{user: 1, unit: 0, role: domain.RoleAdmin, from: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		}
		if err := build(ctx, d.Client, w); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		admin, err := authz.LoadViewer(ctx, d.Client, store.Current(), w.users[1].id, w.tenant, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		svc := &org.Service{Client: d.Client, Dialect: d.Dialect}
		// The same role from 2024-06-01 06:00 +08:00 = 2024-05-31 22:00 UTC:
		// two hours before the first post ends.
		from := time.Date(2024, 6, 1, 6, 0, 0, 0, cst)
		_, err = svc.CreatePost(authz.NewContext(ctx, admin), org.PostInput{UserID: w.users[0].id, UnitID: w.units[0].id, Role: domain.RoleInspector, ValidFrom: &from})
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("overlapping post (starts %s, 2h before the existing one ends at %s): error %v, want CONFLICT",
				from.Format(time.RFC3339), end.Format(time.RFC3339), err)
		}
	})
}
