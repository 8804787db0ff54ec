package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

// TestBulkIssueLetters: one template to every child (or supervised
// enterprise), skipping those with a live letter, in one transaction.
func TestBulkIssueLetters(t *testing.T) {
	const bulk = `mutation($in: BulkIssueLettersInput!) { bulkIssueLetters(input: $in) {
		created { id state signeeName signeeKind title targets { description } events { action } issuer { code } signee { code } }
		skipped { signeeName signee { code } letter { id state } } } }`
	type bulkOut struct {
		BulkIssueLetters struct {
			Created []struct {
				ID, State, SigneeName, SigneeKind, Title string
				Targets                                  []struct{ Description string }
				Events                                   []struct{ Action string }
				Issuer, Signee                           struct{ Code string }
			}
			Skipped []struct {
				SigneeName string
				Signee     struct{ Code string }
				Letter     struct{ ID, State string }
			}
		}
	}
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		county := unitID(t, s, head, seed.CodeCounty)
		run := func(token string, in map[string]any) (bulkOut, *apitest.Response) {
			full := map[string]any{"year": 2024, "title": "2024年度安全生产工作责任状", "targets": targets2024}
			for k, v := range in {
				full[k] = v
			}
			r := gq(t, s, token, bulk, map[string]any{"in": full})
			var out bulkOut
			if len(r.Errors) == 0 {
				r.Decode(t, &out)
			}
			return out, r
		}
		existing := createLetter(t, s, head, 2024, county, unitID(t, s, head, seed.CodeTownChengguan), false)

		out, r := run(head, map[string]any{"issuerUnitID": county, "to": "CHILDREN"})
		require.Empty(t, r.Errors)
		b := out.BulkIssueLetters
		require.Len(t, b.Created, 7, "6 towns and 2 departments, less the one with a letter")
		require.Len(t, b.Skipped, 1)
		require.Equal(t, seed.CodeTownChengguan, b.Skipped[0].Signee.Code)
		require.Equal(t, existing.ID, b.Skipped[0].Letter.ID)
		require.Equal(t, "DRAFT", b.Skipped[0].Letter.State)
		for _, l := range b.Created {
			require.Equal(t, "ISSUED", l.State)
			require.Equal(t, "2024年度安全生产工作责任状", l.Title)
			require.Len(t, l.Targets, 2)
			require.Equal(t, seed.CodeCounty, l.Issuer.Code)
			require.Equal(t, []struct{ Action string }{{"CREATED"}, {"ISSUED"}}, l.Events)
		}
		c, r := coverage(t, s, head, 2024, county, map[string]any{"kinds": []string{"TOWN", "DEPARTMENT"}, "first": 20})
		require.Empty(t, r.Errors)
		require.Equal(t, 8, c.TotalCount)
		require.Equal(t, 7, c.Summary.Total.Pending)
		require.Equal(t, "MISSING", statusOf(t, c, seed.CodeTownChengguan), "the skipped draft")

		// Again: everything skipped, nothing created or written.
		before := snapshot(t, s)
		out, r = run(head, map[string]any{"issuerUnitID": county, "to": "CHILDREN"})
		require.Empty(t, r.Errors)
		require.Empty(t, out.BulkIssueLetters.Created)
		require.Len(t, out.BulkIssueLetters.Skipped, 8)
		requireUnchanged(t, s, before)

		// A department to the fuel stations it supervises, in every town.
		chief := s.As("bureau.chief")
		bureau := unitID(t, s, chief, seed.CodeDeptIndustryCommerce)
		out, r = run(chief, map[string]any{"issuerUnitID": bureau, "to": "SUPERVISED_ENTERPRISES", "sectors": []string{"FUEL"}})
		require.Empty(t, r.Errors)
		require.Len(t, out.BulkIssueLetters.Created, seed.FuelStations)
		// Its children: none.
		out, r = run(chief, map[string]any{"issuerUnitID": bureau, "to": "CHILDREN"})
		require.Empty(t, r.Errors)
		require.Empty(t, out.BulkIssueLetters.Created)

		// A town to its commerce enterprises only.
		cg := s.As("chengguan.head")
		out, r = run(cg, map[string]any{"issuerUnitID": unitID(t, s, cg, seed.CodeTownChengguan), "to": "CHILDREN",
			"kinds": []string{"ENTERPRISE"}, "sectors": []string{"COMMERCE"}})
		require.Empty(t, r.Errors)
		var names []string
		for _, l := range out.BulkIssueLetters.Created {
			names = append(names, l.SigneeName)
		}
		require.ElementsMatch(t, []string{nameSupermarket, nameHotel}, names)

		// Refusals write nothing.
		before = snapshot(t, s)
		_, r = run(head, map[string]any{"issuerUnitID": county, "to": "SUPERVISED_ENTERPRISES"})
		requireCode(t, r, "BAD_USER_INPUT", "only a department supervises")
		_, r = run(cg, map[string]any{"issuerUnitID": county, "to": "CHILDREN", "year": 2025})
		requireCode(t, r, "FORBIDDEN", "a town head issues from the county")
		_, r = run(s.As("admin"), map[string]any{"issuerUnitID": county, "to": "CHILDREN", "year": 2025})
		requireCode(t, r, "FORBIDDEN")
		_, r = run(head, map[string]any{"issuerUnitID": county, "to": "CHILDREN", "year": 2025, "targets": []any{}})
		requireCode(t, r, "BAD_USER_INPUT", "a template needs targets")
		requireUnchanged(t, s, before)
	})
}

// ---------------------------------------------------------------------------
// Coverage on the demo data, computed by rule from the seed.

// expectedCoverage is the coverage of year for a viewer whose jurisdiction
// is scope, by rule: every unit of a coverage kind in scope, with the state
// of its live letter from its parent.
func expectedCoverage(tr *seedTree, year int, scope unitRule) map[string]string {
	status := map[string]string{}
	for _, u := range tr.units {
		switch u.Kind {
		case domain.KindTown, domain.KindDepartment, domain.KindEnterprise, domain.KindWorkshop, domain.KindTeam:
		default:
			continue
		}
		if scope(u) {
			status[u.Code] = "MISSING"
		}
	}
	for _, l := range seed.Letters(tr.tenant) {
		if l.Year != year || !l.Live() {
			continue
		}
		if _, ok := status[l.Signee]; !ok || tr.byCode[l.Signee].Parent != l.Issuer {
			continue
		}
		switch l.State {
		case domain.LetterSigned, domain.LetterArchived:
			status[l.Signee] = "SIGNED"
		case domain.LetterIssued, domain.LetterPartiallySigned:
			status[l.Signee] = "PENDING"
		}
	}
	return status
}

// townOf is the town a unit belongs to (itself for a town), "" otherwise.
func (tr *seedTree) townOf(code string) string {
	for c := code; c != ""; c = tr.byCode[c].Parent {
		if tr.byCode[c].Kind == domain.KindTown {
			return c
		}
	}
	return ""
}

func percent(part, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(int(float64(part)*1000/float64(total)+0.5)) / 10
}

func countsOf(statuses []string) coverageCounts {
	var c coverageCounts
	for _, s := range statuses {
		c.Total++
		switch s {
		case "SIGNED":
			c.Signed++
		case "PENDING":
			c.Pending++
		default:
			c.Missing++
		}
	}
	c.SignedPercent, c.PendingPercent, c.MissingPercent = percent(c.Signed, c.Total), percent(c.Pending, c.Total), percent(c.Missing, c.Total)
	return c
}

func TestLetterCoverageOnDemoData(t *testing.T) {
	demo := treeOf(seed.TenantDemo)
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		county := unitID(t, s, head, seed.CodeCounty)

		t.Run("2022 as the county head: the numbers", func(t *testing.T) {
			c, rows := coverageAll(t, s, head, 2022, county, 17, nil)
			// Hard-coded from the seed's gaps (internal/seed/letters.go).
			require.Equal(t, 99, c.TotalCount)
			require.Equal(t, coverageCounts{Total: 99, Signed: 87, Pending: 5, Missing: 7, SignedPercent: 87.9, PendingPercent: 5.1, MissingPercent: 7.1}, c.Summary.Total)
			want := map[string]coverageCounts{
				"TOWN":       {Total: 6, Signed: 6, SignedPercent: 100},
				"DEPARTMENT": {Total: 2, Signed: 1, Pending: 1, SignedPercent: 50, PendingPercent: 50},
				"ENTERPRISE": {Total: 48, Signed: 42, Pending: 2, Missing: 4, SignedPercent: 87.5, PendingPercent: 4.2, MissingPercent: 8.3},
				"WORKSHOP":   {Total: 17, Signed: 15, Pending: 1, Missing: 1, SignedPercent: 88.2, PendingPercent: 5.9, MissingPercent: 5.9},
				"TEAM":       {Total: 26, Signed: 23, Pending: 1, Missing: 2, SignedPercent: 88.5, PendingPercent: 3.8, MissingPercent: 7.7},
			}
			var kinds []string
			for _, k := range c.Summary.ByKind {
				kinds = append(kinds, k.Kind)
				require.Equal(t, want[k.Kind], k.Counts, k.Kind)
			}
			require.Equal(t, []string{"TOWN", "DEPARTMENT", "ENTERPRISE", "WORKSHOP", "TEAM"}, kinds)

			// Every row, by rule, in tree order (parents before children).
			rule := expectedCoverage(demo, 2022, anyUnit)
			got := map[string]string{}
			seen := map[string]bool{}
			for _, row := range rows {
				got[row.Unit.Code] = row.Status
				parent := demo.byCode[row.Unit.Code].Parent
				if parent != seed.CodeCounty {
					require.True(t, seen[parent], "%s listed before its parent %s", row.Unit.Code, parent)
				}
				seen[row.Unit.Code] = true
				require.Equal(t, parent, row.Issuer.Code)
				require.Equal(t, string(demo.byCode[row.Unit.Code].Kind), row.Kind)
				if town := demo.townOf(row.Unit.Code); town != "" {
					require.Equal(t, town, row.Town.Code)
				} else {
					require.Nil(t, row.Town)
				}
				if row.Status == "MISSING" {
					if row.Letter != nil {
						require.Equal(t, "DRAFT", row.Letter.State)
					}
				} else {
					require.NotNil(t, row.Letter)
				}
			}
			require.Equal(t, rule, got)
			for _, code := range append(append([]string{}, seed.Missing2022...), seed.Revoked2022...) {
				require.Equal(t, "MISSING", got[code], code)
			}
			for _, code := range seed.Pending2022 {
				require.Equal(t, "PENDING", got[code], code)
			}
			require.Equal(t, "SIGNED", got[seed.CodeLogistics], "revoked, then signed again")
			require.Equal(t, "PENDING", got[seed.CodeDeptEmergency], "its party secretary has not signed")

			// Per town: the town and everything below it.
			byTown := map[string][]string{}
			for code, st := range rule {
				if town := demo.townOf(code); town != "" {
					byTown[town] = append(byTown[town], st)
				}
			}
			require.Len(t, c.Summary.ByTown, 6)
			for _, bt := range c.Summary.ByTown {
				require.Equal(t, countsOf(byTown[bt.Town.Code]), bt.Counts, bt.Town.Code)
			}
		})

		t.Run("filters by status and kind", func(t *testing.T) {
			c, rows := coverageAll(t, s, head, 2022, county, 3, map[string]any{"status": []string{"MISSING"}})
			require.Equal(t, 7, c.TotalCount)
			var codes []string
			for _, r := range rows {
				codes = append(codes, r.Unit.Code)
				require.Equal(t, "MISSING", r.Status)
			}
			require.ElementsMatch(t, append(append([]string{}, seed.Missing2022...), seed.Revoked2022...), codes)
			require.Equal(t, 99, c.Summary.Total.Total, "the summary is not filtered")

			c, rows = coverageAll(t, s, head, 2022, county, 50, map[string]any{"status": []string{"PENDING"}, "kinds": []string{"WORKSHOP", "TEAM"}})
			require.Equal(t, 2, c.TotalCount)
			require.ElementsMatch(t, []string{"WS-BIO-EXTRACT", "TEAM-FOOD-PACK-1"}, []string{rows[0].Unit.Code, rows[1].Unit.Code})

			c, _ = coverageAll(t, s, head, 2022, county, 50, map[string]any{"kinds": []string{"COUNTY"}})
			require.Zero(t, c.TotalCount, "the root has no parent")
		})

		t.Run("pages backward to the same rows as forward", func(t *testing.T) {
			missing := []string{"MISSING"}
			_, forward := coverageAll(t, s, head, 2022, county, 3, map[string]any{"status": missing})
			var backward []coverageRow
			before := ""
			for range forward {
				v := map[string]any{"status": missing, "last": 3}
				if before != "" {
					v["before"] = before
				}
				c, r := coverage(t, s, head, 2022, county, v)
				require.Empty(t, r.Errors)
				require.Equal(t, before != "", c.PageInfo.HasNextPage, "a page before a cursor has a next page")
				var page []coverageRow
				for _, e := range c.Edges {
					page = append(page, e.Node)
				}
				backward = append(page, backward...)
				if !c.PageInfo.HasPreviousPage {
					break
				}
				before = *c.PageInfo.StartCursor
			}
			require.Equal(t, forward, backward)
		})

		t.Run("2023 in progress", func(t *testing.T) {
			c, r := coverage(t, s, head, 2023, county, map[string]any{"kinds": []string{"TOWN", "DEPARTMENT"}, "first": 10})
			require.Empty(t, r.Errors)
			want := map[string]string{
				seed.CodeTownChengguan: "SIGNED", seed.CodeTownDongcheng: "PENDING", seed.CodeTownXihe: "PENDING",
				seed.CodeTownNanshan: "PENDING", seed.CodeTownBeiling: "PENDING", seed.CodeTownQiaotou: "MISSING",
				seed.CodeDeptIndustryCommerce: "PENDING", seed.CodeDeptEmergency: "MISSING",
			}
			for code, st := range want {
				require.Equal(t, st, statusOf(t, c, code), code)
			}
			require.Equal(t, expectedCoverage(demo, 2023, anyUnit)[seed.CodeMech], "SIGNED")
		})

		t.Run("a root below the county", func(t *testing.T) {
			cg := s.As("chengguan.head")
			c, rows := coverageAll(t, s, cg, 2022, unitID(t, s, cg, seed.CodeTownChengguan), 50, nil)
			rule := expectedCoverage(demo, 2022, func(u seed.UnitInfo) bool {
				return demo.under(u.Code, seed.CodeTownChengguan) && u.Code != seed.CodeTownChengguan
			})
			got := map[string]string{}
			for _, r := range rows {
				got[r.Unit.Code] = r.Status
			}
			require.Equal(t, rule, got)
			require.Equal(t, len(rule), c.TotalCount)
		})

		t.Run("an empty year", func(t *testing.T) {
			c, r := coverage(t, s, head, 2030, county, map[string]any{"first": 5})
			require.Empty(t, r.Errors)
			require.Equal(t, 99, c.Summary.Total.Missing)
			require.Len(t, c.Edges, 5)
			require.True(t, c.PageInfo.HasNextPage)
		})

		t.Run("bad input", func(t *testing.T) {
			_, r := coverage(t, s, head, 2022, county, map[string]any{"after": "not-a-cursor"})
			requireCode(t, r, "BAD_USER_INPUT")
			_, r = coverage(t, s, head, 2022, county, map[string]any{"first": 501})
			requireCode(t, r, "BAD_USER_INPUT")
			_, r = coverage(t, s, head, 1900, county, nil)
			requireCode(t, r, "BAD_USER_INPUT")
		})
	})
}
