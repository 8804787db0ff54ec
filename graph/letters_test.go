package graph_test

// Responsibility letters over GraphQL on every available database (issue 4):
// the lifecycle with dual signatures (党政同责), every illegal step, the chain
// rule, CONFLICT, bulk issue, chain coverage on the demo data, scoping of
// lists, nodes and mutations, and concurrent signing.

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

const letterFields = `id year title body state issuerName signeeName signeeKind issuerUnitID signeeUnitID
	targets { description indicator }
	issuer { id code } signee { id code }
	signatures { role signerName signerTitle userID postID signedAt }
	events { action fromState toState actorName actorTitle actorRole actorUserID note at }
	attachments { id filename contentType size sha256 url }
	missingSignatures revokeReason issuedAt signedAt archivedAt revokedAt`

type letterOut struct {
	ID, Title, Body, State     string
	Year                       int
	IssuerName, SigneeName     string
	SigneeKind                 string
	IssuerUnitID, SigneeUnitID string
	Targets                    []struct {
		Description string
		Indicator   *string
	}
	Issuer, Signee *struct{ ID, Code string }
	Signatures     []struct {
		Role, SignerName, SignerTitle string
		UserID, PostID                *string
		SignedAt                      string
	}
	Events []struct {
		Action, ToState, ActorName, ActorTitle string
		FromState, ActorRole, ActorUserID      *string
		Note                                   *string
		At                                     string
	}
	Attachments []struct {
		ID, Filename, ContentType, Sha256, URL string
		Size                                   int
	}
	MissingSignatures                         []string
	RevokeReason                              *string
	IssuedAt, SignedAt, ArchivedAt, RevokedAt *string
}

func (l letterOut) actions() []string {
	var out []string
	for _, e := range l.Events {
		out = append(out, e.Action)
	}
	return out
}

func (l letterOut) signedRoles() []string {
	var out []string
	for _, s := range l.Signatures {
		out = append(out, s.Role)
	}
	return out
}

// letterMutation runs a mutation returning a ResponsibilityLetter as token.
func letterMutation(t testing.TB, s *apitest.Server, token, field, args string, vars map[string]any) (letterOut, *apitest.Response) {
	t.Helper()
	q := fmt.Sprintf(`mutation(%s) { m: %s { %s } }`, args, field, letterFields)
	r := gq(t, s, token, q, vars)
	var out struct{ M letterOut }
	if len(r.Errors) == 0 {
		r.Decode(t, &out)
	}
	return out.M, r
}

var targets2024 = []any{
	map[string]any{"description": "全年不发生较大及以上生产安全事故", "indicator": "较大及以上事故0起"},
	map[string]any{"description": "隐患排查治理闭环管理", "indicator": "隐患整改率100%"},
}

func createLetter(t testing.TB, s *apitest.Server, token string, year int, issuer, signee string, withTargets bool) letterOut {
	t.Helper()
	in := map[string]any{"year": year, "issuerUnitID": issuer, "signeeUnitID": signee,
		"title": fmt.Sprintf("%d年度安全生产责任书", year), "body": "双方签订本责任书。"}
	if withTargets {
		in["targets"] = targets2024
	}
	l, r := letterMutation(t, s, token, "createLetter(input: $in)", "$in: CreateLetterInput!", map[string]any{"in": in})
	require.Empty(t, r.Errors, "createLetter %d %s → %s", year, issuer, signee)
	return l
}

func step(t testing.TB, s *apitest.Server, token, mutation, id string) letterOut {
	t.Helper()
	l, r := letterMutation(t, s, token, mutation+"(id: $id)", "$id: ID!", map[string]any{"id": id})
	require.Empty(t, r.Errors, "%s", mutation)
	return l
}

func sign(t testing.TB, s *apitest.Server, token, id string) (letterOut, *apitest.Response) {
	t.Helper()
	return letterMutation(t, s, token, "signLetter(id: $id)", "$id: ID!", map[string]any{"id": id})
}

func revoke(t testing.TB, s *apitest.Server, token, id, reason string) (letterOut, *apitest.Response) {
	t.Helper()
	return letterMutation(t, s, token, "revokeLetter(id: $id, input: {reason: $reason})", "$id: ID!, $reason: String!",
		map[string]any{"id": id, "reason": reason})
}

// ---------------------------------------------------------------------------
// Coverage.

type coverageRow struct {
	Unit   struct{ ID, Code string }
	Kind   string
	Status string
	Issuer *struct{ Code string }
	Town   *struct{ Code string }
	Letter *struct{ ID, State string }
}

type coverageCounts struct {
	Total, Signed, Pending, Missing               int
	SignedPercent, PendingPercent, MissingPercent float64
}

type coverageOut struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct {
		Cursor string
		Node   coverageRow
	}
	Summary struct {
		Total  coverageCounts
		ByKind []struct {
			Kind   string
			Counts coverageCounts
		}
		ByTown []struct {
			Town   struct{ Code string }
			Counts coverageCounts
		}
	}
}

const coverageQuery = `query($year: Int!, $root: ID!, $status: [CoverageStatus!], $kinds: [UnitKind!], $first: Int, $after: String) {
  c: letterCoverage(year: $year, rootID: $root, status: $status, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { unit { id code } kind status issuer { code } town { code } letter { id state } } }
    summary {
      total { total signed pending missing signedPercent pendingPercent missingPercent }
      byKind { kind counts { total signed pending missing signedPercent pendingPercent missingPercent } }
      byTown { town { code } counts { total signed pending missing signedPercent pendingPercent missingPercent } }
    }
  }
}`

// coverage runs one page of letterCoverage.
func coverage(t testing.TB, s *apitest.Server, token string, year int, root string, vars map[string]any) (coverageOut, *apitest.Response) {
	t.Helper()
	v := map[string]any{"year": year, "root": root}
	for k, x := range vars {
		v[k] = x
	}
	r := gq(t, s, token, coverageQuery, v)
	var out struct{ C coverageOut }
	if len(r.Errors) == 0 {
		r.Decode(t, &out)
	}
	return out.C, r
}

// coverageAll follows every page (first: page) and returns the rows.
func coverageAll(t testing.TB, s *apitest.Server, token string, year int, root string, page int, vars map[string]any) (coverageOut, []coverageRow) {
	t.Helper()
	var rows []coverageRow
	var first coverageOut
	after := ""
	for i := 0; ; i++ {
		v := map[string]any{"first": page}
		for k, x := range vars {
			v[k] = x
		}
		if after != "" {
			v["after"] = after
		}
		c, r := coverage(t, s, token, year, root, v)
		require.Empty(t, r.Errors)
		if i == 0 {
			first = c
		}
		require.Equal(t, first.TotalCount, c.TotalCount, "totalCount is the same on every page")
		for _, e := range c.Edges {
			rows = append(rows, e.Node)
			require.NotEmpty(t, e.Cursor)
		}
		if !c.PageInfo.HasNextPage {
			require.Len(t, rows, c.TotalCount, "pages add up to totalCount")
			return first, rows
		}
		require.Len(t, c.Edges, page)
		require.NotNil(t, c.PageInfo.EndCursor)
		after = *c.PageInfo.EndCursor
		require.Less(t, i, 200, "pagination does not end")
	}
}

// statusOf finds a unit's status in a coverage page.
func statusOf(t testing.TB, c coverageOut, code string) string {
	t.Helper()
	for _, e := range c.Edges {
		if e.Node.Unit.Code == code {
			return e.Node.Status
		}
	}
	t.Fatalf("unit %s not in the coverage page", code)
	return ""
}

func kindCounts(c coverageOut, kind string) coverageCounts {
	for _, k := range c.Summary.ByKind {
		if k.Kind == kind {
			return k.Counts
		}
	}
	return coverageCounts{}
}

// ---------------------------------------------------------------------------

// TestLetterLifecycle: issue, sign twice (党政同责), see coverage change,
// attach the scanned copy, archive; and an enterprise-side letter that one
// PRINCIPAL's signature completes.
func TestLetterLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		county, chengguan := unitID(t, s, head, seed.CodeCounty), unitID(t, s, head, seed.CodeTownChengguan)
		covTowns := func() coverageOut {
			c, r := coverage(t, s, head, 2024, county, map[string]any{"kinds": []string{"TOWN"}, "first": 50})
			require.Empty(t, r.Errors)
			return c
		}
		before := covTowns()
		require.Equal(t, 6, before.TotalCount)
		require.Equal(t, "MISSING", statusOf(t, before, seed.CodeTownChengguan))
		require.Equal(t, 99, before.Summary.Total.Total, "the summary counts every kind")
		require.Equal(t, 99, before.Summary.Total.Missing)

		// County head drafts, edits and issues.
		l := createLetter(t, s, head, 2024, county, chengguan, false)
		require.Equal(t, "DRAFT", l.State)
		require.Equal(t, "示范县", l.IssuerName)
		require.Equal(t, "城关镇", l.SigneeName)
		require.Equal(t, "TOWN", l.SigneeKind)
		require.Equal(t, []string{"CREATED"}, l.actions())
		require.Equal(t, "陈立新", l.Events[0].ActorName)
		require.Equal(t, "GOVERNMENT_HEAD", *l.Events[0].ActorRole)
		require.Equal(t, "县长", l.Events[0].ActorTitle)
		require.Empty(t, l.MissingSignatures, "a draft needs no signatures yet")
		require.Equal(t, "MISSING", statusOf(t, covTowns(), seed.CodeTownChengguan), "a draft does not count")

		l, r := letterMutation(t, s, head, "updateLetter(id: $id, input: $in)", "$id: ID!, $in: UpdateLetterInput!",
			map[string]any{"id": l.ID, "in": map[string]any{"title": "  2024年度安全生产工作责任状 ", "targets": targets2024}})
		require.Empty(t, r.Errors)
		require.Equal(t, "2024年度安全生产工作责任状", l.Title)
		require.Len(t, l.Targets, 2)
		require.Equal(t, "隐患整改率100%", *l.Targets[1].Indicator)

		l = step(t, s, head, "issueLetter", l.ID)
		require.Equal(t, "ISSUED", l.State)
		require.NotNil(t, l.IssuedAt)
		require.Equal(t, []string{"PARTY_SECRETARY", "GOVERNMENT_HEAD"}, l.MissingSignatures)
		c := covTowns()
		require.Equal(t, "PENDING", statusOf(t, c, seed.CodeTownChengguan))
		require.Equal(t, 1, kindCounts(c, "TOWN").Pending)

		// The town's secretary signs: PARTIALLY_SIGNED, still pending.
		secretary := s.As("chengguan.secretary")
		l, r = sign(t, s, secretary, l.ID)
		require.Empty(t, r.Errors)
		require.Equal(t, "PARTIALLY_SIGNED", l.State)
		require.Equal(t, []string{"PARTY_SECRETARY"}, l.signedRoles())
		require.Equal(t, "杨文静", l.Signatures[0].SignerName)
		require.Equal(t, "城关镇党委书记", l.Signatures[0].SignerTitle)
		require.NotNil(t, l.Signatures[0].PostID)
		require.Equal(t, []string{"GOVERNMENT_HEAD"}, l.MissingSignatures)
		require.Nil(t, l.SignedAt)
		require.Equal(t, "PENDING", statusOf(t, covTowns(), seed.CodeTownChengguan))

		// Signing twice in the same role is refused and changes nothing.
		snap := snapshot(t, s)
		_, r = sign(t, s, secretary, l.ID)
		requireCode(t, r, "BAD_USER_INPUT")
		require.Contains(t, r.Errors[0].Message, "PARTY_SECRETARY")
		requireUnchanged(t, s, snap)

		// The town's head signs: SIGNED.
		l, r = sign(t, s, s.As("chengguan.head"), l.ID)
		require.Empty(t, r.Errors)
		require.Equal(t, "SIGNED", l.State)
		require.Equal(t, []string{"PARTY_SECRETARY", "GOVERNMENT_HEAD"}, l.signedRoles())
		require.Empty(t, l.MissingSignatures)
		require.NotNil(t, l.SignedAt)
		require.Equal(t, []string{"CREATED", "UPDATED", "ISSUED", "SIGNED", "SIGNED"}, l.actions())
		require.Equal(t, "PARTIALLY_SIGNED", l.Events[3].ToState)
		require.Equal(t, "SIGNED", l.Events[4].ToState)
		require.Equal(t, "赵国强", l.Events[4].ActorName)
		c = covTowns()
		require.Equal(t, "SIGNED", statusOf(t, c, seed.CodeTownChengguan))
		require.Equal(t, coverageCounts{Total: 6, Signed: 1, Missing: 5, SignedPercent: 16.7, MissingPercent: 83.3}, kindCounts(c, "TOWN"))
		require.Equal(t, 1, c.Summary.Total.Signed)

		// Archived after signing: still counts as signed.
		l = step(t, s, head, "archiveLetter", l.ID)
		require.Equal(t, "ARCHIVED", l.State)
		require.NotNil(t, l.ArchivedAt)
		require.Equal(t, "SIGNED", statusOf(t, covTowns(), seed.CodeTownChengguan))

		// Enterprise side: the cement plant's principal issues to its kiln
		// workshop, whose head alone signs.
		cp := s.As("cement.principal")
		cement, kiln := unitID(t, s, cp, seed.CodeCement), unitID(t, s, cp, seed.CodeCementKiln)
		e := createLetter(t, s, cp, 2024, cement, kiln, true)
		e = step(t, s, cp, "issueLetter", e.ID)
		require.Equal(t, []string{"PRINCIPAL"}, e.MissingSignatures)
		e, r = sign(t, s, s.As("cement.kiln.head"), e.ID)
		require.Empty(t, r.Errors)
		require.Equal(t, "SIGNED", e.State)
		require.Equal(t, "孙志刚", e.Signatures[0].SignerName)
		require.Nil(t, e.Issuer, "the kiln head cannot read the cement plant")
		require.Equal(t, "示范县恒固水泥有限公司", e.IssuerName)
		require.NotNil(t, e.Signee)
		require.Equal(t, seed.CodeCementKiln, e.Signee.Code)

		// Revoke frees the slot for a new letter.
		x := createLetter(t, s, cp, 2024, cement, unitID(t, s, cp, "WS-CEMENT-RAW"), true)
		x = step(t, s, cp, "issueLetter", x.ID)
		x, r = revoke(t, s, cp, x.ID, "  目标调整，重新签订 ")
		require.Empty(t, r.Errors)
		require.Equal(t, "REVOKED", x.State)
		require.Equal(t, "目标调整，重新签订", *x.RevokeReason)
		require.Equal(t, "目标调整，重新签订", *x.Events[len(x.Events)-1].Note)
		y := createLetter(t, s, cp, 2024, cement, unitID(t, s, cp, "WS-CEMENT-RAW"), true)
		require.Equal(t, "DRAFT", y.State)

		// Discarding a draft removes it.
		r = gq(t, s, cp, `mutation($id: ID!) { deleteLetter(id: $id) }`, map[string]any{"id": y.ID})
		require.Empty(t, r.Errors)
		r = gqOK(t, s, cp, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": y.ID})
		require.JSONEq(t, `{"node": null}`, string(r.Data))
	})
}

// TestLetterIllegalSteps: every step the lifecycle or the roles forbid is
// BAD_USER_INPUT or FORBIDDEN (NOT_FOUND when the letter is out of the
// caller's jurisdiction) and writes nothing.
func TestLetterIllegalSteps(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		u := func(code string) string { return unitID(t, s, head, code) }
		county := u(seed.CodeCounty)
		signBoth := func(id, town string) {
			for _, who := range []string{town + ".secretary", town + ".head"} {
				_, r := sign(t, s, s.As(who), id)
				require.Empty(t, r.Errors)
			}
		}
		// Letters of 2024 in every state.
		draft := createLetter(t, s, head, 2024, county, u(seed.CodeTownDongcheng), false) // no targets
		issued := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, county, u(seed.CodeTownXihe), true).ID)
		partial := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, county, u(seed.CodeTownNanshan), true).ID)
		_, r := sign(t, s, s.As("nanshan.secretary"), partial.ID)
		require.Empty(t, r.Errors)
		signed := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, county, u(seed.CodeTownBeiling), true).ID)
		signBoth(signed.ID, "beiling")
		archived := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, county, u(seed.CodeTownQiaotou), true).ID)
		signBoth(archived.ID, "qiaotou")
		step(t, s, head, "archiveLetter", archived.ID)
		revoked := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, county, u(seed.CodeDeptIndustryCommerce), true).ID)
		_, r = revoke(t, s, head, revoked.ID, "测试")
		require.Empty(t, r.Errors)
		// A letter of the cement plant to its kiln (2023, ISSUED by the seed).
		kilnLetter := letterID(t, s, head, 2023, seed.CodeCement, seed.CodeCementKiln)

		type attempt struct {
			name, as, mutation, args string
			vars                     map[string]any
			code                     string
		}
		id := func(x string) map[string]any { return map[string]any{"id": x} }
		one := "$id: ID!"
		signM, issueM, archiveM, deleteM := "signLetter(id: $id)", "issueLetter(id: $id)", "archiveLetter(id: $id)", "deleteLetter(id: $id)"
		revokeM, revokeA := "revokeLetter(id: $id, input: {reason: $reason})", "$id: ID!, $reason: String!"
		rv := func(x, reason string) map[string]any { return map[string]any{"id": x, "reason": reason} }
		updateM, updateA := "updateLetter(id: $id, input: {title: $title})", "$id: ID!, $title: String!"
		up := func(x, title string) map[string]any { return map[string]any{"id": x, "title": title} }
		createM, createA := "createLetter(input: $in)", "$in: CreateLetterInput!"
		cr := func(year int, issuer, signee string) map[string]any {
			return map[string]any{"in": map[string]any{"year": year, "issuerUnitID": u(issuer), "signeeUnitID": u(signee), "title": "t"}}
		}
		attempts := []attempt{
			// The lifecycle.
			{"sign a DRAFT", "dongcheng.secretary", signM, one, id(draft.ID), "BAD_USER_INPUT"},
			{"issue without a target", "county.head", issueM, one, id(draft.ID), "BAD_USER_INPUT"},
			{"issue an ISSUED letter", "county.head", issueM, one, id(issued.ID), "BAD_USER_INPUT"},
			{"issue a SIGNED letter", "county.head", issueM, one, id(signed.ID), "BAD_USER_INPUT"},
			{"archive an ISSUED letter", "county.head", archiveM, one, id(issued.ID), "BAD_USER_INPUT"},
			{"archive a PARTIALLY_SIGNED letter", "county.head", archiveM, one, id(partial.ID), "BAD_USER_INPUT"},
			{"archive a DRAFT", "county.head", archiveM, one, id(draft.ID), "BAD_USER_INPUT"},
			{"archive an ARCHIVED letter", "county.head", archiveM, one, id(archived.ID), "BAD_USER_INPUT"},
			{"revoke a DRAFT", "county.head", revokeM, revokeA, rv(draft.ID, "x"), "BAD_USER_INPUT"},
			{"revoke a SIGNED letter", "county.head", revokeM, revokeA, rv(signed.ID, "x"), "BAD_USER_INPUT"},
			{"revoke an ARCHIVED letter", "county.head", revokeM, revokeA, rv(archived.ID, "x"), "BAD_USER_INPUT"},
			{"revoke a REVOKED letter", "county.head", revokeM, revokeA, rv(revoked.ID, "x"), "BAD_USER_INPUT"},
			{"revoke without a reason", "county.head", revokeM, revokeA, rv(issued.ID, "   "), "BAD_USER_INPUT"},
			{"edit an ISSUED letter", "county.head", updateM, updateA, up(issued.ID, "x"), "BAD_USER_INPUT"},
			{"edit a SIGNED letter", "county.head", updateM, updateA, up(signed.ID, "x"), "BAD_USER_INPUT"},
			{"edit a draft to an empty title", "county.head", updateM, updateA, up(draft.ID, "  "), "BAD_USER_INPUT"},
			{"discard an ISSUED letter", "county.head", deleteM, one, id(issued.ID), "BAD_USER_INPUT"},
			{"discard a SIGNED letter", "county.head", deleteM, one, id(signed.ID), "BAD_USER_INPUT"},
			{"sign a SIGNED letter", "beiling.secretary", signM, one, id(signed.ID), "BAD_USER_INPUT"},
			{"sign an ARCHIVED letter", "qiaotou.head", signM, one, id(archived.ID), "BAD_USER_INPUT"},
			{"sign a REVOKED letter", "bureau.chief", signM, one, id(revoked.ID), "BAD_USER_INPUT"},
			{"sign twice in one role", "nanshan.secretary", signM, one, id(partial.ID), "BAD_USER_INPUT"},
			{"create for a year out of range", "county.head", createM, createA, cr(1999, seed.CodeCounty, seed.CodeTownXihe), "BAD_USER_INPUT"},
			// The roles.
			{"the signee side issues", "dongcheng.head", issueM, one, id(draft.ID), "FORBIDDEN"},
			{"the signee side edits", "dongcheng.secretary", updateM, updateA, up(draft.ID, "x"), "FORBIDDEN"},
			{"the signee side revokes", "xihe.head", revokeM, revokeA, rv(issued.ID, "x"), "FORBIDDEN"},
			{"the issuer side signs", "county.head", signM, one, id(issued.ID), "FORBIDDEN"},
			{"a deputy at the signee unit signs", "xihe.deputy", signM, one, id(issued.ID), "FORBIDDEN"},
			{"the county's deputy signs", "county.deputy.industry", signM, one, id(issued.ID), "FORBIDDEN"},
			{"the enterprise signs its workshop's letter", "cement.principal", signM, one, id(kilnLetter), "FORBIDDEN"},
			{"an auditor signs", "auditor.county", signM, one, id(issued.ID), "FORBIDDEN"},
			{"an auditor revokes", "auditor.county", revokeM, revokeA, rv(issued.ID, "x"), "FORBIDDEN"},
			{"the ADMIN writes a letter", "admin", createM, createA, cr(2024, seed.CodeCounty, seed.CodeDeptEmergency), "FORBIDDEN"},
			{"a deputy writes a letter", "county.deputy.industry", createM, createA, cr(2024, seed.CodeCounty, seed.CodeDeptEmergency), "FORBIDDEN"},
			{"a town head writes the county's letter", "chengguan.head", createM, createA, cr(2024, seed.CodeCounty, seed.CodeTownChengguan), "FORBIDDEN"},
			{"the ADMIN archives", "admin", archiveM, one, id(signed.ID), "FORBIDDEN"},
			// Out of jurisdiction: the letter does not exist for them.
			{"another town's head signs", "chengguan.head", signM, one, id(issued.ID), "NOT_FOUND"},
			{"another town's head revokes", "chengguan.head", revokeM, revokeA, rv(issued.ID, "x"), "NOT_FOUND"},
			{"the neighbour county signs", seed.NeighborSecretary, signM, one, id(issued.ID), "NOT_FOUND"},
			{"the kiln head issues the county's draft", "cement.kiln.head", issueM, one, id(draft.ID), "NOT_FOUND"},
		}
		for _, a := range attempts {
			t.Run(a.name, func(t *testing.T) {
				before := snapshot(t, s)
				q := fmt.Sprintf(`mutation(%s) { m: %s %s }`, a.args, a.mutation, map[bool]string{true: "", false: "{ id state }"}[a.mutation == deleteM])
				r := gq(t, s, tokenFor(s, a.as), q, a.vars)
				requireCode(t, r, a.code, a.name)
				requireUnchanged(t, s, before, a.name)
			})
		}
	})
}

// TestLetterChainRule: the signee is a direct child of the issuer, or an
// enterprise the issuing department supervises.
func TestLetterChainRule(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		u := func(code string) string { return unitID(t, s, admin, code) }
		cases := []struct {
			name, as       string
			issuer, signee string
			code           string
		}{
			{"county → its department", "county.head", seed.CodeCounty, seed.CodeDeptEmergency, ""},
			{"county → an enterprise (its town signs with it)", "county.head", seed.CodeCounty, seed.CodeCement, "BAD_USER_INPUT"},
			{"county → itself", "county.head", seed.CodeCounty, seed.CodeCounty, "BAD_USER_INPUT"},
			{"county → a workshop", "county.head", seed.CodeCounty, seed.CodeCementKiln, "BAD_USER_INPUT"},
			{"town → another town", "chengguan.head", seed.CodeTownChengguan, seed.CodeTownDongcheng, "BAD_USER_INPUT"},
			{"town → a department", "chengguan.secretary", seed.CodeTownChengguan, seed.CodeDeptIndustryCommerce, "BAD_USER_INPUT"},
			{"town → its county", "chengguan.head", seed.CodeTownChengguan, seed.CodeCounty, "BAD_USER_INPUT"},
			{"town → an enterprise of another town (out of its sight)", "chengguan.head", seed.CodeTownChengguan, seed.CodeCement, "NOT_FOUND"},
			{"department → an enterprise it supervises, in any town", "bureau.chief", seed.CodeDeptIndustryCommerce, seed.CodeCement, ""},
			{"department → a workshop of a supervised enterprise", "bureau.chief", seed.CodeDeptIndustryCommerce, seed.CodeCementKiln, "BAD_USER_INPUT"},
			{"department → a town", "bureau.secretary", seed.CodeDeptIndustryCommerce, seed.CodeTownXihe, "BAD_USER_INPUT"},
			{"enterprise → its workshop", "cement.principal", seed.CodeCement, "WS-CEMENT-RAW", ""},
			{"enterprise → a team two levels down", "cement.principal", seed.CodeCement, "TEAM-CEMENT-KILN-1", "BAD_USER_INPUT"},
			{"workshop → its team", "cement.kiln.head", seed.CodeCementKiln, "TEAM-CEMENT-KILN-2", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				in := map[string]any{"year": 2024, "issuerUnitID": u(c.issuer), "signeeUnitID": u(c.signee), "title": "t",
					"targets": targets2024}
				l, r := letterMutation(t, s, s.As(c.as), "createLetter(input: $in)", "$in: CreateLetterInput!", map[string]any{"in": in})
				if c.code == "" {
					require.Empty(t, r.Errors)
					require.Equal(t, "DRAFT", l.State)
					return
				}
				requireCode(t, r, c.code)
				if c.code == "BAD_USER_INPUT" {
					require.Equal(t, "signeeUnitID", r.Errors[0].Extensions["field"])
					require.Contains(t, r.Errors[0].Message, "level by level")
				}
				requireUnchanged(t, s, before)
			})
		}
	})
}

// TestLetterConflict: one live letter per (year, issuer, signee).
func TestLetterConflict(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		county, town := unitID(t, s, head, seed.CodeCounty), unitID(t, s, head, seed.CodeTownChengguan)
		in := map[string]any{"year": 2024, "issuerUnitID": county, "signeeUnitID": town, "title": "t", "targets": targets2024}
		create := func() (letterOut, *apitest.Response) {
			return letterMutation(t, s, head, "createLetter(input: $in)", "$in: CreateLetterInput!", map[string]any{"in": in})
		}
		first, r := create()
		require.Empty(t, r.Errors)
		for _, st := range []string{"DRAFT", "ISSUED"} {
			before := snapshot(t, s)
			_, r = create()
			requireCode(t, r, "CONFLICT", "second letter while the first is %s", st)
			require.Equal(t, "signeeUnitID", r.Errors[0].Extensions["field"])
			require.Contains(t, r.Errors[0].Message, st)
			requireUnchanged(t, s, before)
			if st == "DRAFT" {
				step(t, s, head, "issueLetter", first.ID)
			}
		}
		_, r = revoke(t, s, head, first.ID, "重新签订")
		require.Empty(t, r.Errors)
		second, r := create()
		require.Empty(t, r.Errors, "a revoked letter frees its slot")
		require.NotEqual(t, first.ID, second.ID)

		// The seeded 2022 letter counts too; another year or signee does not.
		in["year"] = 2022
		_, r = create()
		requireCode(t, r, "CONFLICT")
		in["signeeUnitID"] = unitID(t, s, head, "FUEL-29") // a gap of 2022, but not the county's child
		_, r = create()
		requireCode(t, r, "BAD_USER_INPUT")
	})
}

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

// TestLetterCoverageIsScoped: for every demo user of the brief's table the
// coverage rows are the units of their jurisdiction (BRIEF §4) with the
// statuses of the demo letters; a root they cannot see is NOT_FOUND.
func TestLetterCoverageIsScoped(t *testing.T) {
	demo, neighbor := treeOf(seed.TenantDemo), treeOf(seed.TenantNeighbor)
	vectors := append(demoVectors(demo), neighborVector(neighbor))
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, v := range vectors {
			tr := demo
			if v.user == seed.NeighborSecretary {
				tr = neighbor
			}
			t.Run(v.user, func(t *testing.T) {
				tok := tokenFor(s, v.user)
				root := unitID(t, s, tok, seed.CodeCounty)
				c, rows := coverageAll(t, s, tok, 2022, root, 100, nil)
				want := expectedCoverage(tr, 2022, v.scope)
				got := map[string]string{}
				for _, r := range rows {
					got[r.Unit.Code] = r.Status
				}
				require.Equal(t, want, got)
				require.Equal(t, len(want), c.Summary.Total.Total)
			})
		}
		t.Run("a root out of scope is NOT_FOUND", func(t *testing.T) {
			paper := unitID(t, s, s.As("admin"), seed.CodePaper)
			for _, who := range []string{"cement.principal", "chengguan.head", seed.NeighborSecretary} {
				_, r := coverage(t, s, tokenFor(s, who), 2022, paper, nil)
				requireCode(t, r, "NOT_FOUND", who)
			}
		})
	})
}

// ---------------------------------------------------------------------------
// Scoping of letters.

// lettersVisible is what user may read of the demo letters, by rule: the
// signee in their jurisdiction, or the issuer in a post's territory within
// the post's sectors (BRIEF §4: "a letter is also readable by its issuer
// side").
func lettersVisible(tr *seedTree, v vector) []seed.LetterInfo {
	posts := seedUser(v.user).Posts
	var out []seed.LetterInfo
	for _, l := range seed.Letters(tr.tenant) {
		signee := tr.byCode[l.Signee]
		ok := v.scope(signee)
		for _, p := range posts {
			secOK := len(p.Sectors) == 0 || isGov(signee) || slices.Contains(p.Sectors, signee.Sector)
			ok = ok || (tr.under(l.Issuer, p.UnitCode) && secOK)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

func letterKey(year int, issuer, signee, state string) string {
	return fmt.Sprintf("%d %s→%s %s", year, issuer, signee, state)
}

func TestLettersAreScoped(t *testing.T) {
	demo, neighbor := treeOf(seed.TenantDemo), treeOf(seed.TenantNeighbor)
	vectors := append(demoVectors(demo), neighborVector(neighbor))
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		codes := map[string]string{} // unit id → code, both tenants
		for _, who := range []string{"admin", seed.NeighborSecretary} {
			r := gqOK(t, s, tokenFor(s, who), `{ units(first: 500) { edges { node { id code } } } }`, nil)
			var out struct {
				Units struct {
					Edges []struct{ Node struct{ ID, Code string } }
				}
			}
			r.Decode(t, &out)
			for _, e := range out.Units.Edges {
				codes[e.Node.ID] = e.Node.Code
			}
		}
		list := func(tok string) ([]string, int) {
			var keys []string
			after := ""
			total := 0
			for {
				args := map[string]any{}
				q := `query($after: Cursor) { c: responsibilityLetters(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
					edges { node { year state issuerUnitID signeeUnitID } } } }`
				if after != "" {
					args["after"] = after
				}
				r := gqOK(t, s, tok, q, args)
				var out struct {
					C struct {
						TotalCount int
						PageInfo   struct {
							HasNextPage bool
							EndCursor   string
						}
						Edges []struct {
							Node struct {
								Year                       int
								State                      string
								IssuerUnitID, SigneeUnitID string
							}
						}
					}
				}
				r.Decode(t, &out)
				total = out.C.TotalCount
				for _, e := range out.C.Edges {
					n := e.Node
					keys = append(keys, letterKey(n.Year, codes[n.IssuerUnitID], codes[n.SigneeUnitID], n.State))
				}
				if !out.C.PageInfo.HasNextPage {
					sort.Strings(keys)
					return keys, total
				}
				after = out.C.PageInfo.EndCursor
			}
		}
		for _, v := range vectors {
			tr := demo
			if v.user == seed.NeighborSecretary {
				tr = neighbor
			}
			t.Run(v.user, func(t *testing.T) {
				var want []string
				for _, l := range lettersVisible(tr, v) {
					want = append(want, letterKey(l.Year, l.Issuer, l.Signee, string(l.State)))
				}
				sort.Strings(want)
				got, total := list(tokenFor(s, v.user))
				require.Equal(t, want, got)
				require.Equal(t, len(want), total)
			})
		}

		// The brief's wording, spelled out.
		has := func(user string, year int, issuer, signee string) bool {
			got, _ := list(tokenFor(s, user))
			for _, k := range got {
				if strings.HasPrefix(k, letterKey(year, issuer, signee, "")) {
					return true
				}
			}
			return false
		}
		require.True(t, has("county.deputy.industry", 2022, seed.CodeCounty, seed.CodeTownXihe), "the industry deputy sees county→town letters")
		require.False(t, has("bureau.chief", 2022, seed.CodeCounty, seed.CodeTownXihe), "the bureau chief does not")
		require.True(t, has("bureau.chief", 2022, seed.CodeCounty, seed.CodeDeptIndustryCommerce), "but the letter the bureau received")
		require.True(t, has("chengguan.head", 2022, seed.CodeCounty, seed.CodeTownChengguan), "the town sees what it received")
		require.True(t, has("chengguan.head", 2022, seed.CodeTownChengguan, seed.CodeMech), "and what it issued")
		require.False(t, has("chengguan.head", 2022, seed.CodeTownXihe, seed.CodePaper), "not another town's")
		require.False(t, has("chengguan.head", 2022, seed.CodeCounty, seed.CodeTownXihe), "nor the county's letters to other towns")

		t.Run("node, issuer and signee out of scope", func(t *testing.T) {
			admin := s.As("admin")
			xihe := letterID(t, s, admin, 2022, seed.CodeCounty, seed.CodeTownXihe)
			r := gqOK(t, s, s.As("chengguan.head"), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": xihe})
			require.JSONEq(t, `{"node": null}`, string(r.Data))
			r = gqOK(t, s, s.As(seed.NeighborSecretary), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": xihe})
			require.JSONEq(t, `{"node": null}`, string(r.Data))
			kiln := letterID(t, s, admin, 2022, seed.CodeCement, seed.CodeCementKiln)
			r = gqOK(t, s, s.As("cement.kiln.head"), `query($id: ID!) { node(id: $id) { ... on ResponsibilityLetter { issuerName issuer { id } signee { code } } } }`, map[string]any{"id": kiln})
			require.JSONEq(t, `{"node": {"issuerName": "示范县恒固水泥有限公司", "issuer": null, "signee": {"code": "WS-CEMENT-KILN"}}}`, string(r.Data))
		})
	})
}

// TestConcurrentSignatures: the two heads of a town sign at the same moment.
// Each step is checked against the version it read, so the letter never
// ends in a state its signatures contradict; a refused step is a CONFLICT
// and succeeds when retried.
func TestConcurrentSignatures(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		county := unitID(t, s, head, seed.CodeCounty)
		for i, town := range []string{"dongcheng", "xihe", "nanshan"} {
			code := []string{seed.CodeTownDongcheng, seed.CodeTownXihe, seed.CodeTownNanshan}[i]
			l := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, county, unitID(t, s, head, code), true).ID)
			tokens := []string{s.As(town + ".secretary"), s.As(town + ".head")}
			var wg sync.WaitGroup
			results := make([]*apitest.Response, 2)
			for k := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, results[k] = sign(t, s, tokens[k], l.ID)
				}()
			}
			wg.Wait()
			for k, r := range results {
				if len(r.Errors) > 0 {
					require.Equal(t, "CONFLICT", r.Code(), "%+v", r.Errors)
					_, r = sign(t, s, tokens[k], l.ID)
					require.Empty(t, r.Errors, "the retry succeeds")
				}
			}
			r := gqOK(t, s, head, `query($id: ID!) { node(id: $id) { ... on ResponsibilityLetter { `+letterFields+` } } }`, map[string]any{"id": l.ID})
			var out struct{ Node letterOut }
			r.Decode(t, &out)
			require.Equal(t, "SIGNED", out.Node.State)
			require.ElementsMatch(t, []string{"PARTY_SECRETARY", "GOVERNMENT_HEAD"}, out.Node.signedRoles())
			require.Equal(t, []string{"CREATED", "ISSUED", "SIGNED", "SIGNED"}, out.Node.actions())
			require.Equal(t, "PARTIALLY_SIGNED", out.Node.Events[2].ToState)
			require.Equal(t, "SIGNED", out.Node.Events[3].ToState)
		}
	})
}

// TestReparentCarriesLetters: moving a workshop to another enterprise in
// another town rewrites the position of the letters it received (signee
// side) and of those it issued (issuer side) in the same transaction, so
// both sides see what they should and the old town stops seeing the
// workshop's own letters to its teams.
func TestReparentCarriesLetters(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		ws := unitID(t, s, admin, "WS-MECH-MACHINING")
		toWorkshop := letterID(t, s, admin, 2022, seed.CodeMech, "WS-MECH-MACHINING")
		toTeam := letterID(t, s, admin, 2022, "WS-MECH-MACHINING", "TEAM-MECH-MACHINING-1")
		visible := func(who, id string) bool {
			r := gqOK(t, s, tokenFor(s, who), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
			return string(r.Data) != `{"node":null}`
		}
		require.True(t, visible("chengguan.head", toWorkshop))
		require.True(t, visible("chengguan.head", toTeam))
		require.False(t, visible("nanshan.head", toTeam))
		require.False(t, visible("cement.principal", toTeam))

		gqOK(t, s, admin, `mutation($id: ID!, $p: ID!) { updateUnit(id: $id, input: {parentID: $p}) { id } }`,
			map[string]any{"id": ws, "p": unitID(t, s, admin, seed.CodeCement)})

		// The letter to the workshop: received under the cement plant now,
		// issued by 宏达机电 still (城关镇 keeps it through its issuer side).
		require.True(t, visible("cement.principal", toWorkshop))
		require.True(t, visible("nanshan.head", toWorkshop))
		require.True(t, visible("chengguan.head", toWorkshop))
		// The workshop's letters to its teams moved with it, both sides.
		require.True(t, visible("cement.principal", toTeam))
		require.True(t, visible("nanshan.head", toTeam))
		require.False(t, visible("chengguan.head", toTeam), "a stale issuer path would still show it to 城关镇")
		// Its 2022 letter came from its old parent: not the new parent's.
		c, r := coverage(t, s, s.As("cement.principal"), 2022, unitID(t, s, admin, seed.CodeCement),
			map[string]any{"kinds": []string{"WORKSHOP"}, "first": 10})
		require.Empty(t, r.Errors)
		require.Equal(t, "MISSING", statusOf(t, c, "WS-MECH-MACHINING"))
	})
}

// TestSignWithChosenPost: one person holding both heads' posts of a town
// (一肩挑) signs once per post; postID picks the post, and a post that is not
// theirs at the signee unit is refused.
func TestSignWithChosenPost(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, head := s.As("admin"), s.As("county.head")
		dc := unitID(t, s, admin, seed.CodeTownDongcheng)
		r := gqOK(t, s, admin, `mutation($u: ID!, $unit: ID!) { createPost(input: {userID: $u, unitID: $unit, role: GOVERNMENT_HEAD, title: "东城街道办事处主任（兼）"}) { id } }`,
			map[string]any{"u": userID(t, s, admin, "dongcheng.secretary"), "unit": dc})
		var post struct{ CreatePost struct{ ID string } }
		r.Decode(t, &post)
		l := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, unitID(t, s, head, seed.CodeCounty), dc, true).ID)
		tok := s.As("dongcheng.secretary")
		signIn := func(postID string) (letterOut, *apitest.Response) {
			return letterMutation(t, s, tok, "signLetter(id: $id, input: {postID: $p})", "$id: ID!, $p: ID", map[string]any{"id": l.ID, "p": postID})
		}
		before := snapshot(t, s)
		_, r = signIn(postOfUser(t, s, admin, "dongcheng.head"))
		requireCode(t, r, "BAD_USER_INPUT", "another person's post")
		require.Equal(t, "postID", r.Errors[0].Extensions["field"])
		requireUnchanged(t, s, before)

		out, r := signIn(post.CreatePost.ID)
		require.Empty(t, r.Errors)
		require.Equal(t, []string{"GOVERNMENT_HEAD"}, out.signedRoles())
		require.Equal(t, "东城街道办事处主任（兼）", out.Signatures[0].SignerTitle)
		out, r = sign(t, s, tok, l.ID) // the post still needed
		require.Empty(t, r.Errors)
		require.Equal(t, "SIGNED", out.State)
		require.Equal(t, []string{"GOVERNMENT_HEAD", "PARTY_SECRETARY"}, out.signedRoles())
	})
}
