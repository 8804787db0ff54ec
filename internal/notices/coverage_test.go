package notices_test

// The receipt coverage costs a fixed number of SQL statements whatever the
// number of notices and receipts, counted with a driver that counts
// statements (as internal/letters does), and its counts agree with the
// demo notices of the seed.

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/notice"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/notices"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

// countingClient is a client on d whose statements n counts.
func countingClient(d *db.DB, n *atomic.Int64) *ent.Client {
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(_ context.Context, args ...any) {
		s := fmt.Sprint(args...)
		if strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") || strings.HasPrefix(s, "Tx(") {
			n.Add(1)
		}
	})
	return ent.NewClient(ent.Driver(drv))
}

// addNotices issues count more county notices to every enterprise of the
// demo county, as the system, none signed for.
func addNotices(t *testing.T, client *ent.Client, b *seed.Built, count int) int {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	tx, err := client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}()
	c := tx.Client()
	ents, err := c.Unit.Query().Where(unit.TenantID(b.TenantID), unit.KindEQ(domain.KindEnterprise)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	towns := map[int]int{}
	for _, e := range ents {
		towns[e.ID] = *e.ParentID
	}
	for i := range count {
		n, err := c.Notice.Create().SetTenantID(b.TenantID).SetIssuerUnitID(b.Units[seed.CodeCounty]).
			SetDocumentNumber(fmt.Sprintf("示安委〔2024〕%d号", 100+i)).SetKind(domain.NoticeNotice).SetTitle("批量通知").
			SetYear(2024).SetIssuedOn(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)).
			SetReceiptDue(time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)).SetRecipientCount(len(ents)).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := notices.CreateReceipts(ctx, c, n, ents, towns); err != nil {
			t.Fatal(err)
		}
	}
	return count * len(ents)
}

func TestCoverageStatementsDoNotGrow(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
		if err != nil {
			t.Fatal(err)
		}
		if err := authz.EnsureTenant(ctx, d.Client, demo.TenantID); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n atomic.Int64
		svc := &notices.Service{Client: countingClient(d, &n), Dialect: d.Dialect}
		v, err := authz.LoadViewer(ctx, d.Client, store.Current(), demo.Users["county.head"], demo.TenantID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		vctx := authz.NewContext(ctx, v)
		run := func(in notices.CoverageInput) (*notices.Coverage, int64) {
			n.Store(0)
			cov, err := svc.Coverage(vctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return cov, n.Load()
		}

		nationalDay, err := d.Client.Notice.Query().Where(notice.DocumentNumber("示安委〔2022〕9号")).OnlyID(authz.SystemContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the National Day notice counts its unsigned fuel stations as overdue", func(t *testing.T) {
			cov, _ := run(notices.CoverageInput{NoticeID: &nationalDay, First: 50})
			want := len(seed.UnreceivedNationalDay)
			if cov.Total.Overdue != want || cov.Total.Pending != 0 || cov.Total.Received != cov.Total.Total-want {
				t.Errorf("totals %+v, want %d overdue", cov.Total, want)
			}
			fuel := 0
			for _, r := range cov.Rows {
				if r.RecipientKind == domain.KindEnterprise {
					fuel += r.Overdue
				}
			}
			if fuel != want {
				t.Errorf("enterprise rows count %d overdue, want %d", fuel, want)
			}
		})

		year := 2022
		before, small := run(notices.CoverageInput{Year: &year, First: 20})
		added := addNotices(t, d.Client, demo, 30)
		all, large := run(notices.CoverageInput{First: 20})
		t.Logf("%s: %d statements for %d receipts, %d for %d", testdb.Name(d.Dialect), small, before.Total.Total, large, all.Total.Total)
		if small != large {
			t.Errorf("statements grow with the receipts: %d → %d", small, large)
		}
		if all.Total.Total < before.Total.Total+added || len(all.Rows) != 20 || !all.HasNextPage {
			t.Errorf("after adding %d receipts: %+v, %d rows, more %t", added, all.Total, len(all.Rows), all.HasNextPage)
		}
		next, _ := run(notices.CoverageInput{First: 20, After: all.EndCursor})
		if len(next.Rows) == 0 || next.Rows[0].Notice.ID == all.Rows[0].Notice.ID && next.Rows[0].Town == all.Rows[0].Town {
			t.Errorf("the second page repeats the first")
		}
		outstanding, _ := run(notices.CoverageInput{OnlyOutstanding: true, Order: notices.ByOverdue, First: 5})
		if len(outstanding.Rows) == 0 || outstanding.Rows[0].Overdue == 0 {
			t.Errorf("outstanding rows, most overdue first: %+v", outstanding.Rows)
		}
	})
}
