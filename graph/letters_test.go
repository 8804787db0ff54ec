package graph_test

// Responsibility letters over GraphQL on every available database (issue 4):
// the lifecycle with dual signatures (党政同责), every illegal step, the chain
// rule, CONFLICT, bulk issue, chain coverage on the demo data, scoping of
// lists, nodes and mutations, and concurrent signing.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
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
	selection := "letter { " + letterFields + " }"
	if strings.HasPrefix(field, "deleteLetter(") {
		selection = "deletedID"
	}
	q := fmt.Sprintf(`mutation(%s) { m: %s { %s } }`, args, field, selection)
	r := gq(t, s, token, q, vars)
	var out struct{ M struct{ Letter letterOut } }
	if len(r.Errors) == 0 {
		r.Decode(t, &out)
	}
	return out.M.Letter, r
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
	l, r := letterMutation(t, s, token, mutation+"(input: {id: $id})", "$id: ID!", map[string]any{"id": id})
	require.Empty(t, r.Errors, "%s", mutation)
	return l
}

func sign(t testing.TB, s *apitest.Server, token, id string) (letterOut, *apitest.Response) {
	t.Helper()
	return letterMutation(t, s, token, "signLetter(input: {id: $id})", "$id: ID!", map[string]any{"id": id})
}

func revoke(t testing.TB, s *apitest.Server, token, id, reason string) (letterOut, *apitest.Response) {
	t.Helper()
	return letterMutation(t, s, token, "revokeLetter(input: {id: $id, reason: $reason})", "$id: ID!, $reason: String!",
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
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
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

const coverageQuery = `query($year: Int!, $root: ID!, $status: [CoverageStatus!], $kinds: [UnitKind!], $first: Int, $after: Cursor, $last: Int, $before: Cursor) {
  c: letterCoverage(year: $year, rootID: $root, status: $status, kinds: $kinds, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
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

		l, r := letterMutation(t, s, head, "updateLetter(input: $in)", "$in: UpdateLetterInput!",
			map[string]any{"in": map[string]any{"id": l.ID, "title": "  2024年度安全生产工作责任状 ", "targets": targets2024}})
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
		r = gq(t, s, cp, `mutation($id: ID!) { deleteLetter(input: {id: $id}) { deletedID } }`, map[string]any{"id": y.ID})
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
		signM, issueM, archiveM, deleteM := "signLetter(input: {id: $id})", "issueLetter(input: {id: $id})", "archiveLetter(input: {id: $id})", "deleteLetter(input: {id: $id}) { deletedID }"
		revokeM, revokeA := "revokeLetter(input: {id: $id, reason: $reason})", "$id: ID!, $reason: String!"
		rv := func(x, reason string) map[string]any { return map[string]any{"id": x, "reason": reason} }
		updateM, updateA := "updateLetter(input: {id: $id, title: $title})", "$id: ID!, $title: String!"
		up := func(x, title string) map[string]any { return map[string]any{"id": x, "title": title} }
		createM, createA := "createLetter(input: $in)", "$in: CreateLetterInput!"
		cr := func(year int, issuer, signee string) map[string]any {
			return map[string]any{"in": map[string]any{"year": year, "issuerUnitID": u(issuer), "signeeUnitID": u(signee), "title": "t"}}
		}
		attempts := []attempt{
			// The lifecycle.
			{"sign a DRAFT (the signee side does not read it)", "dongcheng.secretary", signM, one, id(draft.ID), "NOT_FOUND"},
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
			{"the signee side issues a draft it does not read", "dongcheng.head", issueM, one, id(draft.ID), "NOT_FOUND"},
			{"the signee side edits a draft it does not read", "dongcheng.secretary", updateM, updateA, up(draft.ID, "x"), "NOT_FOUND"},
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
				q := fmt.Sprintf(`mutation(%s) { m: %s %s }`, a.args, a.mutation, map[bool]string{true: "{ deletedID }", false: "{ letter { id state } }"}[a.mutation == deleteM])
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
					require.Equal(t, "input.signeeUnitID", r.Errors[0].Extensions["field"])
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
			require.Equal(t, "input.signeeUnitID", r.Errors[0].Extensions["field"])
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
