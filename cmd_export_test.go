package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/ledger"
)

func TestExportWritesTheLedgerAUserSees(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		require.NoError(t, app.EnsurePolicies(ctx, d), "as serve and seed do")
		hazards, err := ledger.KindNamed("hazards")
		require.NoError(t, err)
		rows := func(user, where string) [][]string {
			var out bytes.Buffer
			require.NoError(t, writeLedger(ctx, d.Client, hazards, "demo", user, "csv", where, &out))
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out.Bytes(), []byte("\ufeff")))).ReadAll()
			require.NoError(t, err)
			return recs
		}
		county, town := rows("county.head", ""), rows("chengguan.head", "")
		require.Greater(t, len(county), len(town))
		for _, r := range town[1:] {
			require.Equal(t, "城关镇", r[0], "a town head's ledger holds only their town")
		}
		major := rows("county.head", `{"level":"MAJOR"}`)
		require.Less(t, len(major), len(county))
		for _, r := range major[1:] {
			require.Equal(t, "重大隐患", r[5])
		}

		var out bytes.Buffer
		require.NoError(t, writeLedger(ctx, d.Client, hazards, "demo", "county.head", "xlsx", "", &out))
		f, err := excelize.OpenReader(&out)
		require.NoError(t, err)
		got, err := f.GetRows(hazards.Title)
		require.NoError(t, err)
		require.Len(t, got, len(county))

		for name, c := range map[string]struct{ tenant, user, where string }{
			"an unknown tenant":        {"nowhere", "county.head", ""},
			"an unknown user":          {"demo", "nobody", ""},
			"a user of another tenant": {"demo", "neighbor.secretary", ""},
			"a bad where":              {"demo", "county.head", `{"levl":"MAJOR"}`},
		} {
			require.Error(t, writeLedger(ctx, d.Client, hazards, c.tenant, c.user, "csv", c.where, &bytes.Buffer{}), name)
		}
	})
}
