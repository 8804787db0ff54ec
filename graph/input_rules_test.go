package graph_test

// The input rules on both databases: a value that breaks a rule of the
// schema's descriptions (control characters, invalid UTF-8, too long, out
// of range) or cannot be read (a malformed ID) is one BAD_USER_INPUT error
// naming its input path, every bad field of a request is reported at once,
// and nothing is written.

import (
	"bytes"
	"encoding/json"
	"maps"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

// badInputCall is a mutation called with one bad field.
type badInputCall struct {
	name string
	// as signs in (empty: anonymous).
	as       string
	mutation string
	// input is a valid input; field is set to bad in it.
	input map[string]any
	field string
	bad   any
	// wantField is extensions.field of the one error.
	wantField string
}

const (
	createEnterpriseDoc = `mutation($in: CreateEnterpriseInput!) { createEnterprise(input: $in) { __typename } }`
	reportHazardDoc     = `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { __typename } }`
	loginDoc            = `mutation($in: LoginInput!) { login(input: $in) { __typename } }`
	createLetterDoc     = `mutation($in: CreateLetterInput!) { createLetter(input: $in) { __typename } }`
	createUserDoc       = `mutation($in: CreateUserInput!) { createUser(input: $in) { __typename } }`
)

// validInputs are inputs that pass the input rules; the ids are resolved on
// the server under test.
func validInputs(t *testing.T, s *apitest.Server) map[string]map[string]any {
	admin := s.As("admin")
	credit, err := domain.CreditCodeWithCheck("91341199MA2Q7K3L1")
	require.NoError(t, err)
	town := unitID(t, s, admin, seed.CodeTownChengguan)
	return map[string]map[string]any{
		createEnterpriseDoc: {"name": "测试加油站", "code": "RULES-FUEL-1", "townID": town, "creditCode": credit, "sector": "FUEL"},
		reportHazardDoc: {"subjectID": unitID(t, s, admin, "ENT-MECH"), "source": "REPORT", "level": "GENERAL",
			"category": "消防安全", "description": "灭火器过期", "deadline": "2030-01-01T00:00:00Z"},
		loginDoc:        {"tenant": "demo", "username": "admin", "password": seed.DemoPassword},
		createLetterDoc: {"year": 2024, "issuerUnitID": unitID(t, s, admin, seed.CodeCounty), "signeeUnitID": town, "title": "责任状"},
		createUserDoc:   {"username": "rules.user", "displayName": "测试用户", "password": seed.DemoPassword, "unitID": town},
	}
}

func badInputCalls() []badInputCall {
	long := strings.Repeat("a", 500_000) // the request body stays within its 1 MiB limit
	return []badInputCall{
		{name: "a NUL in an enterprise's name", as: "admin", mutation: createEnterpriseDoc, field: "name", bad: "加油\x00站", wantField: "input.name"},
		{name: "a bell character in an enterprise's name", as: "admin", mutation: createEnterpriseDoc, field: "name", bad: "加油\a站", wantField: "input.name"},
		{name: "a line feed in an enterprise's name", as: "admin", mutation: createEnterpriseDoc, field: "name", bad: "加油\n站", wantField: "input.name"},
		{name: "an enterprise name one character over its limit", as: "admin", mutation: createEnterpriseDoc, field: "name", bad: strings.Repeat("界", 201), wantField: "input.name"},
		{name: "an enterprise name of 500,000 characters", as: "admin", mutation: createEnterpriseDoc, field: "name", bad: long, wantField: "input.name"},
		{name: "an employee count past 32 bits", as: "admin", mutation: createEnterpriseDoc, field: "employeeCount", bad: int64(1) << 31, wantField: "input.employeeCount"},
		{name: "a negative employee count", as: "admin", mutation: createEnterpriseDoc, field: "employeeCount", bad: -1, wantField: "input.employeeCount"},
		{name: "U+FFFD in a key site", as: "admin", mutation: createEnterpriseDoc, field: "keySites", bad: []string{"罐区", "库\uFFFD房"}, wantField: "input.keySites[1]"},
		{name: "a NUL in a hazard's description", as: "county.head", mutation: reportHazardDoc, field: "description", bad: "灭火器\x00过期", wantField: "input.description"},
		{name: "a hazard description one character over its limit", as: "county.head", mutation: reportHazardDoc, field: "description", bad: strings.Repeat("a", 2001), wantField: "input.description"},
		{name: "a hazard description of 500,000 characters", as: "county.head", mutation: reportHazardDoc, field: "description", bad: long, wantField: "input.description"},
		{name: "a hazard deadline in the year 9999", as: "county.head", mutation: reportHazardDoc, field: "deadline", bad: "9999-12-31T00:00:00Z", wantField: "input.deadline"},
		{name: "a hazard deadline that is no time", as: "county.head", mutation: reportHazardDoc, field: "deadline", bad: "next friday", wantField: "input.deadline"},
		{name: "a malformed hazard subject ID", as: "county.head", mutation: reportHazardDoc, field: "subjectID", bad: "not-an-id", wantField: "input.subjectID"},
		{name: "a NUL in a login username", mutation: loginDoc, field: "username", bad: "ad\x00min", wantField: "input.username"},
		{name: "an escape character in a login password", mutation: loginDoc, field: "password", bad: "pass\x1bword", wantField: "input.password"},
		{name: "a letter year past 32 bits", as: "county.head", mutation: createLetterDoc, field: "year", bad: int64(1) << 31, wantField: "input.year"},
		{name: "a C1 control character in a letter title", as: "county.head", mutation: createLetterDoc, field: "title", bad: "责任\u0085状", wantField: "input.title"},
		{name: "a malformed letter signee ID", as: "county.head", mutation: createLetterDoc, field: "signeeUnitID", bad: "ZGM6bm90", wantField: "input.signeeUnitID"},
		{name: "a NUL in a username", as: "admin", mutation: createUserDoc, field: "username", bad: "rules\x00user", wantField: "input.username"},
	}
}

func TestBadInputIsRefusedWithItsFieldAndWritesNothing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		valid := validInputs(t, s)
		before := snapshot(t, s)
		for _, c := range badInputCalls() {
			t.Run(c.name+" is BAD_USER_INPUT on "+c.wantField, func(t *testing.T) {
				in := maps.Clone(valid[c.mutation])
				in[c.field] = c.bad
				token := ""
				if c.as != "" {
					token = s.As(c.as)
				}
				r := gq(t, s, token, c.mutation, map[string]any{"in": in})
				requireFieldErrors(t, r, c.wantField)
			})
		}
		t.Run("invalid UTF-8 in a multipart form field is BAD_USER_INPUT on its field", func(t *testing.T) {
			ops := `{"query":` + quoteJSON(createEnterpriseDoc) + `,"variables":{"in":{"name":"加油` + "\xff\xfe" + `站","code":"X","townID":"x","creditCode":"x","sector":"FUEL"}}}`
			status, r := postMultipart(t, s, s.As("admin"), ops)
			require.Equal(t, http.StatusOK, status)
			requireFieldErrors(t, r, "input.name")
		})
		t.Run("a malformed ID in a query's argument is BAD_USER_INPUT on the argument", func(t *testing.T) {
			r := gq(t, s, s.As("admin"), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "bm9wZQ"})
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "errors %+v", r.Errors)
			require.Equal(t, "id", r.Errors[0].Extensions["field"])
		})
		requireUnchanged(t, s, before, "by refused input")
	})
}

func TestEveryBadFieldOfARequestIsReportedAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		valid := validInputs(t, s)
		before := snapshot(t, s)
		t.Run("three fields breaking the schema's rules give three errors", func(t *testing.T) {
			in := maps.Clone(valid[createEnterpriseDoc])
			in["name"] = "加油\x00站"
			in["contactPhone"] = strings.Repeat("1", 33)
			in["employeeCount"] = int64(1) << 31
			r := gq(t, s, s.As("admin"), createEnterpriseDoc, map[string]any{"in": in})
			requireFieldErrors(t, r, "input.name", "input.contactPhone", "input.employeeCount")
		})
		t.Run("three fields refused by the service give three errors", func(t *testing.T) {
			in := maps.Clone(valid[reportHazardDoc])
			in["category"] = " "
			in["description"] = ""
			in["deadline"] = "2001-01-01T00:00:00Z"
			r := gq(t, s, s.As("county.head"), reportHazardDoc, map[string]any{"in": in})
			requireFieldErrors(t, r, "input.category", "input.description", "input.deadline")
		})
		t.Run("a letter's bad year and two empty targets give three errors", func(t *testing.T) {
			in := maps.Clone(valid[createLetterDoc])
			in["year"] = 2099
			in["targets"] = []any{map[string]any{"description": " "}, map[string]any{"description": "安全生产"}, map[string]any{"description": ""}}
			r := gq(t, s, s.As("county.head"), createLetterDoc, map[string]any{"in": in})
			requireFieldErrors(t, r, "input.year", "input.targets[0].description", "input.targets[2].description")
		})
		requireUnchanged(t, s, before, "by refused input")
	})
}

// requireFieldErrors asserts that r failed with one BAD_USER_INPUT error per
// wanted field, in order, and no data.
func requireFieldErrors(t *testing.T, r *apitest.Response, fields ...string) {
	t.Helper()
	var got []string
	for _, e := range r.Errors {
		require.Equal(t, "BAD_USER_INPUT", e.Extensions["code"], "error %+v", e)
		f, _ := e.Extensions["field"].(string)
		got = append(got, f)
		require.NotContains(t, e.Message, "\x00")
	}
	require.Equal(t, fields, got, "errors %+v", r.Errors)
	require.Contains(t, []string{"", "null"}, string(r.Data), "no data for a refused mutation")
}

func quoteJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// postMultipart sends a GraphQL multipart request whose operations field
// is ops, byte for byte (json.Marshal would have repaired invalid UTF-8).
func postMultipart(t *testing.T, s *apitest.Server, token, ops string) (int, *apitest.Response) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("operations", ops))
	require.NoError(t, w.WriteField("map", "{}"))
	require.NoError(t, w.Close())
	resp, raw := s.DoRaw(token, w.FormDataContentType(), body.Bytes())
	var r apitest.Response
	require.NoError(t, json.Unmarshal(raw, &r), "body %s", raw)
	return resp.StatusCode, &r
}
