package graph

import (
	"context"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/letters"
)

func targetsOf(in []*model.LetterTargetInput) []letters.Target {
	out := make([]letters.Target, 0, len(in))
	for _, t := range in {
		if t != nil {
			out = append(out, letters.Target{Description: t.Description, Indicator: t.Indicator})
		}
	}
	return out
}

func countsOf(c letters.Counts) *model.CoverageCounts {
	return &model.CoverageCounts{Total: c.Total, Signed: c.Signed, Pending: c.Pending, Missing: c.Missing,
		SignedPercent: c.Percent(c.Signed), PendingPercent: c.Percent(c.Pending), MissingPercent: c.Percent(c.Missing)}
}

// letterCoverage runs the coverage query and shapes its answer; the letters
// of the page are primed for the parts the query asks for.
func (r *Resolver) letterCoverage(ctx context.Context, in letters.CoverageInput) (*model.LetterCoverageConnection, error) {
	cov, err := r.Letters.Coverage(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &model.LetterCoverageConnection{
		TotalCount: cov.TotalCount,
		PageInfo:   &ent.PageInfo{HasNextPage: cov.HasNextPage, HasPreviousPage: cov.HasPreviousPage},
		Edges:      []*model.LetterCoverageEdge{},
		Summary:    &model.LetterCoverageSummary{Total: countsOf(cov.Total), ByKind: []*model.KindCoverage{}, ByTown: []*model.TownCoverage{}},
	}
	if cov.StartCursor != "" {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = coverageCursor(cov.StartCursor), coverageCursor(cov.EndCursor)
	}
	for _, k := range cov.ByKind {
		out.Summary.ByKind = append(out.Summary.ByKind, &model.KindCoverage{Kind: k.Kind, Counts: countsOf(k.Counts)})
	}
	for _, t := range cov.ByTown {
		out.Summary.ByTown = append(out.Summary.ByTown, &model.TownCoverage{Town: t.Town, Counts: countsOf(t.Counts)})
	}
	var shown []*ent.ResponsibilityLetter
	for _, row := range cov.Rows {
		out.Edges = append(out.Edges, &model.LetterCoverageEdge{Cursor: *coverageCursor(row.Cursor), Node: &model.LetterCoverageRow{
			Unit: row.Unit, Kind: row.Unit.Kind, Status: row.Status, Issuer: row.Issuer, Town: row.Town, Letter: row.Letter,
		}})
		if row.Letter != nil {
			shown = append(shown, row.Letter)
		}
	}
	return out, loadersFrom(ctx, r.Client).primeLetters(ctx, shown, "edges", "node", "letter")
}

// coverageCursor carries the letters service's row cursor in the shared
// Cursor scalar, so coverage pages like every other connection.
func coverageCursor(c string) *ent.Cursor {
	return &ent.Cursor{Value: c}
}

// coverageCursorValue unwraps coverageCursor; a cursor of another connection
// reads as a malformed coverage cursor.
func coverageCursorValue(c *ent.Cursor) string {
	if c == nil {
		return ""
	}
	if s, ok := c.Value.(string); ok && s != "" {
		return s
	}
	return "-"
}
