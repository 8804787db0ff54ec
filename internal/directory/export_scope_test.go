package directory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/seed"
)

// enterpriseTownColumn is the enterprises sheet's 所属镇街编码 column.
const enterpriseTownColumn = 2

func TestDirectoryExportIsScoped(t *testing.T) {
	demoTemplate.Each(t, func(t *testing.T, d *db.DB) {
		b, err := seed.Load(context.Background(), d.Client, seed.TenantDemo)
		if err != nil {
			t.Fatal(err)
		}
		towns := func(username string) map[string]int {
			t.Helper()
			rows, err := directory.Export(signIn(t, d, b.TenantID, b.Users[username]), d.Client)
			if err != nil {
				t.Fatal(err)
			}
			n := map[string]int{}
			for _, r := range rows[directory.SheetEnterprises] {
				n[fmt.Sprint(r[enterpriseTownColumn])]++
			}
			return n
		}

		t.Run("the county head's export holds enterprises of several towns", func(t *testing.T) {
			if got := towns("county.head"); len(got) < 2 {
				t.Errorf("county export towns %v, want the whole county", got)
			}
		})

		t.Run("a town head's export holds only their own town's enterprises", func(t *testing.T) {
			got := towns("chengguan.head")
			if got[seed.CodeTownChengguan] == 0 {
				t.Errorf("城关镇's head exports none of 城关镇's enterprises: %v", got)
			}
			for town, n := range got {
				if town != seed.CodeTownChengguan {
					t.Errorf("城关镇's head exports %d enterprises of %s", n, town)
				}
			}
		})

		t.Run("another tenant's users are not exported", func(t *testing.T) {
			tenant, importer := emptyCopy(t, d, b.TenantID)
			rows, err := directory.Export(signIn(t, d, tenant, importer), d.Client)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(rows[directory.SheetEnterprises]); n != 0 {
				t.Errorf("an empty tenant exports %d enterprises of the demo county", n)
			}
			for _, r := range rows[directory.SheetUsers] {
				if fmt.Sprint(r[0]) != "importer" {
					t.Errorf("an empty tenant exports user %v", r[0])
				}
			}
		})
	})
}
