package synth_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/prevention"
	"github.com/dutychain/dutychain/internal/synth"
	"github.com/dutychain/dutychain/server"
)

// checkRecords checks the year's records of tenant tid against their own
// rules (what the services would refuse to write) and that each kind of
// gap the views look for was planted.
func checkRecords(t *testing.T, d *db.DB, tid int) {
	zero := func(t *testing.T, what, q string, args ...any) {
		t.Helper()
		if n := count(t, d, q, append([]any{tid}, args...)...); n != 0 {
			t.Errorf("%d %s\n%s", n, what, q)
		}
	}
	some := func(t *testing.T, what, q string, args ...any) {
		t.Helper()
		if n := count(t, d, q, append([]any{tid}, args...)...); n == 0 {
			t.Errorf("no %s\n%s", what, q)
		}
	}
	for _, sc := range []struct{ table, subject, ref string }{
		{"trainings", "organiser_unit_id", "units"}, {"trainees", "enterprise_unit_id", "units"},
		{"certificates", "unit_id", "units"}, {"duty_lists", "unit_id", "units"}, {"emergency_plans", "unit_id", "units"},
		{"drills", "unit_id", "units"}, {"duty_rosters", "unit_id", "units"}, {"duty_shifts", "roster_id", "duty_rosters"},
		{"risk_points", "unit_id", "units"}, {"control_measures", "risk_point_id", "risk_points"},
		{"risk_gradings", "risk_point_id", "risk_points"},
	} {
		t.Run(fmt.Sprintf("%s carry the scope columns of their %s", sc.table, strings.TrimSuffix(sc.subject, "_id")), func(t *testing.T) {
			some(t, sc.table, "SELECT COUNT(*) FROM "+sc.table+" WHERE tenant_id = $1")
			zero(t, "rows off their subject's scope", fmt.Sprintf(`SELECT COUNT(*) FROM %s r LEFT JOIN %s s ON s.id = r.%s
				WHERE r.tenant_id = $1 AND (s.id IS NULL OR r.tenant_id <> s.tenant_id OR r.scope_path <> s.scope_path
				OR r.scope_sector IS DISTINCT FROM s.scope_sector OR r.scope_enterprise_id IS DISTINCT FROM s.scope_enterprise_id)`,
				sc.table, sc.ref, sc.subject))
		})
	}
	t.Run("trainings count their trainees, who carry the training's facts and organiser", func(t *testing.T) {
		zero(t, "trainings miscounted", `SELECT COUNT(*) FROM trainings g WHERE g.tenant_id = $1
			AND g.trainee_count <> (SELECT COUNT(*) FROM trainees e WHERE e.training_id = g.id)`)
		zero(t, "trainees off their training", `SELECT COUNT(*) FROM trainees e JOIN trainings g ON g.id = e.training_id
			WHERE e.tenant_id = $1 AND (e.year <> g.year OR e.hours <> g.hours OR e.organiser_unit_id <> g.organiser_unit_id
			OR e.issuer_scope_path <> g.issuer_scope_path OR e.month < 1 OR e.month > 12
			OR (g.assessed AND e.assessment = 'NOT_ASSESSED') OR (NOT g.assessed AND e.assessment <> 'NOT_ASSESSED'))`)
		zero(t, "trainees outside their organiser's territory", `SELECT COUNT(*) FROM trainees e
			WHERE e.tenant_id = $1 AND e.scope_path NOT LIKE e.issuer_scope_path || '%'`)
		zero(t, "trainings held after now", "SELECT COUNT(*) FROM trainings WHERE tenant_id = $1 AND held_on > $2", now)
	})
	t.Run("certificates are valid until after they were issued, users' at their own enterprise", func(t *testing.T) {
		zero(t, "certificates valid until before issue", "SELECT COUNT(*) FROM certificates WHERE tenant_id = $1 AND valid_until <= issued_on")
		zero(t, "certificates of users elsewhere", `SELECT COUNT(*) FROM certificates c JOIN users u ON u.id = c.user_id
			WHERE c.tenant_id = $1 AND u.unit_id <> c.scope_enterprise_id`)
		some(t, "expired certificate", "SELECT COUNT(*) FROM certificates WHERE tenant_id = $1 AND valid_until < $2", now)
		some(t, "certificate expiring within 90 days", "SELECT COUNT(*) FROM certificates WHERE tenant_id = $1 AND valid_until >= $2 AND valid_until < $3",
			now, now.AddDate(0, 0, 91))
		some(t, "principal without a certificate", `SELECT COUNT(*) FROM posts p WHERE p.tenant_id = $1 AND p.role = 'PRINCIPAL'
			AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.user_id = p.user_id AND c.kind = 'PRINCIPAL')`)
	})
	t.Run("duty lists belong to their post's unit, acknowledged at most to their version", func(t *testing.T) {
		zero(t, "lists off their post", `SELECT COUNT(*) FROM duty_lists l JOIN posts p ON p.id = l.post_id
			WHERE l.tenant_id = $1 AND (p.unit_id <> l.unit_id OR p.tenant_id <> l.tenant_id)`)
		zero(t, "lists half acknowledged or ahead", `SELECT COUNT(*) FROM duty_lists WHERE tenant_id = $1
			AND ((acknowledged_version IS NULL) <> (acknowledged_at IS NULL) OR acknowledged_version > version OR acknowledged_at > $2)`, now)
		some(t, "post without a duty list", `SELECT COUNT(*) FROM posts p WHERE p.tenant_id = $1
			AND NOT EXISTS (SELECT 1 FROM duty_lists l WHERE l.post_id = p.id)`)
		some(t, "unacknowledged duty list", `SELECT COUNT(*) FROM duty_lists WHERE tenant_id = $1
			AND (acknowledged_version IS NULL OR acknowledged_version <> version)`)
	})
	t.Run("plans follow their lifecycle and drills their approved plans", func(t *testing.T) {
		zero(t, "plans whose approval does not fit their state", `SELECT COUNT(*) FROM emergency_plans WHERE tenant_id = $1
			AND ((state = 'DRAFT') <> (approved_on IS NULL) OR (approved_on IS NULL) <> (review_due IS NULL)
			OR review_due <= approved_on OR filed_on < approved_on OR (filed_on IS NULL) <> (filed_with_id IS NULL))`)
		zero(t, "plans superseding another series or a live version", `SELECT COUNT(*) FROM emergency_plans n
			JOIN emergency_plans o ON o.id = n.supersedes_id WHERE n.tenant_id = $1
			AND (o.unit_id <> n.unit_id OR o.series <> n.series OR o.state <> 'SUPERSEDED' OR o.approved_on >= n.approved_on)`)
		zero(t, "plans filed with a unit that is not a department", `SELECT COUNT(*) FROM emergency_plans p JOIN units u ON u.id = p.filed_with_id
			WHERE p.tenant_id = $1 AND u.kind <> 'DEPARTMENT'`)
		zero(t, "drills off their plan", `SELECT COUNT(*) FROM drills d JOIN emergency_plans p ON p.id = d.plan_id
			WHERE d.tenant_id = $1 AND (d.held_on < p.approved_on OR p.approved_on IS NULL OR d.plan_kind <> p.kind
			OR d.unit_id <> p.unit_id OR d.held_on > $2)`, now)
		some(t, "plan overdue for review", "SELECT COUNT(*) FROM emergency_plans WHERE tenant_id = $1 AND state = 'EFFECTIVE' AND review_due < $2", now)
		some(t, "superseded plan", "SELECT COUNT(*) FROM emergency_plans WHERE tenant_id = $1 AND state = 'SUPERSEDED'")
	})
	t.Run("shifts end after they start, inside their roster, led by a leading post of its unit", func(t *testing.T) {
		zero(t, "shifts ending before they start or off their period", `SELECT COUNT(*) FROM duty_shifts s
			JOIN duty_rosters r ON r.id = s.roster_id WHERE s.tenant_id = $1
			AND (s.ends_at <= s.starts_at OR s.starts_at < r.period_start OR s.ends_at > r.period_end OR r.period_end <= r.period_start)`)
		zero(t, "shifts led by someone else", `SELECT COUNT(*) FROM duty_shifts s JOIN duty_rosters r ON r.id = s.roster_id
			JOIN posts p ON p.id = s.leader_post_id WHERE s.tenant_id = $1
			AND (p.unit_id <> r.unit_id OR p.role NOT IN ('GOVERNMENT_HEAD', 'PARTY_SECRETARY', 'PRINCIPAL', 'DEPUTY') OR p.valid_from > s.starts_at)`)
		some(t, "roster with a gap", rostersWithGaps, "%")
	})
	t.Run("risk points are graded L × S, due at their earliest check, their history ending in their level", func(t *testing.T) {
		rows, err := d.SQL.Query("SELECT likelihood, severity, score, level FROM risk_points WHERE tenant_id = $1", tid)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var l, s, score int
			var level string
			if err := rows.Scan(&l, &s, &score, &level); err != nil {
				t.Fatal(err)
			}
			if want, wantLevel := prevention.Grade(l, s); score != want || level != string(wantLevel) {
				t.Fatalf("L %d × S %d graded %d %s, want %d %s", l, s, score, level, want, wantLevel)
			}
		}
		zero(t, "points not due at their earliest check", `SELECT COUNT(*) FROM risk_points r WHERE r.tenant_id = $1
			AND r.next_check_due <> (SELECT MIN(m.next_due) FROM control_measures m WHERE m.risk_point_id = r.id)`)
		zero(t, "measures due before their last check", `SELECT COUNT(*) FROM control_measures WHERE tenant_id = $1
			AND (next_due <= last_checked_at OR last_checked_at > $2)`, now)
		zero(t, "points whose last grading is not their level", `SELECT COUNT(*) FROM risk_points r WHERE r.tenant_id = $1
			AND r.level <> (SELECT g.to_level FROM risk_gradings g WHERE g.risk_point_id = r.id
			AND g.graded_at = (SELECT MAX(x.graded_at) FROM risk_gradings x WHERE x.risk_point_id = r.id))`)
		some(t, "overdue control check", "SELECT COUNT(*) FROM control_measures WHERE tenant_id = $1 AND next_due < $2", now)
		some(t, "regraded risk point", "SELECT COUNT(*) FROM risk_gradings WHERE tenant_id = $1 AND from_level IS NOT NULL")
	})
}

// rostersWithGaps counts the rosters under a path ($2, a LIKE pattern)
// with a planted gap: a shift without staff, no shift at the period's
// start, or a shift ending before the period with no shift starting then.
const rostersWithGaps = `SELECT COUNT(*) FROM duty_rosters r WHERE r.tenant_id = $1 AND r.scope_path LIKE $2
	AND (EXISTS (SELECT 1 FROM duty_shifts s WHERE s.roster_id = r.id AND s.staff_name = '')
	OR NOT EXISTS (SELECT 1 FROM duty_shifts s WHERE s.roster_id = r.id AND s.starts_at = r.period_start)
	OR EXISTS (SELECT 1 FROM duty_shifts s WHERE s.roster_id = r.id AND s.ends_at < r.period_end
		AND NOT EXISTS (SELECT 1 FROM duty_shifts n WHERE n.roster_id = r.id AND n.starts_at = s.ends_at)))`

// checkViews asks the record views as county 1's head, on a server whose
// clock is at the data's now, and compares their gaps with what SQL finds
// planted.
func checkViews(t *testing.T, s *apitest.Server, d *db.DB, tid int) {
	var countyID int
	var path string
	if err := d.SQL.QueryRow("SELECT id, scope_path FROM units WHERE tenant_id = $1 AND code = $2", tid,
		synth.UnitCode(1, synth.LevelCounty, 0)).Scan(&countyID, &path); err != nil {
		t.Fatal(err)
	}
	tok := s.LoginWith(synth.DefaultOptions().Tenant, synth.Username(1, synth.LevelCounty, 0, synth.RoleHead), synth.Password)
	vars := map[string]any{"unit": gid.Encode(countyID)}
	year := now.Year()
	sql := func(q string, args ...any) int { return count(t, d, q, append([]any{tid, path + "%"}, args...)...) }
	enterprises := sql("SELECT COUNT(*) FROM units WHERE tenant_id = $1 AND scope_path LIKE $2 AND kind = 'ENTERPRISE'")
	for _, tc := range []struct {
		name, doc string
		got       func(r *apitest.Response) int
		want      int
	}{
		{"trainingCoverage counts the enterprises whose staff missed an elapsed quarter",
			fmt.Sprintf(`{ trainingCoverage(year: %d, first: 5) { summary { enterprises gaps } } }`, year),
			func(r *apitest.Response) int {
				var out struct {
					TrainingCoverage struct {
						Summary struct{ Enterprises, Gaps int }
					}
				}
				r.Decode(t, &out)
				if out.TrainingCoverage.Summary.Enterprises != enterprises {
					t.Errorf("%d enterprises counted, %d in the county", out.TrainingCoverage.Summary.Enterprises, enterprises)
				}
				return out.TrainingCoverage.Summary.Gaps
			},
			sql(`SELECT COUNT(*) FROM units u WHERE u.tenant_id = $1 AND u.scope_path LIKE $2 AND u.kind = 'ENTERPRISE'
				AND NOT EXISTS (SELECT 1 FROM trainees e WHERE e.enterprise_unit_id = u.id AND e.year = $3 AND e.month <= $4)`,
				year, 3*((int(now.Month())-1)/3))},
		{"certificateStatus counts the expired certificates",
			`{ certificateStatus(first: 5) { summary { expired missing required } } }`,
			func(r *apitest.Response) int {
				var out struct {
					CertificateStatus struct {
						Summary struct{ Expired, Missing, Required int }
					}
				}
				r.Decode(t, &out)
				if sm := out.CertificateStatus.Summary; sm.Missing == 0 || sm.Required != 2*enterprises {
					t.Errorf("%d of %d required certificates missing: want some of one per principal and safety officer", sm.Missing, sm.Required)
				}
				return out.CertificateStatus.Summary.Expired
			},
			sql("SELECT COUNT(*) FROM certificates WHERE tenant_id = $1 AND scope_path LIKE $2 AND valid_until < $3", now)},
		{"dutyListGaps lists the posts without an acknowledged list",
			`{ dutyListGaps(first: 5) { totalCount } }`,
			func(r *apitest.Response) int {
				var out struct{ DutyListGaps struct{ TotalCount int } }
				r.Decode(t, &out)
				return out.DutyListGaps.TotalCount
			},
			sql(`SELECT COUNT(*) FROM posts p LEFT JOIN duty_lists l ON l.post_id = p.id WHERE p.tenant_id = $1
				AND p.scope_path LIKE $2 AND (l.id IS NULL OR l.acknowledged_version IS NULL OR l.acknowledged_version <> l.version)`)},
		{"drillCompliance lists the enterprises without a drill this year",
			fmt.Sprintf(`{ drillCompliance(year: %d, first: 5, where: {statuses: [NONE]}) { totalCount } }`, year),
			func(r *apitest.Response) int {
				var out struct{ DrillCompliance struct{ TotalCount int } }
				r.Decode(t, &out)
				return out.DrillCompliance.TotalCount
			},
			sql(`SELECT COUNT(*) FROM units u WHERE u.tenant_id = $1 AND u.scope_path LIKE $2 AND u.kind = 'ENTERPRISE'
				AND NOT EXISTS (SELECT 1 FROM drills x WHERE x.scope_enterprise_id = u.id AND x.held_on >= $3)`,
				now.AddDate(0, 0, 1-now.YearDay()))},
		{"emergencyPlans lists the effective plans past their review",
			`query($due: Time!) { emergencyPlans(first: 5, where: {state: EFFECTIVE, reviewDueLT: $due}) { totalCount } }`,
			func(r *apitest.Response) int {
				var out struct{ EmergencyPlans struct{ TotalCount int } }
				r.Decode(t, &out)
				return out.EmergencyPlans.TotalCount
			},
			sql("SELECT COUNT(*) FROM emergency_plans WHERE tenant_id = $1 AND scope_path LIKE $2 AND state = 'EFFECTIVE' AND review_due < $3", now)},
		{"dutyRostersWithGaps lists the rosters with a planted gap",
			fmt.Sprintf(`query($unit: ID!) { dutyRostersWithGaps(unitID: $unit, from: "%d-01-01T00:00:00+08:00", to: "%d-01-01T00:00:00+08:00") { totalCount } }`, year, year+1),
			func(r *apitest.Response) int {
				var out struct{ DutyRostersWithGaps struct{ TotalCount int } }
				r.Decode(t, &out)
				return out.DutyRostersWithGaps.TotalCount
			},
			sql(rostersWithGaps)},
		{"riskMap counts the county's risk points",
			`query($unit: ID!) { riskMap(unitID: $unit) { total { total } } }`,
			func(r *apitest.Response) int {
				var out struct {
					RiskMap struct{ Total struct{ Total int } }
				}
				r.Decode(t, &out)
				return out.RiskMap.Total.Total
			},
			sql("SELECT COUNT(*) FROM risk_points WHERE tenant_id = $1 AND scope_path LIKE $2")},
		{"overdueFollowUps lists the assigned hazards past their follow-up date",
			`{ overdueFollowUps(first: 5) { totalCount } }`,
			func(r *apitest.Response) int {
				var out struct{ OverdueFollowUps struct{ TotalCount int } }
				r.Decode(t, &out)
				return out.OverdueFollowUps.TotalCount
			},
			sql("SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND scope_path LIKE $2 AND follow_up_on < $3 AND state <> 'CLOSED'", now)},
		{"enforcementActions lists the county's actions",
			`{ enforcementActions(first: 5) { totalCount } }`,
			func(r *apitest.Response) int {
				var out struct{ EnforcementActions struct{ TotalCount int } }
				r.Decode(t, &out)
				return out.EnforcementActions.TotalCount
			},
			sql("SELECT COUNT(*) FROM enforcement_actions WHERE tenant_id = $1 AND scope_path LIKE $2")},
		{"follow-up inspections re-check assigned hazards",
			`{ inspections(first: 5, where: {type: FOLLOW_UP}) { totalCount } }`,
			func(r *apitest.Response) int {
				var out struct{ Inspections struct{ TotalCount int } }
				r.Decode(t, &out)
				return out.Inspections.TotalCount
			},
			sql(`SELECT COUNT(DISTINCT i.id) FROM inspections i JOIN follow_up_checks f ON f.inspection_id = i.id
				JOIN hazard_assignments a ON a.hazard_id = f.hazard_id WHERE i.tenant_id = $1 AND i.scope_path LIKE $2 AND i.type = 'FOLLOW_UP'`)},
		{"riskPoints lists those with a control check overdue",
			`query($unit: ID!) { node(id: $unit) { ... on Unit { riskPoints(first: 5, overdueOnly: true) { totalCount } } } }`,
			func(r *apitest.Response) int {
				var out struct {
					Node struct{ RiskPoints struct{ TotalCount int } }
				}
				r.Decode(t, &out)
				return out.Node.RiskPoints.TotalCount
			},
			sql("SELECT COUNT(*) FROM risk_points WHERE tenant_id = $1 AND scope_path LIKE $2 AND next_check_due < $3", now)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == 0 {
				t.Fatal("SQL finds no such gap: the case proves nothing")
			}
			v := map[string]any{"unit": vars["unit"], "due": now}
			if !strings.Contains(tc.doc, "$due") {
				delete(v, "due")
			}
			if !strings.Contains(tc.doc, "$unit") {
				delete(v, "unit")
			}
			if got := tc.got(s.MustDo(tok, tc.doc, v)); got != tc.want {
				t.Errorf("the view finds %d, SQL %d", got, tc.want)
			}
		})
	}
	t.Run("the overdue control checks cost the same statements for the county as for one enterprise", func(t *testing.T) {
		var entID int // an enterprise with an overdue check: its page is not empty
		if err := d.SQL.QueryRow(`SELECT MIN(scope_enterprise_id) FROM risk_points WHERE tenant_id = $1 AND scope_path LIKE $2
			AND next_check_due < $3`, tid, path+"%", now).Scan(&entID); err != nil {
			t.Fatal(err)
		}
		doc := `query($unit: ID!) { node(id: $unit) { ... on Unit { riskPoints(first: 50, overdueOnly: true) {
			totalCount edges { node { name colour checklistItems { item overdue } } } } } } }`
		// The fewest of three runs: the loaders batch the rows that ask
		// within their wait, and on a loaded machine a batch may split,
		// which is timing, not a statement per row.
		statements := func(unit int) int {
			body, err := json.Marshal(map[string]any{"query": doc, "variables": map[string]any{"unit": gid.Encode(unit)}})
			if err != nil {
				t.Fatal(err)
			}
			fewest := 0
			for run := range 3 {
				res, out := s.DoRaw(tok, "application/json", body)
				var r apitest.Response
				if err := json.Unmarshal(out, &r); err != nil || len(r.Errors) > 0 {
					t.Fatalf("%s: %v", out, err)
				}
				n, err := strconv.Atoi(res.Header.Get(server.StatementsHeader))
				if err != nil {
					t.Fatalf("the statement header: %v", err)
				}
				if run == 0 || n < fewest {
					fewest = n
				}
			}
			return fewest
		}
		county, enterprise := statements(countyID), statements(entID)
		t.Logf("%d statements for the county, %d for one enterprise", county, enterprise)
		if county != enterprise {
			t.Errorf("%d statements for the county, %d for one enterprise: they grow with the risk points", county, enterprise)
		}
	})
}
