package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// coveragePage is one page of noticeCoverage: its rows as identities and
// its page information.
type coveragePage struct {
	NoticeCoverage struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Edges []struct {
			Cursor string
			Node   struct {
				Notice        struct{ ID string }
				RecipientKind string
				Town          *struct{ ID string }
			}
		}
	}
}

func (p coveragePage) rows() []string {
	var out []string
	for _, e := range p.NoticeCoverage.Edges {
		town := ""
		if e.Node.Town != nil {
			town = e.Node.Town.ID
		}
		out = append(out, e.Node.Notice.ID+"/"+e.Node.RecipientKind+"/"+town)
	}
	return out
}

const coveragePageQuery = `query($first: Int, $after: Cursor, $last: Int, $before: Cursor) {
  noticeCoverage(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { notice { id } recipientKind town { id } } } } }`

func TestNoticeCoveragePagesBothWays(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		page := func(vars map[string]any) coveragePage {
			var p coveragePage
			gqOK(t, s, head, coveragePageQuery, vars).Decode(t, &p)
			return p
		}
		all := page(map[string]any{"first": 500})
		rows := all.rows()
		require.Greater(t, len(rows), 6, "the demo county has enough coverage rows to page")
		require.Equal(t, len(rows), all.NoticeCoverage.TotalCount)

		t.Run("first and after walk the rows forward", func(t *testing.T) {
			p := page(map[string]any{"first": 3})
			require.Equal(t, rows[:3], p.rows())
			require.True(t, p.NoticeCoverage.PageInfo.HasNextPage)
			require.False(t, p.NoticeCoverage.PageInfo.HasPreviousPage)
			q := page(map[string]any{"first": 3, "after": *p.NoticeCoverage.PageInfo.EndCursor})
			require.Equal(t, rows[3:6], q.rows())
			require.True(t, q.NoticeCoverage.PageInfo.HasPreviousPage)
		})
		t.Run("last without before gives the last rows", func(t *testing.T) {
			p := page(map[string]any{"last": 3})
			require.Equal(t, rows[len(rows)-3:], p.rows())
			require.False(t, p.NoticeCoverage.PageInfo.HasNextPage)
			require.True(t, p.NoticeCoverage.PageInfo.HasPreviousPage)
			require.Equal(t, len(rows), p.NoticeCoverage.TotalCount)

			t.Run("and last with before the page before them", func(t *testing.T) {
				q := page(map[string]any{"last": 3, "before": *p.NoticeCoverage.PageInfo.StartCursor})
				require.Equal(t, rows[len(rows)-6:len(rows)-3], q.rows())
				require.True(t, q.NoticeCoverage.PageInfo.HasNextPage)
			})
		})
		t.Run("a page past the end is empty but keeps the total", func(t *testing.T) {
			p := page(map[string]any{"first": 3, "after": all.NoticeCoverage.Edges[len(rows)-1].Cursor})
			require.Empty(t, p.rows())
			require.Equal(t, len(rows), p.NoticeCoverage.TotalCount)
		})
		t.Run("first and last together are refused", func(t *testing.T) {
			r := gq(t, s, head, coveragePageQuery, map[string]any{"first": 3, "last": 3})
			requireCode(t, r, "BAD_USER_INPUT")
		})
	})
}
