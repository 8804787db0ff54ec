package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

const summaryQuery = `query($year: Int!, $unit: ID, $plan: [String!]) {
  yearlySummary(year: $year, unitID: $unit, plan: $plan) {
    year title unit { id name }
    sections { number heading paragraphs }
    figures { key label value source }
    charts { key points { label value } }
    problems
  }
}`

func TestYearlySummaryOverHTTP(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		county := s.As("county.head")
		var out struct {
			YearlySummary struct {
				Title    string
				Unit     struct{ ID, Name string }
				Sections []struct {
					Number     int
					Heading    string
					Paragraphs []string
				}
				Figures []struct {
					Key   string
					Value int
				}
				Problems []string
			}
			Hazards struct{ TotalCount int }
		}
		r := s.MustDo(county, `query { hazards(where: {foundAtGTE: "2022-01-01T00:00:00+08:00", foundAtLT: "2023-01-01T00:00:00+08:00"}) { totalCount } }`, nil)
		require.NoError(t, json.Unmarshal(r.Data, &out))
		r = s.MustDo(county, summaryQuery, map[string]any{"year": 2022})
		require.NoError(t, json.Unmarshal(r.Data, &out))
		sum := out.YearlySummary

		t.Run("the county head's summary is the county's, with the hazards the list counts", func(t *testing.T) {
			require.Equal(t, "示范县2022年安全生产工作总结", sum.Title)
			require.Len(t, sum.Sections, 5)
			require.Equal(t, "四、存在问题", sum.Sections[3].Heading)
			found := -1
			for _, f := range sum.Figures {
				if f.Key == "hazardsFound" {
					found = f.Value
				}
			}
			require.Equal(t, out.Hazards.TotalCount, found, "hazardsFound equals the hazards list's total for 2022")
			require.Contains(t, sum.Problems, "DRILLS")
		})

		t.Run("a town head cannot summarise the county and the rest of the query survives", func(t *testing.T) {
			r := s.Do(s.As("chengguan.head"), `query($unit: ID) { me { user { username } } yearlySummary(year: 2022, unitID: $unit) { title } }`,
				map[string]any{"unit": sum.Unit.ID})
			require.Equal(t, "FORBIDDEN", r.Code(), "%+v", r.Errors)
			require.JSONEq(t, `{"me": {"user": {"username": "chengguan.head"}}, "yearlySummary": null}`, string(r.Data))
		})

		t.Run("bad input names every field at once", func(t *testing.T) {
			r := s.Do(county, summaryQuery, map[string]any{"year": 1999, "plan": []string{"ok", "bad\u0007"}})
			require.Equal(t, "BAD_USER_INPUT", r.Code())
			var fields []string
			for _, e := range r.Errors {
				f, _ := e.Extensions["field"].(string)
				fields = append(fields, f)
			}
			require.Subset(t, fields, []string{"year", "plan[1]"}, "errors: %+v", r.Errors)
		})

		t.Run("the printed summary is HTML with its charts", func(t *testing.T) {
			res, body := s.Get(county, "/reports/summary.html?year=2022")
			require.Equal(t, http.StatusOK, res.StatusCode, string(body))
			require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
			html := string(body)
			for _, sec := range sum.Sections {
				require.Contains(t, html, "<h2>"+sec.Heading+"</h2>")
			}
			require.GreaterOrEqual(t, strings.Count(html, "<svg"), 3)
		})

		t.Run("an edited part five exports as DOCX", func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"year": 2022, "unitID": sum.Unit.ID, "plan": []string{"开展安全生产月活动"}})
			req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/reports/summary.docx", bytes.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+county)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			docx, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode, string(docx))
			zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
			require.NoError(t, err)
			var xml string
			for _, f := range zr.File {
				if f.Name == "word/document.xml" {
					rc, err := f.Open()
					require.NoError(t, err)
					b, err := io.ReadAll(rc)
					require.NoError(t, err)
					xml = string(b)
				}
			}
			require.Contains(t, xml, "一是开展安全生产月活动。")
			require.Contains(t, xml, "五、2023年工作计划及思路")
		})

		t.Run("the report routes refuse the anonymous and bad parameters", func(t *testing.T) {
			res, _ := s.Get("", "/reports/summary.html?year=2022")
			require.Equal(t, http.StatusUnauthorized, res.StatusCode)
			res, body := s.Get(county, "/reports/summary.docx?year=soon")
			require.Equal(t, http.StatusBadRequest, res.StatusCode, string(body))
			require.Contains(t, string(body), "BAD_USER_INPUT")
			res, body = s.Get(s.As("chengguan.head"), "/reports/summary.html?year=2022&unitID="+sum.Unit.ID)
			require.Equal(t, http.StatusForbidden, res.StatusCode, string(body))
		})
	})
}
