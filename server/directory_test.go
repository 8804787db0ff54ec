package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/internal/apitest"
)

func TestDirectoryTemplateExportAndImportOverHTTP(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		t.Run("the template has the three sheets with their headers", func(t *testing.T) {
			res, body := s.Get(admin, "/import/directory-template.xlsx")
			require.Equal(t, http.StatusOK, res.StatusCode)
			f, err := excelize.OpenReader(bytes.NewReader(body))
			require.NoError(t, err)
			require.Equal(t, []string{"企业", "用户", "岗位"}, f.GetSheetList())
			head, err := f.GetRows("企业")
			require.NoError(t, err)
			require.Equal(t, "统一社会信用代码", head[0][3])
		})
		t.Run("re-importing the exported directory names every duplicate and writes nothing", func(t *testing.T) {
			res, export := s.Get(admin, "/export/directory.xlsx")
			require.Equal(t, http.StatusOK, res.StatusCode, string(export))
			req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/import/directory?dryRun=true", bytes.NewReader(export))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, string(raw))
			var rep struct {
				Written  bool
				Problems []struct {
					Sheet, Column, Code string
					Row                 int
				}
			}
			require.NoError(t, json.Unmarshal(raw, &rep))
			require.False(t, rep.Written)
			sheets := map[string]int{}
			for _, p := range rep.Problems {
				require.NotZero(t, p.Row)
				sheets[p.Sheet]++
			}
			require.Positive(t, sheets["企业"], "every enterprise is a duplicate")
			require.Positive(t, sheets["用户"], "every user is a duplicate")
		})
		t.Run("the routes refuse the anonymous", func(t *testing.T) {
			res, _ := s.Get("", "/export/directory.xlsx")
			require.Equal(t, http.StatusUnauthorized, res.StatusCode)
		})
	})
}
