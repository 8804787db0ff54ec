package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/ledger"
	"github.com/dutychain/dutychain/internal/seed"
)

// ledgerConnections maps each ledger to the GraphQL list it mirrors.
var ledgerConnections = map[string]string{
	"hazards": "hazards", "inspections": "inspections", "letters": "responsibilityLetters",
	"enterprises": "enterprises", "units": "units", "notices": "notices", "trainings": "trainings",
	"certificates": "certificates", "emergency-plans": "emergencyPlans", "drills": "drills",
	"duty-rosters": "dutyRosters", "rescue-teams": "rescueTeams", "material-reserves": "materialReserves",
	"risk-points": "riskPoints",
}

// ledgerCSV fetches a CSV ledger and returns its rows without the
// byte-order mark, header first.
func ledgerCSV(t *testing.T, s *apitest.Server, token, name, where string) [][]string {
	t.Helper()
	path := "/ledgers/" + name + ".csv"
	if where != "" {
		path += "?where=" + url.QueryEscape(where)
	}
	res, body := s.Get(token, path)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.True(t, bytes.HasPrefix(body, []byte("\ufeff")), "a CSV ledger starts with a byte-order mark")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	require.NoError(t, err)
	return rows
}

// ledgerIDs is the set of 系统编号 (the last column) of a ledger.
func ledgerIDs(rows [][]string) []string {
	var ids []string
	for _, r := range rows[1:] {
		ids = append(ids, r[len(r)-1])
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// listIDs is the sorted ids of a GraphQL list, filtered by where (a
// GraphQL literal), following pages.
func listIDs(t *testing.T, s *apitest.Server, token, connection, where string) []string {
	t.Helper()
	var ids []string
	after := ""
	for {
		args := "first: 100"
		if where != "" {
			args += ", where: " + where
		}
		if after != "" {
			args += fmt.Sprintf(", after: %q", after)
		}
		var out struct {
			C struct {
				Edges    []struct{ Node struct{ ID string } }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		s.MustDo(token, fmt.Sprintf(`{ c: %s(%s) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, connection, args), nil).Decode(t, &out)
		for _, e := range out.C.Edges {
			ids = append(ids, e.Node.ID)
		}
		if !out.C.PageInfo.HasNextPage {
			break
		}
		after = out.C.PageInfo.EndCursor
	}
	slices.Sort(ids)
	return ids
}

func TestLedgers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		county, town := s.As("county.head"), s.As("chengguan.head")

		t.Run("every ledger holds exactly the records the caller's GraphQL list holds", func(t *testing.T) {
			require.Len(t, ledgerConnections, len(ledger.Kinds()))
			for _, k := range ledger.Kinds() {
				for who, token := range map[string]string{"county head": county, "town head": town} {
					rows := ledgerCSV(t, s, token, k.Name, "")
					require.Len(t, rows[0], len(k.Columns), "%s: the header", k.Name)
					require.Equal(t, listIDs(t, s, token, ledgerConnections[k.Name], ""), ledgerIDs(rows), "%s as the %s", k.Name, who)
				}
			}
		})

		t.Run("a town head's hazard ledger holds only their town", func(t *testing.T) {
			rows := ledgerCSV(t, s, town, "hazards", "")
			require.Greater(t, len(rows), 1, "the town has hazards: the case proves something")
			for _, r := range rows[1:] {
				require.Equal(t, "城关镇", r[0], "所属乡镇 of %v", r)
			}
			all := ledgerCSV(t, s, county, "hazards", "")
			require.Greater(t, len(all), len(rows), "the county sees more than one town")
		})

		t.Run("a where filter narrows exactly like the list's", func(t *testing.T) {
			for _, c := range []struct{ name, json, graphql string }{
				{"hazards", `{"level":"MAJOR"}`, `{level: MAJOR}`},
				{"hazards", `{"or":[{"state":"CLOSED"},{"supervised":true}]}`, `{or: [{state: CLOSED}, {supervised: true}]}`},
				{"enterprises", `{"sector":"INDUSTRY"}`, `{sector: INDUSTRY}`},
				{"units", `{"kind":"TOWN"}`, `{kind: TOWN}`},
			} {
				rows := ledgerCSV(t, s, county, c.name, c.json)
				all := ledgerCSV(t, s, county, c.name, "")
				require.Less(t, len(rows), len(all), "%s %s narrows", c.name, c.json)
				require.Equal(t, listIDs(t, s, county, ledgerConnections[c.name], c.graphql), ledgerIDs(rows), "%s %s", c.name, c.json)
			}
			var townID struct {
				Units struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			s.MustDo(county, fmt.Sprintf(`{ units(where: {code: %q}) { edges { node { id } } } }`, seed.CodeTownChengguan), nil).Decode(t, &townID)
			byTown, _ := json.Marshal(map[string]string{"townID": townID.Units.Edges[0].Node.ID})
			require.Equal(t, ledgerIDs(ledgerCSV(t, s, town, "hazards", "")), ledgerIDs(ledgerCSV(t, s, county, "hazards", string(byTown))),
				"the hazards' townID extension filters as in the list")
		})

		t.Run("a bad request is refused with a coded error", func(t *testing.T) {
			for _, c := range []struct {
				name, token, path string
				status            int
				code, field       string
			}{
				{"no token", "", "/ledgers/hazards.csv", http.StatusUnauthorized, "UNAUTHENTICATED", ""},
				{"an unknown ledger", county, "/ledgers/bogus.csv", http.StatusNotFound, "NOT_FOUND", ""},
				{"an unknown format", county, "/ledgers/hazards.pdf", http.StatusNotFound, "NOT_FOUND", ""},
				{"an unknown parameter", county, "/ledgers/hazards.csv?level=MAJOR", http.StatusBadRequest, "BAD_USER_INPUT", "level"},
				{"malformed JSON", county, "/ledgers/hazards.csv?where=" + url.QueryEscape(`{"level":`), http.StatusBadRequest, "BAD_USER_INPUT", "where"},
				{"an unknown field", county, "/ledgers/hazards.xlsx?where=" + url.QueryEscape(`{"levl":"MAJOR"}`), http.StatusBadRequest, "BAD_USER_INPUT", "where.levl"},
				{"an unknown nested field", county, "/ledgers/hazards.csv?where=" + url.QueryEscape(`{"not":{"bogus":1}}`), http.StatusBadRequest, "BAD_USER_INPUT", "where.not.bogus"},
				{"an unknown enum value", county, "/ledgers/hazards.csv?where=" + url.QueryEscape(`{"level":"HUGE"}`), http.StatusBadRequest, "BAD_USER_INPUT", "where.level"},
				{"a text over its limit", county, "/ledgers/hazards.csv?where=" + url.QueryEscape(`{"categoryContains":"`+strings.Repeat("x", 1001)+`"}`), http.StatusBadRequest, "BAD_USER_INPUT", "where.categoryContains"},
				{"a control character", county, "/ledgers/enterprises.csv?where=" + url.QueryEscape(`{"nameContains":"a\u0007"}`), http.StatusBadRequest, "BAD_USER_INPUT", "where.nameContains"},
				{"a malformed id", county, "/ledgers/hazards.csv?where=" + url.QueryEscape(`{"townID":"nope"}`), http.StatusBadRequest, "BAD_USER_INPUT", "where.townID"},
			} {
				t.Run(c.name, func(t *testing.T) {
					res, body := s.Get(c.token, c.path)
					require.Equal(t, c.status, res.StatusCode, string(body))
					var out struct {
						Errors []struct {
							Extensions struct{ Code, Field string }
						}
					}
					require.NoError(t, json.Unmarshal(body, &out), string(body))
					require.NotEmpty(t, out.Errors)
					require.Equal(t, c.code, out.Errors[0].Extensions.Code)
					if c.field != "" {
						require.Equal(t, c.field, out.Errors[0].Extensions.Field, string(body))
					}
				})
			}
		})

		t.Run("the XLSX ledger parses back with a frozen header, a filter and real dates", func(t *testing.T) {
			res, body := s.Get(town, "/ledgers/hazards.xlsx")
			require.Equal(t, http.StatusOK, res.StatusCode, string(body))
			require.Contains(t, res.Header.Get("Content-Disposition"), `filename="hazards.xlsx"`)
			f, err := excelize.OpenReader(bytes.NewReader(body))
			require.NoError(t, err)
			defer f.Close()
			sheet := "隐患排查治理台账"
			rows, err := f.GetRows(sheet)
			require.NoError(t, err)
			require.Equal(t, ledgerCSV(t, s, town, "hazards", "")[0], rows[0], "the same Chinese headers as the CSV")
			require.Equal(t, len(ledgerCSV(t, s, town, "hazards", "")), len(rows))
			panes, err := f.GetPanes(sheet)
			require.NoError(t, err)
			require.True(t, panes.Freeze)
			require.Equal(t, 1, panes.YSplit)
			require.Equal(t, "A2", panes.TopLeftCell)
			tables, err := f.GetTables(sheet)
			require.NoError(t, err)
			require.Len(t, tables, 1)
			require.True(t, strings.HasPrefix(tables[0].Range, "A1:"), tables[0].Range)
			require.Contains(t, tableXML(t, body), `<autoFilter ref="`+tables[0].Range+`"`)
			width, err := f.GetColWidth(sheet, "I")
			require.NoError(t, err)
			require.Equal(t, 40.0, width, "the description column is wide")
			found, err := f.GetCellValue(sheet, "D2")
			require.NoError(t, err)
			require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, found, "发现日期 shows as a date")
			typ, err := f.GetCellType(sheet, "D2")
			require.NoError(t, err)
			require.NotEqual(t, excelize.CellTypeSharedString, typ, "a date cell is a number, not text")
		})

		t.Run("the CSV ledger quotes commas, quotes and line breaks", func(t *testing.T) {
			cg := listIDs(t, s, county, "units", fmt.Sprintf("{code: %q}", seed.CodeTownChengguan))[0]
			name := `城关镇,"东区"`
			s.MustDo(s.As("admin"), `mutation($id: ID!, $n: String!) { updateUnit(input: {id: $id, name: $n}) { unit { id } } }`,
				map[string]any{"id": cg, "n": name})
			res, body := s.Get(county, "/ledgers/units.csv?where="+url.QueryEscape(`{"code":"`+seed.CodeTownChengguan+`"}`))
			require.Equal(t, http.StatusOK, res.StatusCode, string(body))
			require.Contains(t, string(body), "\r\n"+`"城关镇,""东区""",`, "RFC 4180 quoting, CRLF line ends")
			rows := ledgerCSV(t, s, county, "units", `{"code":"`+seed.CodeTownChengguan+`"}`)
			require.Len(t, rows, 2)
			require.Equal(t, name, rows[1][0])
			require.Equal(t, "镇/乡/街道", rows[1][2], "enums show in Chinese")
		})
	})
}

// tableXML is the XML of the first table part of an XLSX file.
func tableXML(t *testing.T, xlsx []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	require.NoError(t, err)
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/tables/") {
			r, err := f.Open()
			require.NoError(t, err)
			b, err := io.ReadAll(r)
			require.NoError(t, err)
			return string(b)
		}
	}
	t.Fatal("no table part")
	return ""
}
