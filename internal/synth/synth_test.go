package synth_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/synth"
	"github.com/dutychain/dutychain/internal/testdb"
)

var now = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)

// small is a province in miniature: a city of 2 counties, 3 towns and 30
// enterprises each, 3,000 hazards.
func small() synth.Options {
	o := synth.DefaultOptions()
	o.Seed, o.Counties, o.Towns, o.Enterprises, o.Hazards, o.Now = 7, 2, 6, 60, 3000, now
	return o
}

func generate(t *testing.T, d *db.DB, o synth.Options) synth.Result {
	t.Helper()
	res, err := synth.Generate(context.Background(), d, o)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return res
}

// count runs a COUNT(*) query.
func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestGenerate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		res := generate(t, d, small())
		tid := res.TenantID
		zero := func(t *testing.T, what, q string) {
			t.Helper()
			if n := count(t, d, q, tid); n != 0 {
				t.Errorf("%d %s\n%s", n, what, q)
			}
		}

		t.Run("the rows asked for are there", func(t *testing.T) {
			for table, want := range map[string]int{"hazards": 3000, "enterprises": 60, "users": 2 + 2*(9+6*2) + 6*4 + 60*2} {
				if got := res.Counts.Get(table); got != want {
					t.Errorf("%s: %d rows, want %d", table, got, want)
				}
				if got := count(t, d, "SELECT COUNT(*) FROM "+table+" WHERE tenant_id = $1", tid); got != want {
					t.Errorf("%s: %d rows in the database, want %d", table, got, want)
				}
			}
			for kind, want := range map[string]int{"CITY": 1, "COUNTY": 2, "TOWN": 6, "DEPARTMENT": 12, "ENTERPRISE": 60, "WORKSHOP": 120, "TEAM": 240} {
				if got := count(t, d, "SELECT COUNT(*) FROM units WHERE tenant_id = $1 AND kind = $2", tid, kind); got != want {
					t.Errorf("%d %s units, want %d", got, kind, want)
				}
			}
			if n := count(t, d, "SELECT COUNT(*) FROM tenants WHERE id = $1 AND synthetic", tid); n != 1 {
				t.Error("the tenant is not marked synthetic")
			}
		})

		t.Run("the load leaves every tally and rollup table compact", func(t *testing.T) {
			if d.Dialect != dialect.Postgres {
				t.Skip("PostgreSQL only: the tally triggers' updates leave dead row versions there")
			}
			rows, err := d.SQL.Query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
				AND (tablename LIKE '%\_tallies' OR tablename LIKE '%\_tally\_rollups') ORDER BY tablename`)
			if err != nil {
				t.Fatal(err)
			}
			var tables []string
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				tables = append(tables, name)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"hazard_tallies", "hazard_tally_rollups", "hazard_month_tallies", "hazard_month_tally_rollups",
				"inspection_month_tallies", "inspection_month_tally_rollups", "enforcement_month_tallies", "enforcement_month_tally_rollups"} {
				if !slices.Contains(tables, want) {
					t.Errorf("%s is not among the tally tables %v", want, tables)
				}
			}
			for _, table := range tables {
				n := count(t, d, "SELECT COUNT(*) FROM "+table+" WHERE tenant_id = $1", tid)
				pages := count(t, d, "SELECT (pg_relation_size($1::regclass) / 8192)::int", table)
				// ≈ 50 tally rows fit a page at fillfactor 70; a dead version per
				// hazard written would be hundreds of pages.
				if pages > n/10+2 {
					t.Errorf("%s: %d pages for %d rows: not compacted after the load", table, pages, n)
				}
			}
		})
		t.Run("every unit's path is its parent's path plus its id, one level deeper", func(t *testing.T) {
			zero(t, "units off their parent's path", `SELECT COUNT(*) FROM units c JOIN units p ON p.id = c.parent_id
				WHERE c.tenant_id = $1 AND (c.scope_path <> p.scope_path || c.id || '/' OR c.depth <> p.depth + 1 OR p.tenant_id <> c.tenant_id)`)
			zero(t, "roots off their own path", `SELECT COUNT(*) FROM units WHERE tenant_id = $1 AND parent_id IS NULL
				AND (scope_path <> '/' || id || '/' OR depth <> 0 OR kind <> 'CITY')`)
		})
		t.Run("government units carry no sector, enterprise-side units their enterprise's", func(t *testing.T) {
			zero(t, "government units with a sector", `SELECT COUNT(*) FROM units WHERE tenant_id = $1
				AND kind IN ('CITY','COUNTY','TOWN','DEPARTMENT') AND (sector IS NOT NULL OR scope_sector IS NOT NULL OR scope_enterprise_id IS NOT NULL)`)
			zero(t, "enterprises not their own", `SELECT COUNT(*) FROM units WHERE tenant_id = $1 AND kind = 'ENTERPRISE'
				AND (scope_enterprise_id <> id OR scope_sector IS DISTINCT FROM sector OR sector IS NULL)`)
			zero(t, "workshops and teams off their parent's enterprise", `SELECT COUNT(*) FROM units c JOIN units p ON p.id = c.parent_id
				WHERE c.tenant_id = $1 AND c.kind IN ('WORKSHOP','TEAM') AND (c.scope_enterprise_id IS DISTINCT FROM p.scope_enterprise_id
				OR c.sector IS DISTINCT FROM p.sector OR c.scope_sector IS DISTINCT FROM p.sector)`)
			zero(t, "enterprise profiles off their unit", `SELECT COUNT(*) FROM enterprises e JOIN units u ON u.id = e.unit_id
				WHERE e.tenant_id = $1 AND (e.sector <> u.sector OR e.town_id <> u.parent_id)`)
		})
		// Each scoped table copies its subject's scope columns.
		for _, sc := range []struct{ table, subject, ref string }{
			{"enterprises", "unit_id", "units"}, {"users", "unit_id", "units"}, {"posts", "unit_id", "units"},
			{"inspections", "target_id", "units"}, {"hazards", "subject_id", "units"}, {"hazard_events", "hazard_id", "hazards"},
			{"responsibility_letters", "signee_unit_id", "units"}, {"letter_signatures", "letter_id", "responsibility_letters"},
			{"letter_events", "letter_id", "responsibility_letters"}, {"notices", "issuer_unit_id", "units"},
			{"notice_receipts", "recipient_unit_id", "units"}, {"enforcement_hazards", "hazard_id", "hazards"},
		} {
			t.Run(fmt.Sprintf("%s carry the scope columns of their %s", sc.table, strings.TrimSuffix(sc.subject, "_id")), func(t *testing.T) {
				zero(t, "rows off their subject's scope", fmt.Sprintf(`SELECT COUNT(*) FROM %s r JOIN %s s ON s.id = r.%s
					WHERE r.tenant_id = $1 AND (r.tenant_id <> s.tenant_id OR r.scope_path <> s.scope_path
					OR r.scope_sector IS DISTINCT FROM s.scope_sector OR r.scope_enterprise_id IS DISTINCT FROM s.scope_enterprise_id)`,
					sc.table, sc.ref, sc.subject))
				zero(t, "rows whose subject is missing", fmt.Sprintf(`SELECT COUNT(*) FROM %s r LEFT JOIN %s s ON s.id = r.%s
					WHERE r.tenant_id = $1 AND s.id IS NULL`, sc.table, sc.ref, sc.subject))
			})
		}
		t.Run("letters and what belongs to them carry the issuer's path", func(t *testing.T) {
			zero(t, "letters off their issuer", `SELECT COUNT(*) FROM responsibility_letters l JOIN units u ON u.id = l.issuer_unit_id
				WHERE l.tenant_id = $1 AND l.issuer_scope_path IS DISTINCT FROM u.scope_path`)
			zero(t, "notices off their issuer", `SELECT COUNT(*) FROM notices n JOIN units u ON u.id = n.issuer_unit_id
				WHERE n.tenant_id = $1 AND n.issuer_scope_path IS DISTINCT FROM u.scope_path`)
			zero(t, "receipts off their notice's issuer", `SELECT COUNT(*) FROM notice_receipts r JOIN notices n ON n.id = r.notice_id
				WHERE r.tenant_id = $1 AND (r.issuer_scope_path IS DISTINCT FROM n.issuer_scope_path OR r.issuer_unit_id <> n.issuer_unit_id)`)
			zero(t, "hazard links of enforcement actions with an issuer side", `SELECT COUNT(*) FROM enforcement_hazards
				WHERE tenant_id = $1 AND (issuer_scope_path IS NOT NULL OR issuer_only)`)
			for _, table := range []string{"letter_signatures", "letter_events"} {
				zero(t, table+" off their letter's issuer", `SELECT COUNT(*) FROM `+table+` r JOIN responsibility_letters l ON l.id = r.letter_id
					WHERE r.tenant_id = $1 AND r.issuer_scope_path IS DISTINCT FROM l.issuer_scope_path`)
			}
		})
		t.Run("notices and receipts are as the notices service writes them", func(t *testing.T) {
			if n := count(t, d, "SELECT COUNT(*) FROM notices WHERE tenant_id = $1", tid); n == 0 || n != res.Counts.Get("notices") {
				t.Errorf("%d notices in the database, %d counted", n, res.Counts.Get("notices"))
			}
			zero(t, "notices whose recipient count is off", `SELECT COUNT(*) FROM notices n WHERE n.tenant_id = $1
				AND n.recipient_count <> (SELECT COUNT(*) FROM notice_receipts r WHERE r.notice_id = n.id)`)
			zero(t, "receipts half signed", `SELECT COUNT(*) FROM notice_receipts WHERE tenant_id = $1
				AND ((received_at IS NULL) <> (receiver_name IS NULL) OR received_at < created_at OR due_at <= created_at)`)
			zero(t, "receipts of a town or enterprise without their town", `SELECT COUNT(*) FROM notice_receipts r JOIN units u ON u.id = r.recipient_unit_id
				WHERE r.tenant_id = $1 AND r.town_id IS DISTINCT FROM (CASE u.kind WHEN 'TOWN' THEN u.id WHEN 'ENTERPRISE' THEN u.parent_id END)`)
			zero(t, "receipts by someone without a post at the recipient", `SELECT COUNT(*) FROM notice_receipts r JOIN posts p ON p.id = r.receiver_post_id
				WHERE r.tenant_id = $1 AND p.unit_id <> r.recipient_unit_id`)
			received := count(t, d, "SELECT COUNT(*) FROM notice_receipts WHERE tenant_id = $1 AND received_at IS NOT NULL", tid)
			overdue := count(t, d, "SELECT COUNT(*) FROM notice_receipts WHERE tenant_id = $1 AND received_at IS NULL AND due_at < $2", tid, now)
			if received == 0 || overdue == 0 || overdue > received/5 {
				t.Errorf("%d receipts received, %d overdue: want most received and a few overdue", received, overdue)
			}
		})
		t.Run("every reference resolves inside the tenant", func(t *testing.T) {
			for _, ref := range []struct{ table, col, target string }{
				{"units", "parent_id", "units"}, {"enterprises", "town_id", "units"}, {"supervisions", "department_id", "units"},
				{"supervisions", "enterprise_id", "units"}, {"posts", "user_id", "users"}, {"inspections", "inspecting_unit_id", "units"},
				{"hazards", "reported_by_id", "users"}, {"hazards", "inspection_id", "inspections"}, {"hazard_events", "actor_id", "users"},
				{"hazard_events", "post_id", "posts"}, {"letter_signatures", "post_id", "posts"}, {"letter_events", "actor_user_id", "users"},
				{"responsibility_letters", "issuer_unit_id", "units"}, {"notice_receipts", "notice_id", "notices"},
				{"notice_receipts", "town_id", "units"}, {"notice_receipts", "receiver_user_id", "users"},
				{"notice_receipts", "receiver_post_id", "posts"},
			} {
				zero(t, ref.table+"."+ref.col+" dangling", fmt.Sprintf(`SELECT COUNT(*) FROM %s r LEFT JOIN %s x ON x.id = r.%s AND x.tenant_id = r.tenant_id
					WHERE r.tenant_id = $1 AND r.%s IS NOT NULL AND x.id IS NULL`, ref.table, ref.target, ref.col, ref.col))
			}
			zero(t, "posts of another user's unit", `SELECT COUNT(*) FROM posts p JOIN users u ON u.id = p.user_id
				WHERE p.tenant_id = $1 AND p.unit_id <> u.unit_id`)
			zero(t, "inspections whose hazards are elsewhere", `SELECT COUNT(*) FROM hazards h JOIN inspections i ON i.id = h.inspection_id
				WHERE h.tenant_id = $1 AND (h.scope_enterprise_id <> i.scope_enterprise_id OR h.source <> 'INSPECTION' OR h.found_at < i.inspected_on)`)
			zero(t, "INSPECTION hazards without an inspection", `SELECT COUNT(*) FROM hazards WHERE tenant_id = $1
				AND (source = 'INSPECTION') <> (inspection_id IS NOT NULL)`)
		})
		t.Run("every department supervises exactly the enterprises of its sectors in its county", func(t *testing.T) {
			zero(t, "supervisions across counties or sectors", `SELECT COUNT(*) FROM supervisions s JOIN units dpt ON dpt.id = s.department_id
				JOIN units e ON e.id = s.enterprise_id WHERE s.tenant_id = $1 AND (e.scope_path NOT LIKE (
				SELECT c.scope_path FROM units c WHERE c.id = dpt.parent_id) || '%' OR s.source <> 'DEFAULT')`)
			if got := count(t, d, "SELECT COUNT(*) FROM supervisions WHERE tenant_id = $1", tid); got != 60 {
				t.Errorf("%d supervisions, want one per enterprise (60): each sector has one department", got)
			}
		})

		t.Run("hazard dates are consistent", func(t *testing.T) {
			zero(t, "deadlines not after found_at", `SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND deadline <= found_at`)
			zero(t, "closed_at set iff CLOSED", `SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND (state = 'CLOSED') <> (closed_at IS NOT NULL)`)
			zero(t, "closed before found", `SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND closed_at < found_at`)
			zero(t, "MAJOR hazards past REPORTED without a plan, or others with one", `SELECT COUNT(*) FROM hazards WHERE tenant_id = $1
				AND (level = 'MAJOR' AND state <> 'REPORTED') <> (plan IS NOT NULL)`)
			if n := count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND (found_at > $2 OR found_at < $3)",
				tid, now, now.AddDate(0, 0, -731)); n != 0 {
				t.Errorf("%d hazards found in the future or over two years ago", n)
			}
		})
		t.Run("every state and level occurs, most hazards are closed", func(t *testing.T) {
			for _, st := range []string{"REPORTED", "PLAN_SUBMITTED", "RECTIFYING", "SUBMITTED", "CLOSED"} {
				if count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND state = $2", tid, st) == 0 {
					t.Errorf("no %s hazard", st)
				}
			}
			for _, lv := range []string{"GENERAL", "MAJOR"} {
				if count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND level = $2", tid, lv) == 0 {
					t.Errorf("no %s hazard", lv)
				}
			}
			if closed := count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND state = 'CLOSED'", tid); closed < 2400 {
				t.Errorf("%d of 3000 closed", closed)
			}
		})
		t.Run("a supervised hazard names the unit that ordered it, a submitted one its submitter", func(t *testing.T) {
			if n := count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND supervised", tid); n == 0 {
				t.Fatal("no supervised hazard: the test would prove nothing")
			}
			zero(t, "supervised hazards without the unit that ordered it",
				"SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND supervised AND supervisor_id IS NULL")
			zero(t, "hazards awaiting a decision without their submitter",
				"SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND state IN ('SUBMITTED', 'PLAN_SUBMITTED') AND submitted_by_id IS NULL")
			zero(t, "assigned hazards without their assigner",
				"SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND assignee_id IS NOT NULL AND assigner_id IS NULL")
		})
		t.Run("every hazard's history follows the lifecycle and ends in its state", func(t *testing.T) {
			checkHistories(t, d, tid)
		})
		t.Run("letters follow their lifecycle: one live letter per pair, signatures as their state needs", func(t *testing.T) {
			zero(t, "pairs with two live letters", `SELECT COUNT(*) FROM (SELECT year, issuer_unit_id, signee_unit_id FROM responsibility_letters
				WHERE tenant_id = $1 AND live GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) x`)
			zero(t, "live flags off the state", `SELECT COUNT(*) FROM responsibility_letters WHERE tenant_id = $1
				AND (state = 'REVOKED') <> (live IS NULL)`)
			zero(t, "versions off the history", `SELECT COUNT(*) FROM responsibility_letters l WHERE tenant_id = $1
				AND version <> (SELECT COUNT(*) FROM letter_events e WHERE e.letter_id = l.id)`)
			zero(t, "signed letters missing a signature", `SELECT COUNT(*) FROM responsibility_letters l WHERE tenant_id = $1
				AND state IN ('SIGNED','ARCHIVED') AND (SELECT COUNT(*) FROM letter_signatures s WHERE s.letter_id = l.id)
				<> CASE WHEN signee_kind IN ('CITY','COUNTY','TOWN','DEPARTMENT') THEN 2 ELSE 1 END`)
			zero(t, "letters off the chain", `SELECT COUNT(*) FROM responsibility_letters l JOIN units s ON s.id = l.signee_unit_id
				WHERE l.tenant_id = $1 AND s.parent_id <> l.issuer_unit_id`)
			for _, st := range []string{"DRAFT", "ISSUED", "SIGNED", "ARCHIVED"} {
				if count(t, d, "SELECT COUNT(*) FROM responsibility_letters WHERE tenant_id = $1 AND state = $2", tid, st) == 0 {
					t.Errorf("no %s letter", st)
				}
			}
			// The chain: city → 2 counties, county → 3 towns and 6 departments, town → enterprises, enterprise → 2 workshops.
			if n := count(t, d, "SELECT COUNT(*) FROM responsibility_letters WHERE tenant_id = $1 AND live", tid); n != 2+2*(3+6)+60+120 {
				t.Errorf("%d live letters, want %d", n, 2+2*(3+6)+60+120)
			}
		})
		t.Run("the year's records keep their own rules and hold the planted gaps", func(t *testing.T) { checkRecords(t, d, tid) })
		t.Run("the ent hooks stamp a new unit and hazard under synthetic ones exactly as the generator did", func(t *testing.T) {
			checkAgainstHooks(t, d, tid)
		})
	})
}

// checkHistories walks every hazard's events in order.
func checkHistories(t *testing.T, d *db.DB, tid int) {
	type hz struct {
		level, state string
		supervised   bool
		closed       *time.Time
	}
	hs := map[int]*hz{}
	rows, err := d.SQL.Query("SELECT id, level, state, supervised, closed_at FROM hazards WHERE tenant_id = $1", tid)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		h := &hz{}
		if err := rows.Scan(&id, &h.level, &h.state, &h.supervised, &h.closed); err != nil {
			t.Fatal(err)
		}
		hs[id] = h
	}
	rows.Close()
	// Legal steps: action → from → to (from == to for steps that keep the state).
	legal := map[string]map[string]string{
		"REPORT":              {"": "REPORTED"},
		"START_RECTIFICATION": {"REPORTED": "RECTIFYING"},
		"SUBMIT_PLAN":         {"REPORTED": "PLAN_SUBMITTED"},
		"APPROVE_PLAN":        {"PLAN_SUBMITTED": "RECTIFYING"},
		"SUBMIT":              {"RECTIFYING": "SUBMITTED"},
		"REJECT":              {"SUBMITTED": "RECTIFYING"},
		"CLOSE":               {"SUBMITTED": "CLOSED"},
		"CLOSE_ON_SPOT":       {"REPORTED": "CLOSED"},
	}
	rows, err = d.SQL.Query("SELECT hazard_id, action, from_state, to_state, at FROM hazard_events WHERE tenant_id = $1 ORDER BY hazard_id, at, id", tid)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type walk struct {
		state      string
		supervised bool
		last       time.Time
		closedAt   time.Time
		n          int
	}
	walks := map[int]*walk{}
	bad := 0
	fail := func(format string, args ...any) {
		if bad++; bad <= 10 {
			t.Errorf(format, args...)
		}
	}
	for rows.Next() {
		var (
			id               int
			action, from, to string
			at               time.Time
		)
		if err := rows.Scan(&id, &action, &from, &to, &at); err != nil {
			t.Fatal(err)
		}
		w := walks[id]
		if w == nil {
			w = &walk{}
			walks[id] = w
			if action != "REPORT" {
				fail("hazard %d starts with %s", id, action)
			}
		}
		h := hs[id]
		switch {
		case from != w.state:
			fail("hazard %d: %s from %q, but the hazard was %q", id, action, from, w.state)
		case action == "SUPERVISE" || action == "LIFT_SUPERVISION" || action == "ASSIGN":
			if to != from {
				fail("hazard %d: %s changes the state", id, action)
			}
			if action != "ASSIGN" {
				w.supervised = action == "SUPERVISE"
			}
		case legal[action][from] != to:
			fail("hazard %d: %s %s → %s is not a legal step", id, action, from, to)
		case h.level == "MAJOR" && (action == "START_RECTIFICATION" || action == "CLOSE_ON_SPOT"),
			h.level == "GENERAL" && (action == "SUBMIT_PLAN" || action == "APPROVE_PLAN"):
			fail("hazard %d: %s on a %s hazard", id, action, h.level)
		}
		if at.Before(w.last) || at.After(now) {
			fail("hazard %d: %s at %s out of order or in the future", id, action, at)
		}
		if to == "CLOSED" && from != "CLOSED" {
			w.closedAt = at
		}
		w.state, w.last = to, at
		w.n++
	}
	if len(walks) != len(hs) {
		t.Errorf("%d hazards, %d with a history", len(hs), len(walks))
	}
	for id, w := range walks {
		h := hs[id]
		if h.state != w.state || h.supervised != w.supervised {
			fail("hazard %d is %s (supervised %v) but its history ends in %s (supervised %v)", id, h.state, h.supervised, w.state, w.supervised)
		}
		if h.closed != nil && !h.closed.Equal(w.closedAt) {
			fail("hazard %d closed at %s, its CLOSE step at %s", id, h.closed, w.closedAt)
		}
	}
}

// checkAgainstHooks creates a workshop and a hazard through ent, whose hooks
// stamp the scope columns, and compares them with the generated rows.
func checkAgainstHooks(t *testing.T, d *db.DB, tid int) {
	ctx := authz.SystemContext(context.Background())
	ent1, err := d.Client.Unit.Query().Where(unit.TenantID(tid), unit.Code(synth.UnitCode(1, synth.LevelEnterprise, 1))).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop, err := d.Client.Unit.Create().SetTenantID(tid).SetKind(domain.KindWorkshop).SetCode("hooked").SetName("新车间").
		SetParentID(ent1.ID).SetNillableSector(ent1.Sector).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := ent1.ScopePath + fmt.Sprint(shop.ID) + "/"; shop.ScopePath != want || shop.Depth != ent1.Depth+1 ||
		*shop.ScopeEnterpriseID != ent1.ID || *shop.ScopeSector != *ent1.ScopeSector {
		t.Errorf("the hook stamped %s depth %d ent %v, the generator's rule gives %s depth %d ent %d", shop.ScopePath, shop.Depth,
			*shop.ScopeEnterpriseID, want, ent1.Depth+1, ent1.ID)
	}
	team, err := d.Client.Unit.Query().Where(unit.TenantID(tid), unit.Code(synth.TeamCode(1, 1, 1, 1))).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reporter := 0
	if err := d.SQL.QueryRow("SELECT id FROM users WHERE tenant_id = $1 AND username = $2", tid,
		synth.Username(1, synth.LevelEnterprise, 1, synth.RoleSafety)).Scan(&reporter); err != nil {
		t.Fatal(err)
	}
	h, err := d.Client.Hazard.Create().SetTenantID(tid).SetSubjectID(team.ID).SetSource("SELF_CHECK").SetLevel("GENERAL").
		SetCategory("x").SetDescription("x").SetFoundAt(now).SetDeadline(now.Add(time.Hour)).SetReportedByID(reporter).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM hazards WHERE subject_id = $1 AND id <> $2 AND (scope_path <> $3
		OR scope_sector IS DISTINCT FROM $4 OR scope_enterprise_id IS DISTINCT FROM $5)`,
		team.ID, h.ID, h.ScopePath, *h.ScopeSector, *h.ScopeEnterpriseID); n != 0 {
		t.Errorf("%d generated hazards of %s differ from the hook's stamp %s %s %d", n, team.Code, h.ScopePath, *h.ScopeSector, *h.ScopeEnterpriseID)
	}
}

// hazardRows lists a tenant's hazards in id order with every id replaced
// by the code or username it stands for.
func hazardRows(t *testing.T, d *db.DB, tenantCode string) [][]any {
	t.Helper()
	rows, err := d.SQL.Query(`SELECT u.code, h.source, h.level, h.state, h.category, h.location, h.description, h.found_at,
		h.deadline, h.closed_at, h.supervised, h.responsible_person, r.username, h.inspection_id IS NULL,
		(SELECT COUNT(*) FROM hazard_events e WHERE e.hazard_id = h.id)
		FROM hazards h JOIN units u ON u.id = h.subject_id JOIN users r ON r.id = h.reported_by_id
		JOIN tenants tn ON tn.id = h.tenant_id WHERE tn.code = $1 ORDER BY h.id`, tenantCode)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		var (
			code, source, level, state, category, location, description, responsible, reporter string
			found, deadline                                                                    time.Time
			closed                                                                             *time.Time
			supervised, noInspection                                                           bool
			events                                                                             int
		)
		if err := rows.Scan(&code, &source, &level, &state, &category, &location, &description, &found, &deadline, &closed,
			&supervised, &responsible, &reporter, &noInspection, &events); err != nil {
			t.Fatal(err)
		}
		c := ""
		if closed != nil {
			c = closed.UTC().String()
		}
		out = append(out, []any{code, source, level, state, category, location, description, found.UTC().String(),
			deadline.UTC().String(), c, supervised, responsible, reporter, noInspection, events})
	}
	return out
}

func TestDeterminism(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		other := testdb.Open(t, d.Dialect)
		// The second database already holds the demo tenants: the same
		// seed gives the same rows there, only under other ids.
		if _, err := seed.Demo(context.Background(), other.Client); err != nil {
			t.Fatal(err)
		}
		demoHazards := count(t, other, "SELECT COUNT(*) FROM hazards")
		o := small()
		a := generate(t, d, o)
		o.AllowRealTenants = true
		b := generate(t, other, o)

		t.Run("the same seed gives the same rows, modulo ids", func(t *testing.T) {
			if !reflect.DeepEqual(a.Counts, b.Counts) {
				t.Errorf("counts differ:\n%s\n%s", a, b)
			}
			ra, rb := hazardRows(t, d, o.Tenant), hazardRows(t, other, o.Tenant)
			if len(ra) != 3000 || !reflect.DeepEqual(ra, rb) {
				for i := range min(len(ra), len(rb)) {
					if !reflect.DeepEqual(ra[i], rb[i]) {
						t.Fatalf("hazard %d differs:\n%v\n%v", i, ra[i], rb[i])
					}
				}
				t.Fatalf("%d and %d hazards", len(ra), len(rb))
			}
		})
		t.Run("another seed gives other rows", func(t *testing.T) {
			o := small()
			o.Seed, o.Tenant, o.AllowRealTenants = 8, "synth2", true
			generate(t, other, o)
			if reflect.DeepEqual(hazardRows(t, other, "synth"), hazardRows(t, other, "synth2")) {
				t.Error("seeds 7 and 8 gave the same hazards")
			}
		})
		t.Run("ids do not collide with the rows already there", func(t *testing.T) {
			if n := count(t, other, "SELECT COUNT(*) FROM hazards h JOIN tenants tn ON tn.id = h.tenant_id WHERE tn.code = 'demo' OR tn.code = 'neighbor'"); n != demoHazards {
				t.Errorf("the demo tenants have %d hazards, had %d", n, demoHazards)
			}
			for _, table := range []string{"units", "users", "posts", "hazards", "inspections", "responsibility_letters", "hazard_events"} {
				q := fmt.Sprintf(`SELECT COUNT(*) FROM %[1]s s JOIN tenants tn ON tn.id = s.tenant_id WHERE tn.code = 'synth'
					AND s.id <= (SELECT MAX(x.id) FROM %[1]s x JOIN tenants tx ON tx.id = x.tenant_id WHERE tx.code = 'neighbor')`, table)
				if n := count(t, other, q); n != 0 {
					t.Errorf("%s: %d synthetic ids below the demo's", table, n)
				}
			}
			// The identity sequence moved past the synthetic ids: the next ent insert gets a fresh id.
			ctx := authz.SystemContext(context.Background())
			root, err := other.Client.Unit.Query().Where(unit.Code("COUNTY")).First(ctx)
			if err != nil {
				t.Fatal(err)
			}
			u, err := other.Client.Unit.Create().SetTenantID(root.TenantID).SetKind(domain.KindTown).SetCode("NEW-TOWN").
				SetName("新镇").SetParentID(root.ID).Save(ctx)
			if err != nil {
				t.Fatalf("an ent insert after the load: %v", err)
			}
			if n := count(t, other, "SELECT COUNT(*) FROM units WHERE id > $1", u.ID); n != 0 {
				t.Errorf("%d units above the newest id %d", n, u.ID)
			}
		})
	})
}

func TestRefusal(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := seed.Demo(ctx, d.Client); err != nil {
			t.Fatal(err)
		}
		o := small()
		o.Hazards, o.Enterprises = 100, 10
		t.Run("a database with real tenants is refused, naming them, and nothing is written", func(t *testing.T) {
			_, err := synth.Generate(ctx, d, o)
			if !errors.Is(err, synth.ErrRealTenants) || !strings.Contains(err.Error(), "demo") || !strings.Contains(err.Error(), "neighbor") {
				t.Fatalf("err = %v, want ErrRealTenants naming demo and neighbor", err)
			}
			if n := count(t, d, "SELECT COUNT(*) FROM tenants WHERE code = $1", o.Tenant); n != 0 {
				t.Error("the refused run created its tenant")
			}
		})
		t.Run("allowed, it loads beside them", func(t *testing.T) {
			o.AllowRealTenants = true
			if _, err := synth.Generate(ctx, d, o); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("a tenant code in use is refused", func(t *testing.T) {
			if _, err := synth.Generate(ctx, d, o); !errors.Is(err, synth.ErrTenantExists) {
				t.Fatalf("err = %v, want ErrTenantExists", err)
			}
		})
		t.Run("invalid options are refused before anything is read", func(t *testing.T) {
			bad := o
			bad.Towns = 1
			if _, err := synth.Generate(ctx, d, bad); err == nil || !strings.Contains(err.Error(), "towns") {
				t.Fatalf("err = %v", err)
			}
		})
	})
}

func TestPostgresWithoutSuperuser(t *testing.T) {
	admin := os.Getenv(testdb.EnvPostgresURL)
	if admin == "" {
		t.Skip("PostgreSQL only (set " + testdb.EnvPostgresURL + ", e.g. scripts/with-postgres.sh)")
	}
	ctx := context.Background()
	d := testdb.Open(t, dialect.Postgres)
	var dbname string
	if err := d.SQL.QueryRow("SELECT current_database()").Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	role := "loader_" + dbname
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT ALL ON ALL TABLES IN SCHEMA public TO " + role,
		"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + role,
	} {
		if _, err := d.SQL.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		_, _ = d.SQL.Exec("DROP OWNED BY " + role)
		_, _ = d.SQL.Exec("DROP ROLE " + role)
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.User, u.Path = url.User(role), "/"+dbname
	ld, err := db.Open(ctx, u.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer ld.Close()
	t.Run("a role that may not skip the foreign-key triggers loads with the checks on", func(t *testing.T) {
		res := generate(t, ld, small())
		if res.TriggersSkipped {
			t.Error("the triggers were skipped by a role without the right")
		}
		if got := count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1", res.TenantID); got != 3000 {
			t.Errorf("%d hazards", got)
		}
	})
}
