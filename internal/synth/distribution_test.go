package synth

import (
	"slices"
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

var testNow = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)

// generateAll runs the hazard generator over every enterprise of p without
// a database and hands each enterprise's chunk to fn.
func generateAll(p *plan, fn func(cp *countyPlan, k int, ch *chunk)) {
	var ch chunk
	for _, cp := range p.counties {
		for k := range cp.ents {
			newHazardGen(p, cp, k, &ch).run()
			fn(cp, k, &ch)
			ch.reset()
		}
	}
}

func countyScale() Options {
	o := DefaultOptions()
	o.Now = testNow
	return o
}

func TestDistributions(t *testing.T) {
	p, err := newPlan(countyScale())
	if err != nil {
		t.Fatal(err)
	}
	p.placeIDs()
	cp := p.counties[0]
	states, levels, sources := map[string]int{}, map[string]int{}, map[string]int{}
	overdueOpen, maxPerEnterprise, minPerEnterprise := 0, 0, 1<<30
	inspections, events := 0, 0
	generateAll(p, func(cp *countyPlan, k int, ch *chunk) {
		n := len(ch.hazards)
		maxPerEnterprise, minPerEnterprise = max(maxPerEnterprise, n), min(minPerEnterprise, n)
		inspections += len(ch.inspections)
		events += len(ch.events)
		for _, h := range ch.hazards {
			states[h.state]++
			levels[h.level]++
			sources[h.source]++
			if h.state != stClosed && h.deadline.Before(p.now) {
				overdueOpen++
			}
		}
	})
	total := p.hazards

	t.Run("every state, level and source occurs", func(t *testing.T) {
		for _, s := range []string{stReported, stPlanSubmitted, stRectifying, stSubmitted, stClosed} {
			if states[s] == 0 {
				t.Errorf("no %s hazard in %v", s, states)
			}
		}
		for _, s := range []string{srcInspection, srcSelfCheck, srcReport} {
			if sources[s] == 0 {
				t.Errorf("no %s hazard in %v", s, sources)
			}
		}
		if levels["GENERAL"] == 0 || levels["MAJOR"] == 0 {
			t.Errorf("levels %v", levels)
		}
	})
	t.Run("most hazards are closed and a steady tail is open, some of it overdue", func(t *testing.T) {
		closed := float64(states[stClosed]) / float64(total)
		if closed < 0.85 || closed > 0.97 {
			t.Errorf("closed share %.3f, want 0.85–0.97 (%v)", closed, states)
		}
		if overdueOpen == 0 || overdueOpen == total-states[stClosed] {
			t.Errorf("%d of %d open hazards overdue: want some but not all", overdueOpen, total-states[stClosed])
		}
	})
	t.Run("5–10 % of hazards are MAJOR", func(t *testing.T) {
		if m := float64(levels["MAJOR"]) / float64(total); m < 0.05 || m > 0.10 {
			t.Errorf("MAJOR share %.3f", m)
		}
	})
	t.Run("the largest enterprise holds 1–2 % of the county's hazards and every enterprise has some", func(t *testing.T) {
		if s := float64(maxPerEnterprise) / float64(total); s < 0.01 || s > 0.02 {
			t.Errorf("largest enterprise share %.4f (%d of %d)", s, maxPerEnterprise, total)
		}
		if minPerEnterprise < 1 {
			t.Errorf("an enterprise has no hazard")
		}
	})
	t.Run("inspections come about one per few hazards and histories average 3–5 steps", func(t *testing.T) {
		if r := float64(sources[srcInspection]) / float64(inspections); r < 1.2 || r > 4 {
			t.Errorf("%d inspection hazards over %d inspections", sources[srcInspection], inspections)
		}
		if r := float64(events) / float64(total); r < 3 || r > 5 {
			t.Errorf("%.2f events per hazard", r)
		}
	})
	t.Run("enterprises are skewed over towns but every town has some", func(t *testing.T) {
		per := make([]int, cp.towns)
		for _, e := range cp.ents {
			per[e.town]++
		}
		if slices.Min(per) < 1 {
			t.Errorf("a town without enterprises: %v", per)
		}
		if largest := float64(slices.Max(per)) / float64(cp.e); largest < 0.08 || largest > 0.25 {
			t.Errorf("largest town holds %.3f of the enterprises: %v", largest, per)
		}
		for k := 1; k < len(cp.ents); k++ {
			if cp.ents[k].town < cp.ents[k-1].town {
				t.Fatalf("enterprises are not numbered town by town at %d", k)
			}
		}
	})
	t.Run("every sector occurs", func(t *testing.T) {
		seen := map[domain.Sector]int{}
		for _, e := range cp.ents {
			seen[e.sector]++
		}
		for _, s := range domain.Sector("").Values() {
			if seen[domain.Sector(s)] == 0 {
				t.Errorf("no %s enterprise: %v", s, seen)
			}
		}
	})
}

func TestShape(t *testing.T) {
	t.Run("county 1 of a province has the shape of a one-county run with the per-county totals", func(t *testing.T) {
		prov := countyScale()
		if err := prov.ApplyScale("province"); err != nil {
			t.Fatal(err)
		}
		one := countyScale()
		one.Counties, one.Towns, one.Enterprises, one.Hazards = 1, prov.Towns/10, prov.Enterprises/10, prov.Hazards/10
		a, b := planCounty(prov, 1), planCounty(one, 1)
		if !slices.Equal(a.townFirst, b.townFirst) || !slices.Equal(a.ents, b.ents) {
			t.Fatal("county 1 differs")
		}
		if c2 := planCounty(prov, 2); slices.Equal(c2.ents, a.ents) {
			t.Error("county 2 is a copy of county 1: counties should differ")
		}
	})
	t.Run("totals split evenly, the remainder to the first counties", func(t *testing.T) {
		got := []int{Share(20, 3, 1), Share(20, 3, 2), Share(20, 3, 3)}
		if !slices.Equal(got, []int{7, 7, 6}) {
			t.Errorf("Share(20, 3, ·) = %v", got)
		}
	})
	t.Run("apportioning is exact", func(t *testing.T) {
		got := apportion(10, []float64{1, 1, 1})
		if got[0]+got[1]+got[2] != 10 || got[0] != 4 {
			t.Errorf("apportion(10, 1:1:1) = %v", got)
		}
	})
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Username(1, LevelCounty, 0, RoleHead), "c01.head"},
		{Username(1, LevelCounty, 0, DeputyRole(domain.SectorIndustry)), "c01.deputy.industry"},
		{Username(2, LevelTown, 1, RoleSecretary), "c02.t001.secretary"},
		{Username(1, LevelDepartment, 3, RoleInspector), "c01.d03.inspector"},
		{Username(10, LevelEnterprise, 12345, RolePrincipal), "c10.e12345.principal"},
		{Username(0, LevelCity, 0, RoleHead), "city.head"},
		{UnitCode(1, LevelTown, 20), "c01.t020"},
		{TeamCode(1, 1, 2, 1), "c01.e00001.w2.t1"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		ok   bool
	}{
		{"the defaults are valid", func(*Options) {}, true},
		{"the province preset is valid", func(o *Options) { _ = o.ApplyScale("province") }, true},
		{"fewer towns than counties are refused", func(o *Options) { o.Counties, o.Towns = 3, 2 }, false},
		{"hazards without enterprises are refused", func(o *Options) { o.Enterprises = 0 }, false},
		{"too many departments are refused", func(o *Options) { o.Departments = MaxDepartments + 1 }, false},
		{"an upper-case tenant code is refused", func(o *Options) { o.Tenant = "Synth" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.edit(&o)
			if err := o.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
	t.Run("--letters takes a boolean or a count", func(t *testing.T) {
		n := 0
		f := LettersFlag{N: &n}
		for in, want := range map[string]int{"true": LettersChain, "false": 0, "250": 250} {
			if err := f.Set(in); err != nil || n != want {
				t.Errorf("Set(%q): n = %d, err %v; want %d", in, n, err, want)
			}
		}
		if f.Set("-3") == nil {
			t.Error("a negative count was accepted")
		}
	})
}

func TestLetterPlan(t *testing.T) {
	for _, tc := range []struct {
		name    string
		letters int
		check   func(n int) bool
	}{
		{"the full chain writes a letter (or a revoked one and its successor) for every pair", LettersChain, func(n int) bool { return n >= 2*(3+6+30+60)+2 }},
		{"a count caps the letters, shared over the counties", 50, func(n int) bool { return n == 50 }},
		{"false writes none", 0, func(n int) bool { return n == 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Counties, o.Towns, o.Enterprises, o.Hazards, o.Letters, o.Now = 2, 6, 60, 100, tc.letters, testNow
			p, err := newPlan(o)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(p.letters) {
				t.Errorf("%d letters", p.letters)
			}
		})
	}
}

func TestHazardWorks(t *testing.T) {
	for _, scale := range []string{"county", "province"} {
		t.Run("the "+scale+"'s works cover every enterprise once and never share a town", func(t *testing.T) {
			o := countyScale()
			if err := o.ApplyScale(scale); err != nil {
				t.Fatal(err)
			}
			p, err := newPlan(o)
			if err != nil {
				t.Fatal(err)
			}
			type town struct {
				cp *countyPlan
				t  int
			}
			owner := map[town]int{}
			covered := map[*countyPlan]int{}
			works := p.hazardWorks()
			if len(works) < 2 {
				t.Fatalf("%d works: the parallel load needs several", len(works))
			}
			for i, w := range works {
				if w.k0 != covered[w.cp] || w.k1 <= w.k0 {
					t.Fatalf("work %d covers enterprises %d–%d of county %d; want it to start at %d", i, w.k0, w.k1, w.cp.c, covered[w.cp])
				}
				covered[w.cp] = w.k1
				for k := w.k0; k < w.k1; k++ {
					key := town{w.cp, w.cp.ents[k].town}
					if j, ok := owner[key]; ok && j != i {
						t.Fatalf("town %d of county %d is in works %d and %d", key.t, w.cp.c, j, i)
					}
					owner[key] = i
				}
			}
			for _, cp := range p.counties {
				if covered[cp] != len(cp.ents) {
					t.Errorf("county %d: works cover %d of %d enterprises", cp.c, covered[cp], len(cp.ents))
				}
			}
		})
	}
}
