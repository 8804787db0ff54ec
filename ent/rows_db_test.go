package ent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/hazardevent"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/signingkey"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

// TestRowsAfterTheFirstReadAsTheirOwn guards rowHolders and nodeBlocks
// (ent/rows.go): a query's rows after its first scan into the first's
// holders and share blocks of nodes, so every row of a many-row query must
// read exactly as the same row read alone, nulls and JSON included.
func TestRowsAfterTheFirstReadAsTheirOwn(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := authz.SystemContext(context.Background())
		c := d.Client
		check := func(t *testing.T, all []fmt.Stringer, alone func(i int) fmt.Stringer) {
			t.Helper()
			require.GreaterOrEqual(t, len(all), 4, "rows enough for more than one block")
			for i, row := range all {
				require.Equal(t, alone(i).String(), row.String(), "row %d", i)
			}
		}
		t.Run("hazards, with nullable times, texts and a JSON plan", func(t *testing.T) {
			rows := c.Hazard.Query().Order(ent.Asc(hazard.FieldID)).AllX(ctx)
			check(t, stringers(rows), func(i int) fmt.Stringer { return c.Hazard.GetX(ctx, rows[i].ID) })
		})
		t.Run("a page of hazards with a few columns selected", func(t *testing.T) {
			rows := c.Hazard.Query().Order(ent.Desc(hazard.FieldID)).Limit(21).
				Select(hazard.FieldState, hazard.FieldLocation, hazard.FieldClosedAt, hazard.FieldPlan).AllX(ctx)
			check(t, stringers(rows), func(i int) fmt.Stringer {
				return c.Hazard.Query().Where(hazard.ID(rows[i].ID)).
					Select(hazard.FieldState, hazard.FieldLocation, hazard.FieldClosedAt, hazard.FieldPlan).OnlyX(ctx)
			})
		})
		t.Run("hazard events", func(t *testing.T) {
			rows := c.HazardEvent.Query().Order(ent.Asc(hazardevent.FieldID)).AllX(ctx)
			check(t, stringers(rows), func(i int) fmt.Stringer { return c.HazardEvent.GetX(ctx, rows[i].ID) })
		})
		t.Run("inspections", func(t *testing.T) {
			rows := c.Inspection.Query().Order(ent.Asc(inspection.FieldID)).AllX(ctx)
			check(t, stringers(rows), func(i int) fmt.Stringer { return c.Inspection.GetX(ctx, rows[i].ID) })
		})
		t.Run("units", func(t *testing.T) {
			rows := c.Unit.Query().Order(ent.Asc(unit.FieldID)).AllX(ctx)
			check(t, stringers(rows), func(i int) fmt.Stringer { return c.Unit.GetX(ctx, rows[i].ID) })
		})
		t.Run("signing keys, whose nillable sealed key keeps its holder", func(t *testing.T) {
			for i, sealed := range [][]byte{[]byte("one"), nil, []byte("three"), []byte("four"), nil} {
				create := c.SigningKey.Create().SetKid(fmt.Sprintf("k%d", i)).SetPublicKey([]byte{byte(i)}).SetCreatedAt(time.Now())
				if sealed != nil {
					create.SetSealedPrivateKey(sealed)
				}
				create.ExecX(ctx)
			}
			rows := c.SigningKey.Query().Order(ent.Asc(signingkey.FieldID)).AllX(ctx)
			check(t, stringers(rows), func(i int) fmt.Stringer { return c.SigningKey.GetX(ctx, rows[i].ID) })
			for i, r := range rows {
				require.Equal(t, []byte{byte(i)}, r.PublicKey)
			}
			require.Equal(t, "three", string(*rows[2].SealedPrivateKey))
			require.Equal(t, "four", string(*rows[3].SealedPrivateKey))
			require.Empty(t, *rows[4].SealedPrivateKey, "ent keeps a NULL bytes column as a pointer to no bytes")
		})
		t.Run("hazards with their events loaded for the page", func(t *testing.T) {
			rows := c.Hazard.Query().Order(ent.Asc(hazard.FieldID)).WithEvents().AllX(ctx)
			for _, h := range rows {
				want := c.HazardEvent.Query().Where(hazardevent.HazardID(h.ID)).Order(ent.Asc(hazardevent.FieldID)).AllX(ctx)
				require.Len(t, h.Edges.Events, len(want))
				for _, e := range h.Edges.Events {
					require.Equal(t, h.ID, e.HazardID, "an event sits under its own hazard")
				}
			}
		})
	})
}

func stringers[T fmt.Stringer](rows []T) []fmt.Stringer {
	out := make([]fmt.Stringer, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}
