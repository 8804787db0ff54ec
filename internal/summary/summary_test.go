package summary_test

// The yearly summary on every available database, on a copy of the demo
// county: each figure equals the count of the records it names, the five
// parts are written with no figure left blank, the problems follow the
// thresholds, a town head's summary holds only their town, and both
// renderings open.

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomutex/godocx"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/summary"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

// fixture is a demo county with a summary service and signed-in users.
type fixture struct {
	d    *db.DB
	b    *seed.Built
	svc  *summary.Service
	user func(username string) context.Context
}

func open(t *testing.T, d *db.DB) *fixture {
	ctx := context.Background()
	b, err := seed.Load(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.EnsureTenant(ctx, d.Client, b.TenantID); err != nil {
		t.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2023, time.March, 1, 0, 0, 0, 0, time.UTC) }
	svc := &summary.Service{Client: d.Client, Now: now,
		Emergency: &emergency.Service{Client: d.Client, Dialect: d.Dialect, Now: now}}
	return &fixture{d: d, b: b, svc: svc, user: func(username string) context.Context {
		v, err := authz.LoadViewer(ctx, d.Client, store.Current(), b.Users[username], b.TenantID, now())
		if err != nil {
			t.Fatal(err)
		}
		return authz.NewContext(ctx, v)
	}}
}

func TestYearlySummary(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		f := open(t, d)
		county := f.b.Units[seed.CodeCounty]
		s, err := f.svc.Build(f.user("county.head"), summary.Input{Year: 2022, UnitID: &county})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("every figure equals a count of the records it names", func(t *testing.T) {
			want := directCounts(t, f, "/", 2022)
			for key, n := range want {
				if got := s.Figure(key); got != n {
					t.Errorf("figure %s = %d, counted %d", key, got, n)
				}
			}
			for _, fig := range s.Figures {
				if fig.Label == "" || fig.Source == "" {
					t.Errorf("figure %s has no label or source", fig.Key)
				}
			}
			if s.Figure("hazardsFound") == 0 || s.Figure("enterprises") == 0 || s.Figure("inspections") == 0 {
				t.Errorf("the demo county's 2022 has hazards, enterprises and inspections: %+v", s.Figures)
			}
		})

		t.Run("the five parts follow the seed's structure with every figure filled", func(t *testing.T) {
			if len(s.Sections) != 5 {
				t.Fatalf("%d sections, want 5", len(s.Sections))
			}
			for i, prefix := range []string{"一、", "二、", "三、", "四、", "五、"} {
				if !strings.HasPrefix(s.Sections[i].Heading, prefix) {
					t.Errorf("section %d heading %q does not start with %s", i+1, s.Sections[i].Heading, prefix)
				}
			}
			text := s.Preamble + allText(s)
			if strings.Contains(text, "**") || strings.Contains(text, "%!") {
				t.Errorf("a figure is left blank or misformatted:\n%s", text)
			}
			for _, phrase := range []string{
				"排查安全隐患和问题" + itoa(s.Figure("hazardsFound")) + "个",
				"发放宣传资料" + itoa(s.Figure("materials")) + "份",
				"对" + itoa(s.Figure("enterprisesVisited")) + "家企业进行入企宣传",
				itoa(s.Figure("aboveScaleIndustry")) + "户规上工业企业",
			} {
				if !strings.Contains(text, phrase) {
					t.Errorf("the summary does not say %q", phrase)
				}
			}
		})

		t.Run("the problems follow the thresholds and name how many", func(t *testing.T) {
			behind := s.Figure("enterprisesBehindDrills")
			if behind != 3 {
				t.Errorf("enterprises behind the drill rule = %d, the seed's 个别企业 are 3", behind)
			}
			four := strings.Join(s.Sections[3].Paragraphs, "")
			if !contains(s.Problems, summary.ProblemDrills) || !strings.Contains(four, "个别企业组织应急演练次数少") || !strings.Contains(four, itoa(behind)+"家企业") {
				t.Errorf("part 四 misses the drill problem: %v %s", s.Problems, four)
			}
			perEnterprise := float64(s.Figure("inspections")) / float64(s.Figure("enterprises"))
			weak := perEnterprise < summary.InspectionsPerEnterprisePlan || s.Figure("enterprisesInspected") < s.Figure("enterprises")
			if weak != contains(s.Problems, summary.ProblemInspectionCoverage) || weak != strings.Contains(four, "检查力度还不够") {
				t.Errorf("inspection coverage %.2f per enterprise: problem written = %v", perEnterprise, contains(s.Problems, summary.ProblemInspectionCoverage))
			}
			five := strings.Join(s.Sections[4].Paragraphs, "")
			if !strings.Contains(five, "督促"+itoa(behind)+"家演练次数不足的企业") {
				t.Errorf("the draft plan does not answer the drill gap: %s", five)
			}
		})

		t.Run("an edited plan replaces the drafted part 五", func(t *testing.T) {
			edited, err := f.svc.Build(f.user("county.head"), summary.Input{Year: 2022, UnitID: &county, Plan: []string{"开展安全生产月活动", "完成企业风险分级"}})
			if err != nil {
				t.Fatal(err)
			}
			five := strings.Join(edited.Sections[4].Paragraphs, "")
			if !strings.Contains(five, "一是开展安全生产月活动；二是完成企业风险分级。") {
				t.Errorf("part 五 = %s", five)
			}
		})

		t.Run("a town head's summary holds only their town", func(t *testing.T) {
			town := f.b.Units[seed.CodeTownChengguan]
			ts, err := f.svc.Build(f.user("chengguan.head"), summary.Input{Year: 2022})
			if err != nil {
				t.Fatal(err)
			}
			if ts.Unit.ID != town {
				t.Fatalf("default unit %d, want 城关镇 %d", ts.Unit.ID, town)
			}
			u := unitOf(t, f, town)
			for key, n := range directCounts(t, f, u.ScopePath, 2022) {
				if got := ts.Figure(key); got != n {
					t.Errorf("town figure %s = %d, counted %d under 城关镇", key, got, n)
				}
			}
			if ts.Figure("hazardsFound") >= s.Figure("hazardsFound") {
				t.Errorf("the town's hazards (%d) are not fewer than the county's (%d)", ts.Figure("hazardsFound"), s.Figure("hazardsFound"))
			}
			_, err = f.svc.Build(f.user("chengguan.head"), summary.Input{Year: 2022, UnitID: &county})
			if code := apperr.CodeOf(err); code != apperr.NotFound && code != apperr.Forbidden {
				t.Errorf("a town head summarising the county: %v, want NOT_FOUND or FORBIDDEN", err)
			}
			xihe := f.b.Units[seed.CodeTownXihe]
			_, err = f.svc.Build(f.user("chengguan.head"), summary.Input{Year: 2022, UnitID: &xihe})
			if code := apperr.CodeOf(err); code != apperr.NotFound && code != apperr.Forbidden {
				t.Errorf("a town head summarising another town: %v, want NOT_FOUND or FORBIDDEN", err)
			}
		})

		t.Run("a department's summary counts the enterprises it supervises across the towns", func(t *testing.T) {
			bureau := f.b.Units[seed.CodeDeptIndustryCommerce]
			ds, err := f.svc.Build(f.user("bureau.chief"), summary.Input{Year: 2022, UnitID: &bureau})
			if err != nil {
				t.Fatal(err)
			}
			supervised := map[string]bool{"INDUSTRY": true, "COMMERCE": true, "FUEL": true}
			es, err := f.d.Client.Enterprise.Query().All(authz.SystemContext(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, e := range es {
				if e.TenantID == f.b.TenantID && supervised[string(e.Sector)] {
					want++
				}
			}
			if got := ds.Figure("enterprises"); got != want || want == 0 {
				t.Errorf("the bureau's enterprises = %d, it supervises %d", got, want)
			}
			if len(ds.Charts) != 3 {
				t.Errorf("the bureau's summary has %d charts, want the months and its county's towns", len(ds.Charts))
			}
		})

		t.Run("bad input is refused with every problem named", func(t *testing.T) {
			_, err := f.svc.Build(f.user("county.head"), summary.Input{Year: 1999, Plan: []string{"ok", "bad\x00item"}})
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("err = %v, want BAD_USER_INPUT", err)
			}
			for _, field := range []string{"year", "plan[1]"} {
				if !hasField(err, field) {
					t.Errorf("the error does not name %s: %v", field, err)
				}
			}
			if _, err := f.svc.Build(context.Background(), summary.Input{Year: 2022}); apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Errorf("anonymous: %v, want UNAUTHENTICATED", err)
			}
		})

		t.Run("the HTML has the five headings and the charts", func(t *testing.T) {
			var b bytes.Buffer
			if err := summary.WriteHTML(&b, s); err != nil {
				t.Fatal(err)
			}
			html := b.String()
			for _, sec := range s.Sections {
				if !strings.Contains(html, "<h2>"+sec.Heading+"</h2>") {
					t.Errorf("the HTML lacks heading %s", sec.Heading)
				}
			}
			if n := strings.Count(html, "<svg"); n != len(s.Charts) || n < 3 {
				t.Errorf("%d charts drawn, %d in the summary", n, len(s.Charts))
			}
		})

		t.Run("the DOCX opens and holds the five headings", func(t *testing.T) {
			var b bytes.Buffer
			if err := summary.WriteDOCX(&b, s); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "summary.docx")
			if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			doc, err := godocx.OpenDocument(path)
			if err != nil {
				t.Fatalf("the DOCX does not open: %v", err)
			}
			_ = doc.Close()
			body := documentXML(t, b.Bytes())
			for _, sec := range s.Sections {
				if !strings.Contains(body, sec.Heading) {
					t.Errorf("the DOCX lacks heading %s", sec.Heading)
				}
			}
		})
	})
}

// directCounts counts, as the system and in Go, the records the figures
// name for the subtree at path in year (the demo's county reader sees the
// whole county, so no scope is lost for county.head or a town head).
func directCounts(t *testing.T, f *fixture, path string, year int) map[string]int {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	c := f.d.Client
	zone, _ := time.LoadLocation("Asia/Shanghai")
	in := func(tm time.Time) bool { return tm.In(zone).Year() == year }
	under := func(p string) bool { return strings.HasPrefix(p, path) }
	out := map[string]int{}
	hs, err := c.Hazard.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.TenantID == f.b.TenantID && under(h.ScopePath) && in(h.FoundAt) {
			out["hazardsFound"]++
			if h.State == "CLOSED" {
				out["hazardsClosed"]++
			}
			if h.Level == "MAJOR" {
				out["majorHazards"]++
			}
		}
	}
	is, err := c.Inspection.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	targets := map[int]bool{}
	for _, i := range is {
		if i.TenantID == f.b.TenantID && under(i.ScopePath) && i.Status == "DONE" && in(i.InspectedOn) {
			out["inspections"]++
			targets[i.TargetID] = true
		}
	}
	out["enterprisesInspected"] = len(targets)
	es, err := c.Enterprise.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.TenantID == f.b.TenantID && under(e.ScopePath) {
			out["enterprises"]++
			if e.Scale == "ABOVE_SCALE_INDUSTRY" {
				out["aboveScaleIndustry"]++
			}
		}
	}
	ps, err := c.Publicity.Query().WithVisits().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	visited := map[int]bool{}
	for _, p := range ps {
		if p.TenantID == f.b.TenantID && under(p.ScopePath) && in(p.HeldOn) {
			out["publicityActivities"]++
			out["materials"] += p.Materials
			for _, v := range p.Edges.Visits {
				visited[v.EnterpriseUnitID] = true
			}
		}
	}
	out["enterprisesVisited"] = len(visited)
	ds, err := c.Drill.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.TenantID == f.b.TenantID && under(d.ScopePath) && in(d.HeldOn) {
			out["drills"]++
		}
	}
	ls, err := c.ResponsibilityLetter.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.TenantID == f.b.TenantID && l.IssuerScopePath != nil && strings.HasPrefix(*l.IssuerScopePath, path) && l.Year == year && l.State != "DRAFT" && l.State != "REVOKED" {
			out["lettersIssued"]++
			if l.State == "SIGNED" || l.State == "ARCHIVED" {
				out["lettersSigned"]++
			}
		}
	}
	return out
}

func unitOf(t *testing.T, f *fixture, id int) *ent.Unit {
	t.Helper()
	u, err := f.d.Client.Unit.Get(authz.SystemContext(context.Background()), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func allText(s *summary.Summary) string {
	var b strings.Builder
	for _, sec := range s.Sections {
		b.WriteString(sec.Heading)
		for _, p := range sec.Paragraphs {
			b.WriteString(p)
		}
	}
	return b.String()
}

func documentXML(t *testing.T, docx []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no word/document.xml in the DOCX")
	return ""
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func hasField(err error, field string) bool {
	for _, e := range apperr.ProblemsOf(err) {
		if e.Field == field {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
