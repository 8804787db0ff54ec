package authz_test

// The cost of the audit log on a mutation: statements (deterministic test)
// and time (benchmark), with the audit hook as internal/db installs it and
// without it. Results: docs/PERFORMANCE.md.
//
//	go test ./authz -run TestAuditStatementCount -v
//	./scripts/test.sh ./authz -run '^$' -bench Audit -benchmem

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// auditClient returns a client on x's pool whose driver counts statements,
// with the audit hook and implicit-transaction driver of internal/db when
// audited is true, and without any when false.
func (c *counter) auditClient(x *demoDB, audited bool) *ent.Client {
	var drv dialect.Driver = dialect.DebugWithContext(entsql.OpenDB(x.d.Dialect, x.d.SQL), func(_ context.Context, args ...any) {
		s := fmt.Sprint(args...)
		if strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") || (strings.HasPrefix(s, "Tx(") && !strings.Contains(s, "): ")) {
			c.n.Add(1)
			if m := stmtText.FindStringSubmatch(s); m != nil {
				s = m[1]
			}
			c.mu.Lock()
			c.stmts = append(c.stmts, s)
			c.mu.Unlock()
		}
	})
	if !audited {
		return ent.NewClient(ent.Driver(drv))
	}
	ad := audit.NewDriver(drv)
	client := ent.NewClient(ent.Driver(ad))
	client.Use(authz.AuditHook(ad))
	return client
}

// mutations are the two measured changes, each in its own transaction as
// the org service runs them, by the demo ADMIN: renaming a unit (an
// UpdateOne with the scope hook's old-row load) and creating a post.
func auditMutations(tb testing.TB, x *demoDB) map[string]func(ctx context.Context, c *ent.Client, i int) error {
	ws := x.built.Units["WS-MECH-ASSEMBLY"]
	town := x.built.Units[seed.CodeTownChengguan]
	uid, err := x.built.User("bureau.inspector1")
	if err != nil {
		tb.Fatal(err)
	}
	inTx := func(ctx context.Context, c *ent.Client, fn func(*ent.Client) error) error {
		tx, err := c.Tx(ctx)
		if err != nil {
			return err
		}
		if err := fn(tx.Client()); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	return map[string]func(ctx context.Context, c *ent.Client, i int) error{
		"update unit": func(ctx context.Context, c *ent.Client, i int) error {
			return inTx(ctx, c, func(c *ent.Client) error {
				return c.Unit.UpdateOneID(ws).SetName(fmt.Sprintf("总装车间%d", i)).Exec(ctx)
			})
		},
		"create post": func(ctx context.Context, c *ent.Client, i int) error {
			return inTx(ctx, c, func(c *ent.Client) error {
				return c.Post.Create().SetUserID(uid).SetUnitID(town).SetRole(domain.RoleInspector).
					SetTitle(fmt.Sprintf("岗位%d", i)).SetValidFrom(seed.ValidFrom).Exec(ctx)
			})
		},
	}
}

// TestAuditStatementCount: appending the event adds exactly two statements
// to a mutation — the chain-head upsert and the insert — on both databases.
func TestAuditStatementCount(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			x := openDemo(t, dl)
			for name, mutate := range auditMutations(t, x) {
				counts := map[bool]int64{}
				for _, audited := range []bool{false, true} {
					c := &counter{}
					client := c.auditClient(x, audited)
					ctx := authz.NewContext(context.Background(), x.viewer(t, client, "admin"))
					c.reset()
					require.NoError(t, mutate(ctx, client, 1000+len(counts)))
					counts[audited] = c.n.Load()
					t.Logf("%s, audited=%v: %d statements: %s", name, audited, c.n.Load(), strings.Join(c.stmts, " | "))
				}
				require.Equal(t, int64(2), counts[true]-counts[false], "%s: the audit append adds the head upsert and the insert", name)
			}
		})
	}
}

// BenchmarkAuditedMutation: the same mutations with and without the audit
// hook (wall time per mutation, including its transaction).
func BenchmarkAuditedMutation(b *testing.B) {
	for _, dl := range testdb.Dialects(b) {
		x := openDemo(b, dl)
		for _, name := range []string{"update unit", "create post"} {
			mutate := auditMutations(b, x)[name]
			for _, audited := range []bool{false, true} {
				label := "without audit"
				if audited {
					label = "with audit"
				}
				b.Run(testdb.Name(dl)+"/"+name+"/"+label, func(b *testing.B) {
					c := &counter{}
					client := c.auditClient(x, audited)
					ctx := authz.NewContext(context.Background(), x.viewer(b, client, "admin"))
					i := 0
					loopCPU(b, func() {
						i++
						if err := mutate(ctx, client, i); err != nil {
							b.Fatal(err)
						}
					})
					b.ReportMetric(float64(c.n.Load())/float64(i), "stmts/op")
				})
			}
		}
	}
}
