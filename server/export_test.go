package server_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/auditlog"
)

func TestAuditCSVNeutralisesFormulaCells(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		hostile := []string{`=HYPERLINK("http://evil.example","x")`, "+1+1", "-2+3", "@SUM(1)"}
		for _, name := range []string{"\tcmd", "\rcmd"} {
			r := s.Do("", `mutation($u: String!) { login(input: {tenant: "demo", username: $u, password: "x"}) { accessToken } }`,
				map[string]any{"u": name})
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "control characters never reach the audit log")
		}
		for _, name := range hostile {
			r := s.Do("", `mutation($u: String!) { login(input: {tenant: "demo", username: $u, password: "not-the-password"}) { accessToken } }`,
				map[string]any{"u": name})
			require.Equal(t, "UNAUTHENTICATED", r.Code())
		}
		res, body := s.Get(s.As("auditor.county"), "/export/audit.csv?operation=LOGIN_FAILED")
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		var cells []string
		for _, row := range rows[1:] {
			for _, cell := range row {
				require.False(t, cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])), "a cell a spreadsheet would evaluate: %q", cell)
				cells = append(cells, cell)
			}
		}
		for _, name := range hostile {
			require.True(t, slices.Contains(cells, "'"+name), "the failed login of %q is exported, quoted", name)
		}
	})
}

func TestNeutraliseCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "plain": "plain", "城关镇": "城关镇", "1-2": "1-2", "'=already": "'=already",
	} {
		require.Equal(t, want, auditlog.NeutraliseCell(in), "%q", in)
	}
}
