package graph_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

// uploadsIn maps every upload in v (an argument, or a field of an input
// object at any depth) to its variable path.
func uploadsIn(v any, path string, files map[string]apitest.File) {
	switch x := v.(type) {
	case upload:
		files[path] = apitest.File(x)
	case map[string]any:
		for k, y := range x {
			uploadsIn(y, path+"."+k, files)
		}
	}
}

// send sends c as token (multipart when it carries files).
func (c call) send(t testing.TB, s *apitest.Server, token string) *apitest.Response {
	t.Helper()
	if len(c.files) == 0 {
		return gq(t, s, token, c.query, c.vars)
	}
	r := s.DoUpload(token, c.query, c.vars, c.files)
	apitest.RequireNoLeak(t, r)
	return r
}

func (in introspected) build(name string, c mutationCase, ids map[ref]string) (call, error) {
	var m *struct {
		Name string
		Args []inputValue
		Type typeRef
	}
	for i := range in.mutations {
		if in.mutations[i].Name == name {
			m = &in.mutations[i]
		}
	}
	if m == nil {
		return call{}, fmt.Errorf("no mutation %s", name)
	}
	var params, args []string
	vars := map[string]any{}
	files := map[string]apitest.File{}
	known := map[string]bool{}
	for _, a := range m.Args {
		known[a.Name] = true
		ov, has := c.args[a.Name]
		if !has && a.Type.Kind != "NON_NULL" {
			continue
		}
		v, err := in.generate(a.Type, ov, has, ids, name+"."+a.Name)
		if err != nil {
			return call{}, err
		}
		params = append(params, fmt.Sprintf("$%s: %s", a.Name, a.Type))
		args = append(args, fmt.Sprintf("%s: $%s", a.Name, a.Name))
		vars[a.Name] = v
		uploadsIn(ov, "variables."+a.Name, files)
	}
	for k := range c.args {
		if !known[k] {
			return call{}, fmt.Errorf("%s: the good input names argument %q, which the mutation does not have", name, k)
		}
	}
	q := "mutation"
	if len(params) > 0 {
		q += "(" + strings.Join(params, ", ") + ")"
	}
	q += " { " + name
	if len(args) > 0 {
		q += "(" + strings.Join(args, ", ") + ")"
	}
	switch in.types[m.Type.named().Name].Kind {
	case "OBJECT", "INTERFACE", "UNION":
		q += " { __typename }"
	}
	return call{query: q + " }", vars: vars, files: files}, nil
}

// ---------------------------------------------------------------------------

func TestEveryMutationIsGuarded(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, auditor, nb := s.As("admin"), s.As("auditor.county"), s.As(seed.NeighborSecretary)
		schema := introspect(t, s, admin)
		cases := goodInputs()

		var all []string
		for _, m := range schema.mutations {
			all = append(all, m.Name)
		}
		sort.Strings(all)
		t.Run("every mutation has a good input in this test", func(t *testing.T) {
			for _, name := range all {
				if _, ok := cases[name]; !ok {
					t.Errorf("mutation %s has no entry in goodInputs (mutations_test.go): add a minimal valid call so that its guards are tested", name)
				}
			}
			for name := range cases {
				require.Contains(t, all, name, "goodInputs names %s, which is not in the schema any more", name)
			}
		})

		demoIDs := demoRefs(t, s, admin)
		nbLetter := letterID(t, s, nb, 2022, seed.CodeCounty, seed.CodeNeighborTownHekou)
		neighborIDs := map[ref]string{
			refTown:           unitID(t, s, nb, seed.CodeNeighborTownHekou),
			refEnterpriseUnit: unitID(t, s, nb, seed.CodeNeighborBuilding),
			refWorkshop:       unitID(t, s, nb, seed.CodeNeighborWorkshop),
			refEnterprise:     enterpriseID(t, s, nb, nameNeighborBld),
			refUser:           userID(t, s, nb, "neighbor.head"),
			refPost:           postOfUser(t, s, nb, "neighbor.head"),
			refUser2:          userID(t, s, nb, seed.NeighborSecretary),
			refCampaign:       firstID(t, s, nb, "campaigns", ""),
			refHazard:         firstID(t, s, nb, "hazards", ""),
			refCounty:         unitID(t, s, nb, seed.CodeCounty),
			refTown2:          unitID(t, s, nb, seed.CodeNeighborTownQingshi),
			refBureau:         unitID(t, s, nb, seed.CodeNeighborDept),
			refDraftLetter1:   nbLetter, refDraftLetter2: nbLetter, refDraftLetter3: nbLetter,
			refIssuedLetter1: nbLetter, refIssuedLetter2: nbLetter, refIssuedLetter3: nbLetter, refSignedLetter: nbLetter,
			refNotice:         noticeID(t, s, nb, "邻安委〔2022〕1号"),
			refNoticeReceipt1: receiptOf(t, s, nb, "邻安委〔2022〕1号", "青石镇"),
			refNoticeReceipt2: receiptOf(t, s, nb, "邻安委〔2022〕1号", "青石镇"),
			refGroup:          firstID(t, s, nb, "leadershipGroups", ""),
			refMeeting:        firstID(t, s, nb, "meetings", ""),
			refHeadPost:       postOfUser(t, s, nb, "neighbor.head"),
			refTraining:       firstID(t, s, nb, "trainings", ""), refTrainingDel: firstID(t, s, nb, "trainings", ""),
			refPublicity: firstID(t, s, nb, "publicities", ""), refPublicityDel: firstID(t, s, nb, "publicities", ""),
			refCertificate:    firstID(t, s, nb, "certificates", ""),
			refDutyList:       firstID(t, s, nb, "dutyLists", ""),
			refPlan:           firstID(t, s, nb, "emergencyPlans", ""),
			refDraftPlan:      firstID(t, s, nb, "emergencyPlans", ""),
			refDrill:          firstID(t, s, nb, "drills", ""),
			refRiskUnit:       unitID(t, s, nb, seed.CodeNeighborStation),
			refRiskPoint:      firstID(t, s, nb, "riskPoints", ""),
			refControlMeasure: measureOf(t, s, nb, firstID(t, s, nb, "riskPoints", "")),
			refEnfInspection:  enforcementInspectionOf(t, s, nb, seed.NeighborOrderNumber),
			refEnforcement:    idOf(t, s, nb, "enforcementActions", `{documentNumber: "`+seed.NeighborOrderNumber+`"}`),
			refRoster:         unusedID(t, demoIDs[refRoster]),
			refTeam:           unusedID(t, demoIDs[refTeam]),
			refReserve:        unusedID(t, demoIDs[refReserve]),
			refNotification:   firstID(t, s, s.As("neighbor.head"), "notifications", ""),
			refAssignedHazard: firstID(t, s, nb, "hazards", ""),
			refTownInspector1: userID(t, s, nb, "neighbor.head"),
			refTownInspector2: userID(t, s, nb, seed.NeighborSecretary),
			refEntPlan:        firstID(t, s, nb, "emergencyPlans", ""),
			refDryRun:         cleanDryRun(t, s, nb),
		}
		// Ids that exist nowhere, each of its ref's type: ent gives every
		// table a range of 1<<32 ids, so the neighbour's id names the range;
		// an offset per ref that no demo row reaches keeps them apart.
		missingIDs := map[ref]string{}
		refs := slices.Sorted(maps.Keys(neighborIDs))
		for i, r := range refs {
			id, err := gid.Decode(neighborIDs[r])
			require.NoError(t, err)
			missingIDs[r] = gid.Encode(id>>32<<32 + 999_999 - i)
		}

		build := func(t *testing.T, name string, ids map[ref]string) call {
			c, err := schema.build(name, cases[name], ids)
			require.NoError(t, err)
			return c
		}
		guarded := func(yield func(name string, c mutationCase) bool) {
			for _, name := range all {
				c, ok := cases[name]
				if !ok || c.public {
					continue
				}
				if !yield(name, c) {
					return
				}
			}
		}

		// unchanged is the database as the last refusal left it: a refusal
		// that passed wrote nothing, so its state is the next refusal's
		// "before" (half the snapshots of this long test). A subtest that
		// stops early (FailNow) leaves it unset: the next reads again.
		var unchanged dbSnapshot
		stateBefore := func(t *testing.T) dbSnapshot {
			before := unchanged
			if before == nil {
				before = snapshot(t, s)
			}
			unchanged = nil
			return before
		}
		requireStillUnchanged := func(t *testing.T, before dbSnapshot) {
			t.Helper()
			requireUnchanged(t, s, before)
			if !t.Failed() {
				unchanged = before
			}
		}
		for name := range guarded {
			t.Run(name+" without a token is UNAUTHENTICATED and writes nothing", func(t *testing.T) {
				c := build(t, name, demoIDs)
				before := stateBefore(t)
				r := c.send(t, s, "")
				requireCode(t, r, "UNAUTHENTICATED", c.query)
				requireStillUnchanged(t, before)
			})
			t.Run(name+" with a malformed token is UNAUTHENTICATED and writes nothing", func(t *testing.T) {
				c := build(t, name, demoIDs)
				before := stateBefore(t)
				r := c.send(t, s, "not-a-token")
				requireCode(t, r, "UNAUTHENTICATED", c.query)
				requireStillUnchanged(t, before)
			})
		}
		for name, mc := range guarded {
			if mc.auditorMay {
				continue
			}
			t.Run(name+" as auditor.county is FORBIDDEN and writes nothing", func(t *testing.T) {
				c := build(t, name, demoIDs)
				before := stateBefore(t)
				r := c.send(t, s, auditor)
				requireCode(t, r, "FORBIDDEN", c.query)
				requireStillUnchanged(t, before)
			})
		}
		for name, mc := range guarded {
			if !hasRef(mc.args) {
				continue // acts on no object (own password, own sessions, the tenant's policy)
			}
			t.Run(name+" as admin on an object of the other tenant is NOT_FOUND and writes nothing", func(t *testing.T) {
				c := build(t, name, neighborIDs)
				before := stateBefore(t)
				r := c.send(t, s, asUser(s, mc, admin))
				requireCode(t, r, "NOT_FOUND", c.query)
				requireStillUnchanged(t, before)

				// Indistinguishable from an id that exists nowhere.
				m := build(t, name, missingIDs)
				rm := m.send(t, s, asUser(s, mc, admin))
				requireCode(t, rm, "NOT_FOUND", m.query)
				require.Equal(t, rm.Errors[0].Message, r.Errors[0].Message, "the other tenant's object must look like no object at all")
				require.Equal(t, rm.Errors[0].Extensions, r.Errors[0].Extensions)
				requireStillUnchanged(t, before)
			})
		}
		for name, mc := range guarded {
			if !hasRef(mc.args) {
				continue
			}
			t.Run(name+" as the other tenant's secretary on a demo object is NOT_FOUND and writes nothing", func(t *testing.T) {
				c := build(t, name, demoIDs)
				before := stateBefore(t)
				r := c.send(t, s, nb)
				requireCode(t, r, "NOT_FOUND", c.query)
				requireStillUnchanged(t, before)
			})
		}

		// The refusals above were for the right reason: the same calls are
		// valid. The AUDITOR may change their own password and log out.
		t.Run("auditor.county may change their own password", func(t *testing.T) {
			c := build(t, "changePassword", demoIDs)
			r := gqOK(t, s, auditor, c.query, c.vars)
			require.JSONEq(t, `{"changePassword": {"__typename": "ChangePasswordPayload"}}`, string(r.Data))
			login := `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`
			r = gq(t, s, "", login, map[string]any{"in": map[string]any{"tenant": "demo", "username": "auditor.county", "password": "auditor-new-password-1"}})
			require.Empty(t, r.Errors, "the new password works")
			r = gq(t, s, "", login, map[string]any{"in": map[string]any{"tenant": "demo", "username": "auditor.county", "password": seed.DemoPassword}})
			require.NotEmpty(t, r.Errors, "the old password no longer works")
		})
		t.Run("auditor.county may log out", func(t *testing.T) {
			// The password change ended the auditor's sessions: sign in anew.
			var out struct{ Login struct{ AccessToken string } }
			gqOK(t, s, "", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
				map[string]any{"in": map[string]any{"tenant": "demo", "username": "auditor.county", "password": "auditor-new-password-1"}}).Decode(t, &out)
			c := build(t, "logout", demoIDs)
			r := gqOK(t, s, out.Login.AccessToken, c.query, c.vars)
			require.JSONEq(t, `{"logout": {"__typename": "LogoutPayload"}}`, string(r.Data))
		})
		for name, mc := range guarded {
			if mc.auditorMay {
				continue
			}
			who := mc.as
			if who == "" {
				who = "admin"
			}
			t.Run(name+" as "+who+" on demo objects succeeds (the good input is good)", func(t *testing.T) {
				c := build(t, name, demoIDs)
				before := snapshot(t, s)
				r := c.send(t, s, s.As(who))
				require.Empty(t, r.Errors, "unexpected errors for %s", oneLine(c.query))
				// The snapshot sees the write: the "nothing written" checks
				// above are not blind.
				require.NotEqual(t, before, snapshot(t, s), "a successful %s changed no watched table", name)
			})
		}
	})
}

// demoRefs resolves every ref to its object of the demo tenant, as the good
// inputs expect (shared by this test and the audit test).
func demoRefs(t testing.TB, s *apitest.Server, admin string) map[ref]string {
	t.Helper()
	// The 2023 demo letters in progress (internal/seed/letters.go).
	letter2023 := func(issuer, signee string) string {
		return letterID(t, s, admin, 2023, issuer, signee)
	}
	return map[ref]string{
		refTown:           unitID(t, s, admin, seed.CodeTownChengguan),
		refEnterpriseUnit: unitID(t, s, admin, "ENT-MECH"),
		refWorkshop:       unitID(t, s, admin, "WS-MECH-ASSEMBLY"),
		refEnterprise:     enterpriseID(t, s, admin, nameMech),
		refUser:           userID(t, s, admin, "bureau.inspector1"),
		refPost:           postOfUser(t, s, admin, "bureau.inspector2"),
		refUser2:          userID(t, s, admin, "bureau.fuel"), // inspects with refUser; refPost's holder is ended
		refCampaign:       firstID(t, s, admin, "campaigns", "{finished: false}"),
		refHazard:         firstID(t, s, s.As("county.head"), "hazards", "{state: REPORTED, supervised: false}"),
		refCounty:         unitID(t, s, admin, seed.CodeCounty),
		refTown2:          unitID(t, s, admin, seed.CodeTownDongcheng),
		refBureau:         unitID(t, s, admin, seed.CodeDeptIndustryCommerce),
		refDraftLetter1:   letter2023(seed.CodeCounty, seed.CodeTownQiaotou),
		refDraftLetter2:   letter2023(seed.CodeCounty, seed.CodeDeptEmergency),
		refDraftLetter3:   letter2023(seed.CodeCementKiln, "TEAM-CEMENT-KILN-1"),
		refIssuedLetter1:  letter2023(seed.CodeCounty, seed.CodeTownXihe),
		refIssuedLetter2:  letter2023(seed.CodeCounty, seed.CodeTownNanshan),
		refIssuedLetter3:  letter2023(seed.CodeCounty, seed.CodeTownBeiling),
		refSignedLetter:   letter2023(seed.CodeCounty, seed.CodeTownChengguan),
		refNotice:         noticeID(t, s, admin, "示安委〔2023〕1号"),
		refNoticeReceipt1: receiptOf(t, s, admin, "示安委〔2023〕1号", "桥头镇"),
		refNoticeReceipt2: receiptOf(t, s, admin, "示安委〔2023〕1号", "南山镇"),
		refGroup:          idOf(t, s, admin, "leadershipGroups", `{name: "示范县工业安全生产工作领导组"}`),
		refMeeting:        idOf(t, s, admin, "meetings", `{title: "2023年第1季度县安委会全体会议"}`),
		refHeadPost:       postOfUser(t, s, admin, "county.head"),
		refTraining:       idOf(t, s, admin, "trainings", `{topic: "2023年第1季度工业企业安全生产业务培训"}`),
		refTrainingDel:    idOf(t, s, admin, "trainings", `{topic: "2023年第1季度商贸企业消防安全培训"}`),
		refPublicity:      idOf(t, s, admin, "publicities", `{title: "2023年规上工业企业入企宣传"}`),
		refPublicityDel:   idOf(t, s, admin, "publicities", `{title: "国庆节前安全生产入企宣传"}`),
		refCertificate:    idOf(t, s, admin, "certificates", `{number: "AQ341100202100016"}`),
		refDutyList:       idOf(t, s, admin, "dutyLists", `{version: 2}`),
		refPlan:           idOf(t, s, admin, "emergencyPlans", `{title: "示范县防汛应急预案", state: EFFECTIVE}`),
		refDraftPlan:      idOf(t, s, admin, "emergencyPlans", `{state: DRAFT}`),
		refDrill:          idOf(t, s, admin, "drills", `{unitID: "`+unitID(t, s, admin, seed.CodeCounty)+`"}`),
		refRiskUnit:       unitID(t, s, admin, seed.CodeCement),
		refRiskPoint:      idOf(t, s, admin, "riskPoints", `{name: "回转窑"}`),
		refControlMeasure: measureOf(t, s, admin, idOf(t, s, admin, "riskPoints", `{name: "特种设备（桥式起重机、压力容器）"}`)),
		refEnfInspection:  enforcementInspectionOf(t, s, admin, seed.SeedOrderNumber),
		refEnforcement:    idOf(t, s, admin, "enforcementActions", `{documentNumber: "`+seed.SeedOrderNumber+`"}`),
		refRoster:         idOf(t, s, admin, "dutyRosters", `{title: "示范县2022年国庆节假期值班表"}`),
		refTeam:           firstID(t, s, admin, "rescueTeams", ""),
		refReserve:        firstID(t, s, admin, "materialReserves", ""),
		refNotification:   firstID(t, s, s.As("county.head"), "notifications", ""),
		refAssignedHazard: idOf(t, s, admin, "hazards", `{description: "安全出口被货架遮挡"}`),
		refTownInspector1: userID(t, s, admin, "chengguan.secretary"),
		refTownInspector2: userID(t, s, admin, "chengguan.head"),
		refEntPlan:        idOf(t, s, admin, "emergencyPlans", `{unitID: "`+unitID(t, s, admin, seed.CodeCement)+`", state: EFFECTIVE, kind: COMPREHENSIVE}`),
		refDryRun:         cleanDryRun(t, s, admin),
	}
}

// unusedID is an id in the table of id that no row has: the neighbour
// tenant keeps no rosters, teams or reserves, and a missing record answers
// as another tenant's does.
func unusedID(t *testing.T, id string) string {
	n, err := gid.Decode(id)
	require.NoError(t, err)
	return gid.Encode(n>>32<<32 + 999_000)
}

// measureOf is the id of the first control measure of risk point id.
func measureOf(t testing.TB, s *apitest.Server, token, id string) string {
	t.Helper()
	var out struct {
		Node struct{ ControlMeasures []struct{ ID string } }
	}
	gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on RiskPoint { controlMeasures { id } } } }`,
		map[string]any{"id": id}).Decode(t, &out)
	require.NotEmpty(t, out.Node.ControlMeasures, "risk point %s has control measures", id)
	return out.Node.ControlMeasures[0].ID
}

// noticeID is the id of the notice numbered number.
func noticeID(t testing.TB, s *apitest.Server, token, number string) string {
	t.Helper()
	return idOf(t, s, token, "notices", fmt.Sprintf("{documentNumber: %q}", number))
}

// postOfUser returns the id of the first post of username.
func postOfUser(t testing.TB, s *apitest.Server, token, username string) string {
	t.Helper()
	r := gqOK(t, s, token, `query($u: String!) { users(where: {username: $u}) { edges { node { posts(first: 1) { edges { node { id } } } } } } }`,
		map[string]any{"u": username})
	var out struct {
		Users struct {
			Edges []struct {
				Node struct {
					Posts struct {
						Edges []struct{ Node struct{ ID string } }
					}
				}
			}
		}
	}
	r.Decode(t, &out)
	require.Len(t, out.Users.Edges, 1)
	require.NotEmpty(t, out.Users.Edges[0].Node.Posts.Edges)
	return out.Users.Edges[0].Node.Posts.Edges[0].Node.ID
}

// asUser is the token of the case's acting user, admin by default.
func asUser(s *apitest.Server, c mutationCase, admin string) string {
	if c.as == "" {
		return admin
	}
	return s.As(c.as)
}

// firstID returns the id of the first node of a connection.
func firstID(t testing.TB, s *apitest.Server, token, connection, where string) string {
	t.Helper()
	args := "first: 1"
	if where != "" {
		args += ", where: " + where
	}
	r := gqOK(t, s, token, fmt.Sprintf(`{ c: %s(%s) { edges { node { id } } } }`, connection, args), nil)
	var out struct {
		C struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	r.Decode(t, &out)
	require.NotEmpty(t, out.C.Edges, "no %s matching %s", connection, where)
	return out.C.Edges[0].Node.ID
}

// letterID returns the id of the live letter of year from the unit with
// code issuer to the unit with code signee, as token sees it.
func letterID(t testing.TB, s *apitest.Server, token string, year int, issuer, signee string) string {
	t.Helper()
	is, sg := unitID(t, s, token, issuer), unitID(t, s, token, signee)
	return idOf(t, s, token, "responsibilityLetters",
		fmt.Sprintf(`{year: %d, issuerUnitID: %q, signeeUnitID: %q, stateNEQ: REVOKED}`, year, is, sg))
}
